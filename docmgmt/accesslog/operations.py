"""Recording and reading the access log (NĐ30 Phụ lục VI §III.5.a "lịch sử truy cập và
xem văn bản", §III.6.a counts per document, §III.6.l "lưu lịch sử truy cập và sử dụng").

Every door that shows a document or hands out a file calls :func:`record_access` once,
inside the request's transaction (the middleware commits it with the response; a
refused request leaves no trace because it was never served). A view is one indexed
read and at most one insert; downloads and prints are one insert. Lists are not views:
only opening a document, reading one of its files, or printing it is recorded.

Views coalesce: the same person viewing the same target again within
``VIEW_COALESCE`` is the same visit (a page and the preview it embeds, a reload, the
API client polling). Downloads and prints always count.

Who may read the log of a document is who may read the document: the document's page
shows it (through the history's timeline sources). The organisation's monthly counts
are for those who read the audit log.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ..core.errors import ValidationFailed, forbidden
from ..core.permissions import Permission
from ..core.timeutil import to_vn, utcnow
from ..documents.history import register_event_labels, register_timeline_source
from ..documents.registers import Direction
from ..extensions import db
from ..files.models import StoredFile
from ..files.store import FileStore
from ..org.models import User
from . import printing
from .models import AccessEvent

# The same person opening the same thing again within this time is one visit.
VIEW_COALESCE = timedelta(minutes=10)
# The newest access events a document's timeline shows (the counts cover them all).
TIMELINE_LIMIT = 200


class Action(enum.StrEnum):
    VIEW = "view"
    DOWNLOAD = "download"
    PRINT = "print"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


class Door(enum.StrEnum):
    WEB = "web"
    API = "api"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return str(DOOR_LABELS[self])


FILE = "file"  # the kind of a target reached through the generic file door
KINDS = (Direction.INCOMING.value, Direction.OUTGOING.value, FILE)

ACTION_LABELS = {Action.VIEW: _l("Lượt xem"), Action.DOWNLOAD: _l("Lượt tải về"), Action.PRINT: _l("Lượt in")}
DOOR_LABELS = {Door.WEB: _l("trang web"), Door.API: _l("API"), Door.MEETING: _l("phòng họp")}
KIND_LABELS = {
    Direction.INCOMING.value: _l("Văn bản đến"),
    Direction.OUTGOING.value: _l("Văn bản đi"),
    FILE: _l("Tệp (mở trực tiếp)"),
}

# The timeline's words, for both directions: the access log records these on either.
# (Their own context: "Xem văn bản" is also the preview's heading, "In văn bản" a button.)
TIMELINE_LABELS = {
    f"access.{a.value}": label
    for a, label in {
        Action.VIEW: lazy_pgettext("history", "Xem văn bản"),
        Action.DOWNLOAD: lazy_pgettext("history", "Tải tệp về"),
        Action.PRINT: lazy_pgettext("history", "In văn bản"),
    }.items()
}
for _direction in Direction:
    register_event_labels(_direction, TIMELINE_LABELS)


class Target(Protocol):
    id: int
    organisation_id: int


def _month(at: datetime) -> int:
    local = to_vn(at)
    return local.year * 100 + local.month


def record_access(
    user: User, kind: str, target: Target, action: Action | str, door: Door | str, *, file: StoredFile | None = None
) -> AccessEvent | None:
    """Record that ``user`` read ``target`` (a document of ``kind``, or a stored file of
    kind ``"file"``). Returns the new event, or None for a view within the coalescing
    window of the same person's previous view."""
    action, door = Action(action), Door(door)
    if kind not in KINDS:
        raise ValueError(kind)
    if kind == FILE and file is None:
        file = target  # type: ignore[assignment]
    now = utcnow()
    if action is Action.VIEW:
        # A read, not an INSERT … WHERE NOT EXISTS: a repeated view then takes no write lock.
        seen = db.session.scalar(
            sa.select(AccessEvent.id)
            .where(
                AccessEvent.target_kind == kind,
                AccessEvent.target_id == target.id,
                AccessEvent.at >= now - VIEW_COALESCE,
                AccessEvent.user_id == user.id,
                AccessEvent.action == Action.VIEW.value,
            )
            .limit(1)
        )
        if seen is not None:
            return None
    event = AccessEvent(
        organisation_id=target.organisation_id,
        user_id=user.id,
        target_kind=kind,
        target_id=target.id,
        file_id=file.id if file is not None else None,
        action=action.value,
        door=door.value,
        at=now,
        month=_month(now),
    )
    db.session.add(event)
    return event


# --- a document's log ---------------------------------------------------------------------------


def _of_document(kind: str, document_id: int, file_ids: Sequence[int]):
    """Events on the document itself, and on its files reached through the file door."""
    own = sa.and_(AccessEvent.target_kind == kind, AccessEvent.target_id == document_id)
    if not file_ids:
        return own
    return sa.or_(own, sa.and_(AccessEvent.target_kind == FILE, AccessEvent.file_id.in_(list(file_ids))))


def counts_for(kind: str, document_id: int, file_ids: Sequence[int] = ()) -> dict[str, int]:
    """How many times the document was viewed, downloaded and printed (one query).
    The caller has established that the reader may read the document."""
    rows = db.session.execute(
        sa.select(AccessEvent.action, sa.func.count())
        .where(_of_document(kind, document_id, file_ids))
        .group_by(AccessEvent.action)
    )
    found = {action: int(n) for action, n in rows}
    return {a.value: found.get(a.value, 0) for a in Action}


@dataclass
class AccessEntry:
    """One access event as a timeline entry (what ``_timeline.html`` reads)."""

    action: str  # access.view | access.download | access.print
    at: datetime
    actor: User | None
    door: str
    file_name: str = ""
    from_status: str | None = None
    to_status: str | None = None

    @property
    def comment(self) -> str:
        door = str(DOOR_LABELS[Door(self.door)])
        return f"{self.file_name} · {door}" if self.file_name else door


def entries_for(kind: str, document_id: int, file_ids: Sequence[int] = ()) -> list[AccessEntry]:
    """The document's newest ``TIMELINE_LIMIT`` access events, oldest first."""
    rows = db.session.execute(
        sa.select(AccessEvent, StoredFile.original_name)
        .outerjoin(StoredFile, StoredFile.id == AccessEvent.file_id)
        .options(sa.orm.joinedload(AccessEvent.user))
        .where(_of_document(kind, document_id, file_ids))
        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc())
        .limit(TIMELINE_LIMIT)
    )
    entries = [AccessEntry(f"access.{e.action}", e.at, e.user, e.door, name or "") for e, name in rows]
    entries.reverse()
    return entries


def _timeline_source(direction: str, document_id: int, file_ids: Sequence[int]) -> Iterable[AccessEntry]:
    return entries_for(direction, document_id, file_ids)


register_timeline_source(_timeline_source)


# --- printing ------------------------------------------------------------------------------------

NOT_PRINTABLE = _l("Chỉ in được tệp PDF đọc được; tệp này không in được.")


# Added to the mark of a copy printed from a signed original (the copy is not signed).
SIGNED_NOTE = "bản in từ văn bản điện tử đã ký số, không phải bản gốc"


@dataclass
class PrintedCopy:
    data: bytes
    name: str  # the download name: "ban-in_<original>.pdf"
    mark: str
    from_signed: bool


def print_mark(user: User, at: datetime) -> str:
    """ "Bản in của Nguyễn Văn A — 14:05 07/12/2026" (Vietnam time)."""
    local = to_vn(at)
    return f"Bản in của {user.full_name} — {local:%H:%M %d/%m/%Y}"


def print_copy(user: User, kind: str, target: Target, stored: StoredFile, door: Door | str = Door.WEB) -> PrintedCopy:
    """A marked copy of one of the document's PDF files, recorded as a print. The
    caller has checked that ``stored`` belongs to ``target`` and that ``user`` may read
    it; the stored file is only read."""
    if stored.mime != "application/pdf":
        raise ValidationFailed("not_printable", str(NOT_PRINTABLE), "file")
    now = utcnow()
    mark = print_mark(user, now)
    try:
        data, signed = printing.marked_copy(
            FileStore.from_app().path_for(stored.sha256), mark, signed_note=SIGNED_NOTE, title=stored.original_name
        )
    except printing.NotPrintable:
        raise ValidationFailed("not_printable", str(NOT_PRINTABLE), "file") from None
    record_access(user, kind, target, Action.PRINT, door, file=stored)
    base = stored.original_name.rsplit(".", 1)[0] or "van-ban"
    return PrintedCopy(data, f"ban-in_{base}.pdf", mark, signed)


# --- the organisation's counts -------------------------------------------------------------------


@dataclass
class MonthCounts:
    month: int  # 202612
    view: int = 0
    download: int = 0
    print: int = 0

    @property
    def label(self) -> str:
        return f"{self.month % 100:02d}/{self.month // 100}"

    @property
    def total(self) -> int:
        return self.view + self.download + self.print


@dataclass
class Statistics:
    year: int
    months: list[MonthCounts]
    by_kind: dict[str, dict[str, int]]  # kind -> action -> count, over the year

    @property
    def total(self) -> MonthCounts:
        t = MonthCounts(self.year * 100)
        for m in self.months:
            t.view, t.download, t.print = t.view + m.view, t.download + m.download, t.print + m.print
        return t


def statistics(actor: User, year: int) -> Statistics:
    """The organisation's views, downloads and prints per month of ``year`` and per
    kind of target (one indexed GROUP BY). For those who may read the audit log."""
    if not actor.can(Permission.VIEW_AUDIT):
        raise forbidden()
    rows = db.session.execute(
        sa.select(AccessEvent.month, AccessEvent.target_kind, AccessEvent.action, sa.func.count())
        .where(
            AccessEvent.organisation_id == actor.organisation_id,
            AccessEvent.month.between(year * 100 + 1, year * 100 + 12),
        )
        .group_by(AccessEvent.month, AccessEvent.target_kind, AccessEvent.action)
    )
    months = {m: MonthCounts(year * 100 + m) for m in range(1, 13)}
    by_kind = {k: {a.value: 0 for a in Action} for k in KINDS}
    for month, kind, action, n in rows:
        counts = months[month % 100]
        setattr(counts, action, getattr(counts, action) + int(n))
        by_kind.setdefault(kind, {a.value: 0 for a in Action})[action] += int(n)
    return Statistics(year, list(months.values()), by_kind)
