"""Who may read and act on outgoing documents, written once.

``READ`` opens a draft to its drafter, its signer, every reviewer it was put before,
the head of the drafting unit and everyone whose role reads every document; once issued
(or recalled) also to the people and units it was sent to inside the commune.
Confidential documents are paper-tracking entries, open to those who track paper.
Pages, the API, lists and counts all ask this rule.

``LIFECYCLE`` is the table of ``workflow.TRANSITIONS`` with the answers to its parts.
The reviewer of a step and the signer are people; while a leader is away, the leader
they delegated approval and signature to answers for them
(``delegation.access.acting_for``), and the act is recorded in their name.
"""

from __future__ import annotations

from ..core.access import AnyOf, Each, HeadOf, Is, MemberOf, Perm, Person, Rule, When
from ..core.permissions import Permission
from ..core.workflow import Lifecycle
from ..delegation.access import acting_for
from ..delegation.models import Delegation
from ..delegation.workflow import Power
from ..documents.types import Confidentiality
from ..org.models import User
from .models import OutgoingDocument, Recipient, ReviewStep
from .workflow import TRANSITIONS, Part, Status

READ: Rule[OutgoingDocument] = Rule(
    OutgoingDocument,
    AnyOf(
        Perm(Permission.VIEW_ALL_DOCUMENTS),
        Person(OutgoingDocument.drafter_id),
        Person(OutgoingDocument.signer_id),
        Each(OutgoingDocument.steps, Person(ReviewStep.reviewer_id)),
        HeadOf(OutgoingDocument.drafting_unit_id),
        When(Is(OutgoingDocument.status, Status.ISSUED, Status.RECALLED),
             Each(OutgoingDocument.recipients, AnyOf(
                 When(Is(Recipient.kind, "user"), Person(Recipient.user_id)),
                 When(Is(Recipient.kind, "unit"), MemberOf(Recipient.unit_id)),
             ))),
    ),
    paper_only=~Is(OutgoingDocument.confidentiality, Confidentiality.NONE),
)


def can_read(user: User, doc: OutgoingDocument) -> bool:
    return READ.allows(user, doc)


def reviewer_id(doc: OutgoingDocument) -> int | None:
    """Whose turn it is to approve or return: the current step's reviewer; once approved,
    the signer."""
    step = doc.current_step
    if step is not None:
        return step.reviewer_id
    return doc.signer_id if doc.status_enum is Status.APPROVED else None


def _acting(user: User, doc: OutgoingDocument, principal_id: int | None) -> Delegation | None:
    if doc.is_confidential or principal_id in (None, user.id):
        return None
    return acting_for(user, principal_id, Power.SIGN)


def acting_reviewer(user: User, doc: OutgoingDocument) -> Delegation | None:
    """The delegation under which ``user`` approves or returns in the reviewer's name."""
    return _acting(user, doc, reviewer_id(doc))


def acting_signer(user: User, doc: OutgoingDocument) -> Delegation | None:
    """The delegation under which ``user`` signs in the signer's name."""
    return _acting(user, doc, doc.signer_id)


def _is_who(user: User, doc: OutgoingDocument, who: object) -> bool:
    if who is Part.DRAFTER:
        return user.id == doc.drafter_id
    if who is Part.REVIEWER:
        reviewer = reviewer_id(doc)
        return reviewer is not None and (reviewer == user.id or acting_reviewer(user, doc) is not None)
    if who is Part.SIGNER:
        return (user.id == doc.signer_id and user.can(Permission.APPROVE_OUTGOING)) or \
            acting_signer(user, doc) is not None
    raise ValueError(who)


LIFECYCLE = Lifecycle(TRANSITIONS, state_of=lambda doc: doc.status_enum, is_who=_is_who)
