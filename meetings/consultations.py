"""Phiếu lấy ý kiến: between meetings, the chairman asks the committee's members to decide
in writing. Every door (pages, API, the worker) calls these operations.

The secretary (or whoever manages meetings) drafts a consultation — what is asked, one or
more questions, the documents to read (uploaded, or linked from the registers: never a
confidential one), the members asked (by default the committee's leaders) and a deadline
in Vietnam time — and issues it: the members are notified. Each member answers each
question (agree, disagree, or another opinion with its reasons) and may change the answer
until the consultation closes: at the deadline (the worker, :func:`run_jobs`) or earlier
by the issuer or the chairman. The worker reminds those who have not answered one working
day before the deadline and on its day, once each; the issuer may remind them at any time.

The result (:func:`tally`): a question passes when MORE THAN HALF OF THE MEMBERS ASKED
agree (``workflow.consultation_passes``); the chairman may record his conclusion, and the
result becomes a Thông báo kết quả lấy ý kiến (or a Biên bản) in the outgoing flow for
his signature (``meetings.consultation_documents``, through ``meetings.documents.to_outgoing``
as the meeting's biên bản).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO, Protocol

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.sql.elements import ColumnElement

from docmgmt.audit.operations import readable_through, register_content_check
from docmgmt.audit.operations import record as audit
from docmgmt.core.access import find_scoped
from docmgmt.core.errors import Conflict, ValidationFailed, forbidden, not_found
from docmgmt.core.permissions import Permission, Role
from docmgmt.core.text import clean, sorted_people
from docmgmt.core.timeutil import VN_TZ, format_datetime, to_vn, utcnow, vn_today
from docmgmt.documents.calendar import holidays_of, working_days_between
from docmgmt.extensions import db
from docmgmt.files.models import StoredFile
from docmgmt.files.operations import ACCESS_CHECKS
from docmgmt.files.sandbox import check_upload
from docmgmt.files.store import DOCX_MIME, store_file
from docmgmt.notifications.operations import notify
from docmgmt.org.models import User

from .access import (
    CONSULTATION,
    CONSULTATION_ASKS,
    CONSULTATION_MANAGE,
    CONSULTATION_VIEW,
    can_schedule,
)
from .consultation_models import (
    Consultation,
    ConsultationAnswer,
    ConsultationDocument,
    ConsultationMember,
    ConsultationQuestion,
)
from .consultation_schemas import MAX_QUESTIONS, AnswerInput, ConsultationInput
from .operations import document_files
from .workflow import ANSWER_CHOICES, ConsultationStatus, consultation_passes

S = ConsultationStatus
NOT_FOUND = _l("Không tìm thấy phiếu lấy ý kiến.")
# The rule, stated where the result is shown (page, API, Thông báo).
RULE = _l("Nội dung được thông qua khi quá nửa tổng số thành viên được lấy ý kiến đồng ý "
          "(tính trên tổng số người được hỏi, không chỉ số người đã trả lời).")
# What a consultation may carry: PDF and Word files, as the members read them.
DOCUMENT_MIME = {"application/pdf", DOCX_MIME}
MAX_DOCUMENTS = 20


# --- who may (the rules themselves live in access.py) -----------------------------------------

def get_visible(user: User, consultation_id: object) -> Consultation:
    return CONSULTATION_VIEW.get(user, consultation_id, str(NOT_FOUND))


def can_issue(user: User) -> bool:
    """Those who organise meetings and the leaders who chair them draft consultations."""
    return can_schedule(user)


def can_manage(user: User, c: Consultation) -> bool:
    return CONSULTATION_MANAGE.allows(user, c)


def deadline_passed(c: Consultation, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= c.deadline


def available_actions(user: User, c: Consultation) -> frozenset[str]:
    """What the pages and the API offer this person now: exactly what the operations
    would accept (``CONSULTATION`` table, plus the deadline and what was done already)."""
    if not CONSULTATION_VIEW.allows(user, c):
        return frozenset()
    actions = CONSULTATION.available(user, c)
    if deadline_passed(c):
        actions.discard("answer")  # the worker is about to close it
    if c.result_draft_id is not None or not user.can(Permission.DRAFT_OUTGOING):
        actions.discard("make_draft")
    if c.result_draft_id is not None:
        actions.discard("record_result")
    return frozenset(actions)


# --- drafting ----------------------------------------------------------------------------

def _aware(value: datetime | None) -> datetime | None:
    """A form's naive time is Vietnam's; stored as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    return value.astimezone(utcnow().tzinfo)


def committee_members(actor: User) -> list[User]:
    """The members asked unless the issuer chooses others: the committee's leaders (the
    chairman and the vice chairmen), in Vietnamese list order."""
    people = db.session.scalars(sa.select(User).where(User.organisation_id == actor.organisation_id,
                                                      User.active.is_(True)))
    return sorted_people(u for u in people if u.has_role(Role.LEADER))


def default_chair(actor: User) -> User | None:
    """The chairman who asks: the issuer if they chair meetings, else the Chủ tịch."""
    if actor.can(Permission.CHAIR_MEETINGS):
        return actor
    leaders = committee_members(actor)
    return next((u for u in leaders if u.position and u.position.name.lower().startswith("chủ tịch")),
                leaders[0] if leaders else None)


def _colleague(actor: User, user_id: int | None, field_name: str, message: str) -> User:
    user = find_scoped(User, user_id, actor) if user_id else None
    if user is None or not user.active:
        raise ValidationFailed("invalid_person", message, field_name)
    return user


def _validate(actor: User, data: ConsultationInput) -> tuple[str, str, datetime, User, list[int], list[str]]:
    title, description = clean(data.title), clean(data.description)
    if not title:
        raise ValidationFailed("required", _("Hãy nhập nội dung xin ý kiến."), "title")
    deadline = _aware(data.deadline)
    if deadline is None:
        raise ValidationFailed("required", _("Hãy chọn hạn trả lời."), "deadline")
    if deadline <= utcnow():
        raise ValidationFailed("past_deadline", _("Hạn trả lời phải sau thời điểm hiện tại."), "deadline")
    chair = _colleague(actor, data.chair_id, "chair_id", _("Hãy chọn Chủ tịch (người xin ý kiến) trong cơ quan."))
    if not chair.can(Permission.CHAIR_MEETINGS):
        raise ValidationFailed("invalid_person", _("Người xin ý kiến phải là lãnh đạo Ủy ban."), "chair_id")
    member_ids: list[int] = []
    for uid in data.members or [u.id for u in committee_members(actor)]:
        person = _colleague(actor, uid, "members", _("Người được lấy ý kiến phải là người dùng của cơ quan."))
        if person.id not in member_ids:
            member_ids.append(person.id)
    questions = [q for q in (clean(q) for q in data.questions) if q]
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed("too_many", _("Tối đa %(n)s câu hỏi.", n=MAX_QUESTIONS), "questions")
    return title, description, deadline, chair, member_ids, questions


def _fill(c: Consultation, title: str, description: str, deadline: datetime, chair: User,
          member_ids: list[int], questions: list[str]) -> None:
    c.title, c.description, c.deadline, c.chair_id = title, description, deadline, chair.id
    keep = {m.user_id: m for m in c.members}
    c.members = [keep.get(uid) or ConsultationMember(user_id=uid) for uid in member_ids]
    same = [q.text for q in c.questions] == questions
    if not same:
        c.questions = []
        db.session.flush()  # the old questions go before the new ones are numbered
        c.questions = [ConsultationQuestion(position=i, text=q) for i, q in enumerate(questions, start=1)]


def create(actor: User, data: ConsultationInput) -> Consultation:
    """A draft consultation; nobody is told of it until it is issued."""
    if not can_issue(actor):
        raise forbidden(_("Bạn không có quyền lấy ý kiến thành viên Ủy ban."))
    title, description, deadline, chair, member_ids, questions = _validate(actor, data)
    c = Consultation(organisation_id=actor.organisation_id, created_by_id=actor.id, status=S.DRAFT.value,
                     title=title, description=description, deadline=deadline, chair_id=chair.id)
    db.session.add(c)
    _fill(c, title, description, deadline, chair, member_ids, questions)
    db.session.flush()
    audit(actor.organisation_id, actor, "consultation.created", c, c.title[:300])
    return c


def update(actor: User, c: Consultation, data: ConsultationInput) -> Consultation:
    CONSULTATION.check(actor, c, "edit")
    _fill(c, *_validate(actor, data))
    db.session.flush()
    audit(actor.organisation_id, actor, "consultation.updated", c, c.title[:300])
    return c


def _refuse_confidential(doc) -> None:
    if doc.is_confidential:
        raise ValidationFailed("confidential_not_allowed",
                               _("Văn bản mật không được gửi kèm phiếu lấy ý kiến: hãy dùng bản giấy "
                                 "theo quy định bảo vệ bí mật nhà nước."), "document")


def attach_document(actor: User, c: Consultation, *, incoming_id: int | None = None,
                    outgoing_id: int | None = None,
                    upload: tuple[BinaryIO | bytes, str] | None = None) -> ConsultationDocument:
    """A document to read with the questions: the file of an incoming or outgoing document
    the issuer may read, or a PDF/DOCX uploaded for it (the upload checks of every file).
    Confidential documents are refused: they exist in the system only on paper."""
    CONSULTATION.check(actor, c, "edit")
    if sum(x is not None for x in (incoming_id, outgoing_id, upload)) != 1:
        raise ValidationFailed("required", _("Hãy chọn một văn bản hoặc tải lên một tệp."), "document")
    if len(c.documents) >= MAX_DOCUMENTS:
        raise ValidationFailed("too_many", _("Tối đa %(n)s tài liệu.", n=MAX_DOCUMENTS), "document")
    if upload is None:
        added = [ConsultationDocument(stored_file_id=file_id, title=title, incoming_id=incoming_id,
                                      outgoing_id=outgoing_id, added_by_id=actor.id)
                 for file_id, title in document_files(actor, incoming_id, outgoing_id, _refuse_confidential)]
    else:
        stream, name = upload
        stored = store_file(stream, name, organisation_id=actor.organisation_id, uploaded_by_id=actor.id,
                            allowed=DOCUMENT_MIME)
        check_upload(stored)  # a hostile or broken PDF/DOCX is refused; the rollback removes it
        added = [ConsultationDocument(stored_file_id=stored.id, title=stored.original_name[:500],
                                      added_by_id=actor.id)]
    c.documents.extend(added)
    db.session.flush()
    audit(actor.organisation_id, actor, "consultation.document_added", c, added[0].title[:300])
    return added[0]


def remove_document(actor: User, c: Consultation, document_id: int) -> None:
    document = next((d for d in c.documents if d.id == document_id), None)
    if document is None:  # another consultation's: nothing to say about it
        raise not_found(_("Không tìm thấy tài liệu."))
    CONSULTATION.check(actor, c, "edit")
    c.documents.remove(document)
    db.session.flush()


# --- issuing, answering, reminding, closing -------------------------------------------------

def _link(c: Consultation) -> str:
    # Stored in notifications: a stable path, valid outside a request too.
    return f"/meetings/consultations/{c.id}"


def _deadline_words(c: Consultation) -> str:
    return format_datetime(c.deadline)


def issue(actor: User, c: Consultation) -> Consultation:
    """Phát phiếu: the members asked are notified and may answer until the deadline."""
    target = CONSULTATION.check(actor, c, "issue")
    if not c.questions:
        raise ValidationFailed("no_questions", _("Hãy nhập ít nhất một câu hỏi trước khi phát phiếu."), "questions")
    if not c.members:
        raise ValidationFailed("no_members", _("Hãy chọn người được lấy ý kiến."), "members")
    if deadline_passed(c):
        raise ValidationFailed("past_deadline", _("Hạn trả lời đã qua: hãy sửa hạn trước khi phát phiếu."),
                               "deadline")
    c.status, c.issued_at = target.value, utcnow()
    for m in c.members:
        notify(m.user, "consultation.issued",
               _l("Xin ý kiến (hạn %(d)s): %(t)s", d=_deadline_words(c), t=c.title[:200]), _link(c))
    audit(actor.organisation_id, actor, "consultation.issued", c, c.title[:300],
          {"members": [m.user_id for m in c.members], "deadline": c.deadline.isoformat()})
    return c


def answer(actor: User, c: Consultation, answers: Sequence[AnswerInput]) -> list[ConsultationAnswer]:
    """A member's answers, one or more questions at a time, each recorded with its time; a
    later answer to a question replaces the earlier one until the consultation closes."""
    CONSULTATION.check(actor, c, "answer")
    if deadline_passed(c):
        raise Conflict("deadline_passed", _("Đã hết hạn trả lời phiếu lấy ý kiến này."))
    if not answers:
        raise ValidationFailed("required", _("Hãy chọn ý kiến cho ít nhất một câu hỏi."), "answers")
    questions = {q.id: q for q in c.questions}
    now = utcnow()
    saved: list[ConsultationAnswer] = []
    seen: set[int] = set()
    for a in answers:
        question = questions.get(a.question_id) if isinstance(a.question_id, int) else None
        if question is None or question.id in seen:
            raise ValidationFailed("invalid_question", _("Câu hỏi không thuộc phiếu lấy ý kiến này."), "question_id")
        seen.add(question.id)
        if a.choice not in ANSWER_CHOICES:
            raise ValidationFailed("invalid_choice", _("Hãy chọn Đồng ý, Không đồng ý hoặc Ý kiến khác."),
                                   f"q{question.id}")
        comment = clean(a.comment)
        if a.choice == "other" and not comment:
            raise ValidationFailed("comment_required",
                                   _("Câu %(n)s: hãy ghi ý kiến khác của mình.", n=question.position),
                                   f"q{question.id}")
        mine = next((x for x in question.answers if x.user_id == actor.id), None)
        if mine is None:
            mine = ConsultationAnswer(user_id=actor.id)
            question.answers.append(mine)
        mine.choice, mine.comment, mine.answered_at = a.choice, comment, now
        saved.append(mine)
    db.session.flush()
    audit(c.organisation_id, actor, "consultation.answered", c, c.title[:300],
          {"answers": [{"question": s.question.position, "choice": s.choice} for s in saved]})
    return saved


def silent_members(c: Consultation) -> list[User]:
    """Those asked who have not answered every question yet."""
    answered: dict[int, int] = {}
    for q in c.questions:
        for a in q.answers:
            answered[a.user_id] = answered.get(a.user_id, 0) + 1
    return sorted_people(m.user for m in c.members if answered.get(m.user_id, 0) < len(c.questions))


def _remind_each(c: Consultation, title) -> int:
    people = silent_members(c)
    for person in people:
        notify(person, "consultation.reminder", title, _link(c))
    return len(people)


def remind(actor: User, c: Consultation) -> int:
    """Nhắc: the issuer (or the chairman) reminds those who have not answered; returns
    how many were reminded."""
    CONSULTATION.check(actor, c, "remind")
    if not silent_members(c):
        raise Conflict("all_answered", _("Mọi thành viên đã trả lời: không còn ai để nhắc."))
    count = _remind_each(c, _l("Nhắc trả lời phiếu lấy ý kiến (hạn %(d)s): %(t)s", d=_deadline_words(c),
                               t=c.title[:200]))
    c.last_reminded_at = utcnow()
    audit(actor.organisation_id, actor, "consultation.reminded", c, c.title[:300], {"reminded": count})
    return count


def _close(actor: User | None, c: Consultation) -> None:
    c.status, c.closed_at, c.closed_by_id = S.CLOSED.value, utcnow(), actor.id if actor else None
    tallied = tally(c)
    passed = sum(1 for q in tallied.questions if q.passed)
    for person in {c.chair, c.created_by}:
        notify(person, "consultation.closed",
               _l("Đã kết thúc lấy ý kiến (%(p)s/%(n)s nội dung được thông qua): %(t)s", p=passed,
                  n=len(tallied.questions), t=c.title[:200]), _link(c))
    audit(c.organisation_id, actor, "consultation.closed", c, c.title[:300],
          {"by_deadline": actor is None, "result": [
              {"question": q.question.position, "agree": q.agree, "disagree": q.disagree, "other": q.other,
               "not_answered": q.not_answered, "asked": q.asked, "passed": q.passed} for q in tallied.questions]})


def close(actor: User, c: Consultation) -> Consultation:
    """End it before the deadline (the issuer or the chairman): the answers are final."""
    CONSULTATION.check(actor, c, "close")
    _close(actor, c)
    return c


def cancel(actor: User, c: Consultation) -> Consultation:
    target = CONSULTATION.check(actor, c, "cancel")
    was_open = c.status_enum is S.OPEN
    c.status, c.cancelled_at = target.value, utcnow()
    if was_open:
        for m in c.members:
            notify(m.user, "consultation.cancelled", _l("Đã hủy phiếu lấy ý kiến: %(t)s", t=c.title[:200]),
                   _link(c))
    audit(actor.organisation_id, actor, "consultation.cancelled", c, c.title[:300])
    return c


def record_result(actor: User, c: Consultation, conclusion: str) -> Consultation:
    """Kết luận: the chairman records what the committee decided, from the tally."""
    target = CONSULTATION.check(actor, c, "record_result")
    if c.result_draft_id is not None:
        raise Conflict("already_drafted", _("Kết quả đã được chuyển vào luồng trình ký, không sửa được kết luận."))
    conclusion = clean(conclusion)
    if not conclusion:
        raise ValidationFailed("required", _("Hãy ghi kết luận."), "conclusion")
    if len(conclusion) > 4000:
        raise ValidationFailed("too_long", _("Kết luận dài quá 4.000 ký tự."), "conclusion")
    c.conclusion, c.decided_at, c.decided_by_id, c.status = conclusion, utcnow(), actor.id, target.value
    audit(actor.organisation_id, actor, "consultation.decided", c, c.title[:300])
    return c


# --- the tally -------------------------------------------------------------------------------

@dataclass
class QuestionTally:
    question: ConsultationQuestion
    asked: int
    answers: list[ConsultationAnswer]  # in the members' list order
    silent: list[User]  # who has not answered it

    def _count(self, choice: str) -> int:
        return sum(1 for a in self.answers if a.choice == choice)

    @property
    def agree(self) -> int:
        return self._count("agree")

    @property
    def disagree(self) -> int:
        return self._count("disagree")

    @property
    def other(self) -> int:
        return self._count("other")

    @property
    def not_answered(self) -> int:
        return len(self.silent)

    @property
    def passed(self) -> bool:
        return consultation_passes(self.agree, self.asked)

    def by_choice(self, choice: str) -> list[ConsultationAnswer]:
        return [a for a in self.answers if a.choice == choice]


@dataclass
class Tally:
    questions: list[QuestionTally] = field(default_factory=list)
    final: bool = False  # closed: no answer will change
    rule: str = ""


def tally(c: Consultation) -> Tally:
    """Who answered what, and who did not, per question, with the result under the rule
    (``workflow.consultation_passes``: agree > half of those asked)."""
    order = {u.id: i for i, u in enumerate(sorted_people(m.user for m in c.members))}
    asked = set(order)
    result = Tally(final=c.status_enum in (S.CLOSED, S.DECIDED), rule=str(RULE))
    for q in c.questions:
        answers = sorted((a for a in q.answers if a.user_id in asked), key=lambda a: order[a.user_id])
        answered = {a.user_id for a in answers}
        silent = [m.user for m in sorted(c.members, key=lambda m: order[m.user_id]) if m.user_id not in answered]
        result.questions.append(QuestionTally(q, len(asked), answers, silent))
    return result


def my_answers(user: User, c: Consultation) -> dict[int, ConsultationAnswer]:
    """The person's answers, by question id."""
    return {q.id: a for q in c.questions for a in q.answers if a.user_id == user.id}


# --- the worker: closing at the deadline, reminders ----------------------------------------------

def close_due(now: datetime | None = None) -> int:
    """Close every open consultation whose deadline has come; returns how many."""
    now = now or utcnow()
    due = list(db.session.scalars(sa.select(Consultation).where(
        Consultation.status == S.OPEN.value, Consultation.deadline <= now).order_by(Consultation.id)))
    for c in due:
        _close(None, c)
    return len(due)


def send_reminders(today: date | None = None) -> int:
    """Remind those who have not answered one working day before the deadline and on its
    day (in-app notifications). Idempotent: each reminder is sent once per consultation."""
    today = today or vn_today()
    now = utcnow()
    sent = 0
    for c in db.session.scalars(sa.select(Consultation).where(Consultation.status == S.OPEN.value)
                                .order_by(Consultation.id)):
        deadline = to_vn(c.deadline).date()
        left = working_days_between(today, deadline, holidays_of(c.organisation_id, today))
        if left <= 0 and c.reminded_due_at is None:
            title = _l("Hôm nay hết hạn trả lời phiếu lấy ý kiến (%(d)s): %(t)s", d=_deadline_words(c),
                       t=c.title[:200]) if deadline == today else \
                _l("Sắp hết hạn trả lời phiếu lấy ý kiến (%(d)s): %(t)s", d=_deadline_words(c), t=c.title[:200])
            c.reminded_due_at = now
            c.reminded_before_at = c.reminded_before_at or now
        elif left == 1 and c.reminded_before_at is None:
            title = _l("Còn 1 ngày làm việc để trả lời phiếu lấy ý kiến (hạn %(d)s): %(t)s", d=_deadline_words(c),
                       t=c.title[:200])
            c.reminded_before_at = now
        else:
            continue
        sent += _remind_each(c, title)
    return sent


def run_jobs() -> str:
    """The worker's pass (``flask worker``): close what is due, then remind; one line
    (empty when there was nothing to do)."""
    closed = close_due()
    sent = send_reminders()
    return f"{closed} consultation(s) closed, {sent} reminder(s) sent" if closed or sent else ""


# --- lists ---------------------------------------------------------------------------------------

def awaiting_answer(user: User, limit: int = 20) -> list[Consultation]:
    """Open consultations asking this person that they have not fully answered, soonest first."""
    rows = db.session.scalars(CONSULTATION_ASKS.select(user).where(
        Consultation.status == S.OPEN.value, Consultation.deadline > utcnow()).order_by(Consultation.deadline))
    return [c for c in rows if user.id in {u.id for u in silent_members(c)}][:limit]


def list_visible(user: User, *, status: str | None = None, limit: int = 50, offset: int = 0) -> list[Consultation]:
    """Consultations this person may see: open ones first by deadline, then the rest newest first."""
    query = CONSULTATION_VIEW.select(user)
    if status:
        query = query.where(Consultation.status == status)
    query = query.order_by((Consultation.status != S.OPEN.value), Consultation.deadline.desc(), Consultation.id.desc())
    return list(db.session.scalars(query.limit(limit).offset(offset)))


class ScopeLike(Protocol):
    """What the dashboard's scope gives (``docmgmt.reports.scope.Scope``)."""

    @property
    def user(self) -> User: ...

    @property
    def unit_id(self) -> int | None: ...

    @property
    def person_id(self) -> int | None: ...


def closed_conditions(scope: ScopeLike, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """The consultations a figure counts: closed (with or without the chairman's
    conclusion) in [start, end) — UTC moments, e.g. ``Period.bounds()`` — that the
    reader may see, inside their scope (a person: asked, issuer or chairman; a unit: one
    of its people asked). Cancelled ones never count."""
    return [*in_scope(scope), *closed_between(start, end)]


def closed_between(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """Closed (with or without the chairman's conclusion) in [start, end); never cancelled."""
    return [Consultation.status.in_((S.CLOSED.value, S.DECIDED.value)),
            Consultation.closed_at >= start, Consultation.closed_at < end]


def in_scope(scope: ScopeLike) -> list[ColumnElement[bool]]:
    """The consultations a reader may see inside their scope (a person: asked, issuer or
    chairman; a unit: one of its people asked)."""
    conditions: list[ColumnElement[bool]] = [CONSULTATION_VIEW.clause(scope.user)]
    if scope.person_id is not None:
        conditions.append(sa.or_(Consultation.members.any(ConsultationMember.user_id == scope.person_id),
                                 Consultation.chair_id == scope.person_id,
                                 Consultation.created_by_id == scope.person_id))
    elif scope.unit_id is not None:
        people = sa.select(User.id).where(User.unit_id == scope.unit_id)
        conditions.append(Consultation.members.any(ConsultationMember.user_id.in_(people)))
    return conditions


def closed_in(scope: ScopeLike, start: datetime, end: datetime) -> int:
    """How many consultations closed in [start, end) for the dashboard's meeting figures
    (``closed_conditions`` says which)."""
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)
                                 .where(*closed_conditions(scope, start, end))) or 0)


# --- files and the audit log ----------------------------------------------------------------

def consultation_file_access(user: User, stored: StoredFile) -> bool:
    """A consultation's documents are readable by whoever may see the consultation."""
    return db.session.scalars(
        CONSULTATION_VIEW.select(user)
        .join(ConsultationDocument, ConsultationDocument.consultation_id == Consultation.id)
        .where(ConsultationDocument.stored_file_id == stored.id).limit(1)
    ).first() is not None


ACCESS_CHECKS.append(consultation_file_access)
# The audit log shows an entry's summary about a consultation to those who may see it.
register_content_check("consultation", readable_through(CONSULTATION_VIEW))
