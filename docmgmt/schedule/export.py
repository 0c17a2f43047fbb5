"""The weekly work schedule as the commune prints it: DOCX and PDF on one A4 landscape page.

The layout is the one communes pin up every Friday (*Lịch công tác tuần*): the heading of
Decree 30 (the organisation on the left, the national motto on the right with the place
and date line), the title "LỊCH CÔNG TÁC TUẦN …" with "(Từ ngày … đến ngày …)", then one
table — a block of rows per day, Thứ Hai to Chủ nhật, each day named once (merged down its
rows) — with the columns Thời gian | Nội dung công việc | Chủ trì | Thành phần | Địa điểm |
Đơn vị chuẩn bị. An entry changed after the first publication says "Điều chỉnh"; a meeting
cancelled since says "Đã hủy". Under the table: who approved and when (or "DỰ THẢO").

Format-independent: :func:`build_sheet` turns the domain's ``WeekView`` into a
:class:`WeekSheet` (plain strings), which :func:`to_docx` and :func:`to_pdf` write. The
text is Vietnamese whatever the reader's language: it is a document of the commune.

One page: the PDF is written at the largest type (11 pt down to 7 pt) that keeps the week
on one page; the DOCX, which cannot be measured here, picks its type from the number of
lines (a normal week of up to about thirty entries stays on one page in Word and
LibreOffice alike).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import send_file

from ..core.timeutil import format_date, to_vn
from ..documents import register_export as book
from ..documents.calendar import Holiday
from ..extensions import db
from ..org.models import Organisation, User

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = book.PDF_MIME
MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
CHANGED = "Điều chỉnh"
CANCELLED = "Đã hủy"
DRAFT_LINE = "DỰ THẢO — chưa được duyệt ban hành"
NOTHING = "—"
COLUMNS: list[tuple[str, int]] = [  # label, relative width
    ("Thứ, ngày", 8),
    ("Thời gian", 11),
    ("Nội dung công việc", 34),
    ("Chủ trì", 13),
    ("Thành phần", 22),
    ("Địa điểm", 13),
    ("Đơn vị chuẩn bị", 13),
]


def day_name(day: date) -> str:
    return DAY_NAMES[day.weekday()]


def hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def time_span(start: time, end: time | None) -> str:
    """ "07:30 – 09:00", or "07:30" when no end is set."""
    return f"{hhmm(start)} – {hhmm(end)}" if end else hhmm(start)


def organisation_lines(name: str) -> list[str]:
    """The issuing body as NĐ30 writes it in capitals, the body's kind above its place:
    "ỦY BAN NHÂN DÂN" / "XÃ KIM BÔI"."""
    upper = name.upper()
    for kind in ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN "):
        if upper.startswith(kind) and len(upper) > len(kind):
            return [kind.strip(), upper[len(kind):]]
    return [upper]


def nd30_date_line(place: str, day: date) -> str:
    """“Kim Bôi, ngày 05 tháng 02 năm 2026”: a zero before days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


def week_number(monday: date) -> int:
    return monday.isocalendar().week


def week_title(organisation: str, monday: date) -> str:
    return f"LỊCH CÔNG TÁC TUẦN {week_number(monday)} CỦA LÃNH ĐẠO {organisation.upper()}"


def period_line(monday: date) -> str:
    return f"(Từ ngày {format_date(monday)} đến ngày {format_date(monday + timedelta(days=6))})"


@dataclass
class SheetRow:
    time: str
    title: str
    chair: str
    attendees: str
    place: str
    preparing: str
    notes: str = ""
    changed: bool = False
    cancelled: bool = False

    def marked_title(self) -> str:
        """The title with its marks first: "[Điều chỉnh] Họp giao ban"."""
        marks = [m for m, on in ((CANCELLED, self.cancelled), (CHANGED, self.changed)) if on]
        return (f"[{', '.join(marks)}] " if marks else "") + self.title

    def content(self) -> str:
        """The "Nội dung" cell as printed: the marked title, the notes under it."""
        text = self.marked_title()
        return f"{text}\n({self.notes})" if self.notes else text

    def cells(self) -> list[str]:
        return [self.time, self.content(), self.chair, self.attendees, self.place, self.preparing]


@dataclass
class SheetDay:
    day: date
    holiday: str = ""
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        return day_name(self.day)

    @property
    def label(self) -> str:
        return f"{self.name}\n{self.day.strftime('%d/%m')}"


@dataclass
class WeekSheet:
    organisation: str
    place_name: str
    monday: date
    days: list[SheetDay]
    version: int | None = None  # the published version printed; None: the live draft
    published_on: date | None = None
    approver: str = ""  # "Bùi Văn Khánh, Chủ tịch"
    today: date | None = None

    @property
    def title(self) -> str:
        return week_title(self.organisation, self.monday)

    @property
    def period(self) -> str:
        return period_line(self.monday)

    @property
    def date_line(self) -> str:
        return nd30_date_line(self.place_name, self.published_on or self.today or self.monday)

    @property
    def status_line(self) -> str:
        if self.version is None:
            return DRAFT_LINE
        text = f"Đã duyệt ban hành ngày {format_date(self.published_on)}" if self.published_on else "Đã ban hành"
        if self.approver:
            text += f" — {self.approver}"
        return text + (f" (điều chỉnh lần {self.version - 1})" if self.version > 1 else "")

    @property
    def line_count(self) -> int:
        return sum(max(1, len(d.rows)) for d in self.days)

    @property
    def stem(self) -> str:
        suffix = f"-ban-{self.version}" if self.version else "-du-thao"
        return f"Lich-cong-tac-tuan-{week_number(self.monday)}-{self.monday.year}{suffix}"

    def filename(self, ext: str) -> str:
        return f"{self.stem}.{ext}"


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.full_name + (f", {user.position.name}" if user.position else "")


def holidays_in(organisation_id: int, monday: date) -> dict[date, str]:
    """The commune's days off in the week, with their names (documents.calendar)."""
    rows = db.session.execute(sa.select(Holiday.day, Holiday.name).where(
        Holiday.organisation_id == organisation_id,
        Holiday.day.between(monday, monday + timedelta(days=6))))
    return {day: name or "Nghỉ lễ" for day, name in rows}


def build_sheet(view: Any, organisation: Organisation, today: date) -> WeekSheet:
    """The week ``view`` (a ``queries.WeekView``: what its reader may read) as printed."""
    holidays = holidays_in(organisation.id, view.monday)
    days = []
    for day, items in view.days():
        days.append(SheetDay(day, holidays.get(day, ""), [
            SheetRow(time=time_span(i.start, i.end), title=i.title, chair=i.chair_name,
                     attendees=i.attendees, place=i.place, preparing=i.preparing_unit,
                     notes=i.notes, changed=i.changed, cancelled=i.cancelled)
            for i in items]))
    published_on, approver = None, ""
    if view.version is not None and view.week is not None:
        version = next((v for v in view.week.versions if v.number == view.version), None)
        if version is not None:
            published_on = to_vn(version.published_at).date()
            approver = _person(db.session.get(User, version.published_by_id))
    return WeekSheet(organisation=organisation.name, place_name=organisation.place_name,
                     monday=view.monday, days=days, version=view.version,
                     published_on=published_on, approver=approver, today=today)


# --- DOCX -------------------------------------------------------------------------------------

FONT = "Times New Roman"


DOCX_SIZES = (11.0, 10.0, 9.0, 8.0, 7.0)  # pt, tried from the largest down
DOCX_TABLE_MM = 150.0  # the table's height on the page under the heading (A4 landscape)


def _estimated_lines(text: str, width_mm: float, size: float) -> int:
    """Lines a cell's text takes in Times at ``size`` pt: an average glyph is about half an
    em wide (Vietnamese diacritics add no width), words wrap, a newline breaks."""
    per_line = max(1, int((width_mm - 2) / (size * 0.3528 * 0.5)))
    return sum(max(1, -(-len(part) // per_line)) for part in (text or "").split("\n"))


def _docx_size(sheet: WeekSheet, text_width_mm: float) -> float:
    """The largest type at which the week's table, estimated line by line, fits the page
    (the DOCX cannot be measured here; Word and LibreOffice lay it out alike)."""
    total = sum(w for _, w in COLUMNS)
    widths = [text_width_mm * w / total for _, w in COLUMNS]
    for size in DOCX_SIZES:
        line_mm = size * 0.3528 * 1.17 + 0.05
        height = 2 * line_mm + 1  # the headings
        for day in sheet.days:
            rows = [r.cells() for r in day.rows] or [["", day.holiday or NOTHING]]
            day_lines = 0
            for cells in rows:
                day_lines += max(_estimated_lines(t, w, size) for t, w in zip(cells, widths[1:], strict=False))
            height += max(day_lines, 2 + bool(day.holiday)) * line_mm + 0.4 * len(rows)
        if height <= DOCX_TABLE_MM:
            return size
    return DOCX_SIZES[-1]


def to_docx(sheet: WeekSheet) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    text_width_mm = 297 - 24
    size = _docx_size(sheet, text_width_mm)
    heading_size = 13 if size >= 10 else 12
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(12)
    section.top_margin, section.bottom_margin = Mm(10), Mm(10)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.font.size = Pt(size)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    document.core_properties.title = f"{sheet.title} {sheet.period}"
    document.core_properties.author = sheet.organisation

    def para(container, text: str = "", *, bold=False, italic=False, underline=False, pt=None,
             align=WD_ALIGN_PARAGRAPH.CENTER, first=False):
        p = container.paragraphs[0] if first and container.paragraphs else container.add_paragraph()
        p.alignment = align
        if text:
            run = p.add_run(text)
            run.bold, run.italic, run.underline = bold, italic, underline
            run.font.size = Pt(pt or size)
        return p

    no_borders = book.docx_no_borders

    # The heading: organisation | national motto, place and date.
    header = document.add_table(rows=1, cols=2)
    no_borders(header)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    left, right = header.rows[0].cells
    for column, cell, share in zip(header.columns, (left, right), (0.38, 0.62), strict=True):
        column.width = cell.width = Mm(text_width_mm * share)  # the grid, which LibreOffice reads
    lines = organisation_lines(sheet.organisation)
    for n, line in enumerate(lines):
        para(left, line, bold=n == len(lines) - 1, pt=12, first=n == 0)
    para(left, "________", pt=8)
    para(left, sheet.status_line, italic=True, pt=9.5)
    para(right, MOTTO_NATION, bold=True, pt=12, first=True)
    para(right, MOTTO, bold=True, underline=True, pt=13)
    para(right, sheet.date_line, italic=True, pt=12)

    para(document, sheet.title, bold=True, pt=heading_size + 1).paragraph_format.space_before = Pt(6)
    para(document, sheet.period, italic=True, pt=heading_size).paragraph_format.space_after = Pt(4)

    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(w for _, w in COLUMNS)
    widths = [Mm(text_width_mm * w / total) for _, w in COLUMNS]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    heading = table.rows[0]
    heading_pr = heading._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    heading_pr.append(repeat)
    for cell, (label, _), width in zip(heading.cells, COLUMNS, widths, strict=True):
        cell.width = width
        para(cell, label, bold=True, first=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "EBEBEB")
        cell._tc.get_or_add_tcPr().append(shading)

    def fill(cell, text: str, *, width, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
        cell.width = width
        parts = text.split("\n") if text else [""]
        for n, part in enumerate(parts):
            para(cell, part, bold=bold and n == 0, italic=italic, align=align, first=n == 0)

    for day in sheet.days:
        rows: list[SheetRow | None] = list(day.rows) or [None]
        first_row = None
        for n, row in enumerate(rows):
            cells = table.add_row().cells
            if n == 0:
                first_row = cells[0]
            if row is None:
                note = day.holiday or NOTHING
                fill(cells[1], "", width=widths[1])
                fill(cells[2], note, width=widths[2], italic=bool(day.holiday))
                for i in range(3, len(COLUMNS)):
                    fill(cells[i], "", width=widths[i])
                continue
            values = row.cells()
            fill(cells[1], values[0], width=widths[1], align=WD_ALIGN_PARAGRAPH.CENTER)
            fill(cells[2], values[1], width=widths[2], bold=row.changed or row.cancelled)
            for i, value in enumerate(values[2:], start=3):
                fill(cells[i], value, width=widths[i])
        assert first_row is not None
        last_cell = table.rows[-1].cells[0]
        merged = first_row.merge(last_cell) if last_cell._tc is not first_row._tc else first_row
        label = day.label + (f"\n({day.holiday})" if day.holiday and day.rows else "")
        for p in list(merged.paragraphs)[1:]:
            p._element.getparent().remove(p._element)
        merged.paragraphs[0].text = ""
        fill(merged, label, width=widths[0], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        merged.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row in table.rows:  # a line never split across pages
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------

LARGEST, SMALLEST = 11.0, 7.0  # pt: the table's type, tried from the largest down


def _pdf(sheet: WeekSheet, size: float):
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    folder = book.font_dir()
    family = book.PDF_FAMILY
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{sheet.title} {sheet.period}")
    pdf.set_author(sheet.organisation)
    pdf.set_creator("Xã Số")
    for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
        pdf.add_font(family, style, str(folder / f"LiberationSerif-{name}.ttf"))
    pdf.set_margins(10, 8, 10)
    pdf.set_auto_page_break(True, margin=8)
    pdf.add_page()

    # The heading: organisation | national motto, place and date.
    x0, y0 = pdf.l_margin, pdf.get_y()
    left_w = pdf.epw * 0.38
    right_w = pdf.epw - left_w
    lines = organisation_lines(sheet.organisation)
    for n, organ in enumerate(lines):
        pdf.set_font(family, "B" if n == len(lines) - 1 else "", 12)
        pdf.set_x(x0)
        pdf.cell(left_w, 5.5, organ, align="C", new_x="LMARGIN", new_y="NEXT")
    rule = pdf.get_string_width(lines[-1]) / 3
    y_left = pdf.get_y() + 1
    pdf.line(x0 + (left_w - rule) / 2, y_left, x0 + (left_w + rule) / 2, y_left)
    # Under the organisation, where the motto's column is taller: approved when, by whom.
    pdf.set_xy(x0, y_left + 1.5)
    pdf.set_font(family, "I", 9.5)
    pdf.multi_cell(left_w, 4, sheet.status_line, align="C", new_x="LMARGIN", new_y="NEXT")
    y_left = pdf.get_y()
    pdf.set_xy(x0 + left_w, y0)
    pdf.set_font(family, "B", 12)
    pdf.cell(right_w, 5.5, MOTTO_NATION, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(family, "B", 13)
    pdf.cell(right_w, 6, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    motto_w = pdf.get_string_width(MOTTO)
    y_motto = pdf.get_y() + 0.3
    pdf.line(x0 + left_w + (right_w - motto_w) / 2, y_motto, x0 + left_w + (right_w + motto_w) / 2, y_motto)
    pdf.set_xy(x0 + left_w, y_motto + 1.5)
    pdf.set_font(family, "I", 12)
    pdf.cell(right_w, 6, sheet.date_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), y_left) + 1.5)
    pdf.set_font(family, "B", min(14, size + 3))
    pdf.multi_cell(0, 6.5, sheet.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "I", min(12, size + 1))
    pdf.cell(0, 5.5, sheet.period, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)

    line_height = size * 0.42
    pdf.set_font(family, "", size)
    with pdf.table(
        col_widths=[w for _, w in COLUMNS], text_align="LEFT", v_align="TOP", line_height=line_height,
        padding=(0.5, 0.8), repeat_headings=1, num_heading_rows=1,
        headings_style=FontFace(family=family, emphasis="BOLD", fill_color=(235, 235, 235)),
    ) as table:
        heading = table.row()
        for label, _width in COLUMNS:
            heading.cell(label, align="C", v_align="M")
        marked = FontFace(family=family, emphasis="BOLD")
        holiday = FontFace(family=family, emphasis="ITALICS")
        for day in sheet.days:
            day_rows: list[SheetRow | None] = list(day.rows) or [None]
            for n, row in enumerate(day_rows):
                line = table.row()
                if n == 0:
                    label = day.label + (f"\n({day.holiday})" if day.holiday and day.rows else "")
                    line.cell(label, align="C", v_align="M", rowspan=len(day_rows),
                              style=FontFace(family=family, emphasis="BOLD"))
                if row is None:
                    line.cell("")
                    line.cell(day.holiday or NOTHING, style=holiday if day.holiday else None)
                    for _blank in range(len(COLUMNS) - 3):
                        line.cell("")
                    continue
                values = row.cells()
                line.cell(values[0], align="C")
                line.cell(values[1], style=marked if row.changed or row.cancelled else None)
                for value in values[2:]:
                    line.cell(value)
    return pdf


def to_pdf(sheet: WeekSheet) -> bytes:
    """The week at the largest type that keeps it on one page (at the smallest, a very
    full week goes on over a second page, the headings repeated)."""
    size = LARGEST
    while True:
        pdf = _pdf(sheet, size)
        if pdf.pages_count <= 1 or size <= SMALLEST:
            return bytes(pdf.output())
        size -= 0.5


FORMATS = {"docx": (to_docx, DOCX_MIME), "pdf": (to_pdf, PDF_MIME)}


def send_sheet(sheet: WeekSheet, fmt: str):
    """The week as a download, never kept by a shared cache (it names people and places)."""
    render, mime = FORMATS[fmt]
    response = send_file(io.BytesIO(render(sheet)), mimetype=mime, as_attachment=True,
                         download_name=sheet.filename(fmt), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
