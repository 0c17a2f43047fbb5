"""Phiếu lấy ý kiến: the chairman asks the committee's members to decide in writing — the
lifecycle and its refusals, the tally with names and the rule it follows, the reminders,
the result into the outgoing flow, who may see and do what, and the doors (pages, API)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from docx import Document

from docmgmt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.commune import LEADERS, user
from tests.conftest import csrf_from, text_of
from tests.files_helpers import make_pdf, make_png

QUESTIONS = ["Đồng ý phê duyệt danh mục 05 công trình sửa chữa trường học như Tờ trình?",
             "Đồng ý giao Phòng Kinh tế làm chủ đầu tư?"]


def build_consultation(issuer: str = "thuky", members: tuple[str, ...] | None = None,
                       questions: list[str] | None = None, issue: bool = True, deadline: datetime | None = None,
                       title: str = "Về việc phê duyệt danh mục công trình sửa chữa trường học năm học mới"):
    """A consultation drafted by ``issuer`` for the chairman (chutich), asking ``members``
    (default: the committee's leaders), two days from now; issued unless ``issue`` is False.
    Flushed, not committed."""
    from meetings import consultations as ops
    from meetings.consultation_schemas import ConsultationInput

    when = deadline or (datetime.now() + timedelta(days=2)).replace(hour=17, minute=0, second=0, microsecond=0)
    c = ops.create(user(issuer), ConsultationInput(
        title=title, description="Tờ trình số 45/TTr-KT của Phòng Kinh tế.", deadline=when,
        chair_id=user("chutich").id, members=[user(m).id for m in members] if members else [],
        questions=QUESTIONS if questions is None else questions))
    if issue:
        ops.issue(user(issuer), c)
    return c


def answer(username: str, c, *choices: tuple[str, str] | str):
    """``choices``: one per question, "agree"/"disagree" or ("other", "comment"); None skips."""
    from meetings import consultations as ops
    from meetings.consultation_schemas import AnswerInput

    answers = []
    for q, choice in zip(c.questions, choices, strict=False):
        if choice is None:
            continue
        kind, comment = choice if isinstance(choice, tuple) else (choice, "")
        answers.append(AnswerInput(question_id=q.id, choice=kind, comment=comment))
    return ops.answer(user(username), c, answers)


def notes(username: str, kind: str) -> list[str]:
    from docmgmt.extensions import db
    from docmgmt.notifications.models import Notification

    return list(db.session.scalars(sa.select(Notification.title).where(
        Notification.user_id == user(username).id, Notification.kind == kind)))


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def no_libreoffice(monkeypatch):
    """A DOCX draft stays a DOCX (rendering to PDF is not what is tested here)."""
    from docmgmt.outgoing import render

    monkeypatch.setattr(render, "soffice_executable", lambda: None)


# --- the lifecycle -------------------------------------------------------------------------------

def test_a_consultation_goes_from_draft_to_open_to_closed_to_decided(ctx):
    from meetings import consultations as ops

    c = build_consultation(issue=False)
    assert c.status == "draft"
    # The committee by default: the chairman and the two vice chairmen, nobody else.
    assert sorted(m.user.username for m in c.members) == sorted(LEADERS)
    assert [q.position for q in c.questions] == [1, 2]
    assert notes("phochutich.kt", "consultation.issued") == []  # a draft tells nobody
    ops.issue(user("thuky"), c)
    assert c.status == "open" and c.issued_at is not None
    for name in LEADERS:
        [title] = notes(name, "consultation.issued")
        assert c.title[:60] in title and "hạn" in title
    answer("chutich", c, "agree", "agree")
    ops.close(user("chutich"), c)
    assert c.status == "closed" and c.closed_by_id == user("chutich").id
    ops.record_result(user("chutich"), c, "Thống nhất phê duyệt danh mục; giao Phòng Kinh tế làm chủ đầu tư.")
    assert c.status == "decided" and c.conclusion.startswith("Thống nhất")


def test_issuing_without_questions_is_refused_and_leaves_the_draft(ctx):
    from meetings import consultations as ops

    c = build_consultation(questions=[], issue=False)
    with pytest.raises(ValidationFailed) as refused:
        ops.issue(user("thuky"), c)
    assert (refused.value.code, refused.value.field) == ("no_questions", "questions")
    assert c.status == "draft" and notes("chutich", "consultation.issued") == []


def test_a_deadline_in_the_past_is_refused(ctx):
    with pytest.raises(ValidationFailed) as refused:
        build_consultation(deadline=datetime.now() - timedelta(minutes=5))
    assert (refused.value.code, refused.value.field) == ("past_deadline", "deadline")


def test_someone_who_may_not_chair_cannot_ask(ctx):
    from meetings import consultations as ops
    from meetings.consultation_schemas import ConsultationInput

    with pytest.raises(PermissionDenied):
        ops.create(user("cv.kt1"), ConsultationInput(title="X", deadline=datetime.now() + timedelta(days=1)))
    with pytest.raises(ValidationFailed) as refused:  # the one who asks is a leader of the committee
        ops.create(user("thuky"), ConsultationInput(title="X", deadline=datetime.now() + timedelta(days=1),
                                                    chair_id=user("chanhvp").id, questions=["?"]))
    assert refused.value.field == "chair_id"


def test_an_answer_after_the_close_is_refused(ctx):
    from meetings import consultations as ops

    c = build_consultation()
    answer("phochutich.kt", c, "agree", "agree")
    ops.close(user("thuky"), c)
    with pytest.raises(Conflict) as refused:
        answer("phochutich.kt", c, "disagree", "disagree")
    assert refused.value.code == "wrong_status"
    assert [a.choice for q in c.questions for a in q.answers] == ["agree", "agree"]


def test_an_answer_after_the_deadline_is_refused_even_before_the_worker_closes_it(ctx):
    from docmgmt.core.timeutil import utcnow

    c = build_consultation()
    c.deadline = utcnow() - timedelta(minutes=1)  # the deadline came a minute ago
    with pytest.raises(Conflict) as refused:
        answer("phochutich.kt", c, "agree", "agree")
    assert refused.value.code == "deadline_passed"


def test_someone_not_asked_cannot_answer_even_a_leader_who_sees_it(ctx):
    from meetings import consultations as ops

    c = build_consultation(members=("chutich", "chanhvp", "truongkt"))
    # phochutich.vx organises meetings: she sees it, but she was not asked.
    assert ops.get_visible(user("phochutich.vx"), c.id) is c
    with pytest.raises(PermissionDenied):
        answer("phochutich.vx", c, "agree", "agree")
    # cv.kt1 was not asked and may not even know of it.
    with pytest.raises(NotFound):
        ops.get_visible(user("cv.kt1"), c.id)


def test_an_other_opinion_needs_its_reasons_and_an_answer_may_change_until_closed(ctx):
    from meetings import consultations as ops

    c = build_consultation()
    with pytest.raises(ValidationFailed) as refused:
        answer("phochutich.vx", c, ("other", "   "), "agree")
    assert refused.value.code == "comment_required"
    first = answer("phochutich.vx", c, "agree", "agree")[0]
    was = first.answered_at
    changed = answer("phochutich.vx", c, ("other", "Đề nghị bổ sung công trình trường Mầm non xóm Mớ Đá"))[0]
    assert changed is first  # the same answer, changed in place, with its new time
    assert (changed.choice, changed.answered_at >= was) == ("other", True)
    mine = ops.my_answers(user("phochutich.vx"), c)
    assert [mine[q.id].choice for q in c.questions] == ["other", "agree"]


def test_a_question_of_another_consultation_is_refused(ctx):
    from meetings import consultations as ops
    from meetings.consultation_schemas import AnswerInput

    c, other = build_consultation(), build_consultation(title="Về việc khác")
    with pytest.raises(ValidationFailed) as refused:
        ops.answer(user("chutich"), c, [AnswerInput(question_id=other.questions[0].id, choice="agree")])
    assert refused.value.code == "invalid_question"


def test_only_a_draft_changes_and_only_its_managers_change_it(ctx):
    from meetings import consultations as ops
    from meetings.consultation_schemas import ConsultationInput

    c = build_consultation(issue=False, members=("chutich", "chanhvp"))
    changed = ConsultationInput(title=c.title, deadline=datetime.now() + timedelta(days=3), chair_id=c.chair_id,
                                members=[user("chutich").id, user("truongkt").id], questions=["Một câu hỏi?"])
    ops.update(user("thuky"), c, changed)
    assert [q.text for q in c.questions] == ["Một câu hỏi?"]
    assert sorted(m.user.username for m in c.members) == ["chutich", "truongkt"]
    ops.issue(user("thuky"), c)
    with pytest.raises(Conflict):
        ops.update(user("thuky"), c, changed)
    with pytest.raises(PermissionDenied):
        ops.close(user("truongkt"), c)  # a member asked does not run it


def test_cancelling_an_open_consultation_tells_the_members(ctx):
    from meetings import consultations as ops

    c = build_consultation(members=("chanhvp",))
    ops.cancel(user("thuky"), c)
    assert c.status == "cancelled"
    assert len(notes("chanhvp", "consultation.cancelled")) == 1
    with pytest.raises(Conflict):
        answer("chanhvp", c, "agree")


# --- documents: through the upload checks, never a confidential one -----------------------------------

def test_documents_come_from_the_registers_or_an_upload_and_never_a_confidential_one(ctx):
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as inc
    from docmgmt.outgoing.models import OutgoingDocument
    from meetings import consultations as ops

    c = build_consultation(issue=False)
    plain = inc.register_incoming(user("vanthu"), inc.IncomingInput(
        sender_name="Sở Giáo dục và Đào tạo", number_symbol="12/SGDĐT-KHTC", subject="Về việc sửa chữa trường học"),
        [inc.Upload(make_pdf("Công văn"), "cong-van.pdf")])
    secret = inc.register_incoming(user("vanthu"), inc.IncomingInput(
        sender_name="Công an tỉnh", confidentiality="mat", paper_holder="Đinh Thị Thu"))
    linked = ops.attach_document(user("chutich"), c, incoming_id=plain.id)  # a leader reads it
    with pytest.raises(NotFound):  # the secretary may not read it: she cannot send it either
        ops.attach_document(user("thuky"), c, incoming_id=plain.id)
    assert linked.incoming_id == plain.id and linked.stored_file_id == plain.files[0].stored_file_id
    with pytest.raises(ValidationFailed) as refused:
        ops.attach_document(user("chutich"), c, incoming_id=secret.id)
    assert refused.value.code == "confidential_not_allowed"
    draft = OutgoingDocument(organisation_id=c.organisation_id, doc_type="cong_van", subject="", status="draft",
                             drafter_id=user("cv.kt1").id, confidentiality="mat")  # a paper-only entry
    db.session.add(draft)
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        ops.attach_document(user("chutich"), c, outgoing_id=draft.id)
    assert refused.value.code == "confidential_not_allowed"
    uploaded = ops.attach_document(user("thuky"), c, upload=(make_pdf("Tờ trình"), "to-trinh-45.pdf"))
    assert uploaded.title == "to-trinh-45.pdf"
    with pytest.raises(ValidationFailed):  # the upload checks: a PDF or a Word file, by content
        ops.attach_document(user("thuky"), c, upload=(make_png(), "anh.pdf"))
    with pytest.raises(ValidationFailed) as refused:
        ops.attach_document(user("thuky"), c, upload=(b"%PDF-1.4 broken", "hong.pdf"))
    assert refused.value.code == "pdf_invalid"
    assert [d.title for d in c.documents] == [linked.title, "to-trinh-45.pdf"]


def test_a_documents_file_is_read_by_those_who_see_the_consultation(ctx):
    from docmgmt.files.operations import can_read
    from meetings import consultations as ops

    c = build_consultation(issue=False, members=("chanhvp",))
    doc = ops.attach_document(user("thuky"), c, upload=(make_pdf("Tờ trình"), "to-trinh.pdf"))
    assert not can_read(user("chanhvp"), doc.stored)  # a draft: not yet the member's
    ops.issue(user("thuky"), c)
    assert can_read(user("chanhvp"), doc.stored) and can_read(user("chutich"), doc.stored)
    assert not can_read(user("cv.kt1"), doc.stored)


# --- the tally and the rule -----------------------------------------------------------------------

def test_the_tally_names_who_answered_what_and_passes_on_more_than_half_of_those_asked(ctx):
    from meetings import consultations as ops

    asked = ("chutich", "phochutich.kt", "phochutich.vx", "chanhvp", "truongkt")
    c = build_consultation(members=asked)
    answer("chutich", c, "agree", "agree")
    answer("phochutich.kt", c, "agree", "agree")
    answer("phochutich.vx", c, "agree", ("other", "Giao Văn phòng làm chủ đầu tư"))
    answer("chanhvp", c, "disagree", None)
    # truongkt does not answer.
    t = ops.tally(c)
    first, second = t.questions
    assert (first.asked, first.agree, first.disagree, first.other, first.not_answered) == (5, 3, 1, 0, 1)
    assert first.passed  # 3 of the 5 asked: more than half
    assert [u.username for u in first.silent] == ["truongkt"]
    assert {a.user.username: a.choice for a in first.answers} == {
        "chutich": "agree", "phochutich.kt": "agree", "phochutich.vx": "agree", "chanhvp": "disagree"}
    # Two of the three who answered agree, but only 2 of the 5 asked: not passed.
    assert (second.agree, second.other, second.not_answered) == (2, 1, 2)
    assert not second.passed
    assert sorted(u.username for u in second.silent) == ["chanhvp", "truongkt"]
    assert [a.comment for a in second.by_choice("other")] == ["Giao Văn phòng làm chủ đầu tư"]
    assert "quá nửa tổng số thành viên được lấy ý kiến" in t.rule and not t.final
    ops.close(user("chutich"), c)
    assert ops.tally(c).final


def test_exactly_half_is_not_more_than_half():
    from meetings.workflow import consultation_passes

    assert not consultation_passes(2, 4) and consultation_passes(3, 4) and consultation_passes(3, 5)
    assert not consultation_passes(0, 0)


def test_closing_tells_the_chairman_and_the_issuer_the_result(ctx):
    from meetings import consultations as ops

    c = build_consultation(members=("chutich", "chanhvp", "truongkt"))
    answer("chutich", c, "agree", "agree")
    answer("chanhvp", c, "agree", "disagree")
    ops.close(user("thuky"), c)
    [told] = notes("thuky", "consultation.closed")
    assert "1/2 nội dung được thông qua" in told
    assert len(notes("chutich", "consultation.closed")) == 1


# --- reminders and the worker -----------------------------------------------------------------------

def _working_days_ahead(days: int):
    from docmgmt.core.timeutil import vn_today
    from docmgmt.documents.calendar import add_working_days, holidays_of

    today = vn_today()
    return today, add_working_days(today, days, holidays_of(user("thuky").organisation_id, today))


def test_the_worker_reminds_those_who_have_not_answered_once_the_day_before_and_once_on_the_day(ctx):
    from meetings import consultations as ops

    today, due = _working_days_ahead(2)
    c = build_consultation(deadline=datetime.combine(due, time(16, 30)))
    answer("chutich", c, "agree", "agree")  # answered everything: never reminded
    answer("phochutich.kt", c, "agree")  # one question left: reminded
    assert ops.send_reminders(today) == 0  # two working days ahead: nothing yet
    _today, day_before = _working_days_ahead(1)
    assert ops.send_reminders(day_before) == 2
    assert ops.send_reminders(day_before) == 0  # once
    assert ops.send_reminders(due) == 2
    assert ops.send_reminders(due) == 0
    assert notes("chutich", "consultation.reminder") == []
    for name in ("phochutich.kt", "phochutich.vx"):
        before, on_the_day = notes(name, "consultation.reminder")
        assert "Còn 1 ngày làm việc" in before and "Hôm nay hết hạn" in on_the_day


def test_the_worker_closes_at_the_deadline_and_its_pass_says_what_it_did(ctx):
    from docmgmt.core.timeutil import VN_TZ, utcnow
    from meetings import consultations as ops

    # Ten days ahead in Vietnam's time: no reminder is due yet, whatever the day of the week
    # and whether the server's date (UTC) is still yesterday in Vietnam.
    far = (datetime.now(VN_TZ) + timedelta(days=10)).replace(hour=17, minute=0, second=0, microsecond=0, tzinfo=None)
    c = build_consultation(members=("chutich", "chanhvp"), deadline=far)
    answer("chanhvp", c, "agree", "agree")
    assert ops.run_jobs() == ""  # nothing due: the worker stays quiet
    c.deadline = utcnow() - timedelta(seconds=1)
    assert ops.run_jobs().startswith("1 consultation(s) closed")
    assert c.status == "closed" and c.closed_by_id is None and c.closed_at is not None
    assert ops.close_due() == 0


def test_the_issuer_reminds_whoever_has_not_answered_yet(ctx):
    from meetings import consultations as ops

    c = build_consultation(members=("chutich", "chanhvp"))
    answer("chutich", c, "agree", "agree")
    assert ops.remind(user("thuky"), c) == 1
    assert len(notes("chanhvp", "consultation.reminder")) == 1 and notes("chutich", "consultation.reminder") == []
    with pytest.raises(PermissionDenied):
        ops.remind(user("chanhvp"), c)
    answer("chanhvp", c, "agree", "disagree")
    with pytest.raises(Conflict) as refused:
        ops.remind(user("thuky"), c)
    assert refused.value.code == "all_answered"


# --- the result into the outgoing flow -------------------------------------------------------------

def test_the_result_becomes_a_thong_bao_in_the_outgoing_flow_for_the_chairman_to_sign(ctx, no_libreoffice):
    from docmgmt.outgoing import operations as out
    from docmgmt.outgoing.models import OutgoingDocument
    from meetings import consultation_documents as docs
    from meetings import consultations as ops

    c = build_consultation(members=("chutich", "phochutich.kt", "phochutich.vx"))
    answer("chutich", c, "agree", "agree")
    answer("phochutich.kt", c, "agree", ("other", "Đề nghị Văn phòng làm chủ đầu tư"))
    with pytest.raises(Conflict):  # still open: no result yet
        docs.make_draft(user("thuky"), c)
    ops.close(user("chutich"), c)
    ops.record_result(user("chutich"), c, "Thống nhất phê duyệt danh mục công trình.")
    doc = docs.make_draft(user("thuky"), c, "thong_bao")
    assert isinstance(doc, OutgoingDocument) and c.result_draft_id == doc.id
    assert (doc.doc_type, doc.signer_id, doc.status) == ("thong_bao", user("chutich").id, "draft")
    assert doc.subject.startswith("Kết quả lấy ý kiến thành viên Ủy ban nhân dân")
    assert sorted(r.user_id for r in doc.recipients) == sorted(m.user_id for m in c.members)
    assert doc in out.my_drafts(user("thuky"))
    text = docx_text(docs.result_docx(c, "thong_bao"))
    assert "THÔNG BÁO" in text
    assert "Đồng ý 2/3, Không đồng ý 0/3, Ý kiến khác 0/3, Không trả lời 1/3 — thông qua" in text
    assert "Đồng ý 1/3" in text and "không thông qua" in text
    assert "Đề nghị Văn phòng làm chủ đầu tư" in text and "quá nửa tổng số thành viên" in text
    assert "Kết luận của Chủ tịch Ủy ban nhân dân: Thống nhất phê duyệt" in text
    with pytest.raises(Conflict) as refused:
        docs.make_draft(user("thuky"), c)
    assert refused.value.code == "already_drafted"
    with pytest.raises(Conflict):
        ops.record_result(user("chutich"), c, "Sửa kết luận sau khi đã trình ký")


def test_the_bien_ban_names_who_answered_what(ctx):
    from meetings import consultation_documents as docs
    from meetings import consultations as ops

    c = build_consultation(members=("chutich", "chanhvp", "truongkt"))
    answer("chutich", c, "agree", "agree")
    answer("chanhvp", c, "disagree", "agree")
    ops.close(user("thuky"), c)
    text = docx_text(docs.result_docx(c, "bien_ban"))
    assert "BIÊN BẢN" in text and "THƯ KÝ" in text
    assert f"Đồng ý: {user('chutich').full_name}. Không đồng ý: {user('chanhvp').full_name}. " \
           f"Không trả lời: {user('truongkt').full_name}." in text
    assert "Lấy ý kiến bằng văn bản" in text


def test_only_who_manages_it_and_may_draft_makes_the_draft(ctx):
    from meetings import consultation_documents as docs
    from meetings import consultations as ops

    c = build_consultation(members=("chanhvp", "truongkt"))
    ops.close(user("thuky"), c)
    with pytest.raises(PermissionDenied):
        docs.make_draft(user("chanhvp"), c)  # asked, does not manage it
    with pytest.raises(PermissionDenied):
        ops.record_result(user("thuky"), c, "Kết luận")  # the chairman concludes, not the secretary


# --- access ----------------------------------------------------------------------------------------

def test_the_members_asked_the_issuer_the_chairman_and_the_organisers_see_it_nobody_else(ctx):
    from meetings import consultations as ops
    from meetings.access import CONSULTATION_VIEW

    draft = build_consultation(members=("chanhvp",), issue=False, title="Bản nháp")
    c = build_consultation(members=("chanhvp",))
    people = ["chutich", "phochutich.kt", "thuky", "chanhvp", "truongkt", "cv.kt1", "vanthu", "quantri"]
    sees = {name: CONSULTATION_VIEW.allows(user(name), c) for name in people}
    assert sees == {"chutich": True, "phochutich.kt": True, "thuky": True, "chanhvp": True, "truongkt": False,
                    "cv.kt1": False, "vanthu": False, "quantri": False}
    assert not CONSULTATION_VIEW.allows(user("chanhvp"), draft)  # not before it is issued
    assert not CONSULTATION_VIEW.allows(user("cv.lacson"), c)  # another commune: never
    for name in people:  # the list and the predicate agree
        listed = {x.id for x in ops.list_visible(user(name))}
        assert (c.id in listed) is sees[name] and (draft.id in listed) is (name != "chanhvp" and sees[name])
    assert [x.id for x in ops.awaiting_answer(user("chanhvp"))] == [c.id]
    assert ops.awaiting_answer(user("chutich")) == []


def test_actions_offer_exactly_what_the_operations_accept(ctx):
    from meetings import consultations as ops

    c = build_consultation(members=("chutich", "chanhvp"))
    assert ops.available_actions(user("chanhvp"), c) == {"answer"}
    assert ops.available_actions(user("thuky"), c) == {"remind", "close", "cancel"}
    assert ops.available_actions(user("chutich"), c) == {"answer", "remind", "close", "cancel"}
    assert ops.available_actions(user("cv.kt1"), c) == frozenset()
    ops.close(user("chutich"), c)
    assert ops.available_actions(user("chutich"), c) == {"record_result", "make_draft"}
    assert ops.available_actions(user("thuky"), c) == {"make_draft"}


@dataclass(frozen=True)
class _Scope:
    user: object
    unit_id: int | None = None
    person_id: int | None = None


def test_closed_in_counts_the_consultations_closed_in_the_period_for_the_dashboard(ctx):
    from docmgmt.core.timeutil import utcnow
    from meetings import consultations as ops

    start, end = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
    first = build_consultation(members=("chutich", "chanhvp"))
    second = build_consultation(members=("chutich", "truongkt"))
    cancelled = build_consultation(members=("chutich",))
    still_open = build_consultation(members=("chutich",))
    ops.close(user("thuky"), first)
    ops.close(user("thuky"), second)
    ops.cancel(user("thuky"), cancelled)
    assert still_open.status == "open"
    assert ops.closed_in(_Scope(user("chutich")), start, end) == 2
    assert ops.closed_in(_Scope(user("chutich")), end, end + timedelta(hours=1)) == 0
    assert ops.closed_in(_Scope(user("chutich"), person_id=user("chanhvp").id), start, end) == 1
    kt = user("truongkt").unit_id
    assert ops.closed_in(_Scope(user("chutich"), unit_id=kt), start, end) == 1
    assert ops.closed_in(_Scope(user("cv.kt1")), start, end) == 0  # sees none of them


# --- the pages -------------------------------------------------------------------------------------

def _committed(app, **kwargs) -> int:
    from docmgmt.extensions import db

    with app.test_request_context():
        c = build_consultation(**kwargs)
        db.session.commit()
        consultation_id = c.id
        db.session.remove()
    return consultation_id


def test_the_secretary_drafts_and_issues_a_consultation_on_the_page(app, login_as):
    client = login_as("thuky")
    page = client.get("/meetings/consultations/new")
    assert page.status_code == 200
    html = text_of(page)
    members = html.split('name="members"', 1)[1].split("</select>")[0]
    chosen = set(re.findall(r'<option selected value="(\d+)"', members))
    assert chosen == {str(user_id(app, name)) for name in LEADERS}  # the committee, by default
    due = (datetime.now() + timedelta(days=3)).strftime("%d/%m/%Y")
    form = {"csrf_token": csrf_from(html), "title": "Về việc điều chỉnh kế hoạch đầu tư công",
            "questions_text": "Đồng ý điều chỉnh kế hoạch?\n\nĐồng ý bổ sung vốn?", "deadline_day": due,
            "deadline_time": "17:00", "chair_id": str(user_id(app, "chutich")),
            "members": [str(user_id(app, n)) for n in LEADERS]}
    created = client.post("/meetings/consultations/new", data=form)
    assert created.status_code == 302
    location = created.headers["Location"]
    shown = text_of(client.get(location))
    assert "Đồng ý điều chỉnh kế hoạch?" in shown and "Đồng ý bổ sung vốn?" in shown
    token = csrf_from(shown)
    assert client.post(location + "/issue", data={"csrf_token": token}).status_code == 302
    assert "Đang lấy ý kiến" in text_of(client.get(location))


def test_the_page_refuses_a_consultation_without_a_deadline_on_its_field(app, login_as):
    client = login_as("thuky")
    html = text_of(client.get("/meetings/consultations/new"))
    refused = client.post("/meetings/consultations/new", data={
        "csrf_token": csrf_from(html), "title": "Về việc", "questions_text": "?", "deadline_day": "",
        "deadline_time": "17:00", "chair_id": str(user_id(app, "chutich"))})
    assert refused.status_code == 422 and "Hãy chọn ngày hết hạn." in text_of(refused)


def user_id(app, username: str) -> int:
    from tests.commune import user_id as uid

    return uid(username, app=app)


def test_a_member_answers_on_the_page_and_the_issuer_sees_it_in_the_tally(app, login_as, client):
    consultation_id = _committed(app, members=("chanhvp", "truongkt"))
    member = login_as("chanhvp")
    page = text_of(member.get(f"/meetings/consultations/{consultation_id}"))
    assert 'data-testid="answer-form"' in page and 'data-testid="tally"' not in page  # hidden while open
    with app.app_context():
        from docmgmt.extensions import db
        from meetings.consultation_models import Consultation

        questions = [q.id for q in db.session.get(Consultation, consultation_id).questions]
    refused = member.post(f"/meetings/consultations/{consultation_id}/answer", data={
        "csrf_token": csrf_from(page), f"q{questions[0]}-choice": "other", f"q{questions[0]}-comment": ""})
    assert refused.status_code == 422 and "hãy ghi ý kiến khác" in text_of(refused)
    too_long = member.post(f"/meetings/consultations/{consultation_id}/answer", data={
        "csrf_token": csrf_from(page), f"q{questions[1]}-choice": "other", f"q{questions[1]}-comment": "x" * 2001})
    assert too_long.status_code == 422
    shown = text_of(too_long).split(f'data-question="{questions[1]}"', 1)[1]
    assert 'data-testid="answer-error">Ý kiến quá dài (tối đa 2000 ký tự).' in shown.split("</li>", 1)[0]
    sent = member.post(f"/meetings/consultations/{consultation_id}/answer", data={
        "csrf_token": csrf_from(page), f"q{questions[0]}-choice": "agree",
        f"q{questions[1]}-choice": "other", f"q{questions[1]}-comment": "Đề nghị làm rõ nguồn vốn"})
    assert sent.status_code == 302
    issuer = login_as("thuky")
    tally = text_of(issuer.get(f"/meetings/consultations/{consultation_id}/tally"))
    assert "Đồng ý: 1/2" in tally and "Đề nghị làm rõ nguồn vốn" in tally
    with app.app_context():
        answered, silent = user("chanhvp").full_name, user("truongkt").full_name
    assert f'data-answer="{user_id(app, "chanhvp")}"' in tally and answered in tally
    assert re.search(r'data-testid="silent">.*Chưa trả lời:</span> ' + silent, tally)
    member = login_as("chanhvp")
    assert member.get(f"/meetings/consultations/{consultation_id}/tally").status_code == 403


def test_the_meetings_page_lists_the_consultations_awaiting_my_answer(app, login_as):
    consultation_id = _committed(app, members=("chanhvp",), title="Về việc mua sắm thiết bị phòng họp")
    page = text_of(login_as("chanhvp").get("/meetings/"))
    assert 'data-testid="meeting-tabs"' in page and "Về việc mua sắm thiết bị phòng họp" in page
    assert f"/meetings/consultations/{consultation_id}" in page
    assert "Về việc mua sắm thiết bị phòng họp" not in text_of(login_as("truongkt").get("/meetings/"))
    home = text_of(login_as("chanhvp").get("/"))
    assert "Phiếu lấy ý kiến chờ bạn trả lời" in home


# --- the API ---------------------------------------------------------------------------------------

def test_the_api_drafts_issues_answers_closes_and_tallies(app, as_user):
    secretary, chairman, member = as_user("thuky"), as_user("chutich"), as_user("chanhvp")
    due = (datetime.now() + timedelta(days=2)).replace(microsecond=0).isoformat()
    created = secretary.post("/api/v1/consultations", json={
        "title": "Về việc phê duyệt quyết toán", "deadline": due, "chair_id": chairman.id,
        "members": [chairman.id, member.id], "questions": []})
    assert created.status_code == 201, created.json
    body = created.json
    consultation_id = body["id"]
    assert body["status"] == "draft" and "issue" in body["actions"] and "edit" in body["actions"]
    refused = secretary.post(f"/api/v1/consultations/{consultation_id}/issue")
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "no_questions" and refused.json["error"]["field"] == "questions"

    from docmgmt.extensions import db
    from meetings import consultations as ops
    from meetings.consultation_models import ConsultationQuestion

    with app.app_context():
        c = ops.get_visible(user("thuky"), consultation_id)
        c.questions.append(ConsultationQuestion(position=1, text="Đồng ý phê duyệt quyết toán?"))
        db.session.commit()
    issued = secretary.post(f"/api/v1/consultations/{consultation_id}/issue")
    assert issued.status_code == 200 and issued.json["status"] == "open"
    question = issued.json["questions"][0]["id"]
    detail = member.get(f"/api/v1/consultations/{consultation_id}").json
    assert detail["actions"] == ["answer"] and detail["my_answers"] == []
    assert member.get(f"/api/v1/consultations/{consultation_id}/tally").json["error"]["code"] == "tally_hidden"
    bad = member.post(f"/api/v1/consultations/{consultation_id}/answers",
                      json={"answers": [{"question_id": question, "choice": "perhaps"}]})
    assert bad.status_code == 422 and bad.json["error"]["code"] == "validation_error"
    answered = member.post(f"/api/v1/consultations/{consultation_id}/answers",
                           json={"answers": [{"question_id": question, "choice": "agree"}]})
    assert answered.status_code == 200 and answered.json["my_answers"][0]["choice"] == "agree"
    assert as_user("cv.kt1").get(f"/api/v1/consultations/{consultation_id}").status_code == 404
    outsider = as_user("truongkt").post(f"/api/v1/consultations/{consultation_id}/answers",
                                        json={"answers": [{"question_id": question, "choice": "agree"}]})
    assert outsider.status_code == 404
    reminded = secretary.post(f"/api/v1/consultations/{consultation_id}/remind")
    assert reminded.status_code == 200 and reminded.json == {"reminded": 1}
    closed = chairman.post(f"/api/v1/consultations/{consultation_id}/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    late = member.post(f"/api/v1/consultations/{consultation_id}/answers",
                       json={"answers": [{"question_id": question, "choice": "disagree"}]})
    assert late.status_code == 409 and late.json["error"]["code"] == "wrong_status"
    tally = member.get(f"/api/v1/consultations/{consultation_id}/tally").json
    [q] = tally["questions"]
    assert (q["asked"], q["agree"], q["not_answered"], q["passed"]) == (2, 1, 1, False)
    assert [(a["person"]["id"], a["choice"]) for a in q["answers"]] == [(member.id, "agree")]
    assert [p["id"] for p in q["silent"]] == [chairman.id]
    listed = secretary.get("/api/v1/consultations?status=closed").json
    assert consultation_id in [x["id"] for x in listed["items"]]


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/consultations", "/api/v1/consultations/{consultation_id}",
                 "/api/v1/consultations/{consultation_id}/issue", "/api/v1/consultations/{consultation_id}/answers",
                 "/api/v1/consultations/{consultation_id}/close", "/api/v1/consultations/{consultation_id}/remind",
                 "/api/v1/consultations/{consultation_id}/tally", "/api/v1/consultations/{consultation_id}/draft"):
        assert path in paths, path
    detail = paths["/api/v1/consultations/{consultation_id}"]["get"]["responses"]["200"]
    assert "actions" in str(detail) or detail["content"]


def test_the_demo_has_an_open_consultation_and_a_decided_one_from_last_week(ctx):
    from docmgmt.core.timeutil import to_vn, utcnow
    from docmgmt.documents.calendar import is_working_day
    from meetings import consultations as ops
    from meetings.demo import seed_consultations

    seed_consultations(user("chutich").organisation)
    by_status = {c.status: c for c in ops.list_visible(user("chutich"))}
    assert set(by_status) == {"open", "decided"}
    still_open, decided = by_status["open"], by_status["decided"]
    assert still_open.deadline > utcnow() and [q.agree for q in ops.tally(still_open).questions] == [2, 1]
    assert [x.id for x in ops.awaiting_answer(user("phochutich.vx"))] == [still_open.id]
    result = ops.tally(decided)
    assert result.final and [q.passed for q in result.questions] == [True, True] and decided.conclusion
    assert decided.issued_at < decided.closed_at <= utcnow()
    for q in decided.questions:
        for a in q.answers:
            assert decided.issued_at <= a.answered_at <= decided.closed_at
            assert is_working_day(to_vn(a.answered_at).date())


def test_the_pages_speak_english_from_the_catalogue(app, login_as, client):
    from tests.conftest import page_csrf

    consultation_id = _committed(app, members=("chanhvp",))
    page = f"/meetings/consultations/{consultation_id}"
    for username, path, english in (
            ("chanhvp", page, "Send my answer"), ("thuky", page, "Remind those who have not answered"),
            ("thuky", "/meetings/consultations/", "Awaiting your answer"),
            ("thuky", "/meetings/consultations/new", "Questions (one per line)")):
        login_as(username)
        client.post("/lang/en", data={"csrf_token": page_csrf(client), "next": "/"})
        html = text_of(client.get(path))
        assert '<html lang="en">' in html and english in html, (path, english)
        for vietnamese in ("Phiếu lấy ý kiến", "Gửi ý kiến", "Hạn trả lời", "Chưa trả lời", "Nhắc người chưa trả lời",
                           "Câu hỏi (mỗi dòng", "Chờ bạn trả lời"):
            assert vietnamese not in html, (path, vietnamese)
