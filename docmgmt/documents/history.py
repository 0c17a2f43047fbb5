"""The history of a document: every step with actor, time and comment.

Shown as a timeline on the document page, and the source of the edXML statuses sent
back to a sender (03 registered, 04 assigned, 05 in progress, 06 done). Each event is
also appended to the organisation's audit chain.

The words a timeline shows for an event are registered here by the module that records
it (``register_event_labels``): the incoming and outgoing modules name their own events,
the exchange names the ones it adds to either direction. Pages and API read them with
``event_label``, so no module reaches into another's table.

A page's timeline may hold more than these events: a module that keeps its own record
of what happened to documents (the access log: who viewed, downloaded, printed) adds it
with ``register_timeline_source``; ``timeline`` merges every source by time. The
edXML statuses and the API's ``history`` read ``events_of`` only.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.operations import record
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db
from ..org.models import OrgScoped, User


class DocumentEvent(OrgScoped, Model):
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


# --- timeline words -----------------------------------------------------------------

_EVENT_LABELS: dict[str, dict[str, object]] = {}


def register_event_labels(direction: str, labels: Mapping[str, object]) -> None:
    """Name the events a module records on documents of ``direction`` (labels may be
    lazy strings). An action keeps the first label it was given: one module owns it."""
    table = _EVENT_LABELS.setdefault(str(direction), {})
    for action, label in labels.items():
        table.setdefault(action, label)


def event_label(direction: str, action: str) -> str:
    """The timeline words for an action; the action itself if no module named it."""
    label = _EVENT_LABELS.get(str(direction), {}).get(action)
    return action if label is None else str(label)


# --- the timeline a page shows ---------------------------------------------------------------

class TimelineEntry(Protocol):
    """What the timeline template reads of an entry (a ``DocumentEvent`` is one)."""

    @property
    def action(self) -> str: ...

    @property
    def at(self) -> datetime: ...

    @property
    def comment(self) -> str: ...

    @property
    def actor(self) -> User | None: ...


# (direction, document id, ids of the document's files) -> entries, oldest first
TimelineSource = Callable[[str, int, Sequence[int]], Iterable[TimelineEntry]]
_SOURCES: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> None:
    """Add a module's own entries to every document timeline (once per source)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def timeline(direction: str, document_id: int, file_ids: Sequence[int] = ()) -> list[TimelineEntry]:
    """The history events and every registered source's entries, merged by time (each
    source keeps its own order)."""
    streams: list[Iterable[TimelineEntry]] = [events_of(str(direction), document_id)]
    streams += [source(str(direction), document_id, file_ids) for source in _SOURCES]
    return list(heapq.merge(*streams, key=lambda e: e.at))
