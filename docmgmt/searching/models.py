"""The search outbox (``search_job``), the cache of file text (``blob_text``), the
searchable copies of scans made by OCR (``ocr_copy``) and the questions people keep to
ask again (``saved_search``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..org.models import OrgScoped


class SearchJob(Model):
    """"This record changed: bring the index up to date." Written in the same
    transaction as the change, deleted only once the index write has returned, so a
    process that dies in between leaves the job for the next drain.

    No foreign key: the document may be gone by the time the job runs (the job then
    deletes it from the index)."""

    __tablename__ = "search_job"
    __table_args__ = (sa.CheckConstraint(
        "kind IN ('incoming','outgoing','minutes','agenda','meeting','dossier')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The table the record comes from (``searching.kinds.SOURCES``); "minutes" is read as
    # "outgoing" (a meeting's biên bản is an outgoing document).
    kind: Mapped[str] = mapped_column(sa.String(16))
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
    # Why the text is missing or partial: "ok", "ocr", "ocr-unavailable", "timeout", …
    # (indexed: the scans waiting for OCR are found, and counted, by it)
    reason: Mapped[str] = mapped_column(sa.String(128), default="", index=True)
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OcrCopy(Model):
    """The copy of a scanned file with a text layer over its pages, made by OCR
    (``searching.ocr``): the same pages, the recognised words invisible on top, so that a
    reader can select, copy and find them. The original is never touched (signatures,
    hashes, dossier manifests name it). Keyed, like ``blob_text``, by the original's
    content hash; the copy is a blob of its own, kept while this row names it."""

    __tablename__ = "ocr_copy"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    searchable_sha256: Mapped[str] = mapped_column(sa.ForeignKey("blob.sha256"), index=True)
    made_by: Mapped[str] = mapped_column(sa.String(128), default="")  # "OCRmyPDF 14.0.1, vie"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SavedSearch(OrgScoped, Model):
    """A question a person keeps under a name (``searching.saved``): the words, the filters
    and the order of the search page, and the columns they export its results with. Only
    its owner sees it; rerunning it asks the search again as them, so it never shows more
    than they may open on that day."""

    __tablename__ = "saved_search"
    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))  # NFC; unique per owner
    text: Mapped[str] = mapped_column(sa.String(500), default="")  # the words, as typed
    # The filters of the search page (None: not set), as ``searching.operations.Filters``.
    kind: Mapped[str | None] = mapped_column(sa.String(16))
    doc_type: Mapped[str | None] = mapped_column(sa.String(32))
    direction: Mapped[str | None] = mapped_column(sa.String(16))
    year: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(sa.String(32))
    unit: Mapped[str | None] = mapped_column(sa.String(32))  # a unit's abbreviation
    order: Mapped[str] = mapped_column(sa.String(16), default="relevance")
    # The export's columns, in order (``searching.saved.COLUMNS`` codes).
    columns: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def owned_by(self, user) -> bool:
        """Its owner's alone: anyone else is told it does not exist."""
        return user is not None and self.user_id == user.id
