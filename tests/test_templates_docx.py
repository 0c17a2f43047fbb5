"""Decree 30 draft templates read back with python-docx: header, title, body, signature
block, Nơi nhận, fonts and page layout per Phụ lục I and Phụ lục III."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import replace
from types import SimpleNamespace

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from docmgmt.demo import ORGANISATION
from docmgmt.documents.types import DOC_TYPES
from docmgmt.outgoing.templates_docx import (
    QUOC_HIEU,
    TIEU_NGU,
    BodyParagraph,
    DraftSpec,
    build_draft,
    date_placeholder,
    number_placeholder,
    recipients_lines,
)

COMMUNE = dict(
    governing_body="Ủy ban nhân dân tỉnh Phú Thọ",
    issuing_body="Ủy ban nhân dân xã Kim Bôi",
    abbreviation="UBND",
    place_name="Kim Bôi",
    unit_abbreviation="VP",
)
CHAIRMAN = dict(
    signer_authority="TM. ỦY BAN NHÂN DÂN", signer_position="CHỦ TỊCH", signer_name="Bùi Văn Khánh"
)
VICE_CHAIRMAN = dict(
    signer_authority="KT. CHỦ TỊCH", signer_position="PHÓ CHỦ TỊCH", signer_name="Quách Thị Hương"
)

# One realistic draft per template the issue names, with the symbol its number carries.
DRAFTS: dict[str, tuple[DraftSpec, str]] = {
    "cong_van": (
        DraftSpec(
            doc_type="cong_van",
            subject="Về việc đôn đốc xử lý văn bản trên môi trường điện tử",
            addressees=["Trưởng các thôn, bản", "Các bộ phận chuyên môn thuộc UBND xã"],
            body=["Thực hiện chỉ đạo của UBND tỉnh về không dùng giấy trong nội bộ, UBND xã đề nghị …"],
            recipients=["Chủ tịch, các PCT UBND xã"],
            **COMMUNE,
            **VICE_CHAIRMAN,
        ),
        "UBND-VP",
    ),
    "quyet_dinh": (
        DraftSpec(
            doc_type="quyet_dinh",
            subject="Về việc thành lập Tổ công tác chuyển đổi số",
            legal_bases=[
                "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
                "Theo đề nghị của Chánh Văn phòng HĐND và UBND xã.",
            ],
            body=[
                "Điều 1. Thành lập Tổ công tác chuyển đổi số xã Kim Bôi.",
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
            ],
            recipients=["Như Điều 2", "UBND tỉnh (để b/c)"],
            **COMMUNE,
            **CHAIRMAN,
        ),
        "QĐ-UBND",
    ),
    "to_trinh": (
        DraftSpec(
            doc_type="to_trinh",
            subject="Đề nghị phê duyệt dự toán kinh phí chuyển đổi số năm 2026",
            addressees=["Hội đồng nhân dân xã Kim Bôi"],
            body=["Căn cứ nhu cầu thực tế, UBND xã kính trình HĐND xã xem xét, phê duyệt."],
            **COMMUNE,
            **CHAIRMAN,
        ),
        "TTr-UBND",
    ),
    "thong_bao": (
        DraftSpec(
            doc_type="thong_bao",
            subject="Kết luận của Chủ tịch UBND xã tại cuộc họp giao ban tháng 9",
            body=["Ngày 05 tháng 9 năm 2025, Chủ tịch UBND xã chủ trì cuộc họp giao ban."],
            **COMMUNE,
            **CHAIRMAN,
        ),
        "TB-UBND",
    ),
    "ke_hoach": (
        DraftSpec(
            doc_type="ke_hoach",
            subject="Thực hiện không dùng văn bản giấy trong nội bộ trước ngày 30/9",
            body=[
                "I. MỤC ĐÍCH, YÊU CẦU",
                "1. Mục đích",
                "II. NHIỆM VỤ, GIẢI PHÁP",
                "Giao Văn phòng chủ trì.",
            ],
            **COMMUNE,
            **VICE_CHAIRMAN,
        ),
        "KH-UBND",
    ),
    "bao_cao": (
        DraftSpec(
            doc_type="bao_cao",
            subject="Kết quả giải quyết thủ tục hành chính tháng 8 năm 2025",
            body=["Trong tháng, Trung tâm Phục vụ hành chính công tiếp nhận 712 hồ sơ."],
            **COMMUNE,
            **CHAIRMAN,
        ),
        "BC-UBND",
    ),
    "giay_moi": (
        DraftSpec(
            doc_type="giay_moi",
            subject="Dự họp giao ban tháng 9 năm 2025",
            addressees=["Trưởng các bộ phận chuyên môn thuộc UBND xã"],
            details={
                "Chủ trì": "Ông Bùi Văn Khánh, Chủ tịch UBND xã",
                "Thời gian": "08 giờ 00 phút, ngày 15 tháng 9 năm 2025",
                "Địa điểm": "Phòng họp trực tuyến, trụ sở UBND xã",
            },
            body=["Đề nghị các đại biểu đến dự đúng giờ."],
            **COMMUNE,
            **CHAIRMAN,
        ),
        "GM-UBND",
    ),
    "bien_ban": (
        DraftSpec(
            doc_type="bien_ban",
            subject="Họp giao ban tháng 9 năm 2025",
            details={"Thời gian bắt đầu": "08 giờ 00 phút, ngày 15/9/2025", "Địa điểm": "Phòng họp UBND xã"},
            body=["Chủ tọa quán triệt mục tiêu không dùng văn bản giấy trong nội bộ."],
            secretary_name="Lý Thị Ý",
            signer_position="CHỦ TỊCH UBND XÃ",
            signer_name="Bùi Văn Khánh",
            governing_body=COMMUNE["governing_body"],
            issuing_body=COMMUNE["issuing_body"],
            abbreviation="UBND",
            place_name="Kim Bôi",
            unit_abbreviation="VP",
        ),
        "BB-UBND",
    ),
}


def read(spec: DraftSpec) -> DocxDocument:
    return Document(io.BytesIO(build_draft(spec)))


def text_of(paragraph: Paragraph) -> str:
    return paragraph.text.strip()


def body_paragraphs(document: DocxDocument) -> list[Paragraph]:
    return [p for p in document.paragraphs if p.text.strip()]


def all_paragraphs(document: DocxDocument) -> list[Paragraph]:
    """Body paragraphs and those inside tables, in reading order of each table cell."""
    found = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    return found


def runs_are(
    paragraph: Paragraph, *, bold: bool | None = None, italic: bool | None = None, size: float | None = None
) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    assert runs, f"no text in {paragraph.text!r}"
    return all(
        (bold is None or bool(r.bold) == bold)
        and (italic is None or bool(r.italic) == italic)
        and (size is None or r.font.size == Pt(size))
        for r in runs
    )


@pytest.fixture(params=sorted(DRAFTS), name="draft")
def draft_fixture(request: pytest.FixtureRequest) -> tuple[DraftSpec, str, DocxDocument]:
    spec, suffix = DRAFTS[request.param]
    return spec, suffix, read(spec)


def test_header_is_a_borderless_two_column_table(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    _, _, document = draft
    header = document.tables[0]
    assert len(header.columns) == 2
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_issuing_body_upper_case_under_governing_body(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    _, _, document = draft
    left = [p for p in document.tables[0].cell(0, 0).paragraphs if p.text.strip()]
    assert text_of(left[0]) == "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"
    assert runs_are(left[0], bold=False, size=12)
    assert text_of(left[1]) == "ỦY BAN NHÂN DÂN XÃ KIM BÔI"
    assert runs_are(left[1], bold=True, size=12)


def test_quoc_hieu_and_underlined_tieu_ngu_top_right(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    _, _, document = draft
    right = [p for p in document.tables[0].cell(0, 1).paragraphs if p.text.strip()]
    assert text_of(right[0]) == QUOC_HIEU == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert runs_are(right[0], bold=True, size=12)
    assert text_of(right[1]) == TIEU_NGU == "Độc lập - Tự do - Hạnh phúc"
    assert runs_are(right[1], bold=True, size=13)
    assert all(run.underline for run in right[1].runs)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in right)


def test_number_placeholder_carries_the_symbol(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    spec, suffix, document = draft
    number = document.tables[0].cell(1, 0).paragraphs[0]
    assert number.text.startswith("Số:")
    assert number.text.endswith(f"/{suffix}")
    # Room left for the number between "Số:" and the slash.
    assert number.text[len("Số:") : -len(suffix) - 1].strip() == ""
    assert len(number.text) - len("Số:") - len(suffix) - 1 >= 6
    assert number.text == number_placeholder(spec)
    assert runs_are(number, bold=False, size=13)


def test_place_and_date_placeholder_in_italics(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    spec, _, document = draft
    date = document.tables[0].cell(1, 1).paragraphs[0]
    assert date.text == date_placeholder(spec)
    assert date.text.startswith("Kim Bôi, ngày ")
    assert "tháng" in date.text and "năm" in date.text
    assert runs_are(date, italic=True, size=13)
    assert date.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_type_name_bold_upper_case_centred_then_subject(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    spec, _, document = draft
    paragraphs = body_paragraphs(document)
    if spec.doc_type == "cong_van":
        # Công văn has no type name: "V/v …" sits under the number (ô 5b).
        vv = document.tables[0].cell(1, 0).paragraphs[1]
        assert vv.text == "V/v đôn đốc xử lý văn bản trên môi trường điện tử"
        assert runs_are(vv, bold=False, size=12)
        assert not any(p.text.strip() == "CÔNG VĂN" for p in paragraphs)
        return
    title, subject = paragraphs[0], paragraphs[1]
    assert title.text == spec.type.name.upper()
    assert runs_are(title, bold=True, size=14)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert subject.text == spec.subject
    assert runs_are(subject, bold=True, size=14)
    assert subject.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_noi_nhan_bold_italic_with_archive_line_last(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    _, _, document = draft
    paragraphs = all_paragraphs(document)
    label = next(p for p in paragraphs if p.text == "Nơi nhận:")
    assert runs_are(label, bold=True, italic=True, size=12)
    lines = [p for p in paragraphs if p.text.startswith("- ") and p.runs[0].font.size == Pt(11)]
    assert lines[-1].text == "- Lưu: VT, VP."
    assert all(p.text.endswith(";") for p in lines[:-1])


def test_signer_authority_and_name_in_bold(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    spec, _, document = draft
    paragraphs = all_paragraphs(document)
    name = next(p for p in paragraphs if p.text == spec.signer_name)
    assert runs_are(name, bold=True, size=14)
    position = next(p for p in paragraphs if p.text == spec.signer_position)
    assert runs_are(position, bold=True, size=14)
    if spec.signer_authority:
        authority = next(p for p in paragraphs if p.text == spec.signer_authority)
        assert authority.text == authority.text.upper()
        assert runs_are(authority, bold=True)


def test_room_for_the_signature_between_position_and_name(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    spec, _, document = draft
    signature_cell = document.tables[-1].rows[0].cells[-1]
    texts = [p.text for p in signature_cell.paragraphs]
    gap = texts[texts.index(spec.signer_position) + 1 : texts.index(spec.signer_name)]
    assert len(gap) >= 4 and all(t == "" for t in gap)


def test_fonts_and_page_per_phu_luc_1(draft: tuple[DraftSpec, str, DocxDocument]) -> None:
    _, _, document = draft
    section = document.sections[0]
    # Twips store lengths to 1/1440 inch: compare in millimetres to 0.1.
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210, 297)
    assert 20 <= round(section.top_margin.mm, 1) <= 25
    assert 20 <= round(section.bottom_margin.mm, 1) <= 25
    assert 30 <= round(section.left_margin.mm, 1) <= 35
    assert 15 <= round(section.right_margin.mm, 1) <= 20
    # The default document font: Times New Roman's metrics, freely redistributable.
    assert document.styles["Normal"].font.name == "Liberation Serif"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    # No theme font (Calibri) left to win over the named one.
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {"Liberation Serif"}
    assert fonts.get(qn("w:asciiTheme")) is None
    for paragraph in all_paragraphs(document):
        for run in paragraph.runs:
            if run.text.strip():
                assert run.font.name in (None, "Liberation Serif")
                assert Pt(11) <= run.font.size <= Pt(14), run.text


def test_header_without_governing_body_starts_with_the_issuing_body() -> None:
    spec, _ = DRAFTS["thong_bao"]
    document = read(replace(spec, governing_body=""))
    left = [p for p in document.tables[0].cell(0, 0).paragraphs if p.text.strip()]
    assert [p.text for p in left] == ["ỦY BAN NHÂN DÂN XÃ KIM BÔI"]


def test_quyet_dinh_bases_verb_and_articles() -> None:
    document = read(DRAFTS["quyet_dinh"][0])
    texts = [p.text for p in body_paragraphs(document)]
    authority = texts.index("ỦY BAN NHÂN DÂN XÃ KIM BÔI")
    verb = texts.index("QUYẾT ĐỊNH:")
    article = next(i for i, t in enumerate(texts) if t.startswith("Điều 1."))
    assert authority < verb < article
    paragraphs = body_paragraphs(document)
    for basis in paragraphs[authority + 1 : verb]:
        assert runs_are(basis, italic=True)
    assert paragraphs[verb].alignment == WD_ALIGN_PARAGRAPH.CENTER and runs_are(paragraphs[verb], bold=True)
    first = paragraphs[article]
    assert first.runs[0].text == "Điều 1." and first.runs[0].bold
    assert not first.runs[1].bold
    assert texts[verb + 2].endswith("kể từ ngày ký./.")


def test_cong_van_kinh_gui_puts_nhu_tren_first() -> None:
    spec, _ = DRAFTS["cong_van"]
    texts = [p.text for p in body_paragraphs(read(spec))]
    kinh_gui = next(t for t in texts if t.startswith("Kính gửi:"))
    assert "- Trưởng các thôn, bản;" in kinh_gui and kinh_gui.endswith("thuộc UBND xã.")
    assert recipients_lines(spec) == ["- Như trên;", "- Chủ tịch, các PCT UBND xã;", "- Lưu: VT, VP."]


def test_giay_moi_invites_with_time_and_place() -> None:
    texts = [p.text for p in body_paragraphs(read(DRAFTS["giay_moi"][0]))]
    assert (
        "Ủy ban nhân dân xã Kim Bôi trân trọng kính mời: Trưởng các bộ phận chuyên môn thuộc UBND xã."
        in texts
    )
    assert "Tới dự họp giao ban tháng 9 năm 2025." in texts
    assert "Thời gian: 08 giờ 00 phút, ngày 15 tháng 9 năm 2025" in texts
    assert "Địa điểm: Phòng họp trực tuyến, trụ sở UBND xã" in texts
    assert texts[-1] == "Đề nghị các đại biểu đến dự đúng giờ./."


def test_bien_ban_opening_parts_and_two_signers() -> None:
    document = read(DRAFTS["bien_ban"][0])
    texts = [p.text for p in body_paragraphs(document)]
    for line in (
        "Thời gian bắt đầu: 08 giờ 00 phút, ngày 15/9/2025",
        "Địa điểm: Phòng họp UBND xã",
        "Chủ trì (chủ tọa): Bùi Văn Khánh",
        "Thư ký (người ghi biên bản): Lý Thị Ý",
        "Nội dung (theo diễn biến cuộc họp/hội nghị/hội thảo):",
        "Chủ tọa quán triệt mục tiêu không dùng văn bản giấy trong nội bộ.",
    ):
        assert line in texts
    assert any(t.startswith("Thành phần tham dự: …") for t in texts)  # left for the secretary
    assert any(t.startswith("Cuộc họp kết thúc vào") for t in texts)
    secretary, chair = document.tables[-1].rows[0].cells
    assert secretary.paragraphs[0].text == "THƯ KÝ" and secretary.paragraphs[-1].text == "Lý Thị Ý"
    assert chair.paragraphs[0].text == "CHỦ TỌA" and chair.paragraphs[-1].text == "Bùi Văn Khánh"
    # Both names on the same line: as many paragraphs in each column.
    assert len(secretary.paragraphs) == len(chair.paragraphs)


def test_ke_hoach_roman_headings_in_bold() -> None:
    paragraphs = body_paragraphs(read(DRAFTS["ke_hoach"][0]))
    heading = next(p for p in paragraphs if p.text == "I. MỤC ĐÍCH, YÊU CẦU")
    assert runs_are(heading, bold=True)
    plain = next(p for p in paragraphs if p.text == "1. Mục đích")
    assert runs_are(plain, bold=False)


@pytest.mark.parametrize("doc_type", [t.code for t in DOC_TYPES])
def test_every_decree_30_type_builds_with_its_symbol(doc_type: str) -> None:
    spec = DraftSpec(doc_type=doc_type, subject="Về việc thử mẫu", **COMMUNE, **CHAIRMAN)
    number = read(spec).tables[0].cell(1, 0).paragraphs[0].text
    expected = "UBND-VP" if doc_type in ("cong_van", "thu_cong") else f"{spec.type.abbreviation}-UBND"
    assert number.endswith("/" + expected)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="Loại văn bản không hợp lệ"):
        build_draft(DraftSpec(doc_type="thu_tinh", subject="x", **COMMUNE))


def test_text_is_nfc_even_from_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Về việc tăng cường chuyển đổi số")
    spec = DraftSpec(
        doc_type="thong_bao",
        subject=decomposed,
        body=[BodyParagraph(unicodedata.normalize("NFD", "Nội dung thông báo"), bold=True)],
        **{k: unicodedata.normalize("NFD", v) for k, v in COMMUNE.items()},
    )
    document = read(spec)
    for paragraph in all_paragraphs(document):
        assert paragraph.text == unicodedata.normalize("NFC", paragraph.text)
    assert "Về việc tăng cường chuyển đổi số" in [p.text for p in document.paragraphs]


def test_number_gap_survives_as_preserved_spaces() -> None:
    data = build_draft(DRAFTS["quyet_dinh"][0])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert 'xml:space="preserve">Số:        /QĐ-UBND<' in xml


def test_spec_from_the_demo_organisation() -> None:
    organisation = SimpleNamespace(**ORGANISATION)
    spec = DraftSpec.for_organisation(
        organisation, doc_type="cong_van", subject="Về việc thử", unit_abbreviation="VP", **CHAIRMAN
    )
    document = read(spec)
    left = [p.text for p in document.tables[0].cell(0, 0).paragraphs if p.text.strip()]
    assert left == ["TỈNH PHÚ THỌ", "ỦY BAN NHÂN DÂN XÃ KIM BÔI"]
    assert document.tables[0].cell(1, 0).paragraphs[0].text.endswith("/UBND-VP")
    assert document.tables[0].cell(1, 1).paragraphs[0].text.startswith("Kim Bôi, ngày")
