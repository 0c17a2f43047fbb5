"""API door for written consultations (phiếu lấy ý kiến), under /api/v1/consultations.

Each view parses its input, calls one operation of ``meetings.consultations`` and
serialises the result; the operations decide who may act, in which state, and every
refusal (stable ``code``, Vietnamese ``message``, ``field``). The detail carries
``actions``: what the caller may do now, exactly what the operations would accept.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from docmgmt.api.blueprint import api_blueprint
from docmgmt.core.errors import ValidationFailed, forbidden, not_found

from . import consultation_documents as docs
from . import consultations as ops
from .consultation_models import Consultation
from .consultation_schemas import (
    ConsultationAnswersSchema,
    ConsultationDetailSchema,
    ConsultationDraftSchema,
    ConsultationLinkSchema,
    ConsultationListQuerySchema,
    ConsultationPageSchema,
    ConsultationRemindedSchema,
    ConsultationResultSchema,
    ConsultationSchema,
    ConsultationTallySchema,
    ConsultationUploadSchema,
)
from .workflow import ConsultationStatus

bp = api_blueprint(
    "consultations", __name__,
    "Written consultations of the committee (phiếu lấy ý kiến): draft, issue, answer, remind, "
    "close, the tally with names, the chairman's conclusion, the result into the outgoing flow.",
)


def _detail(c: Consultation) -> Consultation:
    c.actions = sorted(ops.available_actions(current_user, c))  # type: ignore[attr-defined]
    c.my_answers = list(ops.my_answers(current_user, c).values())  # type: ignore[attr-defined]
    return c


def _tally(c: Consultation) -> ops.Tally:
    """The issuer, the chairman and the organisers see the answers as they come; the
    members once the consultation is closed."""
    if not ops.can_manage(current_user, c) and c.status_enum not in (ConsultationStatus.CLOSED,
                                                                     ConsultationStatus.DECIDED):
        raise forbidden(_("Kết quả chỉ công bố khi đã kết thúc lấy ý kiến."), "tally_hidden")
    return ops.tally(c)


@bp.route("/consultations")
class Consultations(MethodView):
    @bp.arguments(ConsultationListQuerySchema, location="query")
    @bp.response(200, ConsultationPageSchema)
    def get(self, args):
        """Consultations I may see: open ones first (by deadline), then the others."""
        per_page, page = args["per_page"], args["page"]
        rows = ops.list_visible(current_user, status=args["status"], limit=per_page + 1,
                                offset=(page - 1) * per_page)
        return {"items": rows[:per_page], "page": page, "per_page": per_page, "has_more": len(rows) > per_page}

    @bp.arguments(ConsultationSchema)
    @bp.response(201, ConsultationDetailSchema)
    @bp.alt_response(422, description="validation_error, required, past_deadline, invalid_person, too_many")
    def post(self, data):
        """Draft a consultation (those who organise meetings, the leaders). Nobody is told
        of it until it is issued; ``members`` empty: the committee's leaders."""
        return _detail(ops.create(current_user, data))


@bp.route("/consultations/<int:consultation_id>")
class ConsultationItem(MethodView):
    @bp.response(200, ConsultationDetailSchema)
    def get(self, consultation_id):
        """One consultation: questions, documents, the members asked, my answers, actions."""
        return _detail(ops.get_visible(current_user, consultation_id))


@bp.route("/consultations/<int:consultation_id>/issue")
class Issue(MethodView):
    @bp.response(200, ConsultationDetailSchema)
    @bp.alt_response(422, description="no_questions, no_members, past_deadline")
    def post(self, consultation_id):
        """Phát phiếu: the members asked are notified; they answer until the deadline."""
        c = ops.get_visible(current_user, consultation_id)
        return _detail(ops.issue(current_user, c))


@bp.route("/consultations/<int:consultation_id>/answers")
class Answers(MethodView):
    @bp.arguments(ConsultationAnswersSchema)
    @bp.response(200, ConsultationDetailSchema)
    @bp.alt_response(409, description="wrong_status (not open), deadline_passed")
    @bp.alt_response(422, description="required, invalid_question, invalid_choice, comment_required")
    def post(self, data, consultation_id):
        """My answers (a member asked): ``agree``, ``disagree`` or ``other`` with a comment,
        for one or more questions; a later answer replaces the earlier one until closed."""
        c = ops.get_visible(current_user, consultation_id)
        ops.answer(current_user, c, data["answers"])
        return _detail(c)


@bp.route("/consultations/<int:consultation_id>/remind")
class Remind(MethodView):
    @bp.response(200, ConsultationRemindedSchema)
    @bp.alt_response(409, description="wrong_status, all_answered")
    def post(self, consultation_id):
        """Nhắc: remind those who have not answered (the issuer or the chairman)."""
        c = ops.get_visible(current_user, consultation_id)
        return {"reminded": ops.remind(current_user, c)}


@bp.route("/consultations/<int:consultation_id>/close")
class Close(MethodView):
    @bp.response(200, ConsultationDetailSchema)
    def post(self, consultation_id):
        """End it before the deadline (the issuer or the chairman): the answers are final."""
        c = ops.get_visible(current_user, consultation_id)
        return _detail(ops.close(current_user, c))


@bp.route("/consultations/<int:consultation_id>/cancel")
class Cancel(MethodView):
    @bp.response(200, ConsultationDetailSchema)
    def post(self, consultation_id):
        """Cancel a draft or an open consultation; the members asked are told."""
        c = ops.get_visible(current_user, consultation_id)
        return _detail(ops.cancel(current_user, c))


@bp.route("/consultations/<int:consultation_id>/tally")
class Tally(MethodView):
    @bp.response(200, ConsultationTallySchema)
    @bp.alt_response(403, description="tally_hidden: a member asks before the consultation is closed")
    def get(self, consultation_id):
        """Who answered what and who did not, per question, and whether it passed: more than
        half of the members asked agree (of all those asked, not of those who answered)."""
        c = ops.get_visible(current_user, consultation_id)
        return _tally(c)


@bp.route("/consultations/<int:consultation_id>/result")
class Result(MethodView):
    @bp.arguments(ConsultationResultSchema)
    @bp.response(200, ConsultationDetailSchema)
    @bp.alt_response(409, description="wrong_status (not closed), already_drafted")
    def post(self, data, consultation_id):
        """Kết luận: the chairman records what was decided, once the consultation is closed."""
        c = ops.get_visible(current_user, consultation_id)
        return _detail(ops.record_result(current_user, c, data["conclusion"]))


@bp.route("/consultations/<int:consultation_id>/draft")
class Draft(MethodView):
    @bp.arguments(ConsultationDraftSchema)
    @bp.response(201, ConsultationDetailSchema)
    @bp.alt_response(409, description="wrong_status (not closed), already_drafted")
    def post(self, data, consultation_id):
        """The result into the outgoing flow: a Thông báo kết quả lấy ý kiến (``thong_bao``)
        or a Biên bản kiểm phiếu (``bien_ban``), a draft for the chairman to sign; its id is
        ``result_draft_id`` (``/api/v1/outgoing/<id>``)."""
        c = ops.get_visible(current_user, consultation_id)
        docs.make_draft(current_user, c, data["kind"])
        return _detail(c)


@bp.route("/consultations/<int:consultation_id>/documents")
class Documents(MethodView):
    @bp.arguments(ConsultationLinkSchema)
    @bp.response(201, ConsultationDetailSchema)
    @bp.alt_response(422, description="confidential_not_allowed, no_file, required")
    def post(self, data, consultation_id):
        """Attach the file of an incoming or an outgoing document I may read (a draft only);
        a confidential document is refused (``confidential_not_allowed``)."""
        c = ops.get_visible(current_user, consultation_id)
        ops.attach_document(current_user, c, incoming_id=data["incoming_id"], outgoing_id=data["outgoing_id"])
        return _detail(c)


@bp.route("/consultations/<int:consultation_id>/documents/upload")
class DocumentUpload(MethodView):
    @bp.arguments(ConsultationUploadSchema, location="files")
    @bp.response(201, ConsultationDetailSchema)
    @bp.alt_response(422, description="pdf_invalid, docx_invalid, unsupported type")
    def post(self, data, consultation_id):
        """Upload a PDF or Word file to read with the questions (a draft only), checked like
        every upload."""
        c = ops.get_visible(current_user, consultation_id)
        upload = data.get("file")
        if upload is None:
            raise ValidationFailed("required", _("Hãy chọn tệp."), "file")
        ops.attach_document(current_user, c, upload=(upload.stream, upload.filename or ""))
        return _detail(c)


@bp.route("/consultations/<int:consultation_id>/documents/<int:document_id>")
class DocumentItem(MethodView):
    @bp.response(200, ConsultationDetailSchema)
    def delete(self, consultation_id, document_id):
        """Remove a document from a draft."""
        c = ops.get_visible(current_user, consultation_id)
        if not any(d.id == document_id for d in c.documents):
            raise not_found()
        ops.remove_document(current_user, c, document_id)
        return _detail(c)
