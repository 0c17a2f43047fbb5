"""API door of the exchange: the outbox and receipts of my organisation, and the
per-recipient exchange status of an outgoing document."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from ..api.blueprint import api_blueprint
from ..outgoing import operations as outgoing_ops
from . import operations as ops
from .operations import status_label

bp = api_blueprint(
    "exchange", __name__, "The provincial edXML exchange: outbox, receipts and per-recipient statuses."
)


class OutboxSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    destination = fields.String()
    document_id = fields.String()
    bussiness_doc_type = fields.Integer(allow_none=True)
    status_code = fields.String(allow_none=True)
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    last_error = fields.String()
    signature_algorithm = fields.String()  # "" when sent unsigned
    outgoing_document_id = fields.Integer(allow_none=True)
    incoming_document_id = fields.Integer(allow_none=True)


class ReceiptSchema(Schema):
    id = fields.Integer()
    document_id = fields.String()
    bussiness_doc_type = fields.Integer()
    status_code = fields.String()
    sender_organ_id = fields.String()
    outcome = fields.String()
    incoming_document_id = fields.Integer(allow_none=True)
    outgoing_document_id = fields.Integer(allow_none=True)
    received_at = fields.DateTime()
    signature_state = fields.String()  # unsigned | valid | invalid | unknown
    signature_signer = fields.String()
    signature_reason = fields.String()


class OverviewSchema(Schema):
    pending = fields.Integer()
    outbox = fields.List(fields.Nested(OutboxSchema))
    receipts = fields.List(fields.Nested(ReceiptSchema))


class RecipientStatusSchema(Schema):
    organ_id = fields.String()
    organ_name = fields.String()
    exchange_status = fields.String()
    label = fields.String()
    exchange_updated_at = fields.DateTime(allow_none=True)
    codes = fields.List(fields.String())


@bp.route("/exchange")
class Overview(MethodView):
    @bp.response(200, OverviewSchema)
    def get(self):
        """My organisation's outbox (what we owe the province) and receipts."""
        return ops.overview(current_user)


@bp.route("/exchange/outgoing/<int:document_id>")
class OutgoingStatus(MethodView):
    @bp.response(200, RecipientStatusSchema(many=True))
    def get(self, document_id: int):
        """Where each outside recipient of an outgoing document stands (edXML statuses)."""
        doc = outgoing_ops.get_readable(current_user, document_id)
        return [
            {
                "organ_id": t["recipient"].organ_id,
                "organ_name": t["recipient"].organ_name,
                "exchange_status": t["recipient"].exchange_status,
                "label": status_label(t["recipient"].exchange_status),
                "exchange_updated_at": t["recipient"].exchange_updated_at,
                "codes": [c for c, _at in t["codes"]],
            }
            for t in ops.status_trail(doc)
        ]
