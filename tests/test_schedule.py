"""The weekly work schedule (lịch công tác tuần), through its operations and queries: the
office drafts next week, the chairman approves and publishes it, a change after publishing
makes the next version with the changed rows marked and the people concerned told, the
week's meetings appear by themselves, clashes are flagged, and each person reads what they
may — another commune never."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from docmgmt.core.errors import DomainError
from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.notifications.models import Notification
from docmgmt.schedule import operations as ops
from docmgmt.schedule import queries
from docmgmt.schedule.models import Room
from docmgmt.schedule.schemas import EntryInput, EntrySchema, RoomSchema
from docmgmt.schedule.workflow import Status
from meetings import operations as meeting_ops
from tests.commune import unit, user

NEXT_MONDAY = queries.monday_of(vn_today()) + timedelta(days=7)


def day(n: int) -> date:
    """Next week's day ``n`` (0: Monday)."""
    return NEXT_MONDAY + timedelta(days=n)


def row(title: str, weekday: int = 0, start: str = "08:00", end: str | None = "09:30", **more) -> EntryInput:
    return EntrySchema().load({"day": day(weekday).isoformat(), "start_time": start, "end_time": end,
                               "title": title, **more})


def refused(code: str, act) -> DomainError:
    with pytest.raises(DomainError) as caught:
        act()
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


def room(name: str) -> Room:
    return db.session.scalar(sa.select(Room).where(Room.name == name,
                                                   Room.organisation_id == user("vanthu").organisation_id))


def a_room(name: str = "Phòng họp tầng 2") -> Room:
    found = room(name)
    return found if found is not None else ops.create_room(user("quantri"), RoomSchema().load({"name": name}))


def notes_of(username: str) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.title).where(
        Notification.user_id == user(username).id).order_by(Notification.id)))


def published(week, by: str = "chutich"):
    ops.submit(user("vanthu"), week)
    return ops.publish(user(by), week)


def titles(view: queries.WeekView) -> list[str]:
    return [i.title for i in view.items]


def a_meeting(title: str, starts: datetime, *, members=("phochutich.kt", "cv.kt1"), chair="chutich",
              location: str = "Phòng họp tầng 2, trụ sở UBND xã", invite: bool = True):
    m = meeting_ops.create_meeting(user("thuky"), meeting_ops.MeetingInput(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2), location=location,
        chair_id=user(chair).id, secretary_id=user("thuky").id, members=[user(u).id for u in members]))
    if invite:
        meeting_ops.transition(user("thuky"), m, "invite")
    return m


# --- the lifecycle ---------------------------------------------------------------------------------

def test_the_office_drafts_next_week_and_the_chairman_publishes_it(ctx):
    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    assert ops.open_week(user("thuky"), NEXT_MONDAY) is week  # one week per commune and Monday
    ops.add_entry(clerk, week, row("Chào cờ đầu tuần", 0, "07:30", "08:00", chair_id=user("chutich").id))
    ops.add_entry(clerk, week, row("Tiếp công dân định kỳ", 1, "14:00", "17:00",
                                   chair_id=user("phochutich.vx").id, preparing_unit_id=unit("TTPVHCC").id))
    assert week.status == Status.DRAFT and week.version == 0
    ops.submit(clerk, week)
    assert week.status == Status.SUBMITTED and week.submitted_by_id == clerk.id
    version = ops.publish(user("chutich"), week)
    assert (week.status, week.version, version.number) == (Status.PUBLISHED, 1, 1)
    assert week.approved_by_id == user("chutich").id and week.published_at is not None
    assert [i["title"] for i in version.items] == ["Chào cờ đầu tuần", "Tiếp công dân định kỳ"]
    view = queries.week_of(user("cv.kt1"), NEXT_MONDAY)
    assert view.visible and view.version == 1 and not view.is_draft
    assert titles(view) == ["Chào cờ đầu tuần", "Tiếp công dân định kỳ"]
    assert [i.chair_name for i in view.items] == ["Bùi Văn Khánh", "Đinh Công Sơn"]
    assert not any(i.changed for i in view.items)  # the first version changes nothing


def test_who_may_do_what_and_in_which_state(ctx):
    clerk, chairman, staff = user("vanthu"), user("chutich"), user("cv.kt1")
    refused("forbidden", lambda: ops.open_week(staff, NEXT_MONDAY))
    refused("forbidden", lambda: ops.open_week(chairman, NEXT_MONDAY))  # leaders approve, the office drafts
    refused("not_monday", lambda: ops.open_week(clerk, day(2)))
    week = ops.open_week(clerk, NEXT_MONDAY)
    entry = ops.add_entry(clerk, week, row("Giao ban"))
    refused("forbidden", lambda: ops.add_entry(chairman, week, row("Thêm")))
    refused("forbidden", lambda: ops.add_entry(user("cv.lacson"), week, row("Xã khác")))
    refused("invalid_state", lambda: ops.publish(chairman, week))  # not submitted
    refused("invalid_state", lambda: ops.revise(clerk, week))
    refused("forbidden", lambda: ops.submit(staff, week))
    ops.submit(clerk, week)
    refused("invalid_state", lambda: ops.update_entry(clerk, entry, row("Sửa khi chờ duyệt")))
    refused("invalid_state", lambda: ops.delete_entry(clerk, entry))
    refused("forbidden", lambda: ops.publish(clerk, week))  # the office does not approve its own week
    refused("forbidden", lambda: ops.publish(staff, week))
    refused("required", lambda: ops.return_week(chairman, week, "  "))
    ops.publish(user("phochutich.kt"), week)  # a vice chairman may stand in
    refused("invalid_state", lambda: ops.add_entry(clerk, week, row("Sau khi ban hành")))
    refused("forbidden", lambda: ops.revise(chairman, week))
    ops.revise(clerk, week)
    assert week.status == Status.DRAFT and week.version == 1


def test_every_refusal_of_a_row_names_its_field(ctx):
    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    lac_son_person = user("cv.lacson")
    old_room = a_room("Phòng họp cũ")
    ops.update_room(user("quantri"), old_room, RoomSchema().load({"name": "Phòng họp cũ", "active": False}))
    cases = [
        ("required", "title", row("  ")),
        ("day_outside_week", "day", EntrySchema().load({"day": (NEXT_MONDAY - timedelta(days=1)).isoformat(),
                                                        "start_time": "08:00", "title": "Chủ nhật trước"})),
        ("end_before_start", "end_time", row("Ngược giờ", start="10:00", end="09:00")),
        ("invalid_person", "chair_id", row("Người xã khác chủ trì", chair_id=lac_son_person.id)),
        ("invalid_person", "participant_ids", row("Người xã khác dự", participant_ids=[lac_son_person.id])),
        ("invalid_unit", "unit_ids", row("Đơn vị xã khác", unit_ids=[lac_son_person.unit_id])),
        ("not_a_leader", "leader_ids", row("Cột lãnh đạo sai", leader_ids=[user("cv.kt1").id])),
        ("room_inactive", "room_id", row("Phòng không dùng", room_id=old_room.id)),
    ]
    for code, field, data in cases:
        error = refused(code, lambda data=data: ops.add_entry(clerk, week, data))
        assert error.field == field, (code, error.field)
    assert week.entries == []


def test_the_chairman_sends_a_week_back_with_the_reason(ctx):
    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    ops.add_entry(clerk, week, row("Họp Thường trực"))
    ops.submit(clerk, week)
    assert any("chờ duyệt" in t for t in notes_of("chutich"))
    assert any("chờ duyệt" in t for t in notes_of("phochutich.vx"))
    assert not any("chờ duyệt" in t for t in notes_of("cv.kt1"))
    ops.return_week(user("chutich"), week, "Bổ sung lịch tiếp công dân thứ Ba")
    assert week.status == Status.DRAFT and week.return_note == "Bổ sung lịch tiếp công dân thứ Ba"
    assert notes_of("vanthu")[-1].endswith("Bổ sung lịch tiếp công dân thứ Ba")
    ops.add_entry(clerk, week, row("Tiếp công dân định kỳ", 1))
    ops.submit(clerk, week)
    ops.publish(user("chutich"), week)
    assert week.return_note == ""


# --- a change after publishing -----------------------------------------------------------------------

def test_a_change_after_publishing_makes_version_2_marks_the_rows_and_tells_those_concerned(ctx):
    clerk, chairman = user("vanthu"), user("chutich")
    week = ops.open_week(clerk, NEXT_MONDAY)
    moved = ops.add_entry(clerk, week, row("Kiểm tra thu hoạch lúa mùa", 3, "14:00", "16:00",
                                           chair_id=user("phochutich.kt").id, preparing_unit_id=unit("KT").id))
    dropped = ops.add_entry(clerk, week, row("Dự Ngày hội Đại đoàn kết thôn Bo", 2, "08:00", "11:00",
                                             chair_id=user("phochutich.vx").id))
    kept = ops.add_entry(clerk, week, row("Chào cờ đầu tuần", 0, "07:30", "08:00", chair_id=chairman.id))
    published(week)
    before = {u: len(notes_of(u)) for u in ("phochutich.kt", "cv.kt1", "cv.kt2", "phochutich.vx", "cv.vhxh")}

    ops.revise(clerk, week)
    changed = EntrySchema().load({**{"day": day(4).isoformat(), "start_time": "08:00", "end_time": "10:00",
                                     "title": moved.title, "chair_id": user("phochutich.kt").id,
                                     "preparing_unit_id": unit("KT").id}})
    ops.update_entry(clerk, moved, changed)
    ops.delete_entry(clerk, dropped)
    added = ops.add_entry(clerk, week, row("Tiếp công dân đột xuất", 1, "14:00", "15:00", chair_id=chairman.id))
    # While the change is prepared, the commune keeps reading version 1; the office the draft.
    staff_view = queries.week_of(user("cv.kt1"), NEXT_MONDAY)
    assert staff_view.version == 1 and "Dự Ngày hội Đại đoàn kết thôn Bo" in titles(staff_view)
    office_view = queries.week_of(clerk, NEXT_MONDAY)
    assert office_view.is_draft and {i.title for i in office_view.items if i.changed} == {
        "Kiểm tra thu hoạch lúa mùa", "Tiếp công dân đột xuất"}
    assert [i.title for i in office_view.removed] == ["Dự Ngày hội Đại đoàn kết thôn Bo"]

    version = published(week)
    assert version.number == 2 and week.version == 2
    assert version.changes["changed"] == [f"e:{moved.id}"] and version.changes["added"] == [f"e:{added.id}"]
    assert [i["title"] for i in version.changes["removed"]] == ["Dự Ngày hội Đại đoàn kết thôn Bo"]
    assert (moved.changed, added.changed, kept.changed) == (True, True, False)

    view = queries.week_of(user("cv.kt1"), NEXT_MONDAY)
    marks = {i.title: i.changed for i in view.items}
    assert marks == {"Chào cờ đầu tuần": False, "Tiếp công dân đột xuất": True, "Kiểm tra thu hoạch lúa mùa": True}
    assert next(i for i in view.items if i.title == "Kiểm tra thu hoạch lúa mùa").day == day(4)
    assert [i.title for i in view.removed] == ["Dự Ngày hội Đại đoàn kết thôn Bo"]
    # Version 1 is kept as it was published.
    first = queries.week_of(user("cv.kt1"), NEXT_MONDAY, version=1)
    assert "Dự Ngày hội Đại đoàn kết thôn Bo" in titles(first)
    assert next(i for i in first.items if i.title == "Kiểm tra thu hoạch lúa mùa").day == day(3)
    assert [v.number for v in queries.published_versions(user("cv.kt1"), week)] == [2, 1]
    # Told: the moved row's chair and its preparing unit's people; the removed row's chair.
    # Not told: a unit nothing changed for.
    after = {u: len(notes_of(u)) for u in before}
    assert {u for u in after if after[u] > before[u]} == {"phochutich.kt", "cv.kt1", "cv.kt2", "phochutich.vx"}
    assert "điều chỉnh" in notes_of("cv.kt1")[-1]


def test_each_published_version_is_kept_as_it_was(ctx):
    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    entry = ops.add_entry(clerk, week, row("Họp Ban Chỉ đạo nông thôn mới", room_id=a_room().id))
    published(week)
    ops.update_room(user("quantri"), room("Phòng họp tầng 2"), RoomSchema().load({"name": "Phòng họp số 1"}))
    ops.revise(clerk, week)
    ops.delete_entry(clerk, entry)
    published(week)
    first = queries.week_of(user("cv.vhxh"), NEXT_MONDAY, version=1)
    assert [(i.title, i.place) for i in first.items] == [("Họp Ban Chỉ đạo nông thôn mới", "Phòng họp tầng 2")]
    assert queries.week_of(user("cv.vhxh"), NEXT_MONDAY).items == []
    refused("not_found", lambda: queries.week_of(user("cv.vhxh"), NEXT_MONDAY, version=3))


# --- the meetings appear by themselves ------------------------------------------------------------------

def test_the_weeks_meetings_appear_move_and_go_by_themselves(ctx):
    starts = datetime.combine(day(2), time(14, 0))
    meeting = a_meeting("Họp bàn phương án phòng chống rét", starts)
    draft_meeting = a_meeting("Họp chưa gửi giấy mời", datetime.combine(day(1), time(8, 0)), invite=False)
    view = queries.week_of(user("chutich"), NEXT_MONDAY)
    [item] = [i for i in view.items if i.source == "meeting"]
    assert (item.title, item.day, item.start, item.end) == (meeting.title, day(2), time(14), time(16))
    assert item.chair_id == user("chutich").id and item.place == "Phòng họp tầng 2, trụ sở UBND xã"
    assert item.room_id == a_room().id  # the place names a room of the catalogue
    assert set(item.leader_ids) == {user("chutich").id, user("phochutich.kt").id}
    assert draft_meeting.title not in titles(view)  # not announced yet

    data = meeting_ops.MeetingInput(title=meeting.title, starts_at=datetime.combine(day(3), time(8, 0)),
                                    ends_at=datetime.combine(day(3), time(9, 0)), location=meeting.location,
                                    chair_id=meeting.chair_id, secretary_id=meeting.secretary_id,
                                    members=[user("phochutich.kt").id, user("cv.kt1").id])
    meeting_ops.update_meeting(user("thuky"), meeting, data)
    [item] = [i for i in queries.week_of(user("chutich"), NEXT_MONDAY).items if i.source == "meeting"]
    assert (item.day, item.start, item.end) == (day(3), time(8), time(9))
    meeting_ops.transition(user("thuky"), meeting, "cancel")
    assert [i for i in queries.week_of(user("chutich"), NEXT_MONDAY).items if i.source == "meeting"] == []


def test_a_published_week_keeps_its_meetings_and_shows_what_became_of_them(ctx):
    meeting = a_meeting("Họp triển khai tiêm phòng gia súc", datetime.combine(day(1), time(14, 0)))
    week = ops.open_week(user("vanthu"), NEXT_MONDAY)
    version = published(week)
    assert [i["title"] for i in version.items] == ["Họp triển khai tiêm phòng gia súc"]
    # Invited, the staff member reads it in the published week; after it is cancelled, it
    # stays there marked cancelled (and changed); version 1 as published.
    assert [i.cancelled for i in queries.week_of(user("cv.kt1"), NEXT_MONDAY).items] == [False]
    later = a_meeting("Họp bổ sung", datetime.combine(day(4), time(8, 0)))
    meeting_ops.transition(user("thuky"), meeting, "cancel")
    current = queries.week_of(user("cv.kt1"), NEXT_MONDAY)
    assert [(i.title, i.cancelled, i.changed) for i in current.items] == [
        ("Họp triển khai tiêm phòng gia súc", True, True), (later.title, False, True)]
    first = queries.week_of(user("cv.kt1"), NEXT_MONDAY, version=1)
    assert [(i.title, i.cancelled) for i in first.items] == [("Họp triển khai tiêm phòng gia súc", False)]


def test_a_meeting_is_shown_only_to_those_who_may_see_it(ctx):
    a_meeting("Họp Thường trực UBND", datetime.combine(day(1), time(8, 0)), members=("phochutich.kt",))
    week = ops.open_week(user("vanthu"), NEXT_MONDAY)
    ops.add_entry(user("vanthu"), week, row("Chào cờ", 0, "07:30", "08:00"))
    published(week)
    assert titles(queries.week_of(user("phochutich.kt"), NEXT_MONDAY)) == ["Chào cờ", "Họp Thường trực UBND"]
    assert titles(queries.week_of(user("thuky"), NEXT_MONDAY)) == ["Chào cờ", "Họp Thường trực UBND"]  # organiser
    assert titles(queries.week_of(user("cv.kt1"), NEXT_MONDAY)) == ["Chào cờ"]  # not invited


# --- clashes -----------------------------------------------------------------------------------------------

def test_a_person_booked_twice_is_flagged_not_refused(ctx):
    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    first = ops.add_entry(clerk, week, row("Làm việc với Đoàn kiểm tra", 2, "08:00", "10:00",
                                           chair_id=user("chutich").id))
    second = ops.add_entry(clerk, week, row("Tiếp công dân", 2, "09:30", "11:00",
                                            participant_ids=[user("chutich").id]))
    ops.add_entry(clerk, week, row("Ngay sau đó", 2, "11:00", "11:30", chair_id=user("chutich").id))
    ops.add_entry(clerk, week, row("Hôm khác", 3, "09:30", "11:00", chair_id=user("chutich").id))
    [clash] = queries.week_of(clerk, NEXT_MONDAY).clashes
    assert (clash.kind, clash.subject_id, set(clash.keys)) == (
        "person", user("chutich").id, {f"e:{first.id}", f"e:{second.id}"})
    assert clash.message.startswith("Bùi Văn Khánh có hai lịch trùng giờ ngày " + day(2).strftime("%d/%m/%Y"))
    ops.submit(clerk, week)  # a clash is a warning: the week goes on
    ops.publish(user("chutich"), week)


def test_a_row_without_an_end_is_taken_as_an_hour(ctx):
    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    ops.add_entry(clerk, week, row("Họp nhanh", 1, "08:00", None, chair_id=user("phochutich.vx").id))
    ops.add_entry(clerk, week, row("Việc lúc 9 giờ", 1, "09:00", "10:00", chair_id=user("phochutich.vx").id))
    assert queries.week_of(clerk, NEXT_MONDAY).clashes == []
    ops.add_entry(clerk, week, row("Việc lúc 8 giờ 59", 1, "08:59", "09:00", chair_id=user("phochutich.vx").id))
    assert len(queries.week_of(clerk, NEXT_MONDAY).clashes) == 1


def test_a_room_booked_twice_and_a_clash_with_a_meeting(ctx):
    clerk = user("thuky")  # the secretary organises meetings: she sees them all
    hall = a_room("Phòng họp tầng 2")
    week = ops.open_week(clerk, NEXT_MONDAY)
    a = ops.add_entry(clerk, week, row("Tập huấn phần mềm một cửa", 0, "14:00", "16:00", room_id=hall.id,
                                       chair_id=user("giamdoc.hcc").id))
    b = ops.add_entry(clerk, week, row("Họp tổ công nghệ số", 0, "15:00", "16:00", room_id=hall.id,
                                       chair_id=user("chanhvp").id))
    meeting = a_meeting("Họp giao ban tuần", datetime.combine(day(0), time(15, 30)), members=("cv.vp",))
    c = ops.add_entry(clerk, week, row("Tiếp khách huyện", 0, "17:00", "17:30", chair_id=user("chutich").id))
    found = {(x.kind, x.subject_name, frozenset(x.keys)) for x in queries.week_of(clerk, NEXT_MONDAY).clashes}
    m = f"m:{meeting.id}"
    assert found == {
        ("room", "Phòng họp tầng 2", frozenset({f"e:{a.id}", f"e:{b.id}"})),
        ("room", "Phòng họp tầng 2", frozenset({f"e:{a.id}", m})),
        ("room", "Phòng họp tầng 2", frozenset({f"e:{b.id}", m})),
        ("person", "Bùi Văn Khánh", frozenset({f"e:{c.id}", m})),
    }


# --- who reads what ---------------------------------------------------------------------------------------

def test_staff_read_the_published_week_only_and_another_commune_never(ctx):
    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    entry = ops.add_entry(clerk, week, row("Họp chuẩn bị Đại hội"))
    staff, admin, foreign = user("cv.kt1"), user("quantri"), user("cv.lacson")
    for person in (staff, admin, user("truongkt")):
        view = queries.week_of(person, NEXT_MONDAY)
        assert not view.visible and view.items == []
        assert week not in queries.weeks_for(person)
        refused("not_found", lambda person=person: ops.get_entry(person, entry.id))
    assert titles(queries.week_of(user("chutich"), NEXT_MONDAY)) == ["Họp chuẩn bị Đại hội"]  # leaders read drafts
    published(week)
    for person in (staff, admin):
        assert titles(queries.week_of(person, NEXT_MONDAY)) == ["Họp chuẩn bị Đại hội"]
        assert week in queries.weeks_for(person)
        assert ops.get_entry(person, entry.id) is entry
    # Lạc Sơn: the same Monday is its own (empty) week; Kim Bôi's rows and versions never.
    assert not queries.week_of(foreign, NEXT_MONDAY).visible
    assert queries.weeks_for(foreign) == [] and queries.published_versions(foreign, week) == []
    refused("not_found", lambda: ops.get_entry(foreign, entry.id))
    refused("forbidden", lambda: ops.update_entry(staff, entry, row("Sửa")))


def test_my_week_a_rooms_week_and_the_grid_by_leader(ctx):
    clerk = user("vanthu")
    hall = a_room("Hội trường UBND xã")
    week = ops.open_week(clerk, NEXT_MONDAY)
    ops.add_entry(clerk, week, row("Hội nghị tổng kết", 0, "08:00", "11:00", room_id=hall.id,
                                   chair_id=user("chutich").id,
                                   leader_ids=[user("chutich").id, user("phochutich.kt").id]))
    ops.add_entry(clerk, week, row("Rà soát hộ nghèo", 1, "14:00", "16:00", unit_ids=[unit("VHXH").id]))
    ops.add_entry(clerk, week, row("Kiểm tra đồng ruộng", 2, "14:00", "16:00", preparing_unit_id=unit("KT").id,
                                   chair_id=user("phochutich.kt").id))
    ops.add_entry(clerk, week, row("Tập huấn kế toán", 3, "08:00", "10:00", participant_ids=[user("cv.kt1").id]))
    published(week)
    mine = [i.title for i in queries.entries_for(user("cv.kt1"), NEXT_MONDAY)]
    assert mine == ["Kiểm tra đồng ruộng", "Tập huấn kế toán"]  # his unit prepares; he attends
    assert [i.title for i in queries.entries_for(user("cv.vhxh"), NEXT_MONDAY)] == ["Rà soát hộ nghèo"]
    assert [i.title for i in queries.entries_for(user("phochutich.kt"), NEXT_MONDAY)] == [
        "Hội nghị tổng kết", "Kiểm tra đồng ruộng"]
    assert [i.title for i in queries.room_week(user("cv.vhxh"), hall, NEXT_MONDAY)] == ["Hội nghị tổng kết"]
    refused("not_found", lambda: queries.room_week(user("cv.lacson"), hall, NEXT_MONDAY))

    leaders = queries.leaders_of(user("chutich").organisation_id)
    assert [u.username for u in leaders][0] == "chutich" and len(leaders) == 3
    grid = queries.week_of(user("cv.kt1"), NEXT_MONDAY).by_leader(leaders)
    monday_am = grid[(day(0), "am")]
    assert [i.title for i in monday_am[user("chutich").id]] == ["Hội nghị tổng kết"]
    assert [i.title for i in monday_am[user("phochutich.kt").id]] == ["Hội nghị tổng kết"]
    assert monday_am[user("phochutich.vx").id] == []
    # No leader named: the chair, if a leader, is the row's column; else the units' column.
    assert [i.title for i in grid[(day(2), "pm")][user("phochutich.kt").id]] == ["Kiểm tra đồng ruộng"]
    assert [i.title for i in grid[(day(1), "pm")][None]] == ["Rà soát hộ nghèo"]


def test_the_rooms_are_the_administrators(ctx):
    refused("forbidden", lambda: ops.create_room(user("vanthu"), RoomSchema().load({"name": "Phòng mới"})))
    made = ops.create_room(user("quantri"), RoomSchema().load({"name": "Phòng tiếp khách", "capacity": 12}))
    refused("duplicate_room", lambda: ops.create_room(user("quantri"), RoomSchema().load({"name": "phòng tiếp khách"})))
    assert made in queries.rooms(made.organisation_id)
    ops.update_room(user("quantri"), made, RoomSchema().load({"name": "Phòng tiếp khách", "active": False}))
    assert made not in queries.rooms(made.organisation_id)
    refused("not_found", lambda: ops.get_room(user("cv.lacson"), made.id))


def test_the_demo_commune_shows_this_weeks_schedule_changed_once_and_next_week_awaiting_approval(ctx):
    from docmgmt.documents.calendar import holidays_of, is_working_day
    from docmgmt.schedule.demo import THIS_WEEK, seed_schedule

    org = user("vanthu").organisation
    seed_schedule(org)
    seed_schedule(org)  # once only
    this_monday = queries.monday_of(vn_today())
    holidays = holidays_of(org.id, this_monday) | holidays_of(org.id, NEXT_MONDAY)
    expected = [r[3] for r in THIS_WEEK if is_working_day(this_monday + timedelta(days=r[0]), holidays)]
    view = queries.week_of(user("cv.kt1"), this_monday)
    assert view.visible and sorted(titles(view)) == sorted(expected)
    moved = [i for i in view.items if i.changed]
    if is_working_day(this_monday + timedelta(days=3), holidays):
        assert view.version == 2
        assert [i.title for i in moved] == ["Kiểm tra tiến độ thu hoạch lúa mùa và sản xuất vụ đông"]
    columns = {u.id for u in queries.leaders_of(org.id)}
    assert {lid for i in view.items for lid in i.leader_ids} <= columns and view.clashes == []
    following = queries.week_of(user("chutich"), NEXT_MONDAY)
    assert following.status == Status.SUBMITTED and following.items
    assert "publish" in ops.LIFECYCLE.available(user("chutich"), following.week)
    assert not queries.week_of(user("cv.kt1"), NEXT_MONDAY).visible


@pytest.mark.parametrize("state", ["draft", "submitted", "published"])
def test_the_actions_offered_are_exactly_those_the_operations_accept(ctx, state):
    """``actions`` (the pages' buttons, the API's list) against what each person of the
    commune — and one of another — gets when trying each act."""
    from docmgmt.schedule.access import available_actions
    from tests.commune import accepted

    clerk = user("vanthu")
    week = ops.open_week(clerk, NEXT_MONDAY)
    entry = ops.add_entry(clerk, week, row("Giao ban"))
    if state != "draft":
        ops.submit(clerk, week)
    if state == "published":
        ops.publish(user("chutich"), week)
    db.session.flush()
    acts = {
        "edit": lambda person: ops.update_entry(person, entry, row("Giao ban tuần")),
        "submit": lambda person: ops.submit(person, week),
        "return": lambda person: ops.return_week(person, week, "Bổ sung"),
        "publish": lambda person: ops.publish(person, week),
        "revise": lambda person: ops.revise(person, week),
    }
    rules = {"forbidden", "not_found", "invalid_state"}
    for username in ("quantri", "vanthu", "thuky", "chutich", "phochutich.vx", "truongkt", "cv.kt1", "cv.lacson"):
        person = user(username)
        done = {name for name, act in acts.items() if accepted(lambda act=act, person=person: act(person), rules)}
        assert set(available_actions(person, week)) == done, (state, username, done)
