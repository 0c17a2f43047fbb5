"""The two reports Decree 30 asks of an electronic document system (Phụ lục VI, Part I
§V.2 and §V.4): *Báo cáo tình hình giải quyết văn bản đến* and *… văn bản đi*, and the
dashboard's figures as a workbook.

A report is a register (``documents.register_export``: the columns a clerk files, one
line per document) with what makes it a report around it: the organisation beside the
national motto and the place and date line (NĐ30 Phụ lục I), the title and its period,
a summary of the figures above the table and the signature blocks under it. The same
``LegalReport`` is written as XLSX and PDF, and as JSON for the API (:func:`as_dict`).

Who sees what is decided as for the dashboard (``figures.base``): the documents the
reader may open, inside their scope, never a confidential one (those stay in the paper
register). The classification of an incoming document — done on time, late, with no
deadline, open in time, open overdue, returned — is the dashboard's own figures
(``figures.FIGURES``) turned into one ``CASE``, so a report and the dashboard of the
same period and scope count alike. The report's text is Vietnamese whatever the
reader's language: it is a document of the commune, filed and signed.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..core.timeutil import format_date, to_vn
from ..documents import register_export as book
from ..documents.register_export import Column, Register
from ..documents.types import BY_CODE, Urgency
from ..exchange.operations import status_label
from ..extensions import db
from ..incoming.models import Assignment, IncomingDocument
from ..incoming.workflow import Status as InStatus
from ..org.models import Organisation, Unit, User
from ..outgoing.models import BY_POST, OutgoingDocument, Recipient
from ..outgoing.workflow import STATUS_LABELS as OUT_STATUS_LABELS
from ..outgoing.workflow import Status as OutStatus
from . import figures as fig
from .periods import Period
from .scope import Scope
from .sql import days_between

INCOMING_TITLE = "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN"
OUTGOING_TITLE = "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐI"
MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PREPARER, PREPARER_HINT = "NGƯỜI LẬP BÁO CÁO", "(Ký, ghi rõ họ tên)"
HEAD, HEAD_HINT = "THỦ TRƯỞNG CƠ QUAN", "(Ký tên, đóng dấu)"
EMPTY_TEXT = "(Không có văn bản nào trong kỳ báo cáo.)"
NO_VALUE = "—"  # a rate with nothing to divide, an average over nothing
SUMMARY_LABEL_MM, SUMMARY_VALUE_MM = 125, 30  # PDF: a summary line's label and its value
DASHBOARD_HEADER_ROW = 4  # the dashboard workbook: title (1), period and scope (2), headings (4)

# Phụ lục IV §VIII, sổ theo dõi giải quyết văn bản đến, with what a clerk files beside it.
INCOMING_COLUMNS: list[Column] = [
    Column("Số đến", 6, text=True),
    Column("Ngày đến", 13),
    Column("Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành", 30, left=True),
    Column("Trích yếu nội dung", 30, left=True),
    Column("Đơn vị hoặc người chủ trì", 20, left=True),
    Column("Thời hạn giải quyết", 13),
    Column("Tiến độ giải quyết", 20, left=True),
    Column("Kết quả giải quyết", 25, left=True),
    Column("Ghi chú", 14, left=True),
]
INCOMING_KEYS = ("arrival_number", "arrival_date", "document", "subject", "handler", "deadline",
                 "progress", "result", "note")

OUTGOING_COLUMNS: list[Column] = [
    Column("Số, ký hiệu", 17, text=True),
    Column("Ngày ban hành", 13),
    Column("Tên loại và trích yếu nội dung", 30, left=True),
    Column("Đơn vị soạn thảo", 17, left=True),
    Column("Người ký", 15, left=True),
    Column("Ngày tạo dự thảo", 13),
    Column("Tình trạng", 14, left=True),
    Column("Số ngày xử lý", 8),
    Column("Nơi nhận và tình trạng gửi", 32, left=True),
    Column("Hạn trả lời", 13),
    Column("Ghi chú", 14, left=True),
]
OUTGOING_KEYS = ("number_symbol", "issued_on", "type_and_subject", "drafting_unit", "signer",
                 "drafted_on", "status", "days_to_issue", "recipients", "reply_due", "note")

# How an incoming document stands, in the order the CASE tries them (each a dashboard figure).
PROGRESS = ("on_time", "late", "no_deadline", "open_in_time", "open_overdue", "returned")


# --- numbers as a Vietnamese reader writes them -------------------------------------------------

def vn_number(value: float | int | Decimal, digits: int = 1) -> str:
    """1234 → "1.234", 2.25 → "2,3" (half up; trailing zeros dropped): as the pages write it."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    whole, _sep, fraction = f"{number:,.{digits}f}".partition(".")
    fraction = fraction.rstrip("0")
    whole = whole.replace(",", ".")
    return f"{whole},{fraction}" if fraction else whole


def vn_percent(rate: float | None) -> str:
    """0.98156… → "98,2 %"; None (nothing to divide) → "—"."""
    return NO_VALUE if rate is None else f"{vn_number(Decimal(str(rate)) * 100)} %"


def rate(good: int, bad: int) -> float | None:
    """good ÷ (good + bad), or None when there is nothing to divide."""
    return good / (good + bad) if good + bad else None


def nd30_date_line(place: str, day: date) -> str:
    """“Kim Bôi, ngày 05 tháng 02 năm 2026”: a zero before days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


# --- the report ---------------------------------------------------------------------------------

@dataclass
class LegalReport:
    kind: str  # incoming | outgoing
    title: str
    period: Period
    organisation: str  # "Ủy ban nhân dân xã Kim Bôi"
    place: str  # địa danh of the date line
    today: date  # the report's date
    scope_title: str  # "" for the whole commune, else the unit's or the person's name
    prepared_by: str  # người lập báo cáo: the reader who made it
    summary: list[tuple[str, int | str]]  # (label, value as printed); sub-lines start with "- "
    summary_keys: list[str]  # the stable key of each summary line (API)
    totals: dict[str, int | float | None]  # the summary's numbers by key, unrounded
    register: Register  # columns and rows, cells in the order of ``keys``
    keys: tuple[str, ...]  # the columns' stable keys
    ids: list[int] = field(default_factory=list)  # the document of each row
    extras: list[dict] = field(default_factory=list)  # machine fields of each row (API)

    @property
    def period_line(self) -> str:
        return f"Từ ngày {format_date(self.period.start)} đến ngày {format_date(self.period.end)}"

    @property
    def date_line(self) -> str:
        return nd30_date_line(self.place, self.today)

    @property
    def scope_line(self) -> str:
        return f"Phạm vi: {self.scope_title}" if self.scope_title else ""


def _period_slug(period: Period) -> str:
    q = period.query()
    if period.kind in ("month", "quarter", "year"):
        return q[period.kind]
    return f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def _report(scope: Scope, period: Period, today: date, kind: str, title: str, columns: list[Column],
            keys: tuple[str, ...]) -> LegalReport:
    org = db.session.get_one(Organisation, scope.organisation_id)
    narrowed = scope.unit_id is not None or scope.person_id is not None
    den_di = "den" if kind == "incoming" else "di"
    register = Register(
        organisation=org.name, title=title, sheet_name=f"Bao cao VB {den_di}",
        stem=f"Bao-cao-giai-quyet-van-ban-{den_di}-{_period_slug(period)}",
        columns=columns, empty_text=EMPTY_TEXT)
    return LegalReport(kind=kind, title=title, period=period, organisation=org.name,
                       place=org.place_name, today=today, scope_title=scope.title if narrowed else "",
                       prepared_by=scope.user.full_name, summary=[], summary_keys=[], totals={},
                       register=register, keys=keys)


def _add(report: LegalReport, key: str, label: str, value: int | str) -> None:
    report.summary.append((label, value))
    report.summary_keys.append(key)


# --- incoming -------------------------------------------------------------------------------------

def _progress_case(ctx: fig.Context) -> sa.Case:
    return sa.case(*[(sa.and_(*fig.FIGURES[f"incoming.{key}"].where(ctx)), key) for key in PROGRESS],
                   else_=sa.null())


def _handler_label(unit_name: str | None, person_name: str | None) -> str:
    if unit_name and person_name:
        return f"{unit_name} ({person_name})"
    return unit_name or person_name or ""


def _document_cell(doc_type: str, number_symbol: str, issue_date: date | None, sender: str) -> str:
    """"Công văn số 125/SNV-CCVC ngày 03/11/2026 của Sở Nội vụ tỉnh Phú Thọ"."""
    parts = [BY_CODE[doc_type].name if doc_type in BY_CODE else doc_type]
    if number_symbol:
        parts.append(f"số {number_symbol}")
    if issue_date:
        parts.append(f"ngày {format_date(issue_date)}")
    if sender:
        parts.append(f"của {sender}")
    return " ".join(parts)


def progress_text(progress: str | None, deadline: date | None, done_on: date | None, today: date) -> str:
    """Tiến độ giải quyết as the clerk writes it; N in calendar days."""
    if progress == "on_time":
        return f"Đã giải quyết đúng hạn ({format_date(done_on)})"
    if progress == "late" and deadline is not None and done_on is not None:
        return f"Đã giải quyết, quá hạn {(done_on - deadline).days} ngày"
    if progress == "no_deadline":
        return f"Đã giải quyết ({format_date(done_on)})" if done_on else "Đã giải quyết"
    if progress == "open_overdue" and deadline is not None:
        return f"Quá hạn {(today - deadline).days} ngày"
    if progress == "returned":
        return "Đã trả lại"
    return "Đang giải quyết"


def _co_handlers(documents: sa.Select) -> dict[int, list[str]]:
    """The co-handlers (phối hợp) of the documents a query selects, by document."""
    co = aliased(Assignment)
    person, unit = aliased(User), aliased(Unit)
    ids = documents.with_only_columns(IncomingDocument.id).order_by(None).scalar_subquery()
    rows = db.session.execute(
        sa.select(co.document_id, unit.name, person.full_name)
        .outerjoin(person, person.id == co.assignee_user_id)
        .outerjoin(unit, unit.id == co.assignee_unit_id)
        .where(co.role == "co", co.superseded_at.is_(None), co.document_id.in_(ids))
        .order_by(co.document_id, co.id))
    out: dict[int, list[str]] = defaultdict(list)
    for doc_id, unit_name, person_name in rows:
        out[doc_id].append(_handler_label(unit_name, person_name))
    return out


def incoming_report(scope: Scope, period: Period, today: date) -> LegalReport:
    """Báo cáo tình hình giải quyết văn bản đến: the entries of the sổ đến that arrived in
    the period, in arrival order, each with its handler, deadline and progress."""
    report = _report(scope, period, today, "incoming", INCOMING_TITLE, INCOMING_COLUMNS, INCOMING_KEYS)
    ctx = fig.context(period, today, scope.organisation_id)
    d = IncomingDocument
    main = aliased(Assignment)
    person, unit = aliased(User), aliased(Unit)
    where = [*fig.base("incoming", scope), *fig.FIGURES["incoming.received"].where(ctx)]
    query = (
        sa.select(d.id, d.arrival_number, d.arrival_date, d.doc_type, d.number_symbol, d.issue_date,
                  d.sender_name, d.subject, d.status, d.deadline, d.completed_at, d.result_summary,
                  d.urgency, d.sender_due_date, unit.name, person.full_name,
                  _progress_case(ctx).label("progress"))
        .select_from(d)
        .outerjoin(main, sa.and_(main.document_id == d.id, main.role == "main", main.superseded_at.is_(None)))
        .outerjoin(person, person.id == main.assignee_user_id)
        .outerjoin(unit, unit.id == main.assignee_unit_id)
        .where(*where)
        .order_by(d.arrival_date, d.arrival_number, d.id)
    )
    co = _co_handlers(sa.select(d.id).where(*where))
    counts = dict.fromkeys(PROGRESS, 0)
    with force_locale("vi"):
        for r in db.session.execute(query):
            done_on = to_vn(r.completed_at).date() if r.completed_at is not None else None
            if r.progress in counts:
                counts[r.progress] += 1
            handler = _handler_label(r.name, r.full_name)
            if co.get(r.id):
                handler += ("\n" if handler else "") + "Phối hợp: " + ", ".join(co[r.id])
            notes = []
            if r.urgency != Urgency.NORMAL.value:
                notes.append(str(Urgency(r.urgency).label))
            if r.status in (InStatus.REGISTERED.value, InStatus.SUBMITTED.value):
                notes.append("Chờ chỉ đạo")
            if r.sender_due_date:
                notes.append(f"Nơi gửi đề nghị trả lời trước {format_date(r.sender_due_date)}")
            done = r.status == InStatus.DONE.value
            report.register.rows.append([
                f"{r.arrival_number:02d}", r.arrival_date,
                _document_cell(r.doc_type, r.number_symbol, r.issue_date, r.sender_name),
                r.subject, handler, r.deadline,
                # (done without a recorded completion time: no figure counts it as on time or late)
                "Đã giải quyết" if done and r.progress is None else progress_text(
                    r.progress, r.deadline, done_on, today),
                r.result_summary if done else "", "; ".join(notes),
            ])
            report.ids.append(r.id)
            report.extras.append({"progress_key": r.progress, "status_code": r.status,
                                  "completed_on": done_on.isoformat() if done_on else None})
    _incoming_summary(report, counts)
    return report


def _incoming_summary(report: LegalReport, n: dict[str, int]) -> None:
    done = n["on_time"] + n["late"] + n["no_deadline"]
    open_ = n["open_in_time"] + n["open_overdue"]
    on_time_rate = rate(n["on_time"], n["late"])
    # Every line counts as received (the dashboard's "incoming.received"), classified or not.
    report.totals = {"received": len(report.ids), "done": done, "done_on_time": n["on_time"],
                     "done_late": n["late"], "done_no_deadline": n["no_deadline"], "open": open_,
                     "open_in_time": n["open_in_time"], "open_overdue": n["open_overdue"],
                     "returned": n["returned"], "on_time_rate": on_time_rate}
    lines: list[tuple[str, str, int | str]] = [
        ("received", "Tổng số văn bản đến", len(report.ids)),
        ("done", "Đã giải quyết", done),
        ("done_on_time", "- Đúng hạn", n["on_time"]),
        ("done_late", "- Quá hạn", n["late"]),
        ("done_no_deadline", "- Không có thời hạn", n["no_deadline"]),
        ("open", "Đang giải quyết", open_),
        ("open_in_time", "- Trong hạn", n["open_in_time"]),
        ("open_overdue", "- Quá hạn", n["open_overdue"]),
        ("returned", "Đã trả lại nơi gửi", n["returned"]),
        ("on_time_rate", "Tỷ lệ giải quyết đúng hạn", vn_percent(on_time_rate)),
    ]
    for key, label, value in lines:
        _add(report, key, label, value)


# --- outgoing -------------------------------------------------------------------------------------

# Where an outside recipient stands, in the words of a report (edXML codes: exchange.model).
EXCHANGE_WORDS = {"": "chờ gửi", "queued": "chờ gửi", "sent": "đã gửi", "failed": "gửi không thành công",
                  "01": "đã đến", "03": "đã nhận"}


def recipient_text(recipient: Recipient, issued: bool) -> str:
    """A recipient and how the document reached it."""
    name = recipient.label
    if recipient.kind != "external":
        return name
    if recipient.exchange_status == BY_POST or not recipient.organ_id:
        return f"{name} (gửi bưu điện)"
    if not issued:
        return name
    status = recipient.exchange_status
    words = EXCHANGE_WORDS.get(status)
    if words is None:
        label = status_label(status)
        words = label[:1].lower() + label[1:]
    return f"{name} (qua trục liên thông: {words})"


def _medium_of(doc: OutgoingDocument) -> str | None:
    """How it was issued (electronic | paper) where the model records it."""
    return getattr(doc, "medium", None)


def outgoing_report(scope: Scope, period: Period, today: date) -> LegalReport:
    """Báo cáo tình hình giải quyết văn bản đi: what was issued in the period (in the order
    of issuance) and the drafts created in it that are still in the flow."""
    report = _report(scope, period, today, "outgoing", OUTGOING_TITLE, OUTGOING_COLUMNS, OUTGOING_KEYS)
    ctx = fig.context(period, today, scope.organisation_id)
    o = OutgoingDocument
    start, end = period.bounds()
    in_flow = sa.and_(*fig.FIGURES["outgoing.in_flow"].where(ctx), o.created_at >= start, o.created_at < end)
    query = (
        sa.select(o, days_between(o.created_at, o.issued_at).label("days"))
        .where(*fig.base("outgoing", scope),
               sa.or_(sa.and_(*fig.FIGURES["outgoing.issued"].where(ctx)), in_flow))
        .options(joinedload(o.drafting_unit), joinedload(o.drafter), joinedload(o.signer),
                 selectinload(o.recipients).options(joinedload(Recipient.unit), joinedload(Recipient.user)))
        .order_by(o.issued_on.is_(None), o.issued_on, o.number, o.created_at, o.id)
    )
    issued_values = {OutStatus.ISSUED.value, OutStatus.RECALLED.value}
    counts = {"issued": 0, "recalled": 0, "in_flow": 0, "electronic": 0, "paper": 0}
    days_total, days_count = 0.0, 0
    has_medium = hasattr(OutgoingDocument, "medium")
    with force_locale("vi"):
        for doc, days in db.session.execute(query).unique():
            issued = doc.status in issued_values
            medium = _medium_of(doc)
            if issued:
                counts["issued"] += 1
                counts["recalled"] += doc.status == OutStatus.RECALLED.value
                counts["paper" if medium == "paper" else "electronic"] += 1
                if days is not None:
                    days_total += float(days)
                    days_count += 1
            else:
                counts["in_flow"] += 1
            notes = []
            if doc.urgency != Urgency.NORMAL.value:
                notes.append(str(Urgency(doc.urgency).label))
            if issued and medium == "paper":
                notes.append("Phát hành bản giấy")
            if doc.status == OutStatus.RECALLED.value:
                notes.append(f"Thu hồi: {doc.recall_reason}".strip().rstrip(":"))
            unit = doc.drafting_unit.name if doc.drafting_unit else ""
            drafter = doc.drafter.full_name if doc.drafter else ""
            report.register.rows.append([
                doc.number_symbol, doc.issued_on, f"{doc.type_name}\n{doc.subject}".strip(),
                f"{unit}\n{drafter}".strip(), doc.signer.full_name if doc.signer else "",
                to_vn(doc.created_at).date(), str(OUT_STATUS_LABELS[OutStatus(doc.status)]),
                round(float(days), 1) if days is not None and issued else None,
                "\n".join(recipient_text(r, issued) for r in doc.recipients),
                doc.due_date, "; ".join(notes),
            ])
            report.ids.append(doc.id)
            report.extras.append({"status_code": doc.status, "medium": medium if issued else None,
                                  "days_to_issue": float(days) if days is not None and issued else None})
    average = days_total / days_count if days_count else None
    report.totals = {"total": counts["issued"] + counts["in_flow"], **counts, "avg_days_to_issue": average}
    if not has_medium:
        del report.totals["electronic"], report.totals["paper"]
    lines: list[tuple[str, str, int | str]] = [
        ("total", "Tổng số văn bản đi", counts["issued"] + counts["in_flow"]),
        ("issued", "Đã phát hành", counts["issued"]),
    ]
    if has_medium:
        lines += [("electronic", "- Phát hành điện tử", counts["electronic"]),
                  ("paper", "- Phát hành bản giấy", counts["paper"])]
    lines += [
        ("recalled", "- Đã thu hồi", counts["recalled"]),
        ("in_flow", "Đang soạn thảo, trình duyệt, chờ ký", counts["in_flow"]),
        ("avg_days_to_issue", "Thời gian xử lý trung bình (từ dự thảo đến phát hành)",
         f"{vn_number(average)} ngày" if average is not None else NO_VALUE),
    ]
    for key, label, value in lines:
        _add(report, key, label, value)
    return report


# --- writing it: XLSX, PDF, JSON --------------------------------------------------------------------

def _span(columns: list[Column], share: float) -> int:
    """How many leading columns make up ``share`` of the table's width (at least one, and
    one fewer than all)."""
    total, run = sum(c.width for c in columns), 0
    for i, column in enumerate(columns, start=1):
        run += column.width
        if run >= total * share:
            return min(i, len(columns) - 1)
    return len(columns) - 1


def _is_sub(label: str) -> bool:
    return label.startswith("- ")


def to_xlsx(report: LegalReport) -> bytes:
    from openpyxl.styles import Alignment, Font

    columns = report.register.columns
    n = len(columns)
    left = _span(columns, 1 / 3)  # the organisation's block; the motto over the rest
    label_cols = _span(columns, 0.25)  # a summary line: label over these, value in the next
    font = "Times New Roman"
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(ws, row: int, first: int, last: int, value: Any, *, size: int = 12, bold: bool = False,
            italic: bool = False, align: Alignment = centre) -> None:
        cell = ws.cell(row=row, column=first, value=value)
        cell.font = Font(name=font, size=size, bold=bold, italic=italic)
        cell.alignment = align
        if last > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)

    def above(ws) -> int:
        put(ws, 1, 1, left, report.organisation.upper(), bold=True)
        put(ws, 1, left + 1, n, MOTTO_NATION, bold=True)
        put(ws, 2, left + 1, n, MOTTO, size=13, bold=True)
        put(ws, 3, left + 1, n, report.date_line, italic=True)
        ws.row_dimensions[1].height = 32
        put(ws, 5, 1, n, report.title, size=14, bold=True)
        put(ws, 6, 1, n, report.period_line, italic=True)
        if report.scope_line:
            put(ws, 7, 1, n, report.scope_line)
        row = 8
        put(ws, row, 1, n, "I. TỔNG HỢP", bold=True, align=Alignment(horizontal="left"))
        for label, value in report.summary:
            row += 1
            put(ws, row, 1, label_cols, label, bold=not _is_sub(label),
                align=Alignment(horizontal="left", indent=2 if _is_sub(label) else 0))
            put(ws, row, label_cols + 1, label_cols + 1, value, bold=not _is_sub(label),
                align=Alignment(horizontal="right"))
        row += 2
        put(ws, row, 1, n, "II. CHI TIẾT", bold=True, align=Alignment(horizontal="left"))
        return row + 1

    def below(ws, last_row: int) -> None:
        ws.freeze_panes = None  # the heading block is too tall to stay on screen
        row = last_row + 2
        blocks = ((1, left, PREPARER, PREPARER_HINT, report.prepared_by),
                  (n - left + 1 if n - left + 1 > left else left + 1, n, HEAD, HEAD_HINT, ""))
        for first, last, title, hint, name in blocks:
            put(ws, row, first, last, title, bold=True)
            put(ws, row + 1, first, last, hint, italic=True)
            if name:
                put(ws, row + 5, first, last, name, bold=True)

    return book.to_xlsx(report.register, above=above, below=below)


def to_pdf(report: LegalReport) -> bytes:
    family = book.PDF_FAMILY

    def italic(pdf) -> None:
        if f"{family.lower()}I" not in pdf.fonts:
            pdf.add_font(family, "I", str(book.font_dir() / "LiberationSerif-Italic.ttf"))

    def above(pdf) -> None:
        italic(pdf)
        x0, y0 = pdf.l_margin, pdf.get_y()
        left_w = pdf.epw * 0.38
        right_w = pdf.epw - left_w
        pdf.set_font(family, "B", 12)
        pdf.set_xy(x0, y0)
        pdf.multi_cell(left_w, 5.5, report.organisation.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        rule = min(left_w / 3, pdf.get_string_width(report.organisation.upper()) / 3)
        y_left = pdf.get_y() + 1
        pdf.line(x0 + (left_w - rule) / 2, y_left, x0 + (left_w + rule) / 2, y_left)
        pdf.set_xy(x0 + left_w, y0)
        pdf.cell(right_w, 5.5, MOTTO_NATION, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(family, "B", 13)
        pdf.cell(right_w, 6, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
        motto_w = pdf.get_string_width(MOTTO)
        y_motto = pdf.get_y() + 0.5
        pdf.line(x0 + left_w + (right_w - motto_w) / 2, y_motto, x0 + left_w + (right_w + motto_w) / 2, y_motto)
        pdf.set_y(y_motto + 2)
        pdf.set_x(x0 + left_w)
        pdf.set_font(family, "I", 12)
        pdf.cell(right_w, 6, report.date_line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y_left) + 6)
        pdf.set_font(family, "B", 14)
        pdf.cell(0, 7, report.title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "I", 12)
        pdf.cell(0, 6, report.period_line, align="C", new_x="LMARGIN", new_y="NEXT")
        if report.scope_line:
            pdf.set_font(family, "", 12)
            pdf.cell(0, 6, report.scope_line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 6, "I. TỔNG HỢP", new_x="LMARGIN", new_y="NEXT")
        for label, value in report.summary:
            sub = _is_sub(label)
            pdf.set_font(family, "" if sub else "B", 11)
            pdf.set_x(pdf.l_margin + (12 if sub else 4))
            pdf.cell(SUMMARY_LABEL_MM - (8 if sub else 0), 5.5, label)
            pdf.cell(SUMMARY_VALUE_MM, 5.5, book.cell_text(value), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 6, "II. CHI TIẾT", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def below(pdf) -> None:
        italic(pdf)
        if pdf.will_page_break(42):
            pdf.add_page()
        pdf.ln(6)
        y = pdf.get_y()
        third = pdf.epw / 3
        for x, title, hint, name in ((pdf.l_margin, PREPARER, PREPARER_HINT, report.prepared_by),
                                     (pdf.l_margin + 2 * third, HEAD, HEAD_HINT, "")):
            pdf.set_xy(x, y)
            pdf.set_font(family, "B", 12)
            pdf.cell(third, 6, title, align="C", new_x="LEFT", new_y="NEXT")
            pdf.set_font(family, "I", 11)
            pdf.cell(third, 5, hint, align="C", new_x="LEFT", new_y="NEXT")
            if name:
                pdf.set_xy(x, y + 30)
                pdf.set_font(family, "B", 12)
                pdf.cell(third, 6, name, align="C")

    return book.to_pdf(report.register, above=above, below=below)


FORMATS = {"xlsx": (to_xlsx, book.XLSX_MIME), "pdf": (to_pdf, book.PDF_MIME)}


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_dict(report: LegalReport) -> dict:
    """The report for the API: the summary (labels as printed, numbers unrounded under
    ``totals``) and one object per row under the columns' stable keys."""
    return {
        "kind": report.kind,
        "title": report.title,
        "organisation": report.organisation,
        "period": report.period.to_dict(),
        "period_line": report.period_line,
        "scope": report.scope_title,
        "date": report.today.isoformat(),
        "summary": [{"key": key, "label": label, "value": value}
                    for key, (label, value) in zip(report.summary_keys, report.summary, strict=True)],
        "totals": report.totals,
        "columns": [{"key": key, "label": c.label} for key, c in zip(report.keys, report.register.columns,
                                                                       strict=True)],
        "rows": [{"id": doc_id, **{k: _json(v) for k, v in zip(report.keys, row, strict=True)}, **extra}
                 for doc_id, row, extra in zip(report.ids, report.register.rows, report.extras, strict=True)],
    }


# --- the dashboard as a workbook ----------------------------------------------------------------

def _value(cell: Any) -> Any:
    """A figure of the dashboard's data: a CELL ({"value", "link"}) or a bare number."""
    return cell.get("value") if isinstance(cell, dict) else cell


@dataclass(frozen=True)
class Percent:
    """A rate (0…1, or None) in a workbook cell, shown as a percentage."""

    rate: float | None


HANDLING_HEADINGS = [("received", "Văn bản đến"), ("on_time", "Giải quyết đúng hạn"),
                     ("late", "Giải quyết quá hạn"), ("no_deadline", "Giải quyết, không có hạn"),
                     ("open_in_time", "Đang giải quyết, trong hạn"), ("open_overdue", "Đang giải quyết, quá hạn"),
                     ("returned", "Trả lại nơi gửi")]
LOAD_HEADINGS = [("open", "Đang xử lý"), ("overdue", "Quá hạn"), ("due_soon", "Sắp đến hạn")]


def _deadline(doc: dict) -> date | None:
    value = doc.get("deadline")
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _handling_rows(rows: list[dict]) -> list[list[Any]]:
    return [[r.get("label", ""), *[_value(r.get(k)) for k, _h in HANDLING_HEADINGS], Percent(r.get("rate"))]
            for r in rows]


def _load_rows(rows: list[dict]) -> list[list[Any]]:
    return [[r.get("label", ""), *[_value(r.get(k)) for k, _h in LOAD_HEADINGS]] for r in rows]


def _headline_rows(data: dict) -> list[list[Any]]:
    """The headline figures, then the single figures of the other blocks."""
    rows: list[list[Any]] = []
    for item in data.get("headline") or []:
        rows.append([item.get("label", ""), _value(item)])
        if "rate" in item:
            rows.append(["Tỷ lệ giải quyết đúng hạn", Percent(item["rate"])])
    rows.append(["Thời gian trung bình từ dự thảo đến phát hành (ngày)",
                 (data.get("outgoing") or {}).get("avg_days_to_issue")])
    confidential = data.get("confidential")
    if confidential:
        rows += [["Văn bản đến mật (chỉ theo dõi bản giấy)", confidential.get("incoming")],
                 ["Văn bản đi mật (chỉ theo dõi bản giấy)", confidential.get("outgoing")]]
    return rows


def _meeting_rows(meetings: dict) -> list[list[Any]]:
    tasks = meetings.get("tasks") or {}
    return [
        ["Cuộc họp đã tổ chức", _value(meetings.get("held"))],
        ["Người được mời họp", meetings.get("participants")],
        ["Người có mặt", meetings.get("present")],
        ["Tỷ lệ tham dự", Percent(meetings.get("attendance_rate"))],
        ["Biểu quyết đã kết thúc", _value(meetings.get("votes"))],
        ["Lấy ý kiến bằng văn bản đã kết thúc", _value(meetings.get("consultations"))],
        ["Việc giao từ kết luận họp", _value(tasks.get("total"))],
        ["Việc đã hoàn thành", _value(tasks.get("done"))],
        ["Việc hoàn thành đúng hạn", _value(tasks.get("done_on_time", tasks.get("on_time")))],
        ["Việc quá hạn chưa xong", _value(tasks.get("open_overdue"))],
        ["Tỷ lệ hoàn thành đúng hạn", Percent(tasks.get("rate"))],
    ]


def _month_rows(series: dict) -> list[list[Any]]:
    months: dict[str, list[Any]] = {}
    for name, col in (("received_per_month", 1), ("issued_per_month", 2)):
        for point in series.get(name) or []:
            months.setdefault(point.get("key", ""), [point.get("label", ""), None, None])[col] = point.get("value")
    return [months[k] for k in sorted(months)]


def dashboard_xlsx(data: dict) -> bytes:
    """The dashboard's figures (the data of ``figures.dashboard()``) as a workbook: the
    headline figures, then one sheet per table, with Vietnamese headings; rates are
    numbers shown as percentages, so they can be computed with."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    font = "Times New Roman"
    wb = Workbook()
    wb.remove(wb.active)
    period = (data.get("period") or {}).get("label", "")
    scope_title = (data.get("scope") or {}).get("title", "")
    subtitle = " — ".join(t for t in (str(period), str(scope_title)) if t)

    def sheet(name: str, title: str, headings: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        ws = wb.create_sheet(name[:31])
        ws["A1"] = title
        ws["A1"].font = Font(name=font, size=14, bold=True)
        ws["A2"] = subtitle
        ws["A2"].font = Font(name=font, size=11, italic=True)
        for col, heading in enumerate(headings, start=1):
            cell = ws.cell(row=DASHBOARD_HEADER_ROW, column=col, value=heading)
            cell.font = Font(name=font, size=11, bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(col)].width = widths[min(col, len(widths)) - 1]
        ws.row_dimensions[DASHBOARD_HEADER_ROW].height = 32
        for r, row in enumerate(rows, start=DASHBOARD_HEADER_ROW + 1):
            for col, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=col)
                if isinstance(value, Percent):
                    cell.value = value.rate
                    cell.number_format = "0.0%"
                else:
                    cell.value = value
                    if isinstance(value, float):
                        cell.number_format = "0.0"
                    elif isinstance(value, date):
                        cell.number_format = "DD/MM/YYYY"
                cell.font = Font(name=font, size=11)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=DASHBOARD_HEADER_ROW + 1, column=1)

    handling = data.get("handling") or {}
    handling_headings = [h for _k, h in HANDLING_HEADINGS] + ["Tỷ lệ đúng hạn"]
    total = handling.get("total")
    load = data.get("load") or {}
    series = data.get("series") or {}
    docs = [["Sắp đến hạn", d.get("title", ""), d.get("handler", ""), _deadline(d)]
            for d in data.get("due_soon") or []]
    docs += [["Quá hạn", d.get("title", ""), d.get("handler", ""), _deadline(d)] for d in data.get("overdue") or []]

    sheet("Tong hop", "SỐ LIỆU CHÍNH", ["Chỉ tiêu", "Số liệu"], _headline_rows(data), [56, 16])
    sheet("Theo don vi", "TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN THEO ĐƠN VỊ", ["Đơn vị", *handling_headings],
          _handling_rows(handling.get("by_unit") or []) + _handling_rows([total] if total else []), [34, 14])
    sheet("Theo nguoi", "TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN THEO NGƯỜI XỬ LÝ", ["Người xử lý", *handling_headings],
          _handling_rows(handling.get("by_person") or []), [34, 14])
    sheet("Dang xu ly theo don vi", "VĂN BẢN ĐANG XỬ LÝ THEO ĐƠN VỊ", ["Đơn vị", *[h for _k, h in LOAD_HEADINGS]],
          _load_rows(load.get("by_unit") or []), [34, 14])
    sheet("Dang xu ly theo nguoi", "VĂN BẢN ĐANG XỬ LÝ THEO NGƯỜI", ["Người xử lý", *[h for _k, h in LOAD_HEADINGS]],
          _load_rows(load.get("by_person") or []), [34, 14])
    sheet("Theo thang", "VĂN BẢN ĐẾN, VĂN BẢN ĐI THEO THÁNG", ["Tháng", "Văn bản đến", "Văn bản đi đã phát hành"],
          _month_rows(series), [16, 16, 22])
    sheet("Du thao", "DỰ THẢO VĂN BẢN ĐI THEO BƯỚC XỬ LÝ", ["Bước xử lý", "Số dự thảo"],
          [[p.get("label", ""), p.get("value")] for p in series.get("drafts_by_stage") or []], [30, 14])
    sheet("Cuoc hop", "CUỘC HỌP VÀ VIỆC GIAO TỪ KẾT LUẬN HỌP", ["Chỉ tiêu", "Số liệu"],
          _meeting_rows(data.get("meetings") or {}), [44, 16])
    sheet("Sap den han, qua han", "VĂN BẢN SẮP ĐẾN HẠN, QUÁ HẠN", ["Tình trạng", "Văn bản", "Người xử lý",
                                                                  "Thời hạn"], docs, [14, 70, 24, 12])
    wb.properties.title = "Số liệu chỉ đạo, điều hành"
    wb.properties.creator = "Xã Số"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

