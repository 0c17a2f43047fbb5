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


# --- written consultations (phiếu lấy ý kiến) ---------------------------------------------------

@document_seeder
def seed_consultations(org: Organisation) -> None:
    """Two written consultations of the committee: one open until two working days from now,
    with the file of a registered document to read and some answers in; one from last week,
    closed with every answer, its tally and the chairman's conclusion."""
    from docmgmt.core.timeutil import utcnow
    from docmgmt.incoming.models import IncomingDocument

    from . import consultations as cops
    from .consultation_schemas import AnswerInput, ConsultationInput

    def user(name: str) -> User:
        found = db.session.scalar(sa.select(User).where(User.organisation_id == org.id, User.username == name))
        assert found is not None, f"the demo commune has no user {name!r}"
        return found

    chair, secretary = user("chutich"), user("thuky")
    today = datetime.now(VN_TZ).date()
    holidays = holidays_of(org.id, today)

    def answer(name: str, c, *choices: tuple[str, str]) -> None:
        cops.answer(user(name), c, [AnswerInput(question_id=q.id, choice=choice, comment=comment)
                                    for q, (choice, comment) in zip(c.questions, choices, strict=False)])

    # Open: the leaders asked (by default), due in two working days at 17:00.
    due = datetime.combine(add_working_days(today, 2, holidays), time(17, 0))
    schools = cops.create(secretary, ConsultationInput(
        title="Về việc phê duyệt danh mục công trình sửa chữa, cải tạo trường học trước năm học mới",
        description="Phòng Kinh tế trình danh mục 05 công trình sửa chữa phòng học, nhà vệ sinh tại các "
                    "điểm trường, tổng kinh phí dự kiến 1,8 tỷ đồng từ nguồn ngân sách xã.",
        deadline=due, chair_id=chair.id,
        questions=["Đồng ý phê duyệt danh mục 05 công trình như Tờ trình của Phòng Kinh tế?",
                   "Đồng ý giao Phòng Kinh tế làm chủ đầu tư, hoàn thành trước ngày khai giảng?"]))
    reference = db.session.scalar(sa.select(IncomingDocument).where(
        IncomingDocument.organisation_id == org.id, IncomingDocument.confidentiality == "thuong",
        IncomingDocument.files.any()).order_by(IncomingDocument.id))
    if reference is not None:  # a leader reads every document, and may attach it
        cops.attach_document(chair, schools, incoming_id=reference.id)
    cops.issue(secretary, schools)
    answer("phochutich.kt", schools, ("agree", ""), ("agree", ""))
    answer("chutich", schools, ("agree", ""), ("other", "Giao Văn phòng phối hợp giám sát chất lượng công trình"))

    # Closed last week: everyone answered; the chairman concluded.
    flood = cops.create(secretary, ConsultationInput(
        title="Về việc thống nhất mức hỗ trợ các hộ bị thiệt hại do mưa lũ",
        deadline=datetime.combine(add_working_days(today, 1, holidays), time(17, 0)), chair_id=chair.id,
        questions=["Đồng ý mức hỗ trợ 5 triệu đồng/hộ có nhà bị hư hỏng nặng?",
                   "Đồng ý trích quỹ dự phòng ngân sách xã để chi hỗ trợ?"]))
    cops.issue(secretary, flood)
    answer("chutich", flood, ("agree", ""), ("agree", ""))
    answer("phochutich.kt", flood, ("agree", ""), ("agree", ""))
    answer("phochutich.vx", flood, ("agree", ""), ("other", "Đề nghị vận động thêm nguồn xã hội hóa"))
    cops.close(chair, flood)
    cops.record_result(chair, flood, "Thống nhất mức hỗ trợ 5 triệu đồng/hộ, chi từ quỹ dự phòng ngân sách xã; "
                                     "giao Văn phòng phối hợp Mặt trận vận động thêm nguồn xã hội hóa.")
    # Demo data only: as it happened last week — issued five working days ago in the morning,
    # everyone had answered two working days later, and the chairman closed it that afternoon.
    issued_day = _working_days_back(today, 5, holidays)
    issued = datetime.combine(issued_day, time(8, 30), VN_TZ)
    closed = datetime.combine(add_working_days(issued_day, 2, holidays), time(14, 30), VN_TZ)
    flood.issued_at, flood.deadline = issued, closed + timedelta(hours=2, minutes=30)
    flood.closed_at = flood.decided_at = min(closed, utcnow())
    for offset, q in enumerate(flood.questions):
        for n, a in enumerate(q.answers):  # one member a day, in the morning
            day = add_working_days(issued_day, n, holidays)
            a.answered_at = datetime.combine(day, time(9, 40 + 5 * offset), VN_TZ)


def _working_days_back(day: date, count: int, holidays: set[date]) -> date:
    """The working day ``count`` working days before ``day``."""
    while count:
        day -= timedelta(days=1)
        count -= is_working_day(day, holidays)
    return day
