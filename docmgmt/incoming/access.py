"""Who may read and act on incoming documents, written once.

``READ`` opens a document to everyone whose role reads every document, to every
assignee — past ones too: a person, or a unit while it has not handed the work on to
one of its people — and to the head of an assigned unit, who keeps sight of what they
handed on. Confidential entries (paper only) are open to those who track paper.
Pages, the API, lists, counts, the queue and the search index all ask this rule.

``LIFECYCLE`` is the table of ``workflow.TRANSITIONS`` with the answers to its parts:
the main handler, and the director — a leader who directs; when the document was put
before one leader, that leader, or the leader they delegated direction to while the
delegation runs (``delegation.access.acting_for``).
"""

from __future__ import annotations

from ..core.access import AnyOf, Each, HeadOf, Is, IsNone, MemberOf, Perm, Person, Rule, When
from ..core.permissions import Permission
from ..core.workflow import Lifecycle
from ..delegation.access import acting_for
from ..delegation.models import Delegation
from ..delegation.workflow import Power
from ..documents.types import Confidentiality
from ..org.models import User
from .models import Assignment, IncomingDocument
from .workflow import TRANSITIONS, Part

# An assignment concerns its person, or — while no person of the unit was given it —
# every member of its unit.
CONCERNS = AnyOf(
    Person(Assignment.assignee_user_id),
    When(IsNone(Assignment.assignee_user_id), MemberOf(Assignment.assignee_unit_id)),
)

READ: Rule[IncomingDocument] = Rule(
    IncomingDocument,
    AnyOf(
        Perm(Permission.VIEW_ALL_DOCUMENTS),
        Each(IncomingDocument.assignments, AnyOf(CONCERNS, HeadOf(Assignment.assignee_unit_id))),
    ),
    paper_only=~Is(IncomingDocument.confidentiality, Confidentiality.NONE),
)

_OPEN = IsNone(Assignment.superseded_at)
# Those handling it now: the main handler, and co-handlers (phối hợp).
MAIN_HANDLER = Each(IncomingDocument.assignments,
                    When(_OPEN & Is(Assignment.role, "main") & IsNone(Assignment.done_at), CONCERNS))
HANDLERS = Each(IncomingDocument.assignments, When(_OPEN & Is(Assignment.role, "main", "co"), CONCERNS))


# Who may hand a unit's assignment on to one of its people: the unit's head, or a
# leader who directs.
HANDS_ON = AnyOf(HeadOf(Assignment.assignee_unit_id), Perm(Permission.DIRECT_INCOMING))


def concerns(user: User, assignment: Assignment) -> bool:
    return CONCERNS.allows(user, assignment)


def can_read(user: User, doc: IncomingDocument) -> bool:
    return READ.allows(user, doc)


def acting_director(user: User, doc: IncomingDocument) -> Delegation | None:
    """The delegation under which ``user`` directs this document in the name of the
    leader it was put before (None: it is their own to direct, or not theirs at all)."""
    if doc.is_confidential or doc.submitted_to_id in (None, user.id):
        return None
    return acting_for(user, doc.submitted_to_id, Power.DIRECT)


def _is_director(user: User, doc: IncomingDocument) -> bool:
    if not user.can(Permission.DIRECT_INCOMING):
        return False
    leader = doc.submitted_to
    if leader is None or leader.id == user.id or not leader.active:
        return True  # put before every leader (or before one no longer in office)
    return acting_director(user, doc) is not None


def _is_who(user: User, doc: IncomingDocument, who: object) -> bool:
    if who is Part.MAIN_HANDLER:
        return MAIN_HANDLER.allows(user, doc)
    if who is Part.DIRECTOR:
        return _is_director(user, doc)
    raise ValueError(who)


LIFECYCLE = Lifecycle(TRANSITIONS, state_of=lambda doc: doc.status_enum, is_who=_is_who)
