"""Input schemas of the meeting commands: the one definition of each command's fields
and limits (the column sizes). The pages pass what their forms parsed through them
(``docmgmt.core.forms.load_form``); ``@post_load`` hands the operation its input
(``MeetingInput``). Every rule beyond shape and limits — a title, a place or a link, who
may act and when — is decided by ``operations``, with a stable code and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, post_load

from docmgmt.core.schemas import Between, Date, DateTime, Integer, List, MaxLength, Text

# A meeting's notes and description, a reason, a task: long enough for a page.
LONG_TEXT = 4000
COMMENT = 2000


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
    starts_at = DateTime(load_default=None, allow_none=True)
    ends_at = DateTime(load_default=None, allow_none=True)
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
