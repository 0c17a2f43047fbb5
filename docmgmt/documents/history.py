"""The history of a document: every step with actor, time and comment.

Shown as a timeline on the document page, and the source of the edXML statuses sent
back to a sender (03 registered, 04 assigned, 05 in progress, 06 done). Each event is
also appended to the organisation's audit chain.

An act done in someone else's name under a delegation (ủy quyền) carries it: the event
names the delegation (``delegation_id``) and keeps, in its data, whom the actor stood in
for and the delegation's days (``on_behalf``), so the timeline reads “Quách Thị Hương
(thay Chủ tịch Bùi Văn Khánh theo ủy quyền từ 07/12 đến 11/12)” and the audit chain
records the same.

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
from datetime import date, datetime
from typing import Protocol

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
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
    # The delegation the actor acted under, in someone else's name (data["on_behalf"]).
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"), index=True)

    actor: Mapped[User | None] = relationship()

    @property
    def actor_label(self) -> str:
        """Who acted, as the timeline says it: the name, and in whose place under a
        delegation."""
        name = self.actor.full_name if self.actor else _("Hệ thống")
        acting = (self.data or {}).get("on_behalf")
        return _("%(name)s (%(acting)s)", name=name, acting=on_behalf_phrase(acting)) if acting else name


class Acting(Protocol):
    """A delegation an act is done under (``delegation.models.Delegation``)."""

    @property
    def id(self) -> int: ...

    @property
    def delegator(self) -> User: ...

    @property
    def start_date(self) -> date: ...

    @property
    def end_date(self) -> date: ...


def on_behalf_record(acting: Acting) -> dict:
    """What an event keeps of the delegation it was done under (names as they were)."""
    person = acting.delegator
    return {"delegation_id": acting.id, "user_id": person.id, "name": person.full_name,
            "position": person.position.name if person.position else "",
            "from": acting.start_date.isoformat(), "to": acting.end_date.isoformat()}


def _short_days(start: date, end: date) -> tuple[str, str]:
    """dd/mm within one year, dd/mm/yyyy across two."""
    if start.year == end.year:
        return start.strftime("%d/%m"), end.strftime("%d/%m")
    return start.strftime("%d/%m/%Y"), end.strftime("%d/%m/%Y")


def on_behalf_phrase(record: Mapping) -> str:
    """“thay Chủ tịch Bùi Văn Khánh theo ủy quyền từ 07/12 đến 11/12”."""
    start, end = _short_days(date.fromisoformat(record["from"]), date.fromisoformat(record["to"]))
    who = f"{record['position']} {record['name']}" if record.get("position") else \
        _("ông/bà %(name)s", name=record["name"])
    return _("thay %(who)s theo ủy quyền từ %(start)s đến %(end)s", who=who, start=start, end=end)


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
    on_behalf: Acting | None = None,
) -> DocumentEvent:
    """Record one step; ``on_behalf``: the delegation the actor acted under, in the
    delegator's name (the timeline and the audit entry say so)."""
    actor = getattr(actor, "_get_current_object", lambda: actor)()
    data = dict(data or {})
    summary = comment or action
    if on_behalf is not None:
        data["on_behalf"] = on_behalf_record(on_behalf)
        with force_locale("vi"):  # the audit chain keeps the record's own words
            summary = f"{summary} ({on_behalf_phrase(data['on_behalf'])})"
    event = DocumentEvent(
        organisation_id=document.organisation_id, direction=direction, document_id=document.id,
        actor_id=actor.id if actor else None, action=action, from_status=from_status,
        to_status=to_status, comment=comment, data=data,
        delegation_id=on_behalf.id if on_behalf is not None else None,
    )
    db.session.add(event)
    record(document.organisation_id, actor, f"{direction}.{action}", document,
           summary, {"from": from_status, "to": to_status, **data})
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
