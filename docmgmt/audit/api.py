"""API door for the audit log."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from ..api.blueprint import api_blueprint
from ..core.permissions import Permission
from ..org.operations import require
from . import operations as ops

bp = api_blueprint("audit", __name__, "The append-only, hash-chained audit log.")


class AuditEntrySchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    summary = fields.String()
    data = fields.Dict()
    hash = fields.String()


class AuditQuerySchema(Schema):
    limit = fields.Integer(load_default=100, validate=lambda n: 1 <= n <= 1000)
    before_seq = fields.Integer(load_default=None)


class VerifySchema(Schema):
    intact = fields.Boolean()
    problem = fields.String(allow_none=True)


@bp.route("/audit")
class Audit(MethodView):
    @bp.arguments(AuditQuerySchema, location="query")
    @bp.response(200, AuditEntrySchema(many=True))
    def get(self, args):
        """The newest entries of my organisation's log."""
        return ops.entries(current_user, before_seq=args["before_seq"], limit=args["limit"])


@bp.route("/audit/verify")
class AuditVerify(MethodView):
    @bp.response(200, VerifySchema)
    def get(self):
        """Walk my organisation's chain and name the first broken entry."""
        require(current_user, Permission.VIEW_AUDIT)
        problems = ops.verify(current_user.organisation_id)
        return {"intact": not problems, "problem": str(problems[0]) if problems else None}
