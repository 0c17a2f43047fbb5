"""Incoming documents, their files, assignments and progress notes."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..documents.registers import Register
from ..documents.types import BY_CODE, Confidentiality, Urgency
from ..extensions import Model
from ..files.models import StoredFile
from ..org.models import OrgScoped, Unit, User
from .workflow import Status

# The commune's own entries, outside the sổ đến, and what stands in their number column.
OWN_CHANNELS = {"internal": "Nội bộ", "meeting": "Việc giao"}

# How a document reached the commune (the paperless figures count by it): ``electronic``
# — through the exchange (edXML) or as a born-digital file; ``scan`` — a paper scanned at
# the desk; ``paper`` — a confidential entry, whose paper stays paper by law.
MEDIUMS = ("electronic", "scan", "paper")
MEDIUM_LABELS = {"electronic": _l("Văn bản điện tử"), "scan": _l("Bản scan từ giấy"),
                 "paper": _l("Bản giấy (văn bản mật)")}


class IncomingDocument(OrgScoped, Model):
    __tablename__ = "incoming_document"
    __table_args__ = (
        # Số đến: unique within its register (which is per organisation, year and series).
        sa.UniqueConstraint("register_id", "arrival_number"),
        # Only what arrived from outside is entered in the sổ đến and takes a number; the
        # commune's own documents delivered to its units, and the tasks it gives itself,
        # reach the queues without one.
        sa.CheckConstraint(
            "(register_id IS NOT NULL AND arrival_number IS NOT NULL) OR (register_id IS NULL"
            " AND arrival_number IS NULL AND channel IN ('internal','meeting'))",
            name="arrived_has_number",
        ),
        # A confidential entry records where the paper is, never what it says.
        sa.CheckConstraint(
            "confidentiality = 'thuong' OR (subject = '' AND signer = '' AND field = '')",
            name="confidential_has_no_content",
        ),
        sa.Index("ix_incoming_sender_ref", "organisation_id", "sender_name", "number_symbol",
                 "issue_date"),
        sa.CheckConstraint("medium IN ('electronic','scan','paper')", name="medium"),
        # The dashboard and the legal reports (migration 0013): what arrived in a period,
        # what is open now with its deadline, the tasks (channel "meeting") of a period.
        sa.Index("ix_incoming_report_arrival", "organisation_id", "arrival_date"),
        sa.Index("ix_incoming_report_status", "organisation_id", "status", "deadline"),
        sa.Index("ix_incoming_report_channel", "organisation_id", "channel", "arrival_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int | None] = mapped_column(sa.ForeignKey("register.id"))
    arrival_number: Mapped[int | None]  # None: not in the sổ đến (OWN_CHANNELS)
    arrival_date: Mapped[date]  # ngày đến (for an internal delivery: the day it was issued)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sender_name: Mapped[str] = mapped_column(sa.String(255))  # cơ quan ban hành (tác giả)
    sender_organ_id: Mapped[str] = mapped_column(sa.String(64), default="")  # edXML OrganId
    number_symbol: Mapped[str] = mapped_column(sa.String(64), default="")  # "125/UBND-VP"
    issue_date: Mapped[date | None]
    doc_type: Mapped[str] = mapped_column(sa.String(32), default="cong_van")
    subject: Mapped[str] = mapped_column(sa.Text, default="")  # trích yếu
    signer: Mapped[str] = mapped_column(sa.String(255), default="")
    urgency: Mapped[str] = mapped_column(sa.String(16), default=Urgency.NORMAL.value)
    confidentiality: Mapped[str] = mapped_column(sa.String(16), default=Confidentiality.NONE.value)
    sender_due_date: Mapped[date | None]  # hạn trả lời the sender asked for
    page_count: Mapped[int | None]
    field: Mapped[str] = mapped_column(sa.String(128), default="")  # lĩnh vực
    # upload|paper|edxml arrived from outside; internal|meeting are the commune's own
    channel: Mapped[str] = mapped_column(sa.String(16), default="upload")
    medium: Mapped[str] = mapped_column(sa.String(16), default="electronic",
                                        server_default="electronic")  # MEDIUMS
    paper_holder: Mapped[str] = mapped_column(sa.String(255), default="")  # người giữ bản giấy
    status: Mapped[str] = mapped_column(sa.String(16), default=Status.REGISTERED.value)
    deadline: Mapped[date | None]  # hạn giải quyết set by the direction
    direction_text: Mapped[str] = mapped_column(sa.Text, default="")  # ý kiến chỉ đạo
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_summary: Mapped[str] = mapped_column(sa.Text, default="")
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The leader it was put before for direction (trình); None: every leader. While that
    # leader is away, whoever they delegated direction to directs it in their name.
    submitted_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    register: Mapped[Register | None] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    submitted_to: Mapped[User | None] = relationship(foreign_keys=[submitted_to_id])
    files: Mapped[list[IncomingFile]] = relationship(
        back_populates="document", order_by="IncomingFile.id", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="document", order_by="Assignment.id", cascade="all, delete-orphan"
    )

    @property
    def is_confidential(self) -> bool:
        return Confidentiality(self.confidentiality).is_confidential

    @property
    def medium_label(self) -> str:
        return str(MEDIUM_LABELS.get(self.medium, self.medium))

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def type_name(self) -> str:
        """As printed (exports, edXML): Vietnamese."""
        return BY_CODE[self.doc_type].name

    @property
    def type_label(self) -> str:
        """On the pages: in the reader's language."""
        return BY_CODE[self.doc_type].label

    @property
    def in_register(self) -> bool:
        """Entered in the sổ đến with a số đến (it arrived from outside)."""
        return self.arrival_number is not None

    @property
    def arrival_label(self) -> str:
        if self.arrival_number is None:
            return OWN_CHANNELS.get(self.channel, "Nội bộ")
        return f"{self.arrival_number:02d}" + (" (Mật)" if self.is_confidential else "")

    @property
    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.superseded_at is None]

    @property
    def main_assignment(self) -> Assignment | None:
        return next((a for a in self.active_assignments if a.role == "main"), None)

    def is_overdue(self, today: date) -> bool:
        return (self.deadline is not None and self.deadline < today
                and self.status not in (Status.DONE, Status.RETURNED))


class IncomingFile(Model):
    __tablename__ = "incoming_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incoming_document.id", ondelete="CASCADE"), index=True
    )
    stored_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    kind: Mapped[str] = mapped_column(sa.String(16), default="original")  # original|result
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[IncomingDocument] = relationship(back_populates="files")
    stored: Mapped[StoredFile] = relationship()


class Assignment(Model):
    """Who handles a document: main handler (chủ trì), co-handler (phối hợp) or for
    information (để biết); a person, or a unit whose head hands it to a person."""

    __tablename__ = "assignment"
    __table_args__ = (
        sa.CheckConstraint("role IN ('main','co','info')", name="role"),
        sa.CheckConstraint("assignee_user_id IS NOT NULL OR assignee_unit_id IS NOT NULL",
                           name="has_assignee"),
        sa.Index("ix_assignment_user_open", "assignee_user_id", "done_at"),
        sa.Index("ix_assignment_unit_open", "assignee_unit_id", "done_at"),
        # A document's current main handler, read from the index alone (the figures' joins
        # and scope tests). With the two below, whichever index a planner without
        # statistics picks for "this document's main assignment to this person/unit", it
        # is an exact probe, never a walk through everything that person handled
        # (migration 0013). Partial, so "assignee_unit_id IS NULL" never walks them.
        sa.Index("ix_assignment_main", "document_id", "role", "superseded_at", "assignee_user_id",
                 "assignee_unit_id"),
        sa.Index("ix_assignment_user_main", "assignee_user_id", "role", "superseded_at", "document_id",
                 sqlite_where=sa.text("assignee_user_id IS NOT NULL"),
                 postgresql_where=sa.text("assignee_user_id IS NOT NULL")),
        sa.Index("ix_assignment_unit_main", "assignee_unit_id", "role", "superseded_at", "document_id",
                 sqlite_where=sa.text("assignee_unit_id IS NOT NULL"),
                 postgresql_where=sa.text("assignee_unit_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incoming_document.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(8))
    assignee_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    assignee_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    deadline: Mapped[date | None]
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_before_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[IncomingDocument] = relationship(back_populates="assignments")
    assignee_user: Mapped[User | None] = relationship(foreign_keys=[assignee_user_id])
    assignee_unit: Mapped[Unit | None] = relationship()
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])

    @property
    def assignee_label(self) -> str:
        if self.assignee_user is not None:
            return self.assignee_user.full_name
        return self.assignee_unit.name if self.assignee_unit else ""


class ProgressNote(Model):
    __tablename__ = "progress_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incoming_document.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()
