"""Keeping the index in step with the database, through one writer, losing nothing.

The path of a change::

    operation ──signal──▶ enqueue(): INSERT search_job      (same transaction)
    COMMIT ──after_commit──▶ drain(): under <index>/drain.lock
                                read jobs → read documents → index/delete → DELETE jobs

* A job row commits or rolls back with the change itself: a refused request leaves
  nothing to index, a committed one always leaves its job.
* Jobs are deleted only after the index write has returned; a process that dies in
  between leaves them for the next drain (the next commit anywhere, the first request
  of a process, ``flask search drain``). Applying a job twice is harmless.
* Drains (and reindexes) of every process take one flock and, holding it, read the
  *current* database state and write it. Reads and writes are therefore in the same
  order everywhere, so an older read can never overwrite a newer one in the index.
  The engine's own ``writer.lock`` still serialises the segment writes underneath.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session, selectinload

from search.backend import IndexedDoc
from search.extract import extract
from search.locking import LockTimeout, exclusive

from ..core.timeutil import utcnow
from ..documents.types import Confidentiality
from ..extensions import db
from ..files.models import StoredFile
from ..files.store import FileStore
from ..incoming.access import READ
from ..incoming.models import Assignment, IncomingDocument, IncomingFile
from .backend import get_backend
from .models import BlobText, SearchJob

log = logging.getLogger(__name__)

KIND_INCOMING = "incoming"
DRAIN_LOCK = "drain.lock"
BATCH = 200
# A drain after a commit waits this long for another process's drain; if that one is
# still busy after this, it will have picked up our job in its own loop (it reads the
# job table again before it lets go).
AFTER_COMMIT_LOCK_WAIT_S = 10.0
_PENDING = "xaso_search_pending"
OPEN_CONFIDENTIALITY = Confidentiality.NONE.value


# --- the outbox -------------------------------------------------------------------------

def enqueue(kind: str, document_id: int) -> None:
    """Record, inside the current transaction, that a document must be (re)indexed."""
    db.session.add(SearchJob(kind=kind, document_id=document_id, enqueued_at=utcnow()))
    db.session.info[_PENDING] = True


def on_incoming(doc: IncomingDocument, **_kw) -> None:
    """Subscriber of incoming_registered / incoming_changed. Confidential entries get a
    job too: applying it removes any trace (e.g. of an entry made confidential)."""
    enqueue(KIND_INCOMING, doc.id)


@event.listens_for(Session, "after_commit")
def _drain_after_commit(session: Session) -> None:
    if not session.info.pop(_PENDING, False):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("SEARCH_DRAIN_AFTER_COMMIT", True):
        return
    try:
        drain(lock_timeout=AFTER_COMMIT_LOCK_WAIT_S)
    except Exception:  # noqa: BLE001 - the change is committed; its job waits for the next drain
        log.exception("search: drain after commit failed; the jobs stay queued")


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, and its jobs, rolled back
        session.info.pop(_PENDING, None)


# --- from a document to what the index sees ------------------------------------------------

def acl_of(doc: IncomingDocument) -> list[str]:
    """The principals that may open ``doc``: the domain's own rule
    (``incoming.access.READ``, the same tokens ``can_read`` decides by)."""
    return READ.tokens(doc)


def _unit_of(doc: IncomingDocument) -> str:
    """Abbreviation of the unit handling the document: the main assignment's unit, or
    the unit of its main handler."""
    main = doc.main_assignment
    if main is None:
        return ""
    if main.assignee_unit is not None:
        return main.assignee_unit.abbreviation
    if main.assignee_user is not None and main.assignee_user.unit is not None:
        return main.assignee_user.unit.abbreviation
    return ""


def indexed_doc(doc: IncomingDocument, session: Session) -> IndexedDoc:
    texts = [file_text(session, f.stored) for f in doc.files if f.kind == "original" and f.stored]
    year = doc.arrival_date.year  # the register's year; own entries have no register
    arrival = f"Số đến {doc.arrival_number:02d}" if doc.arrival_number is not None else ""
    header = [f"{arrival}/{year}." if arrival else f"{doc.arrival_label} {year}."]
    if doc.signer:
        header.append(f"Người ký: {doc.signer}.")
    if doc.field:
        header.append(f"Lĩnh vực: {doc.field}.")
    content = "\n".join([" ".join(header), *(t.text for t in texts if t.text)])
    return IndexedDoc(
        id=f"{KIND_INCOMING}:{doc.id}",
        org_id=doc.organisation_id,
        direction=KIND_INCOMING,
        doc_type=doc.doc_type,
        year=year,
        unit=_unit_of(doc),
        status=doc.status,
        date=doc.arrival_date,
        # Their number/symbol and our số đến: a clerk looks for either.
        number_symbol=" · ".join(p for p in (doc.number_symbol, arrival) if p),
        subject=doc.subject,
        sender=doc.sender_name,
        content=content,
        acl=acl_of(doc),
        text_searchable=any(t.text_searchable for t in texts),
    )


def file_text(session: Session, stored: StoredFile) -> BlobText:
    """The cached text of a file's content; extracted (sandboxed) on first use."""
    cached = session.get(BlobText, stored.sha256)
    if cached is not None:
        return cached
    path = FileStore.from_app().path_for(stored.sha256)
    result = extract(path, stored.mime)
    row = BlobText(sha256=stored.sha256, text=result.text, text_searchable=result.text_searchable,
                   reason=result.reason[:128], extracted_at=utcnow())
    _insert_once(session, row)
    return row


def remember_text(session: Session | scoped_session[Any], sha256: str, text: str) -> None:
    """Keep text already extracted elsewhere (the registration's sandboxed PDF check), so
    indexing does not read the same file a second time. Empty text is not kept: a scan
    without a text layer still goes through extract() (and OCR where installed)."""
    if text.strip():
        _insert_once(session, BlobText(sha256=sha256, text=unicodedata.normalize("NFC", text),
                                       text_searchable=True, reason="ok", extracted_at=utcnow()))


def on_file_text(_stored: StoredFile, *, session: Session | scoped_session[Any], sha256: str,
                 text: str, **_kw) -> None:
    """Subscriber of file_text_extracted: the registration's check read the text."""
    remember_text(session, sha256, text)


def _insert_once(session: Session | scoped_session[Any], row: BlobText) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two processes may extract the same file."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {c.key: getattr(row, c.key) for c in BlobText.__table__.columns}
    session.execute(dialect.insert(BlobText).values(**values).on_conflict_do_nothing(
        index_elements=["sha256"]))


def _documents(session: Session, ids: Iterable[int] | None = None) -> Iterator[IncomingDocument]:
    query = (
        sa.select(IncomingDocument)
        .where(IncomingDocument.confidentiality == OPEN_CONFIDENTIALITY)
        .options(
            selectinload(IncomingDocument.register),
            selectinload(IncomingDocument.files).selectinload(IncomingFile.stored),
            selectinload(IncomingDocument.assignments).selectinload(Assignment.assignee_unit),
            selectinload(IncomingDocument.assignments).selectinload(Assignment.assignee_user),
        )
        .order_by(IncomingDocument.id)
    )
    if ids is not None:
        yield from session.scalars(query.where(IncomingDocument.id.in_(list(ids))))
        return
    last = 0
    while True:  # keyset pages: a reindex of 100 000 documents never holds them all
        page = list(session.scalars(query.where(IncomingDocument.id > last).limit(BATCH)))
        if not page:
            return
        yield from page
        last = page[-1].id
        session.expunge_all()


def indexable_count() -> int:
    """How many documents the index should hold: every non-confidential one."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(IncomingDocument)
        .where(IncomingDocument.confidentiality == OPEN_CONFIDENTIALITY)
    ) or 0


# --- applying the outbox ----------------------------------------------------------------

def _lock_path() -> Path:
    return get_backend().root / DRAIN_LOCK  # the backend creates the folder


def _prefetch_texts(limit: int) -> None:
    """Extract new files' text before taking the lock, so that a slow PDF does not hold
    up every other process's drain."""
    with Session(db.engine) as session:
        ids = session.scalars(
            sa.select(SearchJob.document_id).where(SearchJob.kind == KIND_INCOMING)
            .order_by(SearchJob.id).limit(limit)
        ).all()
        if not ids:
            return
        missing = session.scalars(
            sa.select(StoredFile).join(IncomingFile, IncomingFile.stored_file_id == StoredFile.id)
            .join(IncomingDocument, IncomingDocument.id == IncomingFile.document_id)
            .outerjoin(BlobText, BlobText.sha256 == StoredFile.sha256)
            .where(IncomingFile.document_id.in_(set(ids)), IncomingFile.kind == "original",
                   IncomingDocument.confidentiality == OPEN_CONFIDENTIALITY,
                   BlobText.sha256.is_(None))
        ).all()
        for stored in {s.sha256: s for s in missing}.values():
            file_text(session, stored)
            session.commit()


def _apply_batch(session: Session, limit: int) -> int:
    """Apply up to ``limit`` queued jobs; returns how many job rows it consumed."""
    jobs = session.scalars(sa.select(SearchJob).order_by(SearchJob.id).limit(limit)).all()
    if not jobs:
        return 0
    wanted = {j.document_id for j in jobs if j.kind == KIND_INCOMING}
    docs = [indexed_doc(d, session) for d in _documents(session, wanted)]
    # Gone, or confidential (never indexed): make sure the index holds no trace.
    gone = [f"{KIND_INCOMING}:{i}" for i in sorted(wanted - {int(d.id.split(":")[1]) for d in docs})]
    backend = get_backend()
    backend.index(docs)
    backend.delete(gone)
    # Only now that the index write has returned may the jobs go.
    session.execute(sa.delete(SearchJob).where(SearchJob.id.in_([j.id for j in jobs])))
    session.commit()
    return len(jobs)


def drain(limit: int = BATCH, lock_timeout: float | None = None) -> int:
    """Apply every queued job; returns how many were applied. Safe to run anywhere,
    any time, in any number of processes."""
    if not _has_jobs():
        return 0
    _prefetch_texts(limit)
    try:
        with exclusive(_lock_path(), lock_timeout):
            return _drain_locked(limit)
    except LockTimeout:
        log.warning("search: another process is draining; it will apply our jobs")
        return 0


def _drain_locked(limit: int) -> int:
    done = 0
    with Session(db.engine) as session:
        while True:  # until empty: jobs committed meanwhile by others are ours too
            n = _apply_batch(session, limit)
            if n == 0:
                return done
            done += n
            session.expunge_all()


def _has_jobs() -> bool:
    with Session(db.engine) as session:
        return session.scalar(sa.select(SearchJob.id).limit(1)) is not None


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) or 0


def reindex(progress=None) -> int:
    """Rebuild the whole index from the database (a new generation, switched
    atomically: searches keep working meanwhile). Returns the number indexed."""
    with exclusive(_lock_path()), Session(db.engine) as session:
        count = get_backend().rebuild(
            (indexed_doc(d, session) for d in _documents(session)), progress=progress)
        session.commit()  # texts extracted on the way
        # Changes committed while we read are in the queue: apply them now, still
        # holding the lock, so that no older read lands after a newer one.
        _drain_locked(BATCH)
    return count


def reindex_with_bar() -> int:
    total = indexable_count()
    with click.progressbar(length=total, label="Lập chỉ mục", show_pos=True) as bar:
        last = [0]

        def progress(n: int) -> None:
            bar.update(n - last[0])
            last[0] = n

        return reindex(progress)
