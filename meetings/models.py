"""Meetings, their participants, agenda, speakers, votes, notes and the event log.

Every live change bumps ``Meeting.seq`` and writes one ``MeetingEvent`` in the same
transaction; the broadcast goes out only after that transaction commits (meetings.live).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docmgmt.core.timeutil import UTCDateTime, utcnow
from docmgmt.extensions import Model
from docmgmt.files.models import StoredFile
from docmgmt.org.models import OrgScoped, User

from . import consultation_models  # noqa: F401 - the consultations' tables, loaded with these
from .workflow import Status


class Meeting(OrgScoped, Model):
    __tablename__ = "meeting"
    __table_args__ = (sa.Index("ix_meeting_org_start", "organisation_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(sa.String(255), default="")  # phòng họp
    online_link: Mapped[str] = mapped_column(sa.String(500), default="")
    chair_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    secretary_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default=Status.DRAFT.value)
    # The last event's sequence number: bumped (row-locked) by every live change.
    seq: Mapped[int] = mapped_column(default=0)
    current_item_id: Mapped[int | None]
    # What the presenter shows: {"file_id", "page", "by", "item_id"} as JSON.
    presentation: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invitation_draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"))
    minutes_draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"))
    # The meeting took place on paper (printed papers, a handwritten biên bản), not in the
    # room: recorded afterwards by an organiser with what happened (operations.record_on_paper).
    held_on_paper: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    paper_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    secretary: Mapped[User] = relationship(foreign_keys=[secretary_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", order_by="Participant.id", cascade="all, delete-orphan"
    )
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    def participant(self, user: User | int | None) -> Participant | None:
        uid = user if isinstance(user, int) or user is None else user.id
        return next((p for p in self.participants if p.user_id == uid), None)

    def is_participant(self, user: User) -> bool:
        return user.organisation_id == self.organisation_id and self.participant(user) is not None

    def runs(self, user: User) -> bool:
        """The chair and the secretary run the room: move the agenda, open votes, …"""
        return user.id in (self.chair_id, self.secretary_id)

    def item(self, item_id: int | None) -> AgendaItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def current_item(self) -> AgendaItem | None:
        return self.item(self.current_item_id)


class Participant(Model):
    """A person invited: a member (votes) or a guest (attends, no vote). A delegate sent
    by a member (cử người dự thay) is a participant in their own right, with the member's
    role and ``delegate_for_id`` pointing at whom they stand in for."""

    __tablename__ = "meeting_participant"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "user_id"),
        sa.CheckConstraint("role IN ('member','guest')", name="role"),
        sa.CheckConstraint("rsvp IN ('pending','attend','absent','delegate')", name="rsvp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(8), default="member")
    rsvp: Mapped[str] = mapped_column(sa.String(10), default="pending")
    rsvp_reason: Mapped[str] = mapped_column(sa.Text, default="")
    rsvp_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delegate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    delegate_for_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    delegate: Mapped[User | None] = relationship(foreign_keys=[delegate_id])
    delegate_for: Mapped[User | None] = relationship(foreign_keys=[delegate_for_id])

    @property
    def votes(self) -> bool:
        """Voting members: members who did not hand their seat to a delegate."""
        return self.role == "member" and self.rsvp != "delegate"


class AgendaItem(Model):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(500))
    presenter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    duration_minutes: Mapped[int] = mapped_column(default=15)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    # The countdown runs from started_at; paused_remaining holds the seconds left while
    # the chair has paused it.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_remaining: Mapped[int | None]
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")  # kết luận
    conclusion_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    presenter: Mapped[User | None] = relationship(foreign_keys=[presenter_id])
    documents: Mapped[list[AgendaDocument]] = relationship(
        back_populates="item", order_by="AgendaDocument.id", cascade="all, delete-orphan"
    )
    votes: Mapped[list[Vote]] = relationship(
        back_populates="item", order_by="Vote.id", cascade="all, delete-orphan"
    )


class AgendaDocument(Model):
    """A document for an agenda item: a file from an incoming or outgoing document, or
    one uploaded for the meeting. Never a confidential document."""

    __tablename__ = "agenda_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"))
    outgoing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"))
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="documents")
    stored: Mapped[StoredFile] = relationship()


class SpeakerRequest(Model):
    __tablename__ = "speaker_request"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued','speaking','done','declined','withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    topic: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Vote(Model):
    """Biểu quyết on an agenda item. For a secret vote the ``Ballot`` rows record only
    that a member voted; the choices exist only as the counters on ``VoteOption``, so
    nothing stored ties a choice to a voter."""

    __tablename__ = "vote"
    __table_args__ = (sa.CheckConstraint("status IN ('open','closed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(sa.String(500))
    secret: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[AgendaItem] = relationship(back_populates="votes")
    options: Mapped[list[VoteOption]] = relationship(
        back_populates="vote", order_by="VoteOption.position", cascade="all, delete-orphan"
    )
    ballots: Mapped[list[Ballot]] = relationship(
        back_populates="vote", order_by="Ballot.id", cascade="all, delete-orphan"
    )


class VoteOption(Model):
    __tablename__ = "vote_option"
    __table_args__ = (sa.UniqueConstraint("vote_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    count: Mapped[int] = mapped_column(default=0)

    vote: Mapped[Vote] = relationship(back_populates="options")


class Ballot(Model):
    """One per voter and vote (the UNIQUE constraint refuses a second). ``option_id`` is
    the choice for an open vote and always NULL for a secret one."""

    __tablename__ = "ballot"
    __table_args__ = (sa.UniqueConstraint("vote_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vote_option.id", ondelete="CASCADE"))

    vote: Mapped[Vote] = relationship(back_populates="ballots")


class MeetingNote(Model):
    """A participant's private note on an agenda item: only its author ever reads it."""

    __tablename__ = "meeting_note"
    __table_args__ = (sa.UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingEvent(Model):
    """The meeting's log: one row per live change, numbered without gaps per meeting."""

    __tablename__ = "meeting_event"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(32))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingConnection(Model):
    """Who is connected to a meeting's room right now, by Socket.IO session; each server
    process refreshes its own rows and sweeps rows no process has refreshed (a process
    that died), so presence survives restarts and spans processes."""

    __tablename__ = "meeting_connection"

    sid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    server_id: Mapped[str] = mapped_column(sa.String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingTask(Model):
    """A task from a conclusion, carried by an incoming-document assignment."""

    __tablename__ = "meeting_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    incoming_id: Mapped[int] = mapped_column(sa.ForeignKey("incoming_document.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incoming = relationship("IncomingDocument")
