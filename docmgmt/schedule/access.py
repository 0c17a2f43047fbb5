"""Who may read the weekly schedule and act on it, written once.

* Everyone of the commune reads a week once it has been published (its latest published
  version, while a change is being prepared).
* The office (``MANAGE_SCHEDULE``: văn thư, thư ký) drafts and edits; the leaders
  (``CHAIR_MEETINGS``: the chairman, a vice chairman standing in) approve and publish. Both
  read the drafts.
* The rooms catalogue is the administrator's (``MANAGE_ORGANISATION``).
* Another commune's week: never (the rule adds the organisation).

The meetings shown in a week keep their own rule (``meetings.access.VIEW``): the schedule
never shows a meeting to someone the meeting is hidden from (``queries``).

``LIFECYCLE`` is the table of ``workflow`` with the answers to its parts;
``available_actions`` is what the pages and the API's ``actions`` show, so a button is
there exactly when the operation would accept it.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..core.access import AnyOf, Anyone, Is, Not, Perm, Rule, When
from ..core.errors import Conflict
from ..core.permissions import Permission
from ..core.workflow import Lifecycle
from ..org.models import User
from .models import ScheduleWeek
from .workflow import TRANSITIONS, Who

OFFICE = Perm(Permission.MANAGE_SCHEDULE)
APPROVERS = Perm(Permission.CHAIR_MEETINGS)
READ_DRAFTS = AnyOf(OFFICE, APPROVERS)


PUBLISHED_ONCE = Not(Is(ScheduleWeek.version, 0))

VIEW: Rule[ScheduleWeek] = Rule(ScheduleWeek, AnyOf(When(PUBLISHED_ONCE, Anyone()), READ_DRAFTS))


def can_view(user: User, week: ScheduleWeek) -> bool:
    return VIEW.allows(user, week)


def can_read_drafts(user: User) -> bool:
    return bool(user.active and (user.can(Permission.MANAGE_SCHEDULE) or user.can(Permission.CHAIR_MEETINGS)))


def can_edit(user: User) -> bool:
    """The office: drafts the week and changes it."""
    return bool(user.active and user.can(Permission.MANAGE_SCHEDULE))


def can_approve(user: User) -> bool:
    return bool(user.active and user.can(Permission.CHAIR_MEETINGS))


def can_manage_rooms(user: User) -> bool:
    return bool(user.active and user.can(Permission.MANAGE_ORGANISATION))


def is_who(user: User, week: ScheduleWeek, who: object) -> bool:
    if who is Who.OFFICE:
        return can_edit(user)
    if who is Who.APPROVER:
        return can_approve(user)
    raise ValueError(who)


def _wrong_status(week: ScheduleWeek) -> Conflict:
    return Conflict("invalid_state", _("Lịch tuần đang ở trạng thái “%(s)s”, không thể thực hiện thao tác này.",
                                       s=week.status_enum.label))


LIFECYCLE = Lifecycle(TRANSITIONS, state_of=lambda w: w.status_enum, is_who=is_who, refusal=_wrong_status)


def available_actions(user: User, week: ScheduleWeek | None) -> frozenset[str]:
    """What this person may do to the week now. A week not yet opened (no record) may be
    drafted by the office: ``edit``."""
    if week is None:
        return frozenset({"edit"}) if can_edit(user) else frozenset()
    if not can_view(user, week):
        return frozenset()
    return frozenset(LIFECYCLE.available(user, week))
