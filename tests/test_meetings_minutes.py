"""After the meeting: the biên bản from what the room recorded, into the outgoing flow;
tasks from conclusions through the incoming assignment machinery."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document

from docmgmt.core.errors import Conflict, ValidationFailed
from docmgmt.core.timeutil import vn_today
from tests.commune import user
from tests.meetings_support import build_meeting


def _text(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def held_meeting(db_session):
    """A meeting that took place: attendance, an absence with its reason, a delegate,
    a speech, an open vote and a secret one, a conclusion; then ended."""
    from meetings import operations as ops
    from meetings.models import Meeting

    m = db_session.get(Meeting, build_meeting(status="invited"))
    chair, secretary = user("chutich"), user("thuky")
    ops.rsvp(user("truongkt"), m, "absent", "Đi kiểm tra hiện trường sạt lở tại xóm Mớ Đá")
    ops.rsvp(user("phochutich.vx"), m, "delegate", delegate_id=user("truongvhxh").id)
    ops.transition(chair, m, "start")
    for name in ("chutich", "phochutich.kt", "chanhvp", "truongvhxh", "cv.vp"):
        ops.check_in(user(name), m)
    ops.check_in(secretary, m)
    first = m.items[0]
    speech = ops.request_speech(user("chanhvp"), m, "Số liệu thu ngân sách")
    ops.grant_speech(chair, m, speech.id)
    ops.end_speech(chair, m, speech.id)
    vote = ops.open_vote(chair, m, first.id, "Thông qua báo cáo tháng 11")
    for name, choice in (("chutich", 0), ("phochutich.kt", 0), ("chanhvp", 2), ("truongvhxh", 0)):
        ops.cast_ballot(user(name), m, vote.id, vote.options[choice].id)
    ops.close_vote(chair, m, vote.id)
    secret = ops.open_vote(chair, m, first.id, "Đề nghị khen thưởng tập thể Văn phòng", secret=True)
    for name, choice in (("chutich", 0), ("phochutich.kt", 1)):
        ops.cast_ballot(user(name), m, secret.id, secret.options[choice].id)
    ops.save_conclusion(secretary, m, first.id, "Thống nhất báo cáo; giao Văn phòng hoàn thiện, gửi huyện trước 25/11.")
    ops.transition(chair, m, "end")
    db_session.commit()
    return m


def test_minutes_read_back_with_attendance_votes_and_conclusions(held_meeting):
    from meetings.documents import minutes_docx

    text = _text(minutes_docx(held_meeting))
    assert "BIÊN BẢN" in text
    present = text.split("Có mặt ", 1)[1].split("Vắng mặt:", 1)[0]
    assert present.startswith("6/7 người được mời")
    assert user("truongkt").full_name not in present
    for name in ("Bùi Văn Khánh", "Lý Thị Ý"):  # chair and secretary
        assert name in text
    assert "Vắng mặt:" in text and "lý do: Đi kiểm tra hiện trường sạt lở tại xóm Mớ Đá" in text
    assert user("truongvhxh").full_name in text and "dự thay" in text
    voters = sum(1 for p in held_meeting.participants if p.votes)
    assert f"Tán thành 3/{voters}, Không tán thành 0/{voters}, Không ý kiến 1/{voters}" in text
    assert f"Tán thành 1/{voters}, Không tán thành 1/{voters}" in text and "bỏ phiếu kín" in text
    assert "Ý kiến phát biểu: " + user("chanhvp").full_name + " (Số liệu thu ngân sách)" in text
    assert "Kết luận: Thống nhất báo cáo; giao Văn phòng hoàn thiện" in text
    assert "Cuộc họp kết thúc vào" in text and "THƯ KÝ" in text


def test_minutes_go_to_the_outgoing_flow_as_a_bien_ban_for_the_chair_to_sign(held_meeting, db_session):
    from docmgmt.outgoing.operations import my_drafts
    from meetings.documents import create_minutes_draft

    doc = create_minutes_draft(user("thuky"), held_meeting)
    db_session.commit()
    assert doc.doc_type == "bien_ban" and doc.signer_id == user("chutich").id
    assert doc in my_drafts(user("thuky"))
    assert held_meeting.minutes_draft_id == doc.id
    with pytest.raises(Conflict):
        create_minutes_draft(user("thuky"), held_meeting)


def test_minutes_wait_for_the_end_of_the_meeting(db_session):
    from meetings.documents import create_minutes_draft
    from meetings.models import Meeting

    m = db_session.get(Meeting, build_meeting(status="live"))
    with pytest.raises(Conflict) as refused:
        create_minutes_draft(user("thuky"), m)
    assert refused.value.code == "not_ended"


def test_a_task_from_a_conclusion_lands_in_the_handlers_queue_with_its_deadline_and_reminders(held_meeting,
                                                                                                db_session):
    from docmgmt.incoming.operations import queue_for, send_reminders
    from docmgmt.notifications.models import Notification
    from meetings.documents import create_task, tasks_of

    handler = user("cv.vp")
    deadline = vn_today() + timedelta(days=1)
    task = create_task(user("thuky"), held_meeting.items[0], f"u:{handler.id}", deadline,
                       "Hoàn thiện báo cáo tháng 11 và gửi UBND huyện")
    db_session.commit()
    assert tasks_of(held_meeting) == [task]
    entries = queue_for(handler).new
    assert [e.document.id for e in entries] == [task.incoming_id]
    assert entries[0].deadline == deadline and entries[0].document.channel == "meeting"
    assert "Hoàn thiện báo cáo tháng 11" in entries[0].document.subject
    send_reminders(today=deadline)
    db_session.commit()
    titles = [n.title for n in db_session.query(Notification).filter_by(user_id=handler.id)]
    assert any("hạn giải quyết" in t for t in titles)


def test_a_task_needs_a_conclusion_and_a_text(db_session):
    from meetings import operations as ops
    from meetings.documents import create_task
    from meetings.models import Meeting

    m = db_session.get(Meeting, build_meeting(status="live"))
    with pytest.raises(ValidationFailed) as refused:
        create_task(user("thuky"), m.items[1], f"u:{user('cv.vp').id}", None, "Làm ngay")
    assert refused.value.code == "no_conclusion"
    ops.save_conclusion(user("thuky"), m, m.items[1].id, "Giao Văn phòng chuẩn bị.")
    with pytest.raises(ValidationFailed) as refused:
        create_task(user("thuky"), m.items[1], f"u:{user('cv.vp').id}", None, "   ")
    assert refused.value.code == "required"
