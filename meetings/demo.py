"""Demo meetings for the demo commune, in office hours on working days: the weekly
briefing in session this morning (or afternoon), a conference invited for later in the
week, one held last week with its votes and conclusions, and one held on paper."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from docmgmt.core.timeutil import VN_TZ
from docmgmt.demo import document_seeder
from docmgmt.documents.calendar import add_working_days, holidays_of, is_working_day
from docmgmt.extensions import db
from docmgmt.org.models import Organisation, User

from . import operations as ops
from .schemas import MeetingSchema


@document_seeder
def seed_meetings(org: Organisation) -> None:
    def user(name: str) -> User:
        found = db.session.scalar(sa.select(User).where(User.organisation_id == org.id, User.username == name))
        assert found is not None, f"the demo commune has no user {name!r}"
        return found

    chair, secretary = user("chutich"), user("thuky")
    members = [user(u).id for u in ("phochutich.kt", "phochutich.vx", "chanhvp", "truongkt", "truongvhxh")]
    guests = [user(u).id for u in ("cv.vp", "giamdoc.hcc")]
    now = datetime.now(VN_TZ).replace(tzinfo=None, second=0, microsecond=0)
    today = now.date()
    holidays = holidays_of(org.id, today)

    def working_day_before(day: date, count: int) -> date:
        while count:
            day -= timedelta(days=1)
            count -= is_working_day(day, holidays)
        return day

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0))

    # Office hours: 07:30–11:30 and 13:30–17:00. The weekly briefing runs this morning (or
    # this afternoon, once the morning is over), whenever the demo is started.
    in_session = at(today, 14 if now.hour >= 14 else 8)
    last_week = working_day_before(today, 5)
    coming = add_working_days(today, 2, holidays)

    def meeting(title: str, starts: datetime, location: str, items: list[tuple[str, str, int]]):
        m = ops.create_meeting(secretary, MeetingSchema().load({
            "title": title, "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "location": location, "chair_id": chair.id, "secretary_id": secretary.id,
            "members": members, "guests": guests}))
        for text, presenter, minutes in items:
            ops.add_item(secretary, m, text, user(presenter).id, minutes)
        return m

    def answer_invitation(m, absent: dict[str, str] | None = None, only: tuple[str, ...] | None = None):
        """The chair and the members say whether they come, as they do on the day."""
        for p in list(m.participants):
            name = p.user.username
            if only is not None and name not in only:
                continue
            reason = (absent or {}).get(name)
            ops.rsvp(p.user, m, "absent" if reason else "attend", reason or "")

    held = meeting(f"Họp đánh giá công tác phòng, chống thiên tai năm {today.year}", at(last_week, 14),
                   "Phòng họp tầng 2, trụ sở UBND xã",
                   [("Báo cáo thiệt hại do mưa lũ và kết quả khắc phục", "phochutich.kt", 20),
                    ("Đề xuất khen thưởng tập thể, cá nhân có thành tích", "chanhvp", 15)])
    ops.transition(secretary, held, "invite")
    answer_invitation(held)
    ops.transition(chair, held, "start")
    for uid in members + [chair.id, secretary.id]:
        ops.check_in(secretary, held, uid)
    vote = ops.open_vote(chair, held, held.items[1].id, "Thông qua danh sách đề nghị khen thưởng")
    for name, choice in (("chutich", 0), ("phochutich.kt", 0), ("phochutich.vx", 0), ("chanhvp", 0),
                         ("truongkt", 2)):
        ops.cast_ballot(user(name), held, vote.id, vote.options[choice].id)
    ops.close_vote(chair, held, vote.id)
    ops.save_conclusion(secretary, held, held.items[0].id,
                        "Giao Phòng Kinh tế rà soát các điểm sạt lở, báo cáo UBND xã trong 10 ngày làm việc.")
    ops.save_conclusion(secretary, held, held.items[1].id, "Thống nhất danh sách đề nghị khen thưởng.")
    ops.transition(chair, held, "end")

    live = meeting("Họp giao ban UBND xã tuần này", in_session, "Phòng họp tầng 2, trụ sở UBND xã",
                   [("Tình hình thực hiện nhiệm vụ kinh tế – xã hội trong tuần", "phochutich.kt", 15),
                    ("Tiến độ chuyển đổi số, thay thế văn bản giấy ở các bộ phận", "chanhvp", 20),
                    ("Công tác chuẩn bị phòng chống rét cho cây trồng, vật nuôi", "truongkt", 10)])
    ops.transition(secretary, live, "invite")
    answer_invitation(live, absent={"truongvhxh": "Đi công tác tại huyện theo lịch của UBND huyện"})
    ops.transition(chair, live, "start")
    for name in ("chutich", "thuky", "phochutich.kt", "chanhvp"):
        ops.check_in(user(name), live)

    later = meeting(f"Hội nghị triển khai Kế hoạch chuyển đổi số năm {today.year + 1}", at(coming, 8),
                    "Hội trường UBND xã",
                    [("Quán triệt Kế hoạch chuyển đổi số của tỉnh", "phochutich.vx", 30),
                     ("Phân công nhiệm vụ các bộ phận", "chanhvp", 20)])
    ops.transition(secretary, later, "invite")
    answer_invitation(later, only=("chutich", "phochutich.vx", "chanhvp"))

    # The one held on paper: called while the network was down, minutes written by hand.
    on_paper = meeting("Họp Ban Chỉ đạo phòng, chống dịch bệnh gia súc", at(working_day_before(today, 8), 9),
                       "Hội trường UBND xã",
                       [("Tình hình dịch bệnh trên đàn gia súc", "truongkt", 20),
                        ("Phân công tiêm phòng theo thôn", "phochutich.kt", 15)])
    ops.transition(secretary, on_paper, "invite")
    answer_invitation(on_paper)
    ops.record_on_paper(secretary, on_paper,
                        "Họp trực tiếp tại hội trường do mất kết nối mạng; tài liệu in giấy, biên bản viết tay "
                        "do thư ký lưu. Thống nhất tổ chức tiêm phòng đợt bổ sung trong tuần.")
