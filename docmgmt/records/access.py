"""Who may read records and act on them, written once.

* ``PLAN_VIEW`` — the year's dossier plan: everyone of the commune once approved (it is
  issued to every unit and person as the basis for filing, Điều 28); while drafted, the
  archive role and the approvers.
* ``READ`` — a dossier: its person responsible and the head of their unit until the
  archive received it, whoever reads every document (the office, the leaders), the
  archive role, and a borrower while an archived dossier is lent to them. Reading a
  dossier never opens a document: the items shown are those the reader may open by the document's own rule
  (:func:`visible_items`), so a dossier never reveals what its reader may not open.
* ``TRANSFER_READ`` — a transfer: the person handing over, the head of their unit, the
  archive role.

``PLAN_LIFECYCLE``, ``DOSSIER_LIFECYCLE`` and ``TRANSFER_LIFECYCLE`` are the tables of
``workflow`` with the answers to their parts; ``available_actions`` is what the pages and
the API's ``actions`` show, so a button is there exactly when the operation would accept it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.access import AnyOf, Anyone, Each, HeadOf, Is, IsNone, Not, Perm, Person, Rule, When
from ..core.errors import Conflict
from ..core.permissions import Permission
from ..core.workflow import Lifecycle
from ..extensions import db
from ..incoming import access as incoming_access
from ..incoming.models import IncomingDocument
from ..org.models import User
from ..outgoing import access as outgoing_access
from ..outgoing.models import OutgoingDocument
from .models import ArchiveTransfer, Dossier, DossierItem, DossierLoan, FilePlan
from .workflow import DOSSIER_TRANSITIONS, PLAN_TRANSITIONS, TRANSFER_TRANSITIONS, DossierStatus, PlanStatus, Who

ARCHIVIST = Perm(Permission.MANAGE_RECORDS)
APPROVERS = Perm(Permission.APPROVE_RECORDS)

PLAN_VIEW: Rule[FilePlan] = Rule(FilePlan, AnyOf(
    When(Is(FilePlan.status, PlanStatus.APPROVED.value), Anyone()), ARCHIVIST, APPROVERS))

# Once received by the archive a dossier is the archive's: its former keeper reads it again
# by borrowing it.
_KEPT = Not(Is(Dossier.status, DossierStatus.ARCHIVED.value))

READ: Rule[Dossier] = Rule(Dossier, AnyOf(
    When(_KEPT, Person(Dossier.responsible_id)),
    When(_KEPT, HeadOf(Dossier.unit_id)),
    Perm(Permission.VIEW_ALL_DOCUMENTS),
    ARCHIVIST,
    Each(Dossier.loans, When(IsNone(DossierLoan.returned_at), Person(DossierLoan.borrower_id))),
))

TRANSFER_READ: Rule[ArchiveTransfer] = Rule(ArchiveTransfer, AnyOf(
    Person(ArchiveTransfer.giver_id), HeadOf(ArchiveTransfer.unit_id), ARCHIVIST))


def can_view_plan(user: User, plan: FilePlan) -> bool:
    return PLAN_VIEW.allows(user, plan)


def can_read(user: User, dossier: Dossier) -> bool:
    return READ.allows(user, dossier)


def is_archivist(user: User) -> bool:
    return bool(user.active and user.can(Permission.MANAGE_RECORDS))


def is_approver(user: User) -> bool:
    return bool(user.active and user.can(Permission.APPROVE_RECORDS))


def may_read_document(user: User, item: DossierItem) -> bool:
    """The filed document's own rule (another file: whoever reads the dossier)."""
    if item.kind == "incoming":
        doc = db.session.get(IncomingDocument, item.incoming_id)
        return doc is not None and incoming_access.READ.allows(user, doc)
    if item.kind == "outgoing":
        out = db.session.get(OutgoingDocument, item.outgoing_id)
        return out is not None and outgoing_access.READ.allows(user, out)
    return can_read(user, item.dossier)


def visible_items(user: User, dossier: Dossier) -> list[DossierItem]:
    """The dossier's items this person may open, in order; the others are not shown
    (nor counted) to them. Two queries, whatever the number of items."""
    if not can_read(user, dossier):
        return []
    items = list(dossier.items)
    readable_in, readable_out = readable_documents(
        user, [i.incoming_id for i in items if i.kind == "incoming"],
        [i.outgoing_id for i in items if i.kind == "outgoing"])
    return [i for i in items
            if (i.kind == "incoming" and i.incoming_id in readable_in)
            or (i.kind == "outgoing" and i.outgoing_id in readable_out)
            or i.kind == "file"]


def readable_documents(user: User, incoming_ids: Any, outgoing_ids: Any) -> tuple[set[int], set[int]]:
    """Of these incoming and outgoing documents, those the person may open, each by its
    own rule: two queries, whatever the number."""
    incoming_ids, outgoing_ids = [i for i in incoming_ids if i], [i for i in outgoing_ids if i]
    readable_in: set[int] = set()
    readable_out: set[int] = set()
    if incoming_ids:
        readable_in = set(db.session.scalars(
            sa.select(IncomingDocument.id).where(incoming_access.READ.clause(user),
                                                 IncomingDocument.id.in_(incoming_ids))))
    if outgoing_ids:
        readable_out = set(db.session.scalars(
            sa.select(OutgoingDocument.id).where(outgoing_access.READ.clause(user),
                                                 OutgoingDocument.id.in_(outgoing_ids))))
    return readable_in, readable_out


def sees_everything(user: User, dossier: Dossier) -> bool:
    """Whether this person sees every item (and so the dossier's real totals)."""
    return len(visible_items(user, dossier)) == len(dossier.items)


# --- lifecycles ------------------------------------------------------------------------------

def _plan_is_who(user: User, plan: FilePlan, who: object) -> bool:
    if who is Who.ARCHIVIST:
        return is_archivist(user)
    if who is Who.APPROVER:
        return is_approver(user)
    raise ValueError(who)


def _dossier_is_who(user: User, dossier: Dossier, who: object) -> bool:
    if who is Who.RESPONSIBLE:
        return dossier.responsible_id == user.id
    if who is Who.ARCHIVIST:
        return is_archivist(user)
    if who is Who.APPROVER:
        return is_approver(user)
    raise ValueError(who)


def _transfer_is_who(user: User, transfer: ArchiveTransfer, who: object) -> bool:
    if who is Who.GIVER:
        return transfer.giver_id == user.id
    if who is Who.ARCHIVIST:
        return is_archivist(user)
    raise ValueError(who)


def _refusal(noun: str):
    def refuse(obj: Any) -> Conflict:
        return Conflict("invalid_state", _("%(noun)s đang ở trạng thái “%(s)s”, không thể thực hiện thao tác này.",
                                           noun=noun, s=obj.status_enum.label))
    return refuse


PLAN_LIFECYCLE = Lifecycle(PLAN_TRANSITIONS, state_of=lambda p: p.status_enum, is_who=_plan_is_who,
                           refusal=lambda p: _refusal(_("Danh mục hồ sơ"))(p))
DOSSIER_LIFECYCLE = Lifecycle(DOSSIER_TRANSITIONS, state_of=lambda d: d.status_enum, is_who=_dossier_is_who,
                              refusal=lambda d: _refusal(_("Hồ sơ"))(d))
TRANSFER_LIFECYCLE = Lifecycle(TRANSFER_TRANSITIONS, state_of=lambda t: t.status_enum, is_who=_transfer_is_who,
                               refusal=lambda t: _refusal(_("Đợt nộp lưu"))(t))


def plan_actions(user: User, plan: FilePlan) -> frozenset[str]:
    if not can_view_plan(user, plan):
        return frozenset()
    return frozenset(PLAN_LIFECYCLE.available(user, plan))


def dossier_actions(user: User, dossier: Dossier) -> frozenset[str]:
    """What this person may do to the dossier now. Lending needs no open loan; taking
    back needs one."""
    if not can_read(user, dossier):
        return frozenset()
    actions = set(DOSSIER_LIFECYCLE.available(user, dossier))
    actions.discard("archive")  # done by receiving its transfer, never on its own
    if dossier.open_loan is None:
        actions.discard("take_back")
    else:
        actions.discard("lend")
    return frozenset(actions)


def transfer_actions(user: User, transfer: ArchiveTransfer) -> frozenset[str]:
    if not TRANSFER_READ.allows(user, transfer):
        return frozenset()
    return frozenset(TRANSFER_LIFECYCLE.available(user, transfer))
