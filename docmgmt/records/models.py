"""Electronic records (NĐ30 Điều 28–31, Phụ lục V, Phụ lục VI Part II §III): the year's
dossier plan, the dossiers, what is filed in them, their handing over to the commune's
archive and the lending of archived dossiers.

* ``FilePlan`` — Danh mục hồ sơ of one year: drafted by the archive role, approved by the
  head of the commune (the approving decision's number and date kept), copied forward
  from last year's plan. Its ``numbering`` says how dossiers are numbered: through the
  whole plan ("plan") or from 01 within each large heading ("heading").
* ``PlanHeading`` — đề mục: a large heading (``parent_id`` empty; Roman numeral, an
  abbreviation such as ``VP`` used in the dossiers' số và ký hiệu) or a sub-heading
  (Arabic numeral) inside one.
* ``Dossier`` — hồ sơ: a row of the plan ("planned") until its person responsible opens
  it; "open" while documents are filed; "closed" (frozen: its files fixed by SHA-256 in
  ``DossierItem.manifest``); "archived" once the archive received it (nộp lưu).
  FileCode = the organisation's OrganId + the plan's year + ``notation``.
* ``DossierItem`` — a document filed in a dossier *without copying it*: an incoming or
  outgoing document (meeting minutes are outgoing documents) or another file. One
  document can be in several dossiers. ``ordinal`` is its DocOrdinal, in time order.
* ``DossierEvent`` — the dossier's history: opened, filed, removed, closed, reopened
  (with the reason), announced, handed over, received, lent, returned.
* ``ArchiveTransfer`` — one handing over (nộp lưu) of one person's dossiers of a year:
  announced by the archive with its due date, reminded 30 days ahead, submitted by the
  person, received by the archive (Mục lục hồ sơ nộp lưu, Biên bản giao nhận).
* ``DossierLoan`` — an archived dossier lent out and back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..files.models import StoredFile
from ..org.models import OrgScoped, Unit, User
from .workflow import DossierStatus, PlanStatus, TransferStatus

ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
         (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(number: int) -> str:
    out = []
    for value, letters in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


class FilePlan(OrgScoped, Model):
    """Danh mục hồ sơ of one year."""

    __tablename__ = "file_plan"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "year"),
        sa.CheckConstraint("status IN ('draft','approved')", name="status"),
        sa.CheckConstraint("numbering IN ('plan','heading')", name="numbering"),
        sa.CheckConstraint("year BETWEEN 1945 AND 9999", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(16), default=PlanStatus.DRAFT.value)
    numbering: Mapped[str] = mapped_column(sa.String(16), default="plan")
    # The approving decision (Quyết định số … ngày … of the head of the commune).
    decision_number: Mapped[str] = mapped_column(sa.String(64), default="")
    decision_date: Mapped[date | None]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("file_plan.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    headings: Mapped[list[PlanHeading]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by=lambda: [PlanHeading.parent_id.is_not(None), PlanHeading.position, PlanHeading.id])
    dossiers: Mapped[list[Dossier]] = relationship(
        back_populates="plan", order_by=lambda: [Dossier.heading_id, Dossier.position, Dossier.id])

    @property
    def status_enum(self) -> PlanStatus:
        return PlanStatus(self.status)

    @property
    def top_headings(self) -> list[PlanHeading]:
        return sorted((h for h in self.headings if h.parent_id is None), key=lambda h: h.position)

    def __repr__(self) -> str:
        return f"<FilePlan {self.year} {self.status}>"


class PlanHeading(Model):
    """Đề mục: large (Roman numeral, with the abbreviation of the dossiers' ký hiệu) or
    small (Arabic numeral, inside a large one; its dossiers use the large one's
    abbreviation)."""

    __tablename__ = "file_plan_heading"
    __table_args__ = (sa.CheckConstraint("position > 0", name="position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("file_plan.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("file_plan_heading.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(255))
    code: Mapped[str] = mapped_column(sa.String(16), default="")  # large headings: "VP", "TCCB"
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))  # headings by unit

    plan: Mapped[FilePlan] = relationship(back_populates="headings")
    parent: Mapped[PlanHeading | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[PlanHeading]] = relationship(back_populates="parent", order_by="PlanHeading.position")
    unit: Mapped[Unit | None] = relationship()
    dossiers: Mapped[list[Dossier]] = relationship(back_populates="heading",
                                                   order_by=lambda: [Dossier.position, Dossier.id])

    @property
    def numeral(self) -> str:
        return roman(self.position) if self.parent_id is None else str(self.position)

    @property
    def top(self) -> PlanHeading:
        return self.parent if self.parent is not None else self

    @property
    def abbreviation(self) -> str:
        return self.top.code

    def __repr__(self) -> str:
        return f"<PlanHeading {self.numeral}. {self.title!r}>"


class Dossier(OrgScoped, Model):
    """Hồ sơ: a row of the plan, then the dossier its person responsible keeps."""

    __tablename__ = "dossier"
    __table_args__ = (
        # Số và ký hiệu: unique within the year's plan.
        sa.UniqueConstraint("plan_id", "notation"),
        sa.CheckConstraint("status IN ('planned','open','closed','archived')", name="status"),
        sa.CheckConstraint("retention_years IS NULL OR retention_years BETWEEN 1 AND 200", name="retention"),
        sa.CheckConstraint("number > 0", name="number"),
        sa.Index("ix_dossier_responsible", "responsible_id", "status"),
        sa.Index("ix_dossier_unit", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("file_plan.id"), index=True)
    heading_id: Mapped[int] = mapped_column(sa.ForeignKey("file_plan_heading.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)  # order under its heading
    number: Mapped[int]  # số thứ tự (01, 02, …)
    notation: Mapped[str] = mapped_column(sa.String(20))  # FileNotation: "01.VP"
    title: Mapped[str] = mapped_column(sa.String(500))  # Title
    retention_years: Mapped[int | None]  # Maintenance: None = vĩnh viễn
    rights: Mapped[str] = mapped_column(sa.String(30), default="Hạn chế")  # Rights (chế độ sử dụng)
    language: Mapped[str] = mapped_column(sa.String(50), default="Tiếng Việt")
    description: Mapped[str] = mapped_column(sa.String(500), default="")  # Ghi chú
    responsible_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))  # người lập hồ sơ (Creator)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))  # that person's unit
    in_plan: Mapped[bool] = mapped_column(default=True)  # False: opened outside the plan (Điều 29.2.c)
    status: Mapped[str] = mapped_column(sa.String(16), default=DossierStatus.PLANNED.value)
    start_date: Mapped[date | None]  # StartDate: the earliest filed document's date
    end_date: Mapped[date | None]  # EndDate: the latest
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # SHA-256 over the closed dossier's manifest (every item's files and their hashes).
    manifest_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    transfer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("archive_transfer.id"), index=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[FilePlan] = relationship(back_populates="dossiers")
    heading: Mapped[PlanHeading] = relationship(back_populates="dossiers")
    responsible: Mapped[User] = relationship(foreign_keys=[responsible_id])
    unit: Mapped[Unit | None] = relationship()
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    items: Mapped[list[DossierItem]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan",
        order_by=lambda: [DossierItem.ordinal, DossierItem.id])
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierEvent.id")
    transfer: Mapped[ArchiveTransfer | None] = relationship(back_populates="dossiers")
    loans: Mapped[list[DossierLoan]] = relationship(back_populates="dossier", order_by="DossierLoan.id")

    @property
    def status_enum(self) -> DossierStatus:
        return DossierStatus(self.status)

    @property
    def year(self) -> int:
        return self.plan.year

    def file_code(self, organ_id: str) -> str:
        """FileCode (Phụ lục VI Part II §III.1): OrganId, FileCatalog (year), FileNotation."""
        return f"{organ_id}.{self.plan.year}.{self.notation}"

    @property
    def permanent(self) -> bool:
        return self.retention_years is None

    @property
    def open_loan(self) -> DossierLoan | None:
        return next((loan for loan in self.loans if loan.returned_at is None), None)

    def __repr__(self) -> str:
        return f"<Dossier {self.notation} {self.status}>"


class DossierItem(Model):
    """A document filed in a dossier: points at it, never copies it."""

    __tablename__ = "dossier_item"
    __table_args__ = (
        sa.UniqueConstraint("dossier_id", "incoming_id"),
        sa.UniqueConstraint("dossier_id", "outgoing_id"),
        sa.CheckConstraint("kind IN ('incoming','outgoing','file')", name="kind"),
        sa.CheckConstraint(
            "(kind = 'incoming' AND incoming_id IS NOT NULL AND outgoing_id IS NULL AND file_id IS NULL)"
            " OR (kind = 'outgoing' AND outgoing_id IS NOT NULL AND incoming_id IS NULL AND file_id IS NULL)"
            " OR (kind = 'file' AND file_id IS NOT NULL AND incoming_id IS NULL AND outgoing_id IS NULL)",
            name="one_target"),
        sa.CheckConstraint("ordinal > 0", name="ordinal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"), index=True)
    outgoing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    # For another file: what it is (title), its date and author; for documents these
    # come from the document itself.
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    author: Mapped[str] = mapped_column(sa.String(200), default="")
    doc_date: Mapped[date]  # the document's date, which orders the dossier
    ordinal: Mapped[int]  # DocOrdinal
    page_count: Mapped[int | None]
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Fixed at closing: [{"file_id", "name", "sha256", "size"}] of the files filed.
    manifest: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)

    dossier: Mapped[Dossier] = relationship(back_populates="items")
    file: Mapped[StoredFile | None] = relationship()
    added_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DossierItem {self.ordinal} {self.kind}>"


class DossierEvent(Model):
    """One act on a dossier, in order (its history)."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ArchiveTransfer(OrgScoped, Model):
    """One person's handing over (nộp lưu) of a year's closed dossiers to the archive."""

    __tablename__ = "archive_transfer"
    __table_args__ = (
        sa.CheckConstraint("status IN ('announced','submitted','received')", name="status"),
        sa.Index("ix_archive_transfer_due", "organisation_id", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]  # the year of the dossiers (Danh mục hồ sơ năm …)
    giver_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)  # bên giao
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default=TransferStatus.ANNOUNCED.value)
    due_date: Mapped[date]  # hạn nộp lưu
    title: Mapped[str] = mapped_column(sa.String(255), default="")  # tên khối tài liệu giao nộp
    announced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the 30-day reminder
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))  # bên nhận
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    condition: Mapped[str] = mapped_column(sa.Text, default="")  # tình trạng tài liệu giao nộp

    giver: Mapped[User] = relationship(foreign_keys=[giver_id])
    unit: Mapped[Unit | None] = relationship()
    announced_by: Mapped[User | None] = relationship(foreign_keys=[announced_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    dossiers: Mapped[list[Dossier]] = relationship(back_populates="transfer",
                                                   order_by=lambda: [Dossier.number, Dossier.id])

    @property
    def status_enum(self) -> TransferStatus:
        return TransferStatus(self.status)


class DossierLoan(OrgScoped, Model):
    """An archived dossier lent out (to a person, for a purpose, until a date) and back."""

    __tablename__ = "dossier_loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id"), index=True)
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(500), default="")
    due_date: Mapped[date | None]
    lent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    lent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="loans")
    borrower: Mapped[User] = relationship(foreign_keys=[borrower_id])
    lent_by: Mapped[User | None] = relationship(foreign_keys=[lent_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
