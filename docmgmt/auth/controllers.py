"""Web door: sign in and out, the account page, personal tokens."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import DomainError
from ..core.forms import show_error
from ..demo import DEMO_PASSWORD, demo_accounts
from ..extensions import limiter
from . import operations as ops
from .forms import LoginForm, PasswordForm, TokenForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = ops.authenticate(form.username.data, form.password.data)
        except DomainError as err:
            show_error(form, err)
            status = err.status
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in: no fixation
            if lang:
                session["lang"] = lang
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, **_demo_context()), status


def _demo_context() -> dict:
    if not current_app.config.get("DEMO_MODE"):
        return {}
    return {"demo_accounts": demo_accounts(), "demo_password": DEMO_PASSWORD}


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str):
    if code in ("vi", "en"):
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            ops.change_password(current_user, form.current.data, form.new.data)
        except DomainError as err:
            show_error(form, err)
            status = err.status
        else:
            login_user(current_user._get_current_object())  # the session id names the password: renew it
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/account.html", form=form), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    status = 200
    if form.validate_on_submit():
        try:
            _token, new_token = ops.create_token(current_user, form.name.data, form.days.data)
        except DomainError as err:
            show_error(form, err)
            status = err.status
    elif request.method == "POST":
        status = 400
    return render_template("auth/tokens.html", form=form, tokens=ops.tokens_of(current_user),
                           new_token=new_token), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = ops.revoke_token(current_user, token_id)
    flash(_("Đã thu hồi mã truy cập “%(name)s”.", name=token.name), "success")
    return redirect(url_for("auth.tokens"))
