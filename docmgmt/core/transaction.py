"""One transaction per request: committed once at the end, rolled back on any error.

Handlers never commit by hand. A refusal (a 4xx response or an exception) rolls the
whole request back, so nothing is half-written. The one exception is state that must
survive the refusal itself, such as the failed-login counter behind the lockout: the
operation asks for that with :func:`keep_on_refusal`.
"""

from __future__ import annotations

import functools

from flask import Flask, g, has_request_context

from ..extensions import db


def keep_on_refusal() -> None:
    """Commit this request's changes even though the response refuses the action."""
    if has_request_context():
        g.xaso_keep_on_refusal = True


def init_app(app: Flask) -> None:
    @app.after_request
    def _finish(response):
        if response.status_code < 400 or g.get("xaso_keep_on_refusal"):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()


def transactional(fn):
    """For CLI commands and workers, the doors outside a request: commit once at the end,
    roll back on any error."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise

    return wrapper
