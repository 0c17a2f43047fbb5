"""Reading the weekly schedule: the week as one person reads it, their own week, a room's
week, the versions published, and the clashes.

One shape for every row, :class:`Item`, whether it is an entry the office typed, a meeting
scheduled in the product, or a row of a published version (``ScheduleVersion.items`` holds
``Item.as_dict()``): pages, exports, the iCalendar feed and the API render that one shape.

Which state of the week a person reads (:func:`week_of`):

* a week being drafted or changed (draft, submitted): the office and the leaders read the
  draft as it is now; everyone else the latest published version, if any;
* a published week: everyone reads the latest published version;
* ``version=N``: that version, exactly as published.

The meetings are read when the week is shown, never copied into entries, so nothing can
drift: the meetings announced (invited, in session, held) whose start falls in the week.
The latest published version shows its entries as published and the meetings as they are
now — one added or moved since is marked changed ("Điều chỉnh"), one cancelled or moved
out of the week is marked cancelled. A meeting is shown only to those who may see it
(``meetings.access.VIEW``): the schedule never widens a meeting's own rule. Clashes are
those among the rows the person is shown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from meetings.access import VIEW as MEETING_VIEW
from meetings.models import Meeting
from meetings.workflow import Status as MeetingStatus

from ..core.errors import not_found
from ..core.permissions import Permission, Role
from ..core.text import clean, sorted_people, vn_sort_key
from ..core.timeutil import VN_TZ, to_vn
from ..extensions import db
from ..org.models import Position, User
from .access import VIEW, can_read_drafts
from .models import Room, ScheduleEntry, ScheduleVersion, ScheduleWeek
from .workflow import Status

# An entry without an end time is taken to last this long when looking for clashes.
DEFAULT_MINUTES = 60
# Before noon: the morning column of the grid (sáng), after: the afternoon (chiều).
NOON = time(12, 0)
# The meetings the schedule shows: announced ones. A draft is not announced yet; a
# cancelled one is shown only where a published version had it (marked cancelled).
SHOWN_MEETINGS = (MeetingStatus.INVITED.value, MeetingStatus.LIVE.value, MeetingStatus.ENDED.value)
# Meeting participants who said they will not come are not booked by it.
NOT_COMING = ("absent", "delegate")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_link(monday: date) -> str:
    """The week's page (the link of the schedule's notifications)."""
    return f"/schedule/week/{monday.isoformat()}"


def week_record(organisation_id: int, monday: date) -> ScheduleWeek | None:
    return db.session.scalar(sa.select(ScheduleWeek).where(
        ScheduleWeek.organisation_id == organisation_id, ScheduleWeek.monday == monday_of(monday)))


# --- one row ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One row of the week (Vietnam time)."""

    key: str  # "e:<entry id>" | "m:<meeting id>"
    source: str  # "manual" | "meeting"
    day: date
    start: time
    title: str
    end: time | None = None
    entry_id: int | None = None
    meeting_id: int | None = None
    place: str = ""
    room_id: int | None = None
    chair_id: int | None = None
    chair_name: str = ""
    attendees: str = ""
    participant_ids: tuple[int, ...] = ()
    unit_ids: tuple[int, ...] = ()
    preparing_unit_id: int | None = None
    preparing_unit: str = ""
    leader_ids: tuple[int, ...] = ()
    notes: str = ""
    changed: bool = False  # điều chỉnh: added or changed since the version before
    cancelled: bool = False  # a published meeting cancelled (or moved out of the week) since

    @property
    def people(self) -> frozenset[int]:
        """Who is booked by it: the chair, the people attending, the leaders."""
        ids = {*self.participant_ids, *self.leader_ids}
        if self.chair_id is not None:
            ids.add(self.chair_id)
        return frozenset(ids)

    @property
    def part(self) -> str:
        """"am" (sáng) or "pm" (chiều): the half-day of the grid it is in."""
        return "am" if self.start < NOON else "pm"

    @property
    def minutes(self) -> tuple[int, int]:
        """[start, end) in minutes of the day; no end: ``DEFAULT_MINUTES`` long."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute if self.end else start + DEFAULT_MINUTES
        return start, max(end, start + 1)

    def substance(self) -> tuple:
        """What a reader would call a change: for an entry, any of its fields; for a
        meeting, its day, times, place, title and chair (not who answered the invitation)."""
        if self.source == "meeting":
            return (self.day, self.start, self.end, self.place, self.room_id, self.title, self.chair_id,
                    self.chair_name)
        return tuple(v for k, v in sorted(asdict(self).items()) if k not in ("changed", "cancelled"))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["start"] = self.start.strftime("%H:%M")
        data["end"] = self.end.strftime("%H:%M") if self.end else None
        for name in ("participant_ids", "unit_ids", "leader_ids"):
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["day"] = date.fromisoformat(data["day"])
        values["start"] = time.fromisoformat(data["start"])
        values["end"] = time.fromisoformat(data["end"]) if data.get("end") else None
        for name in ("participant_ids", "unit_ids", "leader_ids"):
            values[name] = tuple(data.get(name) or ())
        return cls(**values)


def _sort_key(item: Item) -> tuple:
    return item.day, item.start, item.end or item.start, vn_sort_key(item.title), item.key


def _names(people: Iterable[User]) -> list[str]:
    return [p.full_name for p in sorted_people(people)]


def _is_leader(user: User) -> bool:
    return bool(user.active and Role.LEADER in user.roles)


def entry_item(entry: ScheduleEntry) -> Item:
    attendees = "; ".join(part for part in (
        entry.attendees,
        ", ".join(u.name for u in sorted(entry.participant_units, key=lambda u: vn_sort_key(u.name))),
        ", ".join(_names(entry.participants)),
    ) if part)
    return Item(
        key=f"e:{entry.id}", source="manual", entry_id=entry.id, day=entry.day, start=entry.start_time,
        end=entry.end_time, place=entry.room.name if entry.room is not None else entry.place,
        room_id=entry.room_id, title=entry.title, chair_id=entry.chair_id,
        chair_name=entry.chair.full_name if entry.chair is not None else entry.chair_text,
        attendees=attendees, participant_ids=tuple(sorted(u.id for u in entry.participants)),
        unit_ids=tuple(sorted(u.id for u in entry.participant_units)),
        preparing_unit_id=entry.preparing_unit_id,
        preparing_unit=entry.preparing_unit.name if entry.preparing_unit is not None else "",
        leader_ids=tuple(sorted(u.id for u in entry.leaders)), notes=entry.notes, changed=entry.changed,
    )


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", clean(text)).casefold()


def room_for_place(rooms: Iterable[Room], place: str) -> Room | None:
    """The room of the catalogue a meeting's place names: its name, alone or followed by
    more detail after a comma ("Phòng họp tầng 2, trụ sở UBND xã")."""
    where = _fold(place)
    for room in sorted(rooms, key=lambda r: -len(r.name)):
        name = _fold(room.name)
        if name and (where == name or where.startswith(name + ",")):
            return room
    return None


def meeting_item(meeting: Meeting, rooms: Iterable[Room] = ()) -> Item:
    starts = to_vn(meeting.starts_at)
    ends = to_vn(meeting.ends_at) if meeting.ends_at is not None else None
    coming = [p.user for p in meeting.participants if p.rsvp not in NOT_COMING]
    room = room_for_place(rooms, meeting.location) if meeting.location else None
    people = {u.id for u in coming}
    leaders = {u.id for u in coming if _is_leader(u)}
    if meeting.chair is not None and _is_leader(meeting.chair):
        leaders.add(meeting.chair_id)
    return Item(
        key=f"m:{meeting.id}", source="meeting", meeting_id=meeting.id, day=starts.date(),
        start=starts.time().replace(second=0, microsecond=0),
        end=ends.time().replace(second=0, microsecond=0) if ends is not None and ends.date() == starts.date()
        else None,
        place=meeting.location or (_("Trực tuyến") if meeting.online_link else ""),
        room_id=room.id if room is not None else None, title=meeting.title, chair_id=meeting.chair_id,
        chair_name=meeting.chair.full_name if meeting.chair is not None else "",
        attendees=", ".join(_names(u for u in coming if u.id != meeting.chair_id)),
        participant_ids=tuple(sorted(people - {meeting.chair_id})), leader_ids=tuple(sorted(leaders)),
        notes=meeting.online_link,
    )


# --- the rows of a week ---------------------------------------------------------------------------

def rooms(organisation_id: int, active_only: bool = True) -> list[Room]:
    query = sa.select(Room).where(Room.organisation_id == organisation_id)
    if active_only:
        query = query.where(Room.active.is_(True))
    return sorted(db.session.scalars(query), key=lambda r: vn_sort_key(r.name))


def _meetings_of(organisation_id: int, monday: date) -> list[Meeting]:
    low = datetime.combine(monday, time(0), VN_TZ)
    high = low + timedelta(days=7)
    return list(db.session.scalars(sa.select(Meeting).where(
        Meeting.organisation_id == organisation_id, Meeting.starts_at >= low, Meeting.starts_at < high,
        Meeting.status.in_(SHOWN_MEETINGS)).order_by(Meeting.starts_at, Meeting.id)))


def meeting_items(organisation_id: int, monday: date) -> list[Item]:
    """The week's announced meetings, as rows (everyone's: filter with :func:`_for_reader`)."""
    catalogue = rooms(organisation_id, active_only=False)
    return [meeting_item(m, catalogue) for m in _meetings_of(organisation_id, monday)]


def live_items(organisation_id: int, monday: date, week: ScheduleWeek | None) -> list[Item]:
    """The week as it is now: the entries and the meetings (everyone's)."""
    entries = [entry_item(e) for e in week.entries] if week is not None else []
    return sorted(entries + meeting_items(organisation_id, monday), key=_sort_key)


@dataclass(frozen=True)
class Diff:
    added: frozenset[str]
    changed: frozenset[str]
    removed: tuple[Item, ...]


def diff(before: list[Item], after: list[Item]) -> Diff:
    """What ``after`` adds, changes and removes against ``before`` (by key)."""
    old = {i.key: i for i in before}
    new = {i.key: i for i in after}
    return Diff(
        added=frozenset(k for k in new if k not in old),
        changed=frozenset(k for k, i in new.items() if k in old and old[k].substance() != i.substance()),
        removed=tuple(i for k, i in old.items() if k not in new),
    )


def marked(items: list[Item], changes: Diff) -> list[Item]:
    """The rows with "Điều chỉnh" set exactly on those added or changed."""
    touched = changes.added | changes.changed
    return [replace(i, changed=i.key in touched) for i in items]


def snapshot(version: ScheduleVersion) -> list[Item]:
    return sorted((Item.from_dict(d) for d in version.items or []), key=_sort_key)


def removed_of(version: ScheduleVersion) -> list[Item]:
    return [Item.from_dict(d) for d in (version.changes or {}).get("removed", [])]


def _current(version: ScheduleVersion, organisation_id: int, monday: date) -> list[Item]:
    """The latest published version with the meetings as they are now."""
    published = snapshot(version)
    now = {i.key: i for i in meeting_items(organisation_id, monday)}
    rows = [i for i in published if i.source == "manual"]
    for item in published:
        if item.source != "meeting":
            continue
        live = now.pop(item.key, None)
        if live is None:
            rows.append(replace(item, cancelled=True, changed=True))
        elif live.substance() != item.substance():
            rows.append(replace(live, changed=True))
        else:
            rows.append(replace(live, changed=item.changed))
    rows += [replace(i, changed=True) for i in now.values()]
    return sorted(rows, key=_sort_key)


def _visible_meetings(user: User, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(MEETING_VIEW.select(user).where(Meeting.id.in_(sorted(ids)))
                                  .with_only_columns(Meeting.id)))


def _for_reader(user: User, items: list[Item]) -> list[Item]:
    """Only the meetings this person may see (their own rule)."""
    shown = _visible_meetings(user, {i.meeting_id for i in items if i.meeting_id is not None})
    return [i for i in items if i.meeting_id is None or i.meeting_id in shown]


# --- clashes -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Clash:
    """A person or a room booked twice at overlapping times: a warning, never a refusal."""

    kind: str  # "person" | "room"
    subject_id: int
    subject_name: str
    keys: tuple[str, str]
    message: str


def _overlap(a: Item, b: Item) -> bool:
    if a.day != b.day:
        return False
    (a0, a1), (b0, b1) = a.minutes, b.minutes
    return a0 < b1 and b0 < a1


def _hhmm(item: Item) -> str:
    return item.start.strftime("%H:%M") + (f"–{item.end.strftime('%H:%M')}" if item.end else "")


def clashes(items: list[Item]) -> list[Clash]:
    """Every pair of rows booking one person or one room at overlapping times."""
    rows = sorted((i for i in items if not i.cancelled), key=_sort_key)
    pairs: list[tuple[str, int, Item, Item]] = []
    by_day: dict[date, list[Item]] = defaultdict(list)
    for item in rows:
        by_day[item.day].append(item)
    for day_rows in by_day.values():
        for n, a in enumerate(day_rows):
            for b in day_rows[n + 1:]:
                if not _overlap(a, b):
                    continue
                pairs += [("person", pid, a, b) for pid in sorted(a.people & b.people)]
                if a.room_id is not None and a.room_id == b.room_id:
                    pairs.append(("room", a.room_id, a, b))
    if not pairs:
        return []
    people = {u.id: u.full_name for u in db.session.scalars(
        sa.select(User).where(User.id.in_(sorted({p[1] for p in pairs if p[0] == "person"}))))}
    room_names = {r.id: r.name for r in db.session.scalars(
        sa.select(Room).where(Room.id.in_(sorted({p[1] for p in pairs if p[0] == "room"}))))}
    found = []
    for kind, subject, a, b in pairs:
        day = a.day.strftime("%d/%m/%Y")
        if kind == "person":
            name = people.get(subject, "")
            message = _("%(name)s có hai lịch trùng giờ ngày %(day)s: “%(a)s” (%(ta)s) và “%(b)s” (%(tb)s).",
                        name=name, day=day, a=a.title, ta=_hhmm(a), b=b.title, tb=_hhmm(b))
        else:
            name = room_names.get(subject, "")
            message = _("%(name)s được xếp hai lịch trùng giờ ngày %(day)s: “%(a)s” (%(ta)s) và "
                        "“%(b)s” (%(tb)s).", name=name, day=day, a=a.title, ta=_hhmm(a), b=b.title, tb=_hhmm(b))
        found.append(Clash(kind, subject, name, (a.key, b.key), message))
    return found


# --- the week as one person reads it ----------------------------------------------------------------

@dataclass
class WeekView:
    organisation_id: int
    monday: date
    week: ScheduleWeek | None
    visible: bool = False  # False: nothing of this week this person may read (yet)
    is_draft: bool = False  # the draft as it is now (office, leaders)
    version: int | None = None  # the published version shown
    items: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)  # removed against the version before
    clashes: list[Clash] = field(default_factory=list)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def status(self) -> Status | None:
        return self.week.status_enum if self.week is not None else None

    @property
    def latest_version(self) -> int:
        return self.week.version if self.week is not None else 0

    @property
    def clashing_keys(self) -> set[str]:
        return {k for c in self.clashes for k in c.keys}

    def days(self) -> list[tuple[date, list[Item]]]:
        """Monday to Sunday, each with its rows (a day without any too)."""
        by_day: dict[date, list[Item]] = defaultdict(list)
        for item in self.items:
            by_day[item.day].append(item)
        return [(d, by_day.get(d, [])) for d in (self.monday + timedelta(days=n) for n in range(7))]

    def by_leader(self, leaders: list[User]) -> dict[tuple[date, str], dict[int | None, list[Item]]]:
        """The grid: (day, "am"|"pm") → leader id → rows; rows of no listed leader under None."""
        columns = {u.id for u in leaders}
        grid: dict[tuple[date, str], dict[int | None, list[Item]]] = {}
        for day, _rows in self.days():
            for part in ("am", "pm"):
                grid[(day, part)] = {**{u.id: [] for u in leaders}, None: []}
        for item in self.items:
            cell = grid[(item.day, item.part)]
            mine: list[int | None] = [lid for lid in item.leader_ids if lid in columns]
            for lid in mine or [None]:
                cell[lid].append(item)
        return grid


def _version(week: ScheduleWeek | None, number: int) -> ScheduleVersion:
    version = week.version_of(number) if week is not None else None
    if version is None:
        raise not_found(_("Không có phiên bản này của lịch tuần."))
    return version


def week_of(user: User, monday: date, version: int | None = None, *, published_only: bool = False) -> WeekView:
    """The week as this person reads it (see the module's docstring). ``published_only``:
    never the draft, even for the office and the leaders (the iCalendar feed, the TV)."""
    monday = monday_of(monday)
    org_id = user.organisation_id
    week = week_record(org_id, monday)
    view = WeekView(organisation_id=org_id, monday=monday, week=week)
    if week is not None and not VIEW.allows(user, week):
        week = None  # never published, and this person reads no drafts
        view.week = None
    drafting = week is None or week.status_enum is not Status.PUBLISHED
    if version is not None:
        if week is None or week.version < 1:
            raise not_found(_("Không có phiên bản này của lịch tuần."))
        chosen = _version(week, version)
        view.visible, view.version = True, chosen.number
        view.items, view.removed = snapshot(chosen), removed_of(chosen)
    elif drafting and can_read_drafts(user) and not published_only:
        view.visible, view.is_draft = True, True
        view.items = live_items(org_id, monday, week)
        latest = week.latest if week is not None else None
        if latest is not None:
            changes = diff(snapshot(latest), view.items)
            view.items, view.removed = marked(view.items, changes), list(changes.removed)
        else:
            view.items = [replace(i, changed=False) for i in view.items]
    elif week is not None and week.latest is not None:
        latest = week.latest
        view.visible, view.version = True, latest.number
        view.items, view.removed = _current(latest, org_id, monday), removed_of(latest)
    view.items = _for_reader(user, view.items)
    view.removed = _for_reader(user, view.removed)
    view.clashes = clashes(view.items)
    return view


def _concerns(user: User, item: Item) -> bool:
    return user.id in item.people or (user.unit_id is not None and (
        user.unit_id in item.unit_ids or user.unit_id == item.preparing_unit_id))


def entries_for(user: User, monday: date, *, published_only: bool = False) -> list[Item]:
    """My week: the rows I chair, lead or attend, or that my unit attends or prepares."""
    return [i for i in week_of(user, monday, published_only=published_only).items if _concerns(user, i)]


def room_week(user: User, room: Room, monday: date) -> list[Item]:
    """A room's week: the rows held in it (meetings whose place names it included)."""
    if room.organisation_id != user.organisation_id:
        raise not_found()
    return [i for i in week_of(user, monday).items if i.room_id == room.id]


def published_versions(user: User, week: ScheduleWeek | None) -> list[ScheduleVersion]:
    """The versions published, newest first ([] if none or not for this person)."""
    if week is None or not VIEW.allows(user, week):
        return []
    return sorted(week.versions, key=lambda v: -v.number)


def weeks_for(user: User, limit: int = 20) -> list[ScheduleWeek]:
    """The weeks this person may open, latest first."""
    return list(db.session.scalars(VIEW.select(user).order_by(ScheduleWeek.monday.desc()).limit(limit)))


def leaders_of(organisation_id: int) -> list[User]:
    """The columns of the by-leader grid: the leaders, by position (Chủ tịch first), then name."""
    people = [u for u in db.session.scalars(sa.select(User).where(
        User.organisation_id == organisation_id, User.active.is_(True))) if Role.LEADER in u.roles]
    ranks = {p.id: p.rank for p in db.session.scalars(sa.select(Position).where(
        Position.organisation_id == organisation_id))}
    by_name = {id(u): n for n, u in enumerate(sorted_people(people))}
    return sorted(people, key=lambda u: (ranks.get(u.position_id or 0, 1000), by_name[id(u)]))


def concerned(organisation_id: int, items: Iterable[Item]) -> list[User]:
    """Whom rows concern: their chair, leaders and people, and the members of the units
    attending or preparing them (active people of the commune)."""
    people: set[int] = set()
    units: set[int] = set()
    for item in items:
        people |= item.people
        units |= set(item.unit_ids) | ({item.preparing_unit_id} if item.preparing_unit_id else set())
    if not people and not units:
        return []
    query = sa.select(User).where(User.organisation_id == organisation_id, User.active.is_(True),
                                  sa.or_(User.id.in_(sorted(people)), User.unit_id.in_(sorted(units))))
    found = [u for u in db.session.scalars(query)
             if u.id in people or u.can(Permission.HANDLE_ASSIGNED)]
    return sorted_people(found)

