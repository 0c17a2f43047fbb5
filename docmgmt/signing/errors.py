"""SigningError: every refusal of the signing library, with a stable code.

The outgoing workflow shows ``message_vi`` to the user and the API returns ``code``;
tests assert on the code. Messages are NFC-normalised Vietnamese.
"""

from __future__ import annotations

import unicodedata

from ..core.errors import DomainError

# code -> (HTTP status, default Vietnamese message)
CODES: dict[str, tuple[int, str]] = {
    "keys_missing": (409, "Đơn vị chưa có khóa ký số; quản trị viên cần chạy “keys init”."),
    "user_key_missing": (409, "Người ký chưa được cấp chứng thư số."),
    "key_decrypt_failed": (500, "Không giải mã được khóa bí mật: sai cụm mật khẩu khóa."),
    "not_a_pdf": (422, "Tệp không phải PDF hợp lệ."),
    "pdf_encrypted": (422, "Không ký được PDF có mật khẩu."),
    "already_certified": (409, "Văn bản đã được lãnh đạo ký; không ký lại chữ ký chứng thực."),
    "field_missing": (422, "Văn bản chưa có ô số, ký hiệu và ngày ban hành (chưa chuẩn bị phát hành)."),
    "field_filled": (409, "Số, ký hiệu và ngày ban hành đã được điền."),
    "signing_failed": (500, "Ký số không thành công."),
    "remote_timeout": (504, "Hết thời gian chờ người ký xác nhận trên điện thoại."),
    "remote_refused": (409, "Người ký đã từ chối ký trên điện thoại."),
    "remote_expired": (409, "Yêu cầu ký đã hết hạn trên hệ thống ký số từ xa."),
    "remote_unavailable": (503, "Không kết nối được dịch vụ ký số từ xa."),
    "remote_bad_response": (502, "Dịch vụ ký số từ xa trả về chữ ký không hợp lệ."),
    "bad_image": (422, "Ảnh chữ ký không hợp lệ (cần tệp PNG)."),
}


class SigningError(DomainError):
    """A signing step refused or failed; ``code`` is stable, ``message_vi`` is for people."""

    def __init__(self, code: str, message_vi: str | None = None, *, detail: str | None = None):
        status, default = CODES.get(code, (500, "Ký số không thành công."))
        message = unicodedata.normalize("NFC", message_vi or default)
        super().__init__(code, message, status=status)
        self.message_vi = message
        # Technical cause for logs; never shown to users.
        self.detail = detail

    def __repr__(self) -> str:
        return f"SigningError({self.code!r}, {self.message_vi!r})"
