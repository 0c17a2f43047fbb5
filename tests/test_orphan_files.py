"""Uploads that nothing uses: kept a while, then removed — record, audit entry and bytes —
and never more than a few per person at a time."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from docmgmt.audit.models import AuditEntry
from docmgmt.core.timeutil import utcnow, vn_today
from docmgmt.extensions import db
from docmgmt.files import operations as files_ops
from docmgmt.files.models import Blob, StoredFile
from docmgmt.files.store import FileStore, store_file
from tests.files_helpers import make_pdf


def upload(user, data: bytes, name: str = "tệp.pdf"):
    return user.post("/api/v1/files", data={"file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def register_with(user, data: bytes):
    """An incoming document registered through the API with this file attached."""
    today = vn_today()
    form = {"sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": "12/SNV-VP",
            "issue_date": (today - timedelta(days=2)).isoformat(), "doc_type": "cong_van",
            "subject": "V/v rà soát hồ sơ lưu trữ", "arrival_date": today.isoformat(),
            "files": [(io.BytesIO(data), "cong-van.pdf")]}
    response = user.post("/api/v1/incoming", data=form, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json


def age(app, file_id: int, hours: float) -> None:
    with app.app_context():
        db.session.execute(sa.update(StoredFile).where(StoredFile.id == file_id)
                           .values(created_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()


def on_disk(app, sha: str) -> bool:
    with app.app_context():
        return FileStore.from_app().path_for(sha).exists()


def records(app, model=StoredFile) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def prune(app) -> str:
    result = app.test_cli_runner().invoke(args=["files", "prune"])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_unattached_upload_older_than_the_grace_period_is_pruned_with_an_audit_entry(app, as_user):
    clerk = as_user("vanthu")
    uploaded = upload(clerk, make_pdf("Tệp bỏ quên"), "bỏ quên.pdf").json
    age(app, uploaded["id"], 25)
    assert prune(app).startswith("1 unattached file(s) removed")
    assert clerk.get(f"/api/v1/files/{uploaded['id']}").status_code == 404
    assert not on_disk(app, uploaded["sha256"])
    with app.app_context():
        assert db.session.get(Blob, uploaded["sha256"]) is None
        entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "files.pruned")).one()
        assert entry.actor_id is None and "1 tệp" in entry.summary
        [pruned] = entry.data["files"]
        assert (pruned["id"], pruned["name"], pruned["uploaded_by"]) == (
            uploaded["id"], "bỏ quên.pdf", clerk.id)
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_an_attached_file_and_a_recent_upload_are_kept(app, as_user):
    clerk = as_user("vanthu")
    document = register_with(clerk, make_pdf("Công văn đến"))
    attached = document["files"][0]
    recent = upload(clerk, make_pdf("Vừa tải lên")).json
    age(app, attached["id"], 24 * 30)
    age(app, recent["id"], 23)
    before = records(app)
    assert prune(app).startswith("0 unattached file(s) removed")
    assert records(app) == before
    assert clerk.get(f"/api/v1/files/{attached['id']}/content").status_code == 200
    assert clerk.get(f"/api/v1/files/{recent['id']}/content").status_code == 200
    # The grace period is the operator's: with 12 hours, the recent one goes.
    app.config["FILES_UNATTACHED_GRACE_HOURS"] = 12
    assert prune(app).startswith("1 unattached file(s) removed")
    assert clerk.get(f"/api/v1/files/{recent['id']}").status_code == 404
    assert clerk.get(f"/api/v1/files/{attached['id']}/content").status_code == 200


def test_the_bytes_of_a_pruned_file_stay_while_another_record_uses_them(app, as_user):
    clerk = as_user("vanthu")
    scan = make_pdf("Bản quét dùng chung")
    forgotten = upload(clerk, scan, "bản nháp.pdf").json
    document = register_with(clerk, scan)  # the same content, attached
    assert clerk.get(f"/api/v1/files/{document['files'][0]['id']}").json["sha256"] == forgotten["sha256"]
    age(app, forgotten["id"], 48)
    assert prune(app).startswith("1 unattached file(s) removed (0.0 MB), 0 content(s)")
    assert on_disk(app, forgotten["sha256"])
    assert clerk.get(f"/api/v1/files/{document['files'][0]['id']}/content").data == scan
    # Two forgotten uploads of one content: the bytes go with the last record.
    other = make_pdf("Hai lần bỏ quên")
    twice = [upload(clerk, other).json for _ in range(2)]
    for item in twice:
        age(app, item["id"], 48)
    assert prune(app).startswith("2 unattached file(s) removed (0.0 MB), 1 content(s)")
    assert not on_disk(app, twice[0]["sha256"])
    with app.app_context():
        from docmgmt.files.store import orphans_and_missing

        assert orphans_and_missing() == ([], [])


def test_the_worker_prunes_too(app, as_user):
    clerk = as_user("vanthu")
    uploaded = upload(clerk, make_pdf("Để worker dọn")).json
    age(app, uploaded["id"], 30)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert "[files-prune] 1 unattached file(s) removed" in result.output
    assert clerk.get(f"/api/v1/files/{uploaded['id']}").status_code == 404


def test_the_quota_of_unattached_uploads_refuses_with_its_code(app, as_user):
    app.config["FILES_PENDING_MAX"] = 2
    clerk, other = as_user("vanthu"), as_user("cv.kt1")
    first, second = (upload(clerk, make_pdf(f"Tệp {i}")) for i in range(2))
    assert first.status_code == second.status_code == 201
    before = (records(app), records(app, Blob), sorted(Path(app.config["FILE_STORE_DIR"]).glob("??/??/*")))
    refused = upload(clerk, make_pdf("Tệp thứ ba"))
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "upload_quota"
    assert refused.json["error"]["field"] == "file"
    assert "tối đa 2 tệp" in refused.json["error"]["message"]
    assert (records(app), records(app, Blob),
            sorted(Path(app.config["FILE_STORE_DIR"]).glob("??/??/*"))) == before
    # It is per person, and attached files do not count.
    assert upload(other, make_pdf("Của người khác")).status_code == 201
    register_with(clerk, make_pdf("Công văn có tệp"))
    # Space, too: a file that would pass the MB allowance is refused and leaves nothing.
    app.config["FILES_PENDING_MAX"] = 100
    app.config["FILES_PENDING_MAX_MB"] = 0
    before = (records(app), records(app, Blob))
    too_big = upload(clerk, make_pdf("Vượt dung lượng"))
    assert too_big.json["error"]["code"] == "upload_quota"
    assert (records(app), records(app, Blob)) == before
    # Once pruned, the allowance is free again.
    app.config["FILES_PENDING_MAX"], app.config["FILES_PENDING_MAX_MB"] = 2, 200
    for file_id in (first.json["id"], second.json["id"]):
        age(app, file_id, 25)
    prune(app)
    assert upload(clerk, make_pdf("Sau khi dọn")).status_code == 201


def test_every_reference_to_a_stored_file_counts_as_attached(app):
    with app.app_context():
        found = {f"{c.table.name}.{c.name}" for c in files_ops.attachment_columns()}
    assert {"incoming_file.stored_file_id", "outgoing_document.signed_file_id",
            "outgoing_document.issued_file_id", "draft_version.source_file_id",
            "draft_version.pdf_file_id", "agenda_document.stored_file_id"} <= found


def test_bytes_someone_is_recording_again_are_not_removed(app):
    """A prune releasing a content while another transaction records the same bytes:
    the release waits for that transaction and then leaves the bytes alone."""
    from docmgmt.files.store import release_blob

    data = make_pdf("Ghi lại cùng nội dung")
    with app.app_context():
        first = store_file(data, "cũ.pdf", organisation_id=1, uploaded_by_id=None)
        db.session.commit()
        sha = first.sha256
        db.session.delete(first)
        db.session.commit()  # its record is gone: the blob is free to be released
        again = store_file(data, "mới.pdf", organisation_id=1, uploaded_by_id=None)
        outcome: dict = {}

        def release():
            with app.app_context():
                outcome["removed"] = release_blob(sha)

        releaser = threading.Thread(target=release)
        releaser.start()
        releaser.join(timeout=1.0)  # it must be waiting for the recording transaction
        db.session.commit()
        releaser.join(timeout=60)
        assert outcome == {"removed": False}
        assert FileStore.from_app().path_for(sha).read_bytes() == data
        assert db.session.get(StoredFile, again.id) is not None


@pytest.mark.parametrize("rollback_first", [True, False])
def test_a_rolled_back_upload_never_removes_bytes_another_upload_records(app, rollback_first):
    """Two uploads of the same new scan; the first rolls back. Whichever takes the store's
    lock first, the second's committed record keeps its bytes."""
    data = make_pdf("Hai người cùng tải lên")
    with app.app_context():
        store_file(data, "một.pdf", organisation_id=1, uploaded_by_id=None)
        result: dict = {}

        def second_upload():
            with app.app_context():
                stored = store_file(data, "hai.pdf", organisation_id=1, uploaded_by_id=None)
                db.session.commit()
                result["id"], result["sha"] = stored.id, stored.sha256

        if rollback_first:
            db.session.rollback()
            second_upload()
        else:
            worker = threading.Thread(target=second_upload)
            worker.start()
            worker.join(timeout=1.0)  # waiting for the first upload's transaction
            db.session.rollback()
            worker.join(timeout=60)
        assert FileStore.from_app().path_for(result["sha"]).read_bytes() == data
        assert db.session.get(StoredFile, result["id"]) is not None
