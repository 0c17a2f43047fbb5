"""`flask --app docmgmt db upgrade` brings any database, old or empty, up to date."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from docmgmt import create_app
from docmgmt.extensions import db
from tests.conftest import instance_config


def _schema_drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        from search.postgres_backend import not_a_model

        # The PostgreSQL search engine's tables are its own, not models (migration 0021).
        ctx = MigrationContext.configure(conn, opts={"compare_type": False, "include_name": not_a_model})
        return compare_metadata(ctx, db.metadata)


def test_upgrade_builds_an_empty_sqlite_database_that_matches_the_models(tmp_path):
    app = create_app(instance_config(tmp_path))
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"organisation", "user", "audit_entry", "blob", "stored_file", "api_token"} <= tables
    assert _schema_drift(app) == []


def test_downgrade_to_nothing_and_back(tmp_path):
    app = create_app(instance_config(tmp_path))
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert "user" in sa.inspect(db.engine).get_table_names()


def test_upgrade_on_a_database_that_is_already_current_changes_nothing(app):
    with app.app_context():
        before = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        flask_migrate.upgrade()
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == before
        assert db.session.scalar(sa.text("SELECT count(*) FROM user")) >= 15


@pytest.mark.postgres
def test_upgrade_and_audit_chain_on_postgresql(pg_url, tmp_path):
    from docmgmt.audit import operations as audit
    from docmgmt.demo import seed

    app = create_app({**instance_config(tmp_path), "SQLALCHEMY_DATABASE_URI": pg_url})
    with app.app_context():
        flask_migrate.upgrade()
        seed()
        db.session.commit()
        assert audit.verify() == []
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text("DELETE FROM audit_entry WHERE seq = 1"))
        db.session.rollback()
        db.session.execute(sa.text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
        db.session.execute(sa.text("UPDATE audit_entry SET summary = 'x' WHERE seq = 4"))
        db.session.commit()
        problem = audit.verify()[0]
        assert (problem.seq, problem.kind) == (4, "edited")
        db.session.remove()
    assert _schema_drift(app) == []
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_concurrent_audit_appends_never_fork_the_chain_on_postgresql(pg_url, tmp_path):
    """Eight writers at once: the head row lock makes them queue."""
    from concurrent.futures import ThreadPoolExecutor

    from docmgmt.audit import operations as audit
    from docmgmt.org.operations import create_organisation

    app = create_app({**instance_config(tmp_path), "SQLALCHEMY_DATABASE_URI": pg_url})
    with app.app_context():
        flask_migrate.upgrade()
        org = create_organisation("Ủy ban nhân dân xã Thử", "000.00.99.H42", "UBND")
        db.session.commit()
        org_id = org.id

    def write(i: int) -> None:
        with app.app_context():
            for j in range(10):
                audit.record(org_id, None, "test.append", summary=f"{i}-{j}")
                db.session.commit()
            db.session.remove()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    with app.app_context():
        seqs = list(db.session.scalars(sa.text(
            "SELECT seq FROM audit_entry WHERE organisation_id = :o ORDER BY seq"), {"o": org_id}))
        assert seqs == list(range(1, 82))
        assert audit.verify(org_id) == []
        db.session.remove()
        db.engine.dispose()
