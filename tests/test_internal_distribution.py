"""Issuing to the commune's own units and people is not an incoming document: it reaches
their queue for information, but the sổ đến — its page, its exports, its numbers — holds
only what arrived from outside."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from docmgmt.core.errors import NotFound
from docmgmt.core.timeutil import vn_today
from docmgmt.documents.history import events_of
from docmgmt.extensions import db
from docmgmt.incoming import operations as incoming_ops
from docmgmt.incoming.access import can_read
from docmgmt.incoming.export import register_export
from docmgmt.incoming.models import IncomingDocument
from docmgmt.notifications.models import Notification
from docmgmt.outgoing import operations as ops
from docmgmt.outgoing.models import OutgoingDocument
from docmgmt.searching import operations as search_ops
from tests.commune import issued, unit, user

SUBJECT = "Về việc tổng hợp số liệu dân số cuối năm"


def issued_internally(subject: str = SUBJECT) -> OutgoingDocument:
    """Drafted by the Economics office, issued to the Culture and Society office and to one
    person of the Economics office, and to one outside organisation."""
    return issued([ops.RecipientInput(token=f"unit:{unit('VHXH').id}"),
                   ops.RecipientInput(token=f"user:{user('cv.kt2').id}"),
                   ops.RecipientInput(organ_name="Sở Nội vụ tỉnh Phú Thọ", organ_id="000.00.31.H42")],
                  subject=subject)


def delivered(doc: OutgoingDocument) -> IncomingDocument:
    [incoming_id] = {r.incoming_document_id for r in doc.recipients if r.kind in ("unit", "user")}
    assert all(r.incoming_document_id is None for r in doc.recipients if r.kind == "external")
    return db.session.get_one(IncomingDocument, incoming_id)


def arrived(subject: str) -> IncomingDocument:
    doc = incoming_ops.register_incoming(user("vanthu"), incoming_ops.IncomingInput(
        sender_name="Ủy ban nhân dân tỉnh Phú Thọ", number_symbol="",
        issue_date=vn_today() - timedelta(days=2), subject=subject))
    db.session.commit()
    return doc


def test_issuing_to_a_unit_and_a_person_puts_it_in_their_queue_for_information_without_a_number(ctx):
    out = issued_internally()
    doc = delivered(out)
    assert (doc.register_id, doc.arrival_number, doc.register) == (None, None, None)
    assert doc.channel == "internal" and not doc.in_register
    assert doc.arrival_label == "Nội bộ" and "None" not in doc.arrival_label
    # The sender is the commune's issuing unit, not an outside organisation.
    assert doc.sender_name == f"{unit('KT').name}, {user('cv.kt1').organisation.name}"
    assert doc.number_symbol == out.number_symbol and doc.issue_date == out.issued_on
    assert {(a.role, a.assignee_unit_id, a.assignee_user_id) for a in doc.assignments} == {
        ("info", unit("VHXH").id, None), ("info", None, user("cv.kt2").id)}
    for username in ("truongvhxh", "cv.vhxh", "cv.kt2"):
        queue = incoming_ops.queue_for(user(username))
        assert doc in [e.document for e in queue.for_information], username
        assert doc not in [e.document for e in queue.new]
    assert doc not in [e.document for e in incoming_ops.queue_for(user("cv.kt1")).for_information]
    titles = db.session.scalars(sa.select(Notification.title).where(
        Notification.user_id == user("cv.kt2").id, Notification.kind == "incoming.assigned.info")).all()
    assert titles == [f"Văn bản nội bộ {out.number_symbol} giao bạn (để biết): {SUBJECT}"]
    assert [e.action for e in events_of("incoming", doc.id)] == ["received_internal"]


def test_the_register_lists_only_arrived_documents_and_its_numbers_have_no_gap(ctx):
    before = arrived("Về việc rà soát biên chế năm sau")
    internal = delivered(issued_internally())
    after = arrived("Về việc hướng dẫn kiểm kê đất đai")
    assert after.arrival_number == before.arrival_number + 1  # the delivery took no number
    year = vn_today().year
    book = incoming_ops.register_documents(user("vanthu"), year)
    assert internal not in book and {before, after} <= set(book)
    numbers = [d.arrival_number for d in book]
    assert numbers == list(range(1, len(book) + 1))
    rows = register_export(user("vanthu"), year).rows
    assert [r.arrival_number for r in rows] == [f"{n:02d}" for n in numbers]
    assert all(SUBJECT not in r.type_and_subject for r in rows)
    # The overview still lists it for those who may read it, in the year it was issued.
    assert internal in incoming_ops.list_documents(user("chutich"), year=year)


def test_the_register_page_and_its_export_leave_internal_deliveries_out(app, login_as):
    with app.app_context():
        arrived("Về việc tổ chức hội nghị tổng kết")
        delivered(issued_internally())
    year = vn_today().year
    client = login_as("vanthu")
    page = client.get(f"/incoming/register/{year}").get_data(as_text=True)
    assert "Về việc tổ chức hội nghị tổng kết" in page and SUBJECT not in page
    assert "None" not in page and "Nội bộ" not in page
    response = client.get(f"/incoming/register/{year}/export.xlsx")
    assert response.status_code == 200
    cells = [c.value for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows()
             for c in row]
    assert not any(isinstance(v, str) and SUBJECT in v for v in cells)
    rows = client.get(f"/api/v1/incoming/register/{year}")
    assert rows.status_code == 200 and all(SUBJECT not in r["type_and_subject"] for r in rows.json)


def test_recipients_can_open_it_and_find_it_others_cannot(ctx):
    doc = delivered(issued_internally())
    for username in ("truongvhxh", "cv.vhxh", "cv.kt2", "chutich", "vanthu"):
        assert can_read(user(username), doc), username
        assert incoming_ops.get_readable(user(username), doc.id) is doc
    for username in ("cv.hcc", "cv.vp"):
        assert not can_read(user(username), doc), username
        with pytest.raises(NotFound):
            incoming_ops.get_readable(user(username), doc.id)
    found = search_ops.search(user("cv.vhxh"), "tổng hợp số liệu dân số", per_page=100)
    assert doc.id in [d.document_id for d in found.documents]
    hidden = search_ops.search(user("cv.hcc"), "tổng hợp số liệu dân số", per_page=100)
    assert doc.id not in [d.document_id for d in hidden.documents]


def test_a_leader_can_still_direct_an_internal_delivery_for_action(ctx):
    doc = delivered(issued_internally())
    incoming_ops.reassign(user("chutich"), doc, incoming_ops.Direction_(
        main=incoming_ops.Assignee(user_id=user("cv.vhxh").id), deadline_working_days=5),
        "Giao chị xử lý, báo cáo số liệu")
    db.session.commit()
    queue = incoming_ops.queue_for(user("cv.vhxh"))
    assert doc in [e.document for e in queue.new] and doc.arrival_number is None
    assert "progress" in incoming_ops.available_actions(user("cv.vhxh"), doc)


def test_a_recall_reaches_the_internal_recipients(ctx):
    out = issued_internally()
    doc = delivered(out)
    ops.recall(user("chutich"), out, "Sai số liệu ở mục 2")
    db.session.commit()
    assert events_of("incoming", doc.id)[-1].action == "recalled_by_sender"
    told = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == "incoming.recalled")).all()
    assert {user("cv.kt2").id, user("truongvhxh").id} <= set(told)


def test_the_document_page_shows_where_it_came_from(app, login_as):
    with app.app_context():
        out = issued_internally()
        doc_id, symbol = delivered(out).id, out.number_symbol
        sender = delivered(out).sender_name
    page = login_as("cv.kt2").get(f"/incoming/{doc_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Văn bản nội bộ {symbol}" in html and 'data-testid="origin"' in html
    assert "không vào sổ văn bản đến" in html and sender in html
    assert "None" not in html and "Văn bản đến số" not in html
    assert login_as("cv.hcc").get(f"/incoming/{doc_id}").status_code == 404


def test_only_the_communes_own_entries_may_stand_outside_the_register(ctx):
    arrived_doc = arrived("Về việc báo cáo tình hình")
    with pytest.raises(sa.exc.IntegrityError, match="arrived_has_number"):
        db.session.execute(sa.update(IncomingDocument).where(IncomingDocument.id == arrived_doc.id)
                           .values(register_id=None, arrival_number=None))
    db.session.rollback()
