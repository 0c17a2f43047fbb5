"""A small NĐ30-shaped decision (two A4 pages) for tests, the benchmark and demos.

Header with “Số:        /QĐ-UBND” and “Kim Bôi, ngày    tháng    năm 2026”, a body
long enough for two pages, and on page 2 “Nơi nhận:” beside the signature block
(authority, position, room for the image, name), as the DOCX templates print it.
``placeholder=True`` prints ``[[CHU_KY]]`` instead of the block.
"""

from __future__ import annotations

from .fonts import face_file


def sample_pdf(*, placeholder: bool = False, signer_name: str = "Nguyễn Văn Hùng",
               position: str = "CHỦ TỊCH", header: bool = True) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_margins(85, 57, 42)
    pdf.set_auto_page_break(True, 57)
    pdf.add_font("Serif", "", str(face_file("regular")))
    pdf.add_font("Serif", "B", str(face_file("bold")))
    pdf.add_font("Serif", "I", str(face_file("italic")))
    pdf.add_page()
    left_w, right_x = 200, 265
    if header:
        pdf.set_font("Serif", "", 13)
        pdf.set_xy(57, 57)
        pdf.cell(left_w, 16, "UBND TỈNH PHÚ THỌ", align="C")
        pdf.set_font("Serif", "B", 13)
        pdf.set_xy(right_x, 57)
        pdf.cell(290, 16, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
        pdf.set_xy(57, 73)
        pdf.cell(left_w, 16, "ỦY BAN NHÂN DÂN XÃ KIM BÔI", align="C")
        pdf.set_font("Serif", "B", 14)
        pdf.set_xy(right_x, 73)
        pdf.cell(290, 16, "Độc lập - Tự do - Hạnh phúc", align="C")
        pdf.set_font("Serif", "", 13)
        pdf.set_xy(57, 105)
        pdf.cell(left_w, 16, "Số:        /QĐ-UBND", align="C")
        pdf.set_font("Serif", "I", 14)
        pdf.set_xy(right_x, 105)
        pdf.cell(290, 16, "Kim Bôi, ngày      tháng      năm 2026", align="C")
    pdf.set_font("Serif", "B", 14)
    pdf.set_xy(85, 150)
    pdf.cell(468, 18, "QUYẾT ĐỊNH", align="C")
    pdf.set_xy(85, 168)
    pdf.cell(468, 18, "Về việc ban hành Kế hoạch chuyển đổi số năm 2026", align="C")
    pdf.set_font("Serif", "", 14)
    pdf.set_xy(85, 205)
    paragraph = ("Căn cứ Luật Tổ chức chính quyền địa phương; căn cứ Nghị định số 30/2020/NĐ-CP "
                 "ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư; xét đề nghị của "
                 "Văn phòng HĐND và UBND xã về việc đẩy mạnh xử lý văn bản trên môi trường điện tử. ")
    for i in range(1, 6):
        pdf.multi_cell(468, 20, f"Điều {i}. {paragraph * 2}")
        pdf.ln(6)
    if pdf.get_y() > 842 - 57 - 180:
        pdf.add_page()
    y = pdf.get_y() + 12
    pdf.set_font("Serif", "I", 12)
    pdf.set_xy(85, y)
    pdf.cell(200, 16, "Nơi nhận:")
    pdf.set_font("Serif", "", 11)
    for i, line in enumerate(("- Như Điều 3;", "- UBND tỉnh Phú Thọ;", "- Lưu: VT, VP.")):
        pdf.set_xy(85, y + 16 + i * 14)
        pdf.cell(200, 14, line)
    pdf.set_font("Serif", "B", 14)
    if placeholder:
        pdf.set_xy(330, y + 60)
        pdf.cell(200, 16, "[[CHU_KY]]", align="C")
    else:
        pdf.set_xy(330, y)
        pdf.cell(200, 16, "TM. ỦY BAN NHÂN DÂN", align="C")
        pdf.set_xy(330, y + 16)
        pdf.cell(200, 16, position, align="C")
        pdf.set_xy(330, y + 16 + 16 * 6)
        pdf.cell(200, 16, signer_name, align="C")
    return bytes(pdf.output())
