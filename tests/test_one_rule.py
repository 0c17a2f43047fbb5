"""Defects that came from one rule written in several places, each decided once now."""

from __future__ import annotations

import re

import sqlalchemy as sa

from docmgmt.core.errors import DomainError
from docmgmt.documents.history import events_of
from docmgmt.documents.registers import Direction, Register
from docmgmt.exchange.models import OutboxMessage
from docmgmt.extensions import db
from docmgmt.incoming import operations as incoming_ops
from docmgmt.incoming.models import IncomingDocument
from docmgmt.outgoing import operations as ops
from meetings import operations as meeting_ops
from meetings.documents import _Conclusion, create_task
from meetings.models import Meeting
from tests.commune import issued, unit, user
from tests.conftest import login, page_csrf
from tests.meetings_support import build_meeting


def _issued_to_two_agencies():
    return issued([ops.RecipientInput(organ_name="Sở Nội vụ tỉnh Phú Thọ", organ_id="000.00.31.H42"),
                   ops.RecipientInput(organ_name="Hợp tác xã Nông nghiệp Kim Bôi")],
                  subject="Về việc báo cáo kết quả chuyển đổi số quý IV")


def test_a_recipient_without_organ_id_is_sent_by_post_never_left_queued(app, client):
    with app.test_request_context():
        doc = _issued_to_two_agencies()
        by_name = {r.organ_name: r for r in doc.recipients}
        assert by_name["Sở Nội vụ tỉnh Phú Thọ"].exchange_status == "queued"
        assert by_name["Hợp tác xã Nông nghiệp Kim Bôi"].exchange_status == "by_post"
        outbox = db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.outgoing_document_id == doc.id, OutboxMessage.kind == "edoc")).all()
        assert [m.destination for m in outbox] == ["000.00.31.H42"]  # the exchange sends only what it can
        doc_id = doc.id
    login(client, "vanthu")
    page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    assert page.count("Gửi qua bưu điện hoặc thư điện tử") == 1
    # the exchange's own section follows only the agency it can reach
    section = page[page.index('data-testid="exchange"'):]
    assert section.count("data-organ-id=") == 1 and "Hợp tác xã" not in section
    api = client.get(f"/api/v1/outgoing/{doc_id}").json
    statuses = {r["organ_name"]: r["exchange_status"] for r in api["recipients"] if r["kind"] == "external"}
    assert statuses == {"Sở Nội vụ tỉnh Phú Thọ": "queued", "Hợp tác xã Nông nghiệp Kim Bôi": "by_post"}


def _register_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IncomingDocument))


def test_a_meeting_task_stays_out_of_the_register_and_checks_who_gives_it(app):
    """A task the commune gives itself did not arrive: it takes no số đến and leaves the
    series untouched; and a task from a conclusion cannot be given by someone who does not
    run the meeting, even when a door forgets to ask."""
    with app.test_request_context():
        m = db.session.get(Meeting, build_meeting("live"))
        item = m.items[0]
        meeting_ops.save_conclusion(user("thuky"), m, item.id, "Giao Phòng Kinh tế rà soát số liệu.")
        registered = incoming_ops.register_incoming(user("vanthu"), incoming_ops.IncomingInput(
            sender_name="Sở Nội vụ tỉnh Phú Thọ", subject="Về việc rà soát biên chế"))
        before = _register_count()
        for outsider in ("cv.kt1", "vanthu", "truongkt"):  # not the chair, not the secretary
            try:
                create_task(user(outsider), item, f"unit:{unit('KT').id}", None, "Rà soát số liệu")
            except DomainError as err:
                assert err.code == "forbidden"
            else:
                raise AssertionError(f"{outsider} gave a task")
            origin = _Conclusion(item)  # asked directly, as a careless door would
            try:
                incoming_ops.register_task(user(outsider), origin, "Rà soát", incoming_ops.Direction_(
                    main=incoming_ops.Assignee(unit_id=unit("KT").id)))
            except DomainError as err:
                assert err.code == "forbidden"
            else:
                raise AssertionError(f"{outsider} registered a task directly")
        assert _register_count() == before  # nothing entered, no number taken
        task = create_task(user("thuky"), item, f"unit:{unit('KT').id}", None, "Rà soát số liệu tháng 11")
        entry = db.session.get(IncomingDocument, task.incoming_id)
        assert (entry.arrival_number, entry.register_id, entry.arrival_label) == (None, None, "Việc giao")
        assert entry.channel == "meeting" and entry.registered_by_id == user("thuky").id
        assert [e.action for e in events_of("incoming", entry.id)][:1] == ["task_assigned"]
        register = db.session.get(Register, registered.register_id)
        assert register.direction == Direction.INCOMING
        assert register.last_number == registered.arrival_number  # the series is untouched
        then = incoming_ops.register_incoming(user("vanthu"), incoming_ops.IncomingInput(
            sender_name="Sở Tài chính tỉnh Phú Thọ", subject="Về việc quyết toán"))
        assert then.arrival_number == registered.arrival_number + 1  # no gap



def test_the_exchange_page_names_agencies_and_documents_and_offers_a_retry(app, client):
    """A clerk reads the agency's name and the document's number, not OrganIds and edXML
    ids; a waiting message says why it waits and can be sent again now."""
    from datetime import timedelta

    from docmgmt.core.timeutil import utcnow

    with app.test_request_context():
        doc = _issued_to_two_agencies()
        message = db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.outgoing_document_id == doc.id, OutboxMessage.kind == "edoc")).one()
        message.attempts, message.next_attempt_at = 3, utcnow() + timedelta(hours=2)
        message.last_error = "hub unreachable"
        db.session.commit()
        message_id, symbol, edxml_id = message.id, doc.number_symbol, message.document_id
    login(client, "vanthu")
    page = client.get("/exchange/").get_data(as_text=True)
    row = page.split(f"<td>{message_id}</td>")[1].split("</tr>")[0]
    assert "Sở Nội vụ tỉnh Phú Thọ" in row and "000.00.31.H42" in row
    assert symbol in row and edxml_id not in row
    assert "Gửi chưa được, sẽ thử lại lúc" in row and "hub unreachable" in row
    token = re.search(r'name="csrf_token" value="([^"]+)"', row).group(1)
    assert client.post(f"/exchange/outbox/{message_id}/retry", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        retried = db.session.get(OutboxMessage, message_id)
        assert retried.next_attempt_at <= utcnow() + timedelta(seconds=5)
        retried.delivered_at = utcnow()
        db.session.commit()
    again = client.post(f"/exchange/outbox/{message_id}/retry", data={"csrf_token": token})
    assert again.status_code == 409 and "Gói tin này đã được gửi." in again.get_data(as_text=True)
    login(client, "cv.kt1")  # staff do not run the exchange
    assert client.post(f"/exchange/outbox/{message_id}/retry",
                       data={"csrf_token": page_csrf(client)}).status_code == 403
