"""The printed and exported forms of records, as Decree 30 draws them (Phụ lục V) and with
the dossier metadata of Phụ lục VI Part II §III:

* :func:`plan_docx`, :func:`plan_pdf`, :func:`plan_xlsx` — *Danh mục hồ sơ* of a year
  (Phụ lục V §II): the heading of the commune and the national motto, "DANH MỤC HỒ SƠ",
  "Năm …", the approving decision ("(Kèm theo Quyết định số … ngày … của …)", dots while
  the plan is a draft), the table (1)–(5) with the large headings (I, II, in capitals),
  the sub-headings (1, 2) and the dossiers, and the closing count of dossiers kept for
  ever and for a term.
* :func:`contents_pdf`, :func:`contents_docx` — *Mục lục văn bản, tài liệu* of one dossier
  (§IV): one row per item the reader may open, in DocOrdinal order, with the page of the
  dossier where it starts (Tờ số/Trang số).
* :func:`package_zip` — the dossier as one package (Phụ lục VI Part I §III.4.g: every
  document and the metadata, in the order they were made): ``<FileCode>/metadata.xml``
  (the Part II §III field names), ``<FileCode>/muc-luc.pdf`` and the items' files
  ``<FileCode>/001_<name>.pdf`` … in DocOrdinal order, written to a spooled temporary
  file, never whole in memory.
* :func:`transfer_list_pdf`, :func:`transfer_list_docx` — *Mục lục hồ sơ, tài liệu nộp
  lưu* (§III) of a transfer, the count also in words, signed by the person handing over.
* :func:`handover_pdf`, :func:`handover_docx` — *Biên bản giao nhận hồ sơ, tài liệu*
  (§V), the form's full text filled from the transfer.

A dossier never reveals a document its reader may not open: the callers pass the items
the reader may see (``access.visible_items``), and what is printed — rows, ordinals,
pages, totals, dates — is counted over those only; for a reader who sees every item the
numbers are the dossier's own. Who may read a plan, a dossier or a transfer is the
caller's business (``operations.get_*``).

Each form is first built format-independently (a :class:`Form`: heading, lines, one
table, signatures) and then written by :func:`form_pdf` (fpdf2, Liberation Serif as the
registers and reports use) or :func:`form_docx` (python-docx, Times New Roman as the
weekly schedule). The text is Vietnamese whatever the reader's language: these are
documents of the commune, printed, signed and filed.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
from flask import send_file

from ..core.timeutil import format_date, to_vn
from ..documents import register_export as book
from ..documents.register_export import Column, Register
from ..exchange.model import Code
from ..extensions import db
from ..files.store import FileStore
from ..incoming.models import IncomingDocument
from ..org.models import Organisation, User
from ..outgoing.models import OutgoingDocument
from ..schedule.export import DOCX_MIME, MOTTO, MOTTO_NATION, nd30_date_line, organisation_lines
from . import access, operations
from .models import ArchiveTransfer, Dossier, DossierItem, FilePlan
from .workflow import PlanStatus

PDF_MIME = book.PDF_MIME
XLSX_MIME = book.XLSX_MIME
ZIP_MIME = "application/zip"
DOTS = "……"
LANGUAGE = "Tiếng Việt"
PERMANENT = "Vĩnh viễn"
DECREE_BASIS = ("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ "
                "về công tác văn thư;")


# --- small helpers ------------------------------------------------------------------------------

def retention_text(dossier: Dossier) -> str:
    """Thời hạn bảo quản as printed: "Vĩnh viễn" or "20 năm"."""
    return PERMANENT if dossier.retention_years is None else f"{dossier.retention_years} năm"


def day_words(day: date | None) -> str:
    """ "ngày 05 tháng 01 năm 2026" (NĐ30: a zero before days below 10 and months 1 and 2);
    dots for a date not known yet."""
    if day is None:
        return f"ngày {DOTS} tháng {DOTS} năm {DOTS}"
    text = nd30_date_line("", day)
    return text[0].lower() + text[1:]


def date_line(place: str, day: date | None) -> str:
    """ "Kim Bôi, ngày 05 tháng 01 năm 2026", or with dots for the day to be written by hand."""
    return f"{place or DOTS}, {day_words(day)}"


def number_words(number: int) -> str:
    """A count in Vietnamese words, as the forms ask ("Viết bằng chữ"): 21 → "hai mươi mốt",
    105 → "một trăm lẻ năm". ICU's spell-out rules (PyICU, already used for sorting)."""
    import icu

    spell = icu.RuleBasedNumberFormat(icu.URBNFRuleSetTag.SPELLOUT, icu.Locale("vi"))
    return str(spell.format(int(number)))


def _person(user: User | None) -> str:
    return user.full_name if user is not None else ""


def _position(user: User | None) -> str:
    return user.position.name if user is not None and user.position is not None else ""


def _vn_day(moment) -> date | None:
    return to_vn(moment).date() if moment is not None else None


def _span(first: date | None, last: date | None) -> str:
    """Thời gian tài liệu: "05/01/2026 - 28/12/2026" (one date when they agree)."""
    if first is None and last is None:
        return ""
    if first is None or last is None or first == last:
        return format_date(first or last)
    return f"{format_date(first)} - {format_date(last)}"


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: object) -> str:
    """NFC text without the characters XML may not hold; dates dd/mm/yyyy (Date, 10)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    return _ILLEGAL.sub("", unicodedata.normalize("NFC", str(value)).strip())


def ascii_name(text: str, limit: int = 60) -> str:
    """A file name any unzip program keeps: Vietnamese letters without their marks (Đ → D),
    anything else but letters, digits, dot and hyphen turned into a hyphen."""
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    safe = re.sub(r"[^A-Za-z0-9.]+", "-", folded).strip("-.")
    return safe[:limit].strip("-.") or "tep"


# --- a form, format-independent -----------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Line:
    """A paragraph: centred (titles) or left (the text of a form); its runs in order."""

    runs: list[Run]
    align: str = "C"  # C | L | J
    size: float = 13
    space_before: float = 0  # mm
    indent: bool = False  # first-line indent (the text of a biên bản)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def line(text: str, *, bold: bool = False, italic: bool = False, align: str = "C", size: float = 13,
         space_before: float = 0, indent: bool = False) -> Line:
    return Line([Run(text, bold, italic)], align, size, space_before, indent)


@dataclass(frozen=True)
class FormColumn:
    label: str
    width: float  # relative
    left: bool = False  # long text left-aligned; the rest centred


@dataclass
class FormRow:
    cells: list[str]
    bold: bool = False  # a heading of the plan


@dataclass
class FormTable:
    columns: list[FormColumn]
    rows: list[FormRow]
    numbered: bool = True  # the row (1) (2) … under the headings, as every form has it


@dataclass(frozen=True)
class Signature:
    title: str  # "NGƯỜI LẬP", "ĐẠI DIỆN BÊN GIAO"
    hint: str  # "(Ký và ghi rõ họ và tên)"
    name: str = ""
    date_line: str = ""  # above the title (the Mục lục nộp lưu)


@dataclass
class Form:
    """One printed form: what stands at the top (organisation | motto), the lines before
    the table, the table, the lines after it and the signatures."""

    title: str  # the document's title (PDF/DOCX properties)
    author: str
    header_left: list[Run] = field(default_factory=list)  # one run a line; empty: no heading
    header_date: str = ""  # under the motto (the Biên bản)
    before: list[Line] = field(default_factory=list)
    table: FormTable | None = None
    after: list[Line] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)


def organisation_header(org: Organisation, unit_name: str = "") -> list[Run]:
    """The heading's left block (Phụ lục I): the body over its unit, the name of what issues
    the form in bold. A commune's People's Committee is its own heading ("ỦY BAN NHÂN DÂN /
    XÃ KIM BÔI"); a unit's form puts the commune above the unit ("TÊN CQ, TC CHỦ QUẢN /
    TÊN ĐƠN VỊ")."""
    lines = organisation_lines(org.name)
    if unit_name:
        return [Run(text) for text in lines] + [Run(unit_name.upper(), bold=True)]
    return [Run(text, bold=n == len(lines) - 1) for n, text in enumerate(lines)]


# --- PDF ------------------------------------------------------------------------------------------

PDF_TABLE_PT = 11
SIGNATURE_GAP_MM = 24  # room to sign


def form_pdf(form: Form) -> bytes:
    """The form on A4 portrait with NĐ30's margins (Phụ lục I: top and bottom 20 mm, left
    30 mm, right 15 mm), the page number at the top from the second page, the table's
    headings repeated on every page and a row too long for a page continued on the next."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    folder = book.font_dir()
    family = book.PDF_FAMILY

    class FormPdf(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_y(8)
                self.set_font(family, "", 12)
                self.cell(0, 6, str(self.page_no()), align="C")
                self.set_y(self.t_margin)

    pdf = FormPdf(orientation="P", unit="mm", format="A4")
    pdf.set_title(form.title)
    pdf.set_author(form.author)
    pdf.set_creator("Xã Số")
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
        pdf.add_font(family, style, str(folder / f"LiberationSerif-{name}.ttf"))
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    def emphasis(run: Run) -> str:
        return ("B" if run.bold else "") + ("I" if run.italic else "")

    def put(item: Line) -> None:
        if item.space_before:
            pdf.ln(item.space_before)
        height = item.size * 0.48
        if len(item.runs) == 1 and not item.indent:
            run = item.runs[0]
            pdf.set_font(family, emphasis(run), item.size)
            pdf.multi_cell(0, height, run.text, align=item.align, new_x="LMARGIN", new_y="NEXT")
            return
        pdf.set_x(pdf.l_margin + (10 if item.indent else 0))
        for run in item.runs:  # mixed runs flow as one paragraph, left-aligned
            pdf.set_font(family, emphasis(run), item.size)
            pdf.write(height, run.text)
        pdf.ln(height)

    if form.header_left:
        x0, y0 = pdf.l_margin, pdf.get_y()
        left_w = pdf.epw * 0.42
        right_w = pdf.epw - left_w
        for run in form.header_left:
            pdf.set_font(family, emphasis(run), 12)
            pdf.set_x(x0)
            pdf.multi_cell(left_w, 5.5, run.text, align="C", new_x="LMARGIN", new_y="NEXT")
        rule = min(left_w / 3, pdf.get_string_width(form.header_left[-1].text) / 3)
        y_left = pdf.get_y() + 1
        pdf.line(x0 + (left_w - rule) / 2, y_left, x0 + (left_w + rule) / 2, y_left)
        pdf.set_xy(x0 + left_w, y0)
        pdf.set_font(family, "B", 12)
        pdf.cell(right_w, 5.5, MOTTO_NATION, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(family, "B", 13)
        pdf.cell(right_w, 6, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
        motto_w = pdf.get_string_width(MOTTO)
        y_motto = pdf.get_y() + 0.4
        pdf.line(x0 + left_w + (right_w - motto_w) / 2, y_motto, x0 + left_w + (right_w + motto_w) / 2, y_motto)
        y_right = y_motto
        if form.header_date:
            pdf.set_xy(x0 + left_w, y_motto + 2)
            pdf.set_font(family, "I", 13)
            pdf.multi_cell(right_w, 6, form.header_date, align="C", new_x="LMARGIN", new_y="NEXT")
            y_right = pdf.get_y()
        pdf.set_y(max(y_left, y_right) + 6)

    for item in form.before:
        put(item)

    if form.table is not None:
        table_spec = form.table
        columns = table_spec.columns
        pdf.ln(3)
        pdf.set_font(family, "", PDF_TABLE_PT)
        total = sum(c.width for c in columns)
        widths = [pdf.epw * c.width / total - 2 * book.CELL_PADDING for c in columns]
        plain = FontFace(family=family, emphasis="")
        bold = FontFace(family=family, emphasis="BOLD")
        with pdf.table(
            col_widths=[c.width for c in columns], text_align="LEFT", v_align="TOP",
            headings_style=FontFace(family=family, emphasis="BOLD"), line_height=book.LINE_HEIGHT,
            padding=book.CELL_PADDING, repeat_headings=1, num_heading_rows=2 if table_spec.numbered else 1,
        ) as table:
            heading = table.row()
            for column in columns:
                heading.cell(column.label, align="C", v_align="M")
            if table_spec.numbered:
                numbers = table.row()
                for n in range(len(columns)):
                    numbers.cell(f"({n + 1})", align="C", style=plain)
            for row in table_spec.rows:
                for chunk in book._fitting_rows(pdf, row.cells, widths):  # noqa: SLF001 - the registers' splitter
                    out = table.row()
                    for column, value in zip(columns, chunk, strict=True):
                        out.cell(value, align="L" if column.left else "C", style=bold if row.bold else None)

    for item in form.after:
        put(item)

    if form.signatures:
        needed = 14 + SIGNATURE_GAP_MM + (7 if any(s.date_line for s in form.signatures) else 0)
        if pdf.will_page_break(needed):
            pdf.add_page()
        pdf.ln(5)
        y = pdf.get_y()
        half = pdf.epw / 2
        # One signature stands on the right (Người lập); two share the width (giao | nhận).
        places = [pdf.l_margin + half] if len(form.signatures) == 1 else \
            [pdf.l_margin + n * half for n in range(len(form.signatures))]
        for x, sig in zip(places, form.signatures, strict=True):
            pdf.set_xy(x, y)
            if sig.date_line:
                pdf.set_font(family, "I", 13)
                pdf.multi_cell(half, 6, sig.date_line, align="C", new_x="LEFT", new_y="NEXT")
            pdf.set_font(family, "B", 13)
            pdf.multi_cell(half, 6, sig.title, align="C", new_x="LEFT", new_y="NEXT")
            pdf.set_font(family, "I", 12)
            pdf.multi_cell(half, 5.5, sig.hint, align="C", new_x="LEFT", new_y="NEXT")
            if sig.name:
                pdf.set_y(pdf.get_y() + SIGNATURE_GAP_MM)
                pdf.set_x(x)
                pdf.set_font(family, "B", 13)
                pdf.multi_cell(half, 6, sig.name, align="C")
    return bytes(pdf.output())


# --- DOCX -----------------------------------------------------------------------------------------

DOCX_FONT = "Times New Roman"
DOCX_TABLE_PT = 12
TEXT_WIDTH_MM = 210 - 30 - 15


def form_docx(form: Form) -> bytes:
    """The form as a Word document a clerk can still edit: A4 portrait, NĐ30's margins,
    Times New Roman, the table's headings repeated on every page, no row split."""
    from docx import Document
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    aligns = {"C": WD_ALIGN_PARAGRAPH.CENTER, "L": WD_ALIGN_PARAGRAPH.LEFT, "J": WD_ALIGN_PARAGRAPH.JUSTIFY}
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)
    normal.font.size = Pt(13)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    document.core_properties.title = form.title
    document.core_properties.author = form.author

    def para(container, runs: Sequence[Run], *, align: str = "C", size: float = 13, first: bool = False,
             underline: bool = False):
        p = container.paragraphs[0] if first and container.paragraphs else container.add_paragraph()
        p.alignment = aligns[align]
        for run in runs:
            r = p.add_run(run.text)
            r.bold, r.italic = run.bold, run.italic
            r.underline = underline
            r.font.size = Pt(size)
        return p

    no_borders = book.docx_no_borders

    def side_by_side(shares: Sequence[float]):
        table = document.add_table(rows=1, cols=len(shares))
        no_borders(table)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        cells = table.rows[0].cells
        for column, cell, share in zip(table.columns, cells, shares, strict=True):
            column.width = cell.width = Mm(TEXT_WIDTH_MM * share)
        return cells

    if form.header_left:
        left, right = side_by_side((0.42, 0.58))
        for n, run in enumerate(form.header_left):
            para(left, [run], size=12, first=n == 0)
        para(left, [Run("________")], size=9)
        para(right, [Run(MOTTO_NATION, bold=True)], size=12, first=True)
        para(right, [Run(MOTTO, bold=True)], size=13, underline=True)
        if form.header_date:
            para(right, [Run(form.header_date, italic=True)], size=13).paragraph_format.space_before = Pt(6)

    def put(item: Line) -> None:
        p = para(document, item.runs, align=item.align, size=item.size)
        if item.space_before:
            p.paragraph_format.space_before = Mm(item.space_before)
        if item.indent:
            p.paragraph_format.first_line_indent = Mm(10)

    for n, item in enumerate(form.before):
        p_item = item if n or not form.header_left else Line(item.runs, item.align, item.size,
                                                             max(item.space_before, 6), item.indent)
        put(p_item)

    if form.table is not None:
        spec = form.table
        columns = spec.columns
        total = sum(c.width for c in columns)
        widths = [Mm(TEXT_WIDTH_MM * c.width / total) for c in columns]
        document.add_paragraph()
        table = document.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width

        def repeat(row) -> None:
            element = OxmlElement("w:tblHeader")
            element.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(element)

        def fill(cells, values: Sequence[str], *, bold: bool, centred: bool) -> None:
            for cell, column, value, width in zip(cells, columns, values, widths, strict=True):
                cell.width = width
                parts = value.split("\n") if value else [""]
                for n, part in enumerate(parts):
                    para(cell, [Run(part, bold=bold)], size=DOCX_TABLE_PT, first=n == 0,
                         align="C" if centred or not column.left else "L")

        heading = table.rows[0]
        repeat(heading)
        fill(heading.cells, [c.label for c in columns], bold=True, centred=True)
        for cell in heading.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if spec.numbered:
            numbers = table.add_row()
            repeat(numbers)
            fill(numbers.cells, [f"({n + 1})" for n in range(len(columns))], bold=False, centred=True)
        for row in spec.rows:
            fill(table.add_row().cells, row.cells, bold=row.bold, centred=False)
        for row in table.rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    for item in form.after:
        put(item)

    if form.signatures:
        document.add_paragraph()
        shares = (0.5, 0.5)
        cells = side_by_side(shares)
        places = [cells[1]] if len(form.signatures) == 1 else cells[: len(form.signatures)]
        for cell, sig in zip(places, form.signatures, strict=True):
            first = True
            if sig.date_line:
                para(cell, [Run(sig.date_line, italic=True)], first=True)
                first = False
            para(cell, [Run(sig.title, bold=True)], first=first)
            para(cell, [Run(sig.hint, italic=True)], size=12)
            if sig.name:
                for _blank in range(4):
                    para(cell, [Run("")])
                para(cell, [Run(sig.name, bold=True)])

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- Danh mục hồ sơ (Phụ lục V §II) ---------------------------------------------------------------

PLAN_TITLE = "DANH MỤC HỒ SƠ"
PLAN_COLUMNS = [
    FormColumn("Số và ký hiệu hồ sơ", 14),
    FormColumn("Tên đề mục và tiêu đề hồ sơ", 44, left=True),
    FormColumn("Thời hạn bảo quản", 13),
    FormColumn("Người lập hồ sơ", 19, left=True),
    FormColumn("Ghi chú", 13, left=True),
]
OUTSIDE_PLAN_NOTE = "Lập ngoài Danh mục"


@dataclass
class PlanSheet:
    """The plan as printed: its lines (headings and dossiers) and counts."""

    year: int
    decision_line: str
    rows: list[FormRow]
    total: int
    permanent: int

    @property
    def closing(self) -> list[str]:
        return [f"Danh mục hồ sơ này có {self.total} hồ sơ, bao gồm:",
                f"{self.permanent} hồ sơ bảo quản vĩnh viễn;",
                f"{self.total - self.permanent} hồ sơ bảo quản có thời hạn."]


def _decision_line(plan: FilePlan, org: Organisation) -> str:
    """ "(Kèm theo Quyết định số 05/QĐ-UBND ngày 10 tháng 01 năm 2026 của Chủ tịch Ủy ban nhân
    dân xã Kim Bôi)"; dots while the plan is a draft (also one taken back to be changed:
    its former decision no longer stands)."""
    if plan.status != PlanStatus.APPROVED.value:
        return f"(Kèm theo Quyết định số {DOTS} {day_words(None)} của {DOTS})"
    position = _position(plan.approved_by)
    by = f"{position} {org.name}" if position else DOTS
    return f"(Kèm theo Quyết định số {plan.decision_number or DOTS} {day_words(plan.decision_date)} của {by})"


def _dossier_row(dossier: Dossier) -> FormRow:
    note = dossier.description
    if not dossier.in_plan:
        note = f"{note}; {OUTSIDE_PLAN_NOTE}" if note else OUTSIDE_PLAN_NOTE
    return FormRow([dossier.notation, dossier.title, retention_text(dossier), _person(dossier.responsible), note])


def plan_sheet(plan: FilePlan, org: Organisation) -> PlanSheet:
    """The plan's lines in order: each large heading ("I. VĂN PHÒNG", in capitals), the
    dossiers directly under it, then each of its sub-headings ("1. Công tác tổng hợp") with
    theirs."""
    rows: list[FormRow] = []
    for heading, dossiers_under in operations.in_order(plan):
        title = heading.title.upper() if heading.parent_id is None else heading.title
        rows.append(FormRow(["", f"{heading.numeral}. {title}", "", "", ""], bold=True))
        rows += [_dossier_row(d) for d in dossiers_under]
    dossiers = list(plan.dossiers)
    return PlanSheet(year=plan.year, decision_line=_decision_line(plan, org), rows=rows, total=len(dossiers),
                     permanent=sum(1 for d in dossiers if d.permanent))


def plan_form(plan: FilePlan, org: Organisation) -> Form:
    sheet = plan_sheet(plan, org)
    return Form(
        title=f"Danh mục hồ sơ năm {plan.year}", author=org.name, header_left=organisation_header(org),
        before=[line(PLAN_TITLE, bold=True, size=14), line(f"Năm {plan.year}", bold=True),
                line(sheet.decision_line, italic=True)],
        table=FormTable(PLAN_COLUMNS, sheet.rows),
        after=[line(sheet.closing[0], align="L", space_before=5, indent=True),
               *[line(text, align="L", indent=True) for text in sheet.closing[1:]]],
    )


def plan_pdf(plan: FilePlan, org: Organisation) -> bytes:
    return form_pdf(plan_form(plan, org))


def plan_docx(plan: FilePlan, org: Organisation) -> bytes:
    return form_docx(plan_form(plan, org))


PLAN_XLSX_COLUMNS = [Column(c.label, w, left=c.left, text=True) for c, w in zip(PLAN_COLUMNS, (14, 52, 14, 24, 18),
                                                                                 strict=True)]


def plan_xlsx(plan: FilePlan, org: Organisation) -> bytes:
    """The plan as a workbook, laid out as the printed form (the registers' writer with the
    form's heading above the table and its count under it), A4 portrait."""
    from openpyxl.styles import Alignment, Font

    sheet = plan_sheet(plan, org)
    numbers = [f"({n + 1})" for n in range(len(PLAN_COLUMNS))]
    register = Register(organisation=org.name, title=f"{PLAN_TITLE} NĂM {plan.year}",
                        sheet_name=f"Danh muc ho so {plan.year}", stem=plan_filename(plan, "").rstrip("."),
                        columns=PLAN_XLSX_COLUMNS, rows=[numbers] + [r.cells for r in sheet.rows], empty_text="")
    font = "Times New Roman"
    n = len(PLAN_COLUMNS)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = 8

    def put(ws, row: int, first: int, last: int, value: Any, *, size: int = 12, bold: bool = False,
            italic: bool = False, align: Alignment = centre) -> None:
        cell = ws.cell(row=row, column=first, value=value)
        cell.font = Font(name=font, size=size, bold=bold, italic=italic)
        cell.alignment = align
        if last > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)

    def above(ws) -> int:
        header = organisation_header(org)
        put(ws, 1, 1, 2, "\n".join(r.text for r in header), bold=True)
        put(ws, 1, 3, n, f"{MOTTO_NATION}\n{MOTTO}", bold=True)
        ws.row_dimensions[1].height = 34
        put(ws, 3, 1, n, PLAN_TITLE, size=14, bold=True)
        put(ws, 4, 1, n, f"Năm {plan.year}", size=13, bold=True)
        put(ws, 5, 1, n, sheet.decision_line, italic=True)
        ws.row_dimensions[5].height = 32
        return header_row

    def below(ws, last_row: int) -> None:
        ws.freeze_panes = None
        ws.page_setup.orientation = "portrait"
        ws.print_title_rows = f"{header_row}:{header_row + 1}"
        for cell in ws[header_row + 1]:
            cell.font = Font(name=font, size=11)
        for offset, row in enumerate(sheet.rows, start=header_row + 2):
            if row.bold:
                for cell in ws[offset]:
                    cell.font = Font(name=font, size=11, bold=True)
        for k, text in enumerate(sheet.closing):
            put(ws, last_row + 2 + k, 1, n, text, align=Alignment(horizontal="left", indent=2))

    return book.to_xlsx(register, above=above, below=below)


def plan_filename(plan: FilePlan, ext: str) -> str:
    return f"Danh-muc-ho-so-{plan.year}.{ext}"


# --- the items of a dossier, as its reader may see them --------------------------------------------

@dataclass
class ItemView:
    """An item as printed and exported: the document's own fields, or for another file
    what was said of it when it was filed."""

    item: DossierItem
    ordinal: int  # DocOrdinal as the reader sees it (1, 2, … over the items they may open)
    first_page: int | None  # where it starts in the dossier (Tờ số/Trang số); None after an unknown count
    kind: str
    type_name: str
    number_symbol: str
    issued: date | None
    organ_name: str  # OrganName / Tác giả văn bản
    subject: str
    pages: int | None
    signer_position: str = ""
    signer_name: str = ""
    arrival_date: date | None = None
    arrival_number: int | None = None

    @property
    def code(self) -> Code:
        return Code.from_text(self.number_symbol)

    @property
    def type_and_subject(self) -> str:
        return " ".join(t for t in (self.type_name, self.subject) if t)


def _documents(items: Sequence[DossierItem]) -> tuple[dict[int, IncomingDocument], dict[int, OutgoingDocument]]:
    incoming_ids = [i.incoming_id for i in items if i.incoming_id is not None]
    outgoing_ids = [i.outgoing_id for i in items if i.outgoing_id is not None]
    incoming = {d.id: d for d in db.session.scalars(
        sa.select(IncomingDocument).where(IncomingDocument.id.in_(incoming_ids)))} if incoming_ids else {}
    outgoing = {d.id: d for d in db.session.scalars(
        sa.select(OutgoingDocument).where(OutgoingDocument.id.in_(outgoing_ids)))} if outgoing_ids else {}
    return incoming, outgoing


def item_views(dossier: Dossier, items: Sequence[DossierItem], org: Organisation) -> list[ItemView]:
    """The given items (those the reader may open) in DocOrdinal order. A reader who sees
    every item gets the dossier's own ordinals; one who does not gets them counted over
    what they see (a gap would tell that something is hidden), and so are the pages."""
    ordered = sorted(items, key=lambda i: (i.ordinal, i.id))
    complete = len(ordered) == len(dossier.items)
    incoming, outgoing = _documents(ordered)
    views: list[ItemView] = []
    page: int | None = 1
    for n, item in enumerate(ordered, start=1):
        ordinal = item.ordinal if complete else n
        if item.kind == "incoming":
            doc = incoming[item.incoming_id]  # type: ignore[index]
            pages = item.page_count if item.page_count is not None else doc.page_count
            view = ItemView(item, ordinal, page, item.kind, doc.type_name, doc.number_symbol,
                            doc.issue_date or item.doc_date, doc.sender_name, doc.subject, pages,
                            signer_name=doc.signer, arrival_date=doc.arrival_date,
                            arrival_number=doc.arrival_number)
        elif item.kind == "outgoing":
            out = outgoing[item.outgoing_id]  # type: ignore[index]
            view = ItemView(item, ordinal, page, item.kind, out.type_name, out.number_symbol,
                            out.issued_on or item.doc_date, org.name, out.subject, item.page_count,
                            signer_position=_position(out.signer), signer_name=_person(out.signer))
        else:
            view = ItemView(item, ordinal, page, item.kind, "", "", item.doc_date, item.author, item.title,
                            item.page_count)
        views.append(view)
        page = page + view.pages if page is not None and view.pages is not None else None
    return views


def _totals(dossier: Dossier, views: Sequence[ItemView]) -> tuple[date | None, date | None, int]:
    """StartDate, EndDate, PageTotal over the items seen (the dossier's own dates when they
    are all seen)."""
    days = [v.item.doc_date for v in views]
    complete = len(views) == len(dossier.items)
    start = dossier.start_date if complete and dossier.start_date else min(days, default=None)
    end = dossier.end_date if complete and dossier.end_date else max(days, default=None)
    return start, end, sum(v.pages or 0 for v in views)


# --- Mục lục văn bản, tài liệu (Phụ lục V §IV) ----------------------------------------------------

CONTENTS_TITLE = "MỤC LỤC VĂN BẢN, TÀI LIỆU"
CONTENTS_COLUMNS = [
    FormColumn("STT", 6),
    FormColumn("Số, ký hiệu văn bản", 19),
    FormColumn("Ngày tháng năm văn bản", 12),
    FormColumn("Tên loại và trích yếu nội dung văn bản", 30, left=True),
    FormColumn("Tác giả văn bản", 16, left=True),
    FormColumn("Tờ số/ Trang số", 8),
    FormColumn("Ghi chú", 9, left=True),
]


def contents_rows(dossier: Dossier, items: Sequence[DossierItem], org: Organisation) -> list[list[str]]:
    """The Mục lục's rows as printed (the dossier page shows the same)."""
    return [[str(v.ordinal), v.number_symbol, format_date(v.issued), v.type_and_subject, v.organ_name,
             "" if v.first_page is None else str(v.first_page), ""]
            for v in item_views(dossier, items, org)]


def contents_form(dossier: Dossier, items: Sequence[DossierItem], org: Organisation) -> Form:
    return Form(
        title=f"Mục lục văn bản, tài liệu — hồ sơ {dossier.notation} năm {dossier.plan.year}", author=org.name,
        before=[line(CONTENTS_TITLE, bold=True, size=14),
                line(f"Số, ký hiệu hồ sơ: {dossier.notation}", bold=True),
                line(f"Năm {dossier.plan.year}", bold=True)],
        table=FormTable(CONTENTS_COLUMNS, [FormRow(cells) for cells in contents_rows(dossier, items, org)]),
    )


def contents_pdf(dossier: Dossier, items: Sequence[DossierItem], org: Organisation) -> bytes:
    return form_pdf(contents_form(dossier, items, org))


def contents_docx(dossier: Dossier, items: Sequence[DossierItem], org: Organisation) -> bytes:
    return form_docx(contents_form(dossier, items, org))


def contents_filename(dossier: Dossier, org: Organisation, ext: str) -> str:
    return f"Muc-luc-van-ban-{ascii_name(dossier.file_code(org.organ_id))}.{ext}"


# --- the dossier package (Phụ lục VI Part I §III.4.g; Part II §III) ---------------------------------

METADATA_NAME = "metadata.xml"
CONTENTS_NAME = "muc-luc.pdf"
SPOOL_BYTES = 8 * 1024 * 1024  # a package larger than this is written to disk


@dataclass(frozen=True)
class PackedFile:
    """One file of an item as it goes into the package."""

    path: str  # inside the ZIP
    name: str  # the original name
    sha256: str
    size: int


def _item_files(item: DossierItem) -> list[tuple[str, str, int]]:
    """(name, sha256, size) of the files an item stands for: those fixed at closing (the
    manifest), else those it points at now."""
    if item.manifest:
        return [(str(e.get("name") or "tep"), str(e["sha256"]), int(e.get("size") or 0)) for e in item.manifest]
    return [(f.original_name, f.sha256, f.size) for f in operations.item_files(item)]


def package_root(dossier: Dossier, org: Organisation) -> str:
    return ascii_name(dossier.file_code(org.organ_id), limit=80)


def _pack_plan(dossier: Dossier, views: Sequence[ItemView], org: Organisation) -> dict[int, list[PackedFile]]:
    root = package_root(dossier, org)
    used: set[str] = set()
    plan: dict[int, list[PackedFile]] = {}
    for view in views:
        packed = []
        for name, sha, size in _item_files(view.item):
            stem, dot, ext = name.rpartition(".")
            if not dot:
                stem, ext = name, ""
            base = f"{view.ordinal:03d}_{ascii_name(stem)}"
            suffix = f".{ascii_name(ext, 10).lower()}" if ext else ""
            path, k = f"{root}/{base}{suffix}", 1
            while path in used:
                k += 1
                path = f"{root}/{base}-{k}{suffix}"
            used.add(path)
            packed.append(PackedFile(path, name, sha, size))
        plan[view.item.id] = packed
    return plan


def _leaf(parent, name: str, value: object):
    from lxml import etree

    element = etree.SubElement(parent, name)
    element.text = _xml_text(value)
    return element


def _file_code(parent, dossier: Dossier, org: Organisation) -> None:
    from lxml import etree

    code = etree.SubElement(parent, "FileCode")
    _leaf(code, "OrganId", org.organ_id)
    _leaf(code, "FileCatalog", dossier.plan.year)
    _leaf(code, "FileNotation", dossier.notation)


def package_xml(dossier: Dossier, items: Sequence[DossierItem], org: Organisation,
                packed: dict[int, list[PackedFile]] | None = None) -> bytes:
    """The dossier's metadata with the field names of Phụ lục VI Part II §III: the dossier's
    (FileCode — OrganId, FileCatalog, FileNotation —, Title, Maintenance, Rights, Creator,
    Language, StartDate, EndDate, DocTotal, PageTotal, Description), then one ``Document``
    per item the reader may open, in DocOrdinal order (FileCode, DocOrdinal, TypeName,
    CodeNumber, CodeNotation, IssuedDate, OrganName, Subject, Language, PageAmount,
    Description; an incoming document's ArrivalDate and ArrivalNumber; SignerInfo with
    Position and FullName), each with the files of the package it stands for. Dates are
    dd/mm/yyyy (Date, 10)."""
    from lxml import etree

    views = item_views(dossier, items, org)
    if packed is None:
        packed = _pack_plan(dossier, views, org)
    start, end, pages = _totals(dossier, views)
    root = etree.Element("Dossier")
    _file_code(root, dossier, org)
    _leaf(root, "Title", dossier.title)
    _leaf(root, "Maintenance", retention_text(dossier))
    _leaf(root, "Rights", dossier.rights)
    _leaf(root, "Creator", _person(dossier.responsible))
    _leaf(root, "Language", dossier.language)
    _leaf(root, "StartDate", start)
    _leaf(root, "EndDate", end)
    _leaf(root, "DocTotal", len(views))
    _leaf(root, "PageTotal", pages)
    _leaf(root, "Description", dossier.description)
    for view in views:
        doc = etree.SubElement(root, "Document", kind=view.kind)
        _file_code(doc, dossier, org)
        _leaf(doc, "DocOrdinal", view.ordinal)
        _leaf(doc, "TypeName", view.type_name)
        code = view.code
        _leaf(doc, "CodeNumber", code.code_number)
        _leaf(doc, "CodeNotation", code.code_notation)
        _leaf(doc, "IssuedDate", view.issued)
        _leaf(doc, "OrganName", view.organ_name)
        _leaf(doc, "Subject", view.subject)
        _leaf(doc, "Language", LANGUAGE)
        _leaf(doc, "PageAmount", view.pages)
        _leaf(doc, "Description", "")
        if view.kind == "incoming":
            _leaf(doc, "ArrivalDate", view.arrival_date)
            _leaf(doc, "ArrivalNumber", view.arrival_number)
        if view.kind in ("incoming", "outgoing"):
            signer = etree.SubElement(doc, "SignerInfo")
            _leaf(signer, "Position", view.signer_position)
            _leaf(signer, "FullName", view.signer_name)
        files = etree.SubElement(doc, "Files")
        for entry in packed.get(view.item.id, []):
            f = etree.SubElement(files, "File")
            _leaf(f, "Path", entry.path.partition("/")[2])
            _leaf(f, "Name", entry.name)
            _leaf(f, "Sha256", entry.sha256)
            _leaf(f, "Size", entry.size)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def package_zip(dossier: Dossier, items: Sequence[DossierItem], org: Organisation) -> IO[bytes]:
    """The dossier as one ZIP, in a spooled temporary file positioned at its start (the
    caller closes it; ``send`` does): ``<FileCode>/metadata.xml``, ``<FileCode>/muc-luc.pdf``
    and each item's files as stored, byte for byte, ``<FileCode>/001_<name>.pdf`` … in
    DocOrdinal order. The files are copied from the store one by one, never held whole
    in memory; PDFs are stored, not compressed again."""
    views = item_views(dossier, items, org)
    packed = _pack_plan(dossier, views, org)
    root = package_root(dossier, org)
    store = FileStore.from_app()
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="xaso-package-")  # noqa: SIM115 - handed to the caller
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr(f"{root}/{METADATA_NAME}", package_xml(dossier, items, org, packed))
            archive.writestr(f"{root}/{CONTENTS_NAME}", contents_pdf(dossier, items, org))
            for view in views:
                for entry in packed[view.item.id]:
                    info = zipfile.ZipInfo(entry.path, date_time=_zip_time(view.issued))
                    info.compress_type = zipfile.ZIP_STORED
                    info.file_size = entry.size
                    with store.open(entry.sha256) as source, archive.open(info, "w", force_zip64=True) as target:
                        shutil.copyfileobj(source, target, 1024 * 1024)
        spool.seek(0)
        return spool  # type: ignore[return-value]
    except BaseException:
        spool.close()
        raise


def _zip_time(day: date | None) -> tuple[int, int, int, int, int, int]:
    """A file's date in the ZIP: the document's (ZIP cannot say before 1980)."""
    if day is None or day.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (day.year, day.month, day.day, 0, 0, 0)


def package_filename(dossier: Dossier, org: Organisation) -> str:
    return f"{package_root(dossier, org)}.zip"


# --- Mục lục hồ sơ, tài liệu nộp lưu (Phụ lục V §III) -----------------------------------------------

TRANSFER_LIST_TITLE = "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU"
TRANSFER_COLUMNS = [
    FormColumn("Số TT", 6),
    FormColumn("Số, ký hiệu hồ sơ", 13),
    FormColumn("Tiêu đề hồ sơ", 30, left=True),
    FormColumn("Thời gian tài liệu", 16),
    FormColumn("Thời hạn bảo quản", 13),
    FormColumn("Số tờ/ Số trang", 9),
    FormColumn("Ghi chú", 11, left=True),
]
SIGN_HINT = "(Ký và ghi rõ họ và tên)"


def _dossier_pages(dossier: Dossier) -> int:
    incoming, _outgoing = _documents(dossier.items)
    total = 0
    for item in dossier.items:
        pages = item.page_count
        if pages is None and item.incoming_id in incoming:
            pages = incoming[item.incoming_id].page_count  # type: ignore[index]
        total += pages or 0
    return total


def _giving(transfer: ArchiveTransfer) -> str:
    """Who hands over: the unit, else the person."""
    return transfer.unit.name if transfer.unit is not None else _person(transfer.giver)


def transfer_rows(transfer: ArchiveTransfer) -> list[list[str]]:
    return [[str(n), d.notation, d.title, _span(d.start_date, d.end_date), retention_text(d),
             str(_dossier_pages(d)), d.description]
            for n, d in enumerate(transfer.dossiers, start=1)]


def transfer_list_form(transfer: ArchiveTransfer, org: Organisation) -> Form:
    count = len(transfer.dossiers)
    giver = transfer.giver
    signed_on = _vn_day(transfer.submitted_at)
    return Form(
        title=f"Mục lục hồ sơ, tài liệu nộp lưu năm {transfer.year}", author=org.name,
        header_left=organisation_header(org, transfer.unit.name if transfer.unit is not None else ""),
        before=[line(TRANSFER_LIST_TITLE, bold=True, size=14), line(_giving(transfer), bold=True),
                line(f"Năm {transfer.year}", bold=True)],
        table=FormTable(TRANSFER_COLUMNS, [FormRow(cells) for cells in transfer_rows(transfer)]),
        after=[line(f"Mục lục này gồm: {count} hồ sơ (đơn vị bảo quản).", align="L", space_before=5,
                    indent=True),
               line(f"Viết bằng chữ: {number_words(count)} hồ sơ (đơn vị bảo quản).", align="L", indent=True)],
        signatures=[Signature("Người lập", "(Ký và ghi rõ họ và tên, chức vụ)",
                              ", ".join(t for t in (_person(giver), _position(giver)) if t),
                              date_line=date_line(org.place_name, signed_on))],
    )


def transfer_list_pdf(transfer: ArchiveTransfer, org: Organisation) -> bytes:
    return form_pdf(transfer_list_form(transfer, org))


def transfer_list_docx(transfer: ArchiveTransfer, org: Organisation) -> bytes:
    return form_docx(transfer_list_form(transfer, org))


def transfer_list_filename(transfer: ArchiveTransfer, ext: str) -> str:
    return f"Muc-luc-ho-so-nop-luu-{transfer.year}-{transfer.id}.{ext}"


# --- Biên bản giao nhận hồ sơ, tài liệu (Phụ lục V §V) ---------------------------------------------

def _plan_basis(transfer: ArchiveTransfer, org: Organisation) -> str:
    """ "Căn cứ Danh mục hồ sơ năm 2026 ban hành kèm theo Quyết định số … ngày … của …;" """
    plan = db.session.scalar(sa.select(FilePlan).where(FilePlan.organisation_id == transfer.organisation_id,
                                                       FilePlan.year == transfer.year))
    text = f"Căn cứ Danh mục hồ sơ năm {transfer.year}"
    if plan is not None and plan.status == PlanStatus.APPROVED.value and plan.decision_number:
        position = _position(plan.approved_by)
        text += f" ban hành kèm theo Quyết định số {plan.decision_number} {day_words(plan.decision_date)}"
        if position:
            text += f" của {position} {org.name}"
    return text + ";"


def file_count(transfer: ArchiveTransfer) -> int:
    """Tổng số tệp tin trong hồ sơ: the files of every item of the transfer's dossiers."""
    return sum(len(_item_files(item)) for d in transfer.dossiers for item in d.items)


def handover_form(transfer: ArchiveTransfer, org: Organisation) -> Form:
    dossiers = list(transfer.dossiers)
    first = min((d.start_date for d in dossiers if d.start_date), default=None)
    last = max((d.end_date for d in dossiers if d.end_date), default=None)
    giver, receiver = transfer.giver, transfer.received_by
    giving = ", ".join(t for t in (_person(giver), transfer.unit.name if transfer.unit else "") if t)

    def field_line(label: str, value: str, *, bold_label: bool = False) -> Line:
        return Line([Run(label, bold=bold_label), Run(value or DOTS)], align="L", indent=True)

    title = transfer.title or f"Hồ sơ, tài liệu năm {transfer.year}"
    body = [
        line(DECREE_BASIS, align="L", indent=True, italic=True, space_before=3),
        line(_plan_basis(transfer, org), align="L", indent=True, italic=True),
        line("Chúng tôi gồm:", align="L", indent=True),
        field_line("BÊN GIAO: ", giving, bold_label=True),
        field_line("Ông (bà): ", _person(giver)),
        field_line("Chức vụ công tác: ", _position(giver)),
        field_line("BÊN NHẬN: ", "Lưu trữ cơ quan", bold_label=True),
        field_line("Ông (bà): ", _person(receiver)),
        field_line("Chức vụ công tác: ", _position(receiver)),
        line("Thống nhất lập biên bản giao nhận tài liệu với những nội dung như sau:", align="L", indent=True),
        field_line("1. Tên khối tài liệu giao nộp: ", title),
        field_line("2. Thời gian của hồ sơ, tài liệu: ", _span(first, last)),
        line("3. Số lượng tài liệu:", align="L", indent=True),
        line("a) Đối với hồ sơ, tài liệu giấy", align="L", indent=True),
        field_line("- Tổng số hộp (cặp): ", ""),
        Line([Run("- Tổng số hồ sơ (đơn vị bảo quản): "), Run(f"{DOTS} Quy ra mét giá: {DOTS} mét.")],
             align="L", indent=True),
        line("b) Đối với hồ sơ, tài liệu điện tử", align="L", indent=True),
        field_line("- Tổng số hồ sơ: ", str(len(dossiers))),
        field_line("- Tổng số tệp tin trong hồ sơ: ", str(file_count(transfer))),
        field_line("4. Tình trạng tài liệu giao nộp: ", transfer.condition.strip()),
        line("5. Mục lục hồ sơ, tài liệu nộp lưu kèm theo.", align="L", indent=True),
        line("Biên bản này được lập thành hai bản; bên giao giữ một bản, bên nhận giữ một bản./.", align="L",
             indent=True),
    ]
    return Form(
        title=f"Biên bản giao nhận hồ sơ, tài liệu năm {transfer.year}", author=org.name,
        header_left=organisation_header(org), header_date=date_line(org.place_name, _vn_day(transfer.received_at)),
        before=[line("BIÊN BẢN", bold=True, size=14), line("Giao nhận hồ sơ, tài liệu", bold=True), *body],
        signatures=[Signature("ĐẠI DIỆN BÊN GIAO", SIGN_HINT, _person(giver)),
                    Signature("ĐẠI DIỆN BÊN NHẬN", SIGN_HINT, _person(receiver))],
    )


def handover_pdf(transfer: ArchiveTransfer, org: Organisation) -> bytes:
    return form_pdf(handover_form(transfer, org))


def handover_docx(transfer: ArchiveTransfer, org: Organisation) -> bytes:
    return form_docx(handover_form(transfer, org))


def handover_filename(transfer: ArchiveTransfer, ext: str) -> str:
    return f"Bien-ban-giao-nhan-{transfer.year}-{transfer.id}.{ext}"


# --- one HTTP response for every door --------------------------------------------------------------

MIMES = {"pdf": PDF_MIME, "docx": DOCX_MIME, "xlsx": XLSX_MIME, "zip": ZIP_MIME}


def send(data: bytes | IO[bytes], filename: str):
    """An export as a download, never kept by a shared cache (it names people and
    documents). ``data``: bytes, or an open file (a package) that the response closes."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    response = send_file(stream, mimetype=MIMES[filename.rpartition(".")[2]], as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response



# The doors' one call each: the reader, what they asked for, the format.

def send_plan(user: User, plan: FilePlan, fmt: str):
    """Danh mục hồ sơ (docx | pdf | xlsx); the caller has found the plan the user may view."""
    render = {"docx": plan_docx, "pdf": plan_pdf, "xlsx": plan_xlsx}[fmt]
    return send(render(plan, operations.organisation_of(plan)), plan_filename(plan, fmt))


def send_dossier_index(user: User, dossier: Dossier, fmt: str):
    """Mục lục văn bản (docx | pdf) of a dossier the user may read: the items they may open."""
    org = operations.organisation_of(dossier)
    render = {"docx": contents_docx, "pdf": contents_pdf}[fmt]
    return send(render(dossier, access.visible_items(user, dossier), org), contents_filename(dossier, org, fmt))


def send_package(user: User, dossier: Dossier):
    """The dossier's package (ZIP) as the user may see it."""
    org = operations.organisation_of(dossier)
    return send(package_zip(dossier, access.visible_items(user, dossier), org), package_filename(dossier, org))


def send_transfer_index(user: User, transfer: ArchiveTransfer, fmt: str):
    """Mục lục hồ sơ, tài liệu nộp lưu (docx | pdf) of a transfer the user may read."""
    render = {"docx": transfer_list_docx, "pdf": transfer_list_pdf}[fmt]
    return send(render(transfer, operations.organisation_of(transfer)), transfer_list_filename(transfer, fmt))


def send_receipt(user: User, transfer: ArchiveTransfer, fmt: str):
    """Biên bản giao nhận (docx | pdf) of a transfer the user may read."""
    render = {"docx": handover_docx, "pdf": handover_pdf}[fmt]
    return send(render(transfer, operations.organisation_of(transfer)), handover_filename(transfer, fmt))
