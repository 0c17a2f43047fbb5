"""Pages of electronic records (hồ sơ, lưu trữ — NĐ30 Điều 28–31): the plans and my
dossiers, a year's dossier plan (Danh mục hồ sơ) with the archive role's drafting forms
and the approver's decision, a dossier with its Mục lục văn bản, history and acts, the
transfers to the archive (nộp lưu), filing documents from the document pages and the
lists, and the downloads (DOCX, PDF, XLSX, the dossier's package).

Each handler loads what the person may read (``operations.get_*``: "not found" to
whoever may not), lets one operation check and act, and renders or goes back with a
flash. The buttons are the ``actions`` the domain gives (``access.plan_actions``,
``dossier_actions``, ``transfer_actions``); no rule is decided here.

The document pages (incoming, outgoing) show a "Đưa vào hồ sơ" card through
``records_filing`` (the person's open dossiers that could take the document, those of
the document's unit first, and the dossiers that hold it already); the lists tick rows
and file them together through ``records_open_dossiers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..core.access import scoped
from ..core.errors import DomainError, ValidationFailed, not_found
from ..core.forms import load_form, show_error
from ..core.text import sorted_people, vn_sort_key
from ..core.timeutil import vn_today
from ..extensions import db
from ..files import operations as files_ops
from ..incoming.models import IncomingDocument
from ..org.models import Unit, User
from ..outgoing.models import OutgoingDocument
from . import access, export
from . import home as _home  # noqa: F401 - registers the home-page panel
from . import operations as ops
from .forms import (
    ApprovalForm,
    DossierForm,
    FileItemForm,
    FilingForm,
    HeadingForm,
    LoanForm,
    NumberingForm,
    PlanForm,
    ReceiveForm,
    ReopenForm,
    TransferForm,
)
from .models import ArchiveTransfer, Dossier, DossierItem, FilePlan, PlanHeading
from .schemas import (
    ApprovalSchema,
    DossierSchema,
    FileItemSchema,
    FilingSchema,
    HeadingSchema,
    LoanSchema,
    NumberingSchema,
    PlanCreateSchema,
    ReopenSchema,
    TransferReceiveSchema,
    TransferSchema,
)
from .workflow import DossierStatus, PlanStatus, TransferStatus

bp = Blueprint("records", __name__, url_prefix="/records")

FIRST_YEAR, LAST_YEAR = 2000, 2100
LIST_LIMIT = 300  # rows of the dossiers list on /records/ (the filter narrows it)
SUGGESTED = 5  # dossiers offered as one-click buttons on a document page
OFFERED = 50  # the person's other open dossiers, in the select below them

PLAN_STYLES = {PlanStatus.DRAFT: "text-bg-secondary", PlanStatus.APPROVED: "text-bg-success"}
DOSSIER_STYLES = {
    DossierStatus.PLANNED: "text-bg-light border",
    DossierStatus.OPEN: "text-bg-primary",
    DossierStatus.CLOSED: "text-bg-success",
    DossierStatus.ARCHIVED: "text-bg-dark",
}
TRANSFER_STYLES = {
    TransferStatus.ANNOUNCED: "text-bg-warning",
    TransferStatus.SUBMITTED: "text-bg-info",
    TransferStatus.RECEIVED: "text-bg-success",
}
EVENT_LABELS = {
    "planned": _l("Đưa vào Danh mục hồ sơ"),
    "opened": _l("Mở hồ sơ"),
    "edited": _l("Sửa thông tin hồ sơ"),
    "filed": _l("Đưa văn bản vào hồ sơ"),
    "removed": _l("Bỏ văn bản khỏi hồ sơ"),
    "closed": _l("Kết thúc hồ sơ"),
    "reopened": _l("Mở lại hồ sơ"),
    "announced": _l("Thông báo nộp lưu"),
    "submitted": _l("Nộp lưu"),
    "received": _l("Lưu trữ cơ quan tiếp nhận"),
    "lent": _l("Cho mượn"),
    "returned": _l("Nhận lại hồ sơ cho mượn"),
}
NUMBERINGS = {"plan": _l("liên tục trong toàn Danh mục"), "heading": _l("từ 01 trong từng đề mục lớn")}


@bp.context_processor
def _helpers():
    return {
        "today": vn_today(),
        "plan_style": lambda p: PLAN_STYLES[p.status_enum],
        "dossier_style": lambda d: DOSSIER_STYLES[d.status_enum],
        "transfer_style": lambda t: TRANSFER_STYLES[t.status_enum],
        "retention_label": lambda d: ops.retention_label(d.retention_years),
        "event_label": lambda kind: str(EVENT_LABELS.get(kind, kind)),
        "numbering_label": lambda n: str(NUMBERINGS.get(n, n)),
        "organ_id": current_user.organisation.organ_id if current_user.is_authenticated else "",
    }


# --- reading the URL and the form -------------------------------------------------------------

def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise not_found(_("Không có Danh mục hồ sơ năm %(y)s.", y=year))
    return year


def _plan(year: int) -> FilePlan:
    plan = ops.plan_of_year(current_user, _year(year))
    if plan is None:
        raise not_found(_("Không có Danh mục hồ sơ năm %(y)s.", y=year))
    return plan


def _safe_next(target: str | None, fallback: str) -> str:
    """A path of this site to go back to (never another site's address)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc \
            and "\\" not in target:
        return target
    return fallback


def _ticked(name: str) -> list[int]:
    """The ids of the ticked rows (anything that is no id is dropped)."""
    return [int(v) for v in request.form.getlist(name) if v.isdecimal() and len(v) < 10]


def _colleagues() -> list[User]:
    return sorted_people(db.session.scalars(scoped(User, current_user).where(User.active.is_(True))))


def _person_label(u: User) -> str:
    return u.full_name + (f" ({u.unit.abbreviation})" if u.unit else "")


def _units() -> list[Unit]:
    return sorted(db.session.scalars(scoped(Unit, current_user)), key=lambda u: vn_sort_key(u.name))


def _heading_choices(plan: FilePlan) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = []
    for top in plan.top_headings:
        choices.append((top.id, f"{top.numeral}. {top.title}"))
        choices += [(sub.id, f"\u2003{top.numeral}.{sub.numeral}. {sub.title}") for sub in top.children]
    return choices


def _with_choices(form, plan: FilePlan | None = None):
    """Fill a form's choices from the commune and the plan."""
    if hasattr(form, "heading_id") and plan is not None:
        form.heading_id.choices = [("", _("— Chọn đề mục —"))] + _heading_choices(plan)
    if hasattr(form, "parent_id") and plan is not None:
        form.parent_id.choices = [("", _("— Đề mục lớn (số La Mã) —"))] + [
            (h.id, f"{h.numeral}. {h.title}") for h in plan.top_headings]
    if hasattr(form, "unit_id"):
        form.unit_id.choices = [("", _("— Không theo đơn vị —"))] + [(u.id, u.name) for u in _units()]
    if hasattr(form, "responsible_id"):
        form.responsible_id.choices = [("", _("— Chọn người lập hồ sơ —"))] + [
            (u.id, _person_label(u)) for u in _colleagues()]
    if hasattr(form, "borrower_id"):
        form.borrower_id.choices = [("", _("— Chọn người mượn —"))] + [
            (u.id, _person_label(u)) for u in _colleagues()]
    return form


def _fail(err: DomainError, form=None) -> int:
    """A refusal: the request's changes go, the reason is shown (next to its field when
    the form has it, on top otherwise). 404 and 403 answer as themselves."""
    db.session.rollback()
    if err.status in (403, 404):
        raise err
    if form is not None:
        show_error(form, err)
    else:
        flash(err.message, "danger")
    return err.status


# --- the plans and my dossiers -----------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    return _render_index()


def _render_index(plan_form: PlanForm | None = None, status: int = 200):
    archivist = access.is_archivist(current_user)
    if plan_form is None and archivist:
        plan_form = PlanForm(prefix="plan", formdata=None, year=vn_today().year + 1)
    year_raw = request.args.get("year", "")
    year = int(year_raw) if year_raw.isdecimal() and len(year_raw) <= 4 and FIRST_YEAR <= int(year_raw) <= LAST_YEAR \
        else None
    wanted = request.args.get("status", "")
    status_filter = wanted if wanted in {s.value for s in DossierStatus} else None
    text = (request.args.get("q") or "").strip()[:200]
    mine = list(db.session.scalars(ops.dossiers(current_user, mine=True).limit(LIST_LIMIT)))
    found = list(db.session.scalars(
        ops.dossiers(current_user, year=year, status=status_filter, text=text).limit(LIST_LIMIT + 1)))
    others = [d for d in found if d.responsible_id != current_user.id]
    return render_template(
        "records/index.html", plans=ops.plans(current_user), mine=mine, others=others[:LIST_LIMIT],
        more=len(found) > LIST_LIMIT, plan_form=plan_form if archivist else None,
        filters={"year": year or "", "status": status_filter or "", "q": text},
        statuses=list(DossierStatus), transfers=ops.transfers(current_user)[:10], archivist=archivist,
    ), status


@bp.post("/plans")
@login_required
def create_plan():
    form = PlanForm(prefix="plan")
    if form.validate_on_submit() and (data := load_form(form, PlanCreateSchema)) is not None:
        try:
            plan = ops.create_plan(current_user, data)
        except DomainError as err:
            return _render_index(form, _fail(err, form))
        flash(_("Đã lập Danh mục hồ sơ năm %(y)s (dự thảo).", y=plan.year), "success")
        return redirect(url_for(".plan", year=plan.year))
    return _render_index(form, 422)


# --- a year's plan -----------------------------------------------------------------------------

@dataclass
class PlanRow:
    """A row of the plan's table: a heading (large or small) or a dossier under one."""

    kind: str  # "heading" | "subheading" | "dossier"
    heading: PlanHeading | None = None
    dossier: Dossier | None = None


def _rows(plan: FilePlan) -> list[PlanRow]:
    rows: list[PlanRow] = []
    for top in plan.top_headings:
        rows.append(PlanRow("heading", heading=top))
        rows += [PlanRow("dossier", dossier=d) for d in top.dossiers]
        for sub in top.children:
            rows.append(PlanRow("subheading", heading=sub))
            rows += [PlanRow("dossier", dossier=d) for d in sub.dossiers]
    return rows


def _plan_forms(plan: FilePlan, actions: frozenset[str], failed: tuple[str, Any] | None) -> dict[str, Any]:
    """The forms the page offers this person now (a refused one comes back as it was sent)."""
    wanted: dict[str, Any] = {}
    if "edit" in actions:
        wanted["numbering"] = lambda: NumberingForm(prefix="numbering", formdata=None, numbering=plan.numbering)
        wanted["heading"] = lambda: HeadingForm(prefix="heading", formdata=None)
        wanted["dossier"] = lambda: DossierForm(prefix="dossier", formdata=None)
    if "approve" in actions:
        wanted["approve"] = lambda: ApprovalForm(prefix="approve", formdata=None)
    if plan.status_enum is PlanStatus.APPROVED:
        wanted["unplanned"] = lambda: DossierForm(prefix="unplanned", formdata=None)
    forms = {}
    for key, make in wanted.items():
        forms[key] = failed[1] if failed and failed[0] == key else _with_choices(make(), plan)
    if failed and failed[0] not in forms:
        # The form is no longer offered (the plan changed meanwhile): say why on top.
        for errors in failed[1].errors.values():
            for message in errors:
                flash(message, "danger")
    return forms


def _render_plan(plan: FilePlan, status: int = 200, failed: tuple[str, Any] | None = None,
                 open_form: str | None = None):
    actions = access.plan_actions(current_user, plan)
    readable = set(db.session.scalars(
        sa.select(Dossier.id).where(access.READ.clause(current_user), Dossier.plan_id == plan.id)))
    rows = _rows(plan)
    openable = {r.dossier.id for r in rows if r.dossier is not None and r.dossier.responsible_id == current_user.id
                and "open" in access.dossier_actions(current_user, r.dossier)}
    return render_template(
        "records/plan.html", plan=plan, actions=actions, rows=rows, readable=readable,
        openable=openable if plan.status_enum is PlanStatus.APPROVED else set(),
        forms=_plan_forms(plan, actions, failed), open_form=open_form or (failed[0] if failed else None),
        count=sum(1 for r in rows if r.kind == "dossier"),
    ), status


@bp.get("/plans/<int:year>")
@login_required
def plan(year: int):
    return _render_plan(_plan(year))


def _plan_act(year: int, key: str, form_cls, schema, run, done):
    """Load the plan → the form, through the command's schema → one operation → back to
    the plan (or the plan with the refusal next to the field)."""
    found = _plan(year)
    form = _with_choices(form_cls(prefix=key), found)
    if form.validate_on_submit() and (data := load_form(form, schema)) is not None:
        try:
            result = run(found, data)
        except DomainError as err:
            status = _fail(err, form)
            return _render_plan(_plan(year), status, (key, form))
        flash(done(result) if callable(done) else done, "success")
        return redirect(url_for(".plan", year=year) + (f"#d{result.id}" if isinstance(result, Dossier) else ""))
    return _render_plan(found, 422, (key, form))


@bp.post("/plans/<int:year>/numbering")
@login_required
def set_numbering(year: int):
    return _plan_act(year, "numbering", NumberingForm, NumberingSchema,
                     lambda p, data: ops.set_numbering(current_user, p, data["numbering"]),
                     _("Đã đánh số lại các hồ sơ của Danh mục."))


@bp.post("/plans/<int:year>/headings")
@login_required
def add_heading(year: int):
    return _plan_act(year, "heading", HeadingForm, HeadingSchema,
                     lambda p, data: ops.add_heading(current_user, p, data),
                     lambda h: _("Đã thêm đề mục “%(t)s”.", t=h.title))


@bp.post("/plans/<int:year>/dossiers")
@login_required
def add_dossier(year: int):
    return _plan_act(year, "dossier", DossierForm, DossierSchema,
                     lambda p, data: ops.add_planned_dossier(current_user, p, data),
                     lambda d: _("Đã thêm hồ sơ %(n)s vào Danh mục.", n=d.notation))


@bp.post("/plans/<int:year>/approve")
@login_required
def approve_plan(year: int):
    return _plan_act(year, "approve", ApprovalForm, ApprovalSchema,
                     lambda p, data: ops.approve_plan(current_user, p, data),
                     lambda p: _("Đã phê duyệt Danh mục hồ sơ năm %(y)s.", y=p.year))


@bp.post("/plans/<int:year>/unplanned")
@login_required
def open_unplanned(year: int):
    return _plan_act(year, "unplanned", DossierForm, DossierSchema,
                     lambda p, data: ops.open_unplanned(current_user, p, data),
                     lambda d: _("Đã mở hồ sơ %(n)s ngoài Danh mục.", n=d.notation))


@bp.post("/plans/<int:year>/revise")
@login_required
def revise_plan(year: int):
    found = _plan(year)
    try:
        ops.revise_plan(current_user, found)
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Danh mục hồ sơ năm %(y)s đã mở lại để điều chỉnh; sau đó cần phê duyệt lại.", y=year),
              "success")
    return redirect(url_for(".plan", year=year))


@bp.route("/headings/<int:heading_id>/edit", methods=["GET", "POST"])
@login_required
def edit_heading(heading_id: int):
    heading = ops.get_heading(current_user, heading_id)
    access.PLAN_LIFECYCLE.check(current_user, heading.plan, "edit")
    year = heading.plan.year
    if request.method == "POST":
        form = _with_choices(HeadingForm(prefix="heading"), heading.plan)
    else:
        form = _with_choices(HeadingForm(prefix="heading", formdata=None, obj=heading), heading.plan)
    status = 200
    if form.validate_on_submit() and (data := load_form(form, HeadingSchema)) is not None:
        try:
            ops.update_heading(current_user, heading, data)
        except DomainError as err:
            status = _fail(err, form)
            heading = ops.get_heading(current_user, heading_id)
        else:
            flash(_("Đã lưu đề mục “%(t)s”.", t=heading.title), "success")
            return redirect(url_for(".plan", year=year))
    elif request.method == "POST":
        status = 422
    return render_template("records/heading_form.html", form=form, heading=heading, plan=heading.plan), status


@bp.post("/headings/<int:heading_id>/delete")
@login_required
def delete_heading(heading_id: int):
    heading = ops.get_heading(current_user, heading_id)
    year, title = heading.plan.year, heading.title
    try:
        ops.remove_heading(current_user, heading)
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Đã bỏ đề mục “%(t)s”.", t=title), "success")
    return redirect(url_for(".plan", year=year))


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


# --- a dossier ---------------------------------------------------------------------------------

@dataclass
class ItemRow:
    """A row of the Mục lục văn bản (Phụ lục V §IV) as the reader sees it: the printed
    form's values (``export.item_views``: a reader who may not open every item gets them
    counted over what they see, so no gap tells that something is hidden), the type in the
    reader's language and where the row leads."""

    view: export.ItemView
    type_label: str
    link: str

    @property
    def item(self) -> DossierItem:
        return self.view.item


def _item_rows(dossier: Dossier, items: list[DossierItem]) -> list[ItemRow]:
    views = export.item_views(dossier, items, current_user.organisation)
    incoming_ids = [v.item.incoming_id for v in views if v.kind == "incoming"]
    outgoing_ids = [v.item.outgoing_id for v in views if v.kind == "outgoing"]
    incoming = {d.id: d for d in db.session.scalars(
        sa.select(IncomingDocument).where(IncomingDocument.id.in_(incoming_ids)))} if incoming_ids else {}
    outgoing = {d.id: d for d in db.session.scalars(
        sa.select(OutgoingDocument).where(OutgoingDocument.id.in_(outgoing_ids)))} if outgoing_ids else {}
    rows = []
    for view in views:
        item = view.item
        if view.kind == "incoming":
            rows.append(ItemRow(view, incoming[item.incoming_id].type_label,  # type: ignore[index]
                                url_for("incoming.show", document_id=item.incoming_id)))
        elif view.kind == "outgoing":
            rows.append(ItemRow(view, outgoing[item.outgoing_id].type_label,  # type: ignore[index]
                                url_for("outgoing.show", document_id=item.outgoing_id)))
        else:
            rows.append(ItemRow(view, _("Tài liệu khác"), url_for("records.item_file", item_id=item.id)))
    return rows


def _dossier_forms(dossier: Dossier, actions: frozenset[str], failed: tuple[str, Any] | None) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    if "file" in actions:
        wanted["add_file"] = lambda: FileItemForm(prefix="add_file", formdata=None)
    if "reopen" in actions:
        wanted["reopen"] = lambda: ReopenForm(prefix="reopen", formdata=None)
    if "lend" in actions:
        wanted["lend"] = lambda: LoanForm(prefix="lend", formdata=None)
    forms = {}
    for key, make in wanted.items():
        forms[key] = failed[1] if failed and failed[0] == key else _with_choices(make())
    if failed and failed[0] not in forms:
        _flash_errors(failed[1])
    return forms


def _render_dossier(dossier: Dossier, status: int = 200, failed: tuple[str, Any] | None = None):
    actions = access.dossier_actions(current_user, dossier)
    items = access.visible_items(current_user, dossier)
    rows = _item_rows(dossier, items)
    complete = len(items) == len(dossier.items)
    days = [i.doc_date for i in items]
    return render_template(
        "records/dossier.html", dossier=dossier, actions=actions, rows=rows,
        pages=sum(r.view.pages or 0 for r in rows), forms=_dossier_forms(dossier, actions, failed),
        span=(dossier.start_date, dossier.end_date) if complete else (min(days, default=None), max(days, default=None)),
        open_form=failed[0] if failed else None, history=ops.history(current_user, dossier),
        file_code=dossier.file_code(current_user.organisation.organ_id),
        plan_visible=access.can_view_plan(current_user, dossier.plan),
    ), status


@bp.get("/dossiers/<int:dossier_id>")
@login_required
def dossier(dossier_id: int):
    return _render_dossier(ops.get_dossier(current_user, dossier_id))


def _dossier_act(dossier_id: int, key: str, form_cls, schema, run, done):
    """Load the dossier → the form, through the command's schema → one operation → back to
    the dossier (or the dossier with the refusal next to the field)."""
    found = ops.get_dossier(current_user, dossier_id)
    form = _with_choices(form_cls(prefix=key))
    if form.validate_on_submit() and (data := load_form(form, schema)) is not None:
        try:
            result = run(found, data)
        except DomainError as err:
            status = _fail(err, form)
            return _render_dossier(ops.get_dossier(current_user, dossier_id), status, (key, form))
        flash(done(result) if callable(done) else done, "success")
        return redirect(url_for(".dossier", dossier_id=dossier_id))
    return _render_dossier(found, 422, (key, form))


def _simple_act(dossier_id: int, run, done) -> Any:
    """An act without a form (open, close, take back): do it, say so, back to the dossier."""
    found = ops.get_dossier(current_user, dossier_id)
    back = request.form.get("next", "")
    try:
        result = run(found)
    except DomainError as err:
        _fail(err)
    else:
        flash(done(result) if callable(done) else done, "success")
    return redirect(_safe_next(back, url_for(".dossier", dossier_id=dossier_id)))


@bp.route("/dossiers/<int:dossier_id>/edit", methods=["GET", "POST"])
@login_required
def edit_dossier(dossier_id: int):
    """The archive role changes a planned row (while the plan is a draft); the person
    responsible changes an open dossier's title, retention and notes."""
    found = ops.get_dossier(current_user, dossier_id)
    planned = found.status_enum is DossierStatus.PLANNED
    if planned:
        access.PLAN_LIFECYCLE.check(current_user, found.plan, "edit")
    else:
        access.DOSSIER_LIFECYCLE.check(current_user, found, "edit")
    if request.method == "POST":
        form = _with_choices(DossierForm(prefix="dossier"), found.plan)
    else:
        form = _with_choices(DossierForm(prefix="dossier", formdata=None, obj=found), found.plan)
    status = 200
    if form.validate_on_submit() and (data := load_form(form, DossierSchema)) is not None:
        try:
            if planned:
                ops.update_planned_dossier(current_user, found, data)
            else:
                ops.update_dossier(current_user, found, data)
        except DomainError as err:
            status = _fail(err, form)
            found = ops.get_dossier(current_user, dossier_id)
        else:
            flash(_("Đã lưu hồ sơ %(n)s.", n=found.notation), "success")
            if planned:
                return redirect(url_for(".plan", year=found.plan.year) + f"#d{dossier_id}")
            return redirect(url_for(".dossier", dossier_id=dossier_id))
    elif request.method == "POST":
        status = 422
    return render_template("records/dossier_form.html", form=form, dossier=found, planned=planned), status


@bp.post("/dossiers/<int:dossier_id>/delete")
@login_required
def delete_dossier(dossier_id: int):
    found = ops.get_dossier(current_user, dossier_id)
    year, notation = found.plan.year, found.notation
    try:
        ops.remove_planned_dossier(current_user, found)
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Đã bỏ hồ sơ %(n)s khỏi Danh mục.", n=notation), "success")
    return redirect(url_for(".plan", year=year))


@bp.post("/dossiers/<int:dossier_id>/open")
@login_required
def open_dossier(dossier_id: int):
    return _simple_act(dossier_id, lambda d: ops.open_dossier(current_user, d),
                       lambda d: _("Đã mở hồ sơ %(n)s. Hãy đưa văn bản vào hồ sơ từ trang văn bản.", n=d.notation))


@bp.post("/dossiers/<int:dossier_id>/close")
@login_required
def close_dossier(dossier_id: int):
    return _simple_act(dossier_id, lambda d: ops.close_dossier(current_user, d),
                       lambda d: _("Đã kết thúc hồ sơ %(n)s.", n=d.notation))


@bp.post("/dossiers/<int:dossier_id>/take-back")
@login_required
def take_back(dossier_id: int):
    return _simple_act(dossier_id, lambda d: ops.take_back(current_user, d),
                       lambda loan: _("Đã nhận lại hồ sơ từ %(name)s.", name=loan.borrower.full_name))


@bp.post("/dossiers/<int:dossier_id>/reopen")
@login_required
def reopen_dossier(dossier_id: int):
    return _dossier_act(dossier_id, "reopen", ReopenForm, ReopenSchema,
                        lambda d, data: ops.reopen_dossier(current_user, d, data["reason"]),
                        lambda d: _("Đã mở lại hồ sơ %(n)s.", n=d.notation))


@bp.post("/dossiers/<int:dossier_id>/lend")
@login_required
def lend_dossier(dossier_id: int):
    return _dossier_act(dossier_id, "lend", LoanForm, LoanSchema,
                        lambda d, data: ops.lend_dossier(current_user, d, data),
                        lambda loan: _("Đã cho %(name)s mượn hồ sơ.", name=loan.borrower.full_name))


def _add_file(found: Dossier, form: FileItemForm) -> DossierItem:
    storage = form.file.data
    if not getattr(storage, "filename", ""):
        raise ValidationFailed("required", _("Hãy chọn tệp."), "file")
    stored = files_ops.upload(current_user, storage.stream, storage.filename)
    data = load_form(form, FileItemSchema, file_id=stored.id)
    if data is None:
        raise ValidationFailed("invalid", _("Hãy kiểm tra lại các trường của tài liệu."))
    return ops.add_file(current_user, found, data)


@bp.post("/dossiers/<int:dossier_id>/files")
@login_required
def add_file(dossier_id: int):
    found = ops.get_dossier(current_user, dossier_id)
    # Who may, and when, before anything is uploaded.
    access.DOSSIER_LIFECYCLE.check(current_user, found, "file")
    form = FileItemForm(prefix="add_file")
    if form.validate_on_submit():
        try:
            item = _add_file(found, form)
        except DomainError as err:
            status = _fail(err, form)
            return _render_dossier(ops.get_dossier(current_user, dossier_id), status, ("add_file", form))
        flash(_("Đã thêm “%(t)s” vào hồ sơ.", t=item.title), "success")
        return redirect(url_for(".dossier", dossier_id=dossier_id))
    return _render_dossier(found, 422, ("add_file", form))


@bp.post("/items/<int:item_id>/delete")
@login_required
def remove_item(item_id: int):
    item = ops.get_item(current_user, item_id)
    dossier_id = item.dossier_id
    try:
        ops.remove_item(current_user, item)
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Đã bỏ văn bản khỏi hồ sơ (văn bản vẫn còn nguyên trong hệ thống)."), "success")
    return redirect(url_for(".dossier", dossier_id=dossier_id))


@bp.get("/items/<int:item_id>/file")
@login_required
def item_file(item_id: int):
    """Another file filed in a dossier (a document's own files open from its page)."""
    item = ops.get_item(current_user, item_id)
    files = ops.item_files(item)
    if item.kind != "file" or not files:
        raise not_found(_("Không tìm thấy tệp hoặc bạn không có quyền xem."))
    return files_ops.file_response(files[0], inline=request.args.get("inline") == "1")


# --- filing: from a document's page, from a list ------------------------------------------------

@bp.post("/file")
@login_required
def file_documents():
    """Đưa vào hồ sơ: the document page's suggestion (the button names the dossier) or a
    list's ticked rows (the select names it); back where the person was."""
    form = FilingForm()
    back = _safe_next(form.next.data, url_for(".index"))
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    if form.dossier_id.data is None:
        flash(_("Hãy chọn hồ sơ."), "danger")
        return redirect(back)
    target = ops.get_dossier(current_user, form.dossier_id.data)
    incoming_ids, outgoing_ids = _ticked("incoming_ids"), _ticked("outgoing_ids")
    if not incoming_ids and not outgoing_ids:
        flash(_("Hãy chọn văn bản cần đưa vào hồ sơ."), "danger")
        return redirect(back)
    data = load_form(form, FilingSchema, incoming_ids=incoming_ids, outgoing_ids=outgoing_ids)
    if data is None:
        _flash_errors(form)
        return redirect(back)
    try:
        filed = ops.file_documents(current_user, target, data)
    except DomainError as err:
        _fail(err)
        return redirect(back)
    if len(filed) == 1:
        flash(_("Đã đưa vào hồ sơ %(n)s.", n=target.notation), "success")
    else:
        flash(_("Đã đưa %(count)s văn bản vào hồ sơ %(n)s.", count=len(filed), n=target.notation), "success")
    return redirect(back)


@dataclass
class Filing:
    """What a document page shows of records: where the document is filed, and where the
    person could file it (one click each)."""

    holders: list[Dossier]
    suggested: list[Dossier]
    others: list[Dossier]
    fileable: bool


def filing_for(*, incoming: IncomingDocument | None = None, outgoing: OutgoingDocument | None = None) -> Filing:
    user = current_user
    holders = ops.dossiers_of(user, incoming=incoming, outgoing=outgoing)
    if incoming is not None:
        fileable = not incoming.is_confidential
    else:
        fileable = outgoing is not None and outgoing.status == "issued" and not outgoing.is_confidential
    offered = ops.suggestions(user, incoming=incoming, outgoing=outgoing, limit=OFFERED) if fileable else []
    return Filing(holders, offered[:SUGGESTED], offered[SUGGESTED:], fileable)


def open_dossiers() -> list[Dossier]:
    """The person's open dossiers, for a list's "Đưa vào hồ sơ" (none: no check boxes)."""
    return ops.my_open_dossiers(current_user) if current_user.is_authenticated else []


@bp.app_context_processor
def _records_globals():
    return {"records_filing": filing_for, "records_open_dossiers": open_dossiers}


# --- transfers to the archive (nộp lưu) --------------------------------------------------------

@bp.get("/transfers/")
@login_required
def transfers():
    return _render_transfers()


def _render_transfers(form: TransferForm | None = None, status: int = 200):
    archivist = access.is_archivist(current_user)
    if form is None and archivist:
        form = TransferForm(prefix="transfer", formdata=None, year=vn_today().year - 1)
    year_raw = request.args.get("year", "")
    year = int(year_raw) if year_raw.isdecimal() and len(year_raw) <= 4 and FIRST_YEAR <= int(year_raw) <= LAST_YEAR \
        else None
    return render_template("records/transfers.html", transfers=ops.transfers(current_user, year=year),
                           form=form if archivist else None, year=year), status


@bp.post("/transfers/")
@login_required
def announce_transfer():
    form = TransferForm(prefix="transfer")
    if form.validate_on_submit() and (data := load_form(form, TransferSchema)) is not None:
        try:
            made = ops.announce_transfer(current_user, data)
        except DomainError as err:
            return _render_transfers(form, _fail(err, form))
        flash(_("Đã thông báo nộp lưu hồ sơ năm %(y)s cho %(n)s người lập hồ sơ.", y=data.year, n=len(made)),
              "success")
        return redirect(url_for(".transfers"))
    return _render_transfers(form, 422)


def _render_transfer(transfer: ArchiveTransfer, status: int = 200, form: ReceiveForm | None = None):
    actions = access.transfer_actions(current_user, transfer)
    if "receive" in actions and form is None:
        form = ReceiveForm(prefix="receive", formdata=None)
    readable = set(db.session.scalars(sa.select(Dossier.id).where(
        access.READ.clause(current_user), Dossier.transfer_id == transfer.id)))
    return render_template("records/transfer.html", transfer=transfer, actions=actions, readable=readable,
                           form=form if "receive" in actions else None), status


@bp.get("/transfers/<int:transfer_id>")
@login_required
def transfer(transfer_id: int):
    return _render_transfer(ops.get_transfer(current_user, transfer_id))


@bp.post("/transfers/<int:transfer_id>/submit")
@login_required
def submit_transfer(transfer_id: int):
    found = ops.get_transfer(current_user, transfer_id)
    try:
        ops.submit_transfer(current_user, found)
    except DomainError as err:
        _fail(err)
    else:
        flash(_("Đã nộp lưu; Lưu trữ cơ quan sẽ kiểm tra và tiếp nhận."), "success")
    return redirect(url_for(".transfer", transfer_id=transfer_id))


@bp.post("/transfers/<int:transfer_id>/receive")
@login_required
def receive_transfer(transfer_id: int):
    found = ops.get_transfer(current_user, transfer_id)
    form = ReceiveForm(prefix="receive")
    if form.validate_on_submit() and (data := load_form(form, TransferReceiveSchema)) is not None:
        try:
            ops.receive_transfer(current_user, found, data.get("condition", ""))
        except DomainError as err:
            status = _fail(err, form)
            return _render_transfer(ops.get_transfer(current_user, transfer_id), status, form)
        flash(_("Đã tiếp nhận hồ sơ nộp lưu: hồ sơ thuộc Lưu trữ cơ quan từ nay."), "success")
        return redirect(url_for(".transfer", transfer_id=transfer_id))
    return _render_transfer(found, 422, form)


# --- downloads ---------------------------------------------------------------------------------

@bp.get("/plans/<int:year>.<any(docx, pdf, xlsx):fmt>")
@login_required
def export_plan(year: int, fmt: str):
    return export.send_plan(current_user, _plan(year), fmt)


@bp.get("/dossiers/<int:dossier_id>/muc-luc.<any(docx, pdf):fmt>")
@login_required
def export_dossier_index(dossier_id: int, fmt: str):
    return export.send_dossier_index(current_user, ops.get_dossier(current_user, dossier_id), fmt)


@bp.get("/dossiers/<int:dossier_id>/package.zip")
@login_required
def export_package(dossier_id: int):
    return export.send_package(current_user, ops.get_dossier(current_user, dossier_id))


@bp.get("/transfers/<int:transfer_id>/muc-luc.<any(docx, pdf):fmt>")
@login_required
def export_transfer_index(transfer_id: int, fmt: str):
    return export.send_transfer_index(current_user, ops.get_transfer(current_user, transfer_id), fmt)


@bp.get("/transfers/<int:transfer_id>/bien-ban.<any(docx, pdf):fmt>")
@login_required
def export_receipt(transfer_id: int, fmt: str):
    return export.send_receipt(current_user, ops.get_transfer(current_user, transfer_id), fmt)
