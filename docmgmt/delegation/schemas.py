"""API schemas for delegations: the one definition of each command's fields and limits
(the API loads requests through them; the pages pass what their forms parsed through
them), and what the API returns. Every rule beyond shape and limits — who may delegate
to whom, the dates, overlaps, re-delegation — is decided by ``operations``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, post_load

from ..core.schemas import Date, Filled, Integer, List, MaxLength, OneOf, Text
from ..core.timeutil import format_date, format_datetime
from .workflow import Power, SigningForm, Status

POWERS = [p.value for p in Power]
FORMS = [f.value for f in SigningForm]
STATUSES = [s.value for s in Status]
REASON = 1000
END_REASON = 1000


@dataclass
class DelegationInput:
    delegate_id: int
    start_date: date
    end_date: date
    powers: list[str] = field(default_factory=list)
    reason: str = ""
    form: str | None = None  # None: the usual form for the two people (workflow.signing_forms)


class DelegationCreateSchema(Schema):
    delegate_id = Integer(required=True, error_messages={"required": _l("Hãy chọn người nhận ủy quyền.")},
                          metadata={"label": _l("Người nhận ủy quyền"),
                                    "description": "a leader of the same commune (user id)"})
    powers = List(Text(validate=OneOf(POWERS, _l("Việc ủy quyền không hợp lệ."))),
                  required=True, validate=Filled(_l("Hãy chọn việc ủy quyền.")),
                  error_messages={"required": _l("Hãy chọn việc ủy quyền.")},
                  metadata={"description": "direct (chỉ đạo văn bản đến) and/or sign (duyệt, ký văn bản đi)"})
    start_date = Date(required=True, error_messages={"required": _l("Hãy nhập ngày bắt đầu.")},
                      metadata={"label": _l("Từ ngày"), "description": "first day (Vietnam date), included"})
    end_date = Date(required=True, error_messages={"required": _l("Hãy nhập ngày kết thúc.")},
                    metadata={"label": _l("Đến ngày"), "description": "last day (Vietnam date), included"})
    reason = Text(required=True, validate=[Filled(_l("Hãy ghi lý do ủy quyền.")),
                                           MaxLength(REASON, _l("Lý do ủy quyền"))],
                  error_messages={"required": _l("Hãy ghi lý do ủy quyền.")},
                  metadata={"label": _l("Lý do"), "description": "đi công tác, nghỉ phép…"})
    form = Text(load_default=None, allow_none=True,
                validate=OneOf(FORMS, _l("Hình thức ký không hợp lệ.")),
                metadata={"description": "how the delegate signs (NĐ30 Điều 13): kt (KT. — a deputy), "
                                         "q (Q. — the acting head), tuq (TUQ.), tl (TL.), tm (TM.); "
                                         "omitted: the usual form for the two people"})

    @post_load
    def _input(self, data: dict, **kwargs) -> DelegationInput:
        return DelegationInput(**data)


class DelegationEndSchema(Schema):
    reason = Text(load_default="", validate=MaxLength(END_REASON, _l("Lý do kết thúc")),
                  metadata={"label": _l("Lý do kết thúc sớm"), "description": "why it ends early (optional)"})


class DelegationListQuerySchema(Schema):
    role = Text(load_default="all", validate=OneOf(["given", "received", "all"], _l("Giá trị không hợp lệ.")),
                metadata={"description": "given (mine to others), received (others' to me), or all I may see"})


class PersonOutSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()
    position = fields.Function(lambda u: u.position.name if u.position else "")


class DelegationOutSchema(Schema):
    id = fields.Integer()
    delegator = fields.Nested(PersonOutSchema)
    delegate = fields.Nested(PersonOutSchema)
    powers = fields.Function(lambda d: [p.value for p in d.powers],
                             metadata={"description": "direct and/or sign"})
    powers_label = fields.String()
    form = fields.String(metadata={"description": "the signing form: tm, kt, tl, tuq, q"})
    form_prefix = fields.Function(lambda d: d.signing_form.prefix, metadata={"description": "KT., TUQ., …"})
    start_date = fields.Date()
    end_date = fields.Date()
    span = fields.Function(lambda d: f"{format_date(d.start_date)} – {format_date(d.end_date)}",
                           metadata={"description": "dd/mm/yyyy – dd/mm/yyyy"})
    reason = fields.String()
    status = fields.Function(lambda d: d.status.value, metadata={"description": ", ".join(STATUSES)})
    status_label = fields.Function(lambda d: d.status.label)
    created_at = fields.DateTime()
    created_by_id = fields.Integer()
    ended_at = fields.DateTime(allow_none=True)
    ended_at_display = fields.Function(lambda d: format_datetime(d.ended_at))
    ended_by_id = fields.Integer(allow_none=True)
    end_reason = fields.String()
    actions = fields.Function(lambda d: sorted(getattr(d, "actions", ())),
                              metadata={"description": "what the caller may do now: end"})


class ActOutSchema(Schema):
    at = fields.DateTime()
    direction = fields.String(metadata={"description": "incoming or outgoing"})
    document_id = fields.Integer()
    action = fields.String()
    action_label = fields.String()
    actor_id = fields.Integer(allow_none=True)
    comment = fields.String()


class DelegationDetailSchema(DelegationOutSchema):
    acts = fields.List(fields.Nested(ActOutSchema), metadata={
        "description": "what the delegate did in the delegator's name under it (documents the caller may open)"})
