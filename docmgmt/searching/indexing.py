"""Keeping the index in step with the database, through one writer, losing nothing.

The path of a change::

    operation ──signal──▶ enqueue(): INSERT search_job      (same transaction)
    COMMIT ──after_commit──▶ drain(): under <index>/drain.lock
                                read jobs → read documents → index/delete → DELETE jobs
           └──▶ kick(): the background extraction (below), if a file lacks its text

* A job row commits or rolls back with the change itself: a refused request leaves
  nothing to index, a committed one always leaves its job.
* Jobs are deleted only after the index write has returned; a process that dies in
  between leaves them for the next drain (the next commit anywhere, the first request
  of a process, the worker, ``flask search drain``). Applying a job twice is harmless.
* Drains (and reindexes) of every process take one flock and, holding it, read the
  *current* database state and write it. Reads and writes are therefore in the same
  order everywhere, so an older read can never overwrite a newer one in the index.
  The engine's own ``writer.lock`` still serialises the segment writes underneath.

The text of attached files (``blob_text``, one row per content hash) is *never* read
in a drain, so a request never waits for a file to be parsed: a drain indexes a
document with its metadata and whatever text is already cached (a registered PDF's
text is, from its sandboxed check). Reading the rest is the extraction step::

    extract_missing(): under <index>/extract.lock, one file at a time
        a file lacking blob_text → search.extract (sandboxed child, limits, text cap)
        → INSERT blob_text + a search_job for each document using it  (one transaction)
        → drain()

* It runs in the ``flask worker`` every few seconds and, after a commit that left a
  file without text, in the one background thread of the committing process
  (``kick``; off under ``TESTING``, where tests call ``settle()``).
* Files are extracted one at a time, each once: under the cross-process lock the step
  re-reads which files lack text, so concurrent requests and processes never repeat
  the work. A failed extraction is recorded too (``reason``), so no file is retried
  for ever.
* The text reaches the index through an ordinary job, so the ordering guarantees
  above hold for it as well.

``settle()`` (extraction then drain, synchronously) brings everything up to date:
``flask search drain`` and tests use it.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
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
EXTRACT_LOCK = "extract.lock"
BATCH = 200
# A drain after a commit waits this long for another process's drain; if that one is
# still busy after this, it will have picked up our job in its own loop (it reads the
# job table again before it lets go).
AFTER_COMMIT_LOCK_WAIT_S = 10.0
_PENDING = "xaso_search_pending"  # session.info: the document ids queued in this transaction
_EXTRACTOR = "xaso_search_extractor"  # app.extensions: the background extraction thread
OPEN_CONFIDENTIALITY = Confidentiality.NONE.value


# --- the outbox -------------------------------------------------------------------------

def enqueue(kind: str, document_id: int) -> None:
    """Record, inside the current transaction, that a document must be (re)indexed."""
    db.session.add(SearchJob(kind=kind, document_id=document_id, enqueued_at=utcnow()))
    db.session.info.setdefault(_PENDING, set()).add(document_id)


def on_incoming(doc: IncomingDocument, **_kw) -> None:
    """Subscriber of incoming_registered / incoming_changed. Confidential entries get a
    job too: applying it removes any trace (e.g. of an entry made confidential)."""
    enqueue(KIND_INCOMING, doc.id)


@event.listens_for(Session, "after_commit")
def _drain_after_commit(session: Session) -> None:
    queued = session.info.pop(_PENDING, None)
    if not queued:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("SEARCH_DRAIN_AFTER_COMMIT", True):
        return
    try:
        drain(lock_timeout=AFTER_COMMIT_LOCK_WAIT_S)
    except Exception:  # noqa: BLE001 - the change is committed; its job waits for the next drain
        log.exception("search: drain after commit failed; the jobs stay queued")
    if app.config.get("SEARCH_EXTRACT_IN_BACKGROUND", not app.testing):
        kick(app, queued)


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
    """What the index holds of ``doc``: its metadata and the cached text of its files
    (a file not read yet adds its text later, through a job of the extraction step)."""
    texts = [t for f in doc.files if f.kind == "original" and f.stored
             if (t := session.get(BlobText, f.stored.sha256)) is not None]
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

def _lock_path(name: str = DRAIN_LOCK) -> Path:
    return get_backend().root / name  # the backend creates the folder


def _missing_text(document_ids: Iterable[int] | None) -> sa.Select:
    """Files of indexable documents whose text has not been read yet."""
    query = (
        sa.select(StoredFile).join(IncomingFile, IncomingFile.stored_file_id == StoredFile.id)
        .join(IncomingDocument, IncomingDocument.id == IncomingFile.document_id)
        .outerjoin(BlobText, BlobText.sha256 == StoredFile.sha256)
        .where(IncomingFile.kind == "original",
               IncomingDocument.confidentiality == OPEN_CONFIDENTIALITY,
               BlobText.sha256.is_(None))
        .order_by(StoredFile.id).limit(1)
    )
    if document_ids is not None:
        query = query.where(IncomingFile.document_id.in_(list(document_ids)))
    return query


def _documents_using(session: Session, sha256: str) -> list[int]:
    return list(session.scalars(
        sa.select(IncomingFile.document_id).distinct()
        .join(StoredFile, StoredFile.id == IncomingFile.stored_file_id)
        .join(IncomingDocument, IncomingDocument.id == IncomingFile.document_id)
        .where(StoredFile.sha256 == sha256, IncomingFile.kind == "original",
               IncomingDocument.confidentiality == OPEN_CONFIDENTIALITY)))


def extract_missing(document_ids: Iterable[int] | None = None, *,
                    lock_timeout: float | None = None, then_drain: bool = True) -> int:
    """The extraction step: read, one file at a time, the text of every file (of the
    given documents, or of all) that has none yet; keep it and queue its documents;
    then drain. Returns how many files were read (0 if another process holds the lock
    longer than ``lock_timeout``: it is doing this very work)."""
    wanted = set(document_ids) if document_ids is not None else None
    done = 0
    store = FileStore.from_app()
    try:
        with exclusive(_lock_path(EXTRACT_LOCK), lock_timeout), Session(db.engine) as session:
            while True:
                # Under the lock: what another process read meanwhile is not read again.
                stored = session.scalars(_missing_text(wanted)).first()
                if stored is None:
                    break
                sha256, mime = stored.sha256, stored.mime
                session.rollback()  # no transaction stays open while the child works
                result = extract(store.path_for(sha256), mime)
                _insert_once(session, BlobText(
                    sha256=sha256, text=result.text, text_searchable=result.text_searchable,
                    reason=result.reason[:128], extracted_at=utcnow()))
                for document_id in _documents_using(session, sha256):
                    session.add(SearchJob(kind=KIND_INCOMING, document_id=document_id,
                                          enqueued_at=utcnow()))
                session.commit()
                done += 1
                log.info("search: read %s (%s): %s characters, %s", sha256[:12], mime,
                         len(result.text), result.reason)
    except LockTimeout:
        return 0
    if done and then_drain:
        drain()
    return done


def settle() -> int:
    """Everything up to date, synchronously: read every file lacking its text, then
    apply every queued job. Returns how many jobs were applied."""
    extract_missing(then_drain=False)
    return drain()


class _Extractor:
    """The one background extraction thread of a process. Commits hand it the ids of
    the documents they queued; it runs ``extract_missing`` for them until no more come,
    then ends (a later commit starts it again)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted: set[int] = set()
        self.thread: threading.Thread | None = None

    def kick(self, app: Flask, document_ids: Iterable[int]) -> None:
        with self._lock:
            self._wanted.update(document_ids)
            if self.thread is not None:  # running: it will see the new ids
                return
            self.thread = threading.Thread(target=self._run, args=(app,), daemon=True,
                                           name="search-extract")
            self.thread.start()

    def _run(self, app: Flask) -> None:
        while True:
            with self._lock:
                wanted, self._wanted = self._wanted, set()
                if not wanted:
                    self.thread = None
                    return
            with app.app_context():
                try:
                    extract_missing(wanted)
                except Exception:  # noqa: BLE001 - the worker and the next commit retry
                    log.exception("search: background extraction failed")
                finally:
                    db.session.remove()


def kick(app: Flask, document_ids: Iterable[int]) -> None:
    """Have this process's background thread read the files of these documents."""
    extractor = app.extensions.setdefault(_EXTRACTOR, _Extractor())
    extractor.kick(app, document_ids)


def background_extractor(app: Flask) -> threading.Thread | None:
    """The running extraction thread of ``app``'s process, if any (tests wait on it)."""
    extractor = app.extensions.get(_EXTRACTOR)
    return extractor.thread if extractor is not None else None


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
    atomically: searches keep working meanwhile) with the file texts read so far.
    Returns the number indexed."""
    with exclusive(_lock_path()), Session(db.engine) as session:
        count = get_backend().rebuild(
            (indexed_doc(d, session) for d in _documents(session)), progress=progress)
        session.commit()
        # Changes committed while we read are in the queue: apply them now, still
        # holding the lock, so that no older read lands after a newer one.
        _drain_locked(BATCH)
    return count


def reindex_with_bar() -> int:
    """The ``reindex`` command: read the files never read, then rebuild."""
    extract_missing()
    total = indexable_count()
    with click.progressbar(length=total, label="Lập chỉ mục", show_pos=True) as bar:
        last = [0]

        def progress(n: int) -> None:
            bar.update(n - last[0])
            last[0] = n

        return reindex(progress)
