"""The acts of the weekly schedule: every door (pages, API, the demo) calls these.

Each checks who may act and in which state (``access.LIFECYCLE``), changes the week,
records the act in the audit log and, where people must know, notifies them:

* ``submit`` tells the leaders a week waits for approval; ``return_week`` tells the office
  why it came back;
* ``publish`` makes the next version and tells the people concerned — for the first
  version, those its rows concern; for a later one, those concerned by the rows added,
  changed ("Điều chỉnh") or removed — and sends ``signals.schedule_published``.

The meetings of the week are not written here: ``queries`` reads them when the week is
shown, and a publication keeps them in its version.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..audit.operations import readable_through, register_content_check
from ..audit.operations import record as audit
from ..core import signals
from ..core.access import Anyone, Rule, find_scoped, get_scoped
from ..core.errors import Conflict, ValidationFailed, forbidden, not_found
from ..core.permissions import Permission
from ..core.text import clean
from ..core.timeutil import format_date, utcnow
from ..extensions import db
from ..notifications.operations import notify
from ..org.models import Unit, User
from . import queries
from .access import LIFECYCLE, VIEW, can_approve, can_edit, can_manage_rooms
from .models import Room, ScheduleEntry, ScheduleVersion, ScheduleWeek
from .queries import Item, week_link, week_record
from .schemas import EntryInput, RoomInput
from .workflow import Status

ROOMS: Rule[Room] = Rule(Room, Anyone())

register_content_check("schedule_week", readable_through(VIEW))
register_content_check("schedule_room", readable_through(ROOMS))

NOT_FOUND = _l("Không tìm thấy mục lịch công tác.")


# --- finding --------------------------------------------------------------------------------------

def get_entry(actor: User, entry_id: object) -> ScheduleEntry:
    """An entry of a week this person may read; another commune's is "not found"."""
    entry = find_scoped(ScheduleEntry, entry_id, actor)
    if entry is None or not VIEW.allows(actor, entry.week) or (
            entry.week.status_enum is not Status.PUBLISHED and not can_edit(actor) and not can_approve(actor)):
        raise not_found(str(NOT_FOUND))
    return entry


def get_room(actor: User, room_id: object) -> Room:
    return get_scoped(Room, room_id, actor, _("Không tìm thấy phòng."))


# --- the week -------------------------------------------------------------------------------------

def _week_label(week: ScheduleWeek) -> str:
    return f"{format_date(week.monday)} – {format_date(week.sunday)}"


def open_week(actor: User, monday) -> ScheduleWeek:
    """The week starting that Monday, opened as a draft if nobody has yet (the office)."""
    if not can_edit(actor):
        raise forbidden()
    if monday.weekday() != 0:
        raise ValidationFailed("not_monday", _("Tuần làm việc phải bắt đầu từ thứ Hai."), "monday")
    week = week_record(actor.organisation_id, monday)
    if week is not None:
        return week
    try:
        with db.session.begin_nested():
            week = ScheduleWeek(organisation_id=actor.organisation_id, monday=monday,
                                status=Status.DRAFT.value, version=0, created_by_id=actor.id, return_note="")
            db.session.add(week)
            db.session.flush()
    except IntegrityError:  # opened by someone else at the same moment
        week = week_record(actor.organisation_id, monday)
        assert week is not None
        return week
    audit(actor.organisation_id, actor, "schedule.opened", week, _week_label(week))
    return week


def _colleague(actor: User, user_id: int | None, field_name: str) -> User:
    person = find_scoped(User, user_id, actor) if user_id else None
    if person is None or not person.active:
        raise ValidationFailed("invalid_person", _("Hãy chọn người trong cơ quan."), field_name)
    return person


def _unit(actor: User, unit_id: int | None, field_name: str) -> Unit:
    unit = find_scoped(Unit, unit_id, actor) if unit_id else None
    if unit is None or not unit.active:
        raise ValidationFailed("invalid_unit", _("Hãy chọn đơn vị trong cơ quan."), field_name)
    return unit


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _fill(actor: User, week: ScheduleWeek, entry: ScheduleEntry, data: EntryInput) -> None:
    """Check ``data`` and write it to ``entry``: every refusal names its field."""
    title = clean(data.title)
    if not title:
        raise ValidationFailed("required", _("Hãy nhập nội dung công việc."), "title")
    if data.day is None:
        raise ValidationFailed("required", _("Hãy chọn ngày."), "day")
    if not week.monday <= data.day <= week.sunday:
        raise ValidationFailed("day_outside_week", _("Ngày phải trong tuần từ %(a)s đến %(b)s.",
                                                     a=format_date(week.monday), b=format_date(week.sunday)), "day")
    if data.start_time is None:
        raise ValidationFailed("required", _("Hãy nhập giờ bắt đầu."), "start_time")
    start = data.start_time.replace(second=0, microsecond=0)
    end = data.end_time.replace(second=0, microsecond=0) if data.end_time is not None else None
    if end is not None and end <= start:
        raise ValidationFailed("end_before_start", _("Giờ kết thúc phải sau giờ bắt đầu."), "end_time")
    room = None
    if data.room_id is not None:
        room = find_scoped(Room, data.room_id, actor)
        if room is None:
            raise ValidationFailed("invalid_room", _("Hãy chọn phòng trong danh mục của cơ quan."), "room_id")
        if not room.active and room.id != entry.room_id:
            raise ValidationFailed("room_inactive", _("Phòng “%(r)s” không còn sử dụng.", r=room.name), "room_id")
    chair = _colleague(actor, data.chair_id, "chair_id") if data.chair_id is not None else None
    participants = [_colleague(actor, uid, "participant_ids") for uid in _unique(data.participant_ids)]
    units = [_unit(actor, uid, "unit_ids") for uid in _unique(data.unit_ids)]
    preparing = _unit(actor, data.preparing_unit_id, "preparing_unit_id") \
        if data.preparing_unit_id is not None else None
    leaders = [_colleague(actor, uid, "leader_ids") for uid in _unique(data.leader_ids)]
    for leader in leaders:
        if not leader.can(Permission.CHAIR_MEETINGS):
            raise ValidationFailed("not_a_leader", _("%(n)s không phải lãnh đạo UBND.", n=leader.full_name),
                                   "leader_ids")
    if not leaders:  # the row is in the columns of the leaders who chair or attend it
        leaders = [p for p in _unique_people([chair, *participants]) if p.can(Permission.CHAIR_MEETINGS)]
    entry.day, entry.start_time, entry.end_time = data.day, start, end
    entry.room_id = room.id if room is not None else None
    entry.room = room
    entry.place = clean(data.place)
    entry.title = title
    entry.chair_id = chair.id if chair is not None else None
    entry.chair = chair
    entry.chair_text = "" if chair is not None else clean(data.chair_text)
    entry.attendees = clean(data.attendees)
    entry.participants = participants
    entry.participant_units = units
    entry.preparing_unit_id = preparing.id if preparing is not None else None
    entry.preparing_unit = preparing
    entry.leaders = leaders
    entry.notes = clean(data.notes)
    entry.updated_at = utcnow()


def _unique_people(people: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for p in people:
        if p is not None:
            seen.setdefault(p.id, p)
    return list(seen.values())


def add_entry(actor: User, week: ScheduleWeek, data: EntryInput) -> ScheduleEntry:
    LIFECYCLE.check(actor, week, "edit")
    entry = ScheduleEntry(organisation_id=week.organisation_id, created_by_id=actor.id,
                          changed=False, place="", chair_text="", attendees="", notes="")
    _fill(actor, week, entry, data)
    week.entries.append(entry)
    db.session.flush()
    audit(actor.organisation_id, actor, "schedule.entry_added", week, entry.title[:200],
          {"entry_id": entry.id, "day": entry.day.isoformat()})
    return entry


def update_entry(actor: User, entry: ScheduleEntry, data: EntryInput) -> ScheduleEntry:
    LIFECYCLE.check(actor, entry.week, "edit")
    _fill(actor, entry.week, entry, data)
    db.session.flush()
    audit(actor.organisation_id, actor, "schedule.entry_changed", entry.week, entry.title[:200],
          {"entry_id": entry.id, "day": entry.day.isoformat()})
    return entry


def delete_entry(actor: User, entry: ScheduleEntry) -> None:
    week = entry.week
    LIFECYCLE.check(actor, week, "edit")
    audit(actor.organisation_id, actor, "schedule.entry_removed", week, entry.title[:200],
          {"entry_id": entry.id, "day": entry.day.isoformat()})
    week.entries.remove(entry)
    db.session.flush()


# --- the lifecycle ----------------------------------------------------------------------------------

def _approvers(week: ScheduleWeek) -> list[User]:
    people = db.session.scalars(sa.select(User).where(User.organisation_id == week.organisation_id,
                                                      User.active.is_(True)))
    return [u for u in people if u.can(Permission.CHAIR_MEETINGS)]


def submit(actor: User, week: ScheduleWeek) -> ScheduleWeek:
    """Trình duyệt: the office puts the week before the leaders."""
    week.status = LIFECYCLE.check(actor, week, "submit").value
    week.submitted_by_id, week.submitted_at = actor.id, utcnow()
    db.session.flush()
    for leader in _approvers(week):
        if leader.id != actor.id:
            notify(leader, "schedule.submitted",
                   _l("Lịch công tác tuần %(n)s (%(w)s) chờ duyệt", n=week.number, w=_week_label(week)),
                   week_link(week.monday))
    audit(actor.organisation_id, actor, "schedule.submitted", week, _week_label(week))
    return week


def return_week(actor: User, week: ScheduleWeek, note: str) -> ScheduleWeek:
    """Trả lại: the approver sends the week back to the office, saying why."""
    target = LIFECYCLE.check(actor, week, "return")
    note = clean(note)
    if not note:
        raise ValidationFailed("required", _("Hãy ghi lý do trả lại."), "note")
    week.status, week.return_note = target.value, note
    db.session.flush()
    office = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.organisation_id == week.organisation_id, User.active.is_(True))) if can_edit(u)}
    if week.submitted_by_id in office:  # whoever submitted it; else the whole office
        office = {week.submitted_by_id: office[week.submitted_by_id]}
    for person in office.values():
        notify(person, "schedule.returned",
               _l("Lịch công tác tuần %(n)s bị trả lại: %(r)s", n=week.number, r=note[:200]),
               week_link(week.monday))
    audit(actor.organisation_id, actor, "schedule.returned", week, note[:200])
    return week


def publish(actor: User, week: ScheduleWeek) -> ScheduleVersion:
    """Ban hành: the next version, as the week is now (its entries and meetings); the rows
    added or changed since the version before are marked "Điều chỉnh"; the people concerned
    are told."""
    target = LIFECYCLE.check(actor, week, "publish")
    items = queries.live_items(week.organisation_id, week.monday, week)
    previous = week.latest
    before = queries.snapshot(previous) if previous is not None else []
    changes = queries.diff(before, items) if previous is not None else queries.Diff(
        frozenset(), frozenset(), ())
    items = queries.marked(items, changes)
    now = utcnow()
    version = ScheduleVersion(
        organisation_id=week.organisation_id, week=week, number=week.version + 1, published_at=now,
        published_by_id=actor.id, items=[i.as_dict() for i in items],
        changes={"added": sorted(changes.added), "changed": sorted(changes.changed),
                 "removed": [i.as_dict() for i in changes.removed]})
    db.session.add(version)
    week.version = version.number
    week.status = target.value
    week.approved_by_id, week.published_at, week.return_note = actor.id, now, ""
    touched = changes.added | changes.changed
    for entry in week.entries:
        entry.changed = f"e:{entry.id}" in touched
    db.session.flush()
    _tell_concerned(actor, week, version, items, changes)
    audit(actor.organisation_id, actor, "schedule.published", week,
          _("Phiên bản %(v)s, tuần %(w)s", v=version.number, w=_week_label(week)),
          {"version": version.number, "added": len(changes.added), "changed": len(changes.changed),
           "removed": len(changes.removed)})
    signals.schedule_published.send(week, version=version)
    return version


def _tell_concerned(actor: User, week: ScheduleWeek, version: ScheduleVersion, items: list[Item],
                    changes: queries.Diff) -> None:
    """The first version: those its entries concern. A later one: those concerned by the
    entries added, changed or removed. (A meeting's own people hear of it from meetings.)"""
    if version.number == 1:
        rows = [i for i in items if i.source == "manual"]
        title = _l("Lịch công tác tuần %(n)s (%(w)s) đã ban hành", n=week.number, w=_week_label(week))
    else:
        touched = changes.added | changes.changed
        rows = [i for i in items if i.source == "manual" and i.key in touched]
        rows += [i for i in changes.removed if i.source == "manual"]
        title = _l("Lịch công tác tuần %(n)s điều chỉnh (phiên bản %(v)s): có thay đổi liên quan đến bạn",
                   n=week.number, v=version.number)
    for person in queries.concerned(week.organisation_id, rows):
        if person.id != actor.id:
            notify(person, "schedule.published" if version.number == 1 else "schedule.changed",
                   title, week_link(week.monday))


def revise(actor: User, week: ScheduleWeek) -> ScheduleWeek:
    """Điều chỉnh: reopen a published week to change it. Until the next version is
    published, everyone but the office and the leaders keeps reading the current one."""
    week.status = LIFECYCLE.check(actor, week, "revise").value
    db.session.flush()
    audit(actor.organisation_id, actor, "schedule.revised", week, _week_label(week))
    return week


def transition(actor: User, week: ScheduleWeek, action: str, note: str = "") -> ScheduleWeek:
    """submit | return | publish | revise, by name (the pages' and the API's one door)."""
    if action == "submit":
        return submit(actor, week)
    if action == "return":
        return return_week(actor, week, note)
    if action == "publish":
        publish(actor, week)
        return week
    if action == "revise":
        return revise(actor, week)
    raise ValidationFailed("invalid_action", _("Thao tác không hợp lệ."), "action")


# --- the rooms --------------------------------------------------------------------------------------

def _room_fields(actor: User, room: Room, data: RoomInput) -> None:
    name = clean(data.name)
    if not name:
        raise ValidationFailed("required", _("Hãy nhập tên phòng."), "name")
    others = db.session.scalars(sa.select(Room.name).where(Room.organisation_id == actor.organisation_id,
                                                           Room.id != (room.id or 0)))
    if name.casefold() in {n.casefold() for n in others}:
        raise Conflict("duplicate_room", _("Đã có phòng “%(r)s” trong danh mục.", r=name), "name")
    room.name, room.place, room.capacity, room.active = name, clean(data.place), data.capacity, data.active


def create_room(actor: User, data: RoomInput) -> Room:
    if not can_manage_rooms(actor):
        raise forbidden()
    room = Room(organisation_id=actor.organisation_id)
    _room_fields(actor, room, data)
    db.session.add(room)
    db.session.flush()
    audit(actor.organisation_id, actor, "schedule.room_created", room, room.name)
    return room


def update_room(actor: User, room: Room, data: RoomInput) -> Room:
    if not can_manage_rooms(actor) or room.organisation_id != actor.organisation_id:
        raise forbidden()
    _room_fields(actor, room, data)
    db.session.flush()
    audit(actor.organisation_id, actor, "schedule.room_changed", room, room.name)
    return room

