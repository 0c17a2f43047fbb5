"""Outgoing documents through the JSON API, each role with its own token: the same rules
as the pages, with stable error codes; signature reports of a document and of any PDF."""

from __future__ import annotations

import io

from openapi_spec_validator import validate

from docmgmt.core.timeutil import vn_today
from tests.commune import unit_id, user_id
from tests.conftest import ApiUser
from tests.files_helpers import make_pdf

SUBJECT = "Về việc đăng ký nhu cầu đào tạo kỹ năng số cho cán bộ, công chức xã"


def create_upload(app, user: ApiUser, pdf: bytes | None = None, **over):
    form = {
        "doc_type": "cong_van", "subject": SUBJECT, "urgency": "khan",
        "signer_id": str(user_id("chutich", app=app)),
        "recipients": [f"unit:{unit_id('VHXH', app=app)}"],
        "external": ["Sở Nội vụ tỉnh Phú Thọ|000.00.31.H42"],
        **over,
    }
    form["file"] = (io.BytesIO(pdf or make_pdf("Công văn đào tạo kỹ năng số")), "du-thao.pdf")
    return user.post("/api/v1/outgoing", data=form, content_type="multipart/form-data")


def full_name(app, username: str) -> str:
    from tests.commune import user

    with app.app_context():
        return user(username).full_name


def error_of(response) -> tuple[int, str, str | None]:
    body = response.json["error"]
    return response.status_code, body["code"], body["field"]


def test_a_draft_goes_from_drafter_to_issuance_through_the_api(app, as_user):
    drafter, head, leader, clerk = (as_user(u) for u in ("cv.kt1", "truongkt", "chutich", "vanthu"))

    created = create_upload(app, drafter)
    assert created.status_code == 201, created.json
    doc = created.json
    doc_id = doc["id"]
    assert doc["status"] == "draft" and doc["subject"] == SUBJECT and doc["urgency"] == "khan"
    assert doc["actions"] == ["new_version", "submit"]
    assert [(r["kind"], r["label"], r["organ_id"]) for r in doc["recipients"]] == [
        ("unit", "Phòng Văn hóa - Xã hội", ""), ("external", "Sở Nội vụ tỉnh Phú Thọ", "000.00.31.H42")]
    version = doc["versions"][0]
    pdf_id = version["pdf_file"]["id"]
    assert version["number"] == 1 and version["pdf_file"]["url"] == f"/api/v1/files/{pdf_id}/content"
    assert drafter.get(version["pdf_file"]["url"]).data.startswith(b"%PDF")
    assert [e["action"] for e in doc["history"]] == ["drafted"]
    assert doc["history"][0]["action_label"] == "Tạo dự thảo"

    assert drafter.post(f"/api/v1/outgoing/{doc_id}/submit", json={}).status_code == 200
    assert [d["id"] for d in head.get("/api/v1/outgoing/queues/review").json] == [doc_id]
    assert leader.get("/api/v1/outgoing/queues/review").json == []
    # A return needs a comment; then the drafter revises and resubmits.
    assert error_of(head.post(f"/api/v1/outgoing/{doc_id}/return", json={})) == (422, "required", "comment")
    returned = head.post(f"/api/v1/outgoing/{doc_id}/return", json={"comment": "Bổ sung danh sách"})
    assert returned.json["status"] == "returned" and returned.json["actions"] == []
    new = drafter.post(f"/api/v1/outgoing/{doc_id}/versions", data={
        "file": (io.BytesIO(make_pdf("Bản 2")), "du-thao-2.pdf"), "note": "Đã bổ sung"},
        content_type="multipart/form-data")
    assert new.status_code == 201, new.json
    assert [v["number"] for v in new.json["versions"]] == [1, 2]
    assert new.json["versions"][1]["note"] == "Đã bổ sung"
    assert drafter.post(f"/api/v1/outgoing/{doc_id}/submit", json={"comment": "Trình lại"}).status_code == 200
    assert head.post(f"/api/v1/outgoing/{doc_id}/approve", json={"comment": "Đồng ý"}).status_code == 200
    approved = leader.post(f"/api/v1/outgoing/{doc_id}/approve", json={"comment": "Ban hành"})
    assert approved.json["status"] == "approved" and "sign" in approved.json["actions"]
    assert [(s["round"], s["kind"], s["decision"]) for s in approved.json["steps"]] == [
        (1, "head_of_unit", "returned"), (2, "head_of_unit", "approved"), (2, "leader", "approved")]
    assert [d["id"] for d in leader.get("/api/v1/outgoing/queues/sign").json] == [doc_id]
    assert drafter.get(f"/api/v1/outgoing/{doc_id}/signatures").json["signatures"] == []

    signed = leader.post(f"/api/v1/outgoing/{doc_id}/sign")
    assert signed.status_code == 200, signed.json
    assert signed.json["status"] == "signed" and signed.json["signed_file"]["url"].endswith("/content")
    assert [d["id"] for d in clerk.get("/api/v1/outgoing/queues/issue").json] == [doc_id]
    issued = clerk.post(f"/api/v1/outgoing/{doc_id}/issue", json={})
    assert issued.status_code == 200, issued.json
    body = issued.json
    assert body["status"] == "issued" and body["number"] == 1 and body["number_symbol"] == "01/UBND-KT"
    assert body["issued_on"] == vn_today().isoformat()
    assert body["issued_file"]["name"] == "01-UBND-KT.pdf"
    unit, outside = body["recipients"]
    assert unit["incoming_document_id"] and outside["exchange_status"] == "queued"
    assert [e["action"] for e in body["history"]] == [
        "drafted", "submitted", "returned", "new_version", "submitted", "approved", "approved",
        "signed", "issued"]

    report = drafter.get(f"/api/v1/outgoing/{doc_id}/signatures").json
    assert report["file"]["id"] == body["issued_file"]["id"] and report["all_valid"] is True
    sigs = report["signatures"]
    assert len(sigs) == 2 and all(s["valid"] and s["intact"] and s["trusted"] for s in sigs)
    assert sigs[0]["signer_name"] and sigs[0]["issuer"] and sigs[0]["serial"]
    assert sigs[0]["signing_time"].endswith("+07:00")
    assert sigs[0]["modified_after_signing"] is True  # the number filled in afterwards …
    assert sigs[0]["modified_not_allowed"] is False  # … as the certification allows

    rows = clerk.get(f"/api/v1/outgoing/register/{vn_today().year}").json
    assert rows == [{
        "number_symbol": "01/UBND-KT", "issued_on": vn_today().strftime("%d/%m/%Y"),
        "type_and_subject": f"Công văn\n{SUBJECT}", "signer": full_name(app, "chutich"),
        "recipients": "Phòng Văn hóa - Xã hội; Sở Nội vụ tỉnh Phú Thọ", "retained_by": "Văn thư",
        "copies": "1", "transferred_on": vn_today().strftime("%d/%m/%Y"), "received_signature": "",
        "note": "Khẩn"}]

    recalled = leader.post(f"/api/v1/outgoing/{doc_id}/recall", json={"reason": "Sai danh sách"})
    assert recalled.json["status"] == "recalled" and recalled.json["recall_reason"] == "Sai danh sách"


def test_stable_error_codes(app, as_user, monkeypatch, tmp_path):
    drafter, clerk = as_user("cv.kt1"), as_user("vanthu")
    leader_id = user_id("chutich", app=app)

    assert error_of(drafter.post("/api/v1/outgoing", json={"subject": ""}))[:2] == (422, "required")
    assert error_of(drafter.post("/api/v1/outgoing", json={"subject": SUBJECT, "doc_type": "x"}))[:2] == (
        422, "validation_error")
    staff_id = user_id("cv.kt2", app=app)
    assert error_of(drafter.post("/api/v1/outgoing", json={"subject": SUBJECT, "signer_id": staff_id})) == (
        422, "invalid_signer", "signer_id")
    assert error_of(drafter.post("/api/v1/outgoing", json={
        "subject": SUBJECT, "recipients": ["unit:99999"]})) == (422, "invalid_recipient", "recipients")

    doc_id = create_upload(app, drafter).json["id"]
    assert error_of(clerk.post(f"/api/v1/outgoing/{doc_id}/issue", json={})) == (409, "invalid_state", None)
    assert error_of(drafter.post(f"/api/v1/outgoing/{doc_id}/issue", json={})) == (403, "forbidden", None)
    assert error_of(as_user("cv.vhxh").get(f"/api/v1/outgoing/{doc_id}")) == (404, "not_found", None)
    assert error_of(clerk.post(f"/api/v1/outgoing/{doc_id}/submit", json={})) == (403, "forbidden", None)

    # Without LibreOffice a template draft has no PDF: submission asks for one.
    monkeypatch.setenv("PATH", str(tmp_path))
    templated = drafter.post("/api/v1/outgoing", json={
        "subject": SUBJECT, "signer_id": leader_id, "body": ["Đoạn một.", "Đoạn hai."],
        "external": [{"organ_name": "Sở Nội vụ tỉnh Phú Thọ", "organ_id": "000.00.31.H42"}]})
    assert templated.status_code == 201, templated.json
    version = templated.json["versions"][0]
    assert version["source_file"]["name"].endswith(".docx") and version["pdf_file"] is None
    assert error_of(drafter.post(f"/api/v1/outgoing/{templated.json['id']}/submit", json={})) == (
        422, "pdf_required", "file")

    # The signing library refuses (here: no signing keys for this commune): 502, in Vietnamese.
    from docmgmt.signing import signer
    from docmgmt.signing.errors import SigningError

    def no_keys(*args, **kwargs):
        raise SigningError("keys_missing")

    monkeypatch.setattr(signer, "sign_as_leader", no_keys)
    for user, path in (("cv.kt1", "submit"), ("truongkt", "approve"), ("chutich", "approve")):
        assert as_user(user).post(f"/api/v1/outgoing/{doc_id}/{path}", json={}).status_code == 200
    failed = as_user("chutich").post(f"/api/v1/outgoing/{doc_id}/sign")
    assert failed.status_code == 502
    assert failed.json["error"]["code"] == "keys_missing"
    assert failed.json["error"]["message"].startswith("Ký số không thành công")
    assert drafter.get(f"/api/v1/outgoing/{doc_id}").json["status"] == "approved"

    assert error_of(as_user("cv.kt2").get(f"/api/v1/outgoing/register/{vn_today().year}")) == (
        403, "forbidden", None)
    assert error_of(app.test_client().get("/api/v1/outgoing"))[:2] == (401, "unauthenticated")


def test_any_pdf_can_be_verified_by_upload(app, as_user):
    from docmgmt.extensions import db
    from docmgmt.files.store import FileStore
    from docmgmt.outgoing.models import OutgoingDocument

    drafter, clerk = as_user("cv.kt1"), as_user("vanthu")
    doc_id = create_upload(app, drafter).json["id"]
    drafter.post(f"/api/v1/outgoing/{doc_id}/submit", json={})
    as_user("truongkt").post(f"/api/v1/outgoing/{doc_id}/approve", json={})
    as_user("chutich").post(f"/api/v1/outgoing/{doc_id}/approve", json={})
    assert as_user("chutich").post(f"/api/v1/outgoing/{doc_id}/sign").status_code == 200
    assert clerk.post(f"/api/v1/outgoing/{doc_id}/issue", json={}).status_code == 200
    with app.app_context():
        doc = db.session.get(OutgoingDocument, doc_id)
        pdf = FileStore.from_app().path_for(doc.issued_file.sha256).read_bytes()

    someone = as_user("cv.vhxh")

    def verify(content: bytes, name: str = "cong-van.pdf"):
        return someone.post("/api/v1/signatures/verify", data={"file": (io.BytesIO(content), name)},
                            content_type="multipart/form-data")

    good = verify(pdf)
    assert good.status_code == 200 and good.json["all_valid"] is True
    assert good.json["name"] == "cong-van.pdf" and len(good.json["signatures"]) == 2
    tampered = bytearray(pdf)
    tampered[pdf.index(b"\n%", 0, 64) + 2] ^= 0x01
    bad = verify(bytes(tampered)).json
    assert bad["all_valid"] is False
    assert all(not s["valid"] and not s["intact"] for s in bad["signatures"])
    assert "thay đổi" in bad["signatures"][0]["summary_vi"]
    unsigned = verify(make_pdf()).json
    assert unsigned["signatures"] == [] and unsigned["all_valid"] is False
    assert error_of(verify(b"not a pdf at all"))[:2] == (422, "not_a_pdf")
    assert error_of(someone.post("/api/v1/signatures/verify", data={},
                                 content_type="multipart/form-data"))[:2] == (422, "validation_error")
    assert app.test_client().post("/api/v1/signatures/verify").status_code == 401


def test_the_register_exports_and_the_openapi_document(app, client, as_user):
    year = vn_today().year
    clerk = as_user("vanthu")
    xlsx = clerk.get(f"/api/v1/outgoing/register/{year}.xlsx")
    assert xlsx.status_code == 200 and f"So-di-{year}.xlsx" in xlsx.headers["Content-Disposition"]
    pdf = clerk.get(f"/api/v1/outgoing/register/{year}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    for path in ("/api/v1/outgoing", "/api/v1/outgoing/{document_id}",
                 "/api/v1/outgoing/{document_id}/versions", "/api/v1/outgoing/{document_id}/submit",
                 "/api/v1/outgoing/{document_id}/approve", "/api/v1/outgoing/{document_id}/return",
                 "/api/v1/outgoing/{document_id}/sign", "/api/v1/outgoing/{document_id}/issue",
                 "/api/v1/outgoing/{document_id}/recall", "/api/v1/outgoing/{document_id}/signatures",
                 "/api/v1/outgoing/queues/review", "/api/v1/outgoing/queues/sign",
                 "/api/v1/outgoing/queues/issue", "/api/v1/outgoing/drafts",
                 "/api/v1/outgoing/register/{year}", "/api/v1/outgoing/register/{year}.xlsx",
                 "/api/v1/outgoing/register/{year}.pdf", "/api/v1/signatures/verify"):
        assert path in spec["paths"], path
    create = spec["paths"]["/api/v1/outgoing"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(create)
