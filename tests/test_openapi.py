"""The OpenAPI document describes what the API answers, checked by schemathesis.

schemathesis (4.32, its pytest integration: ``schemathesis.openapi.from_dict`` +
``schema.parametrize()`` + ``case.call_and_validate(app=…)`` through WSGI) reads the
document the API serves, generates requests for every operation — valid ones and, in its
negative mode, invalid ones — and runs all its checks on each answer: no 5xx, the status
and the media type are documented, the body matches the documented schema, a 405 names
the allowed methods (``Allow``), invalid input is refused, authentication is not
ignored, and so on.

Bounded to stay a unit test: ``EXAMPLES`` derandomized examples per operation, each
operation on a fresh copy of the test commune (the ``app`` fixture) — so an operation
that deactivates a user or revokes a token cannot change what the next one meets, and no
operation needs to be left out — authenticated with a personal API token of the demo
administrator. Random ids mostly name nothing, so a second test runs every read
operation, with all the checks, on records that exist (a PDF, an incoming document, a
draft), each as someone who may read it.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from tests.commune import unit_id, user_id
from tests.files_helpers import make_pdf

pytestmark = pytest.mark.slow

EXAMPLES = 3


def _document() -> dict:
    """The OpenAPI document as the API serves it, from an app of its own (it reads no
    database), when the module is collected: schemathesis parametrizes by operation."""
    import tempfile
    from pathlib import Path

    from docmgmt import create_app
    from docmgmt.api import api
    from tests.conftest import instance_config

    app = create_app(instance_config(Path(tempfile.mkdtemp(prefix="xaso-openapi-"))))
    with app.test_request_context():
        return json.loads(app.json.dumps(api.spec.to_dict()))


schema = schemathesis.openapi.from_dict(_document())
# A request the document allows may still be refused by a rule of the trade that a JSON
# schema cannot say (a date in the future, a signer who is no leader, a name already
# taken): a 422 with its stable code, documented on each operation. It is "expected" for
# valid data too; a 400 or a 5xx for valid data still fails.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2xx", "3xx", "401", "403", "404", "409", "422", "429"]


# Schemathesis's WSGI transport offers requests' default "gzip, deflate" but reads the
# body as sent; the answers' compression is tested in tests/test_static_assets.py.
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture
def admin_token(as_user):
    return {**as_user("quantri").headers, **PLAIN}


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
def test_the_api_answers_as_its_openapi_document_says(case, app, admin_token):
    case.operation.schema.app = app  # the checks' own probes (ignored auth…) go there too
    case.call_and_validate(app=app, headers=admin_token)


# --- the read operations on records that exist -----------------------------------------------

def _records(app, as_user) -> dict:
    """A PDF, an incoming document with a scan, a draft: made through the API itself."""
    clerk, drafter = as_user("vanthu"), as_user("cv.kt1")
    stored = clerk.post("/api/v1/files", data={"file": (io.BytesIO(make_pdf("Tờ trình")), "to-trinh.pdf")},
                        content_type="multipart/form-data")
    assert stored.status_code == 201, stored.get_data(as_text=True)[:300]
    from docmgmt.core.timeutil import vn_today

    incoming = clerk.post("/api/v1/incoming", content_type="multipart/form-data", data={
        "sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": "125/SNV-VP",
        "issue_date": vn_today().isoformat(), "subject": "V/v chuyển đổi số cấp xã",
        "files": [(io.BytesIO(make_pdf("Công văn")), "cong-van.pdf")]})
    assert incoming.status_code == 201, incoming.get_data(as_text=True)[:300]
    draft = drafter.post("/api/v1/outgoing", json={
        "doc_type": "cong_van", "subject": "V/v báo cáo chuyển đổi số",
        "signer_id": user_id("chutich", app=app), "recipients": [f"unit:{unit_id('VHXH', app=app)}"],
        "body": ["Kính gửi các đơn vị."]})
    assert draft.status_code == 201, draft.get_data(as_text=True)[:300]
    # A meeting held on paper: ended, so it has its minutes too.
    secretary = as_user("thuky")
    meeting = secretary.post("/api/v1/meetings", json={
        "title": "Họp giao ban UBND xã", "starts_at": f"{vn_today().isoformat()}T08:00:00",
        "location": "Phòng họp tầng 2", "chair_id": user_id("chutich", app=app),
        "secretary_id": secretary.id, "members": [user_id("vanthu", app=app)]})
    assert meeting.status_code == 201, meeting.get_data(as_text=True)[:300]
    held = secretary.post(f"/api/v1/meetings/{meeting.json['id']}/record-on-paper",
                          json={"note": "Họp tại hội trường, đủ thành phần."})
    assert held.status_code == 200, held.get_data(as_text=True)[:300]
    # A row of next week's schedule, drafted by the clerk (who reads it).
    monday = vn_today() + timedelta(days=7 - vn_today().weekday())
    entry = clerk.post(f"/api/v1/schedule/weeks/{monday.isoformat()}/entries",
                       json={"day": monday.isoformat(), "start_time": "08:00", "title": "Chào cờ đầu tuần"})
    assert entry.status_code == 201, entry.get_data(as_text=True)[:300]
    # A written consultation the secretary drafts for the chairman (she reads it and its tally).
    consultation = secretary.post("/api/v1/consultations", json={
        "title": "Về việc phê duyệt danh mục sửa chữa trường học", "chair_id": user_id("chutich", app=app),
        "deadline": f"{(vn_today() + timedelta(days=3)).isoformat()}T17:00:00",
        "questions": ["Thống nhất danh mục công trình?"]})
    assert consultation.status_code == 201, consultation.get_data(as_text=True)[:300]
    records = _records_of_the_archive(app, as_user, incoming.json["id"])
    return {**records, "file_id": stored.json["id"], "incoming": incoming.json["id"], "outgoing": draft.json["id"],
            "consultation_id": consultation.json["id"],
            "user_id": user_id("vanthu", app=app), "unit_id": unit_id("VP", app=app),
            "year": vn_today().year, "meeting_id": meeting.json["id"],
            "monday": monday.isoformat(), "entry_id": entry.json["entry_id"]}


def _records_of_the_archive(app, as_user, incoming_id: int) -> dict:
    """This year's dossier plan, approved; a dossier of the clerk's with the incoming
    document, closed and announced for transfer to the archive."""
    from docmgmt.core.timeutil import vn_today

    clerk, api, year = as_user("vanthu"), "/api/v1/records", vn_today().year
    steps = [clerk.post(f"{api}/plans", json={"year": year, "copy_previous": False})]
    heading = clerk.post(f"{api}/plans/{year}/headings", json={"title": "Văn phòng HĐND và UBND", "code": "VP"})
    dossier = clerk.post(f"{api}/plans/{year}/dossiers", json={
        "heading_id": heading.json["id"], "title": "Hồ sơ chuyển đổi số", "retention_years": 10,
        "responsible_id": clerk.id})
    steps += [heading, dossier, as_user("chutich").post(f"{api}/plans/{year}/approve", json={
        "decision_number": "01/QĐ-UBND", "decision_date": vn_today().isoformat()})]
    dossier_id = dossier.json["id"]
    steps += [clerk.post(f"{api}/dossiers/{dossier_id}/open"),
              clerk.post(f"{api}/dossiers/{dossier_id}/documents", json={"incoming_ids": [incoming_id]}),
              clerk.post(f"{api}/dossiers/{dossier_id}/close")]
    transfers = clerk.post(f"{api}/transfers", json={
        "year": year, "due_date": (vn_today() + timedelta(days=60)).isoformat()})
    for step in [*steps, transfers]:
        assert step.status_code in (200, 201), step.get_data(as_text=True)[:300]
    return {"dossier_id": dossier_id, "transfer_id": transfers.json[0]["id"]}


def _delegation_record(as_user) -> int:
    """The chairman lets a vice-chairman sign for him today (the clerk reads it)."""
    from docmgmt.core.timeutil import vn_today

    chairman, vice = as_user("chutich"), as_user("phochutich.kt")
    today = vn_today().isoformat()
    given = chairman.post("/api/v1/delegations", json={"delegate_id": vice.id, "powers": ["sign"],
                                                       "start_date": today, "end_date": today, "reason": "Đi công tác"})
    assert given.status_code == 201, given.get_data(as_text=True)[:300]
    return given.json["id"]


# Who reads what (the first prefix that matches): the clerk the registers, the incoming
# side and the files, the drafter the draft, the administrator the people and units.
READER = {"/api/v1/consultations": "thuky",
          "/api/v1/outgoing/register": "vanthu", "/api/v1/outgoing": "cv.kt1", "/api/v1/exchange": "cv.kt1",
          "/api/v1/users": "quantri", "/api/v1/units": "quantri"}


def test_every_read_of_a_record_that_exists_answers_as_documented(app, as_user):
    ids = {**_records(app, as_user), "delegation_id": _delegation_record(as_user)}
    schema.app = app
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or "{" not in operation.path:
            continue
        path = operation.path
        kind = "outgoing" if "/outgoing/" in path else "incoming"
        values = {name: ids[kind] if name == "document_id" else ids[name]
                  for name in ("document_id", "file_id", "user_id", "unit_id", "year", "meeting_id",
                             "monday", "entry_id", "delegation_id", "consultation_id", "dossier_id",
                             "transfer_id")
                  if "{" + name + "}" in path}
        case = operation.Case(path_parameters=values)
        reader = next((u for prefix, u in READER.items() if path.startswith(prefix)), "vanthu")
        response = case.call_and_validate(app=app, headers={**as_user(reader).headers, **PLAIN})
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        checked.append(path)
    assert "/api/v1/files/{file_id}/content" in checked and len(checked) >= 12
    assert "/api/v1/meetings/{meeting_id}/minutes" in checked


def test_a_method_an_address_does_not_take_is_a_405_naming_those_it_does(client, as_user, login_as):
    api = as_user("quantri")
    response = api.client.delete("/api/v1/me", headers=api.headers)
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    page = login_as("vanthu").put("/incoming/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_a_part_of_an_upload_that_is_no_field_is_refused_naming_it(as_user):
    clerk = as_user("vanthu")
    response = clerk.post("/api/v1/files", content_type="multipart/form-data", data={
        "file": (io.BytesIO(make_pdf("Tờ trình")), "to-trinh.pdf"), "ghi_chu": "thêm"})
    assert response.status_code == 422
    assert (response.json["error"]["code"], response.json["error"]["field"]) == ("validation_error", "ghi_chu")
    assert "Trường này không có trong yêu cầu." in response.json["error"]["message"]
