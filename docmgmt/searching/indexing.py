"""Keeping the index in step with the database, through one writer, losing nothing.

What the index holds — every kind of record, each with the readers its page's rule
gives it — is written once, in ``kinds``: a job names a source (``search_job.kind``:
incoming, outgoing, agenda, meeting, dossier) and a record id; applying it reads that
record afresh through its source. Each module's signal (``core.signals``) queues its
records: ``on_incoming``, ``on_outgoing``, ``on_meeting``, ``on_dossier``.

The path of a change::

    operation ──signal──▶ enqueue(): INSERT search_job      (same transaction)
    COMMIT ──after_commit──▶ drain(): under <index>/drain.lock
                                read jobs → read records → index/delete → DELETE jobs
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

    extract_missing(): one file at a time, each under <index>/extract.lock
        a file lacking blob_text → search.extract (sandboxed child, limits, text cap)
        → INSERT blob_text + a search_job for each record using it  (one transaction)
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
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

from search.backend import IndexedDoc
from search.extract import extract, looks_scanned
from search.locking import LockTimeout, exclusive

from ..core.timeutil import utcnow
from ..extensions import db
from ..files.models import StoredFile
from ..files.store import FileStore
from ..incoming.models import IncomingDocument
from ..outgoing.models import OutgoingDocument
from ..records.models import Dossier
from ..records.workflow import DossierStatus
from . import kinds, ocr
from .backend import get_backend
from .kinds import BATCH, SOURCE_OF, SOURCES
from .models import BlobText, SearchJob

log = logging.getLogger(__name__)

KIND_INCOMING = kinds.INCOMING
DRAIN_LOCK = "drain.lock"
EXTRACT_LOCK = "extract.lock"
# A drain after a commit waits this long for another process's drain; if that one is
# still busy after this, it will have picked up our job in its own loop (it reads the
# job table again before it lets go).
AFTER_COMMIT_LOCK_WAIT_S = 10.0
_PENDING = "xaso_search_pending"  # session.info: the (kind, record id) queued in this transaction
_EXTRACTOR = "xaso_search_extractor"  # app.extensions: the background extraction thread

Job = tuple[str, int]  # (the source's name, the record's id)


# --- the outbox -------------------------------------------------------------------------

def enqueue(kind: str, document_id: int) -> None:
    """Record, inside the current transaction, that a record must be (re)indexed."""
    source = SOURCE_OF[kind].name
    db.session.add(SearchJob(kind=source, document_id=document_id, enqueued_at=utcnow()))
    db.session.info.setdefault(_PENDING, set()).add((source, document_id))


def _flushed(obj: Any) -> int:
    if obj.id is None:
        db.session.flush()
    return obj.id


def on_incoming(doc: IncomingDocument, **_kw) -> None:
    """Subscriber of incoming_registered / incoming_changed. Confidential entries get a
    job too: applying it removes any trace (e.g. of an entry made confidential)."""
    enqueue(kinds.INCOMING, _flushed(doc))


def on_outgoing(doc: OutgoingDocument, **_kw) -> None:
    """Subscriber of outgoing_changed / outgoing_issued / outgoing_recalled."""
    enqueue(kinds.OUTGOING, _flushed(doc))


def on_meeting(meeting: Any, *, removed_documents: Iterable[int] = (), **_kw) -> None:
    """Subscriber of meeting_changed: the meeting, every agenda document it holds (their
    readers are its participants), those just taken off (to leave the index) and its
    biên bản (indexed with the meeting's title)."""
    enqueue(kinds.MEETING, _flushed(meeting))
    if meeting.minutes_draft_id:
        enqueue(kinds.OUTGOING, meeting.minutes_draft_id)
    for item in meeting.items:
        for document in item.documents:
            enqueue(kinds.AGENDA, _flushed(document))
    for document_id in removed_documents:
        enqueue(kinds.AGENDA, document_id)


def on_dossier(dossier: Dossier, **_kw) -> None:
    """Subscriber of dossier_changed. A row of the plan not yet opened is never indexed
    (and no dossier goes back to being one): nothing to do for it."""
    if dossier.status != DossierStatus.PLANNED.value:
        enqueue(kinds.DOSSIER, _flushed(dossier))


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


# --- from a record to what the index sees ------------------------------------------------

_SOURCE_BY_MODEL = {s.model: s for s in SOURCES.values()}


def indexed_doc(obj: Any, session: Session | scoped_session[Any]) -> IndexedDoc:
    """What the index holds of one record (of any kind): its metadata and the cached text
    of its files (a file not read yet adds its text later, through a job of the
    extraction step)."""
    return _SOURCE_BY_MODEL[type(obj)].build(session, [obj])[0]  # type: ignore[arg-type]


def acl_of(obj: Any) -> list[str]:
    """The principals that may open ``obj``: its kind's own rule (the tokens its page
    decides by)."""
    return _SOURCE_BY_MODEL[type(obj)].rule.tokens(obj)  # type: ignore[attr-defined]


def remember_text(session: Session | scoped_session[Any], sha256: str, text: str, pages: int = 1) -> None:
    """Keep text already extracted elsewhere (the registration's sandboxed PDF check), so
    indexing does not read the same file a second time. A scan's few letters (none, a
    stamp, page numbers) are not kept: it still goes through extract() and its OCR."""
    if text.strip() and not looks_scanned(text, pages):
        _insert_once(session, BlobText(sha256=sha256, text=unicodedata.normalize("NFC", text),
                                       text_searchable=True, reason="ok", extracted_at=utcnow()))


def on_file_text(_stored: StoredFile, *, session: Session | scoped_session[Any], sha256: str,
                 text: str, pages: int = 1, **_kw) -> None:
    """Subscriber of file_text_extracted: the registration's check read the text."""
    remember_text(session, sha256, text, pages)


def _insert_once(session: Session | scoped_session[Any], row: BlobText) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two processes may extract the same file."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {c.key: getattr(row, c.key) for c in BlobText.__table__.columns}
    session.execute(dialect.insert(BlobText).values(**values).on_conflict_do_nothing(
        index_elements=["sha256"]))


def indexable_count() -> int:
    """How many records the index should hold: every indexable one of every kind."""
    session = db.session()
    return sum(source.count(session) for source in SOURCES.values())


# --- applying the outbox ----------------------------------------------------------------

def _lock_path(name: str = DRAIN_LOCK) -> Path:
    return get_backend().root / name  # the backend creates the folder


def _wanted(files: Any, wanted: Iterable[Job]) -> sa.ColumnElement[bool]:
    by_kind: dict[str, set[int]] = {}
    for kind, record_id in wanted:
        by_kind.setdefault(SOURCE_OF[kind].name, set()).add(record_id)
    if not by_kind:
        return sa.false()
    return sa.or_(*(sa.and_(files.c.kind == kind, files.c.record_id.in_(sorted(ids)))
                    for kind, ids in by_kind.items()))


def missing_text(wanted: Iterable[Job] | None = None) -> sa.Select:
    """``SELECT stored_file`` of the files of indexable records, of every kind (those of the
    ``wanted`` records only, if given), whose text has not been read yet."""
    files = kinds.text_files().subquery()
    query = (
        sa.select(StoredFile).join(files, files.c.file_id == StoredFile.id)
        .outerjoin(BlobText, BlobText.sha256 == StoredFile.sha256)
        .where(BlobText.sha256.is_(None))
        .order_by(StoredFile.id)
    )
    if wanted is not None:
        query = query.where(_wanted(files, wanted))
    return query


def _missing_text(wanted: Iterable[Job] | None) -> sa.Select:
    """The next file to read (one at a time)."""
    return missing_text(wanted).limit(1)


def _documents_using(session: Session, sha256: str) -> list[Job]:
    """The indexable records, of every kind, whose text includes this content's."""
    files = kinds.text_files().subquery()
    return [(kind, record_id) for kind, record_id in session.execute(
        sa.select(files.c.kind, files.c.record_id).distinct()
        .join(StoredFile, StoredFile.id == files.c.file_id)
        .where(StoredFile.sha256 == sha256))]


def extract_missing(wanted: Iterable[Job] | None = None, *, lock_timeout: float | None = None,
                    then_drain: bool = True, with_ocr: bool = True, budget_s: float | None = None) -> int:
    """The extraction step: read, one file at a time, the text of every file (of the
    ``wanted`` records — (kind, id) pairs —, or of all) that has none yet; keep it and
    queue the records using it; then drain. Returns how many files were read (0 if
    another process holds the lock longer than ``lock_timeout``: it is doing this very
    work). Scans are read by OCR only ``with_ocr`` (``searching.ocr``: the worker, the
    commands); a full step first takes up again the scans that waited for it.

    The lock is taken for one file at a time, so another process's new file waits for
    one file, never for a backlog of scans; with ``budget_s`` no new file is started
    after that many seconds (one is always read) (the worker's other jobs run in between, the rest waits for
    its next pass)."""
    wanted = set(wanted) if wanted is not None else None
    done = 0
    store = FileStore.from_app()
    started = time.monotonic()
    reopen = with_ocr and wanted is None
    try:
        while True:
            with exclusive(_lock_path(EXTRACT_LOCK), lock_timeout), Session(db.engine) as session:
                if reopen:
                    ocr.reopen(session)
                    reopen = False
                # Under the lock: what another process read meanwhile is not read again.
                stored = session.scalars(_missing_text(wanted)).first()
                if stored is None:
                    break
                sha256, mime = stored.sha256, stored.mime
                session.rollback()  # no transaction stays open while the child works
                with ocr.workspace(with_ocr) as scans:
                    result = extract(store.path_for(sha256), mime, ocr=scans)
                    _insert_once(session, BlobText(
                        sha256=sha256, text=result.text, text_searchable=result.text_searchable,
                        reason=result.reason[:128], extracted_at=utcnow()))
                    ocr.keep_copy(session, sha256, result, scans)  # the copy with a text layer
                for kind, record_id in _documents_using(session, sha256):
                    session.add(SearchJob(kind=kind, document_id=record_id, enqueued_at=utcnow()))
                session.commit()
                done += 1
                log.info("search: read %s (%s): %s characters, %s %s", sha256[:12], mime,
                         len(result.text), result.reason, result.detail)
            if budget_s is not None and time.monotonic() - started >= budget_s:
                break
    except LockTimeout:
        pass  # another process is at it: what it reads is not read twice
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
    the records they queued ((kind, id) pairs); it runs ``extract_missing`` for them
    until no more come, then ends (a later commit starts it again)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted: set[Job] = set()
        self.thread: threading.Thread | None = None

    def kick(self, app: Flask, records: Iterable[Job]) -> None:
        with self._lock:
            self._wanted.update(records)
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
                    extract_missing(wanted, with_ocr=False)  # scans: the worker's OCR
                except Exception:  # noqa: BLE001 - the worker and the next commit retry
                    log.exception("search: background extraction failed")
                finally:
                    db.session.remove()


def kick(app: Flask, records: Iterable[Job]) -> None:
    """Have this process's background thread read the files of these records."""
    extractor = app.extensions.setdefault(_EXTRACTOR, _Extractor())
    extractor.kick(app, records)


def background_extractor(app: Flask) -> threading.Thread | None:
    """The running extraction thread of ``app``'s process, if any (tests wait on it)."""
    extractor = app.extensions.get(_EXTRACTOR)
    return extractor.thread if extractor is not None else None


def _apply_batch(session: Session, limit: int) -> int:
    """Apply up to ``limit`` queued jobs; returns how many job rows it consumed."""
    jobs = session.scalars(sa.select(SearchJob).order_by(SearchJob.id).limit(limit)).all()
    if not jobs:
        return 0
    wanted: dict[str, set[int]] = {}
    for job in jobs:
        wanted.setdefault(SOURCE_OF[job.kind].name, set()).add(job.document_id)
    docs: list[IndexedDoc] = []
    gone: list[str] = []
    for name, ids in wanted.items():
        source = SOURCES[name]
        built = list(source.docs(session, ids))
        docs += built
        # Every other id the records may have had (gone, made confidential, or indexed
        # as another kind of the same table): make sure the index holds no trace.
        now = {d.id for d in built}
        gone += [i for record_id in sorted(ids) for i in source.index_ids(record_id) if i not in now]
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
            (doc for source in SOURCES.values() for doc in source.docs(session)), progress=progress)
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
