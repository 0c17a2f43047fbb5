"""Who may see a delegation, who may end it, and — asked by the incoming and outgoing
modules on every act and queue — whom a person may act for today.

``READ`` opens a delegation to the two people it concerns and to everyone whose role
reads every document (the leaders, the clerk: they need to know who signs for whom).
Another commune's delegation is "not found" like any record.

``acting_for(user, principal_id, power)`` is the one answer to "may this person act in
that leader's name now": a delegation of that power from that leader to this person,
running today (Vietnam date), not ended early, with both still holding the power's
permission. It is not transitive: a delegate's own delegation never carries what they
received (the operations refuse to give one that would).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..core.access import AnyOf, Perm, Person, Rule
from ..core.permissions import Permission
from ..core.timeutil import vn_today
from ..core.workflow import Lifecycle
from ..extensions import db
from ..org.models import User
from .models import Delegation
from .workflow import TRANSITIONS, Part, Power

READ: Rule[Delegation] = Rule(
    Delegation,
    AnyOf(Person(Delegation.delegator_id), Person(Delegation.delegate_id),
          Perm(Permission.VIEW_ALL_DOCUMENTS)),
)


def can_read(user: User, delegation: Delegation) -> bool:
    return READ.allows(user, delegation)


def _is_who(user: User, delegation: Delegation, who: object) -> bool:
    if who is Part.DELEGATOR:
        return user.id == delegation.delegator_id
    raise ValueError(who)


LIFECYCLE = Lifecycle(TRANSITIONS, state_of=lambda d: d.status, is_who=_is_who)


def _power_column(power: Power):
    return Delegation.direct if power is Power.DIRECT else Delegation.sign


def running_on(day: date) -> sa.ColumnElement[bool]:
    """The SQL condition of a delegation in force that day."""
    return sa.and_(Delegation.ended_at.is_(None), Delegation.start_date <= day, Delegation.end_date >= day)


def received(user: User, power: Power, day: date | None = None) -> list[Delegation]:
    """The delegations of ``power`` this person holds today, oldest first: whose queues
    they see and in whose name they may act."""
    if not user.active or not user.can(power.permission):
        return []
    rows = db.session.scalars(
        sa.select(Delegation).where(
            Delegation.organisation_id == user.organisation_id, Delegation.delegate_id == user.id,
            _power_column(power).is_(True), running_on(day or vn_today()))
        .order_by(Delegation.start_date, Delegation.id))
    return [d for d in rows if d.delegator.active and d.delegator.can(power.permission)]


def acting_for(user: User, principal_id: int | None, power: Power, day: date | None = None) -> Delegation | None:
    """The delegation under which ``user`` may act today in the name of ``principal_id``
    (None: they may not, or it is their own place)."""
    if principal_id is None or principal_id == user.id:
        return None
    return next((d for d in received(user, power, day) if d.delegator_id == principal_id), None)


def delegators_of(user: User, power: Power, day: date | None = None) -> dict[int, Delegation]:
    """Principal id → the delegation, for the queues."""
    return {d.delegator_id: d for d in received(user, power, day)}
