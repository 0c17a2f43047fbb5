"""Who may see a meeting and act in it, written once.

``VIEW`` opens a meeting to its participants (members, guests, delegates), its chair
and secretary, and those who organise the commune's meetings; ``MANAGE`` to its chair,
its secretary and the organisers. Pages, lists, the calendars, the room and the
meeting's files all ask these rules.

``LIFECYCLE`` (invite, start, end, cancel) and ``ROOM`` (what may be done in the live
room, and in which states) are the tables of ``workflow`` with the answers to their
parts (``workflow.Who``). ``available_actions`` is what the pages show and ``may`` is
what the room's state snapshot carries, so room.js shows exactly the buttons the
operations accept.
"""

from __future__ import annotations

from flask_babel import gettext as _

from docmgmt.core.access import AnyOf, Each, Is, Perm, Person, Rule, When
from docmgmt.core.errors import Conflict
from docmgmt.core.permissions import Permission
from docmgmt.core.workflow import Lifecycle
from docmgmt.org.models import User

from .consultation_models import Consultation, ConsultationMember
from .models import Meeting, Participant
from .workflow import (
    CONSULTATION_TRANSITIONS,
    EDITABLE,
    LIVE_ACTIONS,
    TRANSITIONS,
    ConsultationStatus,
    ConsultationWho,
    Status,
    Who,
)

ORGANISERS = Perm(Permission.MANAGE_MEETINGS)
RUNNERS = AnyOf(Person(Meeting.chair_id), Person(Meeting.secretary_id))

PARTICIPANTS = Each(Meeting.participants, Person(Participant.user_id))

VIEW: Rule[Meeting] = Rule(Meeting, AnyOf(PARTICIPANTS, RUNNERS, ORGANISERS))
# The room, the meeting's files and "my meetings": the people invited.
ATTEND: Rule[Meeting] = Rule(Meeting, PARTICIPANTS)
MANAGE: Rule[Meeting] = Rule(Meeting, AnyOf(RUNNERS, ORGANISERS))


def can_view(user: User, m: Meeting) -> bool:
    return VIEW.allows(user, m)


def can_manage(user: User, m: Meeting) -> bool:
    return MANAGE.allows(user, m)


def can_schedule(user: User) -> bool:
    """Leaders who chair and the people who organise meetings may schedule them."""
    return user.can(Permission.MANAGE_MEETINGS) or user.can(Permission.CHAIR_MEETINGS)


def is_who(user: User, m: Meeting, who: object) -> bool:
    if user.organisation_id != m.organisation_id:
        return False
    if who is Who.ORGANISER:
        return can_manage(user, m)
    if who is Who.RUNNER:
        return m.runs(user)
    if who is Who.SECRETARY:
        return user.id in (m.secretary_id, m.chair_id)
    if who is Who.PRESENTER:
        current = m.current_item
        return m.runs(user) or (current is not None and current.presenter_id == user.id)
    p = m.participant(user)
    if who is Who.PARTICIPANT:
        return p is not None
    if who is Who.VOTER:
        return p is not None and p.votes
    raise ValueError(who)


def _wrong_status(m: Meeting) -> Conflict:
    return Conflict("wrong_status", _("Không thể làm việc này khi cuộc họp %(s)s.",
                                      s=m.status_enum.label.lower()))


def _not_live(m: Meeting) -> Conflict:
    if m.status_enum is Status.LIVE:
        return _wrong_status(m)
    return Conflict("not_live", _("Cuộc họp chưa bắt đầu hoặc đã kết thúc."))


LIFECYCLE = Lifecycle(TRANSITIONS, state_of=lambda m: m.status_enum, is_who=is_who,
                      refusal=_wrong_status)
ROOM = Lifecycle(LIVE_ACTIONS, state_of=lambda m: m.status_enum, is_who=is_who, refusal=_not_live)


def available_actions(user: User, m: Meeting) -> frozenset[str]:
    """What the meeting page offers this person now: the lifecycle's actions, and
    ``edit`` (details, agenda, participants) while the meeting may still change."""
    if not can_view(user, m):
        return frozenset()
    actions = LIFECYCLE.available(user, m)
    if can_manage(user, m) and m.status_enum in EDITABLE:
        actions.add("edit")
    return frozenset(actions)


# The lifecycle actions the live room offers (to those who run it).
ROOM_LIFECYCLE = ("start", "end")
EVERY_PARTICIPANT, EVERY_VOTER = "participants", "voters"


def room_table(m: Meeting) -> dict[str, list[int] | str]:
    """Who may do each room action now, for the room's broadcasts: the ids of those who
    may, or ``"participants"`` / ``"voters"`` when it is every one of them. The tables
    decide (state and part); only the chair, the secretary and the current presenter
    can hold the other parts, so they are the ones asked."""
    current = m.current_item
    candidates = [u for u in (m.chair, m.secretary, current.presenter if current else None) if u is not None]
    table: dict[str, list[int] | str] = {}
    for lifecycle, actions in ((ROOM, list(ROOM)), (LIFECYCLE, ROOM_LIFECYCLE)):
        for action in actions:
            who = lifecycle[action].who
            if not lifecycle.in_state(m, action):
                table[action] = []
            elif who is Who.PARTICIPANT:
                table[action] = EVERY_PARTICIPANT
            elif who is Who.VOTER:
                table[action] = EVERY_VOTER
            else:
                table[action] = sorted({u.id for u in candidates if lifecycle.is_who(u, m, who)})
    return table


def may(user: User, m: Meeting, table: dict[str, list[int] | str] | None = None) -> list[str]:
    """What this person may do in the live room now (the snapshot's ``may`` set)."""
    p = m.participant(user)
    if p is None:
        return []
    held = {EVERY_PARTICIPANT} | ({EVERY_VOTER} if p.votes else set())
    return sorted(action for action, who in (table or room_table(m)).items()
                  if (who in held if isinstance(who, str) else user.id in who))


# --- Phiếu lấy ý kiến (meetings.consultations) ------------------------------------------------
# Open to the members asked (once it is issued: a draft is the issuer's work), to its
# issuer and its chairman, and to those who organise the commune's meetings; to nobody of
# another commune. Managed (edited, issued, cancelled, drafted) by the issuer, the
# chairman and the organisers.

CONSULTATION_RUNNERS = AnyOf(Person(Consultation.chair_id), Person(Consultation.created_by_id))
CONSULTATION_ASKED = When(~Is(Consultation.status, ConsultationStatus.DRAFT.value),
                          Each(Consultation.members, Person(ConsultationMember.user_id)))

CONSULTATION_VIEW: Rule[Consultation] = Rule(Consultation, AnyOf(CONSULTATION_ASKED, CONSULTATION_RUNNERS,
                                                                 ORGANISERS))
CONSULTATION_MANAGE: Rule[Consultation] = Rule(Consultation, AnyOf(CONSULTATION_RUNNERS, ORGANISERS))
# "Asked me": the lists of consultations awaiting one's answer.
CONSULTATION_ASKS: Rule[Consultation] = Rule(Consultation, CONSULTATION_ASKED)


def consultation_is_who(user: User, c: Consultation, who: object) -> bool:
    if user.organisation_id != c.organisation_id:
        return False
    if who is ConsultationWho.ORGANISER:
        return CONSULTATION_MANAGE.allows(user, c)
    if who is ConsultationWho.RUNNER:
        return c.runs(user)
    if who is ConsultationWho.CHAIR:
        return user.id == c.chair_id
    if who is ConsultationWho.ASKED:
        return c.member(user) is not None
    raise ValueError(who)


def _consultation_wrong_status(c: Consultation) -> Conflict:
    return Conflict("wrong_status", _("Không thể làm việc này khi phiếu lấy ý kiến ở trạng thái “%(s)s”.",
                                      s=c.status_enum.label))


CONSULTATION = Lifecycle(CONSULTATION_TRANSITIONS, state_of=lambda c: c.status_enum,
                         is_who=consultation_is_who, refusal=_consultation_wrong_status)
