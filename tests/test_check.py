"""``flask --app docmgmt check``: a healthy commune passes; each kind of damage an
operator could meet (a lost or altered file, a stray file, a number taken away, an
edited audit entry, an index that lost a document, a meeting log with a hole, a closed
dossier whose files changed) is named, with exit status 1."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import timedelta

import sqlalchemy as sa


def check(app, *args) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["check", "--json", "--grace", "0", *args])
    assert result.output.strip(), result
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1])


def findings(report: dict, area: str) -> list[dict]:
    return report["areas"][area]["findings"]


def kinds(report: dict) -> set[str]:
    return {f["kind"] for area in report["areas"].values() for f in area["findings"]}


def blob_of(app, incoming_id: int):
    from docmgmt.extensions import db
    from docmgmt.files.models import StoredFile
    from docmgmt.files.store import FileStore
    from docmgmt.incoming.models import IncomingFile

    with app.app_context():
        sha = db.session.scalar(
            sa.select(StoredFile.sha256).join(IncomingFile, IncomingFile.stored_file_id == StoredFile.id)
            .where(IncomingFile.document_id == incoming_id).order_by(StoredFile.id).limit(1))
        return sha, FileStore.from_app().path_for(sha)


def sql(app, statement: str, **params) -> None:
    from docmgmt.extensions import db

    with app.app_context():
        db.session.execute(sa.text(statement), params)
        db.session.commit()


def test_a_healthy_commune_passes(busy):
    app, _ids = busy
    code, report = check(app)
    assert code == 0, report
    assert report["ok"] and report["inconsistencies"] == 0 and report["debris"] == 0
    checked = {area: body["checked"] for area, body in report["areas"].items()}
    assert checked["files"]["blobs"] >= 4 and checked["files"]["hashed"] is True
    assert checked["registers"]["numbers"] == 7  # 3 incoming, 1 confidential, 3 outgoing
    assert checked["search"]["expected"] == checked["search"]["indexed"] >= 3
    assert checked["meetings"]["events"] >= 4
    assert checked["audit"]["entries"] > 10
    assert checked["records"] == {"dossiers": 1, "items": 2, "files": 3, "hashed": True}
    text = app.test_cli_runner().invoke(args=["check", "--grace", "0"])
    assert text.exit_code == 0 and text.output.splitlines()[-1].startswith("OK: 0 inconsistencies")


def test_a_deleted_blob_is_reported_with_the_file_that_needs_it(busy):
    app, ids = busy
    sha, path = blob_of(app, ids["incoming"][1])
    path.unlink()
    code, report = check(app, "--quick")
    assert code == 1
    [missing] = findings(report, "files")
    assert missing["kind"] == "blob_missing" and missing["data"]["sha256"] == sha
    assert "cong-van-2.pdf" in missing["message"]


def test_a_corrupted_blob_is_caught_by_its_hash(busy):
    app, ids = busy
    sha, path = blob_of(app, ids["incoming"][0])
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # same size: only the hash can tell
    path.write_bytes(bytes(data))
    assert check(app, "--quick")[0] == 0  # existence and size only
    code, report = check(app)
    assert code == 1
    assert [(f["kind"], f["data"]["sha256"]) for f in findings(report, "files")] == [("blob_corrupt", sha)]


def test_a_stray_file_in_the_store_is_a_leftover_that_repair_removes(busy):
    app, _ids = busy
    from docmgmt.core.timeutil import utcnow
    from docmgmt.extensions import db
    from docmgmt.files.models import Blob
    from docmgmt.files.store import FileStore

    with app.app_context():
        store = FileStore.from_app()
        orphan = store.path_for("ab" * 32)
        stale = store.tmp_dir() / "up-crashed"
        # A prune of unattached uploads interrupted between its steps: a record nothing names.
        content = b"%PDF-1.7 its record was pruned"
        sha = hashlib.sha256(content).hexdigest()
        db.session.add(Blob(sha256=sha, size=len(content), mime="application/pdf",
                            created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    unnamed = store.path_for(sha)
    unnamed.parent.mkdir(parents=True, exist_ok=True)
    unnamed.write_bytes(content)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-1.7 never committed")
    stale.write_bytes(b"half an upload")
    an_hour_ago = time.time() - 3600
    for path in (orphan, stale):
        os.utime(path, (an_hour_ago, an_hour_ago))
    # Young files may belong to a request in flight: not reported within the grace period.
    recent = store.path_for("cd" * 32)
    recent.parent.mkdir(parents=True, exist_ok=True)
    recent.write_bytes(b"being committed right now")
    result = app.test_cli_runner().invoke(args=["check", "--json", "--only", "files"])
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert {(f["kind"], f["debris"]) for f in findings(report, "files")} == {
        ("orphan_blob", True), ("stale_tmp", True), ("blob_unreferenced", True)}
    assert report["inconsistencies"] == 0 and report["debris"] == 3
    assert report["areas"]["files"]["checked"]["orphans_in_grace"] == 1

    code, repaired = check(app, "--repair", "--only", "files")
    assert code == 0  # all repaired, the young one too (past its grace with --grace 0)
    assert len(findings(repaired, "files")) == 4 and all(f["repaired"] for f in findings(repaired, "files"))
    assert not any(p.exists() for p in (orphan, stale, recent, unnamed))
    assert check(app)[0] == 0


def test_a_number_taken_away_from_the_middle_of_a_register_is_a_gap(busy):
    app, ids = busy
    sql(app, "UPDATE outgoing_document SET register_id = NULL, number = NULL WHERE id = :id",
        id=ids["outgoing"][1])
    code, report = check(app)
    assert code == 1
    [gap] = findings(report, "registers")
    assert gap["kind"] == "register_gap" and gap["data"]["missing"] == [2]
    assert "Sổ văn bản đi" in gap["message"] and "number(s) 2 " in gap["message"]


def test_a_register_counter_behind_its_numbers_is_reported(busy):
    app, _ids = busy
    sql(app, "UPDATE register SET last_number = last_number - 1 WHERE direction = 'incoming' "
             "AND confidential = 0")
    code, report = check(app)
    assert code == 1
    [ahead] = findings(report, "registers")
    assert ahead["kind"] == "register_ahead" and ahead["data"]["ahead"] == [3]


def test_an_edited_audit_entry_breaks_the_chain(busy):
    app, _ids = busy
    sql(app, "DROP TRIGGER IF EXISTS audit_entry_no_update")
    sql(app, "UPDATE audit_entry SET summary = 'sửa lén' WHERE seq = 5 AND organisation_id = 1")
    code, report = check(app, "--quick")
    assert code == 1
    [broken] = findings(report, "audit")
    assert broken["kind"] == "audit_edited" and broken["data"]["seq"] == 5


def test_a_document_lost_by_the_index_is_reported_and_repair_puts_it_back(busy):
    app, ids = busy
    from docmgmt.searching.backend import get_backend

    with app.app_context():
        get_backend().delete([f"incoming:{ids['incoming'][2]}"])
    code, report = check(app, "--quick")
    assert code == 1
    [missing] = findings(report, "search")
    assert missing["kind"] == "search_missing" and missing["data"]["ids"] == [f"incoming:{ids['incoming'][2]}"]

    code, repaired = check(app, "--quick", "--repair")
    assert code == 0 and findings(repaired, "search")[0]["repaired"]
    assert check(app, "--quick")[0] == 0


def test_a_confidential_entry_in_the_index_is_a_leak(busy):
    app, ids = busy
    from docmgmt.extensions import db
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.searching.backend import get_backend
    from docmgmt.searching.indexing import indexed_doc

    with app.app_context():
        doc = db.session.get(IncomingDocument, ids["confidential"])
        get_backend().index([indexed_doc(doc, db.session)])
    code, report = check(app, "--quick")
    assert code == 1
    [leak] = findings(report, "search")
    assert leak["kind"] == "search_confidential"
    assert leak["data"]["ids"] == [f"incoming:{ids['confidential']}"]


def test_a_deleted_meeting_event_is_a_hole_in_the_log(busy):
    app, ids = busy
    sql(app, "DELETE FROM meeting_event WHERE meeting_id = :m AND seq = 2", m=ids["meeting"])
    code, report = check(app, "--quick")
    assert code == 1
    [hole] = findings(report, "meetings")
    assert hole["kind"] == "meeting_gap" and hole["data"]["missing"] == [2]
    assert "Họp giao ban" in hole["message"]


def test_the_readable_report_names_the_problem(busy):
    app, ids = busy
    _sha, path = blob_of(app, ids["incoming"][0])
    path.unlink()
    result = app.test_cli_runner().invoke(args=["check", "--quick"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("files") and "1 problem(s)" in line for line in lines)
    assert any("PROBLEM  blob_missing: blob" in line and "cong-van-1.pdf" in line for line in lines)
    assert lines[-1].startswith("NOT OK: 1 inconsistency")


def test_a_file_whose_text_was_never_read_is_a_leftover_that_repair_reads(busy):
    app, _ids = busy
    sql(app, "DELETE FROM blob_text")  # as if the worker had never run
    code, report = check(app, "--quick", "--only", "search")
    assert code == 1
    [pending] = findings(report, "search")
    assert pending["kind"] == "search_text_pending" and pending["debris"] is True
    assert report["areas"]["search"]["checked"]["files_without_text"] >= 2
    code, repaired = check(app, "--quick", "--only", "search", "--repair")
    assert code == 0 and findings(repaired, "search")[0]["repaired"]
    assert check(app, "--quick")[0] == 0


def test_the_worker_sweeps_what_crashes_left_in_the_store_after_an_hour(busy):
    app, _ids = busy
    from docmgmt.files.store import FileStore

    with app.app_context():
        store = FileStore.from_app()
    paths = [store.path_for("ab" * 32), store.tmp_dir() / "up-crashed"]
    fresh = store.path_for("cd" * 32)  # a transaction in flight may be about to record it
    two_hours_ago = time.time() - 7200
    for path in [*paths, fresh]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF")
    for path in paths:
        os.utime(path, (two_hours_ago, two_hours_ago))
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "[files-leftovers] 2 leftover file(s) removed" in result.output
    assert not any(p.exists() for p in paths) and fresh.exists()
    code, report = check(app, "--only", "files", "--grace", "3600")
    assert code == 0 and report["areas"]["files"]["checked"]["orphans_in_grace"] == 1


def test_a_filed_file_altered_on_disk_is_reported_with_its_dossier(busy):
    app, ids = busy
    sha, path = blob_of(app, ids["incoming"][-1])  # filed in the closed dossier 01.VP
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # same size: only the hash can tell
    path.write_bytes(bytes(data))
    assert check(app, "--quick", "--only", "records")[0] == 0  # sizes only
    code, report = check(app)
    assert code == 1
    [changed] = findings(report, "records")
    year = report["areas"]["records"]["findings"][0]["data"]["year"]
    assert changed["kind"] == "dossier_changed"
    assert changed["data"] == {"dossier_id": ids["dossier"], "notation": "01.VP", "year": year,
                               "title": "Hồ sơ về chuyển đổi số của xã"}
    assert f"dossier 01.VP ({year})" in changed["message"] and "document 1" in changed["message"]
    assert "cong-van-3.pdf" in changed["message"] and "SHA-256" in changed["message"]
    assert [f["kind"] for f in findings(report, "files")] == ["blob_corrupt"]  # the store says which blob

    path.write_bytes(bytes(data[:-1]))  # now shorter: the quick check sees it too
    code, report = check(app, "--quick", "--only", "records")
    assert code == 1 and "changed size" in findings(report, "records")[0]["message"]


def test_a_filed_document_pointed_at_another_file_is_reported(busy):
    app, ids = busy
    from docmgmt.extensions import db
    from docmgmt.outgoing.models import OutgoingDocument

    with app.app_context():
        other = db.session.get(OutgoingDocument, ids["outgoing"][1]).issued_file_id
    # Someone swaps the bản lưu of the issued document filed in 01.VP in the database:
    # every file is whole, only the dossier's manifest can tell.
    sql(app, "UPDATE outgoing_document SET issued_file_id = :f WHERE id = :id", f=other, id=ids["outgoing"][0])
    code, report = check(app, "--quick")
    assert code == 1
    assert [f["area"] for f in report_findings(report)] == ["records"]
    [changed] = findings(report, "records")
    assert changed["data"]["dossier_id"] == ids["dossier"] and changed["data"]["notation"] == "01.VP"
    assert "now points at other files" in changed["message"]
    text = app.test_cli_runner().invoke(args=["check", "--quick", "--grace", "0"])
    assert any(line.startswith("records") and "1 problem(s)" in line for line in text.output.splitlines())
    assert "PROBLEM  dossier_changed: dossier 01.VP" in text.output


def test_a_closed_dossiers_manifest_edited_in_the_database_is_reported(busy):
    app, ids = busy
    sql(app, "UPDATE dossier_item SET manifest = '[]' WHERE dossier_id = :d AND ordinal = 2", d=ids["dossier"])
    code, report = check(app, "--quick", "--only", "records")
    assert code == 1
    messages = [f["message"] for f in findings(report, "records")]
    assert any("manifest differs from the one fixed at closing" in m for m in messages), messages


def report_findings(report: dict) -> list[dict]:
    return [f for area in report["areas"].values() for f in area["findings"]]
