"""Transports and delivery: the drop folder end to end in one database, retries with
backoff and order per destination, the worker's job, and the province hub's refusals
and persistence."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa

from docmgmt.core.timeutil import utcnow
from docmgmt.exchange import delivery
from docmgmt.exchange.models import OutboxMessage
from docmgmt.extensions import db
from docmgmt.incoming.models import IncomingDocument
from tests.conftest import free_port
from tests.exchange_support import KIM_BOI, LAC_SON, Hub, issue_to, org, reference, staff_lac_son


def rows(kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def test_drop_folder_carries_a_document_and_its_statuses(ctx, app, tmp_path):
    staff_lac_son()
    app.config.update(EXCHANGE_DIR=str(tmp_path / "{organ_id}"),
                      EXCHANGE_ORGAN_ID=f"{KIM_BOI},{LAC_SON}")
    doc = issue_to()
    report = delivery.run_once()
    assert report.pushed == 1 and rows("edoc")[0].delivered_at is not None
    assert doc.recipients[0].exchange_status == "sent"
    [dropped] = list((tmp_path / KIM_BOI / "out" / LAC_SON).glob("*.edxml"))
    assert not list((tmp_path / KIM_BOI / "out" / LAC_SON).glob(".tmp-*"))
    # The courier carries the file to Lạc Sơn's inbox.
    inbox = tmp_path / LAC_SON / "in"
    inbox.mkdir(parents=True)
    dropped.rename(inbox / dropped.name)
    report = delivery.run_once()
    assert report.received == 1 and report.pushed == 2  # the document in; 01 and 03 out
    assert (inbox / "done" / dropped.name).exists() and not (inbox / dropped.name).exists()
    got = db.session.scalar(sa.select(IncomingDocument).where(
        IncomingDocument.organisation_id == org(LAC_SON).id))
    assert got.channel == "edxml" and got.sender_organ_id == KIM_BOI
    back = tmp_path / KIM_BOI / "in"
    back.mkdir(parents=True)
    for path in (tmp_path / LAC_SON / "out" / KIM_BOI).glob("*.edxml"):
        path.rename(back / path.name)
    assert delivery.run_once().received == 2
    assert doc.recipients[0].exchange_status == "03"


def test_a_refused_file_in_the_drop_folder_is_set_aside_with_its_reason(ctx, app, tmp_path):
    app.config.update(EXCHANGE_DIR=str(tmp_path), EXCHANGE_ORGAN_ID=KIM_BOI)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "broken.edxml").write_bytes(reference("edoc_new.edxml")[:1000])
    report = delivery.run_once()
    assert report.rejected == 1 and "edxml_malformed" in str(report)
    assert "edxml_malformed" in (tmp_path / "in" / "rejected" / "broken.edxml.error.txt").read_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)) == 0


def test_an_unreachable_hub_is_retried_with_backoff_keeping_the_order(ctx, app):
    staff_lac_son()
    app.config.update(EXCHANGE_URL=f"http://127.0.0.1:{free_port()}", EXCHANGE_TOKEN="t",
                      EXCHANGE_ORGAN_ID=KIM_BOI, EXCHANGE_RETRY_BASE=60, EXCHANGE_TIMEOUT=2)
    doc = issue_to()
    issue_to(subject="Văn bản thứ hai cho cùng nơi nhận")
    report = delivery.run_once()
    first, second = rows("edoc")
    assert report.failed == 1 and first.attempts == 1 and "không kết nối được" in first.last_error
    assert second.attempts == 0  # waits behind the first: same destination, same order
    assert timedelta(seconds=55) < first.next_attempt_at - utcnow() <= timedelta(seconds=60)
    assert delivery.run_once().failed == 0 and first.attempts == 1  # not due yet
    for attempt in range(2, 6):
        first.next_attempt_at = utcnow()
        db.session.commit()
        delivery.run_once()
        assert first.attempts == attempt
    assert first.next_attempt_at - utcnow() > timedelta(seconds=60 * 2 ** 3 - 10)  # doubled
    assert doc.recipients[0].exchange_status == "failed" and first.delivered_at is None


def test_the_worker_runs_the_exchange_job(ctx, app, tmp_path):
    staff_lac_son()
    app.config.update(EXCHANGE_DIR=str(tmp_path), EXCHANGE_ORGAN_ID=KIM_BOI)
    issue_to()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "[exchange] 1 sent" in result.output
    assert len(list((tmp_path / "out" / LAC_SON).glob("*.edxml"))) == 1


# --- the province hub ---------------------------------------------------------------------

def _call(hub: Hub, method: str, path: str, token: str | None, body: bytes | None = None):
    request = urllib.request.Request(hub.url + path, data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture
def hub(tmp_path):
    hub = Hub(tmp_path / "hub.sqlite3", {"000.00.00.A80": "tok-a80", "28.22.H17": "tok-h17"}).start()
    yield hub
    hub.stop()


def test_hub_routes_by_organ_id_and_refuses_what_it_must(hub):
    good = reference("edoc_new.edxml")  # From 000.00.00.A80, To 28.22.H17
    assert _call(hub, "POST", "/messages", None, good)[0] == 401
    assert _call(hub, "POST", "/messages", "tok-h17", good)[0] == 403  # not its From
    status, body = _call(hub, "POST", "/messages", "tok-a80", good[:5000])
    assert status == 400 and body["error"]["code"] == "edxml_malformed"
    bomb = (b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            + good.split(b"?>", 1)[1])
    status, body = _call(hub, "POST", "/messages", "tok-a80", bomb)
    assert status == 400 and body["error"]["code"] == "edxml_entity" and body["error"]["message"]
    assert hub.rows("SELECT count(*) FROM message") == [(0,)]
    status, body = _call(hub, "POST", "/messages", "tok-a80", good)
    assert status == 201 and body["queued"] == 1
    assert _call(hub, "POST", "/messages", "tok-a80", good)[1]["queued"] == 0  # once
    assert _call(hub, "GET", "/messages?organ_id=28.22.H17", "tok-a80")[0] == 403
    hub.stop()
    hub.start()  # a restart loses nothing
    status, body = _call(hub, "GET", "/messages?organ_id=28.22.H17", "tok-h17")
    [message] = body["messages"]
    assert message["from"] == "000.00.00.A80"
    import base64

    assert base64.b64decode(message["data"]) == good
    assert _call(hub, "POST", f"/messages/{message['id']}/ack", "tok-a80", b"{}")[0] == 404
    assert _call(hub, "POST", f"/messages/{message['id']}/ack", "tok-h17", b"{}")[0] == 200
    assert _call(hub, "GET", "/messages?organ_id=28.22.H17", "tok-h17")[1] == {"messages": []}


def test_hub_refuses_a_message_for_nobody_it_knows(hub):
    status, body = _call(hub, "POST", "/messages", "tok-a80", reference(
        "edoc_new.edxml").replace(b"28.22.H17", b"99.99.Z99"))
    assert status == 422 and body["error"]["code"] == "unknown_recipient"
