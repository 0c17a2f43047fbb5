"""The weekly work schedule (lịch công tác tuần): the room catalogue, the weeks, their
entries and the versions published.

An entry is what the office types (day, time, place, what, who chairs, who attends, the
preparing unit). The meetings of the week are not copied into entries: they are read from
``meetings`` when the week is shown (``queries``), so a meeting moved or cancelled can never
disagree with the schedule. A published version keeps the week as it was published — the
entries and the meetings — as one JSON document (``ScheduleVersion.items``): renaming a
room or a person, removing an entry or moving a meeting later leaves it as it was.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..org.models import OrgScoped, Unit, User
from .workflow import Status

entry_leader = sa.Table(
    "schedule_entry_leader", Model.metadata,
    sa.Column("entry_id", sa.ForeignKey("schedule_entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id"), primary_key=True, index=True),
)
entry_person = sa.Table(
    "schedule_entry_person", Model.metadata,
    sa.Column("entry_id", sa.ForeignKey("schedule_entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id"), primary_key=True, index=True),
)
entry_unit = sa.Table(
    "schedule_entry_unit", Model.metadata,
    sa.Column("entry_id", sa.ForeignKey("schedule_entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("unit.id"), primary_key=True, index=True),
)


class Room(OrgScoped, Model):
    """A room of the commune's catalogue (phòng họp, hội trường), kept by the administrator."""

    __tablename__ = "schedule_room"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    place: Mapped[str] = mapped_column(sa.String(255), default="")  # trụ sở, tầng …
    capacity: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Room {self.name!r}>"


class ScheduleWeek(OrgScoped, Model):
    """One commune's week, Monday to Sunday. ``version`` is the number of its latest
    published version (0: never published)."""

    __tablename__ = "schedule_week"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "monday"),
        sa.CheckConstraint("status IN ('draft','submitted','published')", name="status"),
        sa.CheckConstraint("version >= 0", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    monday: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(16), default=Status.DRAFT.value)
    version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who published the latest version, and when.
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the approver sent it back (the latest time), for the office.
    return_note: Mapped[str] = mapped_column(sa.Text, default="")

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    entries: Mapped[list[ScheduleEntry]] = relationship(
        back_populates="week", cascade="all, delete-orphan",
        order_by=lambda: [ScheduleEntry.day, ScheduleEntry.start_time, ScheduleEntry.id])
    versions: Mapped[list[ScheduleVersion]] = relationship(
        back_populates="week", cascade="all, delete-orphan", order_by="ScheduleVersion.number")

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def number(self) -> int:
        """The ISO week number (Tuần 50)."""
        return self.monday.isocalendar().week

    def version_of(self, number: int) -> ScheduleVersion | None:
        return next((v for v in self.versions if v.number == number), None)

    @property
    def latest(self) -> ScheduleVersion | None:
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return f"<ScheduleWeek {self.monday} {self.status} v{self.version}>"


class ScheduleEntry(OrgScoped, Model):
    """A row of the schedule the office typed: a day, a time, a place (a room of the
    catalogue, or free text), what (nội dung), who chairs, who attends (free text and the
    people and units linked), the preparing unit (đơn vị chuẩn bị) and notes. ``leaders``
    are the columns of the by-leader grid the row belongs to. Times are Vietnam time."""

    __tablename__ = "schedule_entry"
    __table_args__ = (
        sa.CheckConstraint("end_time IS NULL OR end_time > start_time", name="times"),
        sa.Index("ix_schedule_entry_week_day", "week_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(sa.ForeignKey("schedule_week.id", ondelete="CASCADE"))
    day: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time | None]
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schedule_room.id"))
    place: Mapped[str] = mapped_column(sa.String(255), default="")  # when no room of the catalogue
    title: Mapped[str] = mapped_column(sa.String(1000))  # nội dung
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    chair_text: Mapped[str] = mapped_column(sa.String(255), default="")  # a chair from outside
    attendees: Mapped[str] = mapped_column(sa.Text, default="")  # thành phần, as typed
    preparing_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # "Điều chỉnh": added or changed in the latest published version (against the one before).
    changed: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    week: Mapped[ScheduleWeek] = relationship(back_populates="entries")
    room: Mapped[Room | None] = relationship()
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    preparing_unit: Mapped[Unit | None] = relationship()
    leaders: Mapped[list[User]] = relationship(secondary=entry_leader, order_by="User.id")
    participants: Mapped[list[User]] = relationship(secondary=entry_person, order_by="User.id")
    participant_units: Mapped[list[Unit]] = relationship(secondary=entry_unit, order_by="Unit.id")

    def __repr__(self) -> str:
        return f"<ScheduleEntry {self.day} {self.start_time} {self.title[:30]!r}>"


class ScheduleVersion(OrgScoped, Model):
    """A published version: the week's items as published (``queries.Item.as_dict``, the
    entries and the meetings), and what changed against the version before:
    ``{"added": [key…], "changed": [key…], "removed": [item…]}``."""

    __tablename__ = "schedule_version"
    __table_args__ = (sa.UniqueConstraint("week_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(sa.ForeignKey("schedule_week.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    week: Mapped[ScheduleWeek] = relationship(back_populates="versions")
    published_by: Mapped[User | None] = relationship()


class ScheduleLink(OrgScoped, Model):
    """A link that opens the schedule without signing in (``links``): a person's calendar
    feed (iCalendar) or the hall's TV screen. Only the token's SHA-256 digest is kept, with
    its first characters to tell links apart. ``state`` (feeds): ``{uid: [digest, SEQUENCE]}``
    so a changed event's SEQUENCE goes up."""

    __tablename__ = "schedule_link"
    __table_args__ = (sa.CheckConstraint("kind IN ('feed','screen')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    # The feed's person; for a screen its creator, whose published view it shows.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
