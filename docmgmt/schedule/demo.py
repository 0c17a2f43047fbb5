"""The demo commune's work schedule: the room catalogue; this week's schedule, published
and then changed once (version 2, one row marked "Điều chỉnh"); next week's drafted by the
office and waiting for the chairman's approval.

The rows sit on working days (the commune's holidays skipped) at times that leave the demo
meetings (this morning's or afternoon's briefing, 08:00 or 14:00 for two hours; the
conference two working days on at 08:00) free of clashes.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..core.timeutil import vn_today
from ..documents.calendar import holidays_of, is_working_day
from ..extensions import db
from ..org.models import Organisation, Unit, User
from . import operations as ops
from .models import Room
from .queries import monday_of, week_record
from .schemas import EntrySchema, RoomSchema

ROOMS = [
    # name, place, capacity
    ("Phòng họp tầng 2", "Trụ sở UBND xã, tầng 2", 30),
    ("Hội trường UBND xã", "Trụ sở UBND xã, tầng 1", 150),
    ("Phòng tiếp công dân", "Bộ phận Một cửa, tầng 1", 10),
    ("Phòng họp trực tuyến", "Trụ sở UBND xã, tầng 3", 20),
]

# (weekday 0–6, start, end, title, room or place, chair, leaders besides the chair,
#  attendees text, units attending, preparing unit, notes)
THIS_WEEK = [
    (0, "07:30", "08:00", "Chào cờ đầu tuần", "Hội trường UBND xã", "chutich", ["phochutich.kt", "phochutich.vx"],
     "Toàn thể cán bộ, công chức xã", [], "VP", ""),
    (0, "10:15", "11:30", "Làm việc với Phòng Kinh tế về tiến độ giải ngân vốn đầu tư công",
     "Phòng họp tầng 2", "phochutich.kt", [], "", ["KT"], "KT", ""),
    (1, "10:15", "11:30", "Tiếp công dân định kỳ", "Phòng tiếp công dân", "chutich", [],
     "Công chức Tư pháp - Hộ tịch, Địa chính", [], "TTPVHCC", ""),
    (1, "16:15", "17:00", "Kiểm tra công tác chuẩn bị Ngày hội Đại đoàn kết toàn dân tộc tại thôn Bo",
     "Nhà văn hóa thôn Bo", "phochutich.vx", [], "Mặt trận Tổ quốc xã", ["VHXH"], "VHXH", ""),
    (2, "10:15", "11:30", "Làm việc với Đoàn kiểm tra của UBND tỉnh về chuyển đổi số cấp xã",
     "Phòng họp trực tuyến", "chutich", ["phochutich.vx"], "Đoàn kiểm tra của UBND tỉnh", ["VP"], "VP",
     "Văn phòng chuẩn bị báo cáo, máy chiếu"),
    (3, "16:15", "17:00", "Kiểm tra tiến độ thu hoạch lúa mùa và sản xuất vụ đông", "Cánh đồng thôn Mường",
     "phochutich.kt", [], "", ["KT"], "KT", ""),
    (4, "10:15", "11:30", "Họp Ban Chỉ đạo xây dựng nông thôn mới", "Phòng họp tầng 2", "chutich",
     ["phochutich.kt", "phochutich.vx"], "Thành viên Ban Chỉ đạo", ["KT", "VHXH"], "KT", ""),
]
# The change made after publishing: the inspection moves to Thursday morning.
CHANGE = (3, "10:15", "11:30")

NEXT_WEEK = [
    (0, "07:30", "08:00", "Chào cờ đầu tuần", "Hội trường UBND xã", "chutich", ["phochutich.kt", "phochutich.vx"],
     "Toàn thể cán bộ, công chức xã", [], "VP", ""),
    (0, "16:15", "17:00", "Giao ban công tác tuần", "Phòng họp tầng 2", "chutich", ["phochutich.kt", "phochutich.vx"],
     "Trưởng các bộ phận chuyên môn", ["KT", "VHXH", "TTPVHCC"], "VP", ""),
    (1, "10:15", "11:30", "Tiếp công dân định kỳ", "Phòng tiếp công dân", "phochutich.vx", [],
     "Công chức Tư pháp - Hộ tịch", [], "TTPVHCC", ""),
    (2, "16:15", "17:00", "Nghe báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo", "Phòng họp tầng 2",
     "phochutich.vx", [], "", ["VHXH"], "VHXH", ""),
    (3, "10:15", "11:30", "Làm việc với các hợp tác xã về tiêu thụ nông sản", "Phòng họp tầng 2",
     "phochutich.kt", [], "Đại diện các hợp tác xã", ["KT"], "KT", ""),
    (4, "10:15", "11:30", "Sơ kết công tác cải cách hành chính", "Hội trường UBND xã", "chutich", [],
     "Trưởng các bộ phận, công chức Một cửa", ["TTPVHCC"], "VP", "Văn phòng chuẩn bị báo cáo sơ kết"),
]


def seed_rooms(org: Organisation) -> None:
    """The room catalogue (the administrator's), in every demo commune."""
    admin = _user(org, "quantri")
    for name, place, capacity in ROOMS:
        ops.create_room(admin, RoomSchema().load({"name": name, "place": place, "capacity": capacity}))


def _user(org: Organisation, username: str) -> User:
    found = db.session.scalar(sa.select(User).where(User.organisation_id == org.id, User.username == username))
    assert found is not None, f"the demo commune has no user {username!r}"
    return found


def _working_days(monday: date, holidays: set[date]) -> dict[int, date]:
    days = (monday + timedelta(days=n) for n in range(5))
    return {d.weekday(): d for d in days if is_working_day(d, holidays)}


def _row(org: Organisation, day: date, row: tuple) -> dict:
    _weekday, start, end, title, where, chair, leaders, attendees, units, preparing, notes = row
    unit_ids = {u.abbreviation: u.id for u in db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org.id))}
    rooms = {r.name: r.id for r in db.session.scalars(sa.select(Room).where(Room.organisation_id == org.id))}
    chair_user = _user(org, chair)
    return {
        "day": day.isoformat(), "start_time": start, "end_time": end, "title": title,
        "room_id": rooms.get(where), "place": "" if where in rooms else where, "chair_id": chair_user.id,
        "leader_ids": [chair_user.id] + [_user(org, u).id for u in leaders], "attendees": attendees,
        "unit_ids": [unit_ids[u] for u in units], "preparing_unit_id": unit_ids[preparing], "notes": notes,
    }


def _fill(org: Organisation, monday: date, rows: list[tuple], holidays: set[date]):
    clerk = _user(org, "vanthu")
    week = ops.open_week(clerk, monday)
    days = _working_days(monday, holidays)
    entries = []
    for row in rows:
        if row[0] in days:
            entries.append((row, ops.add_entry(clerk, week, EntrySchema().load(_row(org, days[row[0]], row)))))
    return week, entries


def seed_schedule(org: Organisation) -> None:
    """This week published (and changed once), next week waiting for approval."""
    if week_record(org.id, monday_of(vn_today())) is not None:
        return
    clerk, chairman = _user(org, "vanthu"), _user(org, "chutich")
    today = vn_today()
    monday = monday_of(today)
    holidays = holidays_of(org.id, today) | holidays_of(org.id, monday + timedelta(days=7))
    week, entries = _fill(org, monday, THIS_WEEK, holidays)
    ops.submit(clerk, week)
    ops.publish(chairman, week)
    # A change after publishing: the field inspection moves to Thursday morning.
    moved = next((e for row, e in entries if row[3].startswith("Kiểm tra tiến độ thu hoạch")), None)
    days = _working_days(monday, holidays)
    if moved is not None and CHANGE[0] in days:
        ops.revise(clerk, week)
        data = _row(org, days[CHANGE[0]], next(r for r in THIS_WEEK if r[3] == moved.title))
        data.update(start_time=CHANGE[1], end_time=CHANGE[2])
        ops.update_entry(clerk, moved, EntrySchema().load(data))
        ops.submit(clerk, week)
        ops.publish(chairman, week)
    following, _entries = _fill(org, monday + timedelta(days=7), NEXT_WEEK, holidays)
    ops.submit(clerk, following)
