"""The outgoing register (sổ đi) in files, read back with openpyxl and pypdf; and the
register writer shared with the sổ đến (documents.register_export)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.outgoing import operations as ops

COLUMNS = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản",
           "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản",
           "Ngày chuyển", "Ký nhận", "Ghi chú"]
HEADER_ROW = 4
SUBJECTS = ["Về việc tổ chức tập huấn kỹ năng số cho cán bộ xã",
            "Về việc thành lập Tổ công nghệ số cộng đồng",
            "Về việc báo cáo kết quả thu ngân sách quý IV"]


@pytest.fixture
def issued(app):
    """Three documents issued through the domain: a công văn (khẩn), a quyết định, and a
    công văn recalled afterwards."""
    from tests.commune import user
    from tests.test_outgoing_flow import approved

    with app.test_request_context():
        docs = [approved(subject=SUBJECTS[0], urgency="khan"),
                approved(subject=SUBJECTS[1], doc_type="quyet_dinh"),
                approved(subject=SUBJECTS[2])]
        for doc in docs:
            ops.sign(user("chutich"), doc)
            ops.issue(user("vanthu"), doc)
        ops.recall(user("chutich"), docs[2], "Sai số liệu mục 2")
        db.session.commit()
        return [d.number_symbol for d in docs]


def test_the_so_di_exports_to_xlsx_with_the_phu_luc_iv_columns(app, login_as, issued):
    assert issued == ["01/UBND-KT", "02/QĐ-UBND", "03/UBND-KT"]
    year = vn_today().year
    response = login_as("vanthu").get(f"/outgoing/register/{year}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"So-di-{year}.xlsx" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"

    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN XÃ KIM BÔI"
    assert ws["A2"].value == f"SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM {year}"
    assert [c.value for c in ws[HEADER_ROW]] == COLUMNS
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert [r[0] for r in rows] == issued
    first = rows[0]
    assert first[1].date() == vn_today() and ws.cell(HEADER_ROW + 1, 2).number_format == "DD/MM/YYYY"
    assert first[2] == f"Công văn\n{SUBJECTS[0]}"
    assert first[3] == "Bùi Văn Khánh"
    assert first[4] == "Phòng Văn hóa - Xã hội; Sở Nội vụ tỉnh Phú Thọ"
    assert first[5] == "Văn thư" and first[6] == 1 and first[7].date() == vn_today()
    assert first[8] is None and first[9] == "Khẩn"
    assert rows[1][2] == f"Quyết định\n{SUBJECTS[1]}"
    assert rows[2][9] == "Đã thu hồi: Sai số liệu mục 2"
    assert ws.cell(HEADER_ROW + 1, 1).number_format == "@"
    assert ws.cell(HEADER_ROW + 1, 3).alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["G"].width
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_the_so_di_prints_to_a_landscape_pdf(app, login_as, issued):
    year = vn_today().year
    response = login_as("chutich").get(f"/outgoing/register/{year}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"So-di-{year}.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
    text = page.extract_text()
    assert f"SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM {year}" in text and "ỦY BAN NHÂN DÂN XÃ KIM BÔI" in text
    for words in ("Nơi nhận văn bản", "Ký nhận", "01/UBND-KT", "02/QĐ-UBND", "Bùi Văn Khánh",
                  "tập huấn kỹ năng số", "Đã thu hồi"):
        assert words in text, words
    fonts = page["/Resources"]["/Font"].get_object()
    assert "LiberationSerif" in str([f.get_object()["/BaseFont"] for f in fonts.values()])


def test_the_so_di_is_refused_to_staff_and_empty_years_still_print(app, login_as, client):
    year = vn_today().year
    anonymous = client.get(f"/outgoing/register/{year}/export.xlsx")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login_as("cv.kt1").get(f"/outgoing/register/{year}/export.pdf").status_code == 403
    empty = login_as("vanthu").get(f"/outgoing/register/{year - 1}/export.pdf")
    assert empty.status_code == 200
    text = PdfReader(io.BytesIO(empty.data)).pages[0].extract_text()
    assert f"SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM {year - 1}" in text and "chưa có văn bản" in text
    assert login_as("vanthu").get("/outgoing/register/1999/export.xlsx").status_code == 404


def test_the_shared_writer_repeats_the_headings_and_splits_tall_lines(app):
    """documents.register_export on its own: any register, any columns."""
    from docmgmt.documents.register_export import Column, Register, to_pdf, to_xlsx

    register = Register(
        organisation="Ủy ban nhân dân xã Kim Bôi", title="SỔ THỬ NGHIỆM", sheet_name="So thu",
        stem="So-thu", columns=[Column("Số", 6, text=True), Column("Ngày", 10),
                                Column("Nội dung", 60, left=True)],
        rows=[[f"{i:02d}", date(2026, 1, 5), f"Dòng thứ {i} của sổ"] for i in range(1, 61)]
        + [["61", None, ("Về việc hỗ trợ người dân " * 90).strip()]],
    )
    assert register.filename("xlsx") == "So-thu.xlsx"
    with app.app_context():
        pdf = PdfReader(io.BytesIO(to_pdf(register)))
        ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(register))).active
    texts = [p.extract_text() for p in pdf.pages]
    assert len(texts) >= 3
    assert all("Nội dung" in t for t in texts)  # the headings on every page
    joined = "".join(texts)
    assert joined.count("dân") == 90  # the tall line continued, nothing cut off
    assert ws["A2"].value == "SỔ THỬ NGHIỆM" and ws.cell(HEADER_ROW + 1, 1).value == "01"
    assert ws.cell(HEADER_ROW + 61, 2).value is None
