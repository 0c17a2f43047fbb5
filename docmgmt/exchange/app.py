"""Binds the exchange to the application: signal receivers, the page, the API, the
timeline words of its events and the document-page helper."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from ..api import api
    from ..incoming.controllers import EVENT_LABELS
    from ..outgoing.operations import ACTION_LABELS
    from . import operations as ops
    from . import receivers
    from .controllers import api_bp, bp, status_label

    receivers.connect()
    app.register_blueprint(bp)
    api.register_blueprint(api_bp, url_prefix="/api/v1")
    for key, label in ops.INCOMING_EVENT_LABELS.items():
        EVENT_LABELS.setdefault(key, label)
    for key, label in ops.OUTGOING_EVENT_LABELS.items():
        ACTION_LABELS.setdefault(key, label)
    app.jinja_env.globals.update(exchange_trail=ops.status_trail, exchange_status_label=status_label)
