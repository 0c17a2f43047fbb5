"""Web door for incoming documents: registration, the document page, queues, the register.

Each handler loads, lets the operation check and act, and renders. What a person may do
on a document comes from ``operations.available_actions``; no rule is decided here.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..accesslog import operations as access
from ..accesslog.serve import add_file_routes
from ..core.errors import DomainError, not_found
from ..core.forms import load_form, people_by_unit, show_error
from ..core.permissions import Permission
from ..core.text import sorted_people
from ..core.timeutil import vn_today
from ..delegation.operations import away_label
from ..documents.history import event_label, timeline
from ..documents.register_export import confidential_requested, register_year
from ..documents.registers import Direction
from ..documents.types import Confidentiality, Urgency, type_label
from ..extensions import db
from ..org.operations import require
from . import home as _home  # noqa: F401 - registers the home-page panels
from . import operations as ops
from .access import acting_director
from .forms import (
    AttachForm,
    CompleteForm,
    DelegateForm,
    DirectForm,
    ListFilterForm,
    PaperForm,
    ProgressForm,
    RegisterForm,
    ReturnForm,
    SubmitForm,
)
from .models import IncomingDocument, ProgressNote
from .schemas import (
    CompleteSchema,
    DelegateSchema,
    DirectionSchema,
    IncomingCreateSchema,
    ProgressSchema,
    ReassignSchema,
    ReturnSchema,
    SubmitSchema,
    TransferPaperSchema,
)
from .workflow import STATUS_LABELS, Status

bp = Blueprint("incoming", __name__, url_prefix="/incoming")

ROLE_LABELS = {"main": _l("Chủ trì"), "co": _l("Phối hợp"), "info": _l("Để biết")}
STATUS_STYLES = {
    Status.REGISTERED: "text-bg-secondary",
    Status.SUBMITTED: "text-bg-warning",
    Status.ASSIGNED: "text-bg-info",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.DONE: "text-bg-success",
    Status.RETURNED: "text-bg-dark",
    Status.PAPER: "text-bg-danger",
}


@bp.context_processor
def _helpers():
    return {
        "today": vn_today(),
        "status_label": lambda s: Status(s).label,
        "status_style": lambda s: STATUS_STYLES[Status(s)],
        "event_label": lambda a: event_label(Direction.INCOMING, a),
        "role_label": lambda r: str(ROLE_LABELS.get(r, r)),
        "urgency_label": lambda u: Urgency(u).label,
        "confidentiality_label": lambda c: Confidentiality(c).label,
        "type_name": type_label,
    }


def _uploads(field) -> list[ops.Upload]:
    return [ops.Upload(f.stream, f.filename) for f in (field.data or [])
            if getattr(f, "filename", "")]


# --- registering ----------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, Permission.REGISTER_INCOMING)
    form = RegisterForm()
    status, duplicate = 200, None
    if form.validate_on_submit() and (data := load_form(form, IncomingCreateSchema)) is not None:
        try:
            doc = ops.register_incoming(current_user, data, _uploads(form.files))
        except DomainError as err:
            status = err.status
            if err.code == "duplicate_suspected":
                duplicate = err.message
            elif err.code == "confidential_no_content":
                flash(err.message, "danger")  # the content fields are hidden: say it on top
            else:
                show_error(form, err)
        else:
            if request.form.get("then") == "next":
                flash(_("Đã vào sổ đến số %(n)s.", n=doc.arrival_label), "success")
                return redirect(url_for(".new"))
            # The document page says it once, with the number and "Vào sổ tiếp".
            return redirect(url_for(".show", document_id=doc.id, registered=1))
    elif request.method == "POST":
        status = 422
    return render_template("incoming/new.html", form=form, duplicate=duplicate,
                           had_files=bool(_uploads(form.files)) and status != 200), status


# --- the document page --------------------------------------------------------------------

def _assignee_choices(*, leaders: bool = False):
    people, units = ops.assignable(current_user, leaders=leaders)
    return {
        **people_by_unit(people, _("Không thuộc đơn vị")),
        _("Đơn vị (giao cả đơn vị)"): [(f"unit:{u.id}", u.name) for u in units],
    }


def _prepare(key: str, form):
    """Fill a form's choices (they depend on the organisation and the document)."""
    if key == "submit":
        form.leader_id.choices = [("", _("— Tất cả lãnh đạo —"))] + [
            (str(u.id), away_label(u)) for u in sorted_people(ops.leaders_of(current_user.organisation_id))]
    elif key in ("direct", "reassign"):
        choices = _assignee_choices()
        form.main.choices = {"": [("", _("— Chọn người hoặc đơn vị —"))], **choices}
        form.co.choices = choices
        # Leaders handle nothing, but are kept informed: "để biết" offers them too.
        form.info.choices = _assignee_choices(leaders=True)
    return form


FORMS = {
    "submit": SubmitForm, "direct": DirectForm, "reassign": DirectForm,
    "progress": ProgressForm, "complete": CompleteForm, "return_to_sender": ReturnForm,
    "attach_files": AttachForm, "transfer_paper": PaperForm,
}


def _delegate_forms(doc: IncomingDocument, failed: DelegateForm | None = None):
    forms = []
    for a in ops.delegable_assignments(current_user, doc):
        if failed is not None and failed.assignment_id.data == str(a.id):
            form = failed
        else:
            form = DelegateForm(prefix=f"delegate{a.id}", formdata=None, assignment_id=str(a.id))
        members = [u for u in (a.assignee_unit.members if a.assignee_unit else []) if u.active]
        form.user_id.choices = [(str(u.id), u.full_name) for u in sorted_people(members)]
        forms.append((a, form))
    return forms


def _render_show(doc: IncomingDocument, status: int = 200,
                 failed: tuple[str, FlaskForm] | None = None):
    actions = ops.available_actions(current_user, doc)
    forms = {}
    for key in actions & FORMS.keys():
        if failed and failed[0] == key:
            forms[key] = failed[1]
        else:
            forms[key] = _prepare(key, FORMS[key](prefix=key, formdata=None))
    if failed and failed[0] not in forms and failed[0] != "delegate":
        # The action is no longer offered (or never was): say why on top of the page.
        for errors in failed[1].errors.values():
            for message in errors:
                flash(message, "danger")
    if "reassign" in forms and not (failed and failed[0] == "reassign"):
        _fill_direction(forms["reassign"], doc)
    delegate_failed = failed[1] if failed and failed[0] == "delegate" else None
    originals = [f for f in doc.files if f.kind == "original"]
    preview = next((f for f in originals if f.stored and f.stored.mime in
                    ("application/pdf", "image/jpeg", "image/png")), None)
    notes = db.session.scalars(
        db.select(ProgressNote).where(ProgressNote.document_id == doc.id)
        .order_by(ProgressNote.id)).all()
    file_ids = [f.stored_file_id for f in doc.files]
    return render_template(
        "incoming/show.html", doc=doc, actions=actions, forms=forms,
        delegate_forms=_delegate_forms(doc, delegate_failed) if "delegate" in actions else [],
        events=timeline(ops.DIRECTION, doc.id, file_ids), notes=notes, preview=preview,
        access_counts=access.counts_for(ops.DIRECTION, doc.id, file_ids),
        originals=originals, results=[f for f in doc.files if f.kind == "result"],
        open_form=failed[0] if failed else None,
        just_registered=request.args.get("registered") == "1",
        acting=acting_director(current_user, doc) if "direct" in actions else None,
    ), status


def _fill_direction(form: DirectForm, doc: IncomingDocument) -> None:
    active = doc.active_assignments
    main = doc.main_assignment

    def token(a):
        return f"u:{a.assignee_user_id}" if a.assignee_user_id else f"unit:{a.assignee_unit_id}"

    form.main.data = token(main) if main else ""
    form.co.data = [token(a) for a in active if a.role == "co"]
    form.info.data = [token(a) for a in active if a.role == "info"]
    form.deadline.data = doc.deadline
    form.text.data = doc.direction_text


@bp.get("/<int:document_id>")
@login_required
def show(document_id: int):
    doc = ops.get_readable(current_user, document_id)
    access.record_access(current_user, ops.DIRECTION, doc, access.Action.VIEW, access.Door.WEB)
    return _render_show(doc)


def _attached(doc: IncomingDocument, file_id: int):
    found = next((f.stored for f in doc.files if f.stored_file_id == file_id), None)
    if found is None:
        raise not_found(_("Không tìm thấy tệp hoặc bạn không có quyền xem."))
    return found


add_file_routes(bp, ops.DIRECTION, ops.get_readable, _attached)


def _act(document_id: int, key: str, schema, run, done: str):
    """Load → the form, through the command's schema → one operation → back to the page
    (or the page with the refusal). ``run(doc, data, form)`` gets what the schema loaded."""
    doc = ops.get_readable(current_user, document_id)
    form = _prepare(key, FORMS[key](prefix=key))
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
        flash(done, "success")
        return redirect(url_for(".show", document_id=document_id))
    return _render_show(doc, 422, (key, form))


@bp.post("/<int:document_id>/submit")
@login_required
def submit(document_id: int):
    return _act(document_id, "submit", SubmitSchema,
                lambda doc, d, f: ops.submit(current_user, doc, d["leader_id"], d["comment"]),
                _("Đã trình lãnh đạo."))


@bp.post("/<int:document_id>/direct")
@login_required
def direct(document_id: int):
    return _act(document_id, "direct", DirectionSchema,
                lambda doc, direction, f: ops.direct(current_user, doc, direction),
                _("Đã chỉ đạo, phân công."))


@bp.post("/<int:document_id>/reassign")
@login_required
def reassign(document_id: int):
    return _act(document_id, "reassign", ReassignSchema,
                lambda doc, d, f: ops.reassign(current_user, doc, *d),
                _("Đã phân công lại."))


@bp.post("/<int:document_id>/progress")
@login_required
def progress(document_id: int):
    return _act(document_id, "progress", ProgressSchema,
                lambda doc, d, f: ops.add_progress(current_user, doc, d["text"], _uploads(f.files)),
                _("Đã ghi tiến độ."))


@bp.post("/<int:document_id>/complete")
@login_required
def complete(document_id: int):
    return _act(document_id, "complete", CompleteSchema,
                lambda doc, d, f: ops.complete(current_user, doc, d["summary"], _uploads(f.files)),
                _("Đã báo hoàn thành."))


@bp.post("/<int:document_id>/return")
@login_required
def return_to_sender(document_id: int):
    return _act(document_id, "return_to_sender", ReturnSchema,
                lambda doc, d, f: ops.return_to_sender(current_user, doc, d["reason"]),
                _("Đã trả lại nơi gửi."))


@bp.post("/<int:document_id>/files")
@login_required
def attach_files(document_id: int):
    return _act(document_id, "attach_files", None,
                lambda doc, d, f: ops.attach_files(current_user, doc, _uploads(f.files)),
                _("Đã thêm tệp."))


@bp.post("/<int:document_id>/paper")
@login_required
def transfer_paper(document_id: int):
    return _act(document_id, "transfer_paper", TransferPaperSchema,
                lambda doc, d, f: ops.transfer_paper(current_user, doc, d["holder"], d["comment"]),
                _("Đã ghi người giữ bản giấy."))


@bp.post("/<int:document_id>/delegate/<int:assignment_id>")
@login_required
def delegate(document_id: int, assignment_id: int):
    doc = ops.get_readable(current_user, document_id)
    assignment = next((a for a in doc.assignments if a.id == assignment_id), None)
    if assignment is None:
        abort(404)
    form = DelegateForm(prefix=f"delegate{assignment_id}")
    members = [u for u in (assignment.assignee_unit.members if assignment.assignee_unit else [])]
    form.user_id.choices = [(str(u.id), u.full_name) for u in sorted_people(members)]
    if form.validate_on_submit() and (data := load_form(form, DelegateSchema)) is not None:
        try:
            ops.delegate(current_user, assignment, data["user_id"])
        except DomainError as err:
            db.session.rollback()
            doc = ops.get_readable(current_user, document_id)
            show_error(form, err)
            return _render_show(doc, err.status, ("delegate", form))
        flash(_("Đã giao việc trong đơn vị."), "success")
        return redirect(url_for(".show", document_id=document_id))
    return _render_show(doc, 422, ("delegate", form))


# --- queues and lists ---------------------------------------------------------------------

@bp.get("/mine")
@login_required
def mine():
    require(current_user, Permission.HANDLE_ASSIGNED)
    queue = ops.queue_overview(current_user)
    tabs = [
        ("new", _("Mới giao"), queue.new),
        ("in_progress", _("Đang giải quyết"), queue.in_progress),
        ("due_soon", _("Sắp đến hạn"), queue.due_soon),
        ("overdue", _("Quá hạn"), queue.overdue),
        ("info", _("Để biết"), queue.for_information),
    ]
    wanted = request.args.get("tab")
    active = wanted if wanted in {t[0] for t in tabs} else _opening_tab(tabs, queue)
    # A long queue is shown QUEUE_PAGE rows at a time per tab (the counts stay whole), and
    # only the rows shown are loaded with their documents: a person with hundreds of open
    # documents gets a page that is quick to make and loads on a slow line.
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdecimal() and len(raw) <= 6 and int(raw) > 0 else 1
    pages = {key: (page if key == active else 1) for key, _label, _rows in tabs}
    for key, _label, rows in tabs:
        pages[key] = min(pages[key], max(1, -(-len(rows) // QUEUE_PAGE)))
    slices = {key: rows[(pages[key] - 1) * QUEUE_PAGE:pages[key] * QUEUE_PAGE] for key, _label, rows in tabs}
    entries = ops.queue_entries(queue, [r for rows in slices.values() for r in rows])
    shown = {key: [entries[r.assignment_id] for r in rows if r.assignment_id in entries]
             for key, rows in slices.items()}
    return render_template("incoming/mine.html", tabs=tabs, active=active, shown=shown,
                           pages=pages, per_page=QUEUE_PAGE)


QUEUE_PAGE = 25


def _opening_tab(tabs, queue: ops.QueueOverview) -> str:
    """The tab holding what was given to me last (new work, work in hand or for
    information) — its overdue tab if that very entry is already late; the other overdue
    entries wait behind their red tab."""
    newest = max(((row.assigned_at, row.assignment_id, key, row)
                  for key, _label, rows in tabs if key in ("new", "in_progress", "info")
                  for row in rows), default=None, key=lambda found: found[:2])
    if newest is None:
        return "new"
    return "overdue" if newest[3] in queue.overdue else newest[2]


@bp.get("/awaiting")
@login_required
def awaiting():
    require(current_user, Permission.DIRECT_INCOMING)
    docs = ops.awaiting_direction(current_user)
    # Put before a leader whose direction I hold while they are away: "Ủy quyền của …".
    marks = {d.id: leader.full_name for d in docs if (leader := ops.delegated_from(current_user, d))}
    return render_template("incoming/awaiting.html", docs=docs, marks=marks)


@bp.get("/")
@login_required
def index():
    form = ListFilterForm(request.args)
    form.status.choices = [("", _("Mọi trạng thái"))] + [
        (s.value, str(STATUS_LABELS[s])) for s in Status]
    form.validate()
    docs = ops.list_documents(
        current_user, year=form.year.data if not form.year.errors else None,
        status=form.status.data or None if not form.status.errors else None,
        overdue=bool(form.overdue.data), q=form.q.data or "",
    )
    return render_template("incoming/index.html", form=form, docs=docs)


@bp.get("/register", defaults={"year": None})
@bp.get("/register/<int:year>")
@login_required
def register_book(year: int | None):
    year = register_year(year)
    confidential = confidential_requested()
    docs = ops.register_documents(current_user, year, confidential)
    return render_template("incoming/register.html", docs=docs, year=year,
                           confidential=confidential, this_year=vn_today().year)
