"""The exchange as domain operations, in one database holding both communes: export of
an issued document, import into the register, statuses both ways, revoke and update,
idempotent receipt, refusals that leave nothing behind."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
import sqlalchemy as sa

from docmgmt.documents.history import events_of
from docmgmt.exchange import edxml
from docmgmt.exchange import operations as xops
from docmgmt.exchange.errors import (
    BASE64,
    CONFIDENTIAL,
    ENTITY,
    MALFORMED,
    MISSING,
    NAMESPACE,
    EdxmlError,
)
from docmgmt.exchange.models import Correspondent, ExchangeReceipt, OutboxMessage
from docmgmt.extensions import db
from docmgmt.files.store import FileStore
from docmgmt.incoming import operations as incoming_ops
from docmgmt.incoming.models import IncomingDocument
from docmgmt.outgoing import operations as outgoing_ops
from tests.commune import user
from tests.exchange_support import (
    KIM_BOI,
    LAC_SON,
    footprint,
    issue_to,
    org,
    reference,
    staff_lac_son,
)


def outbox(org_id: int, kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.organisation_id == org_id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def incoming_of(organisation_id: int) -> list[IncomingDocument]:
    return list(db.session.scalars(sa.select(IncomingDocument).where(
        IncomingDocument.organisation_id == organisation_id).order_by(IncomingDocument.id)))


def file_bytes(doc, kind: str = "original") -> list[tuple[str, bytes]]:
    store = FileStore.from_app()
    return [(f.stored.original_name, store.path_for(f.stored.sha256).read_bytes())
            for f in doc.files if f.kind == kind]


def receive(organ_id: str, data: bytes) -> xops.ImportResult:
    result = xops.import_message(org(organ_id), data)
    db.session.commit()
    return result


# --- the reference messages ---------------------------------------------------------------

def test_reference_new_document_registers_with_its_fields_and_unzipped_attachment(ctx):
    data = reference("edoc_new.edxml")
    result = receive(KIM_BOI, data)
    assert result.outcome == "registered"
    assert result.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    doc = db.session.get(IncomingDocument, result.incoming_document_id)
    assert doc.channel == "edxml" and doc.status == "registered"
    assert doc.sender_organ_id == "000.00.00.A80"
    assert doc.sender_name == "UBND xã Hòa Tiến - UBND huyện Hòa Vang - Thành phố Đà Nẵng"
    assert doc.number_symbol == "74fass22/VPCP-TTĐT"  # a CodeNumber that is not a number
    assert doc.issue_date == date(2019, 1, 16)
    assert doc.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert doc.signer == "Nguyen Thanh Phuc"
    assert (doc.doc_type, doc.urgency, doc.page_count) == ("cong_van", "thuong", 22)
    assert doc.sender_due_date is None  # 2018/09/28 is before the document's own date
    # The sender zipped its attachment (a .doc name, application/zip): stored unzipped.
    expected = edxml.expand_attachments(edxml.parse_edxml(data).attachments)
    assert file_bytes(doc) == expected
    assert [name for name, _b in file_bytes(doc, "edxml")] and file_bytes(doc, "edxml")[0][1] == data
    assert db.session.scalar(sa.select(Correspondent.name).where(
        Correspondent.organ_id == "000.00.00.A80")) == doc.sender_name
    events = events_of("incoming", doc.id)
    assert [e.action for e in events] == ["registered", "edxml_received", "edxml_signature"]
    # The sample's signature is read (signer CN=user05) and reported honestly: its
    # certificate is cut short, so it cannot be checked.
    assert events[-1].data["state"] == "invalid" and events[-1].data["signer"] == "CN=user05"
    # 01 (arrived) and 03 (registered) go back to the sender, in that order.
    statuses = outbox(doc.organisation_id, "status")
    assert [(m.status_code, m.destination) for m in statuses] == [
        ("01", "000.00.00.A80"), ("03", "000.00.00.A80")]
    back = edxml.parse_edxml(statuses[1].payload)
    assert back.response_for.document_id == result.document_id
    assert back.response_for.code == "74fass22/VPCP-TTĐT" and back.from_.organ_id == KIM_BOI


def test_reference_revocation_marks_the_earlier_document_revoked(ctx):
    first = receive(KIM_BOI, reference("edoc_new.edxml"))
    result = receive(KIM_BOI, reference("edoc_revocation.edxml"))
    # Sent by the issuer its DocumentId names (G22), about what A80 relayed to us.
    assert result.outcome == "revoked" and result.incoming_document_id == first.incoming_document_id
    doc = db.session.get(IncomingDocument, first.incoming_document_id)
    revoked = [e for e in events_of("incoming", doc.id) if e.action == "recalled_by_sender"]
    assert len(revoked) == 1 and "Thu hồi văn bản điện tử" in revoked[0].comment
    assert len(incoming_of(doc.organisation_id)) == 1  # a revocation registers nothing


def test_revocation_from_a_stranger_changes_nothing(ctx):
    first = receive(KIM_BOI, reference("edoc_new.edxml"))
    forged = reference("edoc_revocation.edxml").replace(  # the first OrganId is From's
        b"<edXML:OrganId>000.00.00.G22</edXML:OrganId>", b"<edXML:OrganId>000.00.99.Z99</edXML:OrganId>", 1)
    assert edxml.parse_edxml(forged).from_.organ_id == "000.00.99.Z99"
    assert receive(KIM_BOI, forged).outcome == "unmatched"
    actions = [e.action for e in events_of("incoming", first.incoming_document_id)]
    assert "recalled_by_sender" not in actions


@pytest.mark.parametrize("name, code", [("status_inbox_01.edxml", "01"),
                                        ("status_acceptance_03.edxml", "03"),
                                        ("status_finish_06.edxml", "06")])
def test_reference_statuses_update_the_recipient_of_our_outgoing_document(ctx, name, code):
    """Pretend we are the Government Office (G22) that sent 7816/VPCP-TTĐT to Nghệ An."""
    from docmgmt.documents.registers import Direction, register_for, take_number
    from docmgmt.outgoing.models import OutgoingDocument, Recipient

    us = org(KIM_BOI)
    us.organ_id = "000.00.00.G22"
    register = register_for(us.id, Direction.OUTGOING, 2015, False)
    doc = OutgoingDocument(organisation_id=us.id, doc_type="cong_van", subject="Kết nối liên thông",
                           drafter_id=user("cv.kt1").id, status="issued", register_id=register.id,
                           number=take_number(register), number_symbol="7816/VPCP-TTĐT",
                           issued_on=date(2015, 9, 30))
    doc.recipients.append(Recipient(kind="external", organ_name="UBND Tỉnh Nghệ An",
                                    organ_id="000.00.00.H41", exchange_status="sent"))
    db.session.add(doc)
    db.session.commit()
    result = receive("000.00.00.G22", reference(name))
    assert (result.outcome, result.outgoing_document_id) == ("status", doc.id)
    recipient = doc.recipients[0]
    assert recipient.exchange_status == code and recipient.exchange_updated_at is not None
    [event] = [e for e in events_of("outgoing", doc.id) if e.action == "exchange_status"]
    assert event.data["status_code"] == code and event.comment.startswith("UBND Tỉnh Nghệ An: ")
    assert event.data["at"] == "2015/09/20 11:08:36"
    # The same status again (redelivered): nothing changes.
    assert receive("000.00.00.G22", reference(name)).outcome == "already"
    assert len([e for e in events_of("outgoing", doc.id) if e.action == "exchange_status"]) == 1


# --- our own export -----------------------------------------------------------------------

def test_export_of_an_issued_document_reimports_to_the_same_metadata_and_bytes(ctx):
    staff_lac_son()
    doc = issue_to(due_date=date(2099, 12, 31))
    [row] = outbox(doc.organisation_id, "edoc")  # queued in the issuing transaction
    assert (row.destination, row.recipient_id) == (LAC_SON, doc.recipients[0].id)
    assert row.document_id == f"{KIM_BOI},{edxml.format_date(doc.issued_on)},{doc.number_symbol}"
    msg = edxml.parse_edxml(row.payload)
    assert [t.organ_id for t in msg.to] == [LAC_SON]  # the unit inside Kim Bôi is not on it
    assert msg.from_.organ_id == KIM_BOI and msg.from_.organ_name == "Ủy ban nhân dân xã Kim Bôi"
    assert str(msg.code) == doc.number_symbol and msg.document_type.type_name == "Công văn"
    assert msg.promulgation_info.place and msg.signer_info.full_name == "Bùi Văn Khánh"
    assert msg.signer_info.position == "Chủ tịch" and msg.other_info.priority == 1  # khẩn
    assert msg.other_info.page_amount >= 1 and msg.trace_headers[0].organ_id == KIM_BOI
    assert msg.bussiness.bussiness_doc_type == edxml.BussinessDocType.NEW

    result = receive(LAC_SON, row.payload)
    got = db.session.get(IncomingDocument, result.incoming_document_id)
    assert got.organisation_id == org(LAC_SON).id
    assert (got.sender_organ_id, got.sender_name) == (KIM_BOI, "Ủy ban nhân dân xã Kim Bôi")
    assert (got.number_symbol, got.issue_date, got.subject) == (
        doc.number_symbol, doc.issued_on, doc.subject)
    assert (got.doc_type, got.urgency, got.signer, got.sender_due_date) == (
        "cong_van", "khan", "Bùi Văn Khánh", date(2099, 12, 31))
    [(name, data)] = file_bytes(got)
    issued = FileStore.from_app().path_for(doc.issued_file.sha256).read_bytes()
    assert name == doc.issued_file.original_name
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(issued).hexdigest()


def test_statuses_travel_back_and_show_on_the_outgoing_document(ctx, client):
    people = staff_lac_son()
    doc = issue_to()
    payload = outbox(doc.organisation_id, "edoc")[0].payload
    got = db.session.get(IncomingDocument, receive(LAC_SON, payload).incoming_document_id)
    incoming_ops.direct(people["leader"], got, incoming_ops.Direction_(
        main=incoming_ops.Assignee(user_id=people["handler"].id), text="Giao xử lý"))
    db.session.commit()
    incoming_ops.add_progress(people["handler"], got, "Đang tổng hợp")
    incoming_ops.complete(people["handler"], got, "Đã phối hợp xong")
    db.session.commit()
    statuses = outbox(org(LAC_SON).id, "status")
    assert [m.status_code for m in statuses] == ["01", "03", "04", "05", "06"]
    assert {m.destination for m in statuses} == {KIM_BOI}
    for m in statuses:
        assert receive(KIM_BOI, m.payload).outcome == "status"
    recipient = doc.recipients[0]
    assert recipient.exchange_status == "06"
    trail = xops.status_trail(doc)
    assert [c for c, _at in trail[0]["codes"]] == ["01", "03", "04", "05", "06"]
    # Another change on the document sends no status twice.
    incoming_ops.attach_files(user("vanthu.lacson"), got, [incoming_ops.Upload(
        __import__("tests.files_helpers", fromlist=["make_pdf"]).make_pdf("Bổ sung"), "bo-sung.pdf")])
    db.session.commit()
    assert len(outbox(org(LAC_SON).id, "status")) == 5
    # An old status arriving late does not move the recipient backwards.
    assert receive(KIM_BOI, statuses[0].payload).outcome == "already"
    assert recipient.exchange_status == "06"

    from tests.conftest import login

    assert login(client, "vanthu").status_code == 302
    page = client.get(f"/outgoing/{doc.id}").get_data(as_text=True)
    section = page[page.index('data-testid="exchange"'):]
    assert 'data-code="06"' in section and "Hoàn thành" in section
    assert re.search(r"01 Đã đến .*→ 03 Đã tiếp nhận .*→ 04 Phân công", section)
    api = client.get(f"/api/v1/exchange/outgoing/{doc.id}").get_json()
    assert api == [{"organ_id": LAC_SON, "organ_name": "Ủy ban nhân dân xã Lạc Sơn",
                    "exchange_status": "06", "label": "Hoàn thành",
                    "exchange_updated_at": api[0]["exchange_updated_at"],
                    "codes": ["01", "03", "04", "05", "06"]}]
    overview = client.get("/exchange/")
    assert overview.status_code == 200 and 'data-testid="receipts"' in overview.get_data(as_text=True)


def test_return_to_sender_sends_status_02(ctx):
    people = staff_lac_son()
    doc = issue_to()
    got = db.session.get(IncomingDocument, receive(
        LAC_SON, outbox(doc.organisation_id, "edoc")[0].payload).incoming_document_id)
    incoming_ops.return_to_sender(people["clerk"], got, "Không thuộc thẩm quyền của xã")
    db.session.commit()
    last = outbox(org(LAC_SON).id, "status")[-1]
    assert last.status_code == "02"
    assert "Không thuộc thẩm quyền" in edxml.parse_edxml(last.payload).description
    receive(KIM_BOI, last.payload)
    assert doc.recipients[0].exchange_status == "02"


def test_recall_sends_a_revocation_that_the_recipient_applies(ctx):
    staff_lac_son()
    doc = issue_to()
    first = receive(LAC_SON, outbox(doc.organisation_id, "edoc")[0].payload)
    outgoing_ops.recall(user("chutich"), doc, "Sai số liệu phụ lục")
    db.session.commit()
    revoke = outbox(doc.organisation_id, "edoc")[-1]
    assert revoke.bussiness_doc_type == 1 and revoke.destination == LAC_SON
    result = receive(LAC_SON, revoke.payload)
    assert (result.outcome, result.incoming_document_id) == ("revoked", first.incoming_document_id)
    [event] = [e for e in events_of("incoming", first.incoming_document_id)
               if e.action == "recalled_by_sender"]
    assert "Sai số liệu phụ lục" in event.comment


def test_update_attaches_the_new_files_as_a_new_version(ctx):
    staff_lac_son()
    doc = issue_to()
    payload = outbox(doc.organisation_id, "edoc")[0].payload
    first = receive(LAC_SON, payload)
    msg = edxml.parse_edxml(payload)
    msg.bussiness.bussiness_doc_type = edxml.BussinessDocType.UPDATE
    msg.bussiness.bussiness_doc_reason = "Bổ sung phụ lục"
    from tests.files_helpers import make_pdf

    msg.attachments = [edxml.Attachment("phu-luc.pdf", make_pdf("Phụ lục mới"),
                                        content_type="application/pdf")]
    result = receive(LAC_SON, edxml.build_edoc(msg))
    assert (result.outcome, result.incoming_document_id) == ("updated", first.incoming_document_id)
    got = db.session.get(IncomingDocument, first.incoming_document_id)
    assert [n for n, _d in file_bytes(got)] == [doc.issued_file.original_name, "phu-luc.pdf"]
    [event] = [e for e in events_of("incoming", got.id) if e.action == "edxml_updated"]
    assert event.data["version"] == 2 and "Bổ sung phụ lục" in event.comment


# --- idempotent receipt -----------------------------------------------------------------

def test_a_redelivered_message_changes_nothing(ctx, instance):
    data = reference("edoc_new.edxml")
    receive(KIM_BOI, data)
    before = footprint(instance)
    events = db.session.scalar(sa.text("SELECT count(*) FROM document_event"))
    for _ in range(2):
        assert receive(KIM_BOI, data).outcome == "already"
    assert footprint(instance) == before
    assert db.session.scalar(sa.text("SELECT count(*) FROM document_event")) == events


def test_the_same_document_id_resent_is_not_registered_twice(ctx):
    data = reference("edoc_new.edxml")
    first = receive(KIM_BOI, data)
    resent = data.replace(b"2018/09/28 00:00:00", b"2018/09/29 08:00:00")  # a new TraceHeader
    result = receive(KIM_BOI, resent)
    assert (result.outcome, result.incoming_document_id) == ("duplicate", first.incoming_document_id)
    assert len(incoming_of(org(KIM_BOI).id)) == 1
    assert [r.outcome for r in db.session.scalars(sa.select(ExchangeReceipt))] == [
        "registered", "duplicate"]


# --- refusals -----------------------------------------------------------------------------

def _edoc_text() -> str:
    return reference("edoc_new.edxml").decode()


def _small_edoc() -> str:
    """The reference header with one small attachment, so refusals are cheap to build."""
    text = _edoc_text()
    return re.sub(r"(<edXML:ContentTransferEncoded[^>]*>)[^<]+", r"\1JVBERi0xLjQKJSVFT0YK", text)


MALFORMED_CASES = {
    "truncated": (lambda: _small_edoc()[: len(_small_edoc()) // 2].encode(), MALFORMED),
    "wrong namespace": (lambda: _small_edoc().replace(
        "http://www.mic.gov.vn/TBT/QCVN_102_2016", "urn:not-edxml").encode(), NAMESPACE),
    "missing subject": (lambda: re.sub(r"<edXML:Subject>.*?</edXML:Subject>", "",
                                       _small_edoc()).encode(), MISSING),
    "bad base64": (lambda: re.sub(r"(<edXML:ContentTransferEncoded[^>]*>)[^<]+", r"\1@@not*base64@@",
                                  _small_edoc()).encode(), BASE64),
    "entity expansion bomb": (lambda: (
        '<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        + _small_edoc().split("?>", 1)[1].replace("V/v kết nối", "&c;", 1)).encode(), ENTITY),
    "external entity": (lambda: (
        '<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + _small_edoc().split("?>", 1)[1].replace("V/v kết nối", "&x;", 1)).encode(), ENTITY),
    "confidential": (lambda: _small_edoc().replace(
        "<edXML:Priority>0</edXML:Priority>",
        "<edXML:Priority>0</edXML:Priority><edXML:SecurityLevel>Mật</edXML:SecurityLevel>").encode(),
        CONFIDENTIAL),
}


@pytest.mark.parametrize("case", list(MALFORMED_CASES))
def test_a_refused_message_says_why_and_leaves_nothing_behind(ctx, instance, case):
    build, code = MALFORMED_CASES[case]
    data = build()
    before = footprint(instance)
    with pytest.raises(EdxmlError) as err:
        xops.import_message(org(KIM_BOI), data)
    db.session.rollback()
    assert err.value.code == code
    assert err.value.message_vi  # a sentence a clerk can act on
    assert footprint(instance) == before


def test_the_small_edoc_used_above_is_itself_accepted(ctx):
    assert receive(KIM_BOI, _small_edoc().encode()).outcome == "registered"


# --- the CLI doors ------------------------------------------------------------------------

def test_export_and_import_commands(ctx, app, tmp_path):
    staff_lac_son()
    doc = issue_to()
    runner = app.test_cli_runner()
    out = tmp_path / "cv.edxml"
    result = runner.invoke(args=["export-edxml", str(doc.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert edxml.parse_edxml(out.read_bytes()).identity == outbox(doc.organisation_id)[0].document_id
    result = runner.invoke(args=["import-edxml", str(out), "--org", LAC_SON])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("registered: 000.00.12.H42,")
    again = runner.invoke(args=["import-edxml", str(out), "--org", LAC_SON])
    assert again.exit_code == 0 and again.output.startswith("already:")
    bad = tmp_path / "bad.edxml"
    bad.write_bytes(out.read_bytes()[:500])
    refused = runner.invoke(args=["import-edxml", str(bad), "--org", LAC_SON])
    assert refused.exit_code != 0 and "edxml_malformed" in refused.output
    ambiguous = runner.invoke(args=["import-edxml", str(out)])
    assert ambiguous.exit_code != 0 and "--org" in ambiguous.output


def test_a_hostile_pdf_received_by_edxml_is_set_aside_and_the_rest_registered(ctx):
    """The sandbox that guards uploads guards the exchange too."""
    from tests.files_helpers import make_pdf
    from tests.hostile_pdfs import cyclic_page_tree

    msg = edxml.parse_edxml(reference("edoc_new.edxml"))
    msg.attachments = [
        edxml.Attachment(attachment_name="van-ban.pdf", data=make_pdf("Công văn"),
                         content_id="a1", content_type="application/pdf"),
        edxml.Attachment(attachment_name="doc-hai.pdf", data=cyclic_page_tree(),
                         content_id="a2", content_type="application/pdf"),
    ]
    receive(KIM_BOI, edxml.build_edoc(msg))
    doc = incoming_of(org(KIM_BOI).id)[-1]
    assert [name for name, _data in file_bytes(doc)] == ["van-ban.pdf"]
    assert any("Không lưu: doc-hai.pdf" in e.comment for e in events_of("incoming", doc.id))


def test_a_word_bomb_received_by_edxml_is_set_aside_and_the_rest_registered(ctx):
    """A DOCX whose body inflates to 200 MB is refused by the same sandbox as an upload;
    the Word file that is fine is kept."""
    from tests.files_helpers import make_docx
    from tests.hostile_pdfs import docx_xml_bomb

    msg = edxml.parse_edxml(reference("edoc_new.edxml"))
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    msg.attachments = [
        edxml.Attachment(attachment_name="du-thao.docx", data=make_docx("Công văn"),
                         content_id="a1", content_type=docx_type),
        edxml.Attachment(attachment_name="bom.docx", data=docx_xml_bomb(),
                         content_id="a2", content_type=docx_type),
    ]
    receive(KIM_BOI, edxml.build_edoc(msg))
    doc = incoming_of(org(KIM_BOI).id)[-1]
    assert [name for name, _data in file_bytes(doc)] == ["du-thao.docx"]
    assert any("Không lưu: bom.docx" in e.comment for e in events_of("incoming", doc.id))
