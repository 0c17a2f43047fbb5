"""Hostile edXML through the real doors: the pull from the province hub and
``flask import-edxml``. Every generated message — entity bombs, deep nesting, huge
attributes, 100,000 ``To``, 150 attachments, oversized values, broken base64 or zips,
missing parts, the wrong addressee — is refused with its stable code, in bounded time,
and leaves nothing behind: no incoming document, no receipt, no correspondent, no file
record, no blob, no bytes on disk."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from docmgmt import create_app
from docmgmt.exchange.delivery import run_once
from docmgmt.exchange.edxml import (
    VIETNAM_TZ,
    Attachment,
    Code,
    EdocMessage,
    Organisation,
    PromulgationInfo,
    ResponseFor,
    StatusCode,
    StatusMessage,
    build_edoc,
    build_status,
    parse_edxml,
)
from docmgmt.exchange.models import ExchangeReceipt
from docmgmt.exchange.settings import ExchangeSettings
from docmgmt.extensions import db
from tests.conftest import instance_config
from tests.exchange_support import KIM_BOI, LAC_SON, Hub, footprint, reference, staff_lac_son
from tests.files_helpers import make_pdf

SENDER = "000.00.00.G22"
TOKEN = "token-kim-boi"
# A refusal reads a few MB at most; on a loaded CI machine it still takes well under this.
BUDGET_S = 20.0


# --- the messages -------------------------------------------------------------------------

def message(**changes) -> EdocMessage:
    """A plain document for Kim Bôi with one small PDF: the base every case spoils."""
    msg = EdocMessage(
        from_=Organisation(SENDER, "Văn phòng Chính phủ"),
        to=[Organisation(KIM_BOI, "Ủy ban nhân dân xã Kim Bôi")],
        document_id=f"{SENDER},2025/09/30,15/VPCP-TTĐT",
        code=Code("15", "VPCP-TTĐT"),
        promulgation_info=PromulgationInfo(date(2025, 9, 30), place="Hà Nội"),
        subject="V/v kiểm thử gói tin liên thông",
        attachments=[Attachment("cong-van.pdf", make_pdf("Công văn"), content_id="c1",
                                content_type="application/pdf")],
    )
    for name, value in changes.items():
        setattr(msg, name, value)
    return msg


def text(**changes) -> str:
    return build_edoc(message(**changes)).decode()


def _doctype(declaration: str, reference: str) -> bytes:
    body = text().split("?>", 1)[1].replace("V/v kiểm thử", reference, 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{declaration}{body}'.encode()


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return _doctype(f"<!DOCTYPE edXML [{entities}]>\n", "&lol9;")


def inside_header(xml: str) -> bytes:
    """Extra elements at the end of MessageHeader."""
    return text().replace("</edXML:MessageHeader>", xml + "</edXML:MessageHeader>", 1).encode()


def without(element: str) -> bytes:
    stripped, count = re.subn(rf"<edXML:{element}>.*?</edXML:{element}>", "", text(), count=1, flags=re.S)
    assert count == 1, element
    return stripped.encode()


def zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def zip_declaring_less_than_it_holds() -> bytes:
    """A zipped attachment whose directory says 100 bytes for an entry of 200 KB."""
    content = b"%PDF-1.4\n" + b"0123456789" * 20_000
    data = bytearray(zip_of([("van-ban.pdf", content)]))
    real = len(content).to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size
        at = data.find(header)
        assert data[at + offset:at + offset + 4] == real
        data[at + offset:at + offset + 4] = fake
    return build_edoc(message(attachments=[Attachment(
        "van-ban.zip", bytes(data), content_id="z1", content_type="application/zip")]))


def base64_replaced(payload: str) -> bytes:
    return re.sub(r"(<edXML:ContentTransferEncoded[^>]*>)[^<]+", lambda m: m.group(1) + payload,
                  text(), count=1).encode()


def status_for(organ_id: str) -> bytes:
    return build_status(StatusMessage(
        from_=Organisation(SENDER, "Văn phòng Chính phủ"),
        response_for=ResponseFor(organ_id=organ_id, code="15/UBND-VP",
                                 document_id=f"{organ_id},2025/09/30,15/UBND-VP"),
        status_code=StatusCode.ACCEPTED, timestamp=datetime(2025, 10, 1, 8, 0, tzinfo=VIETNAM_TZ)))


def big_attachment() -> bytes:
    """An attachment of 26 MiB (the limit is 25 MiB per file), written as base64 by
    hand: building it through lxml would cost more than refusing it."""
    payload = base64.b64encode(b"%PDF-1.4\n" + b"\0" * (26 * 1024 * 1024)).decode()
    return base64_replaced(payload)


# name → (how to build it, the code it is refused with, the field it names or None)
CASES: dict[str, tuple[Callable[[], bytes], str, str | None]] = {
    "billion laughs": (billion_laughs, "edxml_entity", None),
    "external entity": (lambda: _doctype(
        '<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n', "&x;"), "edxml_entity", None),
    "external DTD": (lambda: _doctype(
        '<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/evil.dtd">\n', "V/v"), "edxml_entity", None),
    "parameter entity": (lambda: _doctype(
        '<!DOCTYPE edXML [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>\n', "V/v"),
        "edxml_entity", None),
    "deep nesting": (lambda: inside_header("<edXML:Deep>" * 5_000 + "</edXML:Deep>" * 5_000),
                     "edxml_too_deep", None),
    "huge attribute": (lambda: text().replace(
        "<edXML:Subject>", f'<edXML:Subject note="{"A" * 2_000_000}">', 1).encode(),
        "edxml_too_long", "MessageHeader/Subject/@note"),
    "many attributes": (lambda: text().replace("<edXML:Subject>", "<edXML:Subject " + " ".join(
        f'a{i}="{i}"' for i in range(200)) + ">", 1).encode(), "edxml_too_many", "MessageHeader/Subject"),
    "100,000 To": (lambda: build_edoc(message(to=[Organisation(KIM_BOI, "UBND xã Kim Bôi")] + [
        Organisation(f"000.00.{i % 100:02d}.X{i}") for i in range(99_999)])),
        "edxml_too_many", "MessageHeader/To"),
    "150 attachments": (lambda: build_edoc(message(attachments=[
        Attachment(f"tep-{i}.pdf", make_pdf(f"Tệp {i}"), content_id=f"c{i}",
                   content_type="application/pdf") for i in range(150)])),
        "edxml_too_many", "edXMLBody/edXMLManifest/Reference"),
    "60 ResponseFor": (lambda: build_edoc(message(response_for=[
        ResponseFor(organ_id=SENDER, code=f"{i}/VPCP", document_id=f"{SENDER},2025/01/01,{i}/VPCP")
        for i in range(60)])), "edxml_too_many", "MessageHeader/ResponseFor"),
    "25,000 elements": (lambda: inside_header("<edXML:Extra/>" * 25_000), "edxml_too_many", None),
    "10,068-character DocumentId": (lambda: build_edoc(message(document_id="X" * 10_068)),
                                    "edxml_too_long", "MessageHeader/DocumentId"),
    "subject over 500 characters": (lambda: build_edoc(message(subject="Trích yếu " * 60)),
                                    "edxml_too_long", "MessageHeader/Subject"),
    "sender name over 200 characters": (lambda: build_edoc(message(
        from_=Organisation(SENDER, "Ủy ban nhân dân " * 20))), "edxml_too_long", "MessageHeader/From/OrganName"),
    "number and notation over 50 characters": (lambda: build_edoc(message(
        code=Code("1" * 30, "V" * 30))), "edxml_too_long", "MessageHeader/Code"),
    "a value nobody keeps, 50,000 characters": (lambda: inside_header(
        f"<edXML:Note>{'x' * 50_000}</edXML:Note>"), "edxml_too_long", "MessageHeader/Note"),
    "invalid base64": (lambda: base64_replaced("@@not*base64@@"), "edxml_base64", None),
    "attachment over 25 MiB": (big_attachment, "edxml_too_large", None),
    "zip declaring less than it holds": (zip_declaring_less_than_it_holds, "edxml_zip", None),
    "zip of 40 files": (lambda: build_edoc(message(attachments=[Attachment(
        "ho-so.zip", zip_of([(f"tep-{i}.pdf", make_pdf(f"Tệp {i}")) for i in range(40)]),
        content_id="z1", content_type="application/zip")])), "edxml_too_many", None),
    "truncated": (lambda: text()[: len(text()) // 2].encode(), "edxml_malformed", None),
    "missing To (addressed to nobody)": (lambda: without("To"), "edxml_missing", "MessageHeader/To"),
    "empty To OrganId": (lambda: text().replace(f"<edXML:OrganId>{KIM_BOI}</edXML:OrganId>",
                                                "<edXML:OrganId> </edXML:OrganId>", 1).encode(),
                         "edxml_missing", "MessageHeader/To/OrganId"),
    "missing From": (lambda: without("From"), "edxml_missing", "MessageHeader/From"),
    "missing Subject": (lambda: without("Subject"), "edxml_missing", "MessageHeader/Subject"),
    "missing CodeNumber": (lambda: without("CodeNumber"), "edxml_missing", "MessageHeader/Code/CodeNumber"),
    "missing PromulgationDate": (lambda: without("PromulgationDate"), "edxml_missing", None),
    "addressed to another commune": (lambda: build_edoc(message(to=[Organisation(LAC_SON, "UBND xã Lạc Sơn")])),
                                     "edxml_not_addressed", "MessageHeader/To/OrganId"),
    "addressed to an unknown agency": (lambda: build_edoc(message(to=[Organisation("000.00.99.Z99")])),
                                       "edxml_not_addressed", "MessageHeader/To/OrganId"),
    "a status about another commune's document": (lambda: status_for(LAC_SON), "edxml_not_addressed",
                                                  "MessageHeader/ResponseFor/OrganId"),
}


# --- one commune and one hub for the whole module -----------------------------------------

@pytest.fixture(scope="module")
def commune(template_instance, tmp_path_factory):
    """Kim Bôi's instance, shared by the cases: each must leave it exactly as it was."""
    folder = tmp_path_factory.mktemp("hostile") / "instance"
    shutil.copytree(template_instance, folder)
    app = create_app(instance_config(folder))
    yield app, folder
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("hub") / "hub.sqlite3", {KIM_BOI: TOKEN}).start()
    yield hub
    hub.stop()


def settings_for(hub: Hub) -> ExchangeSettings:
    return ExchangeSettings(url=hub.url, token=TOKEN, tokens={}, organ_ids=(KIM_BOI,), directory="",
                            clerk="", retry_base=1, retry_max=1, timeout=60, sign=False)


def deliver(hub: Hub, data: bytes) -> int:
    """Put a message in Kim Bôi's queue as a lax hub would relay it (the loopback hub
    itself refuses most of these at the door, as it should: see the last test)."""
    with sqlite3.connect(hub.db_path) as conn:
        return conn.execute(
            "INSERT INTO message (sender, destination, sha256, data) VALUES (?, ?, ?, ?)",
            (SENDER, KIM_BOI, hashlib.sha256(data).hexdigest(), data)).lastrowid


def snapshot(app, folder) -> dict:
    with app.app_context():
        try:
            return footprint(folder)
        finally:
            db.session.remove()


def test_a_plain_message_is_received_through_both_doors(commune, hub, tmp_path):
    """The doors work: the refusals below are the messages' doing."""
    app, folder = commune
    deliver(hub, build_edoc(message(document_id=f"{SENDER},2025/09/30,1/VPCP")))
    with app.app_context():
        report = run_once(settings_for(hub))
        db.session.remove()
    assert (report.received, report.rejected) == (1, 0), str(report)
    path = tmp_path / "plain.edxml"
    path.write_bytes(build_edoc(message(document_id=f"{SENDER},2025/09/30,2/VPCP")))
    result = app.test_cli_runner().invoke(args=["import-edxml", str(path), "--org", KIM_BOI])
    assert result.exit_code == 0 and result.output.startswith("registered:"), result.output


@pytest.mark.parametrize("case", list(CASES))
def test_the_hub_door_refuses_each_hostile_message_and_keeps_nothing(commune, hub, case):
    app, folder = commune
    build, code, field = CASES[case]
    data = build()
    message_id = deliver(hub, data)
    before = snapshot(app, folder)
    started = time.monotonic()
    with app.app_context():
        report = run_once(settings_for(hub))
        db.session.remove()
    assert time.monotonic() - started < BUDGET_S
    assert (report.received, report.rejected) == (0, 1), str(report)
    assert f"REJECTED {message_id}: {code}: " in str(report)
    # Taken off the queue for good, with the reason for the sender's hub.
    [(acked, rejected)] = hub.rows("SELECT acked_at, rejected FROM message WHERE id = ?", message_id)
    assert acked and rejected.startswith(f"{code}: ")
    assert snapshot(app, folder) == before


@pytest.mark.parametrize("case", list(CASES))
def test_the_import_command_refuses_each_hostile_message_and_keeps_nothing(commune, case, tmp_path):
    app, folder = commune
    build, code, field = CASES[case]
    path = tmp_path / "message.edxml"
    path.write_bytes(build())
    before = snapshot(app, folder)
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["import-edxml", str(path), "--org", KIM_BOI])
    assert time.monotonic() - started < BUDGET_S
    assert result.exit_code == 1, result.output
    assert f"Error: {code}" in result.output
    if field:
        assert f"[{field}]" in result.output
    assert snapshot(app, folder) == before


def test_the_import_command_refuses_a_file_over_the_size_limit_without_reading_it(commune, tmp_path):
    app, folder = commune
    path = tmp_path / "huge.edxml"
    with open(path, "wb") as f:
        f.truncate(51 * 1024 * 1024)  # sparse: nothing to read, had it been read
    result = app.test_cli_runner().invoke(args=["import-edxml", str(path), "--org", KIM_BOI])
    assert result.exit_code == 1 and "edxml_too_large" in result.output


def test_the_importer_only_registers_what_is_addressed_to_the_chosen_commune(commune, tmp_path):
    """Two communes share the database: the same file goes to the one it names, with a
    clear refusal (Vietnamese, then English) for the other."""
    app, folder = commune
    path = tmp_path / "lac-son.edxml"
    path.write_bytes(build_edoc(message(to=[Organisation(LAC_SON, "UBND xã Lạc Sơn")],
                                        document_id=f"{SENDER},2025/09/30,3/VPCP")))
    runner = app.test_cli_runner()
    before = snapshot(app, folder)
    refused = runner.invoke(args=["import-edxml", str(path), "--org", KIM_BOI])
    assert refused.exit_code == 1
    assert "Gói tin không gửi cho Ủy ban nhân dân xã Kim Bôi (000.00.12.H42)" in refused.output
    assert f"nơi nhận là {LAC_SON}" in refused.output
    assert "not addressed to this organisation; nothing registered" in refused.output
    assert snapshot(app, folder) == before
    with app.app_context():
        staff_lac_son()  # Lạc Sơn gets a clerk to register it
        receipts = db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeReceipt))
        db.session.remove()
    accepted = runner.invoke(args=["import-edxml", str(path), "--org", LAC_SON])
    assert accepted.exit_code == 0 and accepted.output.startswith("registered:"), accepted.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeReceipt)) == receipts + 1
        db.session.remove()


def test_the_hub_itself_refuses_them_at_its_door(hub):
    """The loopback hub reads messages with the same parser: a sender cannot even queue
    100,000 To or 150 attachments there."""
    import requests

    for case in ("100,000 To", "150 attachments", "10,068-character DocumentId"):
        build, code, _field = CASES[case]
        response = requests.post(f"{hub.url}/messages", data=build(), timeout=60,
                                 headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_the_limits_keep_values_within_the_register_columns():
    """Every value the register keeps is refused above its column, never cut to fit."""
    from docmgmt.core.schemas import max_length
    from docmgmt.exchange import limits
    from docmgmt.exchange.models import Correspondent, OutboxMessage
    from docmgmt.files.models import StoredFile
    from docmgmt.incoming.schemas import IncomingCreateSchema

    lengths = limits.DEFAULT_LIMITS.lengths
    schema = {name: max_length(IncomingCreateSchema, name) for name in (
        "sender_name", "number_symbol", "subject", "signer", "field", "sender_organ_id")}
    assert lengths["OrganName"] <= schema["sender_name"]
    assert lengths["OrganizationInCharge"] <= schema["sender_name"]
    assert limits.DEFAULT_LIMITS.number_symbol_chars <= schema["number_symbol"]
    assert lengths["Subject"] <= schema["subject"]
    assert lengths["FullName"] <= schema["signer"]
    assert lengths["SphereOfPromulgation"] <= schema["field"]
    assert lengths["OrganId"] <= min(schema["sender_organ_id"], Correspondent.organ_id.type.length,
                                     ExchangeReceipt.sender_organ_id.type.length)
    assert lengths["DocumentId"] <= min(ExchangeReceipt.document_id.type.length,
                                        OutboxMessage.document_id.type.length)
    assert lengths["AttachmentName"] <= StoredFile.original_name.type.length
    # The status key "OrganId,,Code" of a received status fits the receipt's column too.
    assert lengths["OrganId"] + 2 + lengths["ResponseFor/Code"] <= ExchangeReceipt.document_id.type.length


def test_the_reference_messages_are_within_the_limits():
    for name in ("edoc_new.edxml", "edoc_revocation.edxml", "status_inbox_01.edxml",
                 "status_acceptance_03.edxml", "status_finish_06.edxml"):
        parse_edxml(reference(name))
