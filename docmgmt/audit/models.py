"""Audit entries and the chain head.

Each entry carries the HMAC of the previous entry, so editing, deleting or inserting a
row breaks the chain at that row. The key lives outside the database (derived from
the app's secret key): someone with write access to the database alone cannot
recompute a valid chain. Database triggers (see the migration) refuse UPDATE and
DELETE on entries, so the log is append-only unless someone goes out of their way.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..org.models import OrgScoped, User


class AuditHead(Model):
    """The last entry of an organisation's chain; its row lock serialises appends."""

    __tablename__ = "audit_head"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default="")


class AuditEntry(OrgScoped, Model):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64), default="")
    object_id: Mapped[str] = mapped_column(sa.String(64), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor: Mapped[User | None] = relationship()
