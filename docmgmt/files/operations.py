"""Uploading and reading stored files, with access decided in one place; and the
cleaning of uploads that nothing uses.

A file uploaded on its own (``POST /api/v1/files``) belongs to no document. Until
something refers to it (an incoming document's file, a draft version, a signed or
issued copy, a meeting document… any foreign key to ``stored_file``), it is
*unattached*: each person may keep only a few of those at a time (``upload``: at most
``FILES_PENDING_MAX`` files and ``FILES_PENDING_MAX_MB`` MB, else ``upload_quota``), and
:func:`prune_unattached` (``flask files prune``, and the worker every hour) removes
those older than ``FILES_UNATTACHED_GRACE_HOURS`` — the record, with an audit entry
naming it, and the bytes once no other record shares them (``store.release_blob``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app, send_file
from flask_babel import gettext as _

from ..audit.operations import record
from ..core.access import load
from ..core.errors import ValidationFailed, not_found
from ..core.timeutil import utcnow
from ..extensions import db
from ..org.models import User
from .models import Blob, StoredFile
from .sandbox import check_upload
from .store import FileStore, release_blob, store_file, unnamed_blob

# Domain modules that attach files (incoming documents, drafts, meetings) register a
# check here: "may this user read this file because of what it is attached to?"
ACCESS_CHECKS: list[Callable[[User, StoredFile], bool]] = []


def can_read(user: User, stored: StoredFile) -> bool:
    if stored.organisation_id != user.organisation_id or not user.active:
        return False
    if stored.uploaded_by_id == user.id:
        return True
    return any(check(user, stored) for check in ACCESS_CHECKS)


def upload(actor: User, stream: BinaryIO | bytes, name: str) -> StoredFile:
    """A file on its own, attached to nothing yet: counted against the uploader's quota
    of unattached files (checked again once stored, so concurrent uploads cannot pass
    it together: on SQLite the store's write lock orders them)."""
    if pending_uploads(actor)[0] >= current_app.config["FILES_PENDING_MAX"]:
        raise _quota_refusal()
    stored = store_file(stream, name, organisation_id=actor.organisation_id,
                        uploaded_by_id=actor.id)
    count, size = pending_uploads(actor)
    if count > current_app.config["FILES_PENDING_MAX"] or \
            size > current_app.config["FILES_PENDING_MAX_MB"] * 1024 * 1024:
        raise _quota_refusal()  # the request rolls back: the record and new bytes go
    check_upload(stored)  # a hostile PDF/DOCX is refused; the rollback removes its bytes
    return stored


def get_readable(actor: User, file_id: int) -> StoredFile:
    stored = load(StoredFile, file_id)
    # Someone else's file and a missing one look the same: no probing of ids.
    if stored is None or not can_read(actor, stored):
        raise not_found(_("Không tìm thấy tệp hoặc bạn không có quyền xem."))
    return stored


def file_response(stored: StoredFile, inline: bool = False):
    """The bytes with safe headers: the original Vietnamese name (RFC 6266 filename*),
    no sniffing, and no script execution for anything opened in the browser."""
    path = FileStore.from_app().path_for(stored.sha256)
    response = send_file(
        path, mimetype=stored.mime, as_attachment=not inline,
        download_name=stored.original_name, conditional=True, etag=stored.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0"
    if stored.mime != "application/pdf":
        # The browser's PDF viewer needs scripts; everything else gets none.
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _quota_refusal() -> ValidationFailed:
    config = current_app.config
    return ValidationFailed(
        "upload_quota",
        _("Bạn đã có quá nhiều tệp tải lên chưa gắn vào văn bản nào (tối đa %(n)d tệp, "
          "%(mb)d MB). Hãy dùng các tệp đó, hoặc chờ hệ thống tự xóa chúng sau %(h)s giờ.",
          n=config["FILES_PENDING_MAX"], mb=config["FILES_PENDING_MAX_MB"],
          h=f"{config['FILES_UNATTACHED_GRACE_HOURS']:g}"),
        "file",
    )


# --- unattached files -------------------------------------------------------------------


def attachment_columns() -> list[sa.Column]:
    """Every column that refers to a stored file, read from the schema: a new kind of
    attachment keeps its files from being pruned without being listed here."""
    columns = []
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == StoredFile.__tablename__ and fk.column.name == "id":
                columns.append(fk.parent)
    return sorted(columns, key=lambda c: (c.table.name, c.name))


def unattached() -> sa.ColumnElement[bool]:
    """The SQL condition "no row anywhere refers to this stored file"."""
    return sa.and_(*(~sa.exists().where(column == StoredFile.id) for column in attachment_columns()))


def pending_uploads(user: User) -> tuple[int, int]:
    """How many files ``user`` uploaded that nothing refers to, and their bytes."""
    count, size = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(StoredFile.size), 0))
        .where(StoredFile.uploaded_by_id == user.id, unattached())
    ).one()
    return int(count), int(size)


@dataclass
class PruneReport:
    files: int = 0
    bytes: int = 0
    blobs: int = 0  # contents deleted from disk (one shared with a kept file stays)

    def __str__(self) -> str:
        return (f"{self.files} unattached file(s) removed ({self.bytes / (1024 * 1024):.1f} MB), "
                f"{self.blobs} content(s) deleted from the store")


def prune_unattached(*, older_than: timedelta | None = None, now: datetime | None = None,
                     batch: int = 500) -> PruneReport:
    """Remove the stored files nothing refers to that are older than the grace period.

    Commits, batch by batch: the records go (with one audit entry per organisation and
    batch, naming each file) before their blobs are released, each in its own locked
    transaction (``store.release_blob``), so a content that another record shares, or
    that someone is uploading again right now, stays. Blob rows left without any file
    (a prune interrupted between the two steps) are released too."""
    if older_than is None:
        older_than = timedelta(hours=current_app.config["FILES_UNATTACHED_GRACE_HOURS"])
    cutoff = (now or utcnow()) - older_than
    hours = f"{older_than.total_seconds() / 3600:g}"
    report = PruneReport()
    while True:
        rows = db.session.execute(
            sa.select(StoredFile.id, StoredFile.organisation_id, StoredFile.sha256,
                      StoredFile.size, StoredFile.original_name, StoredFile.uploaded_by_id,
                      StoredFile.created_at)
            .where(StoredFile.created_at < cutoff, unattached())
            .order_by(StoredFile.id).limit(batch)
        ).all()
        if not rows:
            break
        # Checked again as they are deleted: a file attached meanwhile stays.
        deleted = set(db.session.scalars(
            sa.delete(StoredFile)
            .where(StoredFile.id.in_([r.id for r in rows]), unattached())
            .returning(StoredFile.id)
            .execution_options(synchronize_session=False)
        ))
        gone = [r for r in rows if r.id in deleted]
        by_org: dict[int, list] = defaultdict(list)
        for r in gone:
            by_org[r.organisation_id].append(r)
        for org_id, files in by_org.items():
            record(org_id, None, "files.pruned", object_type="stored_file",
                   object_id=",".join(str(f.id) for f in files[:20]),
                   summary=f"Xóa {len(files)} tệp tải lên không gắn vào văn bản nào sau {hours} giờ",
                   data={"grace_hours": older_than.total_seconds() / 3600, "files": [
                       {"id": f.id, "name": f.original_name, "sha256": f.sha256, "size": f.size,
                        "uploaded_by": f.uploaded_by_id, "created_at": f.created_at.isoformat()}
                       for f in files]})
        db.session.commit()
        report.files += len(gone)
        report.bytes += sum(r.size for r in gone)
        for sha in sorted({r.sha256 for r in gone}):
            report.blobs += release_blob(sha)
        if len(rows) < batch:
            break
    leftovers = list(db.session.scalars(
        sa.select(Blob.sha256).where(unnamed_blob(Blob.sha256)).limit(batch)))
    db.session.rollback()  # only read here: end the transaction before the releases
    for sha in leftovers:
        report.blobs += release_blob(sha)
    return report
