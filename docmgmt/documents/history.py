"""The history of a document: every step with actor, time and comment.

Shown as a timeline on the document page, and the source of the edXML statuses sent
back to a sender (03 registered, 04 assigned, 05 in progress, 06 done). Each event is
also appended to the organisation's audit chain.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.operations import record
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from ..org.models import OrgScoped, User


class DocumentEvent(OrgScoped, db.Model):
    __tablename__ = "document_event"
    __table_args__ = (sa.Index("ix_document_event_doc", "direction", "document_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(sa.String(16))
    document_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str | None] = mapped_column(sa.String(32))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def add_event(
    document,
    direction: str,
    actor: User | None,
    action: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    comment: str = "",
    data: dict | None = None,
) -> DocumentEvent:
    actor = getattr(actor, "_get_current_object", lambda: actor)()
    event = DocumentEvent(
        organisation_id=document.organisation_id, direction=direction, document_id=document.id,
        actor_id=actor.id if actor else None, action=action, from_status=from_status,
        to_status=to_status, comment=comment, data=data or {},
    )
    db.session.add(event)
    record(document.organisation_id, actor, f"{direction}.{action}", document,
           comment or action, {"from": from_status, "to": to_status, **(data or {})})
    return event


def events_of(direction: str, document_id: int) -> list[DocumentEvent]:
    return list(db.session.scalars(
        sa.select(DocumentEvent)
        .where(DocumentEvent.direction == direction, DocumentEvent.document_id == document_id)
        .order_by(DocumentEvent.id)
    ))
