"""Access events: one row per view, download or print of a document or file.

The target is named by kind and id, not by a foreign key: the log outlives what it
names and covers several kinds (an incoming or outgoing document; a stored file reached
through the generic file door, which knows no document). ``file_id`` says which file
when a file was read. ``month`` (yyyymm, Vietnam time) is kept so the organisation's
monthly counts are one indexed GROUP BY on every database.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..org.models import OrgScoped, User


class AccessEvent(OrgScoped, Model):
    __tablename__ = "access_event"
    __table_args__ = (
        # A document's history and counts, and the "viewed a moment ago?" check.
        sa.Index("ix_access_event_target", "target_kind", "target_id", "at"),
        # Reads of a document's files through the file door.
        sa.Index("ix_access_event_file", "file_id", "target_kind"),
        # The organisation's monthly statistics (its first column serves the organisation).
        sa.Index("ix_access_event_month", "organisation_id", "month", "target_kind", "action"),
        sa.CheckConstraint("action IN ('view','download','print')", name="action"),
    )

    # Indexed first in ix_access_event_month rather than alone (the mixin's default).
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="RESTRICT"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    target_kind: Mapped[str] = mapped_column(sa.String(16))  # incoming | outgoing | file
    target_id: Mapped[int]
    file_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(16))  # view | download | print
    door: Mapped[str] = mapped_column(sa.String(16))  # web | api | meeting
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    month: Mapped[int]  # 202612: the month of ``at`` in Vietnam time

    user: Mapped[User] = relationship()
