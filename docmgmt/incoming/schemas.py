"""API schemas for incoming documents: what a door reads in and what it writes out.

Each input schema is the one definition of a command's fields and limits (NĐ30 Phụ lục VI
Part II lengths where the decree gives one, the column size otherwise). The API loads
requests through it, the pages pass what their forms parsed through it
(``core.forms.load_form``), the edXML import builds its input through it; ``@post_load``
hands the operation its input (``IncomingInput``, ``Direction_``). Every rule beyond
shape and limits — required content, impossible dates, confidential entries without
content, who may do what — is decided by ``operations``, with a stable code and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, post_load, validate

from ..core.errors import ValidationFailed
from ..core.schemas import (
    Between,
    Boolean,
    Date,
    Filled,
    Integer,
    List,
    MaxLength,
    OneOf,
    Text,
    page_number,
    page_size,
)
from ..core.timeutil import format_datetime, vn_today
from ..documents.register_export import FIRST_YEAR, LAST_YEAR
from ..documents.types import TYPE_CODES, Confidentiality, Urgency
from .workflow import Status

URGENCIES = [u.value for u in Urgency]
# What the clerk may say of an upload (a confidential entry is paper, an edXML one
# electronic: the operation decides those); the words the pages show for each medium.
CHOSEN_MEDIUMS = ["electronic", "scan"]
CONFIDENTIALITIES = [c.value for c in Confidentiality]
STATUSES = [s.value for s in Status]
ASSIGNEE_DOC = "`u:<user id>` (a person) or `unit:<unit id>` (a unit)"
TOKEN = 32  # `unit:<id>`: an id has at most 19 digits

# Free text kept in TEXT columns (direction, progress, results): long enough for a page.
LONG_TEXT = 4000
# A comment or a reason on the timeline.
COMMENT = 2000


# --- the operations' input ------------------------------------------------------------------

@dataclass
class IncomingInput:
    sender_name: str = ""
    number_symbol: str = ""
    issue_date: date | None = None
    doc_type: str = "cong_van"
    subject: str = ""
    signer: str = ""
    urgency: str = Urgency.NORMAL.value
    confidentiality: str = Confidentiality.NONE.value
    sender_due_date: date | None = None
    page_count: int | None = None
    field: str = ""
    arrival_date: date | None = None
    paper_holder: str = ""
    sender_organ_id: str = ""
    channel: str = "upload"  # set by the door (edXML), not by the caller
    medium: str | None = None  # electronic | scan; None: inferred from the files
    allow_duplicate: bool = False


@dataclass
class Assignee:
    """``u:12`` (a person) or ``unit:3`` (a unit)."""

    user_id: int | None = None
    unit_id: int | None = None

    @classmethod
    def parse(cls, token: str, field_name: str) -> Assignee:
        kind, _sep, ident = (token or "").partition(":")
        if kind in ("u", "user") and (ident.isdecimal() and len(ident) <= 18):
            return cls(user_id=int(ident))
        if kind == "unit" and (ident.isdecimal() and len(ident) <= 18):
            return cls(unit_id=int(ident))
        raise ValidationFailed("invalid_assignee", _("Người hoặc đơn vị được giao không hợp lệ."),
                               field_name)

    @property
    def token(self) -> str:
        return f"u:{self.user_id}" if self.user_id else f"unit:{self.unit_id}"


@dataclass
class Direction_:
    main: Assignee
    co: list[Assignee] = field(default_factory=list)
    info: list[Assignee] = field(default_factory=list)
    deadline: date | None = None
    deadline_working_days: int | None = None
    text: str = ""


# --- input --------------------------------------------------------------------------------

class IncomingCreateSchema(Schema):
    """NĐ30 metadata of an arrived document (Phụ lục VI). Dates are ISO 8601 (yyyy-mm-dd)."""

    sender_name = Text(required=True, validate=MaxLength(200, _l("Tên cơ quan, tổ chức gửi")),
                       error_messages={"required": _l("Hãy nhập cơ quan, tổ chức gửi văn bản.")},
                       metadata={"description": "cơ quan, tổ chức gửi (tác giả); NĐ30 OrganName",
                                 "label": _l("Cơ quan, tổ chức gửi")})
    number_symbol = Text(load_default="", validate=MaxLength(50, _l("Số, ký hiệu")),
                         metadata={"description": "số, ký hiệu, e.g. 125/UBND-VP"})
    issue_date = Date(load_default=None, allow_none=True,
                      metadata={"description": "ngày tháng văn bản", "label": _l("Ngày văn bản")})
    doc_type = Text(load_default="cong_van",
                    validate=OneOf(TYPE_CODES, _l("Loại văn bản không hợp lệ.")),
                    metadata={"description": "one of the 29 NĐ30 type codes"})
    subject = Text(load_default="", validate=MaxLength(500, _l("Trích yếu")),
                   metadata={"description": "trích yếu (empty for Mật); NĐ30 Subject",
                             "label": _l("Trích yếu nội dung")})
    # NĐ30 gives the signer as position (100) and full name (50); one field here.
    signer = Text(load_default="", validate=MaxLength(150, _l("Người ký")))
    urgency = Text(load_default=Urgency.NORMAL.value,
                   validate=OneOf(URGENCIES, _l("Độ khẩn không hợp lệ.")))
    confidentiality = Text(load_default=Confidentiality.NONE.value,
                           validate=OneOf(CONFIDENTIALITIES, _l("Độ mật không hợp lệ.")),
                           metadata={"description": "anything but `thuong` is a "
                                     "paper-tracking entry: no file, no content"})
    sender_due_date = Date(load_default=None, allow_none=True,
                           metadata={"description": "hạn trả lời asked by the sender",
                                     "label": _l("Hạn trả lời (nếu có)")})
    # NĐ30 PageAmount: a number of three digits.
    page_count = Integer(load_default=None, allow_none=True,
                         validate=Between(1, 999, _l("Số trang")))
    field = Text(load_default="", validate=MaxLength(128, _l("Lĩnh vực")),
                 metadata={"description": "lĩnh vực"})
    arrival_date = Date(load_default=None, allow_none=True,
                        metadata={"description": "ngày đến; today (Vietnam) if omitted"})
    paper_holder = Text(load_default="", validate=MaxLength(255, _l("Người giữ bản giấy")),
                        metadata={"description": "người giữ bản giấy (Mật)"})
    sender_organ_id = Text(load_default="", validate=MaxLength(64, _l("Mã định danh nơi gửi")),
                           metadata={"description": "edXML OrganId", "form": False})
    medium = Text(load_default=None, allow_none=True,
                  validate=OneOf(CHOSEN_MEDIUMS, _l("Hình thức văn bản không hợp lệ.")),
                  metadata={"description": "electronic (a born-digital file) or scan (a paper "
                            "scanned at the desk); when omitted, inferred from the files: JPEG, "
                            "PNG, TIFF or a PDF without a text layer is a scan, DOCX or a PDF with "
                            "text electronic. Ignored for a confidential entry (paper).",
                            "form": False})
    allow_duplicate = Boolean(
        load_default=False,
        metadata={"description": "register even though the same sender, number and date "
                  "is already in the register (otherwise 409 duplicate_suspected)"})

    @post_load
    def _input(self, data: dict, **kwargs) -> IncomingInput:
        data.pop("files", None)  # the multipart variant's scans travel apart
        return IncomingInput(**data)


class IncomingCreateMultipartSchema(IncomingCreateSchema):
    """The same metadata as form fields, plus the scans (PDF, DOCX, JPEG, PNG, TIFF)."""

    files = fields.List(Upload(), metadata={"description": "repeat the part for several files"})


class FilesUploadSchema(Schema):
    files = fields.List(Upload(), required=True,
                        metadata={"description": "one or more files; repeat the part"})


class ProgressSchema(Schema):
    text = Text(required=True, validate=MaxLength(LONG_TEXT, _l("Nội dung tiến độ")),
                error_messages={"required": _l("Hãy nhập nội dung tiến độ.")},
                metadata={"description": "nội dung tiến độ"})


class ProgressMultipartSchema(ProgressSchema):
    files = fields.List(Upload(), metadata={"description": "result files (optional)"})


class CompleteSchema(Schema):
    summary = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Kết quả giải quyết")),
                   metadata={"description": "kết quả giải quyết (required from the main handler)"})


class CompleteMultipartSchema(CompleteSchema):
    files = fields.List(Upload(), metadata={"description": "result files (optional)"})


class SubmitSchema(Schema):
    leader_id = Integer(load_default=None, allow_none=True,
                        metadata={"description": "one leader; every leader if omitted"})
    comment = Text(load_default="", validate=MaxLength(COMMENT, _l("Ghi chú")))


class DirectionSchema(Schema):
    """Chỉ đạo: main handler, co-handlers, for-information recipients and a deadline
    (a date, or a number of working days from today — not both)."""

    main = Text(required=True, validate=[Filled(_l("Hãy chọn người hoặc đơn vị chủ trì.")),
                                         MaxLength(TOKEN, _l("Người hoặc đơn vị chủ trì"))],
                error_messages={"required": _l("Hãy chọn người hoặc đơn vị chủ trì.")},
                metadata={"description": ASSIGNEE_DOC})
    co = List(Text(validate=MaxLength(TOKEN, _l("Người hoặc đơn vị phối hợp"))), load_default=list,
              metadata={"description": ASSIGNEE_DOC})
    info = List(Text(validate=MaxLength(TOKEN, _l("Người hoặc đơn vị nhận để biết"))), load_default=list,
                metadata={"description": ASSIGNEE_DOC})
    deadline = Date(load_default=None, allow_none=True)
    deadline_working_days = Integer(load_default=None, allow_none=True,
                                    validate=Between(1, 365, _l("Số ngày làm việc")))
    text = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Ý kiến chỉ đạo")),
                metadata={"description": "ý kiến chỉ đạo"})

    @post_load
    def _input(self, data: dict, **kwargs) -> Direction_:
        return _direction(data)


def _direction(data: dict) -> Direction_:
    return Direction_(
        main=Assignee.parse(data["main"], "main"),
        co=[Assignee.parse(t, "co") for t in data["co"]],
        info=[Assignee.parse(t, "info") for t in data["info"]],
        deadline=data["deadline"], deadline_working_days=data["deadline_working_days"],
        text=data["text"],
    )


class ReassignSchema(DirectionSchema):
    """A new direction replacing the current one, and why; loads ``(Direction_, reason)``."""

    reason = Text(load_default="", validate=MaxLength(COMMENT, _l("Lý do phân công lại")))

    @post_load
    def _input(self, data: dict, **kwargs) -> tuple[Direction_, str]:  # type: ignore[override]
        return _direction(data), data["reason"]


class DelegateSchema(Schema):
    user_id = Integer(required=True, error_messages={"required": _l("Hãy chọn người được giao.")},
                      metadata={"description": "a person of the unit"})


class ReturnSchema(Schema):
    reason = Text(required=True, validate=MaxLength(COMMENT, _l("Lý do trả lại")),
                  error_messages={"required": _l("Hãy ghi lý do trả lại.")},
                  metadata={"description": "lý do trả lại"})


class TransferPaperSchema(Schema):
    holder = Text(required=True, validate=MaxLength(255, _l("Người nhận bản giấy")),
                  error_messages={"required": _l("Hãy ghi người nhận bản giấy.")},
                  metadata={"description": "who now holds the paper"})
    comment = Text(load_default="", validate=MaxLength(COMMENT, _l("Ghi chú")))


class ListQuerySchema(Schema):
    year = Integer(load_default=None, allow_none=True,
                   validate=Between(FIRST_YEAR, LAST_YEAR, _l("Năm")),
                   metadata={"description": "year of arrival (the register's year)"})
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    overdue = fields.Boolean(load_default=False)
    q = Text(load_default="", validate=MaxLength(200, _l("Nội dung tìm")),
             metadata={"description": "in subject, number/symbol, sender"})
    page = page_number()
    per_page = page_size(50, 200)


class RegisterQuerySchema(Schema):
    confidential = fields.Boolean(load_default=False,
                                  metadata={"description": "the confidential series (sổ mật)"})


# --- output -------------------------------------------------------------------------------

def _today():
    return vn_today()


class IncomingSummarySchema(Schema):
    id = fields.Integer()
    arrival_number = fields.Integer(allow_none=True, metadata={
        "description": "số đến; null for the commune's own documents and tasks (not in the sổ đến)"})
    arrival_label = fields.String(metadata={"description": "số đến as printed: 01, 02, … (“Nội bộ”, “Việc giao”)"})
    arrival_date = fields.Date()
    year = fields.Function(lambda d: d.arrival_date.year)
    sender_name = fields.String()
    number_symbol = fields.String()
    issue_date = fields.Date(allow_none=True)
    doc_type = fields.String()
    type_name = fields.String()
    subject = fields.String()
    urgency = fields.String()
    confidentiality = fields.String()
    confidential = fields.Function(lambda d: d.is_confidential)
    status = fields.String()
    status_label = fields.Function(lambda d: d.status_enum.label)
    deadline = fields.Date(allow_none=True)
    overdue = fields.Function(lambda d: d.is_overdue(_today()))
    main_handler = fields.Function(
        lambda d: d.main_assignment.assignee_label if d.main_assignment else None)
    submitted_to_id = fields.Integer(allow_none=True, metadata={
        "description": "the leader it was put before for direction (null: every leader); in the "
                       "awaiting-direction list, another leader's id marks one directed under their delegation"})


class FileOutSchema(Schema):
    id = fields.Function(lambda f: f.stored_file_id, metadata={"description": "stored file id"})
    kind = fields.String(metadata={"description": "original (the scan) or result"})
    name = fields.Function(lambda f: f.stored.original_name)
    mime = fields.Function(lambda f: f.stored.mime)
    size = fields.Function(lambda f: f.stored.size)
    added_at = fields.DateTime()
    added_by_id = fields.Integer(allow_none=True)
    url = fields.Function(lambda f: f"/api/v1/files/{f.stored_file_id}/content",
                          metadata={"description": "download (same access as the document)"})


class AssignmentOutSchema(Schema):
    id = fields.Integer()
    role = fields.String(metadata={"description": "main (chủ trì), co (phối hợp), info (để biết)"})
    assignee = fields.Function(
        lambda a: f"u:{a.assignee_user_id}" if a.assignee_user_id else f"unit:{a.assignee_unit_id}")
    assignee_user_id = fields.Integer(allow_none=True)
    assignee_unit_id = fields.Integer(allow_none=True)
    assignee_label = fields.String()
    deadline = fields.Date(allow_none=True)
    assigned_by_id = fields.Integer(allow_none=True)
    assigned_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    active = fields.Function(lambda a: a.superseded_at is None)


class EventOutSchema(Schema):
    at = fields.DateTime()
    at_display = fields.Function(lambda e: format_datetime(e.at), metadata={"description": "Vietnam time"})
    actor_id = fields.Integer(allow_none=True)
    actor = fields.Function(lambda e: e.actor.full_name if e.actor else None)
    actor_label = fields.String(metadata={
        "description": "who acted, as the timeline says it: under a delegation, “… (thay … theo ủy quyền "
                       "từ dd/mm đến dd/mm)”; data.on_behalf names the delegator and the delegation"})
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    comment = fields.String()
    data = fields.Dict()


class ProgressOutSchema(Schema):
    id = fields.Integer()
    author_id = fields.Integer()
    author = fields.Function(lambda n: n.author.full_name if n.author else None)
    text = fields.String()
    created_at = fields.DateTime()


class IncomingDetailSchema(IncomingSummarySchema):
    signer = fields.String()
    sender_organ_id = fields.String()
    sender_due_date = fields.Date(allow_none=True)
    page_count = fields.Integer(allow_none=True)
    field = fields.String()
    channel = fields.String()
    medium = fields.String(metadata={"description": "electronic, scan or paper (confidential)"})
    paper_holder = fields.String()
    direction_text = fields.String()
    result_summary = fields.String()
    completed_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime()
    registered_by_id = fields.Integer(allow_none=True)
    files = fields.List(fields.Nested(FileOutSchema))
    assignments = fields.List(fields.Nested(AssignmentOutSchema))
    progress = fields.List(fields.Nested(ProgressOutSchema))
    history = fields.List(fields.Nested(EventOutSchema))
    actions = fields.List(fields.String(), metadata={
        "description": "what the caller may do now: submit, direct, reassign, "
                       "return_to_sender, delegate, progress, complete, attach_files, "
                       "transfer_paper"})


class IncomingPageSchema(Schema):
    items = fields.List(fields.Nested(IncomingSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class QueueEntrySchema(Schema):
    document = fields.Nested(IncomingSummarySchema)
    assignment_id = fields.Function(lambda e: e.assignment.id)
    role = fields.Function(lambda e: e.assignment.role)
    deadline = fields.Date(allow_none=True)
    days_left = fields.Integer(allow_none=True,
                               metadata={"description": "working days; negative = overdue"})


class QueueSchema(Schema):
    new = fields.List(fields.Nested(QueueEntrySchema))
    in_progress = fields.List(fields.Nested(QueueEntrySchema))
    due_soon = fields.List(fields.Nested(QueueEntrySchema))
    overdue = fields.List(fields.Nested(QueueEntrySchema))
    for_information = fields.List(fields.Nested(QueueEntrySchema))
    open_count = fields.Integer()


class RegisterRowSchema(Schema):
    """One line of the sổ đến, columns of Phụ lục IV (only the first four for Mật)."""

    arrival_date = fields.String(metadata={"description": "Ngày đến (dd/mm/yyyy)"})
    arrival_number = fields.String(metadata={"description": "Số đến (01, 02, …)"})
    sender = fields.String(metadata={"description": "Tác giả"})
    number_symbol = fields.String(metadata={"description": "Số, ký hiệu văn bản"})
    issue_date = fields.String(metadata={"description": "Ngày tháng văn bản"})
    type_and_subject = fields.String(metadata={"description": "Tên loại và trích yếu"})
    recipient = fields.String(metadata={"description": "Đơn vị hoặc người nhận"})
    transferred_on = fields.String(metadata={"description": "Ngày chuyển"})
    note = fields.String(metadata={"description": "Ghi chú"})
    holder = fields.String(metadata={"description": "người giữ bản giấy (Mật)"})

