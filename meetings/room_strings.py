"""The texts the live room's JavaScript shows (docmgmt/static/meetings/live.js, room.js,
screen.js, pdfview.js), kept in the translation catalogue like every other text.

SOURCES lists the Vietnamese source strings, marked with the no-op N_ so that
scripts/i18n.sh (``-k N_``) extracts them into messages.po. The room and big-screen
pages embed ``room_strings()`` as a JSON data block (``<script type="application/json"
id="room-strings">``), and the scripts look each text up with ``t("…")`` from live.js,
which also fills in Python-style named placeholders such as ``%(present)s``. Every
``t("…")`` literal in those scripts must be one of SOURCES (tests/test_meetings_i18n.py).
"""

from __future__ import annotations

from flask_babel import gettext


def N_(string: str) -> str:
    """Marks a string for extraction without translating it (translated on use)."""
    return string


SOURCES: tuple[str, ...] = (
    # live.js: the connection and its refusals
    N_("Đang kết nối…"),
    N_("Đã kết nối"),
    N_("Mất kết nối, đang kết nối lại…"),
    N_("Đang đồng bộ"),
    N_("Không vào được phòng họp"),
    N_("Mất kết nối với máy chủ, thao tác chưa được gửi. Hãy thử lại khi đã kết nối."),
    N_("Máy chủ không trả lời, thao tác có thể chưa được lưu."),
    # pdfview.js: the document viewer
    N_("Tệp này không phải PDF: hãy mở tệp để xem."),
    N_("Đang tải tài liệu…"),
    N_("Tài liệu"),
    N_("%(title)s, trang %(page)s"),
    N_("Không mở được tài liệu này."),
    # room.js and screen.js: header, current item, countdown
    N_("Thao tác không thành công."),
    N_("Đóng"),
    N_("Phòng họp: %(title)s"),
    N_("Xã Số"),
    N_("Bắt đầu họp"),
    N_("Kết thúc họp"),
    N_("Kết thúc cuộc họp? Biểu quyết đang mở sẽ được đóng."),
    N_("Chưa bắt đầu mục nào"),
    N_("Trình bày: %(name)s"),
    N_("Mục tiếp theo"),
    N_("Đã đến mục cuối"),
    N_("+5 phút"),
    N_("Tạm dừng"),
    N_("Tiếp tục"),
    N_("Đặt lại"),
    N_("Quá giờ"),
    N_("Còn lại"),
    N_("Đang dừng"),
    # agenda
    N_("Xem ghi chú, kết luận của mục này"),
    N_("%(minutes)s phút"),
    N_("%(count)s tài liệu"),
    N_("Đang thảo luận"),
    N_("Chuyển đến"),
    # documents and the presenter view
    N_("Mục này không có tài liệu."),
    N_("Mở tệp trong cửa sổ mới"),
    N_("Mở tệp %(title)s"),
    N_("Đang trình chiếu: %(title)s, trang %(page)s"),
    N_("Đang trình chiếu: %(title)s, trang %(page)s (%(name)s)"),
    N_("%(title)s · trang %(page)s"),
    N_("Chưa có tài liệu nào được trình chiếu."),
    N_("Chọn một tài liệu để xem."),
    N_("Trang %(page)s"),
    N_("Trang %(page)s / %(pages)s"),
    # votes
    N_("Chưa có biểu quyết nào cho mục này."),
    N_("Biểu quyết kín"),
    N_("Đang biểu quyết"),
    N_("Kết quả biểu quyết"),
    N_("Thông qua"),
    N_("và %(count)s người nữa"),
    N_("Không thông qua"),
    N_("Phương án «%(label)s» được quá nửa số thành viên tán thành"),
    N_("Không phương án nào được quá nửa số thành viên"),
    N_("%(label)s (kín)"),
    N_("Đã kết thúc"),
    N_("Đã biểu quyết"),
    N_("Đã có %(cast)s/%(total)s phiếu"),
    N_("Đã có %(cast)s/%(total)s phiếu (kết quả công bố khi kết thúc)"),
    N_("Đã có %(cast)s/%(total)s phiếu — kết quả công bố khi kết thúc"),
    N_("Chưa biểu quyết: %(names)s"),
    N_("Mọi thành viên đã biểu quyết."),
    N_("Kết thúc biểu quyết"),
    N_("Ai chọn gì"),
    N_("Chưa có mục chương trình nào đang thảo luận."),
    # speakers
    N_("Đang phát biểu:"),
    N_("Kết thúc lượt"),
    N_("Không có ai chờ phát biểu."),
    N_("Chưa có người phát biểu"),
    N_("Mời phát biểu"),
    N_("Từ chối"),
    N_("Rút đăng ký"),
    # attendance
    N_("Có mặt"),
    N_("Có mặt %(present)s/%(total)s"),
    N_("Điểm danh"),
    N_("Người chủ trì"),
    N_("Thư ký"),
    N_("Khách mời"),
    N_("Đang trực tuyến"),
    N_("Không trực tuyến"),
    N_("dự thay %(name)s"),
    N_("vắng: %(reason)s"),
    # notes and conclusions
    N_("Mục đang thảo luận: %(title)s"),
    N_("Mục: %(title)s"),
    N_("Chưa có kết luận."),
    N_("Chưa lưu: mất kết nối, sẽ lưu khi kết nối lại."),
    N_("Đang lưu…"),
    N_("Đã lưu"),
    N_("Chưa lưu: %(message)s"),
    N_("Đang soạn…"),
    N_("Đã lưu kết luận"),
)


def room_strings() -> dict[str, str]:
    """Each source string → its translation in the current locale (itself in Vietnamese).
    Placeholders stay as they are: the scripts fill them in."""
    return {source: gettext(source) for source in SOURCES}
