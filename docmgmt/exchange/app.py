"""Binds the exchange to the application: its signal receivers and the document-page
helpers. Its blueprints (``controllers``, ``api``) are discovered like every module's;
its timeline words are registered by ``operations``."""

from __future__ import annotations

from flask import Flask

from . import operations as ops
from . import receivers
from .signatures import state_label


def init_app(app: Flask) -> None:
    receivers.connect()
    app.jinja_env.globals.update(
        exchange_trail=ops.status_trail,
        exchange_status_label=ops.status_label,
        exchange_signature=ops.receipt_signature,
        exchange_signature_label=state_label,
    )
