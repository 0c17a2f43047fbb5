"""The JSON API under /api/v1, with its OpenAPI 3 document at /api/v1/openapi.json.

flask-smorest generates the document from the marshmallow schemas. Every error has one
shape, ``{"error": {"code", "message", "field"}}``. A request authenticates with a
personal token (``Authorization: Bearer xs_…``) or with the browser session; a
session-authenticated request that changes something must carry the CSRF token
(``X-CSRFToken``), a token-authenticated one need not (no cookie, no CSRF).
"""

from __future__ import annotations

from flask import Flask, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from ..core.errors import DomainError
from ..extensions import csrf


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable, for programs"})
    message = fields.String(required=True, metadata={"description": "for people, Vietnamese by default"})
    field = fields.String(allow_none=True, metadata={"description": "the input concerned, if any"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class XasoApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        from ..web import http_error_response

        if error.code == 422 and request.path.startswith("/api/"):
            return validation_error_response(error)
        return http_error_response(error)


def validation_error_response(error: HTTPException):
    """webargs' 422 → one error naming the first field at fault."""
    messages = (getattr(error, "data", None) or {}).get("messages", {})
    field, detail = None, ""
    for _location, per_field in messages.items():
        if isinstance(per_field, dict) and per_field:
            field, problems = next(iter(per_field.items()))
            detail = problems[0] if isinstance(problems, list) and problems else str(problems)
            break
    message = (
        _("Dữ liệu không hợp lệ ở trường %(field)s: %(detail)s", field=field, detail=detail)
        if field else _("Dữ liệu gửi lên không hợp lệ.")
    )
    body = {"error": {"code": "validation_error", "message": message, "field": field},
            "details": messages}
    return jsonify(body), 422


api = XasoApi()


def authenticate_api_request():
    """before_request of every API blueprint: who is calling, and may they?"""
    from ..auth.operations import user_for_token

    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        user = user_for_token(auth[7:].strip())
        if user is None:
            raise DomainError(
                "invalid_token", _("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."),
                status=401,
            )
        login_user(user, remember=False, fresh=False)
        g.xaso_token_auth = True
        return None
    if not current_user.is_authenticated:
        raise DomainError("unauthenticated", _("Cần đăng nhập hoặc mã truy cập."), status=401)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    return None


def api_blueprint(name: str, import_name: str, description: str, *, public: bool = False):
    # Prefixed: the web door has blueprints of the same names (files, audit, …).
    bp = SmorestBlueprint(f"api-{name}", import_name, description=description)
    if not public:
        bp.before_request(authenticate_api_request)
    csrf.exempt(bp)  # checked in authenticate_api_request for session-authenticated calls
    return bp


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
    from ..audit.api import bp as audit_bp
    from ..auth.api import bp as auth_bp
    from ..files.api import bp as files_bp
    from ..incoming.api import bp as incoming_bp
    from ..org.api import bp as org_bp
    from ..outgoing.api import bp as outgoing_bp
    from ..outgoing.api import signatures_bp
    from ..searching.api import bp as search_bp

    api.register_blueprint(auth_bp, url_prefix="/api/v1")
    api.register_blueprint(org_bp, url_prefix="/api/v1")
    api.register_blueprint(files_bp, url_prefix="/api/v1")
    api.register_blueprint(audit_bp, url_prefix="/api/v1")
    api.register_blueprint(incoming_bp, url_prefix="/api/v1")
    api.register_blueprint(search_bp, url_prefix="/api/v1")
    api.register_blueprint(outgoing_bp, url_prefix="/api/v1")
    api.register_blueprint(signatures_bp, url_prefix="/api/v1")

