"""End to end: two communes, each with its own database and its own `flask exchange run`
process, talking through the province hub (scripts/province_hub.py) on loopback.

Kim Bôi issues a công văn to Lạc Sơn; Lạc Sơn's register gets it; Lạc Sơn directs and
completes it; Kim Bôi sees 01, 03, 04 and 06 arrive on its outgoing document. With the
hub down during the send, everything arrives exactly once after it returns, and a
redelivered message changes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import sqlalchemy as sa

from docmgmt import create_app
from docmgmt.documents.history import events_of
from docmgmt.exchange.models import ExchangeReceipt, OutboxMessage
from docmgmt.extensions import db
from docmgmt.incoming import operations as incoming_ops
from docmgmt.incoming.models import IncomingDocument
from docmgmt.outgoing.models import OutgoingDocument
from tests.conftest import ROOT, instance_config, login
from tests.exchange_support import KIM_BOI, LAC_SON, Hub, issue_to, org, staff_lac_son, wait_for

TOKENS = {KIM_BOI: "token-kim-boi", LAC_SON: "token-lac-son"}


class Commune:
    """One commune: an instance folder, an app for the test to act with, and its
    exchange process."""

    def __init__(self, folder, organ_id: str, hub: Hub):
        self.folder, self.organ_id, self.hub = folder, organ_id, hub
        self.app = create_app(instance_config(folder))
        self.proc: subprocess.Popen | None = None
        self.extra_env: dict[str, str] = {}

    def start_exchange(self) -> None:
        env = {**os.environ, "XASO_INSTANCE": str(self.folder), "XASO_EXCHANGE_URL": self.hub.url,
               "XASO_EXCHANGE_TOKEN": TOKENS[self.organ_id], "XASO_EXCHANGE_ORGAN_ID": self.organ_id,
               "XASO_EXCHANGE_RETRY_BASE": "0.2", "XASO_EXCHANGE_RETRY_MAX": "1",
               "XASO_EXCHANGE_TIMEOUT": "3", **self.extra_env}
        env.pop("XASO_DATABASE_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "docmgmt", "exchange", "run", "--interval", "0.3"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def stop(self) -> str:
        if self.proc is None:
            return ""
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.proc = None
        return out.decode(errors="replace")

    def read(self, fn):
        """Run ``fn`` against this commune's database, fresh."""
        with self.app.test_request_context():
            try:
                return fn()
            finally:
                db.session.remove()


@pytest.fixture
def province(template_instance, tmp_path):
    folders = {}
    for name in ("kim-boi", "lac-son"):
        folders[name] = tmp_path / name
        shutil.copytree(template_instance, folders[name])
    hub = Hub(tmp_path / "hub.sqlite3", TOKENS)
    a = Commune(folders["kim-boi"], KIM_BOI, hub)
    b = Commune(folders["lac-son"], LAC_SON, hub)
    b.read(staff_lac_son)
    yield a, b, hub
    logs = a.stop() + b.stop()
    hub.stop()
    for commune in (a, b):
        with commune.app.app_context():
            db.engine.dispose()
    if os.environ.get("XASO_EXCHANGE_TEST_LOGS"):
        print(logs)


def trail(a: Commune, doc_id: int):
    def codes():
        doc = db.session.get(OutgoingDocument, doc_id)
        return [e.data["status_code"] for e in events_of("outgoing", doc.id)
                if e.action == "exchange_status"]
    return a.read(codes)


def incoming_at(b: Commune) -> list[tuple[int, str, str]]:
    return b.read(lambda: [(d.id, d.number_symbol, d.status) for d in db.session.scalars(
        sa.select(IncomingDocument).where(IncomingDocument.organisation_id == org(LAC_SON).id))])


def _init_keys_and_ca_pem(organ_id: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from docmgmt.signing.keys import init_keys
    from docmgmt.signing.models import CA, SigningCredential

    init_keys(org(organ_id))
    db.session.commit()
    der = db.session.scalar(sa.select(SigningCredential.certificate).where(
        SigningCredential.organisation_id == org(organ_id).id, SigningCredential.holder == CA))
    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM)


def test_commune_a_issues_to_b_and_sees_its_statuses_01_03_04_06(province):
    a, b, hub = province
    # Signatures on, and required: a package without a valid signature would be refused.
    # Lạc Sơn gets its keys; Kim Bôi trusts Lạc Sơn's CA from a PEM file, as it would the
    # province's (Lạc Sơn's database already holds Kim Bôi's CA: the same deployment).
    roots = a.folder.parent / "roots.pem"
    roots.write_bytes(b.read(lambda: _init_keys_and_ca_pem(LAC_SON)))
    a.extra_env = {"XASO_EXCHANGE_SIGNATURE_POLICY": "refuse", "XASO_EXCHANGE_TRUST_ROOTS": str(roots)}
    b.extra_env = {"XASO_EXCHANGE_SIGNATURE_POLICY": "refuse"}
    hub.start()
    a.start_exchange()
    b.start_exchange()
    doc_id, symbol = a.read(lambda: (lambda d: (d.id, d.number_symbol))(issue_to()))

    [(incoming_id, got_symbol, status)] = wait_for(lambda: incoming_at(b), what="B's register")
    assert (got_symbol, status) == (symbol, "registered")
    wait_for(lambda: trail(a, doc_id) == ["01", "03"], what="01 and 03 at A")

    def handle():
        people = staff_lac_son()
        got = db.session.get(IncomingDocument, incoming_id)
        assert got.channel == "edxml" and got.sender_organ_id == KIM_BOI
        incoming_ops.direct(people["leader"], got, incoming_ops.Direction_(
            main=incoming_ops.Assignee(user_id=people["handler"].id), text="Đồng chí Nga xử lý"))
        db.session.commit()
        incoming_ops.complete(people["handler"], got, "Đã báo cáo số liệu")
        db.session.commit()
    b.read(handle)

    wait_for(lambda: trail(a, doc_id) == ["01", "03", "04", "06"], what="04 and 06 at A")
    latest = a.read(lambda: db.session.get(OutgoingDocument, doc_id).recipients[0].exchange_status)
    assert latest == "06"
    assert len(incoming_at(b)) == 1
    wait_for(lambda: hub.rows("SELECT count(*) FROM message WHERE acked_at IS NULL") == [(0,)],
             what="the hub's queue to empty")
    assert hub.rows("SELECT destination, count(*) FROM message GROUP BY destination ORDER BY 1") == [
        (KIM_BOI, 4), (LAC_SON, 1)]

    with a.app.test_client() as client:
        assert login(client, "vanthu").status_code == 302
        page = client.get(f"/outgoing/{doc_id}").get_data(as_text=True)
    section = page[page.index('data-testid="exchange"'):]
    assert 'data-code="06"' in section and "Ủy ban nhân dân xã Lạc Sơn" in section

    # Every package both ways was signed, and each side found the other's signature valid.
    def signatures():
        sent = [r.signature_algorithm for r in db.session.scalars(sa.select(OutboxMessage))]
        got = [(r.outcome, r.signature_state) for r in db.session.scalars(
            sa.select(ExchangeReceipt).order_by(ExchangeReceipt.id))]
        return sent, got
    sent_a, got_a = a.read(signatures)
    sent_b, got_b = b.read(signatures)
    assert sent_a == ["ecdsa-sha256"] and sent_b == ["ecdsa-sha256"] * 4
    assert got_b == [("registered", "valid")]
    assert got_a == [("status", "valid")] * 4


def test_with_the_hub_down_during_the_send_everything_arrives_exactly_once(province):
    a, b, hub = province
    a.start_exchange()  # the hub is not running
    doc_id = a.read(lambda: issue_to().id)

    def edoc_row():
        return db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "edoc"))
    failed = wait_for(lambda: a.read(lambda: (r := edoc_row()).attempts >= 2 and r), what="retries")
    assert failed.delivered_at is None and "không kết nối được" in failed.last_error
    assert a.read(lambda: db.session.get(OutgoingDocument, doc_id).recipients[0].exchange_status) == "queued"

    hub.start()
    wait_for(lambda: a.read(lambda: edoc_row().delivered_at), what="delivery after the hub returns")
    hub.stop()  # down again while the message waits at the hub for Lạc Sơn
    hub.start()
    assert hub.rows("SELECT count(*) FROM message WHERE destination = ? AND acked_at IS NULL",
                    LAC_SON) == [(1,)]

    b.start_exchange()
    wait_for(lambda: incoming_at(b), what="B's register")
    wait_for(lambda: trail(a, doc_id) == ["01", "03"], what="01 and 03 at A")

    # At-least-once, received once: A sends again as after a crash before it recorded the
    # delivery, and the hub hands B the message again as if B's ack had been lost.
    def forget_delivery():
        edoc_row().delivered_at = None
        db.session.commit()
    a.read(forget_delivery)
    wait_for(lambda: a.read(lambda: edoc_row().delivered_at), what="the second push")
    hub.rows("UPDATE message SET acked_at = NULL WHERE destination = ?", LAC_SON)
    wait_for(lambda: hub.rows("SELECT count(*) FROM message WHERE acked_at IS NULL") == [(0,)],
             what="B to take the redelivery")
    assert b.read(lambda: db.session.scalar(sa.select(ExchangeReceipt.outcome).where(
        ExchangeReceipt.bussiness_doc_type == 0, ExchangeReceipt.status_code == ""))) == "registered"
    assert len(incoming_at(b)) == 1
    assert b.read(lambda: [m.status_code for m in db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id))]) == ["01", "03"]
    assert trail(a, doc_id) == ["01", "03"]
    assert hub.rows("SELECT count(*) FROM message WHERE destination = ?", LAC_SON) == [(1,)]
