"""Web door for delegations: my delegations (given, received — and the commune's for
those who read every document), giving one, its page with what was done under it,
ending it early. Each handler loads, lets the operation check and act, and renders."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import DomainError
from ..core.forms import load_form, show_error
from ..core.permissions import Permission
from ..core.timeutil import vn_today
from ..documents.history import event_label
from . import home as _home  # noqa: F401 - registers the home-page panel
from . import operations as ops
from .forms import DelegationForm, EndForm
from .schemas import DelegationCreateSchema, DelegationEndSchema
from .workflow import MAX_DAYS, Status

bp = Blueprint("delegation", __name__, url_prefix="/delegations")

STATUS_STYLES = {
    Status.SCHEDULED: "text-bg-secondary",
    Status.RUNNING: "text-bg-success",
    Status.ENDED: "text-bg-light border",
    Status.ENDED_EARLY: "text-bg-warning",
    Status.CANCELLED: "text-bg-dark",
}


@bp.app_context_processor
def _menu():
    # The user menu's "Ủy quyền" entry, for those who have the page.
    return {"may_see_delegations": ops.may_list}


@bp.context_processor
def _helpers():
    return {"status_style": lambda s: STATUS_STYLES[s], "today": vn_today()}


def _require_page() -> None:
    if not ops.may_list(current_user):
        abort(403)


@bp.get("/")
@login_required
def index():
    _require_page()
    mine = ops.list_for(current_user, "all")
    given = [d for d in mine if d.delegator_id == current_user.id]
    received = [d for d in mine if d.delegate_id == current_user.id]
    others = [d for d in mine if current_user.id not in (d.delegator_id, d.delegate_id)]
    return render_template("delegation/index.html", given=given, received=received, others=others,
                           may_delegate=ops.may_delegate(current_user),
                           sees_all=current_user.can(Permission.VIEW_ALL_DOCUMENTS))


def _prepare(form: DelegationForm) -> DelegationForm:
    form.delegate_id.choices = [("", _("— Chọn lãnh đạo —"))] + [
        (str(u.id), u.full_name + (f" — {u.position.name}" if u.position else ""))
        for u in ops.candidates(current_user)]
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not ops.may_delegate(current_user):
        abort(403)
    form = _prepare(DelegationForm())
    status = 200
    if form.validate_on_submit():
        data = load_form(form, DelegationCreateSchema, powers=form.powers.data or [])
        if data is not None:
            try:
                delegation = ops.create_delegation(current_user, data)
            except DomainError as err:
                status = err.status
                show_error(form, err)
            else:
                flash(_("Đã ủy quyền %(powers)s cho %(name)s từ %(start)s đến %(end)s.",
                        powers=delegation.powers_label, name=delegation.delegate.full_name,
                        start=delegation.start_date.strftime("%d/%m/%Y"),
                        end=delegation.end_date.strftime("%d/%m/%Y")), "success")
                return redirect(url_for(".show", delegation_id=delegation.id))
        else:
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("delegation/new.html", form=form, max_days=MAX_DAYS), status


def _render_show(delegation, end_form: EndForm | None = None, status: int = 200):
    actions = ops.available_actions(current_user, delegation)
    acts = ops.acts_under(delegation)
    return render_template(
        "delegation/show.html", d=delegation, actions=actions, acts=acts, event_label=event_label,
        end_form=end_form or EndForm(prefix="end", formdata=None),
    ), status


@bp.get("/<int:delegation_id>")
@login_required
def show(delegation_id: int):
    return _render_show(ops.get_readable(current_user, delegation_id))


@bp.post("/<int:delegation_id>/end")
@login_required
def end(delegation_id: int):
    delegation = ops.get_readable(current_user, delegation_id)
    form = EndForm(prefix="end")
    if form.validate_on_submit() and (data := load_form(form, DelegationEndSchema)) is not None:
        try:
            ops.end_delegation(current_user, delegation, data["reason"])
        except DomainError as err:
            if err.status in (403, 404):
                raise
            show_error(form, err)
            return _render_show(delegation, form, err.status)
        flash(_("Đã kết thúc ủy quyền."), "success")
        return redirect(url_for(".show", delegation_id=delegation.id))
    return _render_show(delegation, form, 422)
