"""The audit log: append-only, and any edit, insertion or deletion is named."""

import sqlalchemy as sa

from docmgmt.audit import operations as audit
from docmgmt.audit.models import AuditEntry
from docmgmt.extensions import db
from tests.conftest import login


def _drop_triggers():
    """What someone with direct database access would do first."""
    db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_entry_no_update"))
    db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_entry_no_delete"))
    db.session.commit()


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_actions_are_recorded_with_actor_and_chain_verifies(app, client):
    login(client, "vanthu")
    with app.app_context():
        last = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert last.action == "auth.login"
        assert last.actor.username == "vanthu"
        assert audit.verify() == []
    result = _cli(app, "audit", "verify")
    assert result.exit_code == 0
    assert "intact" in result.output


def test_the_database_refuses_to_edit_or_delete_entries(app):
    import pytest

    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text("UPDATE audit_entry SET summary = 'x' WHERE seq = 1"))
        db.session.rollback()
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text("DELETE FROM audit_entry WHERE seq = 1"))
        db.session.rollback()


def test_an_edited_entry_is_named(app):
    with app.app_context():
        _drop_triggers()
        db.session.execute(sa.text(
            "UPDATE audit_entry SET summary = 'không có gì' WHERE organisation_id = 1 AND seq = 7"))
        db.session.commit()
        problems = audit.verify(1)
        assert len(problems) == 1
        assert (problems[0].seq, problems[0].kind) == (7, "edited")
    result = _cli(app, "audit", "verify")
    assert result.exit_code == 1
    assert "entry #7" in result.output and "edited" in result.output


def test_a_deleted_entry_is_named(app):
    with app.app_context():
        _drop_triggers()
        db.session.execute(sa.text("DELETE FROM audit_entry WHERE organisation_id = 1 AND seq = 5"))
        db.session.commit()
        problem = audit.verify(1)[0]
        assert (problem.seq, problem.kind) == (5, "deleted")


def test_deleting_the_newest_entries_is_noticed(app):
    with app.app_context():
        _drop_triggers()
        top = db.session.scalar(sa.select(sa.func.max(AuditEntry.seq)).where(AuditEntry.organisation_id == 1))
        db.session.execute(sa.text(f"DELETE FROM audit_entry WHERE organisation_id = 1 AND seq = {top}"))
        db.session.commit()
        problem = audit.verify(1)[0]
        assert (problem.seq, problem.kind) == (top, "deleted")


def test_an_inserted_entry_is_named(app):
    with app.app_context():
        _drop_triggers()
        # Make room at #4 by renumbering the rest, then slip a forged entry in.
        db.session.execute(sa.text(
            "UPDATE audit_entry SET seq = seq + 1000 WHERE organisation_id = 1 AND seq >= 4"))
        db.session.execute(sa.text(
            "UPDATE audit_entry SET seq = seq - 999 WHERE organisation_id = 1 AND seq >= 1004"))
        prev = db.session.scalar(sa.select(AuditEntry.hash).where(
            AuditEntry.organisation_id == 1, AuditEntry.seq == 3))
        db.session.execute(sa.text(
            "INSERT INTO audit_entry (organisation_id, seq, at, action, object_type, object_id,"
            " summary, data, prev_hash, hash) VALUES (1, 4, '2026-11-20 08:00:00', 'user.created',"
            " 'user', '99', 'tài khoản ma', '{}', :prev, :fake)"), {"prev": prev, "fake": "0" * 64})
        db.session.commit()
        problem = audit.verify(1)[0]
        assert problem.seq == 4
        assert problem.kind in {"edited", "inserted"}
        # …and a forger cannot mint a valid hash without the application's key.
        assert "4" in str(problem)


def test_an_entry_appended_outside_the_application_is_noticed(app):
    with app.app_context():
        top, last_hash = db.session.execute(
            sa.select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.organisation_id == 1)
            .order_by(AuditEntry.seq.desc()).limit(1)).one()
        db.session.execute(sa.text(
            "INSERT INTO audit_entry (organisation_id, seq, at, action, object_type, object_id,"
            " summary, data, prev_hash, hash) VALUES (1, :s, '2026-11-20 08:00:00', 'x', '', '',"
            " '', '{}', :p, :h)"), {"s": top + 1, "p": last_hash, "h": "f" * 64})
        db.session.commit()
        problem = audit.verify(1)[0]
        assert problem.seq == top + 1


def test_chains_of_two_communes_are_independent(app):
    with app.app_context():
        _drop_triggers()
        db.session.execute(sa.text("UPDATE audit_entry SET summary = 'x' WHERE organisation_id = 2 AND seq = 2"))
        db.session.commit()
        problems = audit.verify()
        assert [p.organisation_id for p in problems] == [2]


def test_the_audit_page_reports_tampering_to_a_leader(app, client):
    with app.app_context():
        _drop_triggers()
        db.session.execute(sa.text("UPDATE audit_entry SET summary = 'x' WHERE organisation_id = 1 AND seq = 3"))
        db.session.commit()
    login(client, "chutich")
    html = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert 'data-testid="audit-broken"' in html
    assert "entry #3" in html


SECRET_SUBJECT = "Về việc kiểm kê hồ sơ cán bộ diện quy hoạch năm 2026"


def test_the_log_shows_a_documents_content_only_to_who_may_open_it(app, client, as_user):
    """The chairman signs the draft and may open it: the log shows him its subject. The
    administrator reads the log too but may not open the draft: the entry is there (who,
    when, what, which draft), its content is not. What is stored is unchanged."""
    import io

    from tests.commune import unit_id, user_id
    from tests.files_helpers import make_pdf

    drafter, leader, admin = as_user("cv.kt1"), as_user("chutich"), as_user("quantri")
    created = drafter.post("/api/v1/outgoing", content_type="multipart/form-data", data={
        "doc_type": "cong_van", "subject": SECRET_SUBJECT, "urgency": "thuong",
        "signer_id": str(user_id("chutich", app=app)), "recipients": [f"unit:{unit_id('VHXH', app=app)}"],
        "file": (io.BytesIO(make_pdf("Dự thảo")), "du-thao.pdf")})
    assert created.status_code == 201, created.json
    doc_id = str(created.json["id"])

    def drafted(reader):
        log = reader.get("/api/v1/audit?limit=50").json
        return next(e for e in log if e["action"] == "outgoing.drafted" and e["object_id"] == doc_id)

    seen = drafted(leader)
    assert (seen["summary"], seen["content_hidden"]) == (SECRET_SUBJECT, False)
    assert seen["data"].get("to") == "draft"
    shown = drafted(admin)
    assert shown["content_hidden"] is True and SECRET_SUBJECT not in str(shown)
    assert shown["data"] == {}
    # The trail stays whole: the same entry, by the same person, at the same time.
    assert {k: shown[k] for k in ("seq", "at", "actor_id", "object_type", "hash")} == \
        {k: seen[k] for k in ("seq", "at", "actor_id", "object_type", "hash")}
    assert shown["actor_id"] == drafter.id

    login(client, "quantri")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "outgoing.drafted" in page and 'data-testid="audit-hidden"' in page
    assert SECRET_SUBJECT not in page
    leader_client = app.test_client()
    login(leader_client, "chutich")
    assert SECRET_SUBJECT in leader_client.get("/admin/audit").get_data(as_text=True)

    with app.app_context():
        stored = db.session.scalar(sa.select(AuditEntry).where(
            AuditEntry.action == "outgoing.drafted", AuditEntry.object_id == doc_id))
        assert stored.summary == SECRET_SUBJECT
        assert audit.verify() == []
