"""Home-page panels for outgoing documents: what waits for the reviewer, the signing
leader, the clerk who issues, and the drafter whose draft came back."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..core.permissions import Permission, Role
from ..home.waiting import Item, Panel, provider
from ..org.models import User
from . import operations as ops
from .models import OutgoingDocument
from .workflow import Status

LIMIT = 10


def _item(doc: OutgoingDocument, note: str) -> Item:
    return Item(f"{doc.type_name} — {doc.subject[:140]}",
                url_for("outgoing.show", document_id=doc.id), note,
                urgent=doc.urgency != "thuong")


def _delegated_note(user: User, doc: OutgoingDocument) -> str:
    drafted = _("Dự thảo của %(n)s", n=doc.drafter.full_name)
    leader = ops.delegated_from(user, doc)  # waiting for a leader away who delegated it to me
    return drafted if leader is None else _("Ủy quyền của %(name)s", name=leader.full_name) + " · " + drafted


@provider
def _to_review(user: User) -> Panel | None:
    if not (user.can(Permission.REVIEW_UNIT_DRAFTS) or user.can(Permission.APPROVE_OUTGOING)):
        return None
    docs = ops.to_review(user)
    return Panel(
        "outgoing_review", _("Chờ tôi duyệt"),
        Role.LEADER if user.can(Permission.APPROVE_OUTGOING) else Role.HEAD_OF_UNIT,
        [_item(d, _delegated_note(user, d)) for d in docs[:LIMIT]],
        empty_text=_("Không có dự thảo nào chờ bạn duyệt."),
        more_link=url_for("outgoing.review"),
    )


@provider
def _to_sign(user: User) -> Panel | None:
    if not user.can(Permission.APPROVE_OUTGOING):
        return None
    docs = ops.to_sign(user)
    return Panel(
        "outgoing_sign", _("Chờ ký"), Role.LEADER,
        [_item(d, _delegated_note(user, d)) for d in docs[:LIMIT]],
        empty_text=_("Không có văn bản nào chờ bạn ký."),
        more_link=url_for("outgoing.to_sign"),
    )


@provider
def _to_issue(user: User) -> Panel | None:
    if not user.can(Permission.ISSUE_OUTGOING):
        return None
    docs = ops.to_issue(user)
    return Panel(
        "outgoing_issue", _("Chờ phát hành"), Role.CLERK,
        [_item(d, _("Đã ký: %(n)s", n=d.signer.full_name if d.signer else "")) for d in docs[:LIMIT]],
        empty_text=_("Không có văn bản nào chờ cấp số, phát hành."),
        more_link=url_for("outgoing.to_issue"),
    )


@provider
def _returned_drafts(user: User) -> Panel | None:
    """Only when something came back: everyone may draft, few have a draft returned."""
    if not user.can(Permission.DRAFT_OUTGOING):
        return None
    docs = [d for d in ops.my_drafts(user) if d.status == Status.RETURNED.value]
    if not docs:
        return None
    items = []
    for d in docs[:LIMIT]:
        step = next((s for s in reversed(d.steps) if s.decision == "returned"), None)
        note = _("%(n)s: %(c)s", n=step.reviewer.full_name, c=step.comment[:120]) if step else ""
        items.append(Item(f"{d.type_name} — {d.subject[:140]}",
                          url_for("outgoing.show", document_id=d.id), note, urgent=True))
    return Panel(
        "outgoing_returned", _("Dự thảo bị trả lại"), None, items,
        more_link=url_for("outgoing.drafts"),
    )
