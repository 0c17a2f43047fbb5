"""Writing and reading blobs on disk.

A blob is streamed into a temporary file inside the store (same file system), hashed on
the way, checked (size, type by content), fsync'ed and renamed into place, then the
directory is fsync'ed: a crash leaves either the whole file or nothing visible. Bytes
are written before the database row commits, so a committed row never points at a
missing file; if the transaction rolls back, the bytes it wrote are removed again
unless another transaction has meanwhile recorded the same content.
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


def _is_docx(path: Path) -> bool:
    try:
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
            sha = digest.hexdigest()
            final = self.path_for(sha)
            if final.exists():
                tmp.unlink()
                return sha, size, mime, False
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return sha, size, mime, True
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")


def _fsync_dir(path: Path) -> None:
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
    store = FileStore.from_app()
    sha, size, mime, new = store.write_blob(stream, allowed)
    if new:
        _written_in(db.session).append(sha)
    _insert_blob_once(sha, size, mime)
    stored = StoredFile(
        organisation_id=organisation_id, sha256=sha, original_name=name[:255], mime=mime,
        size=size, uploaded_by_id=uploaded_by_id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def _insert_blob_once(sha: str, size: int, mime: str) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two people uploading the same scan at once
    must both succeed."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(Blob).values(sha256=sha, size=size, mime=mime, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def _written_in(session) -> list[str]:
    return session.info.setdefault("xaso_new_blobs", [])


@event.listens_for(Session, "after_commit")
def _forget_blobs(session) -> None:
    session.info.pop("xaso_new_blobs", None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_orphan_blobs(session, previous_transaction) -> None:
    written = session.info.pop("xaso_new_blobs", None)
    if not written:
        return
    store = FileStore.from_app()
    engine = session.get_bind()
    with engine.connect() as conn:
        for sha in written:
            recorded = conn.execute(sa.select(Blob.sha256).where(Blob.sha256 == sha)).first()
            if recorded is None:
                store.path_for(sha).unlink(missing_ok=True)


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
