"""The JSON API under /api/v1, with its OpenAPI 3 document at /api/v1/openapi.json.

flask-smorest generates the document from the marshmallow schemas. Every error has one
shape, ``{"error": {"code", "message", "field"}}``. A request authenticates with a
personal token (``Authorization: Bearer xs_…``) or with the browser session; a
session-authenticated request that changes something must carry the CSRF token
(``X-CSRFToken``), a token-authenticated one need not (no cookie, no CSRF).
"""

from __future__ import annotations

from flask import Flask

from ..core.discovery import api_blueprints
from .blueprint import api

__all__ = ["api", "init_api"]


def init_api(app: Flask) -> None:
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": __doc__},
            "security": [{"bearerAuth": []}, {"sessionCookie": []}],
            "servers": [{"url": "/"}],
        },
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "xs_… personal token"}
    )
    api.spec.components.security_scheme(
        "sessionCookie", {"type": "apiKey", "in": "cookie", "name": "xaso_session"}
    )
    # Every module's ``api.py`` blueprints (and any other module-level smorest
    # blueprint), found by core.discovery, all under /api/v1.
    for bp in api_blueprints():
        api.register_blueprint(bp, url_prefix="/api/v1")
