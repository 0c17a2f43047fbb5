"""The incoming register (sổ đăng ký văn bản đến, NĐ30 Phụ lục IV) exported per year.

One list of rows — read through ``operations.register_documents``, which decides who may
see which register — printed three ways: JSON (the API), XLSX (openpyxl) and PDF (fpdf2
with Liberation Serif, metric-compatible with Times New Roman, so Vietnamese renders).
The confidential series is a separate register with only the paper-tracking columns
(number, date, sender, holder), for those allowed to see confidential entries.

Also the web door ``incoming_export``: ``/incoming/register/<year>/export.xlsx|pdf``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, request, send_file
from flask_login import current_user, login_required

from ..core.timeutil import format_date, to_vn
from ..documents.types import Urgency
from ..extensions import db
from ..org.models import Organisation, User
from .models import IncomingDocument
from .operations import register_documents
from .workflow import Status

# Phụ lục IV, sổ đăng ký văn bản đến: the ten columns, in this order, and their widths
# (characters in XLSX, relative in PDF).
COLUMNS: list[tuple[str, int]] = [
    ("Ngày đến", 11),
    ("Số đến", 7),
    ("Tác giả", 22),
    ("Số, ký hiệu văn bản", 15),
    ("Ngày tháng văn bản", 11),
    ("Tên loại và trích yếu nội dung văn bản", 46),
    ("Đơn vị hoặc người nhận", 22),
    ("Ngày chuyển", 11),
    ("Ký nhận", 10),
    ("Ghi chú", 16),
]
# Văn bản mật: only what tracks the paper, never what it says.
CONFIDENTIAL_COLUMNS: list[tuple[str, int]] = [
    ("Ngày đến", 14),
    ("Số đến", 10),
    ("Tác giả", 50),
    ("Người giữ bản giấy", 40),
]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/liberation2"


@dataclass
class RegisterRow:
    arrival_date: date
    arrival_number: str  # 01, 02, … (NĐ30: leading zero below 10)
    sender: str
    number_symbol: str = ""
    issue_date: date | None = None
    type_and_subject: str = ""
    recipient: str = ""
    transferred_on: date | None = None
    signed: str = ""  # ký nhận: signed on paper
    note: str = ""
    holder: str = ""

    def cells(self, confidential: bool) -> list:
        if confidential:
            return [self.arrival_date, self.arrival_number, self.sender, self.holder]
        return [self.arrival_date, self.arrival_number, self.sender, self.number_symbol,
                self.issue_date, self.type_and_subject, self.recipient, self.transferred_on,
                self.signed, self.note]


@dataclass
class RegisterExport:
    organisation: Organisation
    year: int
    confidential: bool
    rows: list[RegisterRow]

    @property
    def title(self) -> str:
        return f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN {'MẬT ' if self.confidential else ''}NĂM {self.year}"

    @property
    def columns(self) -> list[tuple[str, int]]:
        return CONFIDENTIAL_COLUMNS if self.confidential else COLUMNS

    def filename(self, ext: str) -> str:
        return f"So-den-{'mat-' if self.confidential else ''}{self.year}.{ext}"


def _row(doc: IncomingDocument) -> RegisterRow:
    if doc.is_confidential:
        return RegisterRow(doc.arrival_date, f"{doc.arrival_number:02d}", doc.sender_name,
                           holder=doc.paper_holder)
    active = doc.active_assignments
    main = next((a for a in active if a.role == "main"), None)
    co = [a.assignee_label for a in active if a.role == "co"]
    recipient = main.assignee_label if main else ""
    if co:
        recipient += ("; " if recipient else "") + "phối hợp: " + ", ".join(co)
    notes = []
    if doc.urgency != Urgency.NORMAL.value:
        notes.append(Urgency(doc.urgency).label)
    if doc.status == Status.RETURNED.value:
        notes.append("Đã trả lại nơi gửi")
    if doc.sender_due_date:
        notes.append(f"Hạn trả lời {format_date(doc.sender_due_date)}")
    return RegisterRow(
        arrival_date=doc.arrival_date, arrival_number=f"{doc.arrival_number:02d}",
        sender=doc.sender_name, number_symbol=doc.number_symbol, issue_date=doc.issue_date,
        type_and_subject=f"{doc.type_name}\n{doc.subject}".strip(),
        recipient=recipient,
        transferred_on=to_vn(main.assigned_at).date() if main else None,
        note="; ".join(notes),
    )


def register_export(user: User, year: int, confidential: bool = False) -> RegisterExport:
    """The register's rows in arrival-number order (permission decided by the domain)."""
    docs = register_documents(user, year, confidential)
    org = db.session.get_one(Organisation, user.organisation_id)
    return RegisterExport(org, year, confidential, [_row(d) for d in docs])


def _text(value) -> str:
    if isinstance(value, date):
        return format_date(value)
    return value or ""


def as_dicts(export: RegisterExport) -> list[dict]:
    keys = ("arrival_date", "arrival_number", "sender", "number_symbol", "issue_date",
            "type_and_subject", "recipient", "transferred_on", "note", "holder")
    return [{k: _text(getattr(r, k)) for k in keys} for r in export.rows]


# --- XLSX ---------------------------------------------------------------------------------

def to_xlsx(export: RegisterExport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    columns = export.columns
    last = get_column_letter(len(columns))
    wb = Workbook()
    ws = wb.active
    ws.title = f"So den {'mat ' if export.confidential else ''}{export.year}"
    font = "Times New Roman"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws["A1"] = export.organisation.name.upper()
    ws["A1"].font = Font(name=font, size=12, bold=True)
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = export.title
    ws["A2"].font = Font(name=font, size=14, bold=True)
    ws.merge_cells(f"A2:{last}2")
    for cell in (ws["A1"], ws["A2"]):
        cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 24
    header_row = 4

    for col, (label, width) in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=col, value=label)
        cell.font = Font(name=font, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header_row].height = 45

    wide = {"Tác giả", "Tên loại và trích yếu nội dung văn bản", "Đơn vị hoặc người nhận",
            "Ghi chú", "Người giữ bản giấy"}
    for r, row in enumerate(export.rows, start=header_row + 1):
        for col, value in enumerate(row.cells(export.confidential), start=1):
            cell = ws.cell(row=r, column=col, value=value if value != "" else None)
            cell.font = Font(name=font, size=11)
            cell.border = border
            left = columns[col - 1][0] in wide
            cell.alignment = Alignment(horizontal="left" if left else "center",
                                       vertical="top", wrap_text=True)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif col == 2:
                cell.number_format = "@"  # số đến stays text: 01, not 1

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"  # the header on every printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
    wb.properties.title = export.title
    wb.properties.creator = "Xã Số"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------

def _font_dir() -> Path:
    folder = Path(current_app.config.get("REPORT_FONT_DIR") or DEFAULT_FONT_DIR)
    if not (folder / "LiberationSerif-Regular.ttf").exists():
        raise RuntimeError(
            f"Liberation Serif not found in {folder}: install the Debian package "
            "fonts-liberation2 or set XASO_REPORT_FONT_DIR")
    return folder


LINE_HEIGHT = 5  # mm, for 10 pt text
CELL_PADDING = 1  # mm
MAX_LINES_PER_ROW = 30  # what fits on a landscape A4 page under the repeated heading


def _fitting_rows(pdf, cells: list[str], widths: list[float]) -> list[list[str]]:
    """A register line too tall for one page (a trích yếu may run to 2000 characters)
    continues on the following table rows, so nothing is cut off."""
    lines = [pdf.multi_cell(w, LINE_HEIGHT, text, dry_run=True, output="LINES") if text else []
             for w, text in zip(widths, cells, strict=True)]
    height = max((len(c) for c in lines), default=0)
    if height <= MAX_LINES_PER_ROW:
        return [cells]
    return [["\n".join(c[start:start + MAX_LINES_PER_ROW]) for c in lines]
            for start in range(0, height, MAX_LINES_PER_ROW)]


def to_pdf(export: RegisterExport) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    folder = _font_dir()
    family = "LiberationSerif"

    class RegisterPdf(FPDF):
        def footer(self):
            self.set_y(-10)
            self.set_font(family, size=9)
            self.cell(0, 5, f"{export.title} — Trang {self.page_no()}/{{nb}}", align="C")

    pdf = RegisterPdf(orientation="L", unit="mm", format="A4")
    pdf.set_title(export.title)
    pdf.set_author(export.organisation.name)
    pdf.set_creator("Xã Số")
    pdf.add_font(family, "", str(folder / "LiberationSerif-Regular.ttf"))
    pdf.add_font(family, "B", str(folder / "LiberationSerif-Bold.ttf"))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.set_font(family, "B", 12)
    pdf.cell(0, 6, export.organisation.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 15)
    pdf.cell(0, 10, export.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    columns = export.columns
    pdf.set_font(family, "", 10)
    total = sum(w for _label, w in columns)
    widths = [pdf.epw * w / total - 2 * CELL_PADDING for _label, w in columns]
    with pdf.table(
        col_widths=[w for _label, w in columns], text_align="LEFT", v_align="TOP",
        headings_style=FontFace(family=family, emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=LINE_HEIGHT, padding=CELL_PADDING, repeat_headings=1, num_heading_rows=1,
    ) as table:
        heading = table.row()
        for label, _w in columns:
            heading.cell(label, align="C", v_align="M")
        for row in export.rows:
            for chunk in _fitting_rows(pdf, [_text(v) for v in row.cells(export.confidential)],
                                       widths):
                line = table.row()
                for value in chunk:
                    line.cell(value)
    if not export.rows:
        pdf.ln(4)
        pdf.set_font(family, "", 11)
        pdf.cell(0, 6, "(Sổ chưa có văn bản nào.)", align="C")
    return bytes(pdf.output())


# --- one response for both doors ------------------------------------------------------------

FORMATS = {"xlsx": (to_xlsx, XLSX_MIME), "pdf": (to_pdf, PDF_MIME)}


def export_response(user: User, year: int, fmt: str, confidential: bool = False):
    if not 2000 <= year <= 2100:
        abort(404)
    export = register_export(user, year, confidential)
    render, mime = FORMATS[fmt]
    response = send_file(io.BytesIO(render(export)), mimetype=mime, as_attachment=True,
                         download_name=export.filename(fmt), max_age=0)
    # The register names people and documents: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


bp = Blueprint("incoming_export", __name__)


def _confidential_arg() -> bool:
    """``?confidential=1`` (or ``?mat=1``, as the register page links it)."""
    value = request.args.get("confidential") or request.args.get("mat") or ""
    return value.lower() in {"1", "true", "yes", "on"}


@bp.route("/incoming/register/<int:year>/export.xlsx")
@login_required
def export_xlsx(year: int):
    """Sổ đến of the year as XLSX (``?confidential=1`` or ``?mat=1``: the confidential series)."""
    return export_response(current_user, year, "xlsx", _confidential_arg())


@bp.route("/incoming/register/<int:year>/export.pdf")
@login_required
def export_pdf(year: int):
    """Sổ đến of the year as PDF, landscape A4, header repeated on every page."""
    return export_response(current_user, year, "pdf", _confidential_arg())
