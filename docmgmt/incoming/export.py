"""The incoming register (sổ đăng ký văn bản đến, NĐ30 Phụ lục IV) exported per year.

One list of rows — read through ``operations.register_documents``, which decides who may
see which register — printed three ways: JSON (the API), and XLSX and PDF through
``documents.register_export`` (shared with the sổ đi). The confidential series is a
separate register with only the paper-tracking columns (number, date, sender, holder),
for those allowed to see confidential entries.

Also the web door ``incoming_export``: ``/incoming/register/<year>/export.xlsx|pdf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint
from flask_login import current_user, login_required

from ..core.timeutil import format_date, to_vn
from ..documents import register_export as book
from ..documents.register_export import PDF_MIME, XLSX_MIME, Column, cell_text, confidential_requested, register_year
from ..documents.types import Urgency
from ..extensions import db
from ..org.models import Organisation, User
from .models import IncomingDocument
from .operations import register_documents
from .workflow import Status

__all__ = ["COLUMNS", "CONFIDENTIAL_COLUMNS", "FORMATS", "PDF_MIME", "XLSX_MIME", "RegisterExport",
           "RegisterRow", "as_dicts", "export_response", "register_export", "to_pdf", "to_xlsx"]

# Phụ lục IV, sổ đăng ký văn bản đến: the ten columns, in this order, and their widths
# (characters in XLSX, relative in PDF).
COLUMNS: list[Column] = [
    Column("Ngày đến", 11),
    Column("Số đến", 7, text=True),
    Column("Tác giả", 22, left=True),
    Column("Số, ký hiệu văn bản", 15),
    Column("Ngày tháng văn bản", 11),
    Column("Tên loại và trích yếu nội dung văn bản", 46, left=True),
    Column("Đơn vị hoặc người nhận", 22, left=True),
    Column("Ngày chuyển", 11),
    Column("Ký nhận", 10),
    Column("Ghi chú", 16, left=True),
]
# Văn bản mật: only what tracks the paper, never what it says.
CONFIDENTIAL_COLUMNS: list[Column] = [
    Column("Ngày đến", 14),
    Column("Số đến", 10, text=True),
    Column("Tác giả", 50, left=True),
    Column("Người giữ bản giấy", 40, left=True),
]


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
    def columns(self) -> list[Column]:
        return CONFIDENTIAL_COLUMNS if self.confidential else COLUMNS

    @property
    def stem(self) -> str:
        return f"So-den-{'mat-' if self.confidential else ''}{self.year}"

    def filename(self, ext: str) -> str:
        return f"{self.stem}.{ext}"

    def sheet(self) -> book.Register:
        """The format-independent register that XLSX and PDF are written from."""
        return book.Register(
            organisation=self.organisation.name, title=self.title,
            sheet_name=f"So den {'mat ' if self.confidential else ''}{self.year}",
            stem=self.stem, columns=self.columns,
            rows=[r.cells(self.confidential) for r in self.rows])


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


def as_dicts(export: RegisterExport) -> list[dict]:
    keys = ("arrival_date", "arrival_number", "sender", "number_symbol", "issue_date",
            "type_and_subject", "recipient", "transferred_on", "note", "holder")
    return [{k: cell_text(getattr(r, k)) for k in keys} for r in export.rows]


# --- files ----------------------------------------------------------------------------------

def to_xlsx(export: RegisterExport) -> bytes:
    return book.to_xlsx(export.sheet())


def to_pdf(export: RegisterExport) -> bytes:
    return book.to_pdf(export.sheet())


# --- one response for both doors ------------------------------------------------------------

FORMATS = {"xlsx": (to_xlsx, XLSX_MIME), "pdf": (to_pdf, PDF_MIME)}


def export_response(user: User, year: int, fmt: str, confidential: bool = False):
    year = register_year(year)
    return book.send_register(register_export(user, year, confidential).sheet(), fmt)


bp = Blueprint("incoming_export", __name__)




@bp.route("/incoming/register/<int:year>/export.xlsx")
@login_required
def export_xlsx(year: int):
    """Sổ đến of the year as XLSX (``?confidential=1`` or ``?mat=1``: the confidential series)."""
    return export_response(current_user, year, "xlsx", confidential_requested())


@bp.route("/incoming/register/<int:year>/export.pdf")
@login_required
def export_pdf(year: int):
    """Sổ đến of the year as PDF, landscape A4, header repeated on every page."""
    return export_response(current_user, year, "pdf", confidential_requested())
