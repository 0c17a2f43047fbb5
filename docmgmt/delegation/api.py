"""API door for delegations (ủy quyền), under /api/v1/delegations.

Each view parses its input, calls one operation and serialises the result; the
operations decide who may delegate to whom, the dates and every refusal (stable
``code``, Vietnamese ``message``, ``field``).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from ..api.blueprint import api_blueprint
from ..documents.history import event_label
from . import operations as ops
from .models import Delegation
from .schemas import (
    DelegationCreateSchema,
    DelegationDetailSchema,
    DelegationEndSchema,
    DelegationListQuerySchema,
    DelegationOutSchema,
)

bp = api_blueprint(
    "delegations", __name__,
    "Delegations (ủy quyền, NĐ30 Điều 13): a leader away lets another leader direct incoming "
    "documents and/or approve and sign outgoing ones in their name, for a span of days; "
    "every act done under it is recorded as such.",
)


def _out(delegation: Delegation) -> Delegation:
    delegation.actions = ops.available_actions(current_user, delegation)  # type: ignore[attr-defined]
    return delegation


def _detail(delegation: Delegation) -> Delegation:
    acts = []
    for event in ops.acts_under(delegation):
        acts.append({"at": event.at, "direction": event.direction, "document_id": event.document_id,
                     "action": event.action, "action_label": event_label(event.direction, event.action),
                     "actor_id": event.actor_id, "comment": event.comment})
    delegation.acts = acts  # type: ignore[attr-defined]
    return _out(delegation)


@bp.route("/delegations")
class Delegations(MethodView):
    @bp.arguments(DelegationListQuerySchema, location="query")
    @bp.response(200, DelegationOutSchema(many=True))
    def get(self, args):
        """Delegations I may see: given (mine), received (to me), or all (the clerk and the
        leaders see the commune's); newest first."""
        return [_out(d) for d in ops.list_for(current_user, args["role"])]

    @bp.arguments(DelegationCreateSchema)
    @bp.response(201, DelegationDetailSchema)
    @bp.alt_response(403, description="forbidden: only a leader delegates, and only powers they hold")
    @bp.alt_response(409, description="overlap (the same power already delegated for some of those days), "
                     "re_delegation (a delegate may not pass on what they received), delegate_away "
                     "(the delegate has delegated the same power for those days)")
    @bp.alt_response(422, description="required, past_date, too_far, dates_in_order, too_long, invalid_delegate "
                     "(not of the commune), self_delegation, not_a_leader, form_not_allowed")
    def post(self, data):
        """Ủy quyền: let another leader direct incoming documents and/or approve and sign
        outgoing ones in my name, from ``start_date`` to ``end_date`` (Vietnam dates, both
        included)."""
        return _detail(ops.create_delegation(current_user, data))


@bp.route("/delegations/<int:delegation_id>")
class DelegationItem(MethodView):
    @bp.response(200, DelegationDetailSchema)
    def get(self, delegation_id):
        """One delegation, with what was done under it and what I may do (``actions``)."""
        return _detail(ops.get_readable(current_user, delegation_id))


@bp.route("/delegations/<int:delegation_id>/end")
class EndDelegation(MethodView):
    @bp.arguments(DelegationEndSchema)
    @bp.response(200, DelegationDetailSchema)
    @bp.alt_response(403, description="forbidden: only the delegator ends it")
    @bp.alt_response(409, description="invalid_state: it has ended already")
    def post(self, data, delegation_id):
        """Kết thúc sớm: end it now (before its first day: cancel it). Both people are told."""
        delegation = ops.get_readable(current_user, delegation_id)
        return _detail(ops.end_delegation(current_user, delegation, data["reason"]))
