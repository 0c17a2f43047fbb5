"""API door for incoming documents (văn bản đến), under /api/v1/incoming.

Each view parses its input, calls one operation and serialises the result; the
operations decide permissions, states and every refusal (stable ``code``, Vietnamese
``message``, ``field``). Registering, attaching files, progress and completion take
``multipart/form-data`` (metadata fields plus one or more ``files`` parts); registering,
progress and completion also take plain JSON when there is no file.
"""

from __future__ import annotations

from typing import BinaryIO, cast

import sqlalchemy as sa
from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from ..accesslog.operations import Action, Door, record_access
from ..api.blueprint import api_blueprint, parse_body
from ..core.errors import not_found
from ..documents.history import events_of
from ..documents.register_export import register_year
from ..extensions import db
from . import operations as ops
from .export import as_dicts, export_response, register_export
from .models import ProgressNote
from .schemas import (
    CompleteMultipartSchema,
    CompleteSchema,
    DelegateSchema,
    DirectionSchema,
    FilesUploadSchema,
    IncomingCreateMultipartSchema,
    IncomingCreateSchema,
    IncomingDetailSchema,
    IncomingPageSchema,
    IncomingSummarySchema,
    ListQuerySchema,
    ProgressMultipartSchema,
    ProgressSchema,
    QueueSchema,
    ReassignSchema,
    RegisterQuerySchema,
    RegisterRowSchema,
    ReturnSchema,
    SubmitSchema,
    TransferPaperSchema,
)

bp = api_blueprint(
    "incoming", __name__,
    "Incoming documents (văn bản đến, NĐ30 Điều 20–24): register, submit, direct, handle, "
    "complete, return; queues; the yearly register (sổ đến) as JSON, XLSX and PDF.",
)

DIRECTION = ops.DIRECTION


def _json_or_multipart(json_schema, multipart_schema, *, required: bool = True) -> dict:
    """OpenAPI requestBody for a view that takes JSON, or multipart with ``files``."""
    return {"requestBody": {"required": required, "content": {
        "application/json": {"schema": json_schema},
        "multipart/form-data": {"schema": multipart_schema},
    }}}


def _parse(schema_cls):
    """What ``schema_cls`` loads from JSON or from the form fields, and the ``files``
    parts (if multipart)."""
    return parse_body(schema_cls), _uploads()


def _uploads() -> list[ops.Upload]:
    return [ops.Upload(cast(BinaryIO, f.stream), f.filename or "")
            for f in request.files.getlist("files")]


def _detail(doc):
    doc.history = events_of(DIRECTION, doc.id)
    doc.progress = list(db.session.scalars(
        sa.select(ProgressNote).where(ProgressNote.document_id == doc.id).order_by(ProgressNote.id)))
    doc.actions = sorted(ops.available_actions(current_user, doc))
    return doc


@bp.route("/incoming")
class IncomingCollection(MethodView):
    @bp.arguments(ListQuerySchema, location="query")
    @bp.response(200, IncomingPageSchema)
    def get(self, args):
        """Documents I may read, newest first; filters year, status, overdue, q; paginated."""
        per_page, page = args["per_page"], args["page"]
        docs = ops.list_documents(
            current_user, year=args["year"], status=args["status"], overdue=args["overdue"],
            q=args["q"], limit=per_page + 1, offset=(page - 1) * per_page)
        return {"items": docs[:per_page], "page": page, "per_page": per_page,
                "has_more": len(docs) > per_page}

    @bp.doc(**_json_or_multipart(IncomingCreateSchema, IncomingCreateMultipartSchema))
    @bp.response(201, IncomingDetailSchema)
    @bp.alt_response(409, description="duplicate_suspected: the same sender, number and date "
                     "is registered already; send allow_duplicate=true to register anyway")
    @bp.alt_response(422, description="validation_error, confidential_no_content, pdf_invalid, "
                     "future_date, issue_after_arrival, …")
    def post(self):
        """Register (vào sổ) an arrived document; it gets the next số đến of the year.

        A confidential document (``confidentiality`` other than ``thuong``) is a paper
        entry: any file, subject, signer or field is refused with
        ``confidential_no_content`` and nothing is stored.
        """
        data, uploads = _parse(IncomingCreateSchema)
        doc = ops.register_incoming(current_user, data, uploads)
        return _detail(doc)


@bp.route("/incoming/queue")
class MyQueue(MethodView):
    @bp.response(200, QueueSchema)
    def get(self):
        """My queue: new, in progress, due soon, overdue, for information."""
        return ops.queue_for(current_user)


@bp.route("/incoming/awaiting-direction")
class AwaitingDirection(MethodView):
    @bp.response(200, IncomingSummarySchema(many=True))
    def get(self):
        """Submitted documents waiting for a leader's direction (empty for non-leaders)."""
        return ops.awaiting_direction(current_user)


@bp.route("/incoming/<int:document_id>")
class IncomingItem(MethodView):
    @bp.response(200, IncomingDetailSchema)
    def get(self, document_id):
        """One document: metadata, files (download URLs), assignments, progress, history."""
        doc = ops.get_readable(current_user, document_id)
        record_access(current_user, DIRECTION, doc, Action.VIEW, Door.API)
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/files")
class IncomingFiles(MethodView):
    @bp.arguments(FilesUploadSchema, location="files")
    @bp.response(201, IncomingDetailSchema)
    def post(self, data, document_id):
        """Attach scans to a registered document (refused for confidential entries)."""
        doc = ops.get_readable(current_user, document_id)
        ops.attach_files(current_user, doc, _uploads())
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/submit")
class Submit(MethodView):
    @bp.arguments(SubmitSchema)
    @bp.response(200, IncomingDetailSchema)
    def post(self, data, document_id):
        """Trình: put the document before a leader (or all leaders) for direction."""
        doc = ops.get_readable(current_user, document_id)
        ops.submit(current_user, doc, data["leader_id"], data["comment"])
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/direct")
class Direct(MethodView):
    @bp.arguments(DirectionSchema)
    @bp.response(200, IncomingDetailSchema)
    def post(self, direction, document_id):
        """Chỉ đạo: main handler, co-handlers, for information, deadline (leaders)."""
        doc = ops.get_readable(current_user, document_id)
        ops.direct(current_user, doc, direction)
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/reassign")
class Reassign(MethodView):
    @bp.arguments(ReassignSchema)
    @bp.response(200, IncomingDetailSchema)
    def post(self, data, document_id):
        """Replace the current assignments with a new direction (leaders)."""
        doc = ops.get_readable(current_user, document_id)
        direction, reason = data
        ops.reassign(current_user, doc, direction, reason)
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/assignments/<int:assignment_id>/delegate")
class Delegate(MethodView):
    @bp.arguments(DelegateSchema)
    @bp.response(200, IncomingDetailSchema)
    def post(self, data, document_id, assignment_id):
        """A head of unit hands the unit's assignment to one of the unit's people."""
        doc = ops.get_readable(current_user, document_id)
        assignment = next((a for a in doc.assignments if a.id == assignment_id), None)
        if assignment is None:
            raise not_found(_("Không tìm thấy phần việc được giao."))
        ops.delegate(current_user, assignment, data["user_id"])
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/progress")
class Progress(MethodView):
    @bp.doc(**_json_or_multipart(ProgressSchema, ProgressMultipartSchema))
    @bp.response(201, IncomingDetailSchema)
    def post(self, document_id):
        """A progress note, with result files if multipart (handlers)."""
        doc = ops.get_readable(current_user, document_id)
        data, uploads = _parse(ProgressSchema)
        ops.add_progress(current_user, doc, data["text"], uploads)
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/complete")
class Complete(MethodView):
    @bp.doc(**_json_or_multipart(CompleteSchema, CompleteMultipartSchema, required=False))
    @bp.response(200, IncomingDetailSchema)
    def post(self, document_id):
        """Mark my part done; the document is done when the main handler completes."""
        doc = ops.get_readable(current_user, document_id)
        data, uploads = _parse(CompleteSchema)
        ops.complete(current_user, doc, data["summary"], uploads)
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/return")
class ReturnToSender(MethodView):
    @bp.arguments(ReturnSchema)
    @bp.response(200, IncomingDetailSchema)
    def post(self, data, document_id):
        """Trả lại: send the document back to its sender, with the reason."""
        doc = ops.get_readable(current_user, document_id)
        ops.return_to_sender(current_user, doc, data["reason"])
        return _detail(doc)


@bp.route("/incoming/<int:document_id>/transfer-paper")
class TransferPaper(MethodView):
    @bp.arguments(TransferPaperSchema)
    @bp.response(200, IncomingDetailSchema)
    def post(self, data, document_id):
        """Record who now holds the paper of a confidential document."""
        doc = ops.get_readable(current_user, document_id)
        ops.transfer_paper(current_user, doc, data["holder"], data["comment"])
        return _detail(doc)


# --- the register (sổ đến) -------------------------------------------------------------------

def _year(year: int) -> int:
    return register_year(year)


@bp.route("/incoming/register/<int:year>")
class RegisterRows(MethodView):
    @bp.arguments(RegisterQuerySchema, location="query")
    @bp.response(200, RegisterRowSchema(many=True))
    def get(self, args, year):
        """The register's rows in số đến order (the Phụ lục IV columns).

        ``confidential=true``: the confidential series, only number, date, sender, holder
        (needs the right to see confidential entries). Clerks and leaders only.
        """
        return as_dicts(register_export(current_user, _year(year), args["confidential"]))


@bp.route("/incoming/register/<int:year>.xlsx")
class RegisterXlsx(MethodView):
    @bp.arguments(RegisterQuerySchema, location="query")
    @bp.response(200, {"format": "binary", "type": "string"}, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    def get(self, args, year):
        """The register as XLSX (landscape A4, header repeated): ``So-den-<year>.xlsx``."""
        return export_response(current_user, _year(year), "xlsx", args["confidential"])


@bp.route("/incoming/register/<int:year>.pdf")
class RegisterPdf(MethodView):
    @bp.arguments(RegisterQuerySchema, location="query")
    @bp.response(200, {"format": "binary", "type": "string"}, content_type="application/pdf")
    def get(self, args, year):
        """The register as PDF (landscape A4, header on every page): ``So-den-<year>.pdf``."""
        return export_response(current_user, _year(year), "pdf", args["confidential"])

