"""The outgoing register (sổ đăng ký văn bản đi, NĐ30 Phụ lục IV) exported per year.

The rows are read through ``operations.register_documents`` (which decides who may see
the register) and written as XLSX and PDF by ``documents.register_export``, the same
writer as the sổ đến. Web door: ``/outgoing/register/<year>/export.xlsx|pdf``.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from ..core.timeutil import format_date
from ..documents.register_export import (
    Column,
    Register,
    cell_text,
    confidential_requested,
    register_year,
    send_register,
)
from ..documents.types import Urgency
from ..extensions import db
from ..org.models import Organisation, User
from .models import OutgoingDocument
from .operations import register_documents
from .workflow import Status

# Phụ lục IV, sổ đăng ký văn bản đi: the ten columns, in this order, with their widths.
COLUMNS: list[Column] = [
    Column("Số, ký hiệu văn bản", 15, text=True),
    Column("Ngày tháng văn bản", 11),
    Column("Tên loại và trích yếu nội dung văn bản", 42, left=True),
    Column("Người ký", 18, left=True),
    Column("Nơi nhận văn bản", 26, left=True),
    Column("Đơn vị, người nhận bản lưu", 16, left=True),
    Column("Số lượng bản", 8),
    Column("Ngày chuyển", 11),
    Column("Ký nhận", 10),
    Column("Ghi chú", 16, left=True),
]
KEYS = ("number_symbol", "issued_on", "type_and_subject", "signer", "recipients", "retained_by",
        "copies", "transferred_on", "received_signature", "note")


def row_of(doc: OutgoingDocument) -> list:
    """One line of the sổ đi, the cells in the order of ``COLUMNS``."""
    notes = []
    if doc.urgency != Urgency.NORMAL.value:
        notes.append(Urgency(doc.urgency).label)
    if doc.status == Status.RECALLED.value:
        notes.append(f"Đã thu hồi: {doc.recall_reason}")
    if doc.due_date:
        notes.append(f"Hạn trả lời {format_date(doc.due_date)}")
    subject = "" if doc.is_confidential else doc.subject
    return [
        doc.number_symbol, doc.issued_on, f"{doc.type_name}\n{subject}".strip(),
        doc.signer.full_name if doc.signer else "",
        "; ".join(r.label for r in doc.recipients),
        doc.retained_by, doc.copies,
        doc.issued_on,  # phát hành trong ngày (NĐ30 Điều 16): sent the day it is issued
        "", "; ".join(notes),
    ]


def register_of(user: User, year: int, confidential: bool = False) -> Register:
    """The sổ đi of a year in number order; refused (403) to those who may not see it."""
    docs = register_documents(user, year, confidential)
    org = db.session.get_one(Organisation, user.organisation_id)
    secret = "MẬT " if confidential else ""
    return Register(
        organisation=org.name, title=f"SỔ ĐĂNG KÝ VĂN BẢN ĐI {secret}NĂM {year}",
        sheet_name=f"So di {'mat ' if confidential else ''}{year}",
        stem=f"So-di-{'mat-' if confidential else ''}{year}",
        columns=COLUMNS, rows=[row_of(d) for d in docs],
    )


def as_dicts(register: Register) -> list[dict]:
    return [{k: cell_text(v) for k, v in zip(KEYS, row, strict=True)} for row in register.rows]


def export_response(user: User, year: int, fmt: str, confidential: bool = False):
    year = register_year(year)
    return send_register(register_of(user, year, confidential), fmt)


bp = Blueprint("outgoing_export", __name__)




@bp.route("/outgoing/register/<int:year>/export.xlsx")
@login_required
def export_xlsx(year: int):
    """Sổ đi of the year as XLSX: ``So-di-<year>.xlsx``."""
    return export_response(current_user, year, "xlsx", confidential_requested())


@bp.route("/outgoing/register/<int:year>/export.pdf")
@login_required
def export_pdf(year: int):
    """Sổ đi of the year as PDF, landscape A4, headings repeated on every page."""
    return export_response(current_user, year, "pdf", confidential_requested())
