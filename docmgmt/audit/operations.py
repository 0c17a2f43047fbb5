"""Recording history and verifying the chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..core.access import MAX_ID, Rule, scoped
from ..core.errors import forbidden
from ..core.permissions import Permission
from ..core.timeutil import utcnow
from ..extensions import Model, db
from ..org.models import Organisation, User
from .models import AuditEntry, AuditHead


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(b"xaso-audit-chain:" + secret.encode()).digest()


def entry_digest(
    *,
    organisation_id: int,
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    data: dict,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [organisation_id, seq, at.isoformat(timespec="microseconds"), actor_id, action,
         object_type, object_id, summary, data, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hmac.new(_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _digest_of(entry: AuditEntry) -> str:
    return entry_digest(
        organisation_id=entry.organisation_id, seq=entry.seq, at=entry.at,
        actor_id=entry.actor_id, action=entry.action, object_type=entry.object_type,
        object_id=entry.object_id, summary=entry.summary, data=entry.data or {},
        prev_hash=entry.prev_hash,
    )


def record(
    organisation_id: int,
    actor: User | None,
    action: str,
    obj: object | None = None,
    summary: str = "",
    data: dict | None = None,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
) -> AuditEntry:
    """Append one entry to the organisation's chain, in the caller's transaction.

    The head row is updated first: on PostgreSQL that takes its row lock, on SQLite the
    database write lock, so two concurrent appends queue instead of forking the chain.
    """
    # Doors may hand us Flask-Login's current_user proxy: record the real objects.
    obj = getattr(obj, "_get_current_object", lambda: obj)()
    actor = getattr(actor, "_get_current_object", lambda: actor)()
    if obj is not None:
        if not object_type:
            assert isinstance(obj, Model), "without object_type, the object must be a database row"
            object_type = obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    head_table = AuditHead.__table__
    assert isinstance(head_table, sa.Table)
    bumped = db.session.execute(
        sa.update(head_table)
        .where(head_table.c.organisation_id == organisation_id)
        .values(seq=head_table.c.seq + 1)
        .returning(head_table.c.seq, head_table.c.last_hash)
    ).first()
    if bumped is None:
        db.session.execute(
            sa.insert(head_table).values(organisation_id=organisation_id, seq=1, last_hash="")
        )
        seq, prev_hash = 1, ""
    else:
        seq, prev_hash = bumped
    at = utcnow()
    clean_data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    entry = AuditEntry(
        organisation_id=organisation_id, seq=seq, at=at,
        actor_id=actor.id if actor is not None else None, action=action,
        object_type=object_type or "", object_id="" if object_id is None else str(object_id),
        summary=summary, data=clean_data, prev_hash=prev_hash,
    )
    entry.hash = _digest_of(entry)
    db.session.add(entry)
    db.session.execute(
        sa.update(head_table)
        .where(head_table.c.organisation_id == organisation_id)
        .values(last_hash=entry.hash)
    )
    return entry


@dataclass
class ChainProblem:
    organisation_id: int
    seq: int
    entry_id: int | None
    kind: str  # edited | deleted | inserted | truncated
    detail: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" + (f" (id {self.entry_id})" if self.entry_id else "")
        return f"organisation {self.organisation_id}: {where} {self.kind}: {self.detail}"


def entries(actor: User, *, before_seq: int | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest entries of the actor's organisation's log (who may read it: VIEW_AUDIT)."""
    if not actor.can(Permission.VIEW_AUDIT):
        raise forbidden()
    query = scoped(AuditEntry, actor)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    query = query.options(selectinload(AuditEntry.actor))
    return list(db.session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit)))


# --- who may read an entry's content -----------------------------------------------------------

# Given a reader and the ids of one object type on a page of the log, the ids they may open.
ContentCheck = Callable[[User, list[int]], Iterable[int]]

# Each domain registers, from its own module, how to tell who may open the objects its
# entries are about (documents, meetings, votes…): their summary and data are theirs.
CONTENT_CHECKS: dict[str, ContentCheck] = {}

# Entries about the commune's administration (accounts, units, tokens, sessions, the
# maintenance of unattached uploads): shown in full to whoever may read the log. Any other
# object type without a registered check is hidden — a new domain that forgets to
# register leaks nothing.
ADMINISTRATIVE = frozenset({"", "organisation", "unit", "user", "api_token", "user_session", "stored_file"})


def register_content_check(object_type: str, check: ContentCheck) -> None:
    CONTENT_CHECKS[object_type] = check


def readable_through(rule: Rule[Any]) -> ContentCheck:
    """The check of a domain's own access rule: one query for a page's ids."""
    model: Any = rule.model

    def check(reader: User, ids: list[int]) -> Iterable[int]:
        return db.session.scalars(sa.select(model.id).where(model.id.in_(ids), rule.clause(reader)))

    return check


@dataclass(frozen=True)
class LogLine:
    """An entry as one reader is shown it: the trail always, the content if they may."""

    seq: int
    at: datetime
    actor_id: int | None
    actor: User | None
    action: str
    object_type: str
    object_id: str
    summary: str
    data: dict
    hash: str
    content_hidden: bool


def _id_of(object_id: str) -> int | None:
    return int(object_id) if (object_id.isdecimal() and len(object_id) <= 18) and 0 < int(object_id) <= MAX_ID else None


def _opened(reader: User, rows: list[AuditEntry]) -> set[tuple[str, str]]:
    """The (object_type, object_id) of these entries whose content the reader may open:
    one query per checked object type."""
    wanted: dict[str, set[int]] = {}
    for e in rows:
        if e.object_type in CONTENT_CHECKS and (ident := _id_of(e.object_id)) is not None:
            wanted.setdefault(e.object_type, set()).add(ident)
    return {
        (object_type, str(ident))
        for object_type, ids in wanted.items()
        for ident in CONTENT_CHECKS[object_type](reader, sorted(ids))
    }


def readable_entries(reader: User, *, before_seq: int | None = None, limit: int = 200) -> list[LogLine]:
    """The log as this reader is shown it (the page and the API): every entry — who, when,
    what, on which object — but the summary and data of an entry about a document, a
    meeting or another guarded object only to a reader who may open that object. What is
    stored (and chained) is never changed."""
    rows = entries(reader, before_seq=before_seq, limit=limit)
    opened = _opened(reader, rows)
    hidden_text = _("(nội dung ẩn — bạn không có quyền xem văn bản này)")
    lines = []
    for e in rows:
        hidden = e.object_type not in ADMINISTRATIVE and (e.object_type, e.object_id) not in opened
        lines.append(LogLine(
            seq=e.seq, at=e.at, actor_id=e.actor_id, actor=e.actor, action=e.action,
            object_type=e.object_type, object_id=e.object_id,
            summary=hidden_text if hidden else e.summary, data={} if hidden else dict(e.data or {}),
            hash=e.hash, content_hidden=hidden,
        ))
    return lines


def verify(organisation_id: int | None = None) -> list[ChainProblem]:
    """Walk each chain; return the first problem per organisation (empty list: intact)."""
    org_ids = (
        [organisation_id]
        if organisation_id is not None
        else list(db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)))
    )
    problems = []
    for org_id in org_ids:
        problem = _verify_one(org_id)
        if problem is not None:
            problems.append(problem)
    return problems


def _verify_one(org_id: int) -> ChainProblem | None:
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.organisation_id == org_id).order_by(
            AuditEntry.seq, AuditEntry.id
        )
    )
    expected_seq, prev_hash = 1, ""
    for entry in entries:
        if entry.seq < expected_seq:
            return ChainProblem(org_id, entry.seq, entry.id, "inserted",
                                "a second entry with this sequence number")
        if entry.seq > expected_seq:
            return ChainProblem(org_id, expected_seq, None, "deleted",
                                f"entries {expected_seq}–{entry.seq - 1} are missing")
        if entry.prev_hash != prev_hash:
            kind = "inserted" if _digest_of(entry) == entry.hash else "edited"
            return ChainProblem(org_id, entry.seq, entry.id, kind,
                                "does not link to the entry before it")
        if _digest_of(entry) != entry.hash:
            return ChainProblem(org_id, entry.seq, entry.id, "edited",
                                "its content no longer matches its hash")
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = db.session.get(AuditHead, org_id)
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.last_hash != prev_hash):
        if head.seq > last_seq:
            return ChainProblem(org_id, last_seq + 1, None, "deleted",
                                f"the chain should end at #{head.seq} but ends at #{last_seq}")
        return ChainProblem(org_id, head.seq + 1, None, "inserted",
                            f"entries after #{head.seq} were added outside the application")
    return None
