"""Every template the product offers, read back in document order against its Mẫu
(NĐ30/2020 Phụ lục III), and the document font setting (XASO_DOCUMENT_FONT).

Drafts are made the way a clerk makes them (``create_draft`` with body paragraphs and no
upload), so what is checked is what the product stores. Blocks are read in document
order: body paragraphs, and table rows left cell first (the header and the signature
block are borderless tables), empty paragraphs skipped.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from docmgmt.documents.types import DOC_TYPES
from docmgmt.extensions import db
from docmgmt.files.store import FileStore
from docmgmt.outgoing import operations as ops
from tests.commune import user

ORGAN = "ỦY BAN NHÂN DÂN XÃ KIM BÔI"
SIGNER = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
OUTSIDE = "Sở Nội vụ tỉnh Phú Thọ"


@dataclass(frozen=True)
class Block:
    text: str
    bold: bool
    italic: bool
    centred: bool
    where: str  # "body" or "table N row R cell C"


def _block(paragraph: Paragraph, where: str) -> Block:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return Block(
        text=paragraph.text.strip(),
        bold=bool(runs) and all(r.bold for r in runs),
        italic=bool(runs) and all(r.italic for r in runs),
        centred=paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER,
        where=where,
    )


def blocks_of(content: bytes) -> list[Block]:
    document = Document(io.BytesIO(content))
    found: list[Block] = []
    tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            found.append(_block(Paragraph(child, document), "body"))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            for r, row in enumerate(table.rows):
                for c, cell in enumerate(row.cells):
                    found.extend(_block(p, f"table {tables} row {r} cell {c}") for p in cell.paragraphs)
            tables += 1
    return [b for b in found if b.text]


Expect = str | Callable[[Block], bool]


def assert_in_order(blocks: Sequence[Block], expected: Sequence[Expect]) -> list[Block]:
    """Each expectation (a text prefix or a predicate) met after the previous one."""
    at, matched = 0, []
    for want in expected:
        test = want if callable(want) else (lambda b, w=want: b.text.startswith(w))
        for index in range(at, len(blocks)):
            if test(blocks[index]):
                matched.append(blocks[index])
                at = index + 1
                break
        else:
            shown = "\n".join(f"  {i:2} {b.text[:70]!r}" for i, b in enumerate(blocks))
            raise AssertionError(f"{want!r} not found after block {at - 1}; the document reads:\n{shown}")
    return matched


def heading(text: str) -> Callable[[Block], bool]:
    """A bold, centred line (type name, trích yếu, competence line, verb line)."""
    return lambda b: b.text == text and b.bold and b.centred


def italic(prefix: str) -> Callable[[Block], bool]:
    return lambda b: b.text.startswith(prefix) and b.italic and not b.bold


def draft_blocks(doc_type: str, body: Sequence[str], subject: str = "Về việc thử mẫu văn bản") -> list[Block]:
    data = ops.DraftInput(
        doc_type=doc_type, subject=subject, signer_id=user("chutich").id, body=list(body),
        recipients=[ops.RecipientInput(organ_name=OUTSIDE, organ_id="000.00.31.H42")],
    )
    doc = ops.create_draft(user("cv.kt1"), data)
    db.session.commit()
    source = doc.current_version.source_file
    return blocks_of(FileStore.from_app().path_for(source.sha256).read_bytes())


def header() -> list[Expect]:
    """Phụ lục I ô 1–4: issuing body | Quốc hiệu, Tiêu ngữ; Số | place and date."""
    return [
        heading(ORGAN),
        heading("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        heading("Độc lập - Tự do - Hạnh phúc"),
        "Số:",
        lambda b: b.text.startswith("Kim Bôi, ngày") and b.italic,
    ]


def signature() -> list[Expect]:
    """Ô 9b beside ô 7: "Nơi nhận:" on the left, authority, position and name on the right."""
    return [
        lambda b: b.text == "Nơi nhận:" and b.bold and b.italic,
        "- Lưu: VT, KT.",
        heading(SIGNER[0]),
        heading(SIGNER[1]),
        lambda b: b.text == user("chutich").full_name and b.bold,
    ]


def signature_side_by_side(blocks: Sequence[Block]) -> None:
    label = next(b for b in blocks if b.text == "Nơi nhận:")
    authority = next(b for b in blocks if b.text == SIGNER[0])
    assert label.where.endswith("cell 0") and authority.where.endswith("cell 1")
    assert label.where.rsplit(" cell", 1)[0] == authority.where.rsplit(" cell", 1)[0]


# --- Mẫu 1.1–1.3: nghị quyết, quyết định ------------------------------------------------------

DECISION_BODY = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
    "Căn cứ Quyết định số 12/QĐ-UBND ngày 05 tháng 3 năm 2026 của Ủy ban nhân dân xã;",
    "Theo đề nghị của Công chức Văn phòng - Thống kê.",
    "Điều 1. Thành lập Tổ công tác chuyển đổi số xã Kim Bôi.",
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    "Điều 3. Văn phòng HĐND và UBND xã và các thành viên Tổ chịu trách nhiệm thi hành Quyết định này.",
]


def test_quyet_dinh_reads_competence_then_bases_then_verb_then_articles(ctx):
    blocks = draft_blocks("quyet_dinh", DECISION_BODY, "Về việc thành lập Tổ công tác chuyển đổi số")
    assert_in_order(blocks, [
        *header(),
        heading("QUYẾT ĐỊNH"),
        heading("Về việc thành lập Tổ công tác chuyển đổi số"),
        heading(ORGAN),  # thẩm quyền ban hành
        italic("Căn cứ Luật Tổ chức chính quyền địa phương"),
        italic("Căn cứ Quyết định số 12/QĐ-UBND"),
        italic("Theo đề nghị của Công chức Văn phòng - Thống kê."),
        heading("QUYẾT ĐỊNH:"),
        "Điều 1.",
        "Điều 2.",
        lambda b: b.text.startswith("Điều 3.") and b.text.endswith("thi hành Quyết định này./."),
        *signature(),
    ])
    texts = [b.text for b in blocks]
    # Nothing between the competence line and the verb line but the bases, each once.
    competence = texts.index(ORGAN, 1)
    verb = texts.index("QUYẾT ĐỊNH:")
    assert all(b.italic for b in blocks[competence + 1 : verb]) and verb - competence == 4
    assert sum(t.startswith("Căn cứ") for t in texts) == 2
    assert texts[competence + 2].endswith(";") and texts[verb - 1].endswith(".")
    assert not any(t.startswith("Kính gửi") for t in texts)  # Mẫu 1.2 has none
    signature_side_by_side(blocks)


def test_nghi_quyet_reads_competence_then_bases_then_quyet_nghi(ctx):
    blocks = draft_blocks("nghi_quyet", [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
        "Xét Tờ trình số 15/TTr-UBND ngày 01 tháng 3 năm 2026 của Ủy ban nhân dân xã;",
        "QUYẾT NGHỊ:",  # typed by hand: the template prints its own
        "Điều 1. Thông qua dự toán kinh phí chuyển đổi số năm 2026.",
        "Điều 2. Nghị quyết này có hiệu lực kể từ ngày thông qua.",
    ])
    assert_in_order(blocks, [
        *header(),
        heading("NGHỊ QUYẾT"),
        heading("Về việc thử mẫu văn bản"),
        heading(ORGAN),
        lambda b: b.text.endswith("tháng 6 năm 2025;") and b.italic,
        lambda b: b.text.startswith("Xét Tờ trình") and b.text.endswith("xã.") and b.italic,
        heading("QUYẾT NGHỊ:"),
        "Điều 1.",
        "Điều 2.",
        *signature(),
    ])
    assert [b.text for b in blocks].count("QUYẾT NGHỊ:") == 1


# --- Mẫu 1.5: công văn (and thư công) ---------------------------------------------------------

@pytest.mark.parametrize("doc_type", ["cong_van", "thu_cong"])
def test_cong_van_reads_vv_under_the_number_then_kinh_gui_then_content(ctx, doc_type):
    blocks = draft_blocks(doc_type, ["Ủy ban nhân dân xã Kim Bôi báo cáo kết quả như sau."],
                          "Về việc báo cáo kết quả chuyển đổi số")
    found = assert_in_order(blocks, [
        heading(ORGAN),
        heading("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "Số:",
        lambda b: b.text == "V/v báo cáo kết quả chuyển đổi số" and b.centred and not b.bold,
        lambda b: b.text.startswith("Kim Bôi, ngày") and b.italic,
        lambda b: b.text == f"Kính gửi: {OUTSIDE}." and b.where == "body",
        "Ủy ban nhân dân xã Kim Bôi báo cáo kết quả như sau./.",
        lambda b: b.text == "Nơi nhận:" and b.bold and b.italic,
        "- Như trên;",
        *signature()[1:],
    ])
    assert found[3].where.startswith("table 0")
    assert not any(b.text == doc_type.upper() for b in blocks)  # no type name


# --- Mẫu 1.4: văn bản có tên loại ---------------------------------------------------------------

NAMED = [t.code for t in DOC_TYPES if t.code not in {
    "quyet_dinh", "nghi_quyet", "cong_van", "thu_cong", "giay_moi", "cong_dien",
    "giay_gioi_thieu", "giay_nghi_phep", "bien_ban",
}]


@pytest.mark.parametrize("doc_type", NAMED)
def test_named_type_reads_type_name_then_subject_then_content(ctx, doc_type):
    name = next(t.name for t in DOC_TYPES if t.code == doc_type).upper()
    blocks = draft_blocks(doc_type, ["I. MỤC ĐÍCH, YÊU CẦU", "Nội dung thứ nhất.", "Nội dung thứ hai"])
    assert_in_order(blocks, [
        *header(),
        heading(name),
        heading("Về việc thử mẫu văn bản"),
        *([lambda b: b.text == f"Kính gửi: {OUTSIDE}."] if doc_type in ("to_trinh", "bao_cao") else []),
        lambda b: b.text == "I. MỤC ĐÍCH, YÊU CẦU" and b.bold,
        "Nội dung thứ nhất.",
        "Nội dung thứ hai./.",
        *signature(),
    ])
    texts = [b.text for b in blocks]
    if doc_type not in ("to_trinh", "bao_cao"):  # Kính gửi only for those sent up (Phụ lục I §II.9.a)
        assert not any(t.startswith("Kính gửi") for t in texts)
        assert "- Như trên;" not in texts
    signature_side_by_side(blocks)


# --- Mẫu 1.6, 1.7, 1.8, 1.10 -------------------------------------------------------------------

def test_cong_dien_reads_sender_dien_then_receivers_then_content(ctx):
    blocks = draft_blocks("cong_dien", ["Chủ động ứng phó với bão số 3."], "Về việc ứng phó với bão số 3")
    assert_in_order(blocks, [
        *header(),
        heading("CÔNG ĐIỆN"),
        heading("Về việc ứng phó với bão số 3"),
        heading(f"{ORGAN} điện:"),
        f"- {OUTSIDE}.",
        "Chủ động ứng phó với bão số 3./.",
        *signature(),
    ])


def test_giay_moi_reads_invitation_then_event_then_chair_time_place(ctx):
    blocks = draft_blocks("giay_moi", ["Đề nghị các đại biểu đến dự đúng giờ."], "Dự họp giao ban tháng 3")
    assert_in_order(blocks, [
        *header(),
        heading("GIẤY MỜI"),
        heading("Dự họp giao ban tháng 3"),
        f"Ủy ban nhân dân xã Kim Bôi trân trọng kính mời: {OUTSIDE}.",
        "Tới dự họp giao ban tháng 3.",
        "Chủ trì:",
        "Thời gian:",
        "Địa điểm:",
        "Đề nghị các đại biểu đến dự đúng giờ./.",
        *signature(),
    ])
    assert not any(b.text.startswith("Kính gửi") for b in blocks)


def test_giay_gioi_thieu_reads_introduction_lines_without_a_subject_under_the_title(ctx):
    blocks = draft_blocks("giay_gioi_thieu", ["Mang theo hồ sơ đất đai của hộ gia đình."],
                          "Về việc liên hệ công tác tại Sở Nội vụ")
    found = assert_in_order(blocks, [
        *header(),
        heading("GIẤY GIỚI THIỆU"),
        "Ủy ban nhân dân xã Kim Bôi trân trọng giới thiệu:",
        "Ông (bà):",
        "Chức vụ:",
        "Được cử đến:",
        "Về việc: liên hệ công tác tại Sở Nội vụ",
        "Mang theo hồ sơ đất đai của hộ gia đình.",
        "Đề nghị Quý cơ quan tạo điều kiện",
        lambda b: b.text.startswith("Giấy này có giá trị đến hết ngày") and b.text.endswith("./."),
        *signature(),
    ])
    title = blocks.index(found[5])
    assert blocks[title + 1].text.endswith("trân trọng giới thiệu:")  # Mẫu 1.8: no trích yếu


def test_giay_nghi_phep_reads_request_then_grant_then_period(ctx):
    blocks = draft_blocks("giay_nghi_phep", [], "Về việc nghỉ phép năm 2026")
    found = assert_in_order(blocks, [
        *header(),
        heading("GIẤY NGHỈ PHÉP"),
        "Xét Đơn đề nghị nghỉ phép ngày",
        "Ủy ban nhân dân xã Kim Bôi cấp cho:",
        "Ông (bà):",
        "Chức vụ:",
        "Được nghỉ phép trong thời gian",
        lambda b: b.text.startswith("Số ngày nghỉ phép nêu trên") and b.text.endswith("./."),
        *signature(),
    ])
    assert blocks[blocks.index(found[5]) + 1].text.startswith("Xét Đơn")  # Mẫu 1.10: no trích yếu


# --- Mẫu 1.9: biên bản -----------------------------------------------------------------------------

def test_bien_ban_reads_opening_parts_then_content_then_two_signers_then_noi_nhan(ctx):
    blocks = draft_blocks("bien_ban", ["Chủ tọa quán triệt mục tiêu chuyển đổi số."], "Họp giao ban tháng 3")
    assert_in_order(blocks, [
        *header(),
        heading("BIÊN BẢN"),
        heading("Họp giao ban tháng 3"),
        "Thời gian bắt đầu:",
        "Địa điểm:",
        "Thành phần tham dự:",
        "Chủ trì (chủ tọa):",
        "Thư ký (người ghi biên bản):",
        lambda b: b.text.startswith("Nội dung (theo diễn biến") and b.bold,
        "Chủ tọa quán triệt mục tiêu chuyển đổi số.",
        lambda b: b.text.startswith("Cuộc họp kết thúc vào") and b.text.endswith("./."),
        heading("THƯ KÝ"),
        heading(SIGNER[0]),
        heading(SIGNER[1]),
        lambda b: b.text == user("chutich").full_name,
        lambda b: b.text == "Nơi nhận:" and b.where == "body",
    ])


def test_every_type_the_product_offers_is_checked_above():
    checked = {"quyet_dinh", "nghi_quyet", "cong_van", "thu_cong", "cong_dien", "giay_moi",
               "giay_gioi_thieu", "giay_nghi_phep", "bien_ban", *NAMED}
    assert checked == {t.code for t in DOC_TYPES}


# --- the document font ----------------------------------------------------------------------------

SERIF = "DejaVu Serif"


@pytest.fixture
def other_serif(monkeypatch):
    from docmgmt.signing import typeface

    monkeypatch.setenv("XASO_DOCUMENT_FONT", SERIF)
    try:
        typeface.current()
    except typeface.FontNotFound:
        pytest.skip(f"{SERIF} is not installed")
    return SERIF


def _docx_fonts(content: bytes) -> set[str]:
    """Fonts named by the defaults, the Normal style and every run (the default template's
    unused styles, e.g. Macro Text in Courier, are not the document's)."""
    document = Document(io.BytesIO(content))
    names: set[str] = set()
    defaults = document.styles.element.find(qn("w:docDefaults"))
    for part in (defaults, document.styles["Normal"].element, document.element.body):
        for fonts in part.iter(qn("w:rFonts")):
            names.update(v for k, v in fonts.attrib.items() if k in {qn("w:ascii"), qn("w:hAnsi")})
    return names


def test_templates_name_liberation_serif_by_default(ctx):
    from docmgmt.outgoing.templates_docx import DraftSpec, build_draft

    spec = DraftSpec(doc_type="thong_bao", issuing_body="Ủy ban nhân dân xã Kim Bôi",
                     abbreviation="UBND", place_name="Kim Bôi", subject="Về việc thử")
    assert _docx_fonts(build_draft(spec)) == {"Liberation Serif"}


def test_configured_font_is_named_in_the_docx_and_embedded_in_the_signature(ctx, other_serif):
    from docmgmt.org.models import Organisation
    from docmgmt.signing.keys import init_keys
    from docmgmt.signing.sample import sample_pdf
    from docmgmt.signing.signer import sign_attachment
    from tests.signing_helpers import widget

    doc = ops.create_draft(user("cv.kt1"), ops.DraftInput(
        doc_type="thong_bao", subject="Về việc thử phông chữ", signer_id=user("chutich").id,
        body=["Nội dung."]))
    content = FileStore.from_app().path_for(doc.current_version.source_file.sha256).read_bytes()
    assert _docx_fonts(content) == {other_serif}
    # Word, lacking the font, is told to substitute Times New Roman.
    font_table = Document(io.BytesIO(content)).part.package
    assert any(b"DejaVu Serif" in p.blob and b"Times New Roman" in p.blob
               for p in font_table.parts if p.partname.endswith("fontTable.xml"))

    org = db.session.get(Organisation, user("chutich").organisation_id)
    init_keys(org)
    signed = sign_attachment(sample_pdf(header=False), org, "05/TB-UBND")
    _page, annot = widget(signed, "chu_ky_co_quan_kem_theo")
    font = [f for f in annot["/AP"]["/N"]["/Resources"]["/Font"].values()][0].get_object()
    assert "DejaVuSerif" in font["/BaseFont"]


def test_a_font_that_is_not_installed_stops_the_start_up(monkeypatch, tmp_path):
    from docmgmt import create_app
    from docmgmt.signing.typeface import FontNotFound

    monkeypatch.setenv("XASO_DOCUMENT_FONT_FILE", str(tmp_path / "times.ttf"))
    with pytest.raises(FontNotFound, match="XASO_DOCUMENT_FONT_FILE"):
        create_app({"INSTANCE_DIR": str(tmp_path), "FILE_STORE_DIR": str(tmp_path / "files")})
