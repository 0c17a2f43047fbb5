"""Input and output schemas of the written consultations (phiếu lấy ý kiến): the one
definition of each command's fields and limits, read by the API and, through
``core.forms.load_form``, by the pages. Every rule beyond shape and limits — a title, the
questions, a deadline in the future, who may act and when — is decided by
``meetings.consultations``, with a stable code and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, post_load

from docmgmt.core.schemas import DateTime, Integer, List, MaxLength, OneOf, Text, page_number, page_size
from docmgmt.core.timeutil import format_datetime

from .workflow import ANSWER_CHOICES, ConsultationStatus

LONG_TEXT = 4000
COMMENT = 2000
QUESTION = 1000
MAX_QUESTIONS = 20
RESULT_KINDS = ("thong_bao", "bien_ban")


# --- the operations' input ------------------------------------------------------------------

@dataclass
class ConsultationInput:
    title: str = ""
    description: str = ""
    deadline: datetime | None = None  # aware, or naive in Asia/Ho_Chi_Minh
    chair_id: int | None = None
    members: list[int] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


@dataclass
class AnswerInput:
    question_id: int | None = None
    choice: str = ""
    comment: str = ""


# --- input --------------------------------------------------------------------------------

class ConsultationSchema(Schema):
    """Phiếu lấy ý kiến: create it, or change it while it is a draft. ``deadline`` is ISO
    8601; a naive time is Vietnam's. ``members``: user ids (empty: the committee's leaders)."""

    title = Text(load_default="", validate=MaxLength(500, _l("Nội dung xin ý kiến")))
    description = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Tờ trình, thuyết minh")))
    deadline = DateTime(load_default=None, allow_none=True, metadata={"description": "hạn trả lời"})
    chair_id = Integer(load_default=None, allow_none=True,
                       metadata={"description": "the chairman who asks (default: the issuer if a leader)"})
    members = List(Integer(), load_default=list,
                   metadata={"description": "the members asked; empty: the committee's leaders"})
    questions = List(Text(validate=MaxLength(QUESTION, _l("Câu hỏi"))), load_default=list,
                     metadata={"description": f"the questions, in order (1 to {MAX_QUESTIONS})"})

    @post_load
    def _input(self, data: dict, **kwargs) -> ConsultationInput:
        return ConsultationInput(**data)


class ConsultationAnswerItemSchema(Schema):
    question_id = Integer(required=True)
    choice = Text(required=True,
                  validate=OneOf(ANSWER_CHOICES, _l("Hãy chọn Đồng ý, Không đồng ý hoặc Ý kiến khác.")),
                  metadata={"description": "agree | disagree | other"})
    comment = Text(load_default="", validate=MaxLength(COMMENT, _l("Ý kiến")),
                   metadata={"description": "required with `other`"})

    @post_load
    def _input(self, data: dict, **kwargs) -> AnswerInput:
        return AnswerInput(**data)


class ConsultationAnswersSchema(Schema):
    """A member's answers: one or more questions at a time; a later answer to the same
    question replaces the earlier one, until the consultation closes."""

    answers = List(fields.Nested(ConsultationAnswerItemSchema), load_default=list)


class ConsultationResultSchema(Schema):
    """Kết luận của Chủ tịch on the result."""

    conclusion = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Kết luận")))


class ConsultationDraftSchema(Schema):
    """Which document the result becomes: a Thông báo kết quả lấy ý kiến or a Biên bản."""

    kind = Text(load_default="thong_bao", validate=OneOf(RESULT_KINDS, _l("Loại văn bản không hợp lệ.")),
                metadata={"description": "thong_bao | bien_ban"})


class ConsultationLinkSchema(Schema):
    """A document to read with the questions: an incoming or an outgoing document (its file)."""

    incoming_id = Integer(load_default=None, allow_none=True)
    outgoing_id = Integer(load_default=None, allow_none=True)


class ConsultationUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "a PDF or a Word (DOCX) file"})


class ConsultationListQuerySchema(Schema):
    status = Text(load_default=None, allow_none=True,
                  validate=OneOf([s.value for s in ConsultationStatus], _l("Trạng thái không hợp lệ.")))
    page = page_number()
    per_page = page_size(50, 200)


# --- output -------------------------------------------------------------------------------

class ConsultationPersonSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()
    position = fields.Function(lambda u: u.position.name if u.position else "")


class ConsultationSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String(metadata={"description": ", ".join(s.value for s in ConsultationStatus)})
    deadline = fields.DateTime()
    deadline_display = fields.Function(lambda c: format_datetime(c.deadline), metadata={
        "description": "dd/mm/yyyy HH:MM, Vietnam time"})
    chair = fields.Nested(ConsultationPersonSchema)
    issuer = fields.Nested(ConsultationPersonSchema, attribute="created_by")
    issued_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class ConsultationQuestionSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    text = fields.String()


class ConsultationDocumentSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    file_id = fields.Integer(attribute="stored_file_id")
    name = fields.Function(lambda d: d.stored.original_name)
    incoming_id = fields.Integer(allow_none=True)
    outgoing_id = fields.Integer(allow_none=True)
    url = fields.Function(lambda d: f"/api/v1/files/{d.stored_file_id}/content")


class ConsultationAnswerSchema(Schema):
    question_id = fields.Integer()
    choice = fields.String()
    comment = fields.String()
    answered_at = fields.DateTime()


class ConsultationTallyAnswerSchema(Schema):
    person = fields.Nested(ConsultationPersonSchema, attribute="user")
    choice = fields.String()
    comment = fields.String()
    answered_at = fields.DateTime()


class ConsultationQuestionTallySchema(Schema):
    question = fields.Nested(ConsultationQuestionSchema)
    asked = fields.Integer(metadata={"description": "members asked (the base of the rule)"})
    agree = fields.Integer()
    disagree = fields.Integer()
    other = fields.Integer()
    not_answered = fields.Integer()
    passed = fields.Boolean(metadata={"description": "agree > half of those asked"})
    answers = fields.List(fields.Nested(ConsultationTallyAnswerSchema))
    silent = fields.List(fields.Nested(ConsultationPersonSchema), metadata={"description": "who has not answered"})


class ConsultationTallySchema(Schema):
    rule = fields.String(metadata={"description": "the rule, in words"})
    final = fields.Boolean(metadata={"description": "closed: the tally is the result"})
    questions = fields.List(fields.Nested(ConsultationQuestionTallySchema))


class ConsultationDetailSchema(ConsultationSummarySchema):
    description = fields.String()
    questions = fields.List(fields.Nested(ConsultationQuestionSchema))
    members = fields.Function(lambda c: ConsultationPersonSchema(many=True).dump([m.user for m in c.members]))
    documents = fields.List(fields.Nested(ConsultationDocumentSchema))
    my_answers = fields.List(fields.Nested(ConsultationAnswerSchema), metadata={"description": "the caller's"})
    conclusion = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    result_kind = fields.String(allow_none=True)
    result_draft_id = fields.Integer(allow_none=True, metadata={"description": "the outgoing draft"})
    actions = fields.List(fields.String(), metadata={
        "description": "what the caller may do now: edit, issue, answer, remind, close, cancel, "
                       "record_result, make_draft"})


class ConsultationPageSchema(Schema):
    items = fields.List(fields.Nested(ConsultationSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class ConsultationRemindedSchema(Schema):
    reminded = fields.Integer(metadata={"description": "members reminded"})
