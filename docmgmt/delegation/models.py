"""Delegations (ủy quyền): who lets whom act in their name, for what, from which day to
which day (Vietnam dates, both included), and how it ended."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, format_date, to_vn, utcnow, vn_today
from ..extensions import Model
from ..org.models import OrgScoped, User
from .workflow import Power, SigningForm, Status


class Delegation(OrgScoped, Model):
    __tablename__ = "delegation"
    __table_args__ = (
        sa.CheckConstraint("start_date <= end_date", name="dates_in_order"),
        sa.CheckConstraint("delegator_id <> delegate_id", name="not_to_oneself"),
        sa.CheckConstraint("direct OR sign", name="some_power"),
        sa.CheckConstraint("form IN ('tm','kt','tl','tuq','q')", name="form"),
        # "Whom may I act for today?": asked on every queue and every act.
        sa.Index("ix_delegation_delegate_days", "delegate_id", "start_date", "end_date"),
        sa.Index("ix_delegation_delegator_days", "delegator_id", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))  # người ủy quyền
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))  # người được ủy quyền
    direct: Mapped[bool] = mapped_column(default=False)  # chỉ đạo văn bản đến
    sign: Mapped[bool] = mapped_column(default=False)  # duyệt, ký văn bản đi
    # How the delegate signs for the delegator (NĐ30 Điều 13): workflow.SigningForm.
    form: Mapped[str] = mapped_column(sa.String(8), default=SigningForm.KT.value)
    start_date: Mapped[date]
    end_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # đi công tác, nghỉ phép…
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # ended early
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Both parties are told when it starts and when it ends (once each).
    start_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    delegator: Mapped[User] = relationship(foreign_keys=[delegator_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def powers(self) -> list[Power]:
        return [p for p in Power if getattr(self, p.value)]

    @property
    def powers_label(self) -> str:
        return ", ".join(p.label for p in self.powers)

    def grants(self, power: Power) -> bool:
        return bool(getattr(self, power.value))

    @property
    def signing_form(self) -> SigningForm:
        return SigningForm(self.form)

    def status_on(self, today: date) -> Status:
        if self.ended_at is not None:
            return Status.CANCELLED if to_vn(self.ended_at).date() < self.start_date else Status.ENDED_EARLY
        if today < self.start_date:
            return Status.SCHEDULED
        return Status.RUNNING if today <= self.end_date else Status.ENDED

    @property
    def status(self) -> Status:
        return self.status_on(vn_today())

    def runs_on(self, day: date) -> bool:
        return self.status_on(day) is Status.RUNNING

    @property
    def last_day(self) -> date:
        """The last day it ran or will run: its end date, or the day it was ended early."""
        if self.ended_at is not None:
            return min(self.end_date, to_vn(self.ended_at).date())
        return self.end_date

    @property
    def span(self) -> str:
        """“07/12/2026 – 11/12/2026”."""
        return f"{format_date(self.start_date)} – {format_date(self.end_date)}"

    def __repr__(self) -> str:
        return f"<Delegation {self.id} {self.delegator_id}→{self.delegate_id} {self.start_date}…{self.end_date}>"
