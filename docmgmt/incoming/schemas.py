"""API schemas for incoming documents: what a door reads in and what it writes out.

Input schemas only parse (types, dates, NFC text); every rule — required content,
impossible dates, confidential entries without content, who may do what — is decided
by ``operations``, which answers with a stable code and the field concerned.
"""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..core.schemas import Text
from ..core.timeutil import format_datetime, vn_today
from ..documents.types import TYPE_CODES, Confidentiality, Urgency
from .workflow import Status

URGENCIES = [u.value for u in Urgency]
CONFIDENTIALITIES = [c.value for c in Confidentiality]
STATUSES = [s.value for s in Status]
ASSIGNEE_DOC = "`u:<user id>` (a person) or `unit:<unit id>` (a unit)"


# --- input --------------------------------------------------------------------------------

class IncomingCreateSchema(Schema):
    """NĐ30 metadata of an arrived document (Phụ lục VI). Dates are ISO 8601 (yyyy-mm-dd)."""

    sender_name = Text(required=True, metadata={"description": "cơ quan, tổ chức gửi (tác giả)"})
    number_symbol = Text(load_default="", metadata={"description": "số, ký hiệu, e.g. 125/UBND-VP"})
    issue_date = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "ngày tháng văn bản"})
    doc_type = fields.String(load_default="cong_van", validate=validate.OneOf(TYPE_CODES),
                             metadata={"description": "one of the 29 NĐ30 type codes"})
    subject = Text(load_default="", metadata={"description": "trích yếu (empty for Mật)"})
    signer = Text(load_default="")
    urgency = fields.String(load_default=Urgency.NORMAL.value, validate=validate.OneOf(URGENCIES))
    confidentiality = fields.String(load_default=Confidentiality.NONE.value,
                                    validate=validate.OneOf(CONFIDENTIALITIES),
                                    metadata={"description": "anything but `thuong` is a "
                                              "paper-tracking entry: no file, no content"})
    sender_due_date = fields.Date(load_default=None, allow_none=True,
                                  metadata={"description": "hạn trả lời asked by the sender"})
    page_count = fields.Integer(load_default=None, allow_none=True)
    field = Text(load_default="", metadata={"description": "lĩnh vực"})
    arrival_date = fields.Date(load_default=None, allow_none=True,
                               metadata={"description": "ngày đến; today (Vietnam) if omitted"})
    paper_holder = Text(load_default="", metadata={"description": "người giữ bản giấy (Mật)"})
    sender_organ_id = Text(load_default="", metadata={"description": "edXML OrganId"})
    allow_duplicate = fields.Boolean(
        load_default=False,
        metadata={"description": "register even though the same sender, number and date "
                  "is already in the register (otherwise 409 duplicate_suspected)"})


class IncomingCreateMultipartSchema(IncomingCreateSchema):
    """The same metadata as form fields, plus the scans (PDF, DOCX, JPEG, PNG, TIFF)."""

    files = fields.List(Upload(), metadata={"description": "repeat the part for several files"})


class FilesUploadSchema(Schema):
    files = fields.List(Upload(), required=True,
                        metadata={"description": "one or more files; repeat the part"})


class ProgressSchema(Schema):
    text = Text(required=True, metadata={"description": "nội dung tiến độ"})


class ProgressMultipartSchema(ProgressSchema):
    files = fields.List(Upload(), metadata={"description": "result files (optional)"})


class CompleteSchema(Schema):
    summary = Text(load_default="", metadata={"description": "kết quả giải quyết (required "
                                                             "from the main handler)"})


class CompleteMultipartSchema(CompleteSchema):
    files = fields.List(Upload(), metadata={"description": "result files (optional)"})


class SubmitSchema(Schema):
    leader_id = fields.Integer(load_default=None, allow_none=True,
                               metadata={"description": "one leader; every leader if omitted"})
    comment = Text(load_default="")


class DirectionSchema(Schema):
    """Chỉ đạo: main handler, co-handlers, for-information recipients and a deadline
    (a date, or a number of working days from today — not both)."""

    main = fields.String(required=True, metadata={"description": ASSIGNEE_DOC})
    co = fields.List(fields.String(), load_default=list, metadata={"description": ASSIGNEE_DOC})
    info = fields.List(fields.String(), load_default=list,
                       metadata={"description": ASSIGNEE_DOC})
    deadline = fields.Date(load_default=None, allow_none=True)
    deadline_working_days = fields.Integer(load_default=None, allow_none=True)
    text = Text(load_default="", metadata={"description": "ý kiến chỉ đạo"})


class ReassignSchema(DirectionSchema):
    reason = Text(load_default="")


class DelegateSchema(Schema):
    user_id = fields.Integer(required=True, metadata={"description": "a person of the unit"})


class ReturnSchema(Schema):
    reason = Text(required=True, metadata={"description": "lý do trả lại"})


class TransferPaperSchema(Schema):
    holder = Text(required=True, metadata={"description": "who now holds the paper"})
    comment = Text(load_default="")


class ListQuerySchema(Schema):
    year = fields.Integer(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    overdue = fields.Boolean(load_default=False)
    q = Text(load_default="", metadata={"description": "in subject, number/symbol, sender"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RegisterQuerySchema(Schema):
    confidential = fields.Boolean(load_default=False,
                                  metadata={"description": "the confidential series (sổ mật)"})


# --- output -------------------------------------------------------------------------------

def _today():
    return vn_today()


class IncomingSummarySchema(Schema):
    id = fields.Integer()
    arrival_number = fields.Integer()
    arrival_label = fields.String(metadata={"description": "số đến as printed: 01, 02, …"})
    arrival_date = fields.Date()
    year = fields.Function(lambda d: d.register.year)
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

