"""Pages of the written consultations (phiếu lấy ý kiến), beside the meetings: the list,
drafting and issuing, answering, the tally with names, the chairman's conclusion and the
result handed to the outgoing flow.

Each handler loads the consultation the user may see, lets one operation check and act,
and renders; a refusal rolls the request back and shows the page as it was, with the
operation's message next to the field it concerns (or on top of the page).
"""

from __future__ import annotations

import io
import re
from datetime import datetime, time

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError

from docmgmt.core.errors import DomainError, ValidationFailed, forbidden, not_found
from docmgmt.core.forms import load_form, people_by_unit, show_error
from docmgmt.core.permissions import Permission
from docmgmt.core.schemas import field_errors
from docmgmt.core.timeutil import to_vn, vn_today
from docmgmt.documents.calendar import add_working_days, holidays_of
from docmgmt.extensions import db
from docmgmt.home.waiting import Item, Panel, provider

from . import consultation_documents as docs
from . import consultations as ops
from .consultation_forms import AnswerForm, ConsultationForm, DocumentForm, DraftForm, ResultForm
from .consultation_models import Consultation
from .consultation_schemas import (
    COMMENT,
    ConsultationAnswersSchema,
    ConsultationDraftSchema,
    ConsultationInput,
    ConsultationResultSchema,
    ConsultationSchema,
)
from .controllers import _colleagues, _document_choices, _person_label
from .workflow import ANSWER_CHOICES, ANSWER_LABELS, CONSULTATION_TRANSITIONS, ConsultationStatus

bp = Blueprint("consultations", __name__, url_prefix="/meetings/consultations")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
S = ConsultationStatus
STATUS_STYLES = {
    S.DRAFT: "text-bg-secondary",
    S.OPEN: "text-bg-primary",
    S.CLOSED: "text-bg-info",
    S.DECIDED: "text-bg-success",
    S.CANCELLED: "text-bg-dark",
}
# One-click acts, in the order they are offered: label, icon, button style.
ACTIONS = {
    "issue": (_l("Phát phiếu lấy ý kiến"), "send", "btn-primary"),
    "remind": (_l("Nhắc người chưa trả lời"), "bell", "btn-outline-primary"),
    "close": (_l("Kết thúc lấy ý kiến"), "stop-circle", "btn-warning"),
    "cancel": (_l("Hủy phiếu"), "x-circle", "btn-outline-danger"),
}
DONE = {
    "issue": _l("Đã phát phiếu lấy ý kiến đến các thành viên."),
    "close": _l("Đã kết thúc lấy ý kiến. Kết quả đã được kiểm phiếu."),
    "cancel": _l("Đã hủy phiếu lấy ý kiến."),
}
CHOICE_STYLES = {"agree": "text-bg-success", "disagree": "text-bg-danger", "other": "text-bg-warning"}
# The issuer's page asks for the tally again this often while answers may still come.
POLL_MS = 5000
FORM_FIELDS = {"deadline": "deadline_day", "questions": "questions_text"}


@bp.app_context_processor  # the meetings page lists consultations too
def _helpers():
    return {
        "c_status_label": lambda s: S(s).label,
        "c_status_style": lambda s: STATUS_STYLES[S(s)],
        "choice_label": lambda choice: str(ANSWER_LABELS.get(choice, choice)),
        "choice_style": lambda choice: CHOICE_STYLES.get(choice, "text-bg-light"),
        "answer_choices": ANSWER_CHOICES,
    }


def may_see_tally(c: Consultation) -> bool:
    """The issuer, the chairman and the organisers follow the answers as they come; the
    members see the tally once the consultation is closed (their answers are their own
    until then, not a lead for the others)."""
    return ops.can_manage(current_user, c) or c.status_enum in (S.CLOSED, S.DECIDED)


def _tally_or_refuse(c: Consultation) -> ops.Tally:
    if not may_see_tally(c):
        raise forbidden(_("Kết quả chỉ công bố khi đã kết thúc lấy ý kiến."), "tally_hidden")
    return ops.tally(c)


# --- lists --------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    return render_template("meetings/consultation_index.html", awaiting=ops.awaiting_answer(current_user),
                           consultations=ops.list_visible(current_user, limit=200),
                           may_create=ops.can_issue(current_user))


@provider
def _awaiting_answer(user) -> Panel | None:
    """Home panel: consultations waiting for my answer (none: no panel)."""
    waiting = ops.awaiting_answer(user, limit=10)
    if not waiting:
        return None
    return Panel("consultations_awaiting", _("Phiếu lấy ý kiến chờ bạn trả lời"), None,
                 [Item(c.title, url_for("consultations.show", consultation_id=c.id),
                       _("Hạn %(d)s", d=to_vn(c.deadline).strftime("%H:%M %d/%m/%Y")), urgent=True)
                  for c in waiting],
                 more_link=url_for("consultations.index"))


# --- drafting ---------------------------------------------------------------------------------

def _form(c: Consultation | None = None) -> ConsultationForm:
    people = _colleagues()
    if request.method == "POST":
        form = ConsultationForm()
    elif c is None:
        holidays = holidays_of(current_user.organisation_id, vn_today())
        chair = ops.default_chair(current_user)
        form = ConsultationForm(formdata=None, deadline_day=add_working_days(vn_today(), 3, holidays),
                                deadline_time=time(17, 0), chair_id=chair.id if chair else None,
                                members=[u.id for u in ops.committee_members(current_user)])
    else:
        deadline = to_vn(c.deadline)
        form = ConsultationForm(formdata=None, obj=c, deadline_day=deadline.date(), deadline_time=deadline.time(),
                                members=[m.user_id for m in c.members],
                                questions_text="\n".join(q.text for q in c.questions))
    leaders = [u for u in people if u.can(Permission.CHAIR_MEETINGS)]
    form.chair_id.choices = [("", _("— Chọn Chủ tịch —"))] + [(u.id, _person_label(u)) for u in leaders]
    form.members.choices = people_by_unit(people, _("Lãnh đạo Ủy ban"), value=lambda u: u.id, label=_person_label)
    return form


def _input(form: ConsultationForm) -> ConsultationInput | None:
    """The form through the consultation schema; the day and the time become a naive local
    deadline, which the operation reads as Asia/Ho_Chi_Minh."""
    return load_form(form, ConsultationSchema, fields=FORM_FIELDS,
                     deadline=datetime.combine(form.deadline_day.data, form.deadline_time.data),
                     questions=form.question_lines())


def _refuse(form, err: DomainError) -> None:
    if err.field in FORM_FIELDS:
        err.field = FORM_FIELDS[err.field]
    show_error(form, err)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not ops.can_issue(current_user):
        raise forbidden(_("Bạn không có quyền lấy ý kiến thành viên Ủy ban."))
    form = _form()
    status = 200
    if form.validate_on_submit() and (data := _input(form)) is not None:
        try:
            c = ops.create(current_user, data)
        except DomainError as err:
            db.session.rollback()
            status = err.status
            _refuse(form, err)
        else:
            flash(_("Đã lưu phiếu lấy ý kiến. Hãy đính kèm tài liệu (nếu có) rồi phát phiếu."), "success")
            return redirect(url_for(".show", consultation_id=c.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/consultation_form.html", form=form, consultation=None), status


@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int):
    c = ops.get_visible(current_user, consultation_id)
    if not ops.can_manage(current_user, c):
        raise forbidden()
    if c.status_enum is not S.DRAFT:
        flash(_("Chỉ sửa được phiếu lấy ý kiến chưa phát."), "warning")
        return redirect(url_for(".show", consultation_id=c.id))
    form = _form(c)
    status = 200
    if form.validate_on_submit() and (data := _input(form)) is not None:
        try:
            ops.update(current_user, c, data)
        except DomainError as err:
            db.session.rollback()
            c = ops.get_visible(current_user, consultation_id)
            status = err.status
            _refuse(form, err)
        else:
            flash(_("Đã lưu phiếu lấy ý kiến."), "success")
            return redirect(url_for(".show", consultation_id=c.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/consultation_form.html", form=form, consultation=c), status


# --- the consultation's page --------------------------------------------------------------------

def _render_show(c: Consultation, status: int = 200, *, answer_errors: dict[str, list[str]] | None = None,
                 failed: tuple[str, object] | None = None):
    actions = ops.available_actions(current_user, c)

    def keep(key, fresh):
        return failed[1] if failed and failed[0] == key else fresh

    result_form = keep("result", ResultForm(prefix="result", formdata=None, conclusion=c.conclusion)) \
        if "record_result" in actions else None
    draft_form = keep("draft", DraftForm(prefix="draft", formdata=None)) if "make_draft" in actions else None
    document_form = None
    if "edit" in actions:
        document_form = keep("document", DocumentForm(prefix="document", formdata=None))
        document_form.incoming_id.choices, document_form.outgoing_id.choices = _document_choices()
    if failed and failed[0] not in {k for k, f in (("result", result_form), ("draft", draft_form),
                                                    ("document", document_form)) if f is not None}:
        for errors in getattr(failed[1], "errors", {}).values():
            for message in errors:
                flash(message, "danger")
    mine = ops.my_answers(current_user, c)
    posted = request.form if answer_errors else None
    return render_template(
        "meetings/consultation_show.html", consultation=c, actions=actions,
        buttons=[(a, *ACTIONS[a]) for a in CONSULTATION_TRANSITIONS if a in actions and a in ACTIONS],
        asked=c.member(current_user) is not None, mine=mine, posted=posted, answer_errors=answer_errors or {},
        answer_form=AnswerForm() if "answer" in actions else None, comment_limit=COMMENT,
        tally=ops.tally(c) if may_see_tally(c) else None, live=c.status_enum is S.OPEN, poll_ms=POLL_MS,
        result_form=result_form, draft_form=draft_form, document_form=document_form,
        open_form=failed[0] if failed else None, rule=ops.RULE, deadline_passed=ops.deadline_passed(c),
        silent=ops.silent_members(c) if c.status_enum is S.OPEN and ops.can_manage(current_user, c) else [],
    ), status


@bp.get("/<int:consultation_id>")
@login_required
def show(consultation_id: int):
    return _render_show(ops.get_visible(current_user, consultation_id))


def _refused(consultation_id: int, err: DomainError, key: str = "", form=None):
    """Roll back what the refused operation may have begun, show the page as it is."""
    db.session.rollback()
    c = ops.get_visible(current_user, consultation_id)
    if form is None:
        flash(err.message, "danger")
        return _render_show(c, err.status)
    show_error(form, err)
    return _render_show(c, err.status, failed=(key, form))


@bp.post("/<int:consultation_id>/<any(issue, remind, close, cancel):action>")
@login_required
def act(consultation_id: int, action: str):
    c = ops.get_visible(current_user, consultation_id)
    try:
        result = getattr(ops, action)(current_user, c)
    except DomainError as err:
        return _refused(consultation_id, err)
    if action == "remind":
        flash(_("Đã nhắc %(n)s thành viên chưa trả lời.", n=result), "success")
    else:
        flash(str(DONE[action]), "success")
    return redirect(url_for(".show", consultation_id=consultation_id))


def _posted_answers(c: Consultation) -> list[dict]:
    """The questions answered in the form: a choice made (the comment alone is not one)."""
    answers = []
    for q in c.questions:
        choice = request.form.get(f"q{q.id}-choice", "")
        comment = request.form.get(f"q{q.id}-comment", "")
        if choice or comment.strip():
            answers.append({"question_id": q.id, "choice": choice, "comment": comment})
    return answers


@bp.post("/<int:consultation_id>/answer")
@login_required
def answer(consultation_id: int):
    c = ops.get_visible(current_user, consultation_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn, hãy gửi lại."), "danger")
        return _render_show(c, 400)
    posted = _posted_answers(c)
    try:
        data = ConsultationAnswersSchema().load({"answers": posted})
    except ValidationError as err:  # {"answers": {0: {"comment": […]}}}: shown under its question
        per_answer = err.messages.get("answers", {}) if isinstance(err.messages, dict) else {}
        problems: dict[str, list[str]] = {}
        for index, messages in per_answer.items() if isinstance(per_answer, dict) else ():
            key = f"q{posted[index]['question_id']}" if isinstance(index, int) else "_"
            for texts in field_errors(messages if isinstance(messages, dict) else {"_": messages}).values():
                problems.setdefault(key, []).extend(texts)
        return _render_show(c, 422, answer_errors=problems or {"_": [_("Ý kiến gửi lên không hợp lệ.")]})
    try:
        ops.answer(current_user, c, data["answers"])
    except DomainError as err:
        db.session.rollback()
        c = ops.get_visible(current_user, consultation_id)
        if err.field and err.field.startswith("q"):
            return _render_show(c, err.status, answer_errors={err.field: [err.message]})
        flash(err.message, "danger")
        return _render_show(c, err.status, answer_errors={"_": []})
    flash(_("Đã ghi ý kiến của bạn. Bạn có thể sửa đến khi kết thúc lấy ý kiến."), "success")
    return redirect(url_for(".show", consultation_id=consultation_id))


@bp.post("/<int:consultation_id>/result")
@login_required
def result(consultation_id: int):
    c = ops.get_visible(current_user, consultation_id)
    form = ResultForm(prefix="result")
    if not form.validate_on_submit() or (data := load_form(form, ConsultationResultSchema)) is None:
        return _render_show(c, 422, failed=("result", form))
    try:
        ops.record_result(current_user, c, data["conclusion"])
    except DomainError as err:
        return _refused(consultation_id, err, "result", form)
    flash(_("Đã ghi kết luận."), "success")
    return redirect(url_for(".show", consultation_id=consultation_id))


@bp.post("/<int:consultation_id>/draft")
@login_required
def draft(consultation_id: int):
    c = ops.get_visible(current_user, consultation_id)
    form = DraftForm(prefix="draft")
    if not form.validate_on_submit() or (data := load_form(form, ConsultationDraftSchema)) is None:
        return _render_show(c, 422, failed=("draft", form))
    try:
        doc = docs.make_draft(current_user, c, data["kind"])
    except DomainError as err:
        return _refused(consultation_id, err, "draft", form)
    flash(_("Đã chuyển văn bản kết quả vào luồng trình ký."), "success")
    return redirect(url_for("outgoing.show", document_id=doc.id))


@bp.get("/<int:consultation_id>/result.docx")
@login_required
def result_docx(consultation_id: int):
    c = ops.get_visible(current_user, consultation_id)
    kind = request.args.get("kind", "thong_bao")
    if kind not in docs.NAMES:
        raise ValidationFailed("invalid_kind", _("Loại văn bản không hợp lệ."), "kind", status=400)
    _tally_or_refuse(c)
    content = docs.result_docx(c, kind)
    title = re.sub(r'[\\/:*?"<>|\r\n\t]+', " ", c.title).strip()[:80] or str(c.id)
    response = send_file(io.BytesIO(content), mimetype=DOCX_MIME, as_attachment=True,
                         download_name=f"{docs.NAMES[kind]} - {title}.docx", max_age=0)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.get("/<int:consultation_id>/tally")
@login_required
def tally(consultation_id: int):
    """The tally alone (HTML), for the page to follow the answers as they come."""
    c = ops.get_visible(current_user, consultation_id)
    response = render_template("meetings/consultation_tally.html", consultation=c, tally=_tally_or_refuse(c),
                               rule=ops.RULE, silent=ops.silent_members(c) if c.status_enum is S.OPEN else [])
    return response, 200, {"Cache-Control": "no-store"}


# --- documents ----------------------------------------------------------------------------------

@bp.post("/<int:consultation_id>/documents")
@login_required
def attach(consultation_id: int):
    c = ops.get_visible(current_user, consultation_id)
    form = DocumentForm(prefix="document")
    form.incoming_id.choices, form.outgoing_id.choices = [], []
    source = form.source.data
    if source not in ("incoming", "outgoing", "upload") or not form.validate_on_submit():
        return _render_show(c, 422, failed=("document", form))
    try:
        if source == "incoming":
            ops.attach_document(current_user, c, incoming_id=form.incoming_id.data)
        elif source == "outgoing":
            ops.attach_document(current_user, c, outgoing_id=form.outgoing_id.data)
        else:
            upload = form.file.data
            ops.attach_document(current_user, c, upload=(upload.stream, upload.filename)
                                if upload and getattr(upload, "filename", "") else None)
    except DomainError as err:
        if err.field == "document":
            err.field = {"incoming": "incoming_id", "outgoing": "outgoing_id", "upload": "file"}[source]
        return _refused(consultation_id, err, "document", form)
    flash(_("Đã đính kèm tài liệu."), "success")
    return redirect(url_for(".show", consultation_id=consultation_id, _anchor="documents"))


@bp.post("/<int:consultation_id>/documents/<int:document_id>/remove")
@login_required
def remove_document(consultation_id: int, document_id: int):
    c = ops.get_visible(current_user, consultation_id)
    if not any(d.id == document_id for d in c.documents):
        raise not_found()
    try:
        ops.remove_document(current_user, c, document_id)
    except DomainError as err:
        return _refused(consultation_id, err)
    flash(_("Đã gỡ tài liệu."), "success")
    return redirect(url_for(".show", consultation_id=consultation_id, _anchor="documents"))

