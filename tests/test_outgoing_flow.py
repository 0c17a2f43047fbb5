"""Outgoing documents: draft, review, sign, number, issue, recall — the domain rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from docmgmt.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from docmgmt.documents.history import events_of
from docmgmt.extensions import db
from docmgmt.files.store import FileStore
from docmgmt.incoming import operations as incoming_ops
from docmgmt.outgoing import operations as ops
from docmgmt.outgoing.models import OutgoingDocument
from tests.commune import unit, user
from tests.conftest import instance_config
from tests.files_helpers import make_pdf


def draft(drafter="cv.kt1", signer="chutich", pdf=True, **overrides) -> OutgoingDocument:
    data = dict(doc_type="cong_van", subject="Về việc báo cáo kết quả chuyển đổi số quý IV",
                signer_id=user(signer).id,
                recipients=[ops.RecipientInput(token=f"unit:{unit('VHXH').id}"),
                            ops.RecipientInput(organ_name="Sở Nội vụ tỉnh Phú Thọ", organ_id="000.00.31.H42")])
    data.update(overrides)
    upload = ops.Upload(make_pdf("Báo cáo chuyển đổi số"), "du-thao.pdf") if pdf else None
    doc = ops.create_draft(user(drafter), ops.DraftInput(**data), upload)
    db.session.commit()
    return doc


def approved(**kw) -> OutgoingDocument:
    doc = draft(**kw)
    ops.submit(user("cv.kt1"), doc)
    ops.approve(user("truongkt"), doc, "Đồng ý trình")
    ops.approve(user("chutich"), doc, "Đồng ý")
    db.session.commit()
    return doc


# --- drafting and review ---------------------------------------------------------------------

def test_review_chain_goes_head_of_unit_then_leader_with_returns_and_resubmission(ctx):
    doc = draft()
    assert doc.status == "draft" and doc.current_version.number == 1
    ops.submit(user("cv.kt1"), doc)
    assert [(s.kind, s.reviewer.username) for s in doc.steps] == [
        ("head_of_unit", "truongkt"), ("leader", "chutich")]
    assert doc in ops.to_review(user("truongkt")) and doc not in ops.to_review(user("chutich"))
    with pytest.raises(PermissionDenied):
        ops.approve(user("chutich"), doc)  # not the leader's turn yet
    ops.return_draft(user("truongkt"), doc, "Bổ sung số liệu tháng 12")
    assert doc.status == "returned"
    with pytest.raises(PermissionDenied):
        ops.return_draft(user("truongkt"), doc, "Trả lại lần nữa")  # no longer their step
    ops.add_version(user("cv.kt1"), doc, ops.Upload(make_pdf("Bản sửa"), "du-thao-2.pdf"), "Đã bổ sung")
    assert [v.number for v in doc.versions] == [1, 2]
    assert doc.versions[0].pdf_file_id != doc.versions[1].pdf_file_id  # the first stays readable
    ops.submit(user("cv.kt1"), doc)
    ops.approve(user("truongkt"), doc, "Đồng ý")
    assert doc.status == "reviewing" and doc in ops.to_review(user("chutich"))
    ops.return_draft(user("chutich"), doc, "Sửa lại đoạn 2")
    ops.add_version(user("cv.kt1"), doc, ops.Upload(make_pdf("Bản 3"), "v3.pdf"))
    ops.submit(user("cv.kt1"), doc)
    ops.approve(user("truongkt"), doc)
    ops.approve(user("chutich"), doc, "Đồng ý ban hành")
    db.session.commit()
    assert doc.status == "approved"
    assert [e.action for e in events_of("outgoing", doc.id)] == [
        "drafted", "submitted", "returned", "new_version", "submitted", "approved", "returned",
        "new_version", "submitted", "approved", "approved"]
    assert {s.round for s in doc.steps} == {1, 2, 3}


def test_a_unit_can_skip_the_head_of_unit_step(ctx):
    unit("KT").review_by_head = False
    doc = draft()
    ops.submit(user("cv.kt1"), doc)
    assert [s.kind for s in doc.steps] == ["leader"]


def test_only_the_drafter_edits_and_submits_and_only_leaders_sign(ctx):
    doc = draft()
    with pytest.raises(PermissionDenied):
        ops.add_version(user("cv.kt2"), doc, ops.Upload(make_pdf(), "x.pdf"))
    with pytest.raises(PermissionDenied):
        ops.submit(user("vanthu"), doc)
    with pytest.raises(ValidationFailed) as err:
        draft(signer="cv.kt2")
    assert err.value.code == "invalid_signer"


def test_a_draft_needs_a_subject_and_a_known_type(ctx):
    for overrides, field in (({"subject": " "}, "subject"), ({"doc_type": "x"}, "doc_type")):
        with pytest.raises(ValidationFailed) as err:
            draft(**overrides)
        assert err.value.field == field
        db.session.rollback()


def test_a_clerk_cannot_issue_an_unapproved_draft(ctx):
    doc = draft()
    with pytest.raises(Conflict) as err:
        ops.issue(user("vanthu"), doc)
    assert err.value.code == "invalid_state"
    ops.submit(user("cv.kt1"), doc)
    with pytest.raises(Conflict):
        ops.issue(user("vanthu"), doc)
    with pytest.raises(PermissionDenied):
        ops.issue(user("cv.kt1"), doc)  # staff never issue


def test_staff_of_another_unit_cannot_see_a_draft(ctx):
    doc = draft()
    assert ops.can_read(user("truongkt"), doc) and ops.can_read(user("chutich"), doc)
    with pytest.raises(NotFound):
        ops.get_readable(user("cv.vhxh"), doc.id)


def test_a_draft_from_the_template_has_the_nd30_header(ctx):
    import io

    import docx

    doc = draft(pdf=False, body=["Ủy ban nhân dân xã Kim Bôi báo cáo kết quả như sau."])
    source = doc.current_version.source_file
    assert source.mime.endswith("wordprocessingml.document")
    text = "\n".join(c.text for t in docx.Document(io.BytesIO(
        FileStore.from_app().path_for(source.sha256).read_bytes())).tables for r in t.rows for c in r.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "/UBND-KT" in text  # công văn: issuer + drafting unit


# --- signing, numbering, issuance -----------------------------------------------------------------

def test_sign_number_and_issue_with_signatures_that_verify(ctx):
    from docmgmt.signing.verify import verify_pdf

    doc = approved()
    with pytest.raises(PermissionDenied):
        ops.sign(user("phochutich.kt"), doc)  # not the leader it was submitted to
    ops.sign(user("chutich"), doc)
    assert doc.status == "signed"
    ops.issue(user("vanthu"), doc)
    db.session.commit()
    assert doc.status == "issued" and doc.number == 1
    assert doc.number_symbol == "01/UBND-KT"
    pdf = FileStore.from_app().path_for(doc.issued_file.sha256).read_bytes()
    reports = verify_pdf(pdf)
    assert len(reports) == 2
    assert all(r.intact and r.valid for r in reports)
    import io

    from pypdf import PdfReader

    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert any("01/UBND-KT" in str(f.get("/V", "")) for f in fields.values())


def test_types_get_their_symbol_and_numbers_run_per_year(ctx):
    a = approved(doc_type="quyet_dinh", subject="Về việc thành lập Tổ công nghệ số cộng đồng")
    b = approved()
    for doc in (a, b):
        ops.sign(user("chutich"), doc)
        ops.issue(user("vanthu"), doc)
    db.session.commit()
    assert (a.number_symbol, b.number_symbol) == ("01/QĐ-UBND", "02/UBND-KT")


def test_internal_recipients_find_it_in_their_incoming_queue_at_once(ctx):
    doc = approved()
    ops.sign(user("chutich"), doc)
    ops.issue(user("vanthu"), doc)
    db.session.commit()
    queue = incoming_ops.queue_for(user("cv.vhxh"))
    assert [e.document.number_symbol for e in queue.for_information] == [doc.number_symbol]
    external = [r for r in doc.recipients if r.kind == "external"]
    assert [r.exchange_status for r in external] == ["queued"]


def test_a_failed_issuance_burns_no_number(ctx, monkeypatch):
    from docmgmt.signing import signer as signing

    doc = approved()
    ops.sign(user("chutich"), doc)
    db.session.commit()

    def broken(*args, **kwargs):
        from docmgmt.signing.errors import SigningError

        raise SigningError("hsm_unavailable", "Không kết nối được thiết bị ký")

    monkeypatch.setattr(signing, "sign_as_organisation", broken)
    with pytest.raises(DomainError) as err:
        ops.issue(user("vanthu"), doc)
    assert "Ký số không thành công" in err.value.message or err.value.code == "hsm_unavailable"
    db.session.rollback()
    monkeypatch.undo()
    doc = db.session.get(OutgoingDocument, doc.id)
    ops.issue(user("vanthu"), doc)
    db.session.commit()
    assert doc.number == 1


def test_recall_is_visible_to_every_recipient(ctx):
    from docmgmt.notifications.models import Notification

    doc = approved()
    ops.sign(user("chutich"), doc)
    ops.issue(user("vanthu"), doc)
    with pytest.raises(ValidationFailed):
        ops.recall(user("chutich"), doc, "")
    ops.recall(user("chutich"), doc, "Sai số liệu ở mục 2")
    db.session.commit()
    assert doc.status == "recalled"
    incoming_id = doc.recipients[0].incoming_document_id
    assert events_of("incoming", incoming_id)[-1].action == "recalled_by_sender"
    notes = db.session.scalars(sa.select(Notification.title).where(Notification.kind == "incoming.recalled")).all()
    assert notes and "Sai số liệu" in notes[0]


def _issue_in_processes(config: dict, processes: int, each: int) -> list[int]:
    from tests.workers import issue_many, numbers_from_processes

    return numbers_from_processes(issue_many, [(config, each, p) for p in range(processes)])


def _prepare_signed(config: dict, count: int) -> None:
    """One document goes through the whole flow and is signed; the other ``count - 1``
    are copies of it in the same state (same leader-signed PDF), so the race below is
    about issuance alone: numbering, the number filled in, the organisation's signature."""
    from docmgmt import create_app

    app = create_app(config)
    with app.test_request_context():
        model = approved()
        ops.sign(user("chutich"), model)
        db.session.flush()
        columns = [c.key for c in OutgoingDocument.__table__.columns if c.key != "id"]
        for _ in range(count - 1):
            db.session.add(OutgoingDocument(**{c: getattr(model, c) for c in columns}))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_numbers_have_no_gaps_under_concurrent_issuance(instance):
    config = instance_config(instance)
    _prepare_signed(config, 200)
    assert _issue_in_processes(config, 4, 50) == list(range(1, 201))


@pytest.mark.postgres
def test_numbers_have_no_gaps_under_concurrent_issuance_on_postgresql(pg_commune):
    _prepare_signed(pg_commune, 200)
    assert _issue_in_processes(pg_commune, 4, 50) == list(range(1, 201))
