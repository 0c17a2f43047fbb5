"""Working days: deadlines skip weekends and the organisation's holiday list."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db
from ..org.models import OrgScoped


class Holiday(OrgScoped, Model):
    """A day off (Tết, 30/4, 1/5, 2/9, …), configurable per organisation."""

    __tablename__ = "holiday"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (start itself not counted)."""
    off = set(holidays)
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, off):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, holidays: Iterable[date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    off = set(holidays)
    if end < start:
        return -working_days_between(end, start, off)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, off):
            count += 1
    return count


def holidays_of(organisation_id: int, around: date | None = None) -> set[date]:
    query = sa.select(Holiday.day).where(Holiday.organisation_id == organisation_id)
    if around is not None:
        query = query.where(Holiday.day.between(around - timedelta(days=400),
                                                around + timedelta(days=400)))
    return set(db.session.scalars(query))


# Vietnam's public holidays for the demo (Bộ luật Lao động 2019, Điều 112); Tết and
# Giỗ Tổ follow the lunar calendar, so each year's dates are listed as announced.
VN_HOLIDAYS_2026 = [
    (date(2026, 1, 1), "Tết Dương lịch"),
    *[(date(2026, 2, d), "Tết Nguyên đán") for d in range(16, 21)],
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương"),
    (date(2026, 4, 30), "Ngày Chiến thắng"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    (date(2026, 9, 1), "Quốc khánh"),
    (date(2026, 9, 2), "Quốc khánh"),
]
