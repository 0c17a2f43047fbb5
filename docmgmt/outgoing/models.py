"""Outgoing documents, their versions, review steps and recipients."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..documents.registers import Register
from ..documents.types import BY_CODE, Confidentiality, Urgency
from ..extensions import Model
from ..files.models import StoredFile
from ..org.models import OrgScoped, Unit, User
from .workflow import Status


class OutgoingDocument(OrgScoped, Model):
    __tablename__ = "outgoing_document"
    __table_args__ = (
        # Số đi: unique within its register (per organisation, year and series), and
        # given only at issuance.
        sa.UniqueConstraint("register_id", "number"),
        sa.CheckConstraint("(number IS NULL) = (register_id IS NULL)", name="number_with_register"),
        sa.CheckConstraint(
            "confidentiality = 'thuong' OR subject = ''", name="confidential_has_no_content"
        ),
        sa.CheckConstraint("medium IN ('electronic','paper')", name="medium"),
        # The dashboard and the legal reports (migration 0013): issued in a period, and
        # the drafts in flow by stage.
        sa.Index("ix_outgoing_report_issued", "organisation_id", "issued_on"),
        sa.Index("ix_outgoing_report_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(sa.Text, default="")  # trích yếu
    drafting_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    drafter_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    signer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))  # người ký
    urgency: Mapped[str] = mapped_column(sa.String(16), default=Urgency.NORMAL.value)
    confidentiality: Mapped[str] = mapped_column(sa.String(16), default=Confidentiality.NONE.value)
    status: Mapped[str] = mapped_column(sa.String(16), default=Status.DRAFT.value)
    due_date: Mapped[date | None]  # hạn trả lời requested of recipients
    copies: Mapped[int] = mapped_column(default=1)  # số lượng bản (paper, if any)
    # Issuance
    register_id: Mapped[int | None] = mapped_column(sa.ForeignKey("register.id"))
    number: Mapped[int | None]
    number_symbol: Mapped[str] = mapped_column(sa.String(64), default="")
    issued_on: Mapped[date | None]
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    signed_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    issued_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))  # bản lưu
    retained_by: Mapped[str] = mapped_column(sa.String(255), default="")  # đơn vị, người nhận bản lưu
    # electronic: signed digitally and issued by the system; paper: the leader signed the
    # paper by hand and the clerk recorded its scan (``operations.issue_on_paper``).
    medium: Mapped[str] = mapped_column(sa.String(16), default="electronic", server_default="electronic")
    recalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    drafter: Mapped[User] = relationship(foreign_keys=[drafter_id])
    signer: Mapped[User | None] = relationship(foreign_keys=[signer_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    drafting_unit: Mapped[Unit | None] = relationship()
    register: Mapped[Register | None] = relationship()
    signed_file: Mapped[StoredFile | None] = relationship(foreign_keys=[signed_file_id])
    issued_file: Mapped[StoredFile | None] = relationship(foreign_keys=[issued_file_id])
    versions: Mapped[list[DraftVersion]] = relationship(
        back_populates="document", order_by="DraftVersion.number", cascade="all, delete-orphan"
    )
    steps: Mapped[list[ReviewStep]] = relationship(
        back_populates="document", order_by="ReviewStep.id", cascade="all, delete-orphan"
    )
    recipients: Mapped[list[Recipient]] = relationship(
        back_populates="document", order_by="Recipient.id", cascade="all, delete-orphan"
    )

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
    def is_confidential(self) -> bool:
        return Confidentiality(self.confidentiality).is_confidential

    @property
    def current_version(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def current_step(self) -> ReviewStep | None:
        """The open step of the current review round."""
        return next((s for s in self.steps if s.decision is None), None)


class DraftVersion(Model):
    """Every upload or regeneration is a new version; earlier ones stay readable."""

    __tablename__ = "draft_version"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    source_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))  # DOCX or PDF
    pdf_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[OutgoingDocument] = relationship(back_populates="versions")
    source_file: Mapped[StoredFile] = relationship(foreign_keys=[source_file_id])
    pdf_file: Mapped[StoredFile | None] = relationship(foreign_keys=[pdf_file_id])
    created_by: Mapped[User] = relationship()


class ReviewStep(Model):
    """One step of a review round: a head of unit or a leader approves or returns."""

    __tablename__ = "review_step"
    __table_args__ = (
        sa.CheckConstraint("decision IS NULL OR decision IN ('approved','returned')",
                           name="decision"),
        # "Was this document put before this reviewer" (the READ rule) as an exact probe: a
        # planner without statistics otherwise walks every step of the reviewer (0013).
        sa.Index("ix_review_step_document_reviewer", "document_id", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))  # head_of_unit | leader
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    version_number: Mapped[int]
    decision: Mapped[str | None] = mapped_column(sa.String(16))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[OutgoingDocument] = relationship(back_populates="steps")
    reviewer: Mapped[User] = relationship()


class Recipient(Model):
    """Nơi nhận: a unit or person of our organisation, or an outside organisation
    reached through the provincial exchange (tracked per recipient)."""

    __tablename__ = "outgoing_recipient"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('unit','user','external')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    organ_name: Mapped[str] = mapped_column(sa.String(255), default="")
    organ_id: Mapped[str] = mapped_column(sa.String(64), default="")  # edXML OrganId
    # For external recipients: queued → sent → statuses from the exchange (01, 03, …);
    # by_post for those the exchange cannot reach (no OrganId).
    exchange_status: Mapped[str] = mapped_column(sa.String(32), default="")
    exchange_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    incoming_document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incoming_document.id"))  # where an internal recipient received it

    document: Mapped[OutgoingDocument] = relationship(back_populates="recipients")
    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def via_exchange(self) -> bool:
        """Who sends it, decided here only: an outside organisation with an edXML
        OrganId is reached through the provincial exchange; one without is sent by the
        clerk by post or e-mail (``BY_POST``), never left waiting for the exchange — and
        so is every outside recipient of a document issued on paper."""
        return self.kind == "external" and bool(self.organ_id) and self.exchange_status != BY_POST

    @property
    def label(self) -> str:
        if self.kind == "unit" and self.unit:
            return self.unit.name
        if self.kind == "user" and self.user:
            return self.user.full_name
        return self.organ_name


# exchange_status of an outside recipient the exchange cannot reach (no OrganId).
BY_POST = "by_post"
