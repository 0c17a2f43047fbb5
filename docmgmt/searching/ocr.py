"""Scans read by OCR: the searchable copy, the files waiting, the backlog figure.

A scanned file (an image, a PDF with next to no text) is read by OCRmyPDF with
tesseract's Vietnamese data (``search.extract``) in the extraction step of the
background worker (``indexing.extract_missing``; never in a request, and not in a web
process's after-commit thread, which leaves scans to the worker). Two things come of it,
kept in one transaction with the text:

* the text, in ``blob_text`` (reason ``ocr``), to the index as for any file;
* the copy with a text layer, a blob of its own named by ``ocr_copy`` against the
  original's content hash. The document's page offers it beside the original, through
  the same access check and access log (``scans``). The original is never changed.

A scan that could not be read *yet* keeps a reason that says so, and is read again by
the next extraction step that can (``reopen``):

* ``ocr-deferred`` — read where OCR is not allowed (a web process's thread);
* ``ocr-unavailable`` — OCRmyPDF, Ghostscript or tesseract's ``vie`` data is missing:
  read as soon as they are installed (looked up again every minute).

Other ``ocr-…`` reasons are failures (timeout, memory, unreadable file, no text found):
not retried by themselves (``flask search ocr --retry-failed`` does).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, scoped_session

from search.extract import OCR_DONE, OCR_UNAVAILABLE, OCR_WAITING, Extraction, Ocr, ocr_missing

from ..core.errors import ValidationFailed
from ..core.timeutil import utcnow
from ..extensions import db
from ..files.models import StoredFile
from ..files.store import record_blob
from . import kinds
from .models import BlobText, OcrCopy

log = logging.getLogger(__name__)

PDF = "application/pdf"
# Files of these types not read yet may be scans: they count as waiting.
SCAN_TYPES = (PDF, "image/jpeg", "image/png", "image/tiff")
# The copy may be a little larger than the original (the text layer); never refused for it.
COPY_MAX_FACTOR = 2

# What a person is told about a scan.
WAITING_LABEL = _l("chờ nhận dạng chữ (OCR)")
FAILED_LABELS = {
    "ocr-timeout": _l("nhận dạng chữ quá lâu, đã dừng"),
    "ocr-memory": _l("tệp quá lớn để nhận dạng chữ"),
    "ocr-unreadable": _l("không đọc được ảnh quét"),
    "ocr-encrypted": _l("tệp có mật khẩu"),
    "ocr-empty": _l("không nhận ra chữ nào"),
}
FAILED_LABEL = _l("không nhận dạng được chữ")


# --- settings and the work area -------------------------------------------------------------

def settings() -> tuple[str, str]:
    """(the OCRmyPDF command, tesseract's language) from the configuration."""
    config = current_app.config
    return config.get("SEARCH_OCR_COMMAND", "ocrmypdf"), config.get("SEARCH_OCR_LANGUAGE", "vie")


def tools_missing() -> str | None:
    """Why scans cannot be read on this machine, or None (they can)."""
    return ocr_missing(*settings())


@contextlib.contextmanager
def workspace(allowed: bool) -> Iterator[Ocr | None]:
    """OCR for one file, in a folder of its own that goes afterwards (whatever OCRmyPDF
    left there, killed or not); None where OCR is not allowed."""
    if not allowed:
        yield None
        return
    command, language = settings()
    with tempfile.TemporaryDirectory(prefix="xaso-ocr-") as folder:
        yield Ocr(Path(folder), command, language)


# --- the extraction step's part ---------------------------------------------------------------

def reopen(session: Session) -> int:
    """Under the extraction lock, before reading: the scans whose reading was put off
    (``ocr-deferred``), and those that waited for the tools if these are here now, lose
    their row and so are read again, now. Returns how many."""
    waiting = set(session.scalars(sa.select(BlobText.reason).where(BlobText.reason.in_(OCR_WAITING))
                                  .group_by(BlobText.reason)))
    if OCR_UNAVAILABLE in waiting and tools_missing() is not None:
        waiting.discard(OCR_UNAVAILABLE)
    if not waiting:  # the common case: no write, no lock taken
        session.rollback()
        return 0
    count = _deleted(session, sa.delete(BlobText).where(BlobText.reason.in_(sorted(waiting))))
    session.commit()
    log.info("search: %s scan(s) to read again (%s)", count, ", ".join(sorted(waiting)))
    return count


def keep_copy(session: Session, sha256: str, result: Extraction, ocr: Ocr | None) -> str | None:
    """Keep OCR's copy with a text layer as a blob named against the original's hash, in
    ``session``'s transaction (with the text). Returns the copy's hash, or None when
    there is none (or the store refuses it: the text is kept all the same)."""
    if result.searchable_copy is None or ocr is None:
        return None
    limit = current_app.config["MAX_UPLOAD_BYTES"] * COPY_MAX_FACTOR
    try:
        with open(result.searchable_copy, "rb") as f:
            copy_sha, _size, _mime = record_blob(session, f, {PDF}, max_bytes=limit)
    except (OSError, ValidationFailed) as exc:
        log.warning("search: the searchable copy of %s is not kept: %s", sha256[:12], exc)
        return None
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"sha256": sha256, "searchable_sha256": copy_sha, "made_by": _made_by(ocr), "created_at": utcnow()}
    session.execute(dialect.insert(OcrCopy).values(**values).on_conflict_do_update(
        index_elements=["sha256"], set_={k: values[k] for k in ("searchable_sha256", "made_by", "created_at")}))
    return copy_sha


def _made_by(ocr: Ocr) -> str:
    return f"{Path(ocr.command).name} ({ocr.language})"[:128]


# --- what a page shows -----------------------------------------------------------------------

@dataclass(frozen=True)
class FileOcr:
    """A scan's state, for its document's page."""

    state: str  # "read" | "waiting" | "failed"
    reason: str = ""
    copy_sha256: str | None = None  # read: the copy with the text layer

    @property
    def label(self) -> str:
        if self.state == "waiting":
            return str(WAITING_LABEL)
        if self.state == "failed":
            return str(FAILED_LABELS.get(self.reason, FAILED_LABEL))
        return ""


def state_of(stored: StoredFile, session: Session | scoped_session[Any] | None = None) -> FileOcr | None:
    """What OCR did, or will do, with this file; None for a file that is not a scan (or
    not one the index reads)."""
    session = session if session is not None else db.session
    row = session.get(BlobText, stored.sha256)
    if row is None:
        # Not read yet: a scan type waits for the extraction step, if the index reads it.
        if stored.mime not in SCAN_TYPES or not _read_by_the_index(session, stored.id):
            return None
        return FileOcr("waiting")
    if row.reason in OCR_WAITING:
        return FileOcr("waiting", row.reason)
    if row.reason == OCR_DONE:
        copy = session.get(OcrCopy, stored.sha256)
        return FileOcr("read", row.reason, copy.searchable_sha256 if copy is not None else None)
    if row.reason.startswith("ocr-"):
        return FileOcr("failed", row.reason)
    return None


def _read_by_the_index(session: Session | scoped_session[Any], file_id: int) -> bool:
    files = kinds.text_files().subquery()
    return session.scalar(sa.select(files.c.file_id).where(files.c.file_id == file_id).limit(1)) is not None


def waiting_records(hit_ids: Iterable[str], session: Session | scoped_session[Any] | None = None) -> set[str]:
    """Of these index ids ("incoming:12"), those with a file waiting for OCR."""
    session = session if session is not None else db.session
    by_source: dict[str, dict[int, str]] = {}
    for hit_id in hit_ids:
        kind, _, number = hit_id.partition(":")
        source = kinds.SOURCE_OF.get(kind)
        if source is not None and (number.isdecimal() and len(number) <= 18):
            by_source.setdefault(source.name, {})[int(number)] = hit_id
    if not by_source:
        return set()
    files = kinds.text_files().subquery()
    wanted = sa.or_(*(sa.and_(files.c.kind == name, files.c.record_id.in_(sorted(ids)))
                      for name, ids in by_source.items()))
    waiting = sa.or_(BlobText.reason.in_(OCR_WAITING),
                     sa.and_(BlobText.sha256.is_(None), StoredFile.mime.in_(SCAN_TYPES)))
    rows = session.execute(
        sa.select(files.c.kind, files.c.record_id).distinct()
        .join(StoredFile, StoredFile.id == files.c.file_id)
        .outerjoin(BlobText, BlobText.sha256 == StoredFile.sha256)
        .where(wanted, waiting))
    return {by_source[kind][record_id] for kind, record_id in rows if record_id in by_source.get(kind, {})}


# --- the backlog figure ------------------------------------------------------------------------

@dataclass
class Backlog:
    """The scans the index reads (distinct contents), by what OCR made of them."""

    read: int = 0
    waiting: int = 0
    failed: int = 0
    missing_tools: str | None = None  # why scans cannot be read here (None: they can)

    @property
    def total(self) -> int:
        return self.read + self.waiting + self.failed

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "waiting": self.waiting, "failed": self.failed,
                "ocr_available": self.missing_tools is None, "missing": self.missing_tools}


def classify(reason: str | None, mime: str) -> str | None:
    """"read", "waiting", "failed", or None (not a scan) for a file of type ``mime``
    whose text row says ``reason`` (None: not read yet)."""
    if reason is None:
        return "waiting" if mime in SCAN_TYPES else None
    if reason in OCR_WAITING:
        return "waiting"
    if reason == OCR_DONE:
        return "read"
    if reason.startswith("ocr-"):
        return "failed"
    return None


def backlog(organisation_id: int | None = None, session: Session | scoped_session[Any] | None = None) -> Backlog:
    """How many of the scanned files the index reads (those of one organisation, or of
    all) are read, waiting, or failed."""
    session = session if session is not None else db.session
    files = kinds.text_files().subquery()
    contents = sa.select(StoredFile.sha256, StoredFile.mime).join(files, files.c.file_id == StoredFile.id)
    if organisation_id is not None:
        contents = contents.where(StoredFile.organisation_id == organisation_id)
    shas = contents.distinct().subquery()
    figure = Backlog(missing_tools=tools_missing())
    for reason, mime, count in session.execute(
            sa.select(BlobText.reason, shas.c.mime, sa.func.count())
            .select_from(shas).outerjoin(BlobText, BlobText.sha256 == shas.c.sha256)
            .group_by(BlobText.reason, shas.c.mime)):
        state = classify(reason, mime)
        if state is not None:
            setattr(figure, state, getattr(figure, state) + count)
    return figure


def retry_failed(session: Session | scoped_session[Any] | None = None) -> int:
    """Forget the failed readings of scans, so that the next extraction step tries them
    again (after the tools or limits changed). Returns how many."""
    session = session if session is not None else db.session
    failed = sa.and_(BlobText.reason.like("ocr-%"), BlobText.reason.not_in(OCR_WAITING))
    count = _deleted(session, sa.delete(BlobText).where(failed))
    session.commit()
    return count


def _deleted(session: Session | scoped_session[Any], statement: sa.Delete) -> int:
    result = cast(CursorResult, session.execute(statement))
    return result.rowcount or 0

