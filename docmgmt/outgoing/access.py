"""Who may read and act on outgoing documents, written once.

``READ`` opens a draft to its drafter, its signer, every reviewer it was put before,
the head of the drafting unit and everyone whose role reads every document; once issued
(or recalled) also to the people and units it was sent to inside the commune.
Confidential documents are paper-tracking entries, open to those who track paper.
Pages, the API, lists and counts all ask this rule.

``LIFECYCLE`` is the table of ``workflow.TRANSITIONS`` with the answers to its parts.
"""

from __future__ import annotations

from ..core.access import AnyOf, Each, HeadOf, Is, MemberOf, Perm, Person, Rule, When
from ..core.permissions import Permission
from ..core.workflow import Lifecycle
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


def _is_who(user: User, doc: OutgoingDocument, who: object) -> bool:
    if who is Part.DRAFTER:
        return user.id == doc.drafter_id
    if who is Part.REVIEWER:
        step = doc.current_step
        return (step is not None and step.reviewer_id == user.id) or (
            doc.status_enum is Status.APPROVED and user.id == doc.signer_id)
    if who is Part.SIGNER:
        return user.id == doc.signer_id and user.can(Permission.APPROVE_OUTGOING)
    raise ValueError(who)


LIFECYCLE = Lifecycle(TRANSITIONS, state_of=lambda doc: doc.status_enum, is_who=_is_who)
