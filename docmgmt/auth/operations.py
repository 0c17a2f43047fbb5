"""Authentication, lockout and tokens: the rules, whichever door asks."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.operations import record
from ..core.access import get_scoped
from ..core.errors import AuthenticationFailed, ValidationFailed, forbidden
from ..core.permissions import Permission
from ..core.text import clean
from ..core.timeutil import format_datetime, utcnow
from ..core.transaction import keep_on_refusal
from ..extensions import db
from ..org.models import User
from .models import ApiToken
from .passwords import check_password, hash_password, needs_rehash, validate_password

TOKEN_PREFIX = "xs_"


def authenticate(username: str, password: str) -> User:
    """Check a username and password, applying the lockout rule.

    After ``LOGIN_MAX_FAILURES`` consecutive failures the account is locked for
    ``LOGIN_LOCKOUT_MINUTES``; while locked even the right password is refused. The
    failure counter must survive the refusal, hence :func:`keep_on_refusal`.
    """
    username = clean(username).lower()
    user = db.session.scalar(sa.select(User).where(User.username == username))
    now = utcnow()
    if user is not None and user.is_locked(now):
        raise AuthenticationFailed(
            "account_locked",
            _("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau %(time)s.",
              time=format_datetime(user.locked_until)),
        )
    if user is None or not check_password(user.password_hash, password):
        if user is not None:
            _register_failure(user, now)
        raise AuthenticationFailed(
            "invalid_credentials", _("Tên đăng nhập hoặc mật khẩu không đúng."), "password"
        )
    if not user.active:
        raise AuthenticationFailed("account_disabled", _("Tài khoản đã bị vô hiệu hóa."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record(user.organisation_id, user, "auth.login", user, _("Đăng nhập"))
    return user


def _register_failure(user: User, now) -> None:
    keep_on_refusal()
    user.failed_logins += 1
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if user.failed_logins >= limit:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        user.failed_logins = 0
        record(user.organisation_id, None, "auth.locked", user,
               _("Tài khoản bị khóa tạm thời sau %(n)d lần đăng nhập sai", n=limit))


def unlock(actor: User, user: User) -> None:
    if not actor.can(Permission.MANAGE_USERS) or actor.organisation_id != user.organisation_id:
        raise forbidden(_("Bạn không có quyền mở khóa tài khoản này."))
    user.locked_until = None
    user.failed_logins = 0
    record(user.organisation_id, actor, "auth.unlocked", user, _("Mở khóa tài khoản"))


def change_password(user: User, current: str, new: str) -> None:
    if not check_password(user.password_hash, current):
        raise ValidationFailed("wrong_password", _("Mật khẩu hiện tại không đúng."), "current")
    validate_password(new)
    user.password_hash = hash_password(new)
    record(user.organisation_id, user, "auth.password_changed", user, _("Đổi mật khẩu"))


# --- API tokens ----------------------------------------------------------------

def _digest(token: str) -> str:
    # Tokens carry 256 bits of randomness: a plain SHA-256 is enough at rest
    # (a slow hash protects guessable secrets, which these are not).
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a personal token; the clear text is returned once and never stored."""
    name = clean(name)
    if not name:
        raise ValidationFailed("required", _("Hãy đặt tên cho mã truy cập."), "name")
    if days is not None and not 1 <= days <= 3650:
        raise ValidationFailed("invalid", _("Thời hạn phải từ 1 đến 3650 ngày."), "days")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=user.organisation_id, user_id=user.id, name=name,
        prefix=clear[: len(TOKEN_PREFIX) + 6], digest=_digest(clear),
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    record(user.organisation_id, user, "token.created", token, name)
    return token, clear


def revoke_token(actor: User, token_id: int) -> ApiToken:
    token = get_scoped(ApiToken, token_id, actor, _("Không tìm thấy mã truy cập."))
    if token.user_id != actor.id and not actor.can(Permission.MANAGE_USERS):
        raise forbidden(_("Bạn chỉ có thể thu hồi mã truy cập của mình."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor.organisation_id, actor, "token.revoked", token, token.name)
    return token


def user_for_token(clear: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, expired)."""
    if not clear.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.digest == _digest(clear)))
    now = utcnow()
    if token is None or not token.is_usable(now) or not token.user.active:
        return None
    # Only touch the row now and then: a script calling in a loop should not turn
    # every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )
