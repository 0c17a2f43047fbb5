"""A small meeting of the test commune, built through the domain operations."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from docmgmt.core.timeutil import VN_TZ

MEMBERS = ("phochutich.kt", "phochutich.vx", "chanhvp", "truongkt")
GUESTS = ("cv.vp",)
OUTSIDER = "cv.kt1"  # same commune, not invited


def user(username: str):
    from docmgmt.extensions import db
    from docmgmt.org.models import User

    return db.session.scalar(sa.select(User).where(User.username == username))


def build_meeting(status: str = "live", items: int = 3, title: str = "Họp giao ban UBND xã tháng 11"):
    """Chair chutich, secretary thuky, four voting members, one guest; ``items`` agenda
    items; brought to ``status`` (draft, invited or live). Commits; returns the id."""
    from docmgmt.extensions import db
    from meetings import operations as ops

    chair, secretary = user("chutich"), user("thuky")
    starts = datetime.now(VN_TZ).replace(second=0, microsecond=0) + timedelta(hours=1)
    m = ops.create_meeting(secretary, ops.MeetingInput(
        title=title, starts_at=starts.replace(tzinfo=None), ends_at=(starts + timedelta(hours=2)).replace(tzinfo=None),
        location="Phòng họp tầng 2, trụ sở UBND xã", chair_id=chair.id, secretary_id=secretary.id,
        members=[user(u).id for u in MEMBERS], guests=[user(u).id for u in GUESTS],
    ))
    titles = ["Tình hình thực hiện nhiệm vụ kinh tế – xã hội tháng 11",
              "Kế hoạch chuyển đổi số, thay thế văn bản giấy trước 30/9",
              "Phương án phòng chống rét cho cây trồng vật nuôi vụ Đông"]
    for i in range(items):
        ops.add_item(secretary, m, titles[i % len(titles)], presenter_id=user(MEMBERS[i % len(MEMBERS)]).id,
                     duration_minutes=10 + 5 * i)
    if status in ("invited", "live"):
        ops.transition(secretary, m, "invite")
    if status == "live":
        ops.transition(chair, m, "start")
    db.session.commit()
    return m.id
