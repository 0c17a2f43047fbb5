"""Signed edXML packages in the application: everything the outbox sends carries the
organisation's signature (documents, revocations, statuses; SHA-1 only for a destination
configured for it), every received package is checked against the trust roots, the
receipt and the document's history say what the check found, and the policy decides
whether a package without a valid signature is registered with a warning or refused
with status 02."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import current_app

from docmgmt.documents.history import events_of
from docmgmt.exchange import edxml, xmlsig
from docmgmt.exchange import operations as xops
from docmgmt.exchange.models import ExchangeReceipt, OutboxMessage
from docmgmt.exchange.signatures import check_incoming
from docmgmt.extensions import db
from docmgmt.incoming.models import IncomingDocument
from docmgmt.outgoing import operations as outgoing_ops
from docmgmt.signing.keys import init_keys
from docmgmt.signing.models import CA, SigningCredential
from tests.commune import user
from tests.conftest import login
from tests.exchange.test_edxml_signature import Commune
from tests.exchange_support import KIM_BOI, LAC_SON, issue_to, org, reference, staff_lac_son
from tests.test_signing_remote import _load_fake


def outbox(org_id: int, kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.organisation_id == org_id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def receive(organ_id: str, data: bytes) -> xops.ImportResult:
    result = xops.import_message(org(organ_id), data)
    db.session.commit()
    return result


def ca_pem(organ_id: str, folder) -> str:
    der = db.session.scalar(sa.select(SigningCredential.certificate).where(
        SigningCredential.organisation_id == org(organ_id).id, SigningCredential.holder == CA))
    path = folder / f"{organ_id}.pem"
    path.write_bytes(x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM))
    return str(path)


def xmlsec1(data: bytes, trusted: str, folder) -> subprocess.CompletedProcess:
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is not installed (scripts/test installs it)")
    path = folder / "package.edxml"
    path.write_bytes(data)
    return subprocess.run(["xmlsec1", "--verify", "--trusted-pem", trusted, str(path)],
                          capture_output=True, text=True, timeout=60)


def tamper_subject(data: bytes) -> bytes:
    match = re.search(rb"<edXML:Subject>(.)", data)
    assert match
    at = match.start(1)
    return data[:at] + (b"X" if data[at:at + 1] != b"X" else b"Y") + data[at + 1:]


@pytest.fixture
def lac_son_keys(ctx):
    staff_lac_son()
    init_keys(org(LAC_SON))
    db.session.commit()


def test_the_document_we_send_is_signed_with_the_organisation_certificate(ctx, client, tmp_path):
    staff_lac_son()
    doc = issue_to()
    [row] = outbox(doc.organisation_id, "edoc")
    assert row.signature_algorithm == "ecdsa-sha256"
    root = x509.load_pem_x509_certificate(Path(ca_pem(KIM_BOI, tmp_path)).read_bytes())
    check = xmlsig.verify_package(row.payload, [root])
    assert check.state == "valid" and "Kim Bôi" in check.signer and KIM_BOI in check.signer
    run = xmlsec1(row.payload, ca_pem(KIM_BOI, tmp_path), tmp_path)
    assert run.returncode == 0, run.stderr

    assert login(client, "vanthu").status_code == 302
    page = client.get(f"/outgoing/{doc.id}").get_data(as_text=True)
    section = page[page.index('data-testid="exchange"'):]
    assert 'data-signature="signed"' in section and "ecdsa-sha256" in section
    overview = client.get("/exchange/").get_data(as_text=True)
    assert 'data-testid="outbox-signature"><span class="text-success" data-signature="signed"' in overview


def test_revocations_and_statuses_are_signed_too(lac_son_keys, tmp_path):
    doc = issue_to()
    got = receive(LAC_SON, outbox(doc.organisation_id, "edoc")[0].payload)
    assert got.outcome == "registered"
    statuses = outbox(org(LAC_SON).id, "status")
    assert [s.status_code for s in statuses] == ["01", "03"]
    assert {s.signature_algorithm for s in statuses} == {"ecdsa-sha256"}
    assert xmlsec1(statuses[0].payload, ca_pem(LAC_SON, tmp_path), tmp_path).returncode == 0
    assert receive(KIM_BOI, statuses[0].payload).outcome == "status"
    receipt = db.session.scalar(sa.select(ExchangeReceipt).where(ExchangeReceipt.status_code == "01"))
    assert receipt.signature_state == "valid" and "Lạc Sơn" in receipt.signature_signer

    outgoing_ops.recall(user("chutich"), doc, "Sai số liệu phụ lục")
    db.session.commit()
    revoke = outbox(doc.organisation_id, "edoc")[-1]
    assert revoke.bussiness_doc_type == 1 and revoke.signature_algorithm == "ecdsa-sha256"
    assert xmlsec1(revoke.payload, ca_pem(KIM_BOI, tmp_path), tmp_path).returncode == 0
    assert receive(LAC_SON, revoke.payload).outcome == "revoked"
    revoked = db.session.scalar(sa.select(ExchangeReceipt).where(ExchangeReceipt.outcome == "revoked"))
    assert revoked.signature_state == "valid"


def test_sha1_only_for_a_destination_configured_for_it(ctx, monkeypatch):
    staff_lac_son()
    monkeypatch.setitem(current_app.config, "EXCHANGE_SIGN_DIGESTS", f"{LAC_SON}=sha1")
    doc = issue_to()
    [row] = outbox(doc.organisation_id, "edoc")
    assert row.signature_algorithm == "ecdsa-sha1"
    assert b"http://www.w3.org/2000/09/xmldsig#sha1" in row.payload
    # SHA-1 is accepted on receipt (the national exchange's samples use it).
    assert receive(LAC_SON, row.payload).outcome == "registered"
    assert db.session.scalar(sa.select(ExchangeReceipt.signature_state)) == "valid"


def test_a_valid_signature_is_recorded_on_the_receipt_and_in_the_history(ctx, client):
    staff_lac_son()
    doc = issue_to()
    result = receive(LAC_SON, outbox(doc.organisation_id, "edoc")[0].payload)
    receipt = db.session.scalar(sa.select(ExchangeReceipt).where(ExchangeReceipt.outcome == "registered"))
    assert (receipt.signature_state, receipt.signature_reason) == ("valid", "")
    assert "Kim Bôi" in receipt.signature_signer
    [event] = [e for e in events_of("incoming", result.incoming_document_id) if e.action == "edxml_signature"]
    assert event.data["state"] == "valid" and event.data["algorithm"] == "ecdsa-sha256"

    assert login(client, "vanthu.lacson", "matkhau-lacson").status_code == 302
    page = client.get(f"/incoming/{result.incoming_document_id}").get_data(as_text=True)
    assert 'data-testid="exchange-signature" data-state="valid"' in page
    assert "Cảnh báo" not in page[page.index('data-testid="exchange-signature"'):][:600]


def test_warn_policy_registers_a_tampered_package_with_a_visible_warning(ctx, client):
    staff_lac_son()
    doc = issue_to()
    tampered = tamper_subject(outbox(doc.organisation_id, "edoc")[0].payload)
    result = receive(LAC_SON, tampered)
    assert result.outcome == "registered"
    receipt = db.session.scalar(sa.select(ExchangeReceipt))
    assert receipt.signature_state == "invalid" and "không khớp" in receipt.signature_reason
    [event] = [e for e in events_of("incoming", result.incoming_document_id) if e.action == "edxml_signature"]
    assert event.data["state"] == "invalid" and "Chữ ký số không hợp lệ" in event.comment

    assert login(client, "vanthu.lacson", "matkhau-lacson").status_code == 302
    page = client.get(f"/incoming/{result.incoming_document_id}").get_data(as_text=True)
    box = page[page.index('data-testid="exchange-signature"'):][:1500]
    assert 'data-state="invalid"' in box and "alert-warning" in page and "Cảnh báo" in box
    overview = client.get("/exchange/").get_data(as_text=True)
    assert 'data-signature="invalid"' in overview


def test_warn_policy_registers_an_unsigned_package_and_says_so(ctx, monkeypatch):
    staff_lac_son()
    monkeypatch.setitem(current_app.config, "EXCHANGE_SIGN", "off")
    doc = issue_to()
    [row] = outbox(doc.organisation_id, "edoc")
    assert row.signature_algorithm == "" and b"Signature" not in row.payload
    assert receive(LAC_SON, row.payload).outcome == "registered"
    assert db.session.scalar(sa.select(ExchangeReceipt.signature_state)) == "unsigned"


@pytest.mark.parametrize("case", ["tampered", "unsigned", "reference sample"])
def test_refuse_policy_answers_02_with_the_reason_and_registers_nothing(lac_son_keys, monkeypatch, case,
                                                                         tmp_path):
    monkeypatch.setitem(current_app.config, "EXCHANGE_SIGNATURE_POLICY", "refuse")
    if case == "reference sample":
        data, organ_id, sender = reference("edoc_new.edxml"), KIM_BOI, "000.00.00.A80"
    else:
        if case == "unsigned":
            monkeypatch.setitem(current_app.config, "EXCHANGE_SIGN", "off")
        doc = issue_to()
        monkeypatch.setitem(current_app.config, "EXCHANGE_SIGN", "on")
        data, organ_id, sender = outbox(doc.organisation_id, "edoc")[0].payload, LAC_SON, KIM_BOI
        if case == "tampered":
            data = tamper_subject(data)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(IncomingDocument))
    result = receive(organ_id, data)
    assert result.outcome == "refused" and result.incoming_document_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)) == before
    receipt = db.session.scalar(sa.select(ExchangeReceipt).where(ExchangeReceipt.outcome == "refused"))
    assert receipt.signature_state == {"tampered": "invalid", "unsigned": "unsigned",
                                       "reference sample": "invalid"}[case]
    [status] = outbox(org(organ_id).id, "status")
    assert (status.status_code, status.destination) == ("02", sender)
    message = edxml.parse_edxml(status.payload)
    assert message.status_code == edxml.StatusCode.REFUSED and "Từ chối tiếp nhận" in message.description
    assert message.response_for.document_id == result.document_id
    assert status.signature_algorithm == "ecdsa-sha256"  # the refusal itself is signed
    assert xmlsec1(status.payload, ca_pem(organ_id, tmp_path), tmp_path).returncode == 0
    # Delivered again: refused once, answered once.
    assert receive(organ_id, data).outcome == "already"
    assert len(outbox(org(organ_id).id, "status")) == 1


def test_refuse_policy_registers_a_valid_package(ctx, monkeypatch):
    staff_lac_son()
    monkeypatch.setitem(current_app.config, "EXCHANGE_SIGNATURE_POLICY", "refuse")
    doc = issue_to()
    assert receive(LAC_SON, outbox(doc.organisation_id, "edoc")[0].payload).outcome == "registered"


def test_a_package_signed_by_a_stranger_is_an_unknown_signer_until_its_ca_is_trusted(ctx, monkeypatch, tmp_path):
    staff_lac_son()
    doc = issue_to()
    payload = outbox(doc.organisation_id, "edoc")[0].payload
    stranger = Commune("UBND tỉnh Khác")
    resigned = xmlsig.sign_package(payload, stranger.key, [stranger.cert, stranger.ca])
    assert check_incoming(resigned).state == "unknown"
    monkeypatch.setitem(current_app.config, "EXCHANGE_TRUST_ROOTS", stranger.ca_pem(tmp_path))
    assert check_incoming(resigned).state == "valid"
    assert check_incoming(tamper_subject(resigned)).state == "invalid"


@pytest.fixture
def remote_provider():
    """The fake remote signing provider (scripts/fake_remote_signer.py) on loopback."""
    server, _state, thread = _load_fake().serve(0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with urllib.request.urlopen(url + "/ca", timeout=5) as answer:
        ca = x509.load_der_x509_certificate(base64.b64decode(json.load(answer)["certificate"]))
    yield url, ca
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_remote_signing_provider_signs_packages_when_configured(ctx, monkeypatch, remote_provider,
                                                                      tmp_path):
    url, provider_ca = remote_provider
    staff_lac_son()
    for key, value in {"SIGNING_REMOTE_URL": url, "SIGNING_REMOTE_POLL_INTERVAL": 0.02,
                       "SIGNING_REMOTE_TIMEOUT": 10.0, "EXCHANGE_SIGN_REMOTE_USER": "ubnd-kim-boi",
                       "EXCHANGE_SIGN_DIGESTS": f"{LAC_SON}=sha1"}.items():
        monkeypatch.setitem(current_app.config, key, value)
    doc = issue_to()
    [row] = outbox(doc.organisation_id, "edoc")
    assert row.signature_algorithm == "ecdsa-sha256"  # the provider signs SHA-256 hashes only
    check = xmlsig.verify_package(row.payload, [provider_ca])
    assert check.state == "valid" and "Kim Bôi" not in check.issuer
    pem = tmp_path / "provider.pem"
    pem.write_bytes(provider_ca.public_bytes(Encoding.PEM))
    assert xmlsec1(row.payload, str(pem), tmp_path).returncode == 0
    # Not under the commune's roots until the provider's CA is trusted.
    assert check_incoming(row.payload).state == "unknown"
    monkeypatch.setitem(current_app.config, "EXCHANGE_TRUST_ROOTS", str(pem))
    assert check_incoming(row.payload).state == "valid"
