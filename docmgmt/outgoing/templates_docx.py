"""Draft documents from the Decree 30 templates (Phụ lục III), laid out per Phụ lục I.

``build_draft(spec)`` returns the DOCX bytes of a draft: the header (issuing body |
Quốc hiệu and Tiêu ngữ; Số and ký hiệu | place and date) as a borderless two-column
table, the type name and trích yếu, the body, the signature block and Nơi nhận.

The number and the date are placeholders (``Số:        /QĐ-UBND``, ``Kim Bôi, ngày
tháng      năm 20..``): the system fills them at issuance, after the leader has signed,
so the literal words "Số:" and ", ngày" stay on page 1 for the issuance step to find.

Layout choices within Phụ lục I's ranges follow its own illustration column (§V):
Quốc hiệu 12, Tiêu ngữ 13, issuing body 12, Số 13, place and date 13, type name and
trích yếu 14, V/v 12, body 14, signer 14, "Nơi nhận:" 12, the list 11. Page A4, margins
top/bottom 20 mm, left 30 mm, right 15 mm.

This module knows nothing about the database: callers map an ``Organisation``, a
``Unit`` and a ``User`` onto a :class:`DraftSpec` (see :meth:`DraftSpec.for_organisation`).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Protocol

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from ..documents.types import BY_CODE, DocType
from ..signing import typeface

# --- fixed wording (Phụ lục I §II.1) -----------------------------------------------
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
NUMBER_LABEL = "Số:"
DATE_MARKER = ", ngày"
# Spaces where the number goes: wide enough at 13 pt for "125" without touching the
# slash, so the issued number can be written over the gap.
NUMBER_GAP = " " * 8
DATE_GAP = " " * 6

# --- layout (Phụ lục I §I and the illustration column of §V) ------------------------
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_CM = (210 - 30 - 15) / 10  # 16.5 cm
# The right column holds the Quốc hiệu on one line (8.8 cm in bold 12 pt); the left
# one "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ" (7.0 cm), so a commune's names need not wrap.
HEADER_COLUMNS_CM = (7.3, TEXT_WIDTH_CM - 7.3)
SIGNATURE_COLUMNS_CM = (7.5, TEXT_WIDTH_CM - 7.5)
# Narrower than the default 0.19 cm so the header columns keep their text width.
CELL_MARGIN_CM = 0.1
# The name written while building; build_draft then names the document font
# (XASO_DOCUMENT_FONT, Liberation Serif by default) in its place.
FONT = "Times New Roman"
# Times New Roman's PANOSE, which Liberation Serif shares. Word picks the substitute for
# a missing font by it, so a draft in Liberation Serif opens in Times New Roman on a PC.
TIMES_PANOSE = "02020603050405020304"

SIZE_QUOC_HIEU = 12
SIZE_TIEU_NGU = 13
SIZE_ORGAN = 12
SIZE_NUMBER = 13
SIZE_DATE = 13
SIZE_TITLE = 14
SIZE_VV = 12
SIZE_BODY = 14
SIZE_SIGNER = 14
SIZE_RECIPIENTS_LABEL = 12
SIZE_RECIPIENTS = 11

BODY_FIRST_LINE_INDENT = Cm(1.27)
BODY_SPACE_AFTER = Pt(6)  # "khoảng cách giữa các đoạn văn tối thiểu là 6pt"
BODY_LINE_SPACING = 1.15  # between single and 1.5 lines
# Empty lines between the signer's position and name: room for the signature image
# and the seal that overlaps a third of it (Phụ lục I §II.7–8).
SIGNATURE_SPACE_LINES = 5

# Types whose body opens with "THẨM QUYỀN BAN HÀNH" and a fixed verb line (Mẫu 1.1–1.3).
DECISION_VERBS = {"quyet_dinh": "QUYẾT ĐỊNH:", "nghi_quyet": "QUYẾT NGHỊ:"}
# Opening paragraphs of a decision's body that belong to its căn cứ block (Mẫu 1.1–1.3:
# "Căn cứ …;", "Xét …;", "Theo đề nghị của …."), above the verb line, not under it.
BASIS_OPENING = re.compile(r"^(Căn cứ|Xét|Theo đề nghị)\b", re.I)
# Types without a type name: the trích yếu goes under the number as "V/v …" (Mẫu 1.5).
UNNAMED_TYPES = frozenset({"cong_van", "thu_cong"})
# Types whose title stands alone, without a trích yếu under it (Mẫu 1.8, 1.10).
UNTITLED_TYPES = frozenset({"giay_gioi_thieu", "giay_nghi_phep"})
# "Kính gửi:" belongs to công văn and to tờ trình/báo cáo sent up (Phụ lục I §II.9.a);
# the addressees of a giấy mời or công điện go into their own opening lines.
KINH_GUI_TYPES = frozenset({"cong_van", "thu_cong", "to_trinh", "bao_cao"})

# Opening lines of Mẫu 1.9 (Biên bản) and Mẫu 1.7 (Giấy mời), filled from
# DraftSpec.details when the caller gives them, dotted otherwise.
MINUTES_LABELS = (
    "Thời gian bắt đầu",
    "Địa điểm",
    "Thành phần tham dự",
    "Chủ trì (chủ tọa)",
    "Thư ký (người ghi biên bản)",
)
INVITATION_LABELS = ("Chủ trì", "Thời gian", "Địa điểm")
# Mẫu 1.8 (Giấy giới thiệu) and Mẫu 1.10 (Giấy nghỉ phép).
INTRODUCTION_LABELS = ("Ông (bà)", "Chức vụ", "Được cử đến", "Về việc")
INTRODUCTION_CLOSING = (
    "Đề nghị Quý cơ quan tạo điều kiện để ông (bà) có tên ở trên hoàn thành nhiệm vụ.",
    "Giấy này có giá trị đến hết ngày …………………",
)
LEAVE_LABELS = ("Ông (bà)", "Chức vụ")
LEAVE_REQUEST = "Xét Đơn đề nghị nghỉ phép ngày …………… của ông (bà) ……………"
LEAVE_PERIOD = "Được nghỉ phép trong thời gian …… kể từ ngày …… đến hết ngày …… tại ……"
LEAVE_CLOSING = "Số ngày nghỉ phép nêu trên được tính vào thời gian ……"
DOTS = "…………………"
MINUTES_CLOSING = "Cuộc họp kết thúc vào …… giờ …… phút cùng ngày./."


def nfc(text: str) -> str:
    """Vietnamese text in one normal form, so search, comparison and fonts agree."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class BodyParagraph:
    """A body paragraph with explicit formatting, for what the plain-string rules miss."""

    text: str
    bold: bool = False
    italic: bool = False
    centred: bool = False
    indent: bool = True  # first-line indent of 1.27 cm (Phụ lục I §II.6.e)


BodyItem = str | BodyParagraph


class OrganisationLike(Protocol):
    name: str
    abbreviation: str
    governing_body: str
    place_name: str


@dataclass(frozen=True)
class DraftSpec:
    """What a draft says; the template decides how it looks.

    ``body`` strings follow light rules so callers need no markup: a paragraph starting
    with "Điều 1." gets its "Điều 1." in bold; a heading "I. MỤC ĐÍCH" (Roman numeral)
    is bold; anything else is plain, justified, first-line indented. Use
    :class:`BodyParagraph` for anything else. The last body paragraph ends with "./."
    as in every Phụ lục III template.
    """

    doc_type: str  # code from documents.types (quyet_dinh, cong_van, …)
    issuing_body: str  # "Ủy ban nhân dân xã Kim Bôi" (printed upper-case in the header)
    abbreviation: str  # "UBND"
    place_name: str  # "Kim Bôi"
    subject: str  # trích yếu: "Về việc …" / for công văn without "V/v"
    body: Sequence[BodyItem] = ()
    governing_body: str = ""  # cơ quan chủ quản trực tiếp, above the issuing body
    unit_abbreviation: str = ""  # drafting unit: "VP" → 12/UBND-VP, "Lưu: VT, VP."
    # Kính gửi (công văn; tờ trình/báo cáo to a higher level) or the invitees (giấy mời).
    addressees: Sequence[str] = ()
    # Căn cứ … lines, "Theo đề nghị của …" last (italic, Phụ lục I §II.6.a).
    legal_bases: Sequence[str] = ()
    # Thẩm quyền ban hành for nghị quyết/quyết định; defaults to the issuing body.
    issuing_authority: str = ""
    # Labelled opening lines: Giấy mời (Chủ trì, Thời gian, Địa điểm), Biên bản
    # (Thời gian bắt đầu, Địa điểm, Thành phần tham dự, …); other labels are appended.
    details: Mapping[str, str] = field(default_factory=dict)
    event: str = ""  # giấy mời: "Tới dự …" (defaults to the subject)
    closing: str = ""  # biên bản: the closing line (defaults to MINUTES_CLOSING)
    signer_authority: str = ""  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"; "" when signing in own name
    signer_position: str = ""  # "CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer_name: str = ""
    secretary_name: str = ""  # biên bản: the minute-taker, who signs on the left
    recipients: Sequence[str] = ()  # Nơi nhận, without "Như trên" and "Lưu"
    archive: str = ""  # last Nơi nhận line; defaults to "Lưu: VT, <unit>."

    def __post_init__(self) -> None:
        # Frozen dataclass: normalise in place once, so every later use sees NFC.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                object.__setattr__(self, f.name, nfc(value.strip()))
            elif f.name == "body":
                object.__setattr__(
                    self,
                    f.name,
                    tuple(nfc(v) if isinstance(v, str) else replace(v, text=nfc(v.text)) for v in value),
                )
            elif f.name == "details":
                object.__setattr__(self, f.name, {nfc(k): nfc(v) for k, v in value.items()})
            elif isinstance(value, Sequence):
                object.__setattr__(self, f.name, tuple(nfc(v.strip()) for v in value))

    @classmethod
    def for_organisation(
        cls,
        organisation: OrganisationLike,
        *,
        doc_type: str,
        subject: str,
        unit_abbreviation: str = "",
        **kwargs: object,
    ) -> DraftSpec:
        """A spec with the organisation's name, abbreviation, governing body and place."""
        return cls(
            doc_type=doc_type,
            issuing_body=organisation.name,
            abbreviation=organisation.abbreviation,
            governing_body=organisation.governing_body or "",
            place_name=organisation.place_name or "",
            subject=subject,
            unit_abbreviation=unit_abbreviation,
            **kwargs,  # type: ignore[arg-type]
        )

    @property
    def type(self) -> DocType:
        try:
            return BY_CODE[self.doc_type]
        except KeyError:
            raise ValueError(f"Loại văn bản không hợp lệ: {self.doc_type!r}") from None


# --- placeholders the issuance step looks for ---------------------------------------
def symbol(spec: DraftSpec) -> str:
    """Ký hiệu (Phụ lục I §II.3.b): QĐ-UBND; for công văn issuer-unit, UBND-VP."""
    if spec.doc_type in UNNAMED_TYPES:
        parts = [spec.abbreviation, spec.unit_abbreviation]
    else:
        parts = [spec.type.abbreviation, spec.abbreviation]
    return "-".join(p for p in parts if p)


def number_placeholder(spec: DraftSpec) -> str:
    """The "Số:" line as printed on the draft: ``Số:        /QĐ-UBND``."""
    return f"{NUMBER_LABEL}{NUMBER_GAP}/{symbol(spec)}"


def date_placeholder(spec: DraftSpec) -> str:
    """The place-and-date line as printed on the draft, filled at issuance."""
    return f"{spec.place_name}{DATE_MARKER}{DATE_GAP}tháng{DATE_GAP}năm 20.."


def decision_parts(spec: DraftSpec) -> tuple[list[str], list[BodyItem]]:
    """A nghị quyết's or quyết định's căn cứ lines and its articles, in Mẫu 1.1–1.3 order.

    Drafts written in one text box arrive with their "Căn cứ …" lines first in the body:
    they move to the căn cứ block (italic, above "QUYẾT ĐỊNH:"), each ending with ";"
    and the last with "." (Phụ lục I §II.6.a). A verb line typed by hand is dropped, the
    template prints its own.
    """
    bases = list(spec.legal_bases)
    body = list(spec.body)
    while body and isinstance(first := body[0], str) and BASIS_OPENING.match(first):
        bases.append(first)
        body.pop(0)
    verb = DECISION_VERBS[spec.doc_type]
    body = [b for b in body if not (isinstance(b, str) and b.strip().rstrip(":").upper() == verb.rstrip(":"))]
    bases = [b.rstrip(" ;.") for b in bases if b.strip(" ;.")]
    return [b + (";" if i < len(bases) - 1 else ".") for i, b in enumerate(bases)], body


# --- entry point --------------------------------------------------------------------
def build_draft(spec: DraftSpec, font: str | None = None) -> bytes:
    """The DOCX bytes of a draft of ``spec.doc_type`` (any Decree 30 type code), written
    in ``font`` (default: the document font, XASO_DOCUMENT_FONT).

    Raises ValueError for an unknown type code or a spec missing the issuing body.
    """
    doc_type = spec.type  # ValueError for unknown codes
    if not spec.issuing_body or not spec.abbreviation:
        raise ValueError("Thiếu tên hoặc chữ viết tắt của cơ quan ban hành.")
    document = Document()
    _set_up_page_and_fonts(document)
    _header(document, spec)
    if spec.doc_type not in UNNAMED_TYPES:
        _title(document, doc_type.name.upper(), "" if spec.doc_type in UNTITLED_TYPES else spec.subject)
    if spec.addressees and spec.doc_type in KINH_GUI_TYPES:
        _kinh_gui(document, spec.addressees)
    bases, main_body = list(spec.legal_bases), list(spec.body)
    if spec.doc_type in DECISION_VERBS:
        # Mẫu 1.1–1.3: thẩm quyền ban hành → căn cứ (italic) → verb line → Điều 1, 2, …
        bases, main_body = decision_parts(spec)
        authority = (spec.issuing_authority or spec.issuing_body).upper()
        _centred(document, authority, bold=True, space_after=6)
    for basis in bases:
        _body_paragraph(document, BodyParagraph(basis, italic=True))
    if spec.doc_type in DECISION_VERBS:
        _centred(document, DECISION_VERBS[spec.doc_type], bold=True, space_before=6, space_after=6)
    if spec.doc_type == "giay_moi":
        _invitation_opening(document, spec)
    if spec.doc_type == "cong_dien":
        _telegram_opening(document, spec)
    if spec.doc_type in UNTITLED_TYPES:
        main_body = _pass_body(document, spec, main_body)
    if spec.doc_type == "bien_ban":
        _labelled_lines(document, _minutes_details(spec), MINUTES_LABELS)
        _body_paragraph(
            document,
            BodyParagraph("Nội dung (theo diễn biến cuộc họp/hội nghị/hội thảo):", bold=True),
        )
        for item in main_body:
            _body_paragraph(document, item)
        _body_paragraph(document, _with_end_mark(spec.closing or MINUTES_CLOSING))
        _minutes_signatures(document, spec)
        # Below both signatures, at the left margin (Mẫu 1.9).
        _recipients_block(document, _format(document.add_paragraph(), space_before=12), spec)
    else:
        body = main_body
        if body:
            body[-1] = _with_end_mark(body[-1])
        for item in body:
            _body_paragraph(document, item)
        _signature_block(document, spec)
    _name_font(document, font or typeface.family())
    _preserve_spaces(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- page, styles -------------------------------------------------------------------
def _set_up_page_and_fonts(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(10)

    # The default template names theme fonts (Calibri/Cambria) in docDefaults, and a
    # theme attribute beats an explicit font name in Word: replace the whole rFonts.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(SIZE_BODY)
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    # Page numbers centred in the top margin, not on page 1 (Phụ lục I §I.7).
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)


def _set_fonts(rpr: BaseOxmlElement) -> None:
    old = rpr.find(qn("w:rFonts"))
    if old is not None:
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    rpr.insert(0, fonts)


def _page_field(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    run.font.size = Pt(SIZE_BODY)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


# --- building blocks ----------------------------------------------------------------
def _format(
    paragraph: Paragraph,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    space_before: float = 0,
    space_after: float = 0,
) -> Paragraph:
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    return paragraph


def _run(
    paragraph: Paragraph,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    if underline:
        run.underline = True


def _centred(
    document: DocxDocument,
    text: str,
    *,
    bold: bool = False,
    size: float = SIZE_BODY,
    space_before: float = 0,
    space_after: float = 0,
) -> Paragraph:
    paragraph = _format(document.add_paragraph(), space_before=space_before, space_after=space_after)
    _run(paragraph, text, size, bold=bold)
    return paragraph


def _cell_paragraph(cell: _Cell, *, first: bool = False) -> Paragraph:
    """The cell's own empty first paragraph the first time, a new one afterwards."""
    return cell.paragraphs[0] if first else cell.add_paragraph()


def _short_rule(paragraph: Paragraph, text: str, size: float, available_cm: float, *, bold: bool) -> None:
    """A centred line 1/3–1/2 as long as ``text`` below it (issuing body, trích yếu).

    Drawn as the bottom border of a tiny paragraph whose indents leave the wanted
    width: an underline could not be shorter than its text.
    """
    width = min(_text_width_cm(text, size, bold=bold), available_cm) * 0.4
    side = max((available_cm - width) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(4)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # pBdr must precede spacing/ind/jc in pPr (schema order) or Word rejects the file.
    ppr.insert(0, borders)
    # Keep the paragraph mark itself tiny so the line sits just under the text.
    mark = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "4")
    mark.append(sz)
    ppr.append(mark)


def _text_width_cm(text: str, size: float, *, bold: bool) -> float:
    """An estimate of a line's printed width in Times New Roman, good to about 10%.

    Only used to size the short rules, which Phụ lục I gives as a range (1/3–1/2).
    """
    em = 0.0
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        if base == " ":
            em += 0.25
        elif base.isupper():
            em += 0.70
        elif base.isdigit() or base.islower():
            em += 0.48
        else:
            em += 0.33
    if bold:
        em *= 1.06
    return em * size * 2.54 / 72


def _borderless_table(document: DocxDocument | _Cell, widths_cm: Sequence[float], rows: int = 1) -> Table:
    """A fixed-width table without borders: how Decree 30 documents lay out side-by-side
    blocks (header, signatures) so they stay put in Word and LibreOffice alike."""
    table = document.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(_twips(sum(widths_cm))))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(_twips(CELL_MARGIN_CM)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # Schema order (CT_TblPr): … jc, tblBorders, …, tblLayout, tblCellMar, tblLook.
    tbl_pr.find(qn("w:tblLayout")).addprevious(borders)
    tbl_pr.find(qn("w:tblLayout")).addnext(margins)
    # Word reads the cell widths, LibreOffice the grid: set both.
    for column, column_width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(column_width)
        for cell in column.cells:
            cell.width = Cm(column_width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    return table


def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


def _keep_row_together(table: Table) -> None:
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))


# --- header (Phụ lục I ô 1–4, 5b) ---------------------------------------------------
def _header(document: DocxDocument, spec: DraftSpec) -> None:
    """Two rows so "Số:" and the place/date line share a baseline whatever the left
    column's height (the governing body adds a line on the left only)."""
    table = _borderless_table(document, HEADER_COLUMNS_CM, rows=2)
    left, right = table.cell(0, 0), table.cell(0, 1)
    left_width = HEADER_COLUMNS_CM[0] - 2 * CELL_MARGIN_CM

    first = True
    if spec.governing_body:
        p = _format(_cell_paragraph(left, first=True))
        _run(p, spec.governing_body.upper(), SIZE_ORGAN)
        first = False
    organ = spec.issuing_body.upper()
    p = _format(_cell_paragraph(left, first=first))
    _run(p, organ, SIZE_ORGAN, bold=True)
    _short_rule(left.add_paragraph(), organ, SIZE_ORGAN, left_width, bold=True)

    p = _format(_cell_paragraph(right, first=True))
    _run(p, QUOC_HIEU, SIZE_QUOC_HIEU, bold=True)
    p = _format(right.add_paragraph())
    # The underline is exactly as long as the text, as Phụ lục I §II.1.b asks.
    _run(p, TIEU_NGU, SIZE_TIEU_NGU, bold=True, underline=True)

    number_cell, date_cell = table.cell(1, 0), table.cell(1, 1)
    p = _format(_cell_paragraph(number_cell, first=True), space_before=6)
    _run(p, number_placeholder(spec), SIZE_NUMBER)
    if spec.doc_type in UNNAMED_TYPES and spec.subject:
        # Ô 5b: "V/v …" under the number, 6 pt apart.
        p = _format(number_cell.add_paragraph(), space_before=6)
        _run(p, _vv(spec.subject), SIZE_VV)
    p = _format(_cell_paragraph(date_cell, first=True), space_before=6)
    _run(p, date_placeholder(spec), SIZE_DATE, italic=True)


VE_VIEC = re.compile(r"^(V/v|về việc)\s*", re.I)
EVENT_PREFIX = re.compile(r"^(V/v|về việc|dự)\s+", re.I)


def _vv(subject: str) -> str:
    """ "V/v …" from a trích yếu written either way ("Về việc …", "V/v …" or bare)."""
    return f"V/v {_lower_first(VE_VIEC.sub('', subject))}"


def _lower_first(text: str) -> str:
    """Lower-case a sentence's first letter for use mid-sentence, but not an acronym's."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


# --- type name and trích yếu (ô 5a) ---------------------------------------------------
def _title(document: DocxDocument, name: str, subject: str) -> None:
    _centred(document, name, bold=True, size=SIZE_TITLE, space_before=18)
    last = subject or name
    if subject:
        _centred(document, subject, bold=True, size=SIZE_TITLE)
    rule = document.add_paragraph()
    _short_rule(rule, last, SIZE_TITLE, TEXT_WIDTH_CM, bold=True)
    rule.paragraph_format.space_after = Pt(12)


# --- Kính gửi (ô 9a) ---------------------------------------------------------------
KINH_GUI = "Kính gửi:"
KINH_GUI_LEFT_CM = 3.5
KINH_GUI_LABEL_CM = 2.3  # "Kính gửi: " in 14 pt, so the dashes line up under the colon


def _kinh_gui(document: DocxDocument, addressees: Sequence[str]) -> None:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(12), Pt(12)
    if len(addressees) == 1:
        # One addressee: on the same line as "Kính gửi:", centred (Phụ lục I §II.9.d).
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, f"{KINH_GUI} {addressees[0].rstrip('.;')}.", SIZE_BODY)
        return
    # Several: a hanging indent puts every "- …" line at the same x as the first one.
    fmt.left_indent = Cm(KINH_GUI_LEFT_CM + KINH_GUI_LABEL_CM)
    fmt.first_line_indent = Cm(-KINH_GUI_LABEL_CM)
    fmt.tab_stops.add_tab_stop(Cm(KINH_GUI_LEFT_CM + KINH_GUI_LABEL_CM))
    items = _punctuated(addressees, last=".")
    _run(paragraph, f"{KINH_GUI}\t", SIZE_BODY)
    for index, item in enumerate(items):
        run = paragraph.add_run(item)
        run.font.size = Pt(SIZE_BODY)
        if index < len(items) - 1:
            run.add_break()


def _punctuated(items: Sequence[str], *, last: str) -> list[str]:
    """Lines "- A;" … "- Z." as lists are written in Decree 30 documents."""
    cleaned = [item.lstrip("-– ").rstrip(" ;.") for item in items]
    return [f"- {item}{last if i == len(cleaned) - 1 else ';'}" for i, item in enumerate(cleaned)]


# --- body (ô 6) ----------------------------------------------------------------------
ARTICLE = re.compile(r"^(Điều\s+\d+\.)(.*)$", re.S)
ROMAN_HEADING = re.compile(r"^[IVXLC]+\.\s")


def _body_paragraph(document: DocxDocument, item: BodyItem) -> None:
    spec = item if isinstance(item, BodyParagraph) else BodyParagraph(item)
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_after = BODY_SPACE_AFTER
    fmt.line_spacing = BODY_LINE_SPACING
    if spec.centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if spec.indent:
            fmt.first_line_indent = BODY_FIRST_LINE_INDENT
    text = spec.text
    if isinstance(item, str):
        article = ARTICLE.match(text)
        if article:  # "Điều 1." bold, its text upright (Phụ lục I §II.6.đ)
            _run(paragraph, article.group(1), SIZE_BODY, bold=True)
            _run(paragraph, article.group(2), SIZE_BODY)
            return
        if ROMAN_HEADING.match(text):
            _run(paragraph, text, SIZE_BODY, bold=True)
            return
    _run(paragraph, text, SIZE_BODY, bold=spec.bold, italic=spec.italic)


def _with_end_mark(item: BodyItem) -> BodyItem:
    """Every Phụ lục III template ends its content with "./."."""
    text = item.text if isinstance(item, BodyParagraph) else item
    text = text.rstrip()
    if not text.endswith("/."):
        text = text + "/." if text.endswith(".") else text + "./."
    return replace(item, text=text) if isinstance(item, BodyParagraph) else text


def _labelled_lines(document: DocxDocument, values: Mapping[str, str], fixed: Sequence[str]) -> None:
    labels = list(fixed) + [label for label in values if label not in fixed]
    for label in labels:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = BODY_FIRST_LINE_INDENT
        fmt.space_after = BODY_SPACE_AFTER
        fmt.line_spacing = BODY_LINE_SPACING
        _run(paragraph, f"{label}: ", SIZE_BODY, bold=True)
        _run(paragraph, values.get(label) or DOTS, SIZE_BODY)


# --- Giấy mời (Mẫu 1.7) --------------------------------------------------------------
def _invitation_opening(document: DocxDocument, spec: DraftSpec) -> None:
    invitees = list(spec.addressees)
    opening = f"{spec.issuing_body} trân trọng kính mời: "
    if len(invitees) <= 1:
        _body_paragraph(document, opening + (invitees[0].rstrip(".;") + "." if invitees else DOTS))
    else:
        _body_paragraph(document, opening.rstrip())
        for line in _punctuated(invitees, last="."):
            _body_paragraph(document, line)
    # A trích yếu "Dự họp giao ban …" must not read "Tới dự dự họp …".
    event = spec.event or EVENT_PREFIX.sub("", spec.subject)
    _body_paragraph(document, f"Tới dự {_lower_first(event).rstrip('.')}.")
    _labelled_lines(document, spec.details, INVITATION_LABELS)


# --- Công điện (Mẫu 1.6) -------------------------------------------------------------
def _telegram_opening(document: DocxDocument, spec: DraftSpec) -> None:
    """ "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ … điện:" then the bodies that receive it."""
    sender = (spec.issuing_authority or spec.issuing_body).upper()
    _centred(document, f"{sender} điện:", bold=True, space_after=6)
    for line in _punctuated(spec.addressees, last=".") if spec.addressees else ():
        _body_paragraph(document, line)


# --- Giấy giới thiệu (Mẫu 1.8), Giấy nghỉ phép (Mẫu 1.10) ------------------------------
def _pass_body(document: DocxDocument, spec: DraftSpec, body: list[BodyItem]) -> list[BodyItem]:
    """The fixed lines of the two passes around what the drafter wrote; returns the body
    with the closing line last, so it takes the "./." end mark."""
    values = dict(spec.details)
    if spec.doc_type == "giay_gioi_thieu":
        _body_paragraph(document, f"{spec.issuing_body} trân trọng giới thiệu:")
        values.setdefault("Về việc", _lower_first(VE_VIEC.sub("", spec.subject)))
        _labelled_lines(document, values, INTRODUCTION_LABELS)
        return [*body, *INTRODUCTION_CLOSING]
    has_request = bool(body) and isinstance(first := body[0], str) and first.startswith("Xét")
    _body_paragraph(document, body.pop(0) if has_request else LEAVE_REQUEST)
    _body_paragraph(document, f"{spec.issuing_body} cấp cho:")
    _labelled_lines(document, values, LEAVE_LABELS)
    return [*(body if body and body != ["…"] else [LEAVE_PERIOD]), LEAVE_CLOSING]


# --- Biên bản (Mẫu 1.9) --------------------------------------------------------------
def _minutes_details(spec: DraftSpec) -> dict[str, str]:
    values = dict(spec.details)
    # The name only: positions arrive upper-case for the signature block, and
    # sentence-casing them would mangle acronyms (UBND, HĐND).
    values.setdefault("Chủ trì (chủ tọa)", spec.signer_name)
    values.setdefault("Thư ký (người ghi biên bản)", spec.secretary_name)
    return values


def _minutes_signatures(document: DocxDocument, spec: DraftSpec) -> None:
    """Secretary on the left, chair on the right, as Mẫu 1.9 draws them."""
    table = _borderless_table(document, (TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2))
    _keep_row_together(table)
    left, right = table.cell(0, 0), table.cell(0, 1)
    heading = [spec.signer_authority or "CHỦ TỌA"]
    if spec.signer_position:
        heading.append(spec.signer_position)
    # Same number of heading lines on both sides, so the two names share a line.
    secretary = ["THƯ KÝ"] + [""] * (len(heading) - 1)
    _signer_cell(left, secretary, spec.secretary_name)
    _signer_cell(right, heading, spec.signer_name)


# --- signature and Nơi nhận (ô 7, 9b) ------------------------------------------------
def _signature_block(document: DocxDocument, spec: DraftSpec) -> None:
    table = _borderless_table(document, SIGNATURE_COLUMNS_CM)
    _keep_row_together(table)
    left = table.cell(0, 0)
    # "Nơi nhận:" on the same line as the signer's authority (Phụ lục I §II.9.d).
    _recipients_block(left, _format(left.paragraphs[0], space_before=12), spec)
    heading = [line for line in (spec.signer_authority, spec.signer_position) if line]
    _signer_cell(table.cell(0, 1), heading, spec.signer_name)


def _signer_cell(cell: _Cell, heading: Sequence[str], name: str) -> None:
    for index, line in enumerate(heading or [""]):
        p = _format(_cell_paragraph(cell, first=index == 0), space_before=12 if index == 0 else 0)
        _run(p, line.upper(), SIZE_SIGNER, bold=True)
    for _ in range(SIGNATURE_SPACE_LINES):
        _format(cell.add_paragraph())
    p = _format(cell.add_paragraph())
    _run(p, name, SIZE_SIGNER, bold=True)


def recipients_lines(spec: DraftSpec) -> list[str]:
    """The Nơi nhận list as printed: "- Như trên;" first when there is a Kính gửi,
    "- Lưu: VT, VP." last (Phụ lục I §II.9.b, 9.d)."""
    items = list(spec.recipients)
    kinh_gui = spec.addressees and spec.doc_type in KINH_GUI_TYPES
    if kinh_gui and not any(i.strip(" -;.").lower() == "như trên" for i in items):
        items.insert(0, "Như trên")
    archive = spec.archive or "Lưu: " + ", ".join(p for p in ("VT", spec.unit_abbreviation) if p)
    lines = [f"- {item.lstrip('-– ').rstrip(' ;.')};" for item in items]
    lines.append(f"- {archive.lstrip('-– ').rstrip(' ;.')}.")
    return lines


def _recipients_block(container: DocxDocument | _Cell, first: Paragraph, spec: DraftSpec) -> None:
    """The words "Nơi nhận:" in bold italic 12, then one line per recipient in 11."""
    first.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _run(first, "Nơi nhận:", SIZE_RECIPIENTS_LABEL, bold=True, italic=True)
    for line in recipients_lines(spec):
        paragraph = container.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _run(paragraph, line, SIZE_RECIPIENTS)


# --- serialisation -------------------------------------------------------------------
def _name_font(document: DocxDocument, family: str) -> None:
    """Name ``family`` wherever the build wrote FONT (defaults, styles, runs), and give
    Word the PANOSE and alternative name to substitute Times New Roman if it lacks it."""
    if family == FONT:
        return
    parts = (document.styles.element, document.element.body, *(s.header._element for s in document.sections))
    for part in parts:
        for fonts in part.iter(qn("w:rFonts")):
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                if fonts.get(qn(attribute)) == FONT:
                    fonts.set(qn(attribute), family)
    table = next(r.target_part for r in document.part.rels.values() if r.reltype == RT.FONT_TABLE)
    root = etree.fromstring(table.blob)
    entry = etree.SubElement(root, qn("w:font"))
    entry.set(qn("w:name"), family)
    for tag, value in (("altName", FONT), ("panose1", TIMES_PANOSE), ("charset", "00"),
                       ("family", "roman"), ("pitch", "variable")):
        etree.SubElement(entry, qn(f"w:{tag}")).set(qn("w:val"), value)
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _preserve_spaces(document: DocxDocument) -> None:
    """Keep the runs of spaces in "Số:        /QĐ-UBND": without xml:space="preserve"
    a consumer may collapse them and the number would have nowhere to go."""
    for part in (document.element.body, *(s.header._element for s in document.sections)):
        for text in part.iter(qn("w:t")):
            value = text.text or ""
            if "  " in value or value.strip() != value:
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
