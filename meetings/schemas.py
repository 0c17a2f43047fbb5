"""Input schemas of the meeting commands: the one definition of each command's fields
and limits (the column sizes). The pages and the API pass what they parsed through them
(``docmgmt.core.forms.load_form``, ``@bp.arguments``); ``@post_load`` hands the operation
its input (``MeetingInput``). Every rule beyond shape and limits — a title, a place or a
link, who may act and when — is decided by ``operations``, with a stable code and the field.

Then the API's output: a meeting, its participants and its agenda as the API shows them
(``api.py`` decides what each caller is shown; these only say how it is written). Times
are ISO 8601 in Vietnam time, with their offset (``2026-11-15T08:00:00+07:00``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from docmgmt.core.schemas import (
    Between,
    Boolean,
    Date,
    DateTime,
    Integer,
    List,
    MaxLength,
    OneOf,
    Text,
    page_number,
    page_size,
)
from docmgmt.core.timeutil import to_vn

from .workflow import Status

# A meeting's notes and description, a reason, a task: long enough for a page.
LONG_TEXT = 4000
COMMENT = 2000
# The years a meeting may fall in (and a list be asked about): a time beyond them is a
# typing slip, and near year 1 or 9999 it would not even convert to UTC.
FIRST_YEAR, LAST_YEAR = 2000, 2100
STATUSES = [s.value for s in Status]


class InYears(validate.Validator):
    """A date or a time between ``FIRST_YEAR`` and ``LAST_YEAR``."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, value: date) -> date:
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(_("%(what)s phải trong khoảng năm %(a)s đến %(b)s.",
                                    what=self.what, a=FIRST_YEAR, b=LAST_YEAR))
        return value


# --- the operations' input ------------------------------------------------------------------

@dataclass
class MeetingInput:
    title: str = ""
    starts_at: datetime | None = None  # aware, or naive in Asia/Ho_Chi_Minh
    ends_at: datetime | None = None
    location: str = ""
    online_link: str = ""
    description: str = ""
    chair_id: int | None = None
    secretary_id: int | None = None
    members: list[int] = field(default_factory=list)
    guests: list[int] = field(default_factory=list)


# --- input --------------------------------------------------------------------------------

class MeetingSchema(Schema):
    """Lịch họp: create or update a meeting. Times are ISO 8601; a naive time is Vietnam's."""

    title = Text(load_default="", validate=MaxLength(500, _l("Tên cuộc họp")))
    # (The page's form asks for the day and the two times apart: no widget of their own.)
    starts_at = DateTime(load_default=None, allow_none=True, validate=InYears(_l("Thời gian bắt đầu")),
                         metadata={"form": False})
    ends_at = DateTime(load_default=None, allow_none=True, validate=InYears(_l("Thời gian kết thúc")),
                       metadata={"form": False})
    location = Text(load_default="", validate=MaxLength(255, _l("Phòng họp, địa điểm")))
    online_link = Text(load_default="", validate=MaxLength(500, _l("Đường dẫn họp trực tuyến")))
    description = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Nội dung, ghi chú")))
    chair_id = Integer(load_default=None, allow_none=True)
    secretary_id = Integer(load_default=None, allow_none=True)
    members = List(Integer(), load_default=list)
    guests = List(Integer(), load_default=list)

    @post_load
    def _input(self, data: dict, **kwargs) -> MeetingInput:
        return MeetingInput(**data)


class RsvpSchema(Schema):
    """Trả lời giấy mời: attend, absent (with a reason) or delegate (to whom)."""

    answer = Text(load_default="", validate=MaxLength(16, _l("Câu trả lời")),
                  metadata={"description": "attend | absent | delegate"})
    reason = Text(load_default="", validate=MaxLength(COMMENT, _l("Lý do vắng mặt")))
    delegate_id = Integer(load_default=None, allow_none=True)


class AgendaItemSchema(Schema):
    """Một mục chương trình họp."""

    title = Text(load_default="", validate=MaxLength(500, _l("Nội dung mục chương trình")))
    presenter_id = Integer(load_default=None, allow_none=True)
    duration_minutes = Integer(load_default=None, allow_none=True,
                               validate=Between(1, 480, _l("Thời lượng"), _l("phút")))


class TaskSchema(Schema):
    """Giao việc từ kết luận: to ``u:ID`` (a person) or ``unit:ID`` (a unit)."""

    assignee = Text(load_default="", validate=MaxLength(32, _l("Người hoặc đơn vị được giao")))
    deadline = Date(load_default=None, allow_none=True)
    text = Text(load_default="", validate=MaxLength(COMMENT, _l("Nội dung công việc")))


class PaperNoteSchema(Schema):
    """Họp bằng giấy: what happened (time, who came, what was concluded)."""

    note = Text(load_default="", validate=MaxLength(COMMENT, _l("Ghi chú")),
                metadata={"description": "required: how the meeting went on paper"})


class MeetingListQuerySchema(Schema):
    """The meetings the caller may see (or, ``mine``, those they are invited to)."""

    status = Text(load_default=None, allow_none=True,
                  validate=OneOf(STATUSES, _l("Trạng thái cuộc họp không hợp lệ.")))
    date_from = Date(data_key="from", load_default=None, allow_none=True, validate=InYears(_l("Từ ngày")),
                     metadata={"description": "meetings starting on or after this day (Vietnam time)"})
    date_to = Date(data_key="to", load_default=None, allow_none=True, validate=InYears(_l("Đến ngày")),
                   metadata={"description": "meetings starting on or before this day (Vietnam time)"})
    mine = Boolean(load_default=False, metadata={"description": "only the meetings I am invited to"})
    page = page_number()
    per_page = page_size(50, 200)

    @validates_schema
    def _a_range(self, data: dict, **kwargs) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start is not None and end is not None and end < start:
            raise ValidationError(_("Đến ngày phải từ ngày %(d)s trở đi.", d=start.strftime("%d/%m/%Y")), "to")


# --- output ---------------------------------------------------------------------------------

class LocalDateTime(fields.DateTime):
    """A stored (UTC) time written in Vietnam time, with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(to_vn(value) if value is not None else None, attr, obj, **kwargs)


def _position(user) -> str:
    return user.position.name if user is not None and user.position else ""


class MeetingPersonSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="full_name")
    position = fields.Function(_position, metadata={"type": "string"})


class MeetingParticipantSchema(Schema):
    user_id = fields.Integer()
    name = fields.Function(lambda p: p.user.full_name, metadata={"type": "string"})
    position = fields.Function(lambda p: _position(p.user), metadata={"type": "string"})
    role = fields.String(metadata={"description": "member (votes) or guest"})
    chair = fields.Function(lambda p: p.user_id == p.meeting.chair_id, metadata={"type": "boolean"})
    secretary = fields.Function(lambda p: p.user_id == p.meeting.secretary_id, metadata={"type": "boolean"})
    votes = fields.Boolean(metadata={"description": "a voting member (not a guest, seat not delegated)"})
    rsvp = fields.String(metadata={"description": "pending, attend, absent or delegate"})
    rsvp_reason = fields.String(metadata={"description": "why absent"})
    rsvp_at = LocalDateTime(allow_none=True)
    delegate = fields.Nested(MeetingPersonSchema, allow_none=True,
                             metadata={"description": "whom this member sent in their place"})
    delegate_for = fields.Nested(MeetingPersonSchema, allow_none=True,
                                 metadata={"description": "whom this person stands in for"})
    checked_in_at = LocalDateTime(allow_none=True, metadata={"description": "điểm danh: present since"})


class MeetingSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String(metadata={"description": "draft, invited, live, ended or cancelled"})
    status_label = fields.Function(lambda m: m.status_enum.label, metadata={"type": "string"})
    starts_at = LocalDateTime()
    ends_at = LocalDateTime(allow_none=True)
    location = fields.String()
    online_link = fields.String()
    chair = fields.Nested(MeetingPersonSchema)
    secretary = fields.Nested(MeetingPersonSchema)
    held_on_paper = fields.Boolean()


class MeetingPageSchema(Schema):
    items = fields.List(fields.Nested(MeetingSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class MeetingDetailSchema(MeetingSummarySchema):
    description = fields.String()
    invited_at = LocalDateTime(allow_none=True)
    started_at = LocalDateTime(allow_none=True)
    ended_at = LocalDateTime(allow_none=True)
    paper_note = fields.String(metadata={"description": "held on paper: what happened"})
    invitation_draft_id = fields.Integer(allow_none=True, metadata={
        "description": "the Giấy mời's draft in the outgoing flow, once handed to it"})
    minutes_draft_id = fields.Integer(allow_none=True, metadata={
        "description": "the biên bản's draft in the outgoing flow, once handed to it"})
    participants = fields.List(fields.Nested(MeetingParticipantSchema), metadata={
        "description": "the chair first, then in Vietnamese name order; with RSVP and check-in"})
    me = fields.Nested(MeetingParticipantSchema, allow_none=True,
                       metadata={"description": "the caller's own invitation; null if not invited"})
    actions = fields.List(fields.String(), metadata={
        "description": "what the caller may do now, as the meeting page offers it: invite, start, end, "
                       "cancel, record_on_paper, edit (the agenda and participants)"})
    invitation_url = fields.String(metadata={"description": "the Giấy mời (DOCX)"})
    minutes_url = fields.String(allow_none=True,
                                metadata={"description": "the biên bản (DOCX), once the meeting has ended"})


class MeetingDocumentSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    file_id = fields.Integer(attribute="stored_file_id")
    name = fields.Function(lambda d: d.stored.original_name, metadata={"type": "string"})
    mime = fields.Function(lambda d: d.stored.mime, metadata={"type": "string"})
    size = fields.Function(lambda d: d.stored.size, metadata={"type": "integer"})
    url = fields.Function(lambda d: f"/api/v1/files/{d.stored_file_id}/content", metadata={
        "type": "string", "description": "download (the meeting's participants; each download is logged)"})
    incoming_id = fields.Integer(allow_none=True)
    outgoing_id = fields.Integer(allow_none=True)


class MeetingVoteOptionSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    count = fields.Integer(allow_none=True, metadata={"description": "null while a secret vote is open"})


class MeetingVoteSchema(Schema):
    id = fields.Integer()
    question = fields.String()
    secret = fields.Boolean()
    status = fields.String(metadata={"description": "open or closed"})
    opened_at = LocalDateTime()
    closed_at = LocalDateTime(allow_none=True)
    options = fields.List(fields.Nested(MeetingVoteOptionSchema))
    cast = fields.Integer(metadata={"description": "how many have voted"})
    outcome = fields.String(allow_none=True,
                            metadata={"description": "once closed: passed, rejected, chosen or none"})
    result = fields.String(allow_none=True, metadata={
        "description": "once closed, as the page says it: the tally over the voting members and the outcome"})


class MeetingAgendaItemSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    presenter = fields.Nested(MeetingPersonSchema, allow_none=True)
    duration_minutes = fields.Integer(metadata={"description": "as planned"})
    extra_minutes = fields.Integer(metadata={"description": "added by the chair during the meeting"})
    current = fields.Function(lambda i: i.meeting.current_item_id == i.id, metadata={"type": "boolean"})
    conclusion = fields.String(metadata={"description": "kết luận"})
    documents = fields.List(fields.Nested(MeetingDocumentSchema))
    votes = fields.List(fields.Nested(MeetingVoteSchema), allow_none=True, metadata={
        "description": "null until the meeting has ended for those not invited (the room shows the votes "
                       "to its participants as they happen)"})


class MeetingAgendaSchema(Schema):
    meeting_id = fields.Integer()
    status = fields.String()
    current_item_id = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(MeetingAgendaItemSchema))
