"""The home page's delegation panel: the delegations in force (or about to be) that a
person gave or received. Shown only when there is one; the delegated documents
themselves appear in the usual queues, marked "Ủy quyền của …"."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from ..core.timeutil import format_date, vn_today
from ..extensions import db
from ..home.waiting import Item, Panel, provider
from ..org.models import User
from .access import READ
from .models import Delegation


@provider
def _delegations(user: User) -> Panel | None:
    today = vn_today()
    current = list(db.session.scalars(READ.select(user).where(
        sa.or_(Delegation.delegator_id == user.id, Delegation.delegate_id == user.id),
        Delegation.ended_at.is_(None), Delegation.end_date >= today)
        .order_by(Delegation.start_date, Delegation.id).limit(10)))
    if not current:
        return None
    items = []
    for d in current:
        running = d.runs_on(today)
        if d.delegate_id == user.id:
            title = _("Ủy quyền của %(name)s: %(powers)s", name=d.delegator.full_name, powers=d.powers_label)
        else:
            title = _("Bạn ủy quyền cho %(name)s: %(powers)s", name=d.delegate.full_name, powers=d.powers_label)
        note = (_("Đến hết %(end)s", end=format_date(d.end_date)) if running
                else _("Từ %(start)s đến %(end)s", start=format_date(d.start_date), end=format_date(d.end_date)))
        items.append(Item(title, url_for("delegation.show", delegation_id=d.id), note))
    return Panel("delegations", _("Ủy quyền"), None, items, more_link=url_for("delegation.index"))
