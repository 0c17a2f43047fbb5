"""API schemas for outgoing documents and signature reports.

Each input schema is the one definition of a command's fields and limits (NĐ30 Phụ lục VI
Part II lengths where the decree gives one, the column size otherwise): the API loads
requests through it, the pages pass what their forms parsed through it
(``core.forms.load_form``); ``@post_load`` hands the operation its input (``DraftInput``).
Every rule beyond shape and limits — a subject, a leader as signer, a PDF before
submission, who may do what and when — is decided by ``operations``, which answers with
a stable code and the field concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..core.schemas import (
    Between,
    Date,
    Integer,
    List,
    MaxLength,
    MaxTotalLength,
    OneOf,
    Text,
    field_errors,
    page_number,
    page_size,
)
from ..documents.history import event_label
from ..documents.register_export import FIRST_YEAR, LAST_YEAR
from ..documents.registers import Direction
from ..documents.types import TYPE_CODES, Urgency
from ..incoming.schemas import EventOutSchema
from .workflow import Status

URGENCIES = [u.value for u in Urgency]
STATUSES = [s.value for s in Status]
RECIPIENT_DOC = "`unit:<unit id>` (a unit of the commune) or `u:<user id>` (a person)"
TOKEN = 32  # `unit:<id>`: an id has at most 19 digits


# A comment or a note on the timeline; a reviewer's opinion or a recall reason.
COMMENT = 2000
LONG_TEXT = 4000


# --- the operations' input ------------------------------------------------------------------

@dataclass
class RecipientInput:
    """``unit:3``, ``u:12`` or an outside organisation (name and edXML OrganId)."""

    token: str = ""
    organ_name: str = ""
    organ_id: str = ""


@dataclass
class DraftInput:
    doc_type: str = "cong_van"
    subject: str = ""
    urgency: str = Urgency.NORMAL.value
    due_date: date | None = None
    recipients: list[RecipientInput] = field(default_factory=list)
    signer_id: int | None = None  # the leader expected to sign
    body: list[str] = field(default_factory=list)  # for a draft built from a template


# --- input --------------------------------------------------------------------------------

class OutsideRecipientSchema(Schema):
    """An outside organisation (NĐ30 Nơi nhận: OrganName 200, OrganId 13)."""

    organ_name = Text(load_default="", validate=MaxLength(200, _l("Tên cơ quan nhận")))
    organ_id = Text(load_default="", validate=MaxLength(13, _l("Mã định danh cơ quan nhận")))

    @post_load
    def _input(self, data: dict, **kwargs) -> RecipientInput:
        return RecipientInput(**data)


class ExternalRecipient(fields.Field):
    """An outside organisation: ``{"organ_name", "organ_id"}`` in JSON, or
    ``Tên cơ quan|OrganId`` as a form field (the OrganId is optional)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            name, organ_id = value.get("organ_name", ""), value.get("organ_id", "")
        elif isinstance(value, str):
            name, _sep, organ_id = value.partition("|")
        else:
            raise ValidationError("expected {organ_name, organ_id} or 'name|OrganId'")
        if not isinstance(name, str) or not isinstance(organ_id, str):
            raise ValidationError("organ_name and organ_id are strings")
        try:
            return OutsideRecipientSchema().load({"organ_name": name, "organ_id": organ_id})
        except ValidationError as err:  # one sentence per problem, not a nested dict
            raise ValidationError([m for ms in field_errors(err.messages).values() for m in ms]) \
                from None

    def _jsonschema_type_mapping(self):  # pragma: no cover - documentation only
        return {"type": "object"}


class DraftCreateSchema(Schema):
    """A new draft: from the NĐ30 template of its type (JSON, with ``body`` paragraphs)
    or from an uploaded DOCX/PDF (multipart, the ``file`` part)."""

    doc_type = Text(load_default="cong_van",
                    validate=OneOf(TYPE_CODES, _l("Loại văn bản không hợp lệ.")),
                    metadata={"description": "one of the 29 NĐ30 type codes"})
    subject = Text(load_default="", validate=MaxLength(500, _l("Trích yếu")),
                   metadata={"description": "trích yếu (required); NĐ30 Subject"})
    urgency = Text(load_default=Urgency.NORMAL.value,
                   validate=OneOf(URGENCIES, _l("Độ khẩn không hợp lệ.")))
    due_date = Date(load_default=None, allow_none=True,
                    metadata={"description": "hạn trả lời asked of the recipients"})
    signer_id = Integer(load_default=None, allow_none=True,
                        metadata={"description": "the leader expected to sign"})
    recipients = List(Text(validate=MaxLength(TOKEN, _l("Nơi nhận"))), load_default=list,
                      metadata={"description": RECIPIENT_DOC})
    external = List(ExternalRecipient(), load_default=list, metadata={
        "description": "outside organisations (sent through the provincial exchange): "
                       "objects {organ_name, organ_id}, or 'name|OrganId' form fields"})
    body = List(Text(), load_default=list, validate=MaxTotalLength(50000, _l("Nội dung")),
                metadata={"description": "body paragraphs for the template"})

    @post_load
    def _input(self, data: dict, **kwargs) -> DraftInput:
        data.pop("file", None)  # the multipart variant's upload travels apart
        recipients = [RecipientInput(token=t) for t in data.pop("recipients")]
        return DraftInput(recipients=recipients + data.pop("external"), **data)


class DraftCreateMultipartSchema(DraftCreateSchema):
    file = Upload(metadata={"description": "the draft as DOCX or PDF"})


class VersionSchema(Schema):
    note = Text(load_default="", validate=MaxLength(COMMENT, _l("Ghi chú phiên bản")))


class VersionUploadSchema(VersionSchema):
    file = Upload(required=True, metadata={"description": "DOCX or PDF"})


class DraftSubmitSchema(Schema):
    signer_id = Integer(load_default=None, allow_none=True,
                        metadata={"description": "the leader who will sign; the draft's "
                                                 "signer if omitted"})
    comment = Text(load_default="", validate=MaxLength(COMMENT, _l("Ghi chú")))


class ReviewCommentSchema(Schema):
    comment = Text(load_default="", validate=MaxLength(LONG_TEXT, _l("Ý kiến")),
                   metadata={"description": "required to return a draft"})


class IssueOutgoingSchema(Schema):
    issued_on = Date(load_default=None, allow_none=True,
                     metadata={"description": "ngày ban hành; today (Vietnam) if omitted"})


class IssueOnPaperSchema(IssueOutgoingSchema):
    """Phát hành bản giấy: the leader signed the paper by hand; the scan travels apart
    (multipart ``file``)."""


class IssueOnPaperUploadSchema(IssueOnPaperSchema):
    # Not required here: who may and when are refused first, then a missing scan (``required``).
    file = Upload(metadata={"description": "the scan of the signed paper (PDF), required"})


class OutgoingRecallSchema(Schema):
    reason = Text(required=True, validate=MaxLength(LONG_TEXT, _l("Lý do thu hồi")),
                  error_messages={"required": _l("Hãy ghi lý do thu hồi.")},
                  metadata={"description": "lý do thu hồi"})


class OutgoingListQuerySchema(Schema):
    year = Integer(load_default=None, allow_none=True,
                   validate=Between(FIRST_YEAR, LAST_YEAR, _l("Năm")),
                   metadata={"description": "year of the register (issued documents)"})
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    page = page_number()
    per_page = page_size(50, 200)


class OutgoingRegisterQuerySchema(Schema):
    confidential = fields.Boolean(load_default=False,
                                  metadata={"description": "the confidential series (sổ mật)"})


class VerifyUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "any PDF"})


# --- output -------------------------------------------------------------------------------

def _file(stored) -> dict | None:
    if stored is None:
        return None
    return {"id": stored.id, "name": stored.original_name, "mime": stored.mime, "size": stored.size,
            "url": f"/api/v1/files/{stored.id}/content"}


class FileRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    mime = fields.String()
    size = fields.Integer()
    url = fields.String(metadata={"description": "download (same access as the document)"})


class OutgoingSummarySchema(Schema):
    id = fields.Integer()
    doc_type = fields.String()
    type_name = fields.String()
    subject = fields.String()
    urgency = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda d: d.status_enum.label)
    drafter_id = fields.Integer()
    drafter = fields.Function(lambda d: d.drafter.full_name)
    drafting_unit = fields.Function(lambda d: d.drafting_unit.abbreviation if d.drafting_unit else None)
    signer_id = fields.Integer(allow_none=True)
    signer = fields.Function(lambda d: d.signer.full_name if d.signer else None)
    number = fields.Integer(allow_none=True)
    number_symbol = fields.String(metadata={"description": "số, ký hiệu: 01/UBND-KT (issued only)"})
    issued_on = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    created_at = fields.DateTime()


class VersionOutSchema(Schema):
    number = fields.Integer()
    note = fields.String()
    created_by_id = fields.Integer()
    created_by = fields.Function(lambda v: v.created_by.full_name)
    created_at = fields.DateTime()
    source_file = fields.Function(lambda v: _file(v.source_file), metadata={"description": "DOCX or PDF"})
    pdf_file = fields.Function(lambda v: _file(v.pdf_file),
                               metadata={"description": "null until a PDF exists"})


class StepOutSchema(Schema):
    round = fields.Integer()
    kind = fields.String(metadata={"description": "head_of_unit | leader"})
    reviewer_id = fields.Integer()
    reviewer = fields.Function(lambda s: s.reviewer.full_name)
    version_number = fields.Integer()
    decision = fields.String(allow_none=True, metadata={"description": "approved | returned | null"})
    comment = fields.String()
    decided_at = fields.DateTime(allow_none=True)


class RecipientOutSchema(Schema):
    kind = fields.String(metadata={"description": "unit | user | external"})
    unit_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    organ_name = fields.String()
    organ_id = fields.String()
    label = fields.String()
    exchange_status = fields.String(metadata={
        "description": "external: queued, sent, or the edXML status code (01, 03, …); by_post "
                       "when sent on paper (no OrganId, or the document was issued on paper)"})
    exchange_updated_at = fields.DateTime(allow_none=True)
    incoming_document_id = fields.Integer(allow_none=True, metadata={
        "description": "internal: the incoming document it became on issuance"})


class OutgoingEventSchema(EventOutSchema):
    action_label = fields.Function(lambda e: event_label(Direction.OUTGOING, e.action))


class OutgoingDetailSchema(OutgoingSummarySchema):
    copies = fields.Integer()
    medium = fields.String(metadata={
        "description": "electronic (signed digitally) or paper (signed by hand; issued_file is its scan)"})
    retained_by = fields.String(metadata={"description": "đơn vị, người nhận bản lưu"})
    issued_at = fields.DateTime(allow_none=True)
    issued_by_id = fields.Integer(allow_none=True)
    recalled_at = fields.DateTime(allow_none=True)
    recall_reason = fields.String()
    versions = fields.List(fields.Nested(VersionOutSchema))
    steps = fields.List(fields.Nested(StepOutSchema))
    recipients = fields.List(fields.Nested(RecipientOutSchema))
    signed_file = fields.Function(lambda d: _file(d.signed_file),
                                  metadata={"description": "the leader's signed PDF"})
    issued_file = fields.Function(lambda d: _file(d.issued_file),
                                  metadata={"description": "the issued PDF (bản lưu)"})
    history = fields.List(fields.Nested(OutgoingEventSchema))
    actions = fields.List(fields.String(), metadata={
        "description": "what the caller may do now: new_version, submit, approve, return, "
                       "sign, issue, issue_on_paper, recall"})


class OutgoingPageSchema(Schema):
    items = fields.List(fields.Nested(OutgoingSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class OutgoingRegisterRowSchema(Schema):
    """One line of the sổ đi, the columns of Phụ lục IV."""

    number_symbol = fields.String(metadata={"description": "Số, ký hiệu văn bản"})
    issued_on = fields.String(metadata={"description": "Ngày tháng văn bản (dd/mm/yyyy)"})
    type_and_subject = fields.String(metadata={"description": "Tên loại và trích yếu"})
    signer = fields.String(metadata={"description": "Người ký"})
    recipients = fields.String(metadata={"description": "Nơi nhận văn bản"})
    retained_by = fields.String(metadata={"description": "Đơn vị, người nhận bản lưu"})
    copies = fields.String(metadata={"description": "Số lượng bản"})
    transferred_on = fields.String(metadata={"description": "Ngày chuyển"})
    received_signature = fields.String(metadata={"description": "Ký nhận (on paper)"})
    note = fields.String(metadata={"description": "Ghi chú"})


class SignatureSchema(Schema):
    """One signature of a PDF, as ``signing.verify.verify_pdf`` reports it."""

    field_name = fields.String()
    signer_name = fields.String()
    subject = fields.String(metadata={"description": "certificate subject"})
    issuer = fields.String(metadata={"description": "certificate issuer"})
    serial = fields.String(metadata={"description": "certificate serial number, hex"})
    valid_from = fields.DateTime(allow_none=True, metadata={"description": "certificate validity"})
    valid_to = fields.DateTime(allow_none=True)
    signing_time = fields.DateTime(allow_none=True, metadata={
        "description": "as claimed by the signer, Vietnam time (+07:00)"})
    intact = fields.Boolean(metadata={"description": "the signed bytes are unchanged"})
    crypto_valid = fields.Boolean()
    trusted = fields.Boolean(metadata={"description": "the certificate chains to a trusted root"})
    valid = fields.Boolean(metadata={"description": "intact, cryptographically valid, trusted, "
                                                    "and no change after signing beyond what "
                                                    "the signature allows"})
    certification = fields.Boolean()
    docmdp = fields.String(allow_none=True)
    covers_whole_file = fields.Boolean()
    modification_level = fields.String(metadata={"description": "none | form_filling | other"})
    modified_after_signing = fields.Function(lambda r: r.modification_level != "none" or not r.intact)
    modified_not_allowed = fields.Boolean()
    reason = fields.String(allow_none=True)
    summary_vi = fields.String(metadata={"description": "the verdict, in Vietnamese"})


class SignaturesSchema(Schema):
    file = fields.Nested(FileRefSchema, allow_none=True, metadata={
        "description": "the file checked (the issued PDF, else the signed one)"})
    name = fields.String(metadata={"description": "file name"})
    signatures = fields.List(fields.Nested(SignatureSchema))
    all_valid = fields.Function(lambda r: bool(r["signatures"]) and all(s.valid for s in r["signatures"]))
