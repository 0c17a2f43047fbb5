"""The API's building blocks, for every module's ``api.py``: the ``api`` object, the
``api_blueprint`` helper, the one error shape and the authentication of each call.

They live apart from ``docmgmt.api`` (which registers the discovered blueprints), so a
module's ``api.py`` imports what it builds on without importing what assembles it.
"""

from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import RAISE, Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..auth.operations import user_for_token
from ..core.errors import DomainError
from ..core.schemas import field_errors
from ..extensions import csrf
from ..web import http_error_response


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable, for programs"})
    message = fields.String(required=True, metadata={"description": "for people, Vietnamese by default"})
    field = fields.String(allow_none=True, metadata={"description": "the input concerned, if any"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)
    details = fields.Dict(
        keys=fields.String(), values=fields.Dict(),
        metadata={"description": "validation_error only: every refusal, by location (json, "
                  "form, query, files) and field; `error` names the first"})


class XasoApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        if error.code == 422 and request.path.startswith("/api/"):
            return validation_error_response(error)
        return http_error_response(error)


# marshmallow's own sentences about the shape of a request, in the caller's language.
_SHAPE_MESSAGES = {
    "Unknown field.": _l("Trường này không có trong yêu cầu."),
    "Invalid input type.": _l("Kiểu dữ liệu không hợp lệ."),
}


def validation_error_response(error: HTTPException):
    """webargs' 422 → one error naming the first field at fault."""
    messages = (getattr(error, "data", None) or {}).get("messages", {})
    field, detail = None, ""
    for _location, per_field in messages.items():
        if isinstance(per_field, dict) and per_field:
            field, problems = next(iter(field_errors(per_field).items()))
            detail = problems[0] if problems else ""
            detail = str(_SHAPE_MESSAGES.get(detail, detail))
            break
    message = (
        _("Dữ liệu không hợp lệ ở trường %(field)s: %(detail)s", field=field, detail=detail)
        if field else _("Dữ liệu gửi lên không hợp lệ.")
    )
    body = {"error": {"code": "validation_error", "message": message, "field": field},
            "details": messages}
    return jsonify(body), 422


api = XasoApi()


class ArgumentsParser(FlaskParser):
    """webargs' parser, except that a multipart upload's parts are all the schema's: the
    ``files`` location sees the form fields too, and a part that is no field of the schema
    (a file or a form field) is refused naming it, rather than silently dropped."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "files": RAISE}

    def load_files(self, req, schema):
        parts = MultiDict(req.files)
        for name, value in req.form.items(multi=True):
            parts.add(name, value)
        return self._makeproxy(parts, schema)


class XasoBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = ArgumentsParser()


def authenticate_api_request():
    """before_request of every API blueprint: who is calling, and may they?"""
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


def parse_body(schema_cls: type[Schema], location: str = "json_or_form", **kwargs):
    """What ``schema_cls`` loads from a JSON body or from multipart form fields (a door
    that takes files beside the fields parses them itself)."""
    return XasoBlueprint.ARGUMENTS_PARSER.parse(schema_cls(), request, location=location, **kwargs)


def api_blueprint(name: str, import_name: str, description: str, *, public: bool = False):
    # Prefixed: the web door has blueprints of the same names (files, audit, …).
    bp = XasoBlueprint(f"api-{name}", import_name, description=description)
    if not public:
        bp.before_request(authenticate_api_request)
    csrf.exempt(bp)  # checked in authenticate_api_request for session-authenticated calls
    return bp
