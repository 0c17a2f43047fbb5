"""Meeting operations: every door (pages, Socket.IO events, CLI) calls these.

Each operation loads nothing by itself that the door did not hand it, checks who may act
(workflow tables), changes state, records history and, for anything people watch live,
stores an event before it is broadcast (meetings.live).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from docmgmt.audit.operations import readable_through, register_content_check
from docmgmt.audit.operations import record as audit
from docmgmt.core import signals
from docmgmt.core.access import find_scoped, load
from docmgmt.core.errors import Conflict, ValidationFailed, forbidden
from docmgmt.core.text import clean
from docmgmt.core.timeutil import VN_TZ, utcnow
from docmgmt.extensions import db
from docmgmt.files.models import StoredFile
from docmgmt.files.operations import ACCESS_CHECKS
from docmgmt.files.sandbox import inspect_pdf
from docmgmt.files.store import FileStore, store_file
from docmgmt.incoming import operations as incoming
from docmgmt.notifications.operations import notify
from docmgmt.org.models import User
from docmgmt.outgoing import operations as outgoing

from . import live
from .access import ATTEND, LIFECYCLE, ROOM, VIEW, can_manage, can_schedule, can_view  # noqa: F401 - the doors ask ops
from .models import (
    AgendaDocument,
    AgendaItem,
    Ballot,
    Meeting,
    MeetingConnection,
    MeetingNote,
    Participant,
    SpeakerRequest,
    Vote,
    VoteOption,
)
from .schemas import MeetingInput  # the input, defined with its limits
from .workflow import (
    DEFAULT_OPTIONS,
    EDITABLE,
    OUTCOME_WORDS,
    TRANSITIONS,
    Status,
    vote_outcome,
    voting_members,
)

MAX_OPTIONS = 10


# --- who may (the rules themselves live in access.py) -----------------------------------------

NOT_FOUND = _l("Không tìm thấy cuộc họp.")


def get_visible(user: User, meeting_id: object) -> Meeting:
    return VIEW.get(user, meeting_id, str(NOT_FOUND))


def get_for_room(user: User, meeting_id: object) -> Meeting:
    """Only participants enter the live room (the chair and secretary are participants)."""
    m = get_visible(user, meeting_id)  # whoever may not see it learns nothing of it
    if not ATTEND.allows(user, m):  # an organiser who is not invited
        raise forbidden(_("Chỉ người được mời mới vào được phòng họp này."), "not_participant")
    return m


def _check_live(user: User, m: Meeting, action: str) -> None:
    ROOM.check(user, m, action)


# --- scheduling ----------------------------------------------------------------------------

def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ).astimezone(utcnow().tzinfo)


def _colleague(actor: User, user_id: int | None, field_name: str, message: str) -> User:
    user = find_scoped(User, user_id, actor) if user_id else None
    if user is None or not user.active:
        raise ValidationFailed("invalid_person", message, field_name)
    return user


def _validate(actor: User, data: MeetingInput) -> tuple[MeetingInput, User, User, dict[int, str]]:
    data.title = clean(data.title)
    data.location = clean(data.location)
    data.online_link = clean(data.online_link)
    data.description = clean(data.description)
    if not data.title:
        raise ValidationFailed("required", _("Hãy nhập tên cuộc họp."), "title")
    if data.starts_at is None:
        raise ValidationFailed("required", _("Hãy chọn thời gian bắt đầu."), "starts_at")
    starts_at, ends_at = _aware(data.starts_at), _aware(data.ends_at)
    assert starts_at is not None
    data.starts_at, data.ends_at = starts_at, ends_at
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationFailed("invalid_time", _("Giờ kết thúc phải sau giờ bắt đầu."), "ends_at")
    if not data.location and not data.online_link:
        raise ValidationFailed("required", _("Hãy nhập phòng họp hoặc đường dẫn họp trực tuyến."), "location")
    if data.online_link and not data.online_link.startswith(("https://", "http://")):
        raise ValidationFailed("invalid_link", _("Đường dẫn họp trực tuyến phải bắt đầu bằng https://."),
                               "online_link")
    chair = _colleague(actor, data.chair_id, "chair_id", _("Hãy chọn người chủ trì trong cơ quan."))
    secretary = _colleague(actor, data.secretary_id, "secretary_id", _("Hãy chọn thư ký trong cơ quan."))
    roles: dict[int, str] = {}
    for uid in data.guests:
        _colleague(actor, uid, "guests", _("Khách mời phải là người dùng của cơ quan."))
        roles[uid] = "guest"
    for uid in data.members:
        _colleague(actor, uid, "members", _("Thành phần tham dự phải là người dùng của cơ quan."))
        roles[uid] = "member"  # a person listed twice is a member
    roles[chair.id] = "member"
    roles.setdefault(secretary.id, "guest")
    return data, chair, secretary, roles


def create_meeting(actor: User, data: MeetingInput) -> Meeting:
    if not can_schedule(actor):
        raise forbidden()
    data, chair, secretary, roles = _validate(actor, data)
    m = Meeting(organisation_id=actor.organisation_id, title=data.title, description=data.description,
                starts_at=data.starts_at, ends_at=data.ends_at, location=data.location,
                online_link=data.online_link, chair_id=chair.id, secretary_id=secretary.id,
                created_by_id=actor.id, presentation={})
    m.participants = [Participant(user_id=uid, role=role) for uid, role in roles.items()]
    db.session.add(m)
    db.session.flush()
    audit(actor.organisation_id, actor, "meeting.created", m, m.title)
    signals.meeting_changed.send(m)
    return m


def update_meeting(actor: User, m: Meeting, data: MeetingInput) -> Meeting:
    if not can_manage(actor, m):
        raise forbidden()
    if m.status_enum not in (Status.DRAFT, Status.INVITED):
        raise Conflict("wrong_status", _("Chỉ sửa được cuộc họp chưa bắt đầu."))
    data, chair, secretary, roles = _validate(actor, data)
    changed_time = m.starts_at != data.starts_at or m.location != data.location
    assert data.starts_at is not None  # _validate requires it
    m.title, m.description, m.starts_at, m.ends_at = data.title, data.description, data.starts_at, data.ends_at
    m.location, m.online_link, m.chair_id, m.secretary_id = (data.location, data.online_link,
                                                             chair.id, secretary.id)
    keep = {p.user_id: p for p in m.participants}
    delegates = {p.user_id for p in m.participants if p.delegate_for_id in roles}
    m.participants = [p for p in m.participants if p.user_id in roles or p.user_id in delegates]
    for uid, role in roles.items():
        if uid in keep:
            keep[uid].role = role
        else:
            m.participants.append(Participant(user_id=uid, role=role))
    db.session.flush()
    audit(actor.organisation_id, actor, "meeting.updated", m, m.title)
    signals.meeting_changed.send(m)
    if m.status_enum is Status.INVITED:
        for p in m.participants:
            if p.user_id not in keep:
                _invite(p.user, m)
            elif changed_time:
                notify(p.user, "meeting.changed",
                       _l("Cuộc họp thay đổi thời gian/địa điểm: %(t)s", t=m.title[:200]), _link(m))
    return m


def _link(m: Meeting) -> str:
    return f"/meetings/{m.id}"


def _invite(user: User, m: Meeting) -> None:
    notify(user, "meeting.invited", _l("Giấy mời họp: %(t)s", t=m.title[:200]), _link(m))


# The longest note of a meeting held on paper (a paragraph of a biên bản).
PAPER_NOTE = 2000


def transition(actor: User, m: Meeting, action: str, note: str = "") -> Meeting:
    """Invite, start, end, cancel or record it as held on paper (with ``note``), as the
    TRANSITIONS table allows."""
    if action not in TRANSITIONS:
        raise ValidationFailed("invalid_action", _("Thao tác không hợp lệ."), "action")
    target = LIFECYCLE.check(actor, m, action)
    if action == "record_on_paper":
        note = clean(note)
        if not note:
            raise ValidationFailed("required", _("Hãy ghi cuộc họp đã diễn ra thế nào (thời gian, "
                                                 "thành phần, kết luận)."), "note")
        if len(note) > PAPER_NOTE:
            raise ValidationFailed("too_long", _("Ghi chú dài quá %(n)s ký tự.", n=PAPER_NOTE), "note")
    seq = live.begin(m)
    now = utcnow()
    sections = ["meeting"]
    if action == "record_on_paper":
        # Held on paper: at the time it was called for (or now, if called early), over by now.
        m.started_at = min(m.starts_at, now)
        m.ended_at = m.ends_at if m.ends_at is not None and m.started_at < m.ends_at <= now else now
        m.held_on_paper, m.paper_note = True, note
    elif action == "invite":
        m.invited_at = now
        for p in m.participants:
            _invite(p.user, m)
    elif action == "start":
        if not m.items:
            raise Conflict("empty_agenda", _("Hãy lập chương trình họp trước khi bắt đầu."))
        m.started_at = now
        if m.current_item_id is None:
            _make_current(m, m.items[0], now)
        sections.append("agenda")
    elif action == "end":
        m.ended_at = now
        for v in db.session.scalars(sa.select(Vote).where(Vote.meeting_id == m.id, Vote.status == "open")):
            _close(v, now)
        for r in _open_speeches(m):
            r.status, r.ended_at = ("done" if r.status == "speaking" else "withdrawn"), now
        sections += ["votes", "speakers"]
    elif action == "cancel":
        for p in m.participants:
            notify(p.user, "meeting.cancelled", _l("Cuộc họp đã hủy: %(t)s", t=m.title[:200]), _link(m))
    m.status = target.value
    live.record(m, seq, f"meeting.{action}", actor, sections)
    audit(actor.organisation_id, actor, f"meeting.{action}", m, m.title)
    signals.meeting_changed.send(m)
    return m


def record_on_paper(actor: User, m: Meeting, note: str) -> Meeting:
    """The meeting happened on paper (printed papers, a handwritten biên bản), not in the
    room: an organiser records it, with what happened; the paperless figures count it as
    paper."""
    return transition(actor, m, "record_on_paper", note)


def rsvp(actor: User, m: Meeting, answer: str, reason: str = "", delegate_id: int | None = None) -> Participant:
    """Trả lời giấy mời: attend, absent with a reason, or send a delegate."""
    p = m.participant(actor)
    if p is None:
        raise forbidden(_("Bạn không có trong danh sách mời họp."), "not_participant")
    if m.status_enum not in (Status.INVITED, Status.LIVE):
        raise Conflict("wrong_status", _("Chỉ trả lời được giấy mời của cuộc họp đã mời, chưa kết thúc."))
    if p.delegate_for_id is not None and answer == "delegate":
        raise ValidationFailed("invalid_answer", _("Người dự thay không thể cử người khác."), "answer")
    reason = clean(reason)
    if answer not in ("attend", "absent", "delegate"):
        raise ValidationFailed("invalid_answer", _("Câu trả lời không hợp lệ."), "answer")
    if answer == "absent" and not reason:
        raise ValidationFailed("required", _("Hãy ghi lý do vắng mặt."), "reason")
    seq = live.begin(m)
    if p.delegate_id is not None and answer != "delegate":
        _drop_delegate(m, p)
    if answer == "delegate":
        delegate = _colleague(actor, delegate_id, "delegate_id", _("Hãy chọn người dự thay trong cơ quan."))
        if delegate.id == actor.id or (m.participant(delegate) is not None and p.delegate_id != delegate.id):
            raise ValidationFailed("invalid_delegate", _("Người dự thay phải là người chưa được mời họp."),
                                   "delegate_id")
        if p.delegate_id != delegate.id:
            _drop_delegate(m, p)
            m.participants.append(Participant(user_id=delegate.id, role=p.role, rsvp="attend",
                                              delegate_for_id=actor.id, rsvp_at=utcnow()))
            notify(delegate, "meeting.delegated",
                   _l("%(n)s cử bạn dự họp thay: %(t)s", n=actor.full_name, t=m.title[:200]), _link(m))
        p.delegate_id = delegate.id
    p.rsvp, p.rsvp_reason, p.rsvp_at = answer, reason, utcnow()
    live.record(m, seq, "participant.rsvp", actor, ["participants"])
    signals.meeting_changed.send(m)  # a delegate joins (or leaves) those who may see it
    return p


def _drop_delegate(m: Meeting, p: Participant) -> None:
    old = m.participant(p.delegate_id)
    if old is not None and old.delegate_for_id == p.user_id:
        m.participants.remove(old)
    p.delegate_id = None


# --- agenda --------------------------------------------------------------------------------

def _check_editable(actor: User, m: Meeting) -> None:
    if not can_manage(actor, m):
        raise forbidden()
    if m.status_enum not in EDITABLE:
        raise Conflict("wrong_status", _("Cuộc họp đã kết thúc hoặc đã hủy: không sửa được chương trình."))


def _item_fields(m: Meeting, title: str, presenter_id: int | None, duration_minutes: int | None) -> tuple:
    title = clean(title)
    if not title:
        raise ValidationFailed("required", _("Hãy nhập nội dung mục chương trình."), "title")
    if presenter_id is not None and m.participant(presenter_id) is None:
        raise ValidationFailed("invalid_presenter", _("Người trình bày phải là người dự họp."), "presenter_id")
    duration = duration_minutes if duration_minutes is not None else 15  # limits: AgendaItemSchema
    return title, presenter_id, duration


def add_item(actor: User, m: Meeting, title: str, presenter_id: int | None = None,
             duration_minutes: int | None = 15) -> AgendaItem:
    _check_editable(actor, m)
    title, presenter_id, duration = _item_fields(m, title, presenter_id, duration_minutes)
    seq = live.begin(m)
    item = AgendaItem(title=title, presenter_id=presenter_id, duration_minutes=duration,
                      position=max((i.position for i in m.items), default=0) + 1)
    m.items.append(item)
    live.record(m, seq, "agenda.changed", actor, ["agenda"])
    signals.meeting_changed.send(m)
    return item


def update_item(actor: User, item: AgendaItem, title: str, presenter_id: int | None,
                duration_minutes: int | None) -> AgendaItem:
    m = item.meeting
    _check_editable(actor, m)
    title, presenter_id, duration = _item_fields(m, title, presenter_id, duration_minutes)
    seq = live.begin(m)
    item.title, item.presenter_id, item.duration_minutes = title, presenter_id, duration
    live.record(m, seq, "agenda.changed", actor, ["agenda"])
    signals.meeting_changed.send(m)
    return item


def remove_item(actor: User, item: AgendaItem) -> None:
    m = item.meeting
    _check_editable(actor, m)
    if item.votes:
        raise Conflict("item_has_votes", _("Mục đã có biểu quyết, không xóa được."))
    seq = live.begin(m)
    signals.meeting_changed.send(m, removed_documents=[d.id for d in item.documents])
    if m.current_item_id == item.id:
        m.current_item_id = None
    m.items.remove(item)
    for pos, i in enumerate(m.items, start=1):
        i.position = pos
    live.record(m, seq, "agenda.changed", actor, ["agenda"])


def reorder_item(actor: User, item: AgendaItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) in the agenda."""
    m = item.meeting
    _check_editable(actor, m)
    items = list(m.items)
    index = items.index(item)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(items):
        return
    seq = live.begin(m)
    items[index], items[target] = items[target], items[index]
    for pos, i in enumerate(items, start=1):
        i.position = pos + len(items)  # step aside first: positions are not unique, but keep order
    db.session.flush()
    for pos, i in enumerate(items, start=1):
        i.position = pos
    m.items.sort(key=lambda i: i.position)
    signals.meeting_changed.send(m)  # the agenda documents are indexed with their item's number
    live.record(m, seq, "agenda.changed", actor, ["agenda"])


def _refuse_confidential(doc) -> None:
    if doc.is_confidential:
        raise ValidationFailed("confidential_not_allowed",
                               _("Văn bản mật không được đưa vào cuộc họp không giấy: "
                                 "hãy dùng bản giấy theo quy định bảo vệ bí mật nhà nước."), "document")


def document_files(actor: User, incoming_id: int | None, outgoing_id: int | None,
                   refuse_confidential: Callable[[object], None]) -> list[tuple[int, str]]:
    """(stored file id, title) of what an incoming document (its originals, else every file)
    or an outgoing one (the issued copy, else its latest version) carries, for a meeting or
    a written consultation; the actor must be able to read the document, and
    ``refuse_confidential`` refuses a confidential one (a paper-tracking entry only)."""
    if incoming_id is not None:
        doc = incoming.get_readable(actor, incoming_id)
        refuse_confidential(doc)
        files = [f for f in doc.files if f.kind == "original"] or list(doc.files)
        title = f"{doc.number_symbol or doc.arrival_label} — {doc.subject}"[:500]
        found = [(f.stored_file_id, title) for f in files]
    else:
        draft = outgoing.get_readable(actor, outgoing_id)
        refuse_confidential(draft)
        file_id = draft.issued_file_id
        if file_id is None and draft.versions:
            file_id = draft.versions[-1].pdf_file_id or draft.versions[-1].source_file_id
        title = f"{draft.number_symbol or _('Dự thảo')} — {draft.subject}"[:500]
        found = [(file_id, title)] if file_id is not None else []
    if not found:
        raise ValidationFailed("no_file", _("Văn bản này không có tệp đính kèm."), "document")
    return found


def attach_document(actor: User, item: AgendaItem, *, incoming_id: int | None = None,
                    outgoing_id: int | None = None,
                    upload: tuple[BinaryIO | bytes, str] | None = None) -> AgendaDocument:
    """Attach a document to an agenda item: the files of an incoming document, the latest
    PDF of an outgoing one, or a file uploaded for the meeting. Confidential documents are
    refused: they exist in the system only as paper-tracking entries."""
    m = item.meeting
    _check_editable(actor, m)
    if sum(x is not None for x in (incoming_id, outgoing_id, upload)) != 1:
        raise ValidationFailed("required", _("Hãy chọn một văn bản hoặc tải lên một tệp."), "document")
    seq = live.begin(m)
    attached: list[AgendaDocument] = []
    if incoming_id is not None or outgoing_id is not None:
        for file_id, title in document_files(actor, incoming_id, outgoing_id, _refuse_confidential):
            attached.append(AgendaDocument(stored_file_id=file_id, title=title, incoming_id=incoming_id,
                                           outgoing_id=outgoing_id, added_by_id=actor.id))
    else:
        assert upload is not None  # exactly one of the three, checked above
        stream, name = upload
        stored = store_file(stream, name, organisation_id=actor.organisation_id, uploaded_by_id=actor.id,
                            allowed={"application/pdf"})
        if not inspect_pdf(FileStore.from_app().path_for(stored.sha256)).ok:
            raise ValidationFailed("pdf_invalid", _("Tệp PDF không đọc được hoặc bị hỏng."), "file")
        attached.append(AgendaDocument(stored_file_id=stored.id, title=clean(name)[:500] or "tai-lieu.pdf",
                                       added_by_id=actor.id))
    item.documents.extend(attached)
    live.record(m, seq, "agenda.changed", actor, ["agenda"])
    signals.meeting_changed.send(m)
    return attached[0]


def remove_document(actor: User, document: AgendaDocument) -> None:
    item = document.item
    _check_editable(actor, item.meeting)
    seq = live.begin(item.meeting)
    signals.meeting_changed.send(item.meeting, removed_documents=[document.id])
    item.documents.remove(document)
    live.record(item.meeting, seq, "agenda.changed", actor, ["agenda"])


def meeting_file_access(user: User, stored: StoredFile) -> bool:
    """Meeting documents are readable by the meeting's participants."""
    return db.session.scalars(
        ATTEND.select(user).join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .join(AgendaDocument, AgendaDocument.item_id == AgendaItem.id)
        .where(AgendaDocument.stored_file_id == stored.id).limit(1)
    ).first() is not None


ACCESS_CHECKS.append(meeting_file_access)


def _votes_seen_by(reader: User, ids: list[int]):
    """A vote's question is the meeting's content: for those who may see the meeting."""
    return db.session.scalars(
        sa.select(Vote.id).join(Meeting, Meeting.id == Vote.meeting_id).where(Vote.id.in_(ids), VIEW.clause(reader))
    )


# The audit log shows an entry's summary about a meeting (or its vote) to those who may see it.
register_content_check("meeting", readable_through(VIEW))
register_content_check("vote", _votes_seen_by)


# --- the live room -------------------------------------------------------------------------

def connect(user: User, m: Meeting, sid: str, server_id: str) -> None:
    """A browser tab entered the room; presence changes only when a person's first tab
    arrives."""
    was_online = user.id in live.online_user_ids(m.id)
    if was_online:
        db.session.merge(MeetingConnection(sid=sid, meeting_id=m.id, user_id=user.id,
                                           server_id=server_id, seen_at=utcnow()))
        return
    seq = live.begin(m)
    db.session.merge(MeetingConnection(sid=sid, meeting_id=m.id, user_id=user.id,
                                       server_id=server_id, seen_at=utcnow()))
    live.record(m, seq, "presence", user, ["participants"])


def disconnect(sid: str) -> None:
    conn = db.session.get(MeetingConnection, sid)
    if conn is None:
        return
    _drop_connections([conn])


def _drop_connections(conns: list[MeetingConnection]) -> None:
    by_meeting: dict[int, list[MeetingConnection]] = {}
    for c in conns:
        by_meeting.setdefault(c.meeting_id, []).append(c)
    for meeting_id, rows in by_meeting.items():
        m = db.session.get(Meeting, meeting_id)
        before = live.online_user_ids(meeting_id)
        for c in rows:
            db.session.delete(c)
        db.session.flush()
        if m is not None and live.online_user_ids(meeting_id) != before:
            seq = live.begin(m)
            live.record(m, seq, "presence", None, ["participants"])


def refresh_connections(server_id: str, stale_after: timedelta = timedelta(seconds=60)) -> int:
    """Keep this process's connections fresh and drop those of processes that stopped
    refreshing theirs (they died); returns how many were dropped."""
    now = utcnow()
    db.session.execute(sa.update(MeetingConnection).where(MeetingConnection.server_id == server_id)
                       .values(seen_at=now))
    stale = list(db.session.scalars(sa.select(MeetingConnection)
                                    .where(MeetingConnection.seen_at < now - stale_after)))
    _drop_connections(stale)
    return len(stale)


def forget_server(server_id: str) -> None:
    """A process starting afresh holds no connections: drop whatever it held before."""
    _drop_connections(list(db.session.scalars(
        sa.select(MeetingConnection).where(MeetingConnection.server_id == server_id))))


def check_in(actor: User, m: Meeting, user_id: int | None = None) -> Participant:
    """Điểm danh: oneself, or by the chair/secretary for someone in the room."""
    others = user_id is not None and user_id != actor.id
    _check_live(actor, m, "check_in_others" if others else "check_in")
    target = m.participant(user_id if user_id is not None else actor.id)
    if target is None:
        raise ValidationFailed("not_participant", _("Người này không có trong danh sách mời họp."), "user_id")
    if target.checked_in_at is not None:
        return target
    seq = live.begin(m)
    target.checked_in_at, target.checked_in_by_id = utcnow(), actor.id
    if target.rsvp == "pending":
        target.rsvp = "attend"
    live.record(m, seq, "participant.checked_in", actor, ["participants"])
    return target


def _item_of(m: Meeting, item_id) -> AgendaItem:
    item = m.item(item_id) if isinstance(item_id, int) else None
    if item is None:
        raise ValidationFailed("invalid_item", _("Mục chương trình không tồn tại."), "item_id")
    return item


def _make_current(m: Meeting, item: AgendaItem, now: datetime) -> None:
    m.current_item_id = item.id
    if item.started_at is None and item.paused_remaining is None:
        item.started_at = now
    m.presentation = {}


def move_item(actor: User, m: Meeting, item_id: int) -> AgendaItem:
    """The chair or secretary moves the meeting to an agenda item; every screen follows."""
    _check_live(actor, m, "move_item")
    item = _item_of(m, item_id)
    seq = live.begin(m)
    _make_current(m, item, utcnow())
    live.record(m, seq, "agenda.current", actor, ["agenda", "presentation"])
    return item


def present(actor: User, m: Meeting, file_id: int, page: int) -> dict:
    """The presenter shows a page of one of the current item's documents."""
    _check_live(actor, m, "present")
    item = m.current_item
    if item is None:
        raise Conflict("no_current_item", _("Chưa có mục chương trình nào đang thảo luận."))
    doc = next((d for d in item.documents if d.stored_file_id == file_id), None)
    if doc is None:
        raise ValidationFailed("invalid_document", _("Tài liệu không thuộc mục đang thảo luận."), "file_id")
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= 10000:
        raise ValidationFailed("invalid_page", _("Số trang không hợp lệ."), "page")
    seq = live.begin(m)
    m.presentation = {"file_id": file_id, "page": page, "title": doc.title, "by": actor.id,
                      "by_name": actor.full_name, "item_id": item.id}
    live.record(m, seq, "presentation", actor, ["presentation"])
    return m.presentation


def _open_speeches(m: Meeting) -> list[SpeakerRequest]:
    return list(db.session.scalars(sa.select(SpeakerRequest).where(
        SpeakerRequest.meeting_id == m.id, SpeakerRequest.status.in_(("queued", "speaking")))))


def request_speech(actor: User, m: Meeting, topic: str = "") -> SpeakerRequest:
    _check_live(actor, m, "request_speech")
    topic = clean(topic)
    if len(topic) > 500:
        raise ValidationFailed("too_long", _("Nội dung đăng ký phát biểu dài quá 500 ký tự."), "topic")
    if any(r.user_id == actor.id for r in _open_speeches(m)):
        raise Conflict("already_requested", _("Bạn đã đăng ký phát biểu, hãy chờ đến lượt."))
    seq = live.begin(m)
    r = SpeakerRequest(meeting_id=m.id, item_id=m.current_item_id, user_id=actor.id, topic=topic)
    db.session.add(r)
    live.record(m, seq, "speech.requested", actor, ["speakers"])
    return r


def _of_meeting(model, m: Meeting, object_id, code: str, message: str, field_name: str):
    """A speaker request or a vote named by a client, refused unless it is this meeting's."""
    obj = load(model, object_id) if isinstance(object_id, int) else None
    if obj is None or obj.meeting_id != m.id:
        raise ValidationFailed(code, message, field_name)
    return obj


def _speech(m: Meeting, request_id) -> SpeakerRequest:
    return _of_meeting(SpeakerRequest, m, request_id, "invalid_request",
                       _("Lượt đăng ký phát biểu không tồn tại."), "request_id")


def _speech_action(actor: User, m: Meeting, request_id: int, action: str) -> SpeakerRequest:
    _check_live(actor, m, action)
    r = _speech(m, request_id)
    allowed = {"grant_speech": ("queued",), "end_speech": ("speaking",), "decline_speech": ("queued",),
               "withdraw_speech": ("queued",)}[action]
    if action == "withdraw_speech" and r.user_id != actor.id:
        raise forbidden()
    if r.status not in allowed:
        raise Conflict("wrong_status", _("Lượt phát biểu này không còn ở trạng thái đó."))
    seq = live.begin(m)
    now = utcnow()
    if action == "grant_speech":
        for other in _open_speeches(m):
            if other.status == "speaking":
                other.status, other.ended_at = "done", now
        r.status, r.granted_at = "speaking", now
    else:
        r.status = {"end_speech": "done", "decline_speech": "declined", "withdraw_speech": "withdrawn"}[action]
        r.ended_at = now
    live.record(m, seq, f"speech.{action.split('_')[0]}", actor, ["speakers"])
    if action in ("grant_speech", "decline_speech") and r.user_id != actor.id:
        note = (_l("Mời bạn phát biểu: %(t)s", t=m.title[:200]) if action == "grant_speech"
                else _l("Chủ trì chưa mời phát biểu lượt đăng ký của bạn: %(t)s", t=m.title[:200]))
        notify(r.user, f"meeting.{action}", note, _link(m) + "/room")
    return r


def grant_speech(actor: User, m: Meeting, request_id: int) -> SpeakerRequest:
    return _speech_action(actor, m, request_id, "grant_speech")


def end_speech(actor: User, m: Meeting, request_id: int) -> SpeakerRequest:
    return _speech_action(actor, m, request_id, "end_speech")


def decline_speech(actor: User, m: Meeting, request_id: int) -> SpeakerRequest:
    return _speech_action(actor, m, request_id, "decline_speech")


def withdraw_speech(actor: User, m: Meeting, request_id: int) -> SpeakerRequest:
    return _speech_action(actor, m, request_id, "withdraw_speech")


def open_vote(actor: User, m: Meeting, item_id: int, question: str, options: list[str] | None = None,
              secret: bool = False) -> Vote:
    _check_live(actor, m, "open_vote")
    item = _item_of(m, item_id)
    question = clean(question) or item.title
    labels = [clean(o) for o in (options or DEFAULT_OPTIONS) if isinstance(o, str) and clean(o)]
    if options is not None and (not isinstance(options, list) or len(labels) != len(options)):
        raise ValidationFailed("invalid_options", _("Phương án biểu quyết không hợp lệ."), "options")
    if not 2 <= len(labels) <= MAX_OPTIONS or len(set(labels)) != len(labels):
        raise ValidationFailed("invalid_options",
                               _("Cần từ 2 đến %(n)s phương án khác nhau.", n=MAX_OPTIONS), "options")
    if any(len(label) > 200 for label in labels):
        raise ValidationFailed("too_long", _("Phương án biểu quyết quá dài (tối đa 200 ký tự)."), "options")
    if len(question) > 500:
        raise ValidationFailed("too_long", _("Nội dung biểu quyết quá dài."), "question")
    if not isinstance(secret, bool):
        raise ValidationFailed("invalid_secret", _("Hình thức biểu quyết không hợp lệ."), "secret")
    seq = live.begin(m)
    if db.session.scalar(sa.select(Vote.id).where(Vote.meeting_id == m.id, Vote.status == "open")):
        raise Conflict("vote_open", _("Đang có một biểu quyết chưa kết thúc."))
    vote = Vote(meeting_id=m.id, item_id=item.id, question=question, secret=secret, opened_by_id=actor.id,
                options=[VoteOption(position=i, label=label) for i, label in enumerate(labels, start=1)])
    db.session.add(vote)
    live.record(m, seq, "vote.opened", actor, ["votes"])
    audit(m.organisation_id, actor, "meeting.vote_opened", vote, question[:300],
          {"meeting_id": m.id, "secret": secret, "options": labels})
    return vote


def _vote_of(m: Meeting, vote_id) -> Vote:
    return _of_meeting(Vote, m, vote_id, "invalid_vote", _("Biểu quyết không tồn tại."), "vote_id")


def cast_ballot(actor: User, m: Meeting, vote_id: int, option_id: int) -> None:
    """One ballot per voting member. A secret ballot adds to the option's counter and
    stores only *that* the member voted, never what."""
    _check_live(actor, m, "cast_ballot")
    vote = _vote_of(m, vote_id)
    option = next((o for o in vote.options if o.id == option_id), None) if isinstance(option_id, int) else None
    if option is None:
        raise ValidationFailed("invalid_option", _("Phương án không thuộc biểu quyết này."), "option_id")
    seq = live.begin(m)
    db.session.refresh(vote)
    if vote.status != "open":
        raise Conflict("vote_closed", _("Biểu quyết đã kết thúc."))
    if live.has_voted(vote, actor):
        raise Conflict("already_voted", _("Bạn đã biểu quyết rồi: mỗi người chỉ một phiếu."))
    db.session.add(Ballot(vote_id=vote.id, user_id=actor.id, option_id=None if vote.secret else option.id))
    db.session.execute(sa.update(VoteOption).where(VoteOption.id == option.id)
                       .values(count=VoteOption.count + 1).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(vote)
    for o in vote.options:
        db.session.refresh(o)
    log = {"vote_id": vote.id, "voter": actor.id}
    if not vote.secret:
        log["option_id"] = option.id
    live.record(m, seq, "vote.ballot", actor, ["votes"], log=log)


def _close(vote: Vote, now: datetime) -> None:
    vote.status, vote.closed_at = "closed", now


def close_vote(actor: User, m: Meeting, vote_id: int) -> Vote:
    _check_live(actor, m, "close_vote")
    vote = _vote_of(m, vote_id)
    seq = live.begin(m)
    db.session.refresh(vote)
    if vote.status != "open":
        raise Conflict("vote_closed", _("Biểu quyết đã kết thúc."))
    _close(vote, utcnow())
    live.record(m, seq, "vote.closed", actor, ["votes"])
    audit(m.organisation_id, actor, "meeting.vote_closed", vote, vote.question[:300],
          {"meeting_id": m.id, "result": {o.label: o.count for o in vote.options}})
    return vote


def vote_result(vote: Vote, words: Mapping[str, object] = OUTCOME_WORDS) -> str:
    """"Tán thành 7/9, Không tán thành 1/9, Không ý kiến 1/9 — thông qua": the tally over
    the voting members, and once closed what it decided (``words``: the biên bản's
    Vietnamese by default, ``OUTCOME_LABELS`` on a page)."""
    voters = voting_members(vote)
    tally = ", ".join(f"{o.label} {o.count}/{voters}" for o in vote.options)
    outcome = vote_outcome(vote)
    return f"{tally} — {str(words[outcome[0]]) % {'label': outcome[1]}}" if outcome else tally




def save_note(actor: User, m: Meeting, item_id: int, text: str) -> MeetingNote:
    """A private note: stored for its author only, never broadcast."""
    _check_live(actor, m, "save_note")
    item = _item_of(m, item_id)
    text = clean(text)
    if len(text) > 20000:
        raise ValidationFailed("too_long", _("Ghi chú dài quá 20.000 ký tự."), "text")
    note = db.session.scalar(sa.select(MeetingNote).where(MeetingNote.item_id == item.id,
                                                          MeetingNote.user_id == actor.id))
    if note is None:
        note = MeetingNote(item_id=item.id, user_id=actor.id)
        db.session.add(note)
    note.text, note.updated_at = text, utcnow()
    db.session.flush()
    return note


def save_conclusion(actor: User, m: Meeting, item_id: int, text: str) -> AgendaItem:
    """Kết luận of an agenda item, written by the secretary (or the chair)."""
    _check_live(actor, m, "save_conclusion")
    item = _item_of(m, item_id)
    text = clean(text)
    if len(text) > 20000:
        raise ValidationFailed("too_long", _("Kết luận dài quá 20.000 ký tự."), "text")
    seq = live.begin(m)
    item.conclusion, item.conclusion_by_id = text, actor.id
    live.record(m, seq, "agenda.conclusion", actor, ["agenda"])
    signals.meeting_changed.send(m)
    return item


def timer(actor: User, m: Meeting, item_id: int, action: str, minutes: int = 0) -> AgendaItem:
    """The item's countdown: extend by some minutes, pause, resume or restart."""
    _check_live(actor, m, "timer")
    item = _item_of(m, item_id)
    if action not in ("extend", "pause", "resume", "restart"):
        raise ValidationFailed("invalid_action", _("Thao tác đồng hồ không hợp lệ."), "action")
    if action == "extend" and (not isinstance(minutes, int) or not 1 <= minutes <= 120):
        raise ValidationFailed("invalid_duration", _("Số phút thêm phải từ 1 đến 120."), "minutes")
    seq = live.begin(m)
    now = utcnow()
    state = live.timer_of(item, now)
    if action == "extend":
        item.extra_minutes += minutes
    elif action == "pause" and state["running"]:
        item.paused_remaining, item.started_at = state["remaining"], None
    elif action == "resume" and item.paused_remaining is not None:
        budget = (item.duration_minutes + item.extra_minutes) * 60
        item.started_at = now - timedelta(seconds=budget - item.paused_remaining)
        item.paused_remaining = None
    elif action == "restart":
        item.extra_minutes, item.paused_remaining, item.started_at = 0, None, now
    live.record(m, seq, "agenda.timer", actor, ["agenda"])
    return item


# --- lists ---------------------------------------------------------------------------------

def meetings_between(user: User, start: date, end: date, mine: bool = False) -> list[Meeting]:
    """Meetings the user may see whose start falls in [start, end) (local dates)."""
    lo = datetime.combine(start, datetime.min.time(), VN_TZ)
    hi = datetime.combine(end, datetime.min.time(), VN_TZ)
    q = (ATTEND if mine else VIEW).select(user).where(Meeting.starts_at >= lo, Meeting.starts_at < hi)
    return list(db.session.scalars(q.order_by(Meeting.starts_at)))


def my_meetings(user: User, *, upcoming: bool = True, limit: int = 50) -> list[Meeting]:
    now = utcnow()
    q = ATTEND.select(user)
    if upcoming:
        q = q.where(sa.or_(Meeting.status == Status.LIVE.value,
                           sa.and_(Meeting.starts_at >= now - timedelta(hours=12),
                                   Meeting.status.in_((Status.INVITED.value, Status.DRAFT.value)))))
        q = q.order_by(Meeting.starts_at)
    else:
        q = q.where(Meeting.status.in_((Status.ENDED.value, Status.CANCELLED.value))).order_by(
            Meeting.starts_at.desc())
    return list(db.session.scalars(q.limit(limit)))


def new_server_id() -> str:
    return secrets.token_hex(8)
