"""Incoming documents from arrival to done: the domain rules, whichever door asks."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from docmgmt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from docmgmt.core.timeutil import vn_today
from docmgmt.documents.calendar import add_working_days, working_days_between
from docmgmt.documents.history import events_of
from docmgmt.extensions import db
from docmgmt.files.models import Blob, StoredFile
from docmgmt.files.sandbox import WALL_SECONDS
from docmgmt.incoming import operations as ops
from docmgmt.incoming.models import IncomingDocument
from docmgmt.notifications.models import Notification
from tests.commune import unit, user
from tests.conftest import instance_config
from tests.files_helpers import make_docx, make_pdf, make_png
from tests.hostile_pdfs import cyclic_page_tree, decompression_bomb, truncated


def sample(**overrides) -> ops.IncomingInput:
    data = dict(sender_name="Ủy ban nhân dân tỉnh Phú Thọ", number_symbol="125/UBND-KGVX",
                issue_date=vn_today() - timedelta(days=2), doc_type="cong_van",
                subject="Về việc tăng cường chuyển đổi số trong công tác văn thư",
                signer="Nguyễn Văn A")
    data.update(overrides)
    return ops.IncomingInput(**data)


def register(**overrides) -> IncomingDocument:
    uploads = overrides.pop("uploads", [ops.Upload(make_pdf(), "Công văn 125.pdf")])
    doc = ops.register_incoming(user("vanthu"), sample(**overrides), uploads)
    db.session.commit()
    return doc


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- registering ---------------------------------------------------------------------------

def test_clerk_registers_with_files_and_gets_the_next_arrival_number(ctx):
    first = register(uploads=[ops.Upload(make_pdf(), "scan.pdf"), ops.Upload(make_png(), "trang2.png"),
                              ops.Upload(make_docx(), "phu-luc.docx")])
    second = register(number_symbol="126/UBND-KGVX")
    assert (first.arrival_number, second.arrival_number) == (1, 2)
    assert first.arrival_label == "01"
    assert [f.stored.mime for f in first.files] == [
        "application/pdf", "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert first.page_count == 1  # read from the PDF
    assert first.status == "registered"
    assert [e.action for e in events_of("incoming", first.id)] == ["registered"]


def test_staff_cannot_register(ctx):
    with pytest.raises(PermissionDenied):
        ops.register_incoming(user("cv.kt1"), sample())


def test_arrival_numbers_restart_each_year(ctx):
    last_year = vn_today().replace(month=12, day=31) - timedelta(days=366)
    if (vn_today() - last_year).days > 366:
        last_year = vn_today() - timedelta(days=vn_today().timetuple().tm_yday)
    old = register(arrival_date=last_year, issue_date=last_year - timedelta(days=1))
    new = register(number_symbol="2/X")
    assert old.register.year == last_year.year and new.register.year == vn_today().year
    assert old.arrival_number == 1 and new.arrival_number == 1


def test_required_fields_and_impossible_dates_are_refused_with_the_field(ctx):
    cases = [
        (dict(sender_name="  "), "sender_name", "required"),
        (dict(subject=""), "subject", "required"),
        (dict(doc_type="bogus"), "doc_type", "invalid_type"),
        (dict(arrival_date=vn_today() + timedelta(days=1)), "arrival_date", "future_date"),
        (dict(issue_date=vn_today() + timedelta(days=3)), "issue_date", "issue_after_arrival"),
        (dict(sender_due_date=vn_today() - timedelta(days=30)), "sender_due_date", "due_before_issue"),
    ]  # lengths and ranges (page_count) are the schema's: tests/test_inputs.py
    for overrides, field, code in cases:
        with pytest.raises(ValidationFailed) as err:
            ops.register_incoming(user("vanthu"), sample(**overrides))
        assert (err.value.field, err.value.code) == (field, code), overrides
        assert err.value.message  # a Vietnamese sentence, not empty
        db.session.rollback()
    assert count(IncomingDocument) == 0


def test_text_is_normalised_to_nfc(ctx):
    import unicodedata

    doc = register(subject=unicodedata.normalize("NFD", "Về việc tổ chức Hội nghị"))
    assert doc.subject == "Về việc tổ chức Hội nghị"


def test_the_same_sender_number_and_date_is_flagged_as_a_duplicate(ctx):
    register()
    with pytest.raises(Conflict) as err:
        ops.register_incoming(user("vanthu"), sample())
    assert err.value.code == "duplicate_suspected"
    assert "đã vào sổ (số đến 01)" in err.value.message
    db.session.rollback()
    again = ops.register_incoming(user("vanthu"), sample(allow_duplicate=True))
    assert again.arrival_number == 2


def test_a_failed_registration_leaves_no_row_no_file_and_burns_no_number(ctx, app):
    def files_on_disk():
        return sorted(p for p in Path(app.config["FILE_STORE_DIR"]).rglob("*") if p.is_file())

    files_before = files_on_disk()
    with pytest.raises(ValidationFailed):
        ops.register_incoming(user("vanthu"), sample(), [
            ops.Upload(make_pdf(), "tot.pdf"), ops.Upload(b"not a pdf at all", "xau.pdf")])
    db.session.rollback()
    assert count(IncomingDocument) == 0 and count(StoredFile) == 0 and count(Blob) == 0
    assert files_on_disk() == files_before
    assert register().arrival_number == 1


# --- hostile files -----------------------------------------------------------------------------

@pytest.mark.parametrize("name,make", [
    ("bomb", lambda: decompression_bomb(300)),
    ("cycle", cyclic_page_tree),
    ("truncated", lambda: truncated(make_pdf("Quyết định bị cắt cụt"))),
])
def test_hostile_pdfs_are_refused_cleanly_and_quickly(ctx, name, make):
    payload = make()
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as err:
        ops.register_incoming(user("vanthu"), sample(), [ops.Upload(payload, f"{name}.pdf")])
    elapsed = time.monotonic() - started
    db.session.rollback()
    assert err.value.code == "pdf_invalid"
    assert "không đọc được" in err.value.message
    assert elapsed < WALL_SECONDS + 5  # the sandbox's deadline holds; no worker hangs
    assert count(IncomingDocument) == 0


def test_a_pdf_that_is_not_a_pdf_is_refused_by_content(ctx):
    with pytest.raises(ValidationFailed) as err:
        ops.register_incoming(user("vanthu"), sample(), [ops.Upload(b"GIF89a....", "gia-mao.pdf")])
    assert err.value.code == "file_type"


# --- confidential ------------------------------------------------------------------------------

def test_confidential_documents_get_their_own_series_and_a_paper_entry_only(ctx):
    register()
    secret = ops.register_incoming(user("vanthu"), ops.IncomingInput(
        sender_name="Công an tỉnh Phú Thọ", number_symbol="15/CAT-PV01", confidentiality="mat",
        paper_holder="Đinh Thị Thu (văn thư)"))
    db.session.commit()
    assert secret.arrival_number == 1  # its own series
    assert secret.register.confidential is True
    assert secret.status == "paper" and secret.subject == "" and secret.files == []


@pytest.mark.parametrize("overrides", [
    {"uploads": [ops.Upload(make_pdf(), "mat.pdf")]},
    {"subject": "Kế hoạch bảo vệ bí mật"},
])
def test_nobody_can_put_content_of_a_confidential_document_into_the_system(ctx, overrides):
    uploads = overrides.pop("uploads", [])
    with pytest.raises(ValidationFailed) as err:
        ops.register_incoming(user("vanthu"), ops.IncomingInput(
            sender_name="Công an tỉnh", confidentiality="toi_mat", paper_holder="Văn thư",
            **overrides), uploads)
    assert err.value.code == "confidential_no_content"
    assert "Văn bản mật không được đưa lên hệ thống" in err.value.message
    db.session.rollback()
    assert count(StoredFile) == 0 and count(IncomingDocument) == 0


def test_files_cannot_be_attached_to_a_confidential_entry_later(ctx):
    secret = ops.register_incoming(user("vanthu"), ops.IncomingInput(
        sender_name="Công an tỉnh", confidentiality="mat", paper_holder="Văn thư"))
    with pytest.raises(ValidationFailed) as err:
        ops.attach_files(user("vanthu"), secret, [ops.Upload(make_pdf(), "x.pdf")])
    assert err.value.code == "confidential_no_content"


def test_the_database_itself_refuses_content_on_a_confidential_row(ctx):
    secret = ops.register_incoming(user("vanthu"), ops.IncomingInput(
        sender_name="Công an tỉnh", confidentiality="mat", paper_holder="Văn thư"))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("UPDATE incoming_document SET subject = 'lộ' WHERE id = :i"),
                           {"i": secret.id})
        db.session.flush()
    db.session.rollback()


def test_only_clerks_and_leaders_see_confidential_entries(ctx):
    secret = ops.register_incoming(user("vanthu"), ops.IncomingInput(
        sender_name="Công an tỉnh", confidentiality="mat", paper_holder="Văn thư"))
    db.session.commit()
    assert ops.can_read(user("vanthu"), secret) and ops.can_read(user("chutich"), secret)
    for name in ("cv.kt1", "truongkt", "quantri", "thuky"):
        assert not ops.can_read(user(name), secret), name
        assert secret not in ops.list_documents(user(name))
    ops.transfer_paper(user("vanthu"), secret, "Bùi Văn Khánh (Chủ tịch)")
    assert secret.paper_holder == "Bùi Văn Khánh (Chủ tịch)"


# --- direction and handling ---------------------------------------------------------------------

def test_the_whole_flow_per_role(ctx):
    clerk, leader, handler, helper = user("vanthu"), user("chutich"), user("cv.kt1"), user("cv.vhxh")
    doc = register()
    ops.submit(clerk, doc, comment="Kính trình Chủ tịch")
    assert doc.status == "submitted"
    assert doc in ops.awaiting_direction(leader)
    assert db.session.scalar(sa.select(Notification).where(Notification.user_id == leader.id))
    ops.direct(leader, doc, ops.Direction_(
        main=ops.Assignee(user_id=handler.id), co=[ops.Assignee(user_id=helper.id)],
        info=[ops.Assignee(unit_id=unit("VP").id)], deadline_working_days=5,
        text="Giao phòng Kinh tế chủ trì, tham mưu văn bản trả lời"))
    assert doc.status == "assigned"
    assert doc.deadline == add_working_days(vn_today(), 5, _holidays())
    queue = ops.queue_for(handler)
    assert [e.document.id for e in queue.new] == [doc.id]
    assert [e.document.id for e in ops.queue_for(user("cv.vp")).for_information] == [doc.id]
    ops.add_progress(handler, doc, "Đã dự thảo văn bản trả lời, chờ trưởng phòng xem")
    assert doc.status == "in_progress"
    assert [e.document.id for e in ops.queue_for(handler).in_progress] == [doc.id]
    ops.complete(helper, doc, "Phòng VHXH đã góp ý")
    assert doc.status == "in_progress"  # a co-handler finishing does not close it
    ops.complete(handler, doc, "Đã ban hành Công văn số 45/UBND-KT trả lời",
                 [ops.Upload(make_pdf("Công văn trả lời"), "tra-loi.pdf")])
    db.session.commit()
    assert doc.status == "done" and doc.completed_at is not None
    assert [f.kind for f in doc.files] == ["original", "result"]
    history = events_of("incoming", doc.id)
    assert [e.action for e in history] == [
        "registered", "submitted", "directed", "progress", "part_completed", "completed"]
    assert [e.actor.username for e in history] == [
        "vanthu", "vanthu", "chutich", "cv.kt1", "cv.vhxh", "cv.kt1"]
    assert history[2].comment == "Giao phòng Kinh tế chủ trì, tham mưu văn bản trả lời"
    assert ops.queue_for(handler).open_count == 0


def _holidays():
    from docmgmt.documents.calendar import holidays_of

    return holidays_of(1, vn_today())


def test_a_handler_cannot_see_a_document_not_assigned_to_them_or_their_unit(ctx):
    doc = register()
    ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(unit_id=unit("KT").id)))
    db.session.commit()
    assert ops.can_read(user("cv.kt2"), doc)  # KT's members see KT's work
    with pytest.raises(NotFound):
        ops.get_readable(user("cv.vhxh"), doc.id)  # VHXH has no business with it
    assert doc not in ops.list_documents(user("cv.vhxh"))
    with pytest.raises(NotFound):
        ops.add_progress(user("cv.vhxh"), doc, "chen ngang")


def test_only_leaders_direct_and_only_the_main_handler_completes(ctx):
    doc = register()
    with pytest.raises(PermissionDenied):
        ops.direct(user("vanthu"), doc, ops.Direction_(main=ops.Assignee(user_id=user("cv.kt1").id)))
    ops.direct(user("chutich"), doc, ops.Direction_(
        main=ops.Assignee(user_id=user("cv.kt1").id), info=[ops.Assignee(user_id=user("cv.kt2").id)]))
    with pytest.raises(PermissionDenied) as err:
        ops.complete(user("cv.kt2"), doc, "xong")  # for information only
    assert err.value.code == "not_handler"
    with pytest.raises(ValidationFailed):
        ops.complete(user("cv.kt1"), doc, "")  # a result is required
    with pytest.raises(Conflict):
        ops.submit(user("vanthu"), doc)  # already directed


def test_head_of_unit_hands_the_units_work_to_one_person(ctx):
    doc = register()
    ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(unit_id=unit("KT").id)))
    assignment = doc.main_assignment
    with pytest.raises(PermissionDenied):
        ops.delegate(user("cv.kt1"), assignment, user("cv.kt2").id)
    with pytest.raises(ValidationFailed):
        ops.delegate(user("truongkt"), assignment, user("cv.vhxh").id)  # not in KT
    ops.delegate(user("truongkt"), assignment, user("cv.kt2").id)
    assert ops.queue_for(user("cv.kt2")).new[0].document.id == doc.id
    assert ops.queue_for(user("cv.kt1")).new == []


def test_reassignment_moves_the_work_and_keeps_the_history(ctx):
    doc = register()
    ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(user_id=user("cv.kt1").id)))
    ops.reassign(user("chutich"), doc, ops.Direction_(main=ops.Assignee(user_id=user("cv.vhxh").id)),
                 reason="Thuộc lĩnh vực văn hóa")
    assert ops.queue_for(user("cv.kt1")).new == []
    assert ops.queue_for(user("cv.vhxh")).new[0].document.id == doc.id
    assert [e.action for e in events_of("incoming", doc.id)][-1] == "reassigned"
    assert len(doc.assignments) == 2 and len(doc.active_assignments) == 1


def test_return_to_sender_needs_a_reason(ctx):
    doc = register()
    with pytest.raises(ValidationFailed):
        ops.return_to_sender(user("chutich"), doc, "  ")
    ops.return_to_sender(user("chutich"), doc, "Gửi nhầm cơ quan, đề nghị gửi UBND xã Lạc Sơn")
    assert doc.status == "returned"
    assert events_of("incoming", doc.id)[-1].comment.startswith("Gửi nhầm")


# --- deadlines ---------------------------------------------------------------------------------

def test_working_days_skip_weekends_and_holidays():
    friday = date(2026, 8, 28)
    assert add_working_days(friday, 1) == date(2026, 8, 31)  # over the weekend to Monday
    # Quốc khánh 1–2/9/2026 (Tuesday, Wednesday) are holidays:
    holidays = {date(2026, 9, 1), date(2026, 9, 2)}
    assert add_working_days(friday, 2, holidays) == date(2026, 9, 3)
    assert working_days_between(friday, date(2026, 9, 3), holidays) == 2
    assert working_days_between(date(2026, 9, 3), friday, holidays) == -2


def test_queue_marks_due_soon_and_overdue(ctx):
    handler = user("cv.kt1")
    soon, late = register(number_symbol="1/A"), register(number_symbol="2/B")
    for doc in (soon, late):
        ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(user_id=handler.id),
                                                         deadline=vn_today() + timedelta(days=1)))
    late.main_assignment.deadline = late.deadline = vn_today() - timedelta(days=3)
    db.session.commit()
    queue = ops.queue_for(handler)
    assert [e.document.id for e in queue.overdue] == [late.id]
    assert late.is_overdue(vn_today()) and not soon.is_overdue(vn_today())
    assert ops.list_documents(user("chutich"), overdue=True) == [late]


def test_reminders_before_and_at_the_deadline_are_sent_once(ctx):
    handler = user("cv.kt1")
    doc = register()
    today = vn_today()
    ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(user_id=handler.id),
                                                     deadline_working_days=1))
    db.session.commit()
    mails = []
    assert ops.send_reminders(today, mailer=lambda *m: mails.append(m)) == 1  # one day before
    assert ops.send_reminders(today) == 0  # not twice
    assert ops.send_reminders(doc.deadline) == 1  # on the day
    assert ops.send_reminders(doc.deadline + timedelta(days=7)) == 0
    titles = list(db.session.scalars(sa.select(Notification.title).where(
        Notification.user_id == handler.id, Notification.kind == "incoming.reminder")))
    assert titles[0].startswith("Còn 1 ngày làm việc") and titles[1].startswith("Hôm nay là hạn")
    assert mails and mails[0][0] == handler.email


# --- concurrency -------------------------------------------------------------------------------

def _register_in_processes(config: dict, processes: int = 4, each: int = 15) -> list[int]:
    from tests.workers import numbers_from_processes, register_many

    return numbers_from_processes(register_many, [(config, each, f"P{i}") for i in range(processes)])


def test_concurrent_registration_from_several_processes_gives_consecutive_numbers(instance):
    numbers = _register_in_processes(instance_config(instance))
    assert numbers == list(range(1, 61))


@pytest.mark.postgres
def test_concurrent_registration_on_postgresql(pg_commune):
    assert _register_in_processes(pg_commune) == list(range(1, 61))


def test_due_soon_is_the_same_whether_counted_per_document_or_by_its_last_day():
    """The queue sorts by one date (``due_soon_until``) what used to be counted per
    document: for every deadline from today on, around weekends and the Tết holidays, the
    two agree."""
    from datetime import date, timedelta

    from docmgmt.documents.calendar import VN_HOLIDAYS_2026, working_days_between
    from docmgmt.incoming.operations import DUE_SOON_WORKING_DAYS, due_soon_until

    holidays = {day for day, _name in VN_HOLIDAYS_2026}
    for start in (date(2026, 2, 11), date(2026, 2, 13), date(2026, 4, 24), date(2026, 11, 20), date(2026, 12, 4)):
        last = due_soon_until(start, holidays)
        for ahead in range(0, 20):
            deadline = start + timedelta(days=ahead)
            counted = working_days_between(start, deadline, holidays) <= DUE_SOON_WORKING_DAYS
            assert (deadline <= last) == counted, (start, deadline)
