"""Web door for outgoing documents: drafting, the document page, queues, the sổ đi.

Each handler parses a form, lets one operation check and act, and renders. What a
person may do on a document comes from ``operations.available_actions``; no rule is
decided here. Refusals (a signing failure is a 502 with a Vietnamese message) are
shown on the page they came from.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..accesslog import operations as access
from ..accesslog.serve import add_file_routes
from ..core.errors import DomainError, ValidationFailed, not_found
from ..core.forms import load_form, people_by_unit, show_error
from ..core.permissions import Permission
from ..core.text import sorted_people
from ..core.timeutil import vn_today
from ..delegation.operations import away_note
from ..delegation.workflow import Power
from ..documents.history import event_label, timeline
from ..documents.register_export import confidential_requested, register_year
from ..documents.types import Urgency, type_label
from ..extensions import db
from ..incoming import operations as incoming_ops
from ..org.operations import require
from . import home as _home  # noqa: F401 - registers the home-page panels
from . import operations as ops
from . import render
from .access import acting_reviewer, acting_signer
from .export import COLUMNS, row_of
from .forms import (
    CommentForm,
    DraftForm,
    IssueForm,
    IssueOnPaperForm,
    ListFilterForm,
    RecallForm,
    SignForm,
    SubmitForm,
    VersionForm,
    outside_recipients,
    paragraphs,
)
from .models import OutgoingDocument
from .schemas import (
    DraftCreateSchema,
    DraftSubmitSchema,
    IssueOnPaperSchema,
    IssueOutgoingSchema,
    OutgoingRecallSchema,
    ReviewCommentSchema,
    VersionSchema,
)
from .verification import verify_stored
from .workflow import STATUS_LABELS, Status

bp = Blueprint("outgoing", __name__, url_prefix="/outgoing")

STATUS_STYLES = {
    Status.DRAFT: "text-bg-secondary",
    Status.REVIEWING: "text-bg-warning",
    Status.RETURNED: "text-bg-danger",
    Status.APPROVED: "text-bg-info",
    Status.SIGNED: "text-bg-primary",
    Status.ISSUED: "text-bg-success",
    Status.RECALLED: "text-bg-dark",
}
STEP_LABELS = {"head_of_unit": _l("Trưởng bộ phận"), "leader": _l("Lãnh đạo")}
DECISION_LABELS = {"approved": _l("Đồng ý"), "returned": _l("Trả lại")}
# Where a recipient outside the commune stands on the provincial exchange (edXML status codes).
EXCHANGE_LABELS = {
    "": _l("Gửi khi phát hành"), "queued": _l("Chờ gửi qua trục liên thông"), "sent": _l("Đã gửi"),
    "failed": _l("Gửi không thành công"),
    "by_post": _l("Gửi qua bưu điện hoặc thư điện tử (cơ quan chưa có mã liên thông)"),
    "by_post_paper": _l("Gửi bản giấy qua bưu điện (văn bản phát hành bản giấy)"),
    "01": _l("Đã đến"), "02": _l("Từ chối tiếp nhận"), "03": _l("Đã tiếp nhận"),
    "04": _l("Đã phân công"), "05": _l("Đang xử lý"), "06": _l("Hoàn thành"),
    "13": _l("Yêu cầu lấy lại"), "15": _l("Đồng ý lấy lại"), "16": _l("Từ chối lấy lại"),
}


@bp.context_processor
def _helpers():
    return {
        "today": vn_today(),
        "status_label": lambda s: Status(s).label,
        "status_style": lambda s: STATUS_STYLES[Status(s)],
        "event_label": lambda a: event_label(ops.DIRECTION, a),
        "step_label": lambda k: str(STEP_LABELS.get(k, k)),
        "decision_label": lambda d: str(DECISION_LABELS.get(d, d)) if d else _("Đang chờ"),
        "exchange_label": lambda s, medium="electronic": str(EXCHANGE_LABELS.get(
            "by_post_paper" if s == "by_post" and medium == "paper" else s, s)),
        "urgency_label": lambda u: Urgency(u).label,
        "type_name": type_label,
    }


def _leader_choices(empty: str):
    return [("", empty)] + [(str(u.id), u.full_name + (f" — {u.position.name}" if u.position else "")
                             + (f" {note}" if (note := away_note(u, Power.SIGN)) else ""))
                            for u in sorted_people(incoming_ops.leaders_of(current_user.organisation_id))]


def _recipient_choices():
    people, units = incoming_ops.assignable(current_user, leaders=True)
    return {
        _("Đơn vị"): [(f"unit:{u.id}", u.name) for u in units],
        **people_by_unit(people, _("Không thuộc đơn vị")),
    }


def _upload(storage) -> ops.Upload | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return ops.Upload(storage.stream, storage.filename)


# --- drafting ------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, Permission.DRAFT_OUTGOING)
    form = DraftForm()
    form.signer_id.choices = _leader_choices(_("— Chọn khi trình —"))
    form.recipients.choices = _recipient_choices()
    status = 200
    if form.validate_on_submit() and (data := load_form(
            form, DraftCreateSchema, fields={"external": "outside"},
            external=outside_recipients(form.outside.data), body=paragraphs(form.body.data),
    )) is not None:
        upload = _upload(form.file.data) if form.source.data == "upload" else None
        try:
            if form.source.data == "upload" and upload is None:
                raise ValidationFailed("required", _("Hãy chọn tệp DOCX hoặc PDF của dự thảo."), "file")
            doc = ops.create_draft(current_user, data, upload)
        except DomainError as err:
            db.session.rollback()
            show_error(form, err)
            status = err.status
        else:
            flash(_("Đã tạo dự thảo."), "success")
            return redirect(url_for(".show", document_id=doc.id))
    elif request.method == "POST":
        status = 422
    return render_template("outgoing/new.html", form=form,
                           libreoffice=render.libreoffice_available()), status


# --- the document page ------------------------------------------------------------------------

FORMS = {
    "new_version": VersionForm, "submit": SubmitForm, "approve": CommentForm,
    "return": CommentForm, "sign": SignForm, "issue": IssueForm, "issue_on_paper": IssueOnPaperForm,
    "recall": RecallForm,
}


def _prepare(key: str, form, doc: OutgoingDocument):
    if key == "submit":
        form.signer_id.choices = _leader_choices(_("— Chọn lãnh đạo ký —"))
        if form.signer_id.data is None and doc.signer_id:
            form.signer_id.data = doc.signer_id
    return form


def _signatures(doc: OutgoingDocument):
    """The signatures of the most advanced PDF (issued, else signed), or an error text."""
    stored = doc.issued_file or doc.signed_file
    if stored is None:
        return None, None, None
    try:
        return stored, verify_stored(stored), None
    except DomainError as err:
        return stored, [], err.message


def _render_show(doc: OutgoingDocument, status: int = 200, failed: tuple[str, FlaskForm] | None = None):
    actions = ops.available_actions(current_user, doc)
    forms = {}
    for key in actions & FORMS.keys():
        if failed and failed[0] == key:
            forms[key] = failed[1]
        else:
            forms[key] = _prepare(key, FORMS[key](prefix=key, formdata=None), doc)
    if failed and failed[0] not in forms:
        # The action is no longer offered (or never was): say why on top of the page.
        for errors in failed[1].errors.values():
            for message in errors:
                flash(message, "danger")
    version = doc.current_version
    signed_pdf, signatures, signature_error = _signatures(doc)
    file_ids = [f.id for f in _files_of(doc)]
    return render_template(
        "outgoing/show.html", doc=doc, actions=actions, forms=forms, version=version,
        preview=(doc.issued_file or doc.signed_file or (version.pdf_file if version else None)),
        events=timeline(ops.DIRECTION, doc.id, file_ids), open_form=failed[0] if failed else None,
        access_counts=access.counts_for(ops.DIRECTION, doc.id, file_ids),
        signed_pdf=signed_pdf, signatures=signatures, signature_error=signature_error,
        libreoffice=render.libreoffice_available(),
        acting_review=acting_reviewer(current_user, doc) if "approve" in actions else None,
        acting_sign=acting_signer(current_user, doc) if "sign" in actions else None,
    ), status


@bp.get("/<int:document_id>")
@login_required
def show(document_id: int):
    doc = ops.get_readable(current_user, document_id)
    access.record_access(current_user, ops.DIRECTION, doc, access.Action.VIEW, access.Door.WEB)
    return _render_show(doc)


def _files_of(doc: OutgoingDocument):
    """The document's files: each version's source and PDF, the signed and issued PDFs."""
    found = [f for v in doc.versions for f in (v.source_file, v.pdf_file) if f is not None]
    found += [f for f in (doc.signed_file, doc.issued_file) if f is not None]
    return list({f.id: f for f in found}.values())


def _attached(doc: OutgoingDocument, file_id: int):
    found = next((f for f in _files_of(doc) if f.id == file_id), None)
    if found is None:
        raise not_found(_("Không tìm thấy tệp hoặc bạn không có quyền xem."))
    return found


add_file_routes(bp, ops.DIRECTION, ops.get_readable, _attached)


def _act(document_id: int, key: str, schema, run, done: str):
    """Load → the form, through the command's schema → one operation → back to the page
    (or the page with the refusal). ``run(doc, data, form)`` gets what the schema loaded."""
    doc = ops.get_readable(current_user, document_id)
    form = _prepare(key, FORMS[key](prefix=key), doc)
    if form.validate_on_submit() and (
            data := load_form(form, schema) if schema is not None else {}) is not None:
        try:
            run(doc, data, form)
        except DomainError as err:
            # Show the document as it is, not as the refused operation half-left it.
            db.session.rollback()
            doc = ops.get_readable(current_user, document_id)
            show_error(form, err)
            return _render_show(doc, err.status, (key, form))
        if done:
            flash(done, "success")
        return redirect(url_for(".show", document_id=document_id))
    return _render_show(doc, 422, (key, form))


def _new_version(doc, data, form):
    upload = _upload(form.file.data)
    if upload is None:
        raise ValidationFailed("required", _("Hãy chọn tệp DOCX hoặc PDF."), "file")
    ops.add_version(current_user, doc, upload, data["note"])


@bp.post("/<int:document_id>/version")
@login_required
def new_version(document_id: int):
    return _act(document_id, "new_version", VersionSchema, _new_version,
                _("Đã tải lên phiên bản mới."))


@bp.post("/<int:document_id>/submit")
@login_required
def submit(document_id: int):
    return _act(document_id, "submit", DraftSubmitSchema,
                lambda doc, d, f: ops.submit(current_user, doc, d["signer_id"], d["comment"]),
                _("Đã trình duyệt."))


@bp.post("/<int:document_id>/approve")
@login_required
def approve(document_id: int):
    return _act(document_id, "approve", ReviewCommentSchema,
                lambda doc, d, f: ops.approve(current_user, doc, d["comment"]),
                _("Đã duyệt dự thảo."))


@bp.post("/<int:document_id>/return")
@login_required
def return_draft(document_id: int):
    return _act(document_id, "return", ReviewCommentSchema,
                lambda doc, d, f: ops.return_draft(current_user, doc, d["comment"]),
                _("Đã trả lại dự thảo cho người soạn."))


@bp.post("/<int:document_id>/sign")
@login_required
def sign(document_id: int):
    return _act(document_id, "sign", None, lambda doc, d, f: ops.sign(current_user, doc),
                _("Đã ký số văn bản."))


@bp.post("/<int:document_id>/issue")
@login_required
def issue(document_id: int):
    def run(doc, data, form):
        ops.issue(current_user, doc, data["issued_on"])
        flash(_("Đã cấp số %(s)s và phát hành.", s=doc.number_symbol), "success")

    return _act(document_id, "issue", IssueOutgoingSchema, run, "")


@bp.post("/<int:document_id>/issue-on-paper")
@login_required
def issue_on_paper(document_id: int):
    def run(doc, data, form):
        ops.issue_on_paper(current_user, doc, _upload(form.file.data), data["issued_on"])
        flash(_("Đã cấp số %(s)s và ghi nhận văn bản phát hành bản giấy.", s=doc.number_symbol), "success")

    return _act(document_id, "issue_on_paper", IssueOnPaperSchema, run, "")


@bp.post("/<int:document_id>/recall")
@login_required
def recall(document_id: int):
    return _act(document_id, "recall", OutgoingRecallSchema,
                lambda doc, d, f: ops.recall(current_user, doc, d["reason"]),
                _("Đã thu hồi văn bản."))


# --- queues and lists ---------------------------------------------------------------------

def _queue(title: str, docs, empty: str, *, new_button: bool = False, delegated: bool = False):
    # Waiting for a leader away who delegated approval and signature to me: "Ủy quyền của …".
    marks = {d.id: leader.full_name for d in docs
             if delegated and (leader := ops.delegated_from(current_user, d)) is not None}
    return render_template("outgoing/queue.html", title=title, docs=docs, empty=empty,
                           new_button=new_button, marks=marks)


@bp.get("/drafts")
@login_required
def drafts():
    require(current_user, Permission.DRAFT_OUTGOING)
    return _queue(_("Dự thảo của tôi"), ops.my_drafts(current_user),
                  _("Bạn chưa có dự thảo nào đang xử lý."), new_button=True)


@bp.get("/review")
@login_required
def review():
    return _queue(_("Chờ tôi duyệt"), ops.to_review(current_user),
                  _("Không có dự thảo nào chờ bạn duyệt."), delegated=True)


@bp.get("/to-sign")
@login_required
def to_sign():
    require(current_user, Permission.APPROVE_OUTGOING)
    return _queue(_("Chờ ký"), ops.to_sign(current_user), _("Không có văn bản nào chờ bạn ký."),
                  delegated=True)


@bp.get("/to-issue")
@login_required
def to_issue():
    require(current_user, Permission.ISSUE_OUTGOING)
    return _queue(_("Chờ phát hành"), ops.to_issue(current_user),
                  _("Không có văn bản nào chờ cấp số, phát hành."))


@bp.get("/")
@login_required
def index():
    form = ListFilterForm(request.args)
    form.status.choices = [("", _("Mọi trạng thái"))] + [
        (s.value, str(STATUS_LABELS[s])) for s in Status]
    form.validate()
    docs = ops.list_documents(
        current_user, year=form.year.data if not form.year.errors else None,
        status=(form.status.data or None) if not form.status.errors else None)
    return render_template("outgoing/index.html", form=form, docs=docs)


@bp.get("/register", defaults={"year": None})
@bp.get("/register/<int:year>")
@login_required
def register_book(year: int | None):
    year = register_year(year)
    confidential = confidential_requested()
    docs = ops.register_documents(current_user, year, confidential)
    return render_template("outgoing/register.html", docs=docs, rows=[(d, row_of(d)) for d in docs],
                           columns=COLUMNS, year=year, confidential=confidential,
                           this_year=vn_today().year)
