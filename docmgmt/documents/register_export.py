"""A register (sổ văn bản, NĐ30 Phụ lục IV) as a printable file: XLSX and PDF.

Format-independent: a register is a title, columns with widths and rows of cells
(text, dates, numbers). The sổ đến (``incoming.export``) and the sổ đi
(``outgoing.export``) each build one from their documents — deciding who may see what
through their own ``register_documents`` — and hand it here to be written:

* XLSX (openpyxl): organisation and title on top, the column headings on row
  ``HEADER_ROW``, repeated on every printed page, landscape A4 fitted to the width;
* PDF (fpdf2, Liberation Serif — metric-compatible with Times New Roman and complete
  for Vietnamese in Debian's ``fonts-liberation2``): landscape A4, the headings
  repeated on every page, a line taller than a page continued on the next rows.

A report built on a register (``reports.legal``: the NĐ30 reports on handling) writes its
own heading, summary and signatures around the same table through the ``above`` and
``below`` hooks of both writers; a register passes none and prints as it always has.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import abort, current_app, request, send_file

from ..core.timeutil import format_date, vn_today

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/liberation2"
HEADER_ROW = 4  # XLSX: organisation (1), title (2), blank (3), headings (4)
EMPTY_TEXT = "(Sổ chưa có văn bản nào.)"


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # characters in XLSX, relative in PDF
    left: bool = False  # long text (names, trích yếu): left-aligned; the rest centred
    text: bool = False  # keep as text in XLSX ("01", not 1)


@dataclass
class Register:
    organisation: str  # printed in capitals above the title
    title: str  # "SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2026"
    sheet_name: str  # XLSX sheet (≤ 31 characters, no / \ ? * [ ])
    stem: str  # file name without extension: "So-di-2026"
    columns: list[Column]
    rows: list[list] = field(default_factory=list)  # one list of cells per line
    empty_text: str = EMPTY_TEXT  # printed under the headings when there is no line

    def filename(self, ext: str) -> str:
        return f"{self.stem}.{ext}"


def cell_text(value) -> str:
    """A cell as printed: dates dd/mm/yyyy, nothing for None, a fraction with one decimal
    and a Vietnamese comma (3,5)."""
    if isinstance(value, date):
        return format_date(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


# --- XLSX ---------------------------------------------------------------------------------

# above(ws) writes what stands over the table and returns the row of its headings;
# below(ws, last_row) writes what follows the table's last row.
XlsxAbove = Callable[[Any], int]
XlsxBelow = Callable[[Any, int], None]


def to_xlsx(register: Register, *, above: XlsxAbove | None = None, below: XlsxBelow | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    columns = register.columns
    last = get_column_letter(len(columns))
    wb = Workbook()
    ws = wb.active
    ws.title = register.sheet_name[:31]
    font = "Times New Roman"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    if above is None:
        ws["A1"] = register.organisation.upper()
        ws["A1"].font = Font(name=font, size=12, bold=True)
        ws.merge_cells(f"A1:{last}1")
        ws["A2"] = register.title
        ws["A2"].font = Font(name=font, size=14, bold=True)
        ws.merge_cells(f"A2:{last}2")
        for cell in (ws["A1"], ws["A2"]):
            cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[2].height = 24
        header_row = HEADER_ROW
    else:
        header_row = above(ws)

    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=col, value=column.label)
        cell.font = Font(name=font, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.row_dimensions[header_row].height = 45

    for r, row in enumerate(register.rows, start=header_row + 1):
        for col, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = ws.cell(row=r, column=col, value=value if value != "" else None)
            cell.font = Font(name=font, size=11)
            cell.border = border
            cell.alignment = Alignment(horizontal="left" if column.left else "center",
                                       vertical="top", wrap_text=True)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, float):
                cell.number_format = "0.0"
            elif column.text:
                cell.number_format = "@"

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"  # the headings on every printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
    if below is not None:
        below(ws, header_row + len(register.rows))
    wb.properties.title = register.title
    wb.properties.creator = "Xã Số"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------

def docx_no_borders(table: Any) -> None:
    """A python-docx table drawn without lines (the blocks of a heading set side by side)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def font_dir() -> Path:
    folder = Path(current_app.config.get("REPORT_FONT_DIR") or DEFAULT_FONT_DIR)
    if not (folder / "LiberationSerif-Regular.ttf").exists():
        raise RuntimeError(
            f"Liberation Serif not found in {folder}: install the Debian package "
            "fonts-liberation2 or set XASO_REPORT_FONT_DIR")
    return folder


LINE_HEIGHT = 5  # mm, for 10 pt text
CELL_PADDING = 1  # mm
MAX_LINES_PER_ROW = 30  # what fits on a landscape A4 page under the repeated heading


def _surely_fits(pdf, text: str, width: float) -> bool:
    """Without measuring (measuring every cell doubles the time of a long register): no
    glyph is wider than 1.5 em, and wrapping at spaces leaves any two following lines
    fuller than one line's width — so a text this short takes at most the lines allowed."""
    return text.count("\n") + 1 + 2 * len(text) * 1.5 * pdf.font_size / width <= MAX_LINES_PER_ROW


def _fitting_rows(pdf, cells: list[str], widths: list[float]) -> list[list[str]]:
    """A register line too tall for one page (a trích yếu may run to 2000 characters)
    continues on the following table rows, so nothing is cut off."""
    if all(_surely_fits(pdf, text, w) for w, text in zip(widths, cells, strict=True)):
        return [cells]
    lines = [pdf.multi_cell(w, LINE_HEIGHT, text, dry_run=True, output="LINES") if text else []
             for w, text in zip(widths, cells, strict=True)]
    height = max((len(c) for c in lines), default=0)
    if height <= MAX_LINES_PER_ROW:
        return [cells]
    return [["\n".join(c[start:start + MAX_LINES_PER_ROW]) for c in lines]
            for start in range(0, height, MAX_LINES_PER_ROW)]


PDF_FAMILY = "LiberationSerif"  # regular and bold are loaded; a hook adds what else it needs
PdfPart = Callable[[Any], None]  # above(pdf) / below(pdf): writes over / under the table


def to_pdf(register: Register, *, above: PdfPart | None = None, below: PdfPart | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    folder = font_dir()
    family = PDF_FAMILY

    class RegisterPdf(FPDF):
        def footer(self):
            self.set_y(-10)
            self.set_font(family, size=9)
            self.cell(0, 5, f"{register.title} — Trang {self.page_no()}/{{nb}}", align="C")

    pdf = RegisterPdf(orientation="L", unit="mm", format="A4")
    pdf.set_title(register.title)
    pdf.set_author(register.organisation)
    pdf.set_creator("Xã Số")
    pdf.add_font(family, "", str(folder / "LiberationSerif-Regular.ttf"))
    pdf.add_font(family, "B", str(folder / "LiberationSerif-Bold.ttf"))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    if above is None:
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 6, register.organisation.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "B", 15)
        pdf.cell(0, 10, register.title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    else:
        above(pdf)

    columns = register.columns
    pdf.set_font(family, "", 10)
    total = sum(c.width for c in columns)
    widths = [pdf.epw * c.width / total - 2 * CELL_PADDING for c in columns]
    with pdf.table(
        col_widths=[c.width for c in columns], text_align="LEFT", v_align="TOP",
        headings_style=FontFace(family=family, emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=LINE_HEIGHT, padding=CELL_PADDING, repeat_headings=1, num_heading_rows=1,
    ) as table:
        heading = table.row()
        for column in columns:
            heading.cell(column.label, align="C", v_align="M")
        for row in register.rows:
            for chunk in _fitting_rows(pdf, [cell_text(v) for v in row], widths):
                line = table.row()
                for value in chunk:
                    line.cell(value)
    if not register.rows:
        pdf.ln(4)
        pdf.set_font(family, "", 11)
        pdf.cell(0, 6, register.empty_text, align="C", new_x="LMARGIN", new_y="NEXT")
    if below is not None:
        below(pdf)
    return bytes(pdf.output())


# --- one HTTP response for every door -------------------------------------------------------

FORMATS: dict[str, tuple[Callable[[Register], bytes], str]] = {
    "xlsx": (to_xlsx, XLSX_MIME), "pdf": (to_pdf, PDF_MIME)}


def send_register(register: Register, fmt: str):
    """The register as a download (``So-di-2026.xlsx``), never kept by a shared cache:
    it names people and documents."""
    render, mime = FORMATS[fmt]
    response = send_file(io.BytesIO(render(register)), mimetype=mime, as_attachment=True,
                         download_name=register.filename(fmt), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- what the doors ask of a register request ---------------------------------------------

FIRST_YEAR, LAST_YEAR = 2000, 2100


def register_year(year: int | None) -> int:
    """The register's year (this year if none is given); 404 outside the years kept."""
    year = year or vn_today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


def confidential_requested() -> bool:
    """``?confidential=1`` or ``?mat=1`` (as the register pages link it): the mật series."""
    value = request.args.get("confidential") or request.args.get("mat") or ""
    return value.lower() in {"1", "true", "yes", "on"}
