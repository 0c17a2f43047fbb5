"""``flask --app docmgmt backup`` and ``restore``: an archive taken while a clerk keeps
registering comes back into an empty instance whole — every row, every blob, the
signatures still verifying, the audit chain intact, the index rebuilt — and restore
touches nothing when the archive is damaged or the instance is not empty."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import empty_pg_database, instance_config
from tests.maintenance_support import register

# Rows a registration changes in place (a counter, the chain head) or deletes (the
# index outbox, once applied), and the file text cache, which a restore fills for the
# files the archived instance had not read yet; every other table only grows while the
# clerk works.
CHANGED_IN_PLACE = {"register", "audit_head", "search_job", "blob_text"}


class Clerk(threading.Thread):
    """Registers documents with a file, one commit each, until stopped."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.registered, self.error = app, 0, None
        self.stop = threading.Event()

    def run(self):
        from docmgmt.extensions import db

        try:
            with self.app.test_request_context():
                while not self.stop.is_set():
                    register(1000 + self.registered, subject=f"Văn bản trong lúc sao lưu {self.registered}")
                    db.session.commit()
                    self.registered += 1
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.registered < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"the clerk registered only {self.registered}"
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop.set()
        self.join(60)
        assert self.error is None, self.error


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def fresh_app(folder: Path, **over):
    from docmgmt import create_app

    return create_app({**instance_config(folder), **over})


def dispose(app) -> None:
    from docmgmt.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows_of(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, in primary-key order, read with plain SQL."""
    from docmgmt.extensions import db

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in [*db.metadata.sorted_tables, sa.table("alembic_version", sa.column("version_num"))]:
                key = list(table.primary_key) if isinstance(table, sa.Table) else [table.c.version_num]
                out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*key))]
            return out
    finally:
        engine.dispose()


def frozen(rows: list[tuple]) -> set[str]:
    """Rows as comparable values (JSON columns are dicts)."""
    return {json.dumps(row, sort_keys=True, default=str) for row in rows}


def blobs_of(app) -> dict[str, bytes]:
    root = Path(app.config["FILE_STORE_DIR"])
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob("??/??/*"))}


@pytest.mark.slow
def test_a_backup_taken_while_a_clerk_registers_restores_whole(busy, tmp_path):
    app, ids = busy
    clerk = Clerk(app)
    clerk.start()
    try:
        clerk.wait_for(2)
        during = cli(app, "backup", str(tmp_path / "during.tar.gz"))
        assert during.exit_code == 0, during.output
        clerk.wait_for(clerk.registered + 2)  # … and went on after the snapshot
    finally:
        clerk.finish()
    with app.app_context():  # the worker's catching up: every file read, every job applied
        from docmgmt.searching.indexing import settle

        settle()
    after = cli(app, "backup", str(tmp_path / "after.tar"))
    assert after.exit_code == 0, after.output
    source_rows = rows_of(app.config["SQLALCHEMY_DATABASE_URI"])
    source_blobs = blobs_of(app)

    # The quiet backup: the restored instance is the same, row for row and byte for byte.
    quiet = fresh_app(tmp_path / "restored-after")
    restored = cli(quiet, "restore", str(tmp_path / "after.tar"))
    assert restored.exit_code == 0, restored.output
    assert "OK: 0 inconsistencies" in restored.output
    assert rows_of(quiet.config["SQLALCHEMY_DATABASE_URI"]) == source_rows
    assert blobs_of(quiet) == source_blobs
    check = cli(quiet, "check", "--grace", "0")
    assert check.exit_code == 0, check.output
    _signatures_verify_and_search_finds(quiet, ids)
    dispose(quiet)

    # The backup taken under writes: a consistent moment of the past.
    past = fresh_app(tmp_path / "restored-during")
    restored = cli(past, "restore", str(tmp_path / "during.tar.gz"))
    assert restored.exit_code == 0, restored.output
    check = cli(past, "check", "--grace", "0")
    assert check.exit_code == 0, check.output  # gapless registers, chain intact, every blob
    past_rows = rows_of(past.config["SQLALCHEMY_DATABASE_URI"])
    registered = past_rows["incoming_document"]
    assert len(ids["incoming"]) + 2 <= len(registered) < len(source_rows["incoming_document"])
    for table, rows in past_rows.items():
        if table not in CHANGED_IN_PLACE:
            assert frozen(rows) <= frozen(source_rows[table]), table
    past_blobs = blobs_of(past)
    assert past_blobs.items() <= source_blobs.items() and len(past_blobs) < len(source_blobs)
    dispose(past)


def _signatures_verify_and_search_finds(app, ids) -> None:
    from docmgmt.extensions import db
    from docmgmt.files.store import FileStore
    from docmgmt.outgoing.models import OutgoingDocument
    from docmgmt.searching.operations import search
    from docmgmt.signing.verify import verify_pdf
    from tests.commune import user

    with app.test_request_context():
        doc = db.session.get(OutgoingDocument, ids["outgoing"][0])
        reports = verify_pdf(FileStore.from_app().path_for(doc.issued_file.sha256).read_bytes())
        assert reports and all(r.intact and r.valid for r in reports)
        found = search(user("vanthu"), "chuyển đổi số")
        assert found.results.total >= len(ids["incoming"])


def test_restore_refuses_an_instance_that_holds_data(busy, tmp_path):
    app, _ids = busy
    assert cli(app, "backup", str(tmp_path / "b.tar")).exit_code == 0
    before = rows_of(app.config["SQLALCHEMY_DATABASE_URI"])
    refused = cli(app, "restore", str(tmp_path / "b.tar"))
    assert refused.exit_code == 1 and "not empty" in refused.output and "--force" in refused.output
    assert rows_of(app.config["SQLALCHEMY_DATABASE_URI"]) == before


def test_a_damaged_archive_is_refused_before_anything_is_touched(busy, tmp_path):
    app, _ids = busy
    assert cli(app, "backup", str(tmp_path / "good.tar")).exit_code == 0
    with tarfile.open(tmp_path / "good.tar") as src, tarfile.open(tmp_path / "bad.tar", "w") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name.startswith("files/") and member.name.endswith(("0", "1", "2", "3")):
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(member, io.BytesIO(data))
    target = fresh_app(tmp_path / "target")
    refused = cli(target, "restore", str(tmp_path / "bad.tar"))
    assert refused.exit_code == 1, refused.output
    assert "does not match its manifest" in refused.output and "nothing was restored" in refused.output
    assert not list((tmp_path / "target" / "files").glob("??/??/*"))
    assert sqlite3.connect(tmp_path / "target" / "xaso.sqlite3").execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone() == (0,)
    dispose(target)


def test_a_restore_under_another_secret_key_says_what_will_not_work(busy, tmp_path):
    app, _ids = busy
    assert cli(app, "backup", str(tmp_path / "b.tar")).exit_code == 0
    target = fresh_app(tmp_path / "target", SECRET_KEY="not-the-key-the-backup-was-taken-with")
    restored = cli(target, "restore", str(tmp_path / "b.tar"))
    assert restored.exit_code == 1
    assert "WARNING: the secret key in force is not the one the backup was taken with" in restored.output
    assert "audit_edited" in restored.output  # the chain does not verify under another key
    dispose(target)


def test_a_blob_missing_at_backup_time_is_an_error_in_the_manifest(busy, tmp_path):
    app, _ids = busy
    victim = next(iter(Path(app.config["FILE_STORE_DIR"]).glob("??/??/*")))
    victim.unlink()
    result = cli(app, "backup", str(tmp_path / "b.tar"))
    assert result.exit_code == 1
    assert f"ERROR: blob {victim.name} is recorded but missing from the store" in result.output
    assert (tmp_path / "b.tar").exists()  # the rest is saved all the same


# --- PostgreSQL -------------------------------------------------------------------------------

@pytest.fixture
def another_pg_url():
    """A second empty database on the same server (the restore target)."""
    yield from empty_pg_database()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")),
                    reason="pg_dump/pg_restore not installed (apt-get install postgresql-client)")
def test_postgresql_backup_under_writes_restores_whole(pg_commune, another_pg_url, tmp_path):
    from tests.maintenance_support import populate

    app = fresh_app(Path(pg_commune["INSTANCE_DIR"]), SQLALCHEMY_DATABASE_URI=pg_commune["SQLALCHEMY_DATABASE_URI"])
    with app.test_request_context():
        from docmgmt.extensions import db

        ids = populate()
        db.session.remove()
    clerk = Clerk(app)
    clerk.start()
    try:
        clerk.wait_for(2)
        during = cli(app, "backup", str(tmp_path / "pg.tar.gz"))
        assert during.exit_code == 0, during.output
        clerk.wait_for(clerk.registered + 2)
    finally:
        clerk.finish()
    source_rows = rows_of(pg_commune["SQLALCHEMY_DATABASE_URI"])
    source_blobs = blobs_of(app)
    dispose(app)

    target = fresh_app(tmp_path / "restored", SQLALCHEMY_DATABASE_URI=another_pg_url)
    restored = cli(target, "restore", str(tmp_path / "pg.tar.gz"))
    assert restored.exit_code == 0, restored.output
    check = cli(target, "check", "--grace", "0")
    assert check.exit_code == 0, check.output
    rows = rows_of(another_pg_url)
    assert len(ids["incoming"]) + 2 <= len(rows["incoming_document"]) < len(source_rows["incoming_document"])
    for table, got in rows.items():
        if table not in CHANGED_IN_PLACE:
            assert frozen(got) <= frozen(source_rows[table]), table
    assert blobs_of(target).items() <= source_blobs.items()
    _signatures_verify_and_search_finds(target, ids)
    dispose(target)
