"""Schemas of the weekly schedule: the one definition of each command's fields and limits
(the API loads requests through them, the pages pass what their forms parsed through them
with ``core.forms.load_form``) and the shapes the API answers with.

``@post_load`` hands the operations their input (``EntryInput``, ``RoomInput``). Every rule
beyond shape and limits — a day inside the week, an end after the start, a room of the
catalogue, people and units of the commune, who may act and when — is decided by
``operations``, with a stable code and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..core.schemas import _COMMON, Between, Boolean, Date, Integer, List, MaxLength, Text

# Free text kept in TEXT columns (who attends, notes, the reason a week is sent back).
LONG_TEXT = 2000
TITLE = 1000
# The most people, units or leaders one entry names.
MAX_LINKS = 100


class Time(fields.Time):
    """A time of day: ``HH:MM`` from the API, a ``time`` already parsed by a web form."""

    default_error_messages = {**_COMMON, "invalid": _l("Giờ không hợp lệ (dạng giờ:phút, ví dụ 08:00).")}

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        message = self.error_messages.get(key)
        if message is not None and not isinstance(message, str | bytes):
            return ValidationError(str(message))
        return super().make_error(key, **kwargs)


# --- the operations' input ------------------------------------------------------------------

@dataclass
class EntryInput:
    day: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    room_id: int | None = None
    place: str = ""
    title: str = ""
    chair_id: int | None = None
    chair_text: str = ""
    attendees: str = ""
    participant_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    preparing_unit_id: int | None = None
    leader_ids: list[int] = field(default_factory=list)
    notes: str = ""


@dataclass
class RoomInput:
    name: str = ""
    place: str = ""
    capacity: int | None = None
    active: bool = True


class AtMost(validate.Validator):
    """A list of at most ``MAX_LINKS`` ids: "Chọn tối đa 100 người dự."."""

    def __init__(self, what: Any) -> None:
        self.what = what

    def __call__(self, value):
        if len(value) > MAX_LINKS:
            raise ValidationError(_("Chọn tối đa %(n)s %(what)s.", n=MAX_LINKS, what=str(self.what)))
        return value


def _ids(what: Any, description: str) -> List:
    return List(Integer(), load_default=list, validate=AtMost(what),
                metadata={"form": False, "description": description})


# --- input --------------------------------------------------------------------------------

class EntrySchema(Schema):
    """One row of the week's schedule. Dates ISO 8601 (yyyy-mm-dd), times ``HH:MM``,
    Vietnam time. The place is a room of the catalogue (``room_id``) or free text."""

    day = Date(required=True, error_messages={"required": _l("Hãy chọn ngày.")},
               metadata={"description": "a day of the week (Monday to Sunday)", "label": _l("Ngày")})
    start_time = Time(required=True, error_messages={"required": _l("Hãy nhập giờ bắt đầu.")},
                      metadata={"description": "HH:MM", "label": _l("Giờ bắt đầu")})
    end_time = Time(load_default=None, allow_none=True,
                    metadata={"description": "HH:MM, after the start (optional)", "label": _l("Giờ kết thúc")})
    room_id = Integer(load_default=None, allow_none=True,
                      metadata={"description": "a room of the catalogue (GET /schedule/rooms)"})
    place = Text(load_default="", validate=MaxLength(255, _l("Địa điểm")),
                 metadata={"description": "the place as free text, when it is no room of the catalogue",
                           "label": _l("Địa điểm")})
    title = Text(load_default="", validate=MaxLength(TITLE, _l("Nội dung")),
                 metadata={"description": "nội dung: what is done", "label": _l("Nội dung")})
    chair_id = Integer(load_default=None, allow_none=True,
                       metadata={"description": "who chairs (chủ trì): a person of the commune"})
    chair_text = Text(load_default="", validate=MaxLength(255, _l("Chủ trì (ngoài cơ quan)")),
                      metadata={"description": "who chairs, as text, when it is nobody of the commune",
                                "label": _l("Chủ trì (ngoài cơ quan)")})
    attendees = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Thành phần")),
                     metadata={"description": "thành phần as typed (people from outside, …)",
                               "label": _l("Thành phần")})
    participant_ids = _ids(_l("người dự"), "people of the commune who attend")
    unit_ids = _ids(_l("đơn vị dự"), "units of the commune that attend")
    preparing_unit_id = Integer(load_default=None, allow_none=True,
                                metadata={"description": "đơn vị chuẩn bị: a unit of the commune"})
    leader_ids = _ids(_l("lãnh đạo"), "the leaders whose columns of the by-leader grid the row is in "
                      "(none: the chair and the people attending who are leaders)")
    notes = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Ghi chú")),
                 metadata={"label": _l("Ghi chú")})

    @post_load
    def _input(self, data: dict, **kwargs) -> EntryInput:
        return EntryInput(**data)


class WeekReturnSchema(Schema):
    """Trả lại: the approver sends the week back to the office, saying why."""

    note = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Lý do trả lại")),
                metadata={"label": _l("Lý do trả lại")})


ReturnSchema = WeekReturnSchema  # (the OpenAPI document names it by its class: WeekReturn)


class RoomSchema(Schema):
    """A room of the catalogue (phòng họp, hội trường)."""

    name = Text(required=True, validate=MaxLength(128, _l("Tên phòng")),
                error_messages={"required": _l("Hãy nhập tên phòng.")}, metadata={"label": _l("Tên phòng")})
    place = Text(load_default="", validate=MaxLength(255, _l("Vị trí")), metadata={"label": _l("Vị trí")})
    capacity = Integer(load_default=None, allow_none=True, validate=Between(1, 10_000, _l("Sức chứa")),
                       metadata={"label": _l("Sức chứa")})
    active = Boolean(load_default=True, metadata={"label": _l("Đang sử dụng")})

    @post_load
    def _input(self, data: dict, **kwargs) -> RoomInput:
        return RoomInput(**data)


class WeekQuerySchema(Schema):
    version = Integer(load_default=None, allow_none=True, validate=Between(1, 10_000, _l("Phiên bản")),
                      metadata={"description": "a published version's number; none: what this "
                                "person reads now (the draft for the office and the leaders)"})


class WeeksQuerySchema(Schema):
    limit = Integer(load_default=20, validate=Between(1, 200, _l("Số tuần")))


# --- output -------------------------------------------------------------------------------

class PersonRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class Clock(fields.String):
    """A time of day written ``HH:MM`` (Vietnam time)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%H:%M") if isinstance(value, time) else super()._serialize(value, attr, obj, **kwargs)


class ItemSchema(Schema):
    """A row of the week: an entry the office typed (``source=manual``) or a meeting
    scheduled in the product (``source=meeting``)."""

    key = fields.String(metadata={"description": "`e:<entry id>` or `m:<meeting id>`"})
    source = fields.String(metadata={"description": "manual | meeting"})
    entry_id = fields.Integer(allow_none=True)
    meeting_id = fields.Integer(allow_none=True)
    day = fields.Date()
    start = Clock(metadata={"description": "HH:MM, Vietnam time"})
    end = Clock(allow_none=True, metadata={"description": "HH:MM, or null: not said"})
    place = fields.String()
    room_id = fields.Integer(allow_none=True)
    title = fields.String()
    chair_id = fields.Integer(allow_none=True)
    chair_name = fields.String()
    attendees = fields.String(metadata={"description": "thành phần: the text typed and the people "
                                        "and units linked"})
    participant_ids = fields.List(fields.Integer())
    unit_ids = fields.List(fields.Integer())
    preparing_unit_id = fields.Integer(allow_none=True)
    preparing_unit = fields.String()
    leader_ids = fields.List(fields.Integer())
    notes = fields.String()
    changed = fields.Boolean(metadata={"description": "điều chỉnh: added or changed since the "
                                       "version before"})
    cancelled = fields.Boolean(metadata={"description": "a published meeting cancelled since"})


class ClashSchema(Schema):
    kind = fields.String(metadata={"description": "person | room"})
    subject_id = fields.Integer()
    subject_name = fields.String()
    keys = fields.List(fields.String(), metadata={"description": "the two items booked at once"})
    message = fields.String()


class WeekSummarySchema(Schema):
    id = fields.Integer()
    monday = fields.Date()
    sunday = fields.Date()
    number = fields.Integer(metadata={"description": "ISO week number"})
    status = fields.String(metadata={"description": "draft | submitted | published"})
    version = fields.Integer(metadata={"description": "the latest published version (0: none)"})
    published_at = fields.DateTime(allow_none=True)


class WeekViewSchema(Schema):
    """A week as this person reads it."""

    monday = fields.Date()
    sunday = fields.Date()
    number = fields.Integer()
    visible = fields.Boolean(metadata={"description": "false: nothing of this week this person may read yet"})
    is_draft = fields.Boolean(metadata={"description": "the draft being prepared (office and leaders)"})
    version = fields.Integer(allow_none=True, metadata={"description": "the published version shown"})
    status = fields.String(allow_none=True)
    latest_version = fields.Integer(metadata={"description": "the latest published version (0: none)"})
    return_note = fields.String()
    items = fields.List(fields.Nested(ItemSchema))
    removed = fields.List(fields.Nested(ItemSchema),
                          metadata={"description": "rows the version shown removed from the one before"})
    clashes = fields.List(fields.Nested(ClashSchema))
    leaders = fields.List(fields.Nested(PersonRefSchema),
                          metadata={"description": "the columns of the by-leader grid"})
    actions = fields.List(fields.String(), metadata={"description": "edit, submit, return, publish, revise"})


class ScheduleVersionSchema(Schema):
    number = fields.Integer()
    published_at = fields.DateTime()
    published_by = fields.String(allow_none=True)
    added = fields.Integer(metadata={"description": "rows added against the version before"})
    changed = fields.Integer()
    removed = fields.Integer()


class EntryOutSchema(ItemSchema):
    """The entry, as the week now shows it."""


class RoomOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    place = fields.String()
    capacity = fields.Integer(allow_none=True)
    active = fields.Boolean()
