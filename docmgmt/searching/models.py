"""The search outbox (``search_job``) and the cache of file text (``blob_text``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model


class SearchJob(Model):
    """"This document changed: bring the index up to date." Written in the same
    transaction as the change, deleted only once the index write has returned, so a
    process that dies in between leaves the job for the next drain.

    No foreign key: the document may be gone by the time the job runs (the job then
    deletes it from the index)."""

    __tablename__ = "search_job"
    __table_args__ = (sa.CheckConstraint("kind IN ('incoming')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "incoming" (later "outgoing", …)
    document_id: Mapped[int]
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BlobText(Model):
    """The text of a file's content, extracted once (in the sandbox) and reused on every
    reindex. Keyed by content hash: the same scan attached twice is read once. No
    foreign key to ``blob``: the text of a hash stays true even if the blob is removed."""

    __tablename__ = "blob_text"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    text_searchable: Mapped[bool] = mapped_column(default=False)
    # Why the text is missing or partial: "ok", "ocr", "scan-no-ocr", "timeout", …
    reason: Mapped[str] = mapped_column(sa.String(128), default="")
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
