"""Phiếu lấy ý kiến: a written consultation of the committee between meetings — its
questions, the documents it carries, the members asked, their answers and the result.

Loaded with the meetings' tables (``meetings.models`` imports this module), so SQLAlchemy
and Alembic know them; the operations are in ``meetings.consultations``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docmgmt.core.timeutil import UTCDateTime, utcnow
from docmgmt.extensions import Model
from docmgmt.files.models import StoredFile
from docmgmt.org.models import OrgScoped, User

from .workflow import ANSWER_CHOICES, ConsultationStatus

_STATUSES = ",".join(f"'{s.value}'" for s in ConsultationStatus)
_CHOICES = ",".join(f"'{c}'" for c in ANSWER_CHOICES)


class Consultation(OrgScoped, Model):
    """One consultation: issued by the secretary (or whoever manages meetings) for the
    chairman who asks, open until ``deadline``, then tallied; the chairman may record a
    conclusion, and the result may become a draft of the outgoing flow."""

    __tablename__ = "consultation"
    __table_args__ = (
        sa.Index("ix_consultation_status_deadline", "status", "deadline"),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        sa.CheckConstraint("result_kind IN ('thong_bao','bien_ban')", name="result_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # tờ trình, nội dung xin ý kiến
    chair_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))  # the chairman who asks
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))  # the issuer
    status: Mapped[str] = mapped_column(sa.String(16), default=ConsultationStatus.DRAFT.value)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who closed it early; None when the deadline closed it (the worker).
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")  # kết luận của Chủ tịch
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The Thông báo kết quả (or Biên bản) handed to the outgoing flow.
    result_kind: Mapped[str | None] = mapped_column(sa.String(16))
    result_draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"))
    # The worker's reminders, each sent once: a working day before the deadline, and on its day.
    reminded_before_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The issuer's last "Nhắc".
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    questions: Mapped[list[ConsultationQuestion]] = relationship(
        back_populates="consultation", order_by="ConsultationQuestion.position", cascade="all, delete-orphan"
    )
    members: Mapped[list[ConsultationMember]] = relationship(
        back_populates="consultation", order_by="ConsultationMember.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[ConsultationDocument]] = relationship(
        back_populates="consultation", order_by="ConsultationDocument.id", cascade="all, delete-orphan"
    )

    @property
    def status_enum(self) -> ConsultationStatus:
        return ConsultationStatus(self.status)

    def member(self, user: User | int | None) -> ConsultationMember | None:
        uid = user if isinstance(user, int) or user is None else user.id
        return next((m for m in self.members if m.user_id == uid), None)

    def runs(self, user: User) -> bool:
        """The issuer and the chairman run it: remind, close early."""
        return user.id in (self.created_by_id, self.chair_id)


class ConsultationQuestion(Model):
    __tablename__ = "consultation_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)  # at most consultation_schemas.QUESTION characters

    consultation: Mapped[Consultation] = relationship(back_populates="questions")
    answers: Mapped[list[ConsultationAnswer]] = relationship(
        back_populates="question", order_by="ConsultationAnswer.id", cascade="all, delete-orphan"
    )


class ConsultationMember(Model):
    """A member asked for their opinion (thành viên UBND được lấy ý kiến)."""

    __tablename__ = "consultation_member"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)

    consultation: Mapped[Consultation] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class ConsultationAnswer(Model):
    """A member's answer to one question, with its time; changed in place until the
    consultation closes (every change is in the audit log). One per member and question."""

    __tablename__ = "consultation_answer"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "user_id"),
        sa.CheckConstraint(f"choice IN ({_CHOICES})", name="choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_question.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    choice: Mapped[str] = mapped_column(sa.String(10))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[ConsultationQuestion] = relationship(back_populates="answers")
    user: Mapped[User] = relationship()


class ConsultationDocument(Model):
    """A document the members read before answering: a file uploaded for it, or the file
    of an incoming or outgoing document the issuer may read. Never a confidential one."""

    __tablename__ = "consultation_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"))
    outgoing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"))
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="documents")
    stored: Mapped[StoredFile] = relationship()
