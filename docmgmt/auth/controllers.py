"""Web door: sign in and out, the account page (password, open sessions), personal tokens."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

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


def _address() -> str:
    return request.remote_addr or ""


# --- the device cookie: accounts that signed in on this browser before ------------
# A signed list of (user id, random device id). It is not a credential: it lets the
# account's own browser keep signing in while someone else's guesses lock out their
# address (see ops.authenticate).

_DEVICES_KEPT = 8  # a shared office computer: the last few people who signed in on it


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="xaso-device")


def _known_devices() -> dict[int, str]:
    raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if not raw:
        return {}
    max_age = current_app.config["DEVICE_COOKIE_DAYS"] * 86400
    try:
        pairs = _device_serializer().loads(raw, max_age=max_age)
        return {int(user_id): str(device) for user_id, device in pairs}
    except (BadSignature, TypeError, ValueError):
        return {}


def _remember_device(response, devices: dict[int, str], user_id: int) -> None:
    device = devices.pop(user_id, None) or secrets.token_urlsafe(16)
    devices[user_id] = device  # last signed in, last in the list
    pairs = [[uid, dev] for uid, dev in devices.items()][-_DEVICES_KEPT:]
    config = current_app.config
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"], _device_serializer().dumps(pairs),
        max_age=config["DEVICE_COOKIE_DAYS"] * 86400, httponly=True, samesite="Lax",
        secure=config.get("DEVICE_COOKIE_SECURE", False),
    )


def _sign_in(user, remember: bool) -> None:
    """Open a server-side session and put its key in the cookies."""
    if current_app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(0):
        remember = False  # XASO_REMEMBER_DAYS=0: remembering is off
    ops.open_session(user, remember=remember, address=_address(),
                     user_agent=request.user_agent.string)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        devices = _known_devices()
        try:
            user = ops.authenticate(form.username.data, form.password.data,
                                    address=_address(), devices=devices)
        except DomainError as err:
            show_error(form, err)
            status = err.status
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in: no fixation
            if lang:
                session["lang"] = lang
            _sign_in(user, bool(form.remember.data))
            response = redirect(_safe_next(request.args.get("next")))
            _remember_device(response, devices, user.id)
            return response
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
    ops.end_session(current_user)  # the copied cookies die with it, wherever they are
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    logout_user()  # after clear(): it asks for the remember-me cookie to be deleted
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
            remembered = _current_session_remembered()
            ended, revoked = ops.change_password(current_user, form.current.data, form.new.data)
        except DomainError as err:
            show_error(form, err)
            status = err.status
        else:
            # Every session ended with the old password, this one too: a fresh one here.
            _sign_in(current_user._get_current_object(), remembered)
            flash(_("Đã đổi mật khẩu."), "success")
            if ended or revoked:
                flash(_("Vì an toàn: đã đăng xuất %(s)d phiên đăng nhập khác và thu hồi "
                        "%(t)d mã truy cập API của bạn.", s=ended, t=revoked), "warning")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/account.html", form=form, sessions=ops.sessions_of(current_user),
                           current_session_id=current_user.current_session_id), status


def _current_session_remembered() -> bool:
    row = next((s for s in ops.sessions_of(current_user) if s.id == current_user.current_session_id),
               None)
    return bool(row and row.remember)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    n = ops.end_other_sessions(current_user)
    flash(_("Đã kết thúc %(n)d phiên đăng nhập khác.", n=n), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    ops.end_one_session(current_user, session_id)
    flash(_("Đã kết thúc phiên đăng nhập."), "success")
    return redirect(url_for("auth.account"))


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
