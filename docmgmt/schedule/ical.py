"""A person's schedule as an iCalendar feed (RFC 5545), for the calendar of their phone.

What the feed lists: the *published* entries of the weekly schedule where the person
chairs, leads or attends (``queries.entries_for(..., published_only=True)``: never a draft,
even for the office or a leader, who read drafts on the pages), and the person's meetings
(invited, under way, held; a cancelled one stays as ``STATUS:CANCELLED`` so the phone takes
it off). The window: from ``PAST_WEEKS`` before this week to ``FUTURE_WEEKS`` after it.

Times are Vietnam time with the Asia/Ho_Chi_Minh ``VTIMEZONE`` in the file, so a phone set
to another zone shows them right. Each event keeps its ``UID`` for ever (``e-12.<organ
id>@xaso`` for an entry, ``m-7.<organ id>@xaso`` for a meeting). ``SEQUENCE`` goes up when
what the event says changes: the feed link keeps, per UID, a digest of the event and its
sequence (``ScheduleLink.state``), so a change is counted once whoever made it — an entry
re-published, a meeting moved.

The door (``controllers.feed``) finds the link by its token (``links.resolve``); this
module only reads and writes the calendar.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneStandard

from ..core.timeutil import VN_TZ, to_vn, utcnow
from ..org.models import User

ICAL_MIME = "text/calendar; charset=utf-8"
PAST_WEEKS, FUTURE_WEEKS = 4, 8
DEFAULT_MINUTES = 60  # an entry with no end time lasts an hour on the phone
STATE_LIMIT = 2000  # events whose SEQUENCE a feed link remembers
PRODID = "-//Xa So//Lich cong tac tuan//VI"


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    start: datetime  # aware, Vietnam time
    end: datetime
    location: str = ""
    description: str = ""
    cancelled: bool = False

    def digest(self) -> str:
        """What the event says, condensed: a change of any of it is a new SEQUENCE."""
        text = "\x1f".join([self.summary, self.start.isoformat(), self.end.isoformat(), self.location,
                            self.description, "cancelled" if self.cancelled else ""])
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _uid(kind: str, ident: int, organ_id: str) -> str:
    return f"{kind}-{ident}.{organ_id}@xaso"


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, VN_TZ)


def _lines(*pairs: tuple[str, str]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if value)


def item_event(item, organ_id: str) -> FeedEvent:
    """A manual entry of the schedule (a ``queries.Item``) as an event."""
    start = _local(item.day, item.start)
    end = _local(item.day, item.end) if item.end else start + timedelta(minutes=DEFAULT_MINUTES)
    return FeedEvent(
        uid=_uid("e", item.entry_id, organ_id), summary=item.title, start=start, end=end,
        location=item.place, cancelled=item.cancelled,
        description=_lines(("Chủ trì", item.chair_name), ("Thành phần", item.attendees),
                           ("Đơn vị chuẩn bị", item.preparing_unit), ("Ghi chú", item.notes)))


def meeting_event(meeting, organ_id: str) -> FeedEvent:
    start = to_vn(meeting.starts_at)
    end = to_vn(meeting.ends_at) if meeting.ends_at else start + timedelta(minutes=DEFAULT_MINUTES)
    return FeedEvent(
        uid=_uid("m", meeting.id, organ_id), summary=meeting.title, start=start, end=end,
        location=meeting.location, cancelled=meeting.status == "cancelled",
        description=_lines(("Chủ trì", meeting.chair.full_name if meeting.chair else ""),
                           ("Nội dung", meeting.description)))


def events_for(user: User, today: date) -> list[FeedEvent]:
    """The person's published entries and meetings around ``today``."""
    from meetings import operations as meeting_ops

    from . import queries

    organ_id = user.organisation.organ_id
    this_monday = queries.monday_of(today)
    first = this_monday - timedelta(weeks=PAST_WEEKS)
    last = this_monday + timedelta(weeks=FUTURE_WEEKS + 1)
    events: dict[str, FeedEvent] = {}
    monday = first
    while monday < last:
        for item in queries.entries_for(user, monday, published_only=True):
            if item.source == "manual" and item.entry_id is not None:
                event = item_event(item, organ_id)
                events[event.uid] = event
        monday += timedelta(weeks=1)
    for meeting in meeting_ops.meetings_between(user, first, last, mine=True):
        if meeting.status != "draft":  # a meeting not yet announced is not on anyone's phone
            event = meeting_event(meeting, organ_id)
            events[event.uid] = event
    return sorted(events.values(), key=lambda e: (e.start, e.uid))


def sequences(events: list[FeedEvent], state: dict) -> tuple[dict[str, int], dict]:
    """The SEQUENCE of each event, and the state to keep: an event whose digest differs
    from the one kept goes one up; a new event starts at 0. An event gone from the window
    is remembered a while (it may come back: a meeting moved), the state kept to the
    ``STATE_LIMIT`` most recently seen events."""
    previous_state = dict(state or {})
    numbers: dict[str, int] = {}
    current: dict[str, list] = {}
    for event in events:
        digest = event.digest()
        previous = previous_state.get(event.uid)
        number = 0 if previous is None else int(previous[1]) + (1 if previous[0] != digest else 0)
        numbers[event.uid] = number
        current[event.uid] = [digest, number]
    gone = [(uid, value) for uid, value in previous_state.items() if uid not in current]
    kept = dict(gone[max(0, len(gone) + len(current) - STATE_LIMIT):])  # the oldest go first
    kept.update(current)
    return numbers, kept


def vietnam_timezone() -> Timezone:
    """Asia/Ho_Chi_Minh as a VTIMEZONE: UTC+7 all year, no daylight saving, since 1975 —
    one STANDARD rule that holds for every date a schedule can name."""
    zone = Timezone()
    zone.add("tzid", "Asia/Ho_Chi_Minh")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1975, 6, 13))
    standard.add("tzoffsetfrom", timedelta(hours=7))
    standard.add("tzoffsetto", timedelta(hours=7))
    standard.add("tzname", "ICT")
    zone.add_component(standard)
    return zone


def to_ical(name: str, events: list[FeedEvent], numbers: dict[str, int], now: datetime | None = None) -> bytes:
    now = now or utcnow()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(vietnam_timezone())
    for e in events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", now)
        event.add("sequence", numbers.get(e.uid, 0))
        event.add("summary", e.summary)
        event.add("dtstart", e.start)
        event.add("dtend", e.end)
        if e.location:
            event.add("location", e.location)
        if e.description:
            event.add("description", e.description)
        event.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
