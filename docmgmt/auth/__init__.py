"""Signing in: passwords, lockout, sessions and personal API tokens."""

from __future__ import annotations

from flask import Flask

from ..core import signals


def init_app(app: Flask) -> None:
    """Subscribe to the signals whose side effects are the sign-in rules'."""
    from .operations import revoke_tokens_on_reset

    signals.password_reset.connect(revoke_tokens_on_reset, weak=False)
