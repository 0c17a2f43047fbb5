"""Writing and reading blobs on disk.

A blob is streamed into a temporary file inside the store (same file system), hashed on
the way, checked (size, type by content), fsync'ed and renamed into place, then the
directory is fsync'ed: a crash leaves either the whole file or nothing visible. Bytes
are written before the database row commits, so a committed row never points at a
missing file; if the transaction rolls back, the bytes it wrote are removed again
unless another transaction has meanwhile recorded the same content.

Recording a blob and removing one take the same per-blob lock (:func:`_lock_blob`: the
database write lock on SQLite, an advisory lock on PostgreSQL), held until the end of
the transaction: a recorder upserts the ``blob`` row and only then puts the bytes in
place (or finds them there); a remover (:func:`release_blob`, after a rollback or when
unattached files are pruned) deletes an unreferenced row and the bytes under the lock.
So bytes are never removed while another transaction is recording the same content,
and a recorder that comes after a removal writes the bytes again.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.errors import ValidationFailed
from ..core.text import clean
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Blob, StoredFile

CHUNK = 1024 * 1024

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# What a commune office uploads: scans, PDFs, Word documents, and edXML packages.
ALLOWED_MIME = {
    "application/pdf": (".pdf",),
    DOCX_MIME: (".docx",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/tiff": (".tif", ".tiff"),
    "application/xml": (".xml", ".edxml"),
}


def detect_mime(head: bytes, path: Path) -> str | None:
    """The type from the content, never from the file name."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ("image/jpeg", "image/png", "image/tiff"):
        return kind.mime
    if head.startswith(b"PK\x03\x04") and _is_docx(path):
        return DOCX_MIME
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<edXML"):
        return "application/xml"
    return None


# A Word document has a few dozen parts; a zip of a million tiny entries would cost
# the web process seconds and hundreds of MB just to list (the sandbox looks inside).
MAX_DOCX_ENTRIES = 5000


def _is_docx(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 65_557))  # the end record and its longest comment
            tail = f.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or int.from_bytes(tail[end + 10:end + 12], "little") > MAX_DOCX_ENTRIES:
            return False  # no end record, too many entries, or ZIP64 (0xFFFF): not Word's
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


@dataclass
class FileStore:
    root: Path
    max_bytes: int

    @classmethod
    def from_app(cls) -> FileStore:
        return cls(Path(current_app.config["FILE_STORE_DIR"]), current_app.config["MAX_UPLOAD_BYTES"])

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def tmp_dir(self) -> Path:
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def check(self) -> dict:
        """Health: the store exists and accepts an atomic write."""
        try:
            probe = self.tmp_dir() / f"healthz-{os.getpid()}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True}

    def write_blob(self, stream: BinaryIO, allowed: set[str] | None = None) -> tuple[str, int, str, bool]:
        """Stream bytes into place. Returns (sha256, size, mime, newly_written)."""
        tmp, sha, size, mime = self.receive(stream, allowed)
        return sha, size, mime, self.place(tmp, sha)

    def receive(self, stream: BinaryIO, allowed: set[str] | None = None) -> tuple[Path, str, int, str]:
        """Stream bytes into a temporary file of the store, hashed and checked (size,
        type by content). Returns (temporary path, sha256, size, mime)."""
        allowed = set(ALLOWED_MIME) if allowed is None else allowed
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir(), prefix="up-")
        tmp = Path(tmp_name)
        try:
            head = b""
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ValidationFailed(
                            "file_too_large",
                            _("Tệp vượt quá dung lượng cho phép (%(mb)d MB).",
                              mb=self.max_bytes // (1024 * 1024)),
                            "file",
                        )
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise ValidationFailed("file_empty", _("Tệp rỗng."), "file")
            mime = detect_mime(head, tmp)
            if mime is None or mime not in allowed:
                raise ValidationFailed(
                    "file_type",
                    _("Định dạng tệp không được chấp nhận. Chỉ nhận: %(types)s.",
                      types=", ".join(sorted({e for m in allowed for e in ALLOWED_MIME[m]}))),
                    "file",
                )
            return tmp, digest.hexdigest(), size, mime
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def place(self, tmp: Path, sha: str) -> bool:
        """Move received bytes into place; False (temporary file dropped) when they are
        there already."""
        final = self.path_for(sha)
        try:
            if final.exists():
                tmp.unlink()
                return False
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            fsync_dir(final.parent)
            return True
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (the directory entry itself)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_file(
    stream: BinaryIO | bytes,
    original_name: str,
    *,
    organisation_id: int,
    uploaded_by_id: int | None,
    allowed: set[str] | None = None,
) -> StoredFile:
    """Store an upload in the current transaction and return its record."""
    if isinstance(stream, bytes | bytearray):
        stream = io.BytesIO(stream)
    name = clean(os.path.basename(original_name or "").replace("\x00", "")) or "tep"
    sha, size, mime = record_blob(db.session, stream, allowed)
    stored = StoredFile(
        organisation_id=organisation_id, sha256=sha, original_name=name[:255], mime=mime,
        size=size, uploaded_by_id=uploaded_by_id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def record_blob(session, stream: BinaryIO, allowed: set[str] | None = None,
                max_bytes: int | None = None) -> tuple[str, int, str]:
    """Put bytes in the store and record their blob in ``session``'s transaction:
    hashed, checked, under the per-blob lock, placed atomically, and removed again if
    the transaction rolls back. ``store_file`` names the blob with a file record; a
    derived copy (OCR's searchable copy) is named by its own row instead, a foreign key
    to ``blob.sha256`` (``blob_names``). Returns (sha256, size, mime)."""
    store = FileStore.from_app()
    if max_bytes is not None:
        store = FileStore(store.root, max_bytes)
    tmp, sha, size, mime = store.receive(stream, allowed)
    try:
        _lock_blob(session, session.get_bind().dialect.name, sha)
        _insert_blob_once(sha, size, mime, session)  # on SQLite, this takes the write lock
        new = store.place(tmp, sha)  # only now: a removal of these bytes is over or waits
    finally:
        tmp.unlink(missing_ok=True)
    if new:
        _written_in(session).append(sha)
    return sha, size, mime


def blob_names() -> list[sa.Column]:
    """Every column that names a blob (a foreign key to ``blob.sha256``), read from the
    schema: file records, and the rows of derived copies."""
    return sorted((fk.parent for table in db.metadata.tables.values() for fk in table.foreign_keys
                   if fk.column.table.name == Blob.__tablename__ and fk.column.name == "sha256"),
                  key=lambda c: (c.table.name, c.name))


def unnamed_blob(sha) -> sa.ColumnElement[bool]:
    """The SQL condition "no row names the blob ``sha``" (a hash, or a column of one)."""
    return sa.and_(*(~sa.exists().where(column == sha) for column in blob_names()))


def _insert_blob_once(sha: str, size: int, mime: str, session=None) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two people uploading the same scan at once
    must both succeed."""
    from sqlalchemy.dialects import postgresql, sqlite

    session = session if session is not None else db.session
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Blob).values(sha256=sha, size=size, mime=mime, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def _lock_blob(executor, dialect: str, sha: str) -> None:
    """The per-blob lock, until the end of the transaction (see the module docstring).
    SQLite has one write lock for the whole database, taken by the transaction's first
    write; PostgreSQL gets an advisory lock on the hash."""
    if dialect == "postgresql":
        key = int.from_bytes(bytes.fromhex(sha[:16]), "big", signed=True)
        executor.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def release_blob(sha: str, engine=None) -> bool:
    """Remove a blob nothing names any more (no file record, no derived copy's row):
    its row, then its bytes once no row is left. Its own transaction, under the per-blob
    lock, so bytes another transaction is recording are never removed. True if the
    bytes were removed."""
    store = FileStore.from_app()
    engine = engine if engine is not None else db.engine
    with engine.begin() as conn:
        _lock_blob(conn, conn.dialect.name, sha)
        # The first write of the transaction: on SQLite it waits for the write lock.
        conn.execute(sa.delete(Blob).where(Blob.sha256 == sha, unnamed_blob(sha)))
        if conn.execute(sa.select(Blob.sha256).where(Blob.sha256 == sha)).first() is not None:
            return False
        path = store.path_for(sha)
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed


def _written_in(session) -> list[str]:
    return session.info.setdefault("xaso_new_blobs", [])


@event.listens_for(Session, "after_commit")
def _forget_blobs(session) -> None:
    session.info.pop("xaso_new_blobs", None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_orphan_blobs(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the transaction (and the write lock) goes on
    written = session.info.pop("xaso_new_blobs", None)
    if not written:
        return
    engine = session.get_bind()
    for sha in written:
        try:
            release_blob(sha, engine)
        except sa.exc.DBAPIError as exc:  # e.g. the lock not had in time: harmless debris
            current_app.logger.warning("blob %s left for `check --repair`: %s", sha, exc)


def orphans_and_missing() -> tuple[list[Path], list[str]]:
    """Files on disk with no record, and records with no file (both should be empty)."""
    store = FileStore.from_app()
    known = set(db.session.scalars(sa.select(Blob.sha256)))
    on_disk = {
        p.name: p for p in store.root.glob("??/??/*") if p.is_file() and len(p.name) == 64
    }
    orphans = [p for sha, p in on_disk.items() if sha not in known]
    missing = sorted(sha for sha in known if sha not in on_disk)
    return orphans, missing
