"""API door for personal tokens."""

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..api.blueprint import api_blueprint
from ..core.schemas import Between, Integer, Text
from . import operations as ops

bp = api_blueprint("tokens", __name__, "Personal API tokens of the signed-in user.")


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(required=True, validate=validate.Length(min=1, max=128))
    prefix = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(dump_only=True, allow_none=True)
    expires_at = fields.DateTime(dump_only=True, allow_none=True, metadata={"description": "null: never"})
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)
    days = Integer(load_only=True, allow_none=True, load_default=None,
                   validate=Between(1, 3650, _l("Thời hạn"), _l("ngày")))


class NewTokenSchema(TokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "shown once, never again"})


@bp.route("/tokens")
class Tokens(MethodView):
    @bp.response(200, TokenSchema(many=True))
    def get(self):
        return ops.tokens_of(current_user)

    @bp.arguments(TokenSchema)
    @bp.response(201, NewTokenSchema)
    def post(self, data):
        token, clear = ops.create_token(current_user, data["name"], data.get("days"))
        return {**{k: getattr(token, k) for k in ("id", "name", "prefix", "created_at",
                                                   "expires_at")}, "token": clear}


@bp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @bp.response(204)
    def delete(self, token_id):
        """Revoke a token: it stops working at once."""
        ops.revoke_token(current_user, token_id)
