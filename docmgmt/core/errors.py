"""Domain errors: a refusal that explains itself.

Every refused action raises a :class:`DomainError` with a stable ``code`` (for the
API and tests), a message in the user's language (Vietnamese by default) and, where it
concerns one input, the ``field``. Web pages show the message; the API returns
``{"error": {"code", "message", "field"}}`` with the error's HTTP status.
"""

from __future__ import annotations

from flask_babel import gettext as _


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class ValidationFailed(DomainError):
    status = 422


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class AuthenticationFailed(DomainError):
    status = 401


# The two refusals every module gives, worded once.

def forbidden(message: str | None = None, code: str = "forbidden") -> PermissionDenied:
    """The person may not do this (they may know the record exists)."""
    return PermissionDenied(code, message or _("Bạn không có quyền thực hiện thao tác này."))


def not_found(message: str | None = None, code: str = "not_found") -> NotFound:
    """Not there, or not for this person: the two look the same, so nobody learns that a
    record exists."""
    return NotFound(code, message or _("Không tìm thấy dữ liệu yêu cầu."))
