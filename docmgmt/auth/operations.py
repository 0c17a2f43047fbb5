"""Authentication, lockout, server-side sessions and tokens: the rules, whichever door asks."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ..audit.operations import record
from ..core.access import get_scoped
from ..core.errors import AuthenticationFailed, ValidationFailed, forbidden, not_found
from ..core.permissions import Permission
from ..core.text import clean
from ..core.timeutil import utcnow
from ..core.transaction import keep_on_refusal
from ..extensions import db
from ..org.models import User
from .models import ApiToken, LoginAttempt, LoginThrottle, UserSession
from .passwords import check_password, hash_password, needs_rehash, validate_password

TOKEN_PREFIX = "xs_"


def _refused() -> AuthenticationFailed:
    # One answer for an unknown user, a wrong password and a locked account alike.
    return AuthenticationFailed(
        "invalid_credentials", _("Tên đăng nhập hoặc mật khẩu không đúng."), "password"
    )


def authenticate(username: str, password: str, *, address: str = "",
                 devices: Mapping[int, str] | None = None) -> User:
    """Check a username and password, applying the lockout rules.

    Nothing in the answer, nor in its time, tells an unknown username from a wrong
    password or a locked account: each verifies one Argon2 hash (a dummy one for an
    unknown user) and is refused with the same code and message.

    Lockout is per account *and source*, so a stranger cannot aim it at a colleague:
    ``LOGIN_MAX_FAILURES`` failures in a row from one source lock that pair for
    ``LOGIN_LOCKOUT_MINUTES``; while locked, even the right password gets the same
    refusal from there. The source is the browser when the account signed in on it
    before (``devices``, user id → device id, from the device cookie), else the client
    ``address``. Failed attempts from an address, whatever the account, are also slowed
    down: past ``LOGIN_THROTTLE_FREE`` each waits twice as long as the last, up to
    ``LOGIN_THROTTLE_MAX_SECONDS`` (browsers known to the account skip this). The
    counters must survive the refusal, hence :func:`keep_on_refusal`.
    """
    username = clean(username).lower()
    address = address[:64]
    user = db.session.scalar(sa.select(User).where(User.username == username))
    now = utcnow()
    device = devices.get(user.id) if user is not None and devices else None
    if device is None:
        _check_throttle(address, now)
    source = f"device:{device}" if device else f"ip:{address}"
    locked = user is not None and _pair_locked(user, source, now)
    right = check_password(user.password_hash if user is not None else None, password)
    if user is None or not right or locked:
        keep_on_refusal()
        if not right:
            if device is None:
                _throttle_failure(address, now)
            if user is not None and not locked:
                _register_failure(user, source, address, now)
            _prune(now)
        raise _refused()
    if not user.active:
        raise AuthenticationFailed("account_disabled", _("Tài khoản đã bị vô hiệu hóa."))
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.user_id == user.id,
                                                     LoginAttempt.source == source))
    user.failed_logins = 0
    user.locked_until = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.locked_until))
        .where(LoginAttempt.user_id == user.id, LoginAttempt.locked_until > now))
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record(user.organisation_id, user, "auth.login", user, _("Đăng nhập"))
    return user


def _insert_once(model, values: dict, keys: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two failures at once must both count."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))


def _pair_locked(user: User, source: str, now: datetime) -> bool:
    until = db.session.scalar(sa.select(LoginAttempt.locked_until).where(
        LoginAttempt.user_id == user.id, LoginAttempt.source == source))
    return until is not None and until > now


def _register_failure(user: User, source: str, address: str, now: datetime) -> None:
    """One more failure on this account from this source; the limit locks the pair."""
    _insert_once(LoginAttempt, {"user_id": user.id, "source": source, "failures": 0,
                                "last_failure_at": now}, ["user_id", "source"])
    pair = (LoginAttempt.user_id == user.id, LoginAttempt.source == source)
    # One UPDATE … RETURNING: concurrent guesses cannot slip under the limit.
    failures = db.session.scalar(
        sa.update(LoginAttempt).where(*pair)
        .values(failures=LoginAttempt.failures + 1, last_failure_at=now)
        .returning(LoginAttempt.failures).execution_options(synchronize_session=False))
    user.failed_logins += 1
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if failures is not None and failures >= limit:
        until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        db.session.execute(sa.update(LoginAttempt).where(*pair).values(failures=0, locked_until=until)
                           .execution_options(synchronize_session=False))
        if user.locked_until is None or user.locked_until < until:
            user.locked_until = until
        known = source.startswith("device:")
        where = _("một máy đã từng đăng nhập tài khoản này") if known else address
        record(user.organisation_id, None, "auth.locked", user,
               _("Tạm khóa đăng nhập từ %(source)s sau %(n)d lần sai", source=where, n=limit),
               {"address": address, "known_device": known})


def _check_throttle(address: str, now: datetime) -> None:
    wait_until = db.session.scalar(
        sa.select(LoginThrottle.next_attempt_at).where(LoginThrottle.source == f"ip:{address}"))
    if wait_until is not None and wait_until > now:
        seconds = math.ceil((wait_until - now).total_seconds())
        raise AuthenticationFailed(
            "login_throttled",
            _("Có nhiều lần đăng nhập sai từ máy này. Hãy chờ %(n)d giây rồi thử lại.", n=seconds),
            status=429,
        )


def _throttle_failure(address: str, now: datetime) -> None:
    key = f"ip:{address}"
    config = current_app.config
    _insert_once(LoginThrottle, {"source": key, "failures": 0, "last_failure_at": now}, ["source"])
    # Failures older than the lockout time are forgotten.
    window = now - timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    failures = db.session.scalar(
        sa.update(LoginThrottle).where(LoginThrottle.source == key)
        .values(failures=sa.case((LoginThrottle.last_failure_at < window, 1),
                                 else_=LoginThrottle.failures + 1),
                last_failure_at=now)
        .returning(LoginThrottle.failures).execution_options(synchronize_session=False))
    beyond = (failures or 0) - config["LOGIN_THROTTLE_FREE"]
    if beyond > 0:
        delay = min(2 ** min(beyond - 1, 16), config["LOGIN_THROTTLE_MAX_SECONDS"])
        db.session.execute(sa.update(LoginThrottle).where(LoginThrottle.source == key)
                           .values(next_attempt_at=now + timedelta(seconds=delay))
                           .execution_options(synchronize_session=False))


def _prune(now: datetime) -> None:
    """Forget failures a day old (the table holds only what the rules still need)."""
    old = now - timedelta(days=1)
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.last_failure_at < old,
        sa.or_(LoginAttempt.locked_until.is_(None), LoginAttempt.locked_until < now),
    ).execution_options(synchronize_session=False))
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < old)
                       .execution_options(synchronize_session=False))


def lift_lockout(user: User) -> None:
    """Clear every lockout and failure counter of this account (every source)."""
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.user_id == user.id)
                       .execution_options(synchronize_session=False))
    user.locked_until = None
    user.failed_logins = 0


def unlock(actor: User, user: User) -> None:
    if not actor.can(Permission.MANAGE_USERS) or actor.organisation_id != user.organisation_id:
        raise forbidden(_("Bạn không có quyền mở khóa tài khoản này."))
    lift_lockout(user)
    record(user.organisation_id, actor, "auth.unlocked", user, _("Mở khóa tài khoản"))


def change_password(user: User, current: str, new: str) -> tuple[int, int]:
    """Change one's own password. A change usually answers a suspected compromise, so
    it ends every session of the user (the door opens a fresh one for the person who
    made it) and revokes their API tokens. Returns (other sessions ended, tokens
    revoked), for the notice."""
    if not check_password(user.password_hash, current):
        raise ValidationFailed("wrong_password", _("Mật khẩu hiện tại không đúng."), "current")
    validate_password(new)
    user.password_hash = hash_password(new)
    now = utcnow()
    live = _live_sessions(user, now)
    for row in live:
        row.revoked_at = now
    ended = [s for s in live if s.id != user.current_session_id]
    tokens = [t for t in tokens_of(user) if t.is_usable(now)]
    for token in tokens:
        token.revoked_at = now
    record(user.organisation_id, user, "auth.password_changed", user, _("Đổi mật khẩu"),
           {"sessions_ended": len(ended), "tokens_revoked": len(tokens)})
    return len(ended), len(tokens)


# --- server-side sessions ------------------------------------------------------

# Touch a session's row at most this often: a page read should not always be a write.
SESSION_TOUCH = timedelta(minutes=5)


def _password_stamp(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _idle_lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def _remember_lifetime() -> timedelta:
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def open_session(user: User, *, remember: bool = False, address: str = "",
                 user_agent: str = "") -> UserSession:
    """Start a server-side session for a user who just proved who they are; the door
    puts ``user.get_id()`` (its random key) in the cookies."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        organisation_id=user.organisation_id, user_id=user.id, key_digest=_digest(key),
        password_stamp=_password_stamp(user), remember=remember, created_at=now,
        last_seen_at=now,
        expires_at=now + (_remember_lifetime() if remember else _idle_lifetime()),
        user_agent=clean(user_agent)[:255], address=address[:64],
    )
    db.session.add(row)
    # The rows of sessions over for a month go: the account page lists the open ones.
    month_ago = now - timedelta(days=30)
    db.session.execute(sa.delete(UserSession).where(
        UserSession.user_id == user.id,
        sa.or_(UserSession.revoked_at < month_ago, UserSession.expires_at < month_ago),
    ).execution_options(synchronize_session=False))
    db.session.flush()
    user.bind_session(key, row.id)
    return row


def user_for_session(key: str | None) -> User | None:
    """The user a session key (from the session or remember-me cookie) signs in, or
    None: unknown, ended, expired, opened under another password, or account disabled."""
    if not key or len(key) > 128:
        return None
    row = db.session.scalar(sa.select(UserSession).where(UserSession.key_digest == _digest(key))
                            .options(joinedload(UserSession.user)))
    now = utcnow()
    if row is None or not row.is_live(now):
        return None
    user = row.user
    if not user.active or row.password_stamp != _password_stamp(user):
        return None
    if now - row.last_seen_at > SESSION_TOUCH:
        row.last_seen_at = now
        if not row.remember:
            row.expires_at = now + _idle_lifetime()
    user.bind_session(key, row.id)
    return user


def end_session(user: User) -> None:
    """Logging out: the session this user object came with ends on the server."""
    if user.current_session_id is None:
        return
    row = db.session.get(UserSession, user.current_session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def _live_sessions(user: User, now: datetime) -> list[UserSession]:
    return list(db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
               UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def sessions_of(user: User) -> list[UserSession]:
    """The user's sessions still open, most recently used first."""
    return _live_sessions(user, utcnow())


def end_other_sessions(user: User) -> int:
    """End every session of the user but the one making the request; how many."""
    now = utcnow()
    others = [s for s in _live_sessions(user, now) if s.id != user.current_session_id]
    for row in others:
        row.revoked_at = now
    if others:
        record(user.organisation_id, user, "auth.sessions_ended", user,
               _("Kết thúc %(n)d phiên đăng nhập khác", n=len(others)))
    return len(others)


def end_one_session(user: User, session_id: int) -> None:
    """End one of one's own sessions (a browser left signed in elsewhere)."""
    row = db.session.get(UserSession, session_id) if 0 < session_id < 2**63 else None
    if row is None or row.user_id != user.id:
        raise not_found(_("Không tìm thấy phiên đăng nhập."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(user.organisation_id, user, "auth.sessions_ended", user,
               _("Kết thúc một phiên đăng nhập khác"))


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


def revoke_tokens_on_reset(user: User, *, actor: User, **_kw) -> None:
    """Receiver of ``password_reset``: a reset by an administrator usually answers a lost
    or compromised password, so the person's API tokens stop working with it."""
    now = utcnow()
    tokens = [t for t in tokens_of(user) if t.is_usable(now)]
    for token in tokens:
        token.revoked_at = now
    if tokens:
        record(user.organisation_id, actor, "token.revoked_on_reset", user, user.username,
               {"tokens_revoked": len(tokens)})


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )
