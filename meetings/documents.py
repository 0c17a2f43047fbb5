"""What a meeting produces on paper and in the workflow: the Giấy mời (NĐ30 Mẫu 1.7), the
biên bản (Mẫu 1.9) built from attendance, speakers, votes and conclusions, both handed
to the outgoing flow as drafts for signature; and tasks from conclusions, carried by the
same assignment machinery as incoming documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from docmgmt.audit.operations import record as audit
from docmgmt.core.errors import Conflict, ValidationFailed, forbidden
from docmgmt.core.permissions import Permission
from docmgmt.core.schemas import max_length
from docmgmt.core.text import clean
from docmgmt.core.timeutil import to_vn, vn_today
from docmgmt.extensions import db
from docmgmt.incoming import operations as incoming
from docmgmt.org.models import User
from docmgmt.outgoing.drafting import signer_lines
from docmgmt.outgoing.operations import Upload, create_draft
from docmgmt.outgoing.schemas import DraftCreateSchema
from docmgmt.outgoing.templates_docx import BodyParagraph, DraftSpec, build_draft

from .models import AgendaItem, Meeting, MeetingTask, SpeakerRequest
from .operations import can_manage, vote_result
from .workflow import Status

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _when(value) -> str:
    local = to_vn(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def _who(user: User) -> str:
    position = user.position.name if user.position else ""
    return f"{user.full_name} ({position})" if position else user.full_name


def committee_spec(chair: User, secretary: User, doc_type: str, subject: str, **fields) -> DraftSpec:
    """A document the committee produces (a meeting's, a written consultation's): signed by
    ``chair`` with the authority their position carries, drafted in ``secretary``'s unit."""
    org = chair.organisation
    authority, position = signer_lines(org, chair)
    return DraftSpec(
        doc_type=doc_type, issuing_body=org.name, abbreviation=org.abbreviation, place_name=org.place_name,
        subject=subject, signer_authority=authority, signer_position=position, signer_name=chair.full_name,
        unit_abbreviation=secretary.unit.abbreviation if secretary.unit else "", **fields,
    )


def _spec(m: Meeting, doc_type: str, subject: str, **fields) -> DraftSpec:
    return committee_spec(m.chair, m.secretary, doc_type, subject, **fields)


def invitation_docx(m: Meeting) -> bytes:
    """Giấy mời: who is invited, to what, chaired by whom, when and where."""
    invitees = [_who(p.user) for p in m.participants if p.user_id != m.chair_id and p.delegate_for_id is None]
    place = m.location or ""
    if m.online_link:
        place = f"{place} — trực tuyến: {m.online_link}" if place else f"Trực tuyến: {m.online_link}"
    body = [f"Nội dung: {'; '.join(f'{i.position}. {i.title}' for i in m.items)}."] if m.items else []
    if m.description:
        body.insert(0, m.description)
    return build_draft(_spec(
        m, "giay_moi", f"Dự {m.title}", addressees=invitees, body=body or [m.title],
        details={"Chủ trì": _who(m.chair), "Thời gian": _when(m.starts_at), "Địa điểm": place},
        recipients=["Như trên"],
    ))


def _attendance(m: Meeting) -> str:
    present = [p for p in m.participants if p.checked_in_at is not None]
    absent = [p for p in m.participants if p.checked_in_at is None and p.rsvp != "delegate"]
    delegated = [p for p in m.participants if p.rsvp == "delegate"]
    members = [p for p in m.participants if p.role == "member" and p.delegate_for_id is None]
    parts = [f"Có mặt {len(present)}/{len(members) + sum(1 for p in m.participants if p.role == 'guest')} "
             f"người được mời: " + "; ".join(
                 _who(p.user) + (f" (dự thay {p.delegate_for.full_name})" if p.delegate_for else "")
                 + (" — khách mời" if p.role == "guest" else "") for p in present)]
    if absent:
        parts.append("Vắng mặt: " + "; ".join(
            _who(p.user) + (f", lý do: {p.rsvp_reason}" if p.rsvp_reason else ", không có lý do") for p in absent))
    if delegated:
        parts.append("Cử người dự thay: " + "; ".join(
            f"{p.user.full_name} cử {p.delegate.full_name if p.delegate else '…'}" for p in delegated))
    return ". ".join(parts)


def minutes_body(m: Meeting) -> list[BodyParagraph | str]:
    speeches = db.session.scalars(
        sa.select(SpeakerRequest).where(SpeakerRequest.meeting_id == m.id, SpeakerRequest.status == "done")
        .order_by(SpeakerRequest.granted_at, SpeakerRequest.id)
    ).all()
    body: list[BodyParagraph | str] = []
    for number, item in enumerate(m.items, start=1):
        heading = f"{number}. {item.title}"
        if item.presenter:
            heading += f" (trình bày: {_who(item.presenter)})"
        body.append(BodyParagraph(heading, bold=True))
        spoke = [s for s in speeches if s.item_id == item.id]
        if spoke:
            body.append("Ý kiến phát biểu: " + "; ".join(
                s.user.full_name + (f" ({s.topic})" if s.topic else "") for s in spoke) + ".")
        for vote in item.votes:
            kind = "bỏ phiếu kín" if vote.secret else "biểu quyết công khai"
            voted = len(vote.ballots)
            body.append(f"Biểu quyết «{vote.question}» ({kind}): {vote_result(vote)}; "
                        f"số người đã biểu quyết: {voted}.")
        body.append(BodyParagraph("Kết luận: " + (item.conclusion or "chưa ghi kết luận.")))
    return body


def _require_ended(m: Meeting) -> None:
    if m.status_enum is not Status.ENDED:
        raise Conflict("not_ended", _("Chỉ lập biên bản khi cuộc họp đã kết thúc."))


def minutes_docx(m: Meeting) -> bytes:
    """Biên bản cuộc họp from what the room recorded, once the meeting has ended."""
    _require_ended(m)
    started = m.started_at or m.starts_at
    closing = (f"Cuộc họp kết thúc vào {to_vn(m.ended_at):%H} giờ {to_vn(m.ended_at):%M} phút cùng ngày./."
               if m.ended_at else "")
    place = m.location or (f"Trực tuyến: {m.online_link}" if m.online_link else "")
    return build_draft(_spec(
        m, "bien_ban", m.title, body=minutes_body(m), closing=closing,
        details={"Thời gian bắt đầu": _when(started), "Địa điểm": place,
                 "Thành phần tham dự": _attendance(m), "Chủ trì (chủ tọa)": _who(m.chair),
                 "Thư ký (người ghi biên bản)": _who(m.secretary)},
        secretary_name=m.secretary.full_name, recipients=[p.user.full_name for p in m.participants
                                                          if p.role == "member"][:6],
    ))


def to_outgoing(actor: User, doc_type: str, subject: str, signer_id: int, content: bytes, name: str,
                recipients: list[str] | None = None):
    """A DOCX the committee produced enters the outgoing flow as a draft for ``signer_id``
    to sign (review, signature, number, issuance); ``recipients``: ``u:<id>`` tokens."""
    if not actor.can(Permission.DRAFT_OUTGOING):
        raise forbidden()
    # The subject comes from a title: cut to what a draft's subject may hold.
    subject = subject[:max_length(DraftCreateSchema, "subject")]
    data = DraftCreateSchema().load({"doc_type": doc_type, "subject": subject, "signer_id": signer_id,
                                     "recipients": recipients or []})
    return create_draft(actor, data, Upload(content, name))


def _draft(actor: User, m: Meeting, doc_type: str, subject: str, content: bytes, name: str):
    if not actor.can(Permission.DRAFT_OUTGOING) or not can_manage(actor, m):
        raise forbidden()
    return to_outgoing(actor, doc_type, subject, m.chair_id, content, name)


def create_invitation_draft(actor: User, m: Meeting):
    """The Giấy mời enters the outgoing flow (review, signature, number, issuance)."""
    if m.status_enum in (Status.ENDED, Status.CANCELLED):
        raise Conflict("wrong_status", _("Cuộc họp đã kết thúc hoặc đã hủy."))
    if m.invitation_draft_id is not None:
        raise Conflict("already_drafted", _("Giấy mời đã được chuyển vào luồng trình ký."))
    doc = _draft(actor, m, "giay_moi", f"Dự {m.title}", invitation_docx(m), "Giấy mời - dự thảo.docx")
    m.invitation_draft_id = doc.id
    audit(m.organisation_id, actor, "meeting.invitation_drafted", m, m.title, {"outgoing_id": doc.id})
    return doc


def create_minutes_draft(actor: User, m: Meeting):
    """The biên bản enters the outgoing flow once the meeting has ended."""
    _require_ended(m)
    if m.minutes_draft_id is not None:
        raise Conflict("already_drafted", _("Biên bản đã được chuyển vào luồng trình ký."))
    doc = _draft(actor, m, "bien_ban", m.title, minutes_docx(m), "Biên bản - dự thảo.docx")
    m.minutes_draft_id = doc.id
    audit(m.organisation_id, actor, "meeting.minutes_drafted", m, m.title, {"outgoing_id": doc.id})
    return doc


@dataclass
class _Conclusion:
    """An agenda item's conclusion as the origin of a task (incoming.TaskOrigin)."""

    item: AgendaItem

    def may_give_tasks(self, user: User) -> bool:
        return can_manage(user, self.item.meeting)

    def task_entry(self, text: str) -> dict:
        m = self.item.meeting
        return {
            "sender_name": f"Cuộc họp: {m.title}"[:255], "issue_date": to_vn(m.starts_at).date(),
            "subject": f"{text}\n(Kết luận mục «{self.item.title}»: {self.item.conclusion})"[:4000],
            "signer": m.chair.full_name, "channel": "meeting",
        }


def create_task(actor: User, item: AgendaItem, assignee: str, deadline: date | None, text: str) -> MeetingTask:
    """Giao việc from a conclusion: an incoming entry of the commune's own (channel
    "meeting") assigned to its handler with a deadline, so it joins their queue, the
    reminders, the overdue lists and the completion flow like any assigned document."""
    m = item.meeting
    if not can_manage(actor, m):
        raise forbidden()
    if m.status_enum not in (Status.LIVE, Status.ENDED):
        raise Conflict("wrong_status", _("Chỉ giao việc từ kết luận của cuộc họp đã diễn ra."))
    text = clean(text)
    if not item.conclusion:
        raise ValidationFailed("no_conclusion", _("Mục này chưa có kết luận để giao việc."), "item_id")
    if not text:
        raise ValidationFailed("required", _("Hãy ghi nội dung công việc."), "text")
    who = incoming.Assignee.parse(assignee, "assignee")
    if deadline is not None and deadline < vn_today():
        raise ValidationFailed("past_deadline", _("Hạn giải quyết không thể trước hôm nay."), "deadline")
    doc = incoming.register_task(actor, _Conclusion(item), text,
                                 incoming.Direction_(main=who, deadline=deadline, text=text))
    task = MeetingTask(item_id=item.id, incoming_id=doc.id, created_by_id=actor.id)
    db.session.add(task)
    db.session.flush()
    audit(m.organisation_id, actor, "meeting.task_created", m, text[:300],
          {"item_id": item.id, "incoming_id": doc.id, "assignee": who.token})
    return task


def tasks_of(m: Meeting) -> list[MeetingTask]:
    return list(db.session.scalars(
        sa.select(MeetingTask).join(AgendaItem, AgendaItem.id == MeetingTask.item_id)
        .where(AgendaItem.meeting_id == m.id).order_by(MeetingTask.id)))

