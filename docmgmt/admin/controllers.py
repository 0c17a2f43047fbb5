"""Web door for administration. Every rule lives in the operations it calls."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import operations as audit_ops
from ..auth import operations as auth_ops
from ..core.errors import DomainError
from ..core.forms import show_error
from ..core.permissions import Permission
from ..core.timeutil import format_date, vn_today
from ..org import operations as ops
from ..org.models import User
from ..reports import paperless
from .forms import PaperlessTargetForm, UnitForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _unit_choices():
    return [("", _("— Không thuộc đơn vị —"))] + [
        (str(u.id), f"{u.abbreviation} — {u.name}") for u in ops.units_of(current_user)
    ]


@bp.get("/users")
@login_required
def users():
    ops.require(current_user, Permission.MANAGE_USERS)
    return render_template("admin/users.html", users=ops.users_of(current_user))


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    ops.require(current_user, Permission.MANAGE_USERS)
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    status = 200
    if form.validate_on_submit():
        try:
            user = ops.create_user(
                current_user, current_user.organisation, username=form.username.data,
                full_name=form.full_name.data, password=form.password.data or "",
                roles=form.roles.data, unit_id=form.unit_id.data,
                position=form.position.data or None, email=form.email.data or "",
            )
        except DomainError as err:
            show_error(form, err)
            status = err.status
        else:
            flash(_("Đã tạo người dùng %(name)s.", name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    ops.require(current_user, Permission.MANAGE_USERS)
    user = ops.get_scoped(User, user_id, current_user)
    form = UserForm()
    del form.username  # a username never changes: history and tokens name it
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.full_name.data = user.full_name
        form.email.data = user.email
        form.active.data = user.active
        form.roles.data = [str(r) for r in user.roles]
        form.position.data = user.position.name if user.position else ""
        form.unit_id.data = user.unit_id
    status = 200
    if form.validate_on_submit():
        try:
            ops.update_user(
                current_user, user, full_name=form.full_name.data, roles=form.roles.data,
                unit_id=form.unit_id.data, position=form.position.data or "",
                email=form.email.data or "", active=form.active.data,
                password=form.password.data or None,
            )
        except DomainError as err:
            show_error(form, err)
            status = err.status
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.post("/users/<int:user_id>/unlock")
@login_required
def unlock_user(user_id: int):
    user = ops.get_scoped(User, user_id, current_user)
    auth_ops.unlock(current_user, user)
    flash(_("Đã mở khóa tài khoản %(u)s.", u=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _units_page(form: UnitForm, target_form: PaperlessTargetForm, status: int = 200):
    if target_form.target.data is None and not target_form.target.errors:
        target_form.target.data = current_user.organisation.paperless_target
    return render_template("admin/units.html", form=form, units=ops.units_of(current_user),
                           target_form=target_form,
                           target=paperless.target_of(current_user.organisation_id, vn_today())), status


@bp.route("/units", methods=["GET", "POST"])
@login_required
def units():
    ops.require(current_user, Permission.MANAGE_ORGANISATION)
    form = UnitForm()
    status = 200
    if form.validate_on_submit():
        try:
            unit = ops.create_unit(current_user, current_user.organisation, form.name.data,
                                   form.abbreviation.data)
        except DomainError as err:
            show_error(form, err)
            status = err.status
        else:
            flash(_("Đã thêm đơn vị %(a)s.", a=unit.abbreviation), "success")
            return redirect(url_for("admin.units"))
    elif request.method == "POST":
        status = 400
    return _units_page(form, PaperlessTargetForm(prefix="target", formdata=None), status)


@bp.post("/paperless-target")
@login_required
def paperless_target():
    """The paperless target date (dd/mm/yyyy), shown on the units page."""
    ops.require(current_user, Permission.MANAGE_ORGANISATION)
    form = PaperlessTargetForm(prefix="target")
    if form.validate_on_submit():
        try:
            org = paperless.set_target(current_user, form.target.data)
        except DomainError as err:
            show_error(form, err)
            return _units_page(UnitForm(formdata=None), form, err.status)
        target = paperless.target_of(org.id, vn_today())
        flash(_("Mục tiêu không dùng văn bản giấy: %(d)s.", d=format_date(target)), "success")
        return redirect(url_for("admin.units"))
    return _units_page(UnitForm(formdata=None), form, 422)


@bp.get("/audit")
@login_required
def audit():
    entries = audit_ops.readable_entries(current_user, limit=200)
    problems = audit_ops.verify(current_user.organisation_id) if request.args.get("verify") else None
    return render_template("admin/audit.html", entries=entries, problems=problems)
