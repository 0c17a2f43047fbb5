"""The demo commune's delegations: one from three weeks ago that ended by itself, one
running this week (the chairman at a conference in the province: a vice-chairman directs
and signs for him), and one for next week (a vice-chairman on leave)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from ..core.timeutil import VN_TZ, vn_today
from ..extensions import db
from ..org.models import Organisation, User
from .models import Delegation
from .operations import create_delegation
from .schemas import DelegationInput


def seed_delegations(org: Organisation) -> None:
    def user(name: str) -> User:
        found = db.session.scalar(sa.select(User).where(User.organisation_id == org.id, User.username == name))
        assert found is not None, f"the demo commune has no user {name!r}"
        return found

    chairman, economy, society = user("chutich"), user("phochutich.kt"), user("phochutich.vx")
    today = vn_today()
    # Demo history only: given and over before the demo week (no operation gives past days).
    monday = today - timedelta(days=today.weekday() + 21)
    given_at = datetime.combine(monday - timedelta(days=3), time(16), tzinfo=VN_TZ).astimezone(UTC)
    db.session.add(Delegation(
        organisation_id=org.id, delegator_id=chairman.id, delegate_id=economy.id, direct=True, sign=True,
        form="kt", start_date=monday, end_date=monday + timedelta(days=2), created_by_id=chairman.id,
        reason="Tham gia đoàn công tác của tỉnh kiểm tra công tác phòng chống thiên tai", created_at=given_at,
        start_notified_at=given_at, end_notified_at=given_at + timedelta(days=6)))
    create_delegation(chairman, DelegationInput(
        delegate_id=economy.id, start_date=today, end_date=today + timedelta(days=4), powers=["direct", "sign"],
        reason="Dự Hội nghị triển khai chuyển đổi số cấp xã tại tỉnh"))
    next_monday = today + timedelta(days=7 - today.weekday())
    create_delegation(society, DelegationInput(
        delegate_id=economy.id, start_date=next_monday, end_date=next_monday + timedelta(days=1),
        powers=["direct", "sign"], reason="Nghỉ phép năm"))
    db.session.flush()
