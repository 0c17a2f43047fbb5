"""API door for meetings (lịch họp, họp không giấy), under /api/v1/meetings.

The same doors as the meeting pages, for programs (a phone app, the commune's portal):
the meetings I may see, one meeting with what I may do in it now (``actions``: the
function the page's buttons come from), its agenda, answering the invitation, the
Giấy mời and the biên bản as the page serves them, and the lifecycle acts the page
offers. Each view loads the meeting through ``operations.get_visible`` (a meeting the
caller may not see is "not found", never "forbidden"), calls one operation and
serialises the result; the operations decide permissions, states and every refusal
(403 ``forbidden``/``not_participant``, 409 ``wrong_status``/``empty_agenda``/
``not_ended``, 422 naming the field). The live room stays on Socket.IO (/meetings).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from docmgmt.api.blueprint import api_blueprint
from docmgmt.core.text import person_sort_key
from docmgmt.core.timeutil import VN_TZ
from docmgmt.extensions import db

from . import access, live
from . import documents as docs
from . import operations as ops
from .models import AgendaItem, Meeting, Participant, Vote
from .schemas import (
    MeetingAgendaSchema,
    MeetingDetailSchema,
    MeetingListQuerySchema,
    MeetingPageSchema,
    MeetingSchema,
    PaperNoteSchema,
    RsvpSchema,
)
from .workflow import OUTCOME_LABELS, Status

bp = api_blueprint(
    "meetings", __name__,
    "Meetings (lịch họp, họp không giấy): the meetings I may see, one meeting with what I may do now, "
    "its agenda with documents and votes, answering the invitation, the Giấy mời and the biên bản "
    "(DOCX), scheduling, editing, inviting, starting, ending, cancelling, recording a meeting held on "
    "paper. The live room itself is the Socket.IO namespace /meetings.",
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BINARY = {"format": "binary", "type": "string"}


class _Shown:
    """A record as the caller is shown it: the record's own attributes, and what the
    door adds for this caller (``actions``, ``me``, the votes they may see)."""

    def __init__(self, record: Any, **added: Any) -> None:
        self._record = record
        self.__dict__.update(added)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._record, name)


def _in_list_order(m: Meeting) -> list[Participant]:
    """As the page lists them: the chair first, then in Vietnamese name order."""
    return sorted(m.participants, key=lambda p: (p.user_id != m.chair_id, person_sort_key(p.user.full_name)))


def _detail(m: Meeting) -> _Shown:
    base = f"/api/v1/meetings/{m.id}"
    return _Shown(
        m, participants=_in_list_order(m), me=m.participant(current_user),
        actions=sorted(access.available_actions(current_user, m)),
        invitation_url=f"{base}/invitation",
        minutes_url=f"{base}/minutes" if m.status_enum is Status.ENDED else None,
    )


def _load(meeting_id: int) -> Meeting:
    return ops.get_visible(current_user, meeting_id)


# --- the list ------------------------------------------------------------------------------------

def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


def _listed(args: dict) -> list[Meeting]:
    """One page (and one more, to tell whether there is a next) of the meetings the
    caller may see — or, ``mine``, is invited to: the rules of ``access``, as the
    calendar asks them — latest start first."""
    query = (access.ATTEND if args["mine"] else access.VIEW).select(current_user)
    if args["status"]:
        query = query.where(Meeting.status == args["status"])
    if args["date_from"] is not None:
        query = query.where(Meeting.starts_at >= _midnight(args["date_from"]))
    if args["date_to"] is not None:
        query = query.where(Meeting.starts_at < _midnight(args["date_to"] + timedelta(days=1)))
    per_page, page = args["per_page"], args["page"]
    query = query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(per_page + 1)
    return list(db.session.scalars(query.offset((page - 1) * per_page)))


@bp.route("/meetings")
class MeetingCollection(MethodView):
    @bp.arguments(MeetingListQuerySchema, location="query")
    @bp.response(200, MeetingPageSchema)
    def get(self, args):
        """Meetings I may see (``mine``: I am invited to), latest first; filters status, from, to
        (days of the start, Vietnam time, both included); paginated."""
        meetings = _listed(args)
        per_page = args["per_page"]
        return {"items": meetings[:per_page], "page": args["page"], "per_page": per_page,
                "has_more": len(meetings) > per_page}

    @bp.arguments(MeetingSchema)
    @bp.response(201, MeetingDetailSchema)
    @bp.alt_response(422, description="validation_error, required (title, starts_at, location), "
                     "invalid_time, invalid_link, invalid_person (chair_id, secretary_id, members, guests)")
    def post(self, data):
        """Schedule a meeting (leaders and those who organise meetings). ``starts_at`` and
        ``ends_at`` are ISO 8601; a time without offset is Vietnam's. The chair is a member;
        the secretary a guest unless listed as a member."""
        return _detail(ops.create_meeting(current_user, data))


@bp.route("/meetings/<int:meeting_id>")
class MeetingItem(MethodView):
    @bp.response(200, MeetingDetailSchema)
    def get(self, meeting_id):
        """One meeting: time, place, chair, secretary, participants with their answers and
        check-in, and ``actions``, what I may do now."""
        return _detail(_load(meeting_id))

    @bp.arguments(MeetingSchema)
    @bp.response(200, MeetingDetailSchema)
    @bp.alt_response(409, description="wrong_status: only a meeting not yet started can be changed")
    @bp.alt_response(422, description="as when scheduling")
    def put(self, data, meeting_id):
        """Change a meeting not yet started (its chair, secretary, organisers): the whole
        meeting, as the page's form sends it — a member left out is no longer invited. Once
        invited, newcomers get their invitation and everyone a changed time or place."""
        m = _load(meeting_id)
        return _detail(ops.update_meeting(current_user, m, data))


# --- the lifecycle -------------------------------------------------------------------------------

def _transition(meeting_id: int, action: str) -> _Shown:
    m = _load(meeting_id)
    return _detail(ops.transition(current_user, m, action))


@bp.route("/meetings/<int:meeting_id>/invite")
class Invite(MethodView):
    @bp.response(200, MeetingDetailSchema)
    @bp.alt_response(409, description="wrong_status: only a meeting in preparation is invited")
    def post(self, meeting_id):
        """Gửi giấy mời: every participant is notified (the organisers)."""
        return _transition(meeting_id, "invite")


@bp.route("/meetings/<int:meeting_id>/start")
class Start(MethodView):
    @bp.response(200, MeetingDetailSchema)
    @bp.alt_response(409, description="wrong_status; empty_agenda: the agenda has no item")
    def post(self, meeting_id):
        """Bắt đầu họp: the room goes live on the first agenda item (the chair or the secretary)."""
        return _transition(meeting_id, "start")


@bp.route("/meetings/<int:meeting_id>/end")
class End(MethodView):
    @bp.response(200, MeetingDetailSchema)
    @bp.alt_response(409, description="wrong_status: only a live meeting ends")
    def post(self, meeting_id):
        """Kết thúc: open votes close, the speakers' queue empties (the chair or the secretary)."""
        return _transition(meeting_id, "end")


@bp.route("/meetings/<int:meeting_id>/cancel")
class Cancel(MethodView):
    @bp.response(200, MeetingDetailSchema)
    @bp.alt_response(409, description="wrong_status: a meeting started or over is not cancelled")
    def post(self, meeting_id):
        """Hủy cuộc họp: the participants are told (the organisers)."""
        return _transition(meeting_id, "cancel")


@bp.route("/meetings/<int:meeting_id>/record-on-paper")
class RecordOnPaper(MethodView):
    @bp.arguments(PaperNoteSchema)
    @bp.response(200, MeetingDetailSchema)
    @bp.alt_response(409, description="wrong_status: only a meeting not yet started")
    @bp.alt_response(422, description="required or too_long: note")
    def post(self, data, meeting_id):
        """Họp bằng giấy: the meeting took place on paper, not in the room; recorded as ended
        with what happened (the organisers)."""
        m = _load(meeting_id)
        return _detail(ops.record_on_paper(current_user, m, data["note"]))


# --- answering the invitation ---------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/rsvp")
class Rsvp(MethodView):
    @bp.arguments(RsvpSchema)
    @bp.response(200, MeetingDetailSchema)
    @bp.alt_response(403, description="not_participant: I am not invited")
    @bp.alt_response(409, description="wrong_status: the meeting is not invited or live")
    @bp.alt_response(422, description="invalid_answer (answer), required (reason), invalid_person or "
                     "invalid_delegate (delegate_id)")
    def post(self, data, meeting_id):
        """Trả lời giấy mời: ``attend``; ``absent`` with a ``reason``; or ``delegate`` with
        ``delegate_id``, a colleague not invited, who then attends in my place."""
        m = _load(meeting_id)
        answer = data["answer"]
        ops.rsvp(current_user, m, answer, data["reason"], data["delegate_id"] if answer == "delegate" else None)
        return _detail(m)


# --- the agenda ----------------------------------------------------------------------------------

def _vote(v: Vote) -> dict:
    """What the room shows of a vote (``live.vote_view``: a secret vote's tally only once
    closed), and once closed the result in the page's words."""
    view = live.vote_view(v)
    return {
        "id": v.id, "question": v.question, "secret": v.secret, "status": v.status,
        "opened_at": v.opened_at, "closed_at": v.closed_at, "options": view["options"], "cast": view["cast"],
        "outcome": view.get("outcome"),
        "result": ops.vote_result(v, OUTCOME_LABELS) if v.status == "closed" else None,
    }


def _item(item: AgendaItem, sees_votes: bool) -> _Shown:
    return _Shown(item, votes=[_vote(v) for v in item.votes] if sees_votes else None)


@bp.route("/meetings/<int:meeting_id>/agenda")
class Agenda(MethodView):
    @bp.response(200, MeetingAgendaSchema)
    def get(self, meeting_id):
        """The agenda: items in order with presenter, time, documents (download links),
        conclusion and votes. The votes, as they happen, are the room's: its participants see
        them; everyone who sees the meeting sees them once it has ended, as on its page."""
        m = _load(meeting_id)
        sees_votes = m.status_enum is Status.ENDED or access.ATTEND.allows(current_user, m)
        return {"meeting_id": m.id, "status": m.status, "current_item_id": m.current_item_id,
                "items": [_item(i, sees_votes) for i in m.items]}


# --- Giấy mời, biên bản --------------------------------------------------------------------------

def _docx(content: bytes, kind: str, m: Meeting):
    """The file as the page serves it: a DOCX under its Vietnamese name."""
    title = re.sub(r'[\\/:*?"<>|\r\n\t]+', " ", m.title).strip()[:80] or str(m.id)
    response = send_file(io.BytesIO(content), mimetype=DOCX, as_attachment=True,
                         download_name=f"{kind} - {title}.docx", max_age=0)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.route("/meetings/<int:meeting_id>/invitation")
class Invitation(MethodView):
    @bp.response(200, BINARY, content_type=DOCX)
    def get(self, meeting_id):
        """The Giấy mời (NĐ30 Mẫu 1.7) as a DOCX, built from the meeting as it is now."""
        m = _load(meeting_id)
        return _docx(docs.invitation_docx(m), _("Giấy mời"), m)


@bp.route("/meetings/<int:meeting_id>/minutes")
class Minutes(MethodView):
    @bp.response(200, BINARY, content_type=DOCX)
    @bp.alt_response(409, description="not_ended: the minutes exist once the meeting has ended")
    def get(self, meeting_id):
        """The biên bản (NĐ30 Mẫu 1.9) as a DOCX: attendance, speakers, votes, conclusions."""
        m = _load(meeting_id)
        return _docx(docs.minutes_docx(m), _("Biên bản"), m)

