"""API door for outgoing documents (văn bản đi), under /api/v1/outgoing, and signature
verification under /api/v1/signatures.

Each view parses its input, calls one operation and serialises the result; the
operations decide permissions, states and every refusal (stable ``code``, Vietnamese
``message``, ``field``). A signing failure is a 502 with the signing library's message.
Creating a draft takes JSON (built from the NĐ30 template of its type, with ``body``
paragraphs) or ``multipart/form-data`` with the draft as a ``file`` part (DOCX or PDF).
"""

from __future__ import annotations

from typing import BinaryIO, cast

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import EXCLUDE

from ..accesslog.operations import Action, Door, record_access
from ..api.blueprint import api_blueprint, parse_body
from ..core.errors import ValidationFailed
from ..documents.history import events_of
from ..documents.register_export import register_year
from . import operations as ops
from .export import as_dicts, export_response, register_of
from .schemas import (
    DraftCreateMultipartSchema,
    DraftCreateSchema,
    DraftSubmitSchema,
    IssueOnPaperSchema,
    IssueOnPaperUploadSchema,
    IssueOutgoingSchema,
    OutgoingDetailSchema,
    OutgoingListQuerySchema,
    OutgoingPageSchema,
    OutgoingRecallSchema,
    OutgoingRegisterQuerySchema,
    OutgoingRegisterRowSchema,
    OutgoingSummarySchema,
    ReviewCommentSchema,
    SignaturesSchema,
    VerifyUploadSchema,
    VersionSchema,
    VersionUploadSchema,
    _file,
)
from .verification import read_upload, verify_bytes, verify_stored

bp = api_blueprint(
    "outgoing", __name__,
    "Outgoing documents (văn bản đi, NĐ30 Điều 10–18): draft from a template or an upload, "
    "versions, review chain, the leader's signature, numbering and issuance, recall; "
    "queues; the yearly register (sổ đi) as JSON, XLSX and PDF; the signatures of a document.",
)
signatures_bp = api_blueprint(
    "signatures", __name__,
    "Signature verification of any PDF: signer, certificate, signing time, whether the "
    "document changed after signing.",
)


def _upload(name: str = "file") -> ops.Upload | None:
    f = request.files.get(name)
    if f is None or not f.filename:
        return None
    return ops.Upload(cast(BinaryIO, f.stream), f.filename)


def _detail(doc):
    doc.history = events_of(ops.DIRECTION, doc.id)
    doc.actions = sorted(ops.available_actions(current_user, doc))
    return doc


def _load(document_id: int):
    return ops.get_readable(current_user, document_id)


@bp.route("/outgoing")
class OutgoingCollection(MethodView):
    @bp.arguments(OutgoingListQuerySchema, location="query")
    @bp.response(200, OutgoingPageSchema)
    def get(self, args):
        """Outgoing documents I may read, newest first; filters year, status; paginated."""
        per_page, page = args["per_page"], args["page"]
        docs = ops.list_documents(current_user, year=args["year"], status=args["status"],
                                  limit=per_page + 1, offset=(page - 1) * per_page)
        return {"items": docs[:per_page], "page": page, "per_page": per_page,
                "has_more": len(docs) > per_page}

    @bp.doc(requestBody={"required": True, "content": {
        "application/json": {"schema": DraftCreateSchema},
        "multipart/form-data": {"schema": DraftCreateMultipartSchema}}})
    @bp.response(201, OutgoingDetailSchema)
    @bp.alt_response(422, description="required, invalid_type, invalid_signer, invalid_recipient, "
                     "past_date, pdf_invalid, render_failed, …")
    def post(self):
        """Start a draft: from the NĐ30 template (JSON) or an uploaded DOCX/PDF (multipart)."""
        draft = parse_body(DraftCreateSchema)
        return _detail(ops.create_draft(current_user, draft, _upload()))


@bp.route("/outgoing/drafts")
class MyDrafts(MethodView):
    @bp.response(200, OutgoingSummarySchema(many=True))
    def get(self):
        """My drafts still on their way (draft, reviewing, returned, approved, signed)."""
        return ops.my_drafts(current_user)


@bp.route("/outgoing/queues/review")
class ReviewQueue(MethodView):
    @bp.response(200, OutgoingSummarySchema(many=True))
    def get(self):
        """Drafts whose current review step is mine."""
        return ops.to_review(current_user)


@bp.route("/outgoing/queues/sign")
class SignQueue(MethodView):
    @bp.response(200, OutgoingSummarySchema(many=True))
    def get(self):
        """Approved documents waiting for my signature (leaders)."""
        return ops.to_sign(current_user)


@bp.route("/outgoing/queues/issue")
class IssueQueue(MethodView):
    @bp.response(200, OutgoingSummarySchema(many=True))
    def get(self):
        """Signed documents waiting for a number and issuance (clerks; empty for others)."""
        return ops.to_issue(current_user)


@bp.route("/outgoing/<int:document_id>")
class OutgoingItem(MethodView):
    @bp.response(200, OutgoingDetailSchema)
    def get(self, document_id):
        """One document: versions, review steps, recipients with exchange status, history,
        signed and issued files, and what I may do now."""
        doc = _load(document_id)
        record_access(current_user, ops.DIRECTION, doc, Action.VIEW, Door.API)
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/versions")
class Versions(MethodView):
    @bp.arguments(VersionUploadSchema, location="files")
    @bp.response(201, OutgoingDetailSchema)
    def post(self, data, document_id):
        """Upload a new version (DOCX or PDF; the drafter, while draft or returned).
        Multipart: ``file`` and an optional ``note``."""
        doc = _load(document_id)
        upload = _upload()
        if upload is None:
            raise ValidationFailed("required", _("Hãy chọn tệp DOCX hoặc PDF."), "file")
        fields = parse_body(VersionSchema, location="form", unknown=EXCLUDE)
        ops.add_version(current_user, doc, upload, fields["note"])
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/submit")
class Submit(MethodView):
    @bp.arguments(DraftSubmitSchema)
    @bp.response(200, OutgoingDetailSchema)
    @bp.alt_response(422, description="pdf_required: no PDF of the current version (LibreOffice "
                     "missing: upload a PDF version); invalid_signer")
    def post(self, data, document_id):
        """Trình duyệt: to the head of unit (if the unit says so), then the signing leader."""
        doc = _load(document_id)
        ops.submit(current_user, doc, data["signer_id"], data["comment"])
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/approve")
class Approve(MethodView):
    @bp.arguments(ReviewCommentSchema)
    @bp.response(200, OutgoingDetailSchema)
    def post(self, data, document_id):
        """Approve the current review step (its reviewer only)."""
        doc = _load(document_id)
        ops.approve(current_user, doc, data["comment"])
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/return")
class Return(MethodView):
    @bp.arguments(ReviewCommentSchema)
    @bp.response(200, OutgoingDetailSchema)
    def post(self, data, document_id):
        """Trả lại: back to the drafter, with a comment (required)."""
        doc = _load(document_id)
        ops.return_draft(current_user, doc, data["comment"])
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/sign")
class Sign(MethodView):
    @bp.response(200, OutgoingDetailSchema)
    @bp.alt_response(502, description="the signing failed (keys missing, remote signer refused, "
                     "…): the message says why, in Vietnamese")
    def post(self, document_id):
        """The leader it was submitted to signs the approved PDF."""
        doc = _load(document_id)
        ops.sign(current_user, doc)
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/issue")
class Issue(MethodView):
    @bp.arguments(IssueOutgoingSchema)
    @bp.response(200, OutgoingDetailSchema)
    @bp.alt_response(409, description="invalid_state: not signed yet")
    def post(self, data, document_id):
        """Cấp số, ký số của cơ quan, phát hành (clerks): the number is taken now."""
        doc = _load(document_id)
        ops.issue(current_user, doc, data["issued_on"])
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/issue-on-paper")
class IssueOnPaper(MethodView):
    @bp.arguments(IssueOnPaperUploadSchema, location="files")
    @bp.response(200, OutgoingDetailSchema)
    @bp.alt_response(409, description="invalid_state: not approved, or issued already")
    @bp.alt_response(422, description="required, file_type (not a PDF), pdf_invalid, future_date")
    def post(self, data, document_id):
        """Phát hành bản giấy (clerks): the leader signed the approved document by hand.
        Multipart: ``file`` (the scan of the signed paper, PDF) and an optional
        ``issued_on``. The number is taken now from the sổ đi; internal recipients receive
        the scan, outside ones are marked to go by post."""
        doc = _load(document_id)
        fields = parse_body(IssueOnPaperSchema, location="form", unknown=EXCLUDE)
        ops.issue_on_paper(current_user, doc, _upload(), fields["issued_on"])
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/recall")
class Recall(MethodView):
    @bp.arguments(OutgoingRecallSchema)
    @bp.response(200, OutgoingDetailSchema)
    def post(self, data, document_id):
        """Thu hồi an issued document, with the reason every recipient will see."""
        doc = _load(document_id)
        ops.recall(current_user, doc, data["reason"])
        return _detail(doc)


@bp.route("/outgoing/<int:document_id>/signatures")
class DocumentSignatures(MethodView):
    @bp.response(200, SignaturesSchema)
    def get(self, document_id):
        """Every signature in the issued PDF (else the leader's signed PDF); an empty list
        before signing."""
        doc = _load(document_id)
        stored = doc.issued_file or doc.signed_file
        if stored is None:
            return {"file": None, "name": "", "signatures": []}
        return {"file": _file(stored), "name": stored.original_name,
                "signatures": verify_stored(stored)}


# --- the register (sổ đi) -------------------------------------------------------------------

def _year(year: int) -> int:
    return register_year(year)


@bp.route("/outgoing/register/<int:year>")
class RegisterRows(MethodView):
    @bp.arguments(OutgoingRegisterQuerySchema, location="query")
    @bp.response(200, OutgoingRegisterRowSchema(many=True))
    def get(self, args, year):
        """The sổ đi of a year in number order, the Phụ lục IV columns (clerks, leaders)."""
        return as_dicts(register_of(current_user, _year(year), args["confidential"]))


@bp.route("/outgoing/register/<int:year>.xlsx")
class RegisterXlsx(MethodView):
    @bp.arguments(OutgoingRegisterQuerySchema, location="query")
    @bp.response(200, {"format": "binary", "type": "string"}, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    def get(self, args, year):
        """The sổ đi as XLSX: ``So-di-<year>.xlsx``."""
        return export_response(current_user, _year(year), "xlsx", args["confidential"])


@bp.route("/outgoing/register/<int:year>.pdf")
class RegisterPdf(MethodView):
    @bp.arguments(OutgoingRegisterQuerySchema, location="query")
    @bp.response(200, {"format": "binary", "type": "string"}, content_type="application/pdf")
    def get(self, args, year):
        """The sổ đi as PDF (landscape A4, headings on every page): ``So-di-<year>.pdf``."""
        return export_response(current_user, _year(year), "pdf", args["confidential"])


# --- verification of any PDF ------------------------------------------------------------------

@signatures_bp.route("/signatures/verify")
class VerifyUpload(MethodView):
    @signatures_bp.arguments(VerifyUploadSchema, location="files")
    @signatures_bp.response(200, SignaturesSchema)
    @signatures_bp.alt_response(422, description="not_a_pdf, required, too_large")
    def post(self, data, **kwargs):
        """Every signature of an uploaded PDF (ours or another agency's); nothing is stored."""
        f = request.files.get("file")
        content = read_upload(f)
        return {"file": None, "name": f.filename if f else "", "signatures": verify_bytes(content)}
