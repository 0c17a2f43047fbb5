"""Incoming documents through the JSON API: the same rules as the pages, with stable codes."""

from __future__ import annotations

import io
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from docmgmt.core.timeutil import vn_today
from docmgmt.documents.registers import Register
from docmgmt.extensions import db
from docmgmt.files.models import Blob, StoredFile
from docmgmt.incoming.models import IncomingDocument, IncomingFile
from docmgmt.org.models import User
from tests.commune import unit_id
from tests.conftest import ApiUser, page_csrf
from tests.files_helpers import make_pdf, make_png

SUBJECT = "V/v triển khai chuyển đổi số và thanh toán không dùng tiền mặt năm 2026"


def ids(app, *usernames) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(sa.select(User.username, User.id)
                                  .where(User.username.in_(usernames)))
        return dict(rows.all())


def metadata(**over) -> dict:
    today = vn_today()
    data = {
        "sender_name": "Sở Khoa học và Công nghệ tỉnh Phú Thọ",
        "number_symbol": "125/SKHCN-CĐS",
        "issue_date": (today - timedelta(days=3)).isoformat(),
        "doc_type": "cong_van",
        "subject": SUBJECT,
        "signer": "Nguyễn Văn Bình",
        "urgency": "khan",
        "arrival_date": today.isoformat(),
        "field": "Chuyển đổi số",
    }
    data.update(over)
    return data


def register_multipart(user: ApiUser, files: list[tuple[bytes, str]], **over):
    form = {k: str(v) for k, v in metadata(**over).items()}
    form["files"] = [(io.BytesIO(content), name) for content, name in files]
    return user.post("/api/v1/incoming", data=form, content_type="multipart/form-data")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def blobs_on_disk(app) -> list[Path]:
    return [p for p in Path(app.config["FILE_STORE_DIR"]).glob("??/??/*") if p.is_file()]


# --- the whole flow, role by role --------------------------------------------------------------

def test_a_document_goes_from_arrival_to_done_through_the_api(app, as_user):
    clerk, leader = as_user("vanthu"), as_user("chutich")
    head, handler = as_user("truongkt"), as_user("cv.kt1")
    people = ids(app, "cv.kt1", "cv.vhxh", "chutich")
    kt = unit_id("KT", app=app)

    # Văn thư: vào sổ with the scan and an annex.
    created = register_multipart(clerk, [(make_pdf(), "Công văn 125.pdf"), (make_png(), "Phụ lục.png")])
    assert created.status_code == 201, created.json
    doc = created.json
    assert doc["arrival_label"] == "01" and doc["status"] == "registered"
    assert doc["subject"] == SUBJECT and doc["urgency"] == "khan"
    assert [f["name"] for f in doc["files"]] == ["Công văn 125.pdf", "Phụ lục.png"]
    assert all(f["url"] == f"/api/v1/files/{f['id']}/content" for f in doc["files"])
    doc_id = doc["id"]

    submitted = clerk.post(f"/api/v1/incoming/{doc_id}/submit",
                           json={"leader_id": people["chutich"], "comment": "Kính trình"})
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "submitted"
    awaiting = leader.get("/api/v1/incoming/awaiting-direction").json
    assert [d["id"] for d in awaiting] == [doc_id]

    # Lãnh đạo: chỉ đạo — Phòng Kinh tế chủ trì, VHXH phối hợp, within 5 working days.
    directed = leader.post(f"/api/v1/incoming/{doc_id}/direct", json={
        "main": f"unit:{kt}", "co": [f"u:{people['cv.vhxh']}"], "deadline_working_days": 5,
        "text": "Giao Phòng Kinh tế chủ trì, tham mưu kế hoạch triển khai."})
    assert directed.status_code == 200, directed.json
    body = directed.json
    assert body["status"] == "assigned" and body["deadline"] and not body["overdue"]
    assert body["main_handler"] == "Phòng Kinh tế"
    assert {(a["role"], a["assignee"]) for a in body["assignments"]} == {
        ("main", f"unit:{kt}"), ("co", f"u:{people['cv.vhxh']}")}
    main = next(a for a in body["assignments"] if a["role"] == "main")

    # Trưởng phòng: hands the unit's part to one of the unit's people.
    assert "delegate" in head.get(f"/api/v1/incoming/{doc_id}").json["actions"]
    delegated = head.post(f"/api/v1/incoming/{doc_id}/assignments/{main['id']}/delegate",
                          json={"user_id": people["cv.kt1"]})
    assert delegated.status_code == 200, delegated.json

    # Chuyên viên: sees it in the queue, reads the scan, reports progress, completes.
    queue = handler.get("/api/v1/incoming/queue").json
    assert [e["document"]["id"] for e in queue["new"]] == [doc_id]
    assert queue["new"][0]["role"] == "main" and queue["new"][0]["days_left"] == 5
    scan = handler.get(doc["files"][0]["url"])
    assert scan.status_code == 200 and scan.data.startswith(b"%PDF")
    progress = handler.post(f"/api/v1/incoming/{doc_id}/progress", content_type="multipart/form-data",
                            data={"text": "Đã dự thảo kế hoạch, đang lấy ý kiến.",
                                  "files": [(io.BytesIO(make_pdf("Dự thảo kế hoạch")), "Dự thảo KH.pdf")]})
    assert progress.status_code == 201, progress.json
    assert progress.json["status"] == "in_progress"
    assert [f["kind"] for f in progress.json["files"]] == ["original", "original", "result"]
    assert progress.json["progress"][0]["text"] == "Đã dự thảo kế hoạch, đang lấy ý kiến."
    done = handler.post(f"/api/v1/incoming/{doc_id}/complete",
                        json={"summary": "Đã ban hành Kế hoạch số 15/KH-UBND."})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done"
    assert done.json["result_summary"] == "Đã ban hành Kế hoạch số 15/KH-UBND."

    history = leader.get(f"/api/v1/incoming/{doc_id}").json["history"]
    assert [e["action"] for e in history] == [
        "registered", "submitted", "directed", "delegated", "progress", "completed"]
    assert history[0]["actor"] == "Đinh Thị Thu" and history[0]["at_display"]
    assert handler.get("/api/v1/incoming/queue").json["open_count"] == 0


def test_a_session_call_registers_with_the_csrf_header(login_as):
    client = login_as("vanthu")
    refused = client.post("/api/v1/incoming", json=metadata())
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "csrf_failed"
    created = client.post("/api/v1/incoming", json=metadata(),
                          headers={"X-CSRFToken": page_csrf(client)})
    assert created.status_code == 201
    assert created.json["files"] == []


def test_text_arrives_in_nfc(app, as_user):
    decomposed = unicodedata.normalize("NFD", "Về việc hỗ trợ người dân đăng ký định danh")
    created = as_user("vanthu").post("/api/v1/incoming", json=metadata(subject=decomposed))
    assert created.status_code == 201
    assert created.json["subject"] == unicodedata.normalize("NFC", decomposed)


# --- refusals with stable codes ----------------------------------------------------------------

def test_staff_cannot_register_an_incoming_document(app, as_user):
    response = as_user("cv.kt1").post("/api/v1/incoming", json=metadata())
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert count(app, IncomingDocument) == 0


def test_a_handler_cannot_see_a_document_not_assigned_to_them_or_their_unit(app, as_user):
    clerk, leader = as_user("vanthu"), as_user("chutich")
    doc = register_multipart(clerk, [(make_pdf(), "scan.pdf")]).json
    leader.post(f"/api/v1/incoming/{doc['id']}/direct",
                json={"main": f"unit:{unit_id('KT', app=app)}", "deadline_working_days": 3})

    outsider = as_user("cv.vhxh")
    for path in (f"/api/v1/incoming/{doc['id']}", doc["files"][0]["url"]):
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"
    assert outsider.get("/api/v1/incoming").json["items"] == []
    refused = outsider.post(f"/api/v1/incoming/{doc['id']}/progress", json={"text": "Xem thử"})
    assert refused.status_code == 404

    colleague = as_user("cv.kt2")  # same unit as the assignment
    assert colleague.get(f"/api/v1/incoming/{doc['id']}").status_code == 200
    assert [d["id"] for d in colleague.get("/api/v1/incoming").json["items"]] == [doc["id"]]


def test_nobody_can_attach_a_file_to_a_confidential_entry(app, as_user):
    clerk = as_user("vanthu")
    entry = clerk.post("/api/v1/incoming", json={
        "sender_name": "Công an tỉnh Phú Thọ", "number_symbol": "12/CAT-PV01",
        "issue_date": vn_today().isoformat(), "doc_type": "cong_van",
        "confidentiality": "mat", "paper_holder": "Đinh Thị Thu (văn thư)"})
    assert entry.status_code == 201, entry.json
    assert entry.json["status"] == "paper" and entry.json["subject"] == ""
    files_before, blobs_before = count(app, StoredFile), len(blobs_on_disk(app))

    for username in ("vanthu", "chutich"):
        response = as_user(username).post(
            f"/api/v1/incoming/{entry.json['id']}/files", content_type="multipart/form-data",
            data={"files": [(io.BytesIO(make_pdf("Tài liệu mật")), "mat.pdf")]})
        assert response.status_code in (403, 422), username
        if username == "vanthu":
            assert response.status_code == 422
            assert response.json["error"]["code"] == "confidential_no_content"
            assert response.json["error"]["field"] == "files"
            assert "Văn bản mật" in response.json["error"]["message"]
    assert count(app, IncomingFile) == 0
    assert count(app, StoredFile) == files_before
    assert len(blobs_on_disk(app)) == blobs_before
    # Staff do not even learn that the entry exists.
    assert as_user("cv.kt1").get(f"/api/v1/incoming/{entry.json['id']}").status_code == 404


def test_a_confidential_registration_with_a_file_stores_nothing(app, as_user):
    clerk = as_user("vanthu")
    response = register_multipart(
        clerk, [(make_pdf("Tài liệu mật"), "mat.pdf")], subject="", signer="", field="",
        confidentiality="toi_mat", paper_holder="Chủ tịch UBND")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "confidential_no_content"
    assert response.json["error"]["field"] == "files"
    assert count(app, IncomingDocument) == count(app, StoredFile) == count(app, Blob) == 0
    assert blobs_on_disk(app) == []
    with app.app_context():  # no number was burnt either: no gap in the series
        assert not db.session.scalar(sa.select(sa.func.max(Register.last_number)))

    with_subject = clerk.post("/api/v1/incoming", json=metadata(confidentiality="mat",
                                                                paper_holder="Văn thư"))
    assert with_subject.status_code == 422
    assert with_subject.json["error"]["code"] == "confidential_no_content"


@pytest.mark.parametrize("field, value, code", [
    ("issue_date", "2026-02-30", "validation_error"),
    ("arrival_date", "ngày mai", "validation_error"),
    ("arrival_date", "+1", "future_date"),
    ("issue_date", "+5", "issue_after_arrival"),
])
def test_impossible_dates_are_refused_with_the_field(app, as_user, field, value, code):
    if value.startswith("+"):
        value = (vn_today() + timedelta(days=int(value[1:]))).isoformat()
    response = as_user("vanthu").post("/api/v1/incoming", json=metadata(**{field: value}))
    assert response.status_code == 422
    assert response.json["error"]["code"] == code
    assert response.json["error"]["field"] == field
    assert count(app, IncomingDocument) == 0


def test_a_file_that_is_not_what_it_claims_is_refused(app, as_user):
    response = register_multipart(as_user("vanthu"), [(b"<html>not a pdf</html>", "scan.pdf")])
    assert response.status_code == 422
    assert response.json["error"]["code"] == "file_type"
    assert count(app, IncomingDocument) == 0 and blobs_on_disk(app) == []


def test_a_suspected_duplicate_needs_confirmation(app, as_user):
    clerk = as_user("vanthu")
    assert clerk.post("/api/v1/incoming", json=metadata()).status_code == 201
    again = clerk.post("/api/v1/incoming", json=metadata())
    assert again.status_code == 409
    assert again.json["error"]["code"] == "duplicate_suspected"
    assert again.json["error"]["field"] == "number_symbol"
    confirmed = clerk.post("/api/v1/incoming", json=metadata(allow_duplicate=True))
    assert confirmed.status_code == 201
    assert confirmed.json["arrival_label"] == "02"


def test_staff_cannot_direct_and_a_leader_cannot_complete_for_the_handler(app, as_user):
    clerk, leader = as_user("vanthu"), as_user("chutich")
    doc_id = clerk.post("/api/v1/incoming", json=metadata()).json["id"]
    staff = as_user("cv.kt1")
    refused = staff.post(f"/api/v1/incoming/{doc_id}/direct",
                         json={"main": f"u:{staff.id}", "deadline_working_days": 2})
    assert refused.status_code == 404  # not assigned: staff cannot even see it
    bad_token = leader.post(f"/api/v1/incoming/{doc_id}/direct", json={"main": "nobody"})
    assert bad_token.status_code == 422
    assert bad_token.json["error"] == {**bad_token.json["error"], "code": "invalid_assignee",
                                       "field": "main"}
    leader.post(f"/api/v1/incoming/{doc_id}/direct", json={"main": f"u:{staff.id}"})
    not_handler = leader.post(f"/api/v1/incoming/{doc_id}/complete", json={"summary": "Xong"})
    assert not_handler.status_code == 403
    assert not_handler.json["error"]["code"] == "not_handler"
    no_summary = staff.post(f"/api/v1/incoming/{doc_id}/complete", json={})
    assert no_summary.status_code == 422 and no_summary.json["error"]["field"] == "summary"


def test_reassign_and_return_to_sender(app, as_user):
    clerk, leader = as_user("vanthu"), as_user("chutich")
    people = ids(app, "cv.kt1", "cv.kt2")
    first = clerk.post("/api/v1/incoming", json=metadata()).json["id"]
    leader.post(f"/api/v1/incoming/{first}/direct", json={"main": f"u:{people['cv.kt1']}"})
    moved = leader.post(f"/api/v1/incoming/{first}/reassign", json={
        "main": f"u:{people['cv.kt2']}", "reason": "Đồng chí Đức đi công tác",
        "deadline": (vn_today() + timedelta(days=10)).isoformat()})
    assert moved.status_code == 200, moved.json
    active = [a for a in moved.json["assignments"] if a["active"]]
    assert [a["assignee_user_id"] for a in active] == [people["cv.kt2"]]
    assert as_user("cv.kt1").get("/api/v1/incoming/queue").json["new"] == []

    second = clerk.post("/api/v1/incoming", json=metadata(number_symbol="7/SKHCN")).json["id"]
    no_reason = clerk.post(f"/api/v1/incoming/{second}/return", json={"reason": "  "})
    assert no_reason.status_code == 422 and no_reason.json["error"]["field"] == "reason"
    returned = clerk.post(f"/api/v1/incoming/{second}/return",
                          json={"reason": "Gửi nhầm, không thuộc thẩm quyền của xã."})
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    again = leader.post(f"/api/v1/incoming/{second}/direct", json={"main": f"u:{people['cv.kt1']}"})
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_state"


def test_the_paper_of_a_confidential_entry_changes_hands(app, as_user):
    clerk = as_user("vanthu")
    entry = clerk.post("/api/v1/incoming", json={
        "sender_name": "Bộ Chỉ huy Quân sự tỉnh", "confidentiality": "mat",
        "paper_holder": "Văn thư"}).json
    moved = clerk.post(f"/api/v1/incoming/{entry['id']}/transfer-paper",
                       json={"holder": "Bùi Văn Khánh (Chủ tịch)", "comment": "Trình trực tiếp"})
    assert moved.status_code == 200
    assert moved.json["paper_holder"] == "Bùi Văn Khánh (Chủ tịch)"
    assert moved.json["history"][-1]["action"] == "paper_transferred"
    normal = clerk.post("/api/v1/incoming", json=metadata()).json
    refused = clerk.post(f"/api/v1/incoming/{normal['id']}/transfer-paper", json={"holder": "X"})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "not_confidential"


def test_the_list_filters_and_pages(app, as_user):
    clerk = as_user("vanthu")
    subjects = ["Về việc tổ chức Tết Trồng cây", "Về việc phòng chống dịch bệnh gia súc",
                "Về việc tổng kết công tác năm"]
    made = [clerk.post("/api/v1/incoming", json=metadata(number_symbol=f"{i}/UBND", subject=s)).json
            for i, s in enumerate(subjects, start=1)]
    clerk.post(f"/api/v1/incoming/{made[0]['id']}/submit", json={})
    first = clerk.get("/api/v1/incoming?per_page=2").json
    assert len(first["items"]) == 2 and first["has_more"] is True
    second = clerk.get("/api/v1/incoming?per_page=2&page=2").json
    assert len(second["items"]) == 1 and second["has_more"] is False
    assert {d["id"] for d in first["items"] + second["items"]} == {d["id"] for d in made}
    found = clerk.get("/api/v1/incoming", query_string={"q": "gia súc"}).json["items"]
    assert [d["id"] for d in found] == [made[1]["id"]]
    submitted = clerk.get("/api/v1/incoming?status=submitted").json["items"]
    assert [d["id"] for d in submitted] == [made[0]["id"]]
    year = vn_today().year
    assert len(clerk.get(f"/api/v1/incoming?year={year}").json["items"]) == 3
    assert clerk.get(f"/api/v1/incoming?year={year - 1}").json["items"] == []
    assert clerk.get("/api/v1/incoming?overdue=true").json["items"] == []
    bad = clerk.get("/api/v1/incoming?status=lost")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "status"


def test_the_register_rows_through_the_api(app, as_user):
    clerk = as_user("vanthu")
    clerk.post("/api/v1/incoming", json=metadata())
    rows = clerk.get(f"/api/v1/incoming/register/{vn_today().year}").json
    assert rows[0]["arrival_number"] == "01"
    assert rows[0]["arrival_date"] == vn_today().strftime("%d/%m/%Y")
    assert rows[0]["type_and_subject"] == f"Công văn\n{SUBJECT}"
    assert as_user("cv.kt1").get(f"/api/v1/incoming/register/{vn_today().year}").status_code == 403


def test_the_openapi_document_describes_the_incoming_api(client):
    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    paths = spec["paths"]
    for path in ("/api/v1/incoming", "/api/v1/incoming/{document_id}",
                 "/api/v1/incoming/{document_id}/files", "/api/v1/incoming/{document_id}/submit",
                 "/api/v1/incoming/{document_id}/direct", "/api/v1/incoming/{document_id}/reassign",
                 "/api/v1/incoming/{document_id}/assignments/{assignment_id}/delegate",
                 "/api/v1/incoming/{document_id}/progress", "/api/v1/incoming/{document_id}/complete",
                 "/api/v1/incoming/{document_id}/return",
                 "/api/v1/incoming/{document_id}/transfer-paper", "/api/v1/incoming/queue",
                 "/api/v1/incoming/awaiting-direction", "/api/v1/incoming/register/{year}.xlsx",
                 "/api/v1/incoming/register/{year}.pdf"):
        assert path in paths, path
    register = paths["/api/v1/incoming"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(register)
