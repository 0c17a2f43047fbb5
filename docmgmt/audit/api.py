"""API door for the audit log."""

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields

from ..api.blueprint import api_blueprint
from ..core.permissions import Permission
from ..core.schemas import MAX_INT, Between, Integer, page_size
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
    content_hidden = fields.Boolean(metadata={
        "description": "true: the entry is about something the reader may not open; "
                       "its summary and data are withheld (the stored entry is unchanged)"})


class AuditQuerySchema(Schema):
    limit = page_size(100, 1000)
    before_seq = Integer(load_default=None, validate=Between(1, MAX_INT, _l("Số thứ tự")),
                         metadata={"description": "entries before this seq (the next page)"})


class VerifySchema(Schema):
    intact = fields.Boolean()
    problem = fields.String(allow_none=True)


@bp.route("/audit")
class Audit(MethodView):
    @bp.arguments(AuditQuerySchema, location="query")
    @bp.response(200, AuditEntrySchema(many=True))
    def get(self, args):
        """The newest entries of my organisation's log."""
        return ops.readable_entries(current_user, before_seq=args["before_seq"], limit=args["limit"])


@bp.route("/audit/verify")
class AuditVerify(MethodView):
    @bp.response(200, VerifySchema)
    def get(self):
        """Walk my organisation's chain and name the first broken entry."""
        require(current_user, Permission.VIEW_AUDIT)
        problems = ops.verify(current_user.organisation_id)
        return {"intact": not problems, "problem": str(problems[0]) if problems else None}
