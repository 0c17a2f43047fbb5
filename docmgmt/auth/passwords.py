"""Passwords: the rule a new one must meet, and hashing with Argon2id (argon2-cffi's
defaults follow RFC 9106). Used by sign-in (``auth.operations``) and by the accounts
an administrator creates or resets (``org.operations``)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

from ..core.errors import ValidationFailed

MIN_LENGTH = 8  # the message below says so

_hasher = PasswordHasher()

# A hash to verify against when the username does not exist, so the response time
# does not tell an attacker which usernames are real.
_DUMMY = _hasher.hash("xaso-dummy-password")


def _off_the_loop(fn, *args):
    """Argon2 is tens of milliseconds of CPU in C (argon2-cffi releases the GIL). Under
    gevent (gunicorn's worker: make run and production) it would stop every greenlet of
    the process meanwhile, the meeting room's broadcasts included; on gevent's thread
    pool the loop goes on. Elsewhere (threads, CLI) it runs here."""
    try:
        from gevent import monkey
    except ImportError:
        return fn(*args)
    if not monkey.is_module_patched("threading"):
        return fn(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(fn, args)


def hash_password(password: str) -> str:
    return _off_the_loop(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password_hash: str | None, password: str) -> bool:
    return _off_the_loop(_verify, password_hash or _DUMMY, password) and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def validate_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            "weak_password", _("Mật khẩu phải có ít nhất 8 ký tự."), field
        )
