"""Home-page panels for incoming documents: what waits for the clerk, the leader, the handler."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..core.permissions import Permission, Role
from ..core.timeutil import vn_today
from ..extensions import db
from ..home.waiting import Item, Panel, provider
from ..org.models import User
from . import operations as ops
from .access import READ
from .models import IncomingDocument
from .workflow import Status

LIMIT = 10


def _title(doc: IncomingDocument) -> str:
    if not doc.in_register:  # the commune's own: "Nội bộ", "Việc giao" instead of a số đến
        return f"{doc.arrival_label} — {(doc.subject or doc.sender_name)[:120]}"
    return _("Số đến %(n)s — %(s)s", n=doc.arrival_label, s=(doc.subject or doc.sender_name)[:120])


@provider
def _registered_not_submitted(user: User) -> Panel | None:
    if not user.can(Permission.REGISTER_INCOMING):
        return None
    docs = db.session.scalars(
        READ.select(user).where(
            IncomingDocument.status == Status.REGISTERED.value,
        ).order_by(IncomingDocument.arrival_date, IncomingDocument.arrival_number).limit(LIMIT)
    )
    return Panel(
        "incoming_registered", _("Văn bản đến mới vào sổ chưa trình"), Role.CLERK,
        [Item(_title(d), url_for("incoming.show", document_id=d.id), d.sender_name)
         for d in docs],
        empty_text=_("Không có văn bản nào chờ trình."),
        more_link=url_for("incoming.index", status=Status.REGISTERED.value),
    )


def _awaiting_note(user: User, doc: IncomingDocument) -> str:
    arrived = _("Đến ngày %(d)s", d=doc.arrival_date.strftime("%d/%m/%Y"))
    leader = ops.delegated_from(user, doc)  # put before a leader away who delegated it to me
    return arrived if leader is None else _("Ủy quyền của %(name)s", name=leader.full_name) + " · " + arrived


@provider
def _awaiting_direction(user: User) -> Panel | None:
    if not user.can(Permission.DIRECT_INCOMING):
        return None
    today = vn_today()
    docs = ops.awaiting_direction(user)
    return Panel(
        "incoming_awaiting", _("Chờ chỉ đạo"), Role.LEADER,
        [Item(_title(d), url_for("incoming.show", document_id=d.id), _awaiting_note(user, d),
              urgent=d.urgency != "thuong" or (d.sender_due_date is not None
                                               and d.sender_due_date <= today))
         for d in docs[:LIMIT]],
        empty_text=_("Không có văn bản nào chờ chỉ đạo."),
        more_link=url_for("incoming.awaiting"),
    )


@provider
def _assigned_to_me(user: User) -> Panel | None:
    if not user.can(Permission.HANDLE_ASSIGNED):
        return None
    queue = ops.queue_overview(user)
    overdue = {r.assignment_id for r in queue.overdue}
    soon = {r.assignment_id for r in queue.due_soon}
    first = sorted(queue.new + queue.in_progress, key=lambda r: (r.deadline is None, r.deadline or queue.today))[:LIMIT]
    entries = ops.queue_entries(queue, first)  # only the rows shown are loaded
    items = []
    for e in (entries[r.assignment_id] for r in first if r.assignment_id in entries):
        if e.assignment.id in overdue:
            assert e.deadline is not None  # only an assignment with a deadline is overdue
            note = _("Quá hạn (hạn %(d)s)", d=e.deadline.strftime("%d/%m/%Y"))
        elif e.deadline:
            note = _("Hạn %(d)s", d=e.deadline.strftime("%d/%m/%Y"))
        else:
            note = _("Không có hạn")
        items.append(Item(_title(e.document), url_for("incoming.show", document_id=e.document.id),
                          note, urgent=e.assignment.id in overdue or e.assignment.id in soon))
    return Panel(
        "incoming_assigned", _("Việc được giao"), None, items,
        empty_text=_("Không có việc nào đang chờ bạn."),
        more_link=url_for("incoming.mine"),
    )
