"""The live meeting's state and its event log.

A change to a meeting that people watch goes through :func:`begin` and :func:`record`:

1. ``begin`` bumps ``meeting.seq`` with ``UPDATE … RETURNING``. That row lock (the
   database write lock on SQLite) orders concurrent changes to one meeting, across
   threads and processes.
2. The operation changes its rows, then ``record`` writes a ``MeetingEvent`` with the
   sections of the state it changed, computed inside the same transaction.
3. The broadcast is queued on the session and sent only after the commit (the
   ``after_commit`` hook below); a rollback drops it. So nothing is broadcast that is not
   stored, and the stored log has no gaps.

Clients apply ``{"seq", "kind", "data": {section: value}}`` broadcasts in order and ask
for the full state (:func:`snapshot`) when a sequence number is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session, selectinload

from docmgmt.core.timeutil import utcnow
from docmgmt.extensions import db
from docmgmt.org.models import User

from . import access
from .models import (
    AgendaDocument,
    AgendaItem,
    Ballot,
    Meeting,
    MeetingConnection,
    MeetingEvent,
    MeetingNote,
    SpeakerRequest,
    Vote,
)
from .workflow import vote_outcome

ROOM_PREFIX = "meeting-"
PENDING_KEY = "xaso_meeting_broadcasts"

# Set by meetings.sockets when Socket.IO is bound: (room, payload) → emit.
_emitter: Callable[[str, dict], None] | None = None


def room(meeting_id: int) -> str:
    return f"{ROOM_PREFIX}{meeting_id}"


def set_emitter(fn: Callable[[str, dict], None] | None) -> None:
    global _emitter
    _emitter = fn


def begin(meeting: Meeting) -> int:
    """Take the meeting's next sequence number (and its row lock) for this transaction."""
    seq = db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting.id)
        .values(seq=Meeting.seq + 1).returning(Meeting.seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    # The UPDATE may have waited for another transaction: read the meeting afresh (lazily,
    # column by column and relationship by relationship, as the operation needs them).
    db.session.expire(meeting)
    return seq


def record(meeting: Meeting, seq: int, kind: str, actor: User | None, sections: Iterable[str],
           log: dict | None = None) -> dict:
    """Store the event and queue its broadcast for after the commit.

    ``log`` is what the stored event keeps (defaults to the broadcast sections); a secret
    ballot passes a log without any choice in it.
    """
    db.session.flush()
    sections = list(sections)
    if _CHANGES_MAY.intersection(sections) and "may" not in sections:
        sections.append("may")
    data = {name: SECTIONS[name](meeting) for name in sections}
    db.session.add(MeetingEvent(meeting_id=meeting.id, seq=seq, kind=kind,
                                actor_id=actor.id if actor else None,
                                data=data if log is None else log))
    payload = {"meeting_id": meeting.id, "seq": seq, "kind": kind, "data": data}
    db.session.info.setdefault(PENDING_KEY, []).append((room(meeting.id), payload))
    return payload


@event.listens_for(Session, "after_commit")
def _broadcast(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending and _emitter is not None:
        for target, payload in pending:
            _emitter(target, payload)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


# --- the state, section by section ----------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.full_name,
            "position": user.position.name if user.position else ""}


def meeting_section(m: Meeting) -> dict:
    return {
        "id": m.id, "title": m.title, "description": m.description, "status": m.status,
        "status_label": m.status_enum.label, "starts_at": _iso(m.starts_at), "ends_at": _iso(m.ends_at),
        "location": m.location, "online_link": m.online_link,
        "chair": _person(m.chair), "secretary": _person(m.secretary),
        "started_at": _iso(m.started_at), "ended_at": _iso(m.ended_at),
    }


def online_user_ids(meeting_id: int) -> set[int]:
    return set(db.session.scalars(
        sa.select(MeetingConnection.user_id).where(MeetingConnection.meeting_id == meeting_id).distinct()
    ))


def participants_section(m: Meeting) -> list[dict]:
    online = online_user_ids(m.id)
    return [
        {**(_person(p.user) or {}), "role": p.role, "votes": p.votes, "rsvp": p.rsvp,
         "rsvp_reason": p.rsvp_reason, "delegate_for": _person(p.delegate_for),
         "checked_in": p.checked_in_at is not None, "checked_in_at": _iso(p.checked_in_at),
         "online": p.user_id in online}
        for p in m.participants
    ]


def _document(d) -> dict:
    return {"id": d.id, "title": d.title, "file_id": d.stored_file_id, "mime": d.stored.mime,
            # A path, not url_for: broadcasts are also built outside requests (CLI, workers).
            # via=meeting: the access log records the room as the door it was read through.
            "url": f"{request.script_root if has_request_context() else ''}/files/{d.stored_file_id}"
                   "?inline=1&via=meeting",
            "incoming_id": d.incoming_id, "outgoing_id": d.outgoing_id}


def timer_of(item: AgendaItem, now: datetime | None = None) -> dict:
    budget = (item.duration_minutes + item.extra_minutes) * 60
    if item.paused_remaining is not None:
        return {"running": False, "remaining": item.paused_remaining, "budget": budget, "ends_at": None}
    if item.started_at is None:
        return {"running": False, "remaining": budget, "budget": budget, "ends_at": None}
    ends = item.started_at + timedelta(seconds=budget)
    remaining = int((ends - (now or utcnow())).total_seconds())
    return {"running": True, "remaining": remaining, "budget": budget, "ends_at": _iso(ends)}


def agenda_section(m: Meeting) -> dict:
    # One query per level instead of one per item: this runs on every agenda change.
    items = db.session.scalars(
        sa.select(AgendaItem).where(AgendaItem.meeting_id == m.id).order_by(AgendaItem.position)
        .options(selectinload(AgendaItem.presenter).selectinload(User.position),
                 selectinload(AgendaItem.documents).selectinload(AgendaDocument.stored))
    )
    return {
        "current_item_id": m.current_item_id,
        "items": [
            {"id": i.id, "position": i.position, "title": i.title, "presenter": _person(i.presenter),
             "duration_minutes": i.duration_minutes, "extra_minutes": i.extra_minutes,
             "timer": timer_of(i), "conclusion": i.conclusion,
             "documents": [_document(d) for d in i.documents]}
            for i in items
        ],
    }


def presentation_section(m: Meeting) -> dict:
    return dict(m.presentation or {})


def speakers_section(m: Meeting) -> list[dict]:
    rows = db.session.scalars(
        sa.select(SpeakerRequest).where(SpeakerRequest.meeting_id == m.id,
                                        SpeakerRequest.status.in_(("queued", "speaking")))
        .order_by(SpeakerRequest.requested_at, SpeakerRequest.id)
    )
    return [{"id": r.id, "user": _person(r.user), "topic": r.topic, "status": r.status,
             "item_id": r.item_id, "requested_at": _iso(r.requested_at), "granted_at": _iso(r.granted_at)}
            for r in rows]


def vote_view(v: Vote) -> dict:
    """A secret vote shows how many have voted while it is open and its tally once
    closed; an open vote shows every ballot as it comes."""
    reveal = not v.secret or v.status == "closed"
    voted = [b.user_id for b in v.ballots]
    view = {
        "id": v.id, "item_id": v.item_id, "question": v.question, "secret": v.secret, "status": v.status,
        "opened_at": _iso(v.opened_at), "closed_at": _iso(v.closed_at),
        "options": [{"id": o.id, "label": o.label, "count": o.count if reveal else None} for o in v.options],
        "cast": len(voted), "voted": voted,
    }
    if not v.secret:
        view["ballots"] = {str(b.user_id): b.option_id for b in v.ballots}
    outcome = vote_outcome(v)
    if outcome is not None:  # closed: passed or not, over all the voting members
        view["outcome"], view["outcome_label"] = outcome
    return view


def votes_section(m: Meeting) -> list[dict]:
    votes = db.session.scalars(sa.select(Vote).where(Vote.meeting_id == m.id).order_by(Vote.id))
    return [vote_view(v) for v in votes]


SECTIONS: dict[str, Callable[[Meeting], object]] = {
    "meeting": meeting_section,
    "participants": participants_section,
    "agenda": agenda_section,
    "presentation": presentation_section,
    "speakers": speakers_section,
    "votes": votes_section,
    "may": access.room_table,  # who may do what in the room now (access.py decides)
}
# Sections whose change can change who may do what: their events carry "may" too.
_CHANGES_MAY = {"meeting", "agenda"}


def snapshot(m: Meeting, user: User) -> dict:
    """The whole current state as ``user`` sees it: every section, their own notes and
    what they may do. A client that (re)joins or missed an event starts from this."""
    state = {name: fn(m) for name, fn in SECTIONS.items() if name != "may"}
    table = access.room_table(m)
    state["may"] = table
    me = m.participant(user)
    notes = db.session.scalars(
        sa.select(MeetingNote).join(AgendaItem, AgendaItem.id == MeetingNote.item_id)
        .where(AgendaItem.meeting_id == m.id, MeetingNote.user_id == user.id)
    )
    state.update(
        meeting_id=m.id, seq=m.seq, server_time=utcnow().isoformat(),
        me={"id": user.id, "name": user.full_name, "votes": bool(me and me.votes),
            "participant": me is not None, "may": access.may(user, m, table)},
        notes={str(n.item_id): n.text for n in notes},
    )
    return state


def has_voted(vote: Vote, user: User) -> bool:
    return (db.session.scalar(
        sa.select(sa.func.count()).select_from(Ballot)
        .where(Ballot.vote_id == vote.id, Ballot.user_id == user.id)
    ) or 0) > 0
