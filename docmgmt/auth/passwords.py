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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def validate_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            "weak_password", _("Mật khẩu phải có ít nhất 8 ký tự."), field
        )
