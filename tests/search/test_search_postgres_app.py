"""A whole app on PostgreSQL with ``XASO_SEARCH_BACKEND=postgresql``: documents are
indexed in the database's own tables, found through the search page and the API by
those who may open them only, and ``flask search reindex|check`` work as with Whoosh;
the setting is refused on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from docmgmt import create_app
from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.incoming import operations as ops
from docmgmt.searching.backend import SearchConfigError, get_backend
from search.postgres_backend import PostgresBackend
from tests.commune import user
from tests.conftest import instance_config, login

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(pg_commune):
    app = create_app({**pg_commune, "SEARCH_BACKEND": "postgresql"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _register(subject: str, number_symbol: str = "12/QĐ-UBND") -> int:
    data = dict(
        sender_name="Ủy ban nhân dân tỉnh Phú Thọ",
        number_symbol=number_symbol,
        issue_date=vn_today() - timedelta(days=3),
        doc_type="cong_van",
        subject=subject,
    )
    doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(**data), [])
    db.session.commit()
    return doc.id


def _signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_clerk_finds_a_registered_document_in_postgresql_and_others_do_not(pg_app):
    with pg_app.test_request_context():
        doc_id = _register("Quyết định thành lập tổ công tác chuyển đổi số xã")
        assert isinstance(get_backend(), PostgresBackend)
        rows = db.session.execute(sa.text("SELECT id, acl FROM search_entries")).all()
    assert [r.id for r in rows] == [f"incoming:{doc_id}"]  # in the database, not in files

    clerk = _signed_in(pg_app, "vanthu")
    page = clerk.get("/search", query_string={"q": "quyet dinh chuyen doi so"}).get_data(as_text=True)
    assert f'data-id="incoming:{doc_id}"' in page
    assert "<mark>Quyết</mark> <mark>định</mark>" in page
    body = clerk.get("/api/v1/search", query_string={"q": "12/QĐ-UBND"}).json
    assert body["total"] == 1 and body["hits"][0]["document_id"] == doc_id

    # Not assigned to anyone yet: a specialist of another unit may not open it.
    outsider = _signed_in(pg_app, "cv.vhxh")
    body = outsider.get("/api/v1/search", query_string={"q": "quyet dinh chuyen doi so"}).json
    assert body == {"total": 0, "total_is_estimate": False, "page": 1, "per_page": 20, "hits": []}
    html = outsider.get("/search", query_string={"q": "chuyển đổi số"}).get_data(as_text=True)
    assert "tổ công tác" not in html


def test_an_estimated_total_says_about_on_the_page_and_in_the_api(pg_app, monkeypatch):
    """Past the ranked candidates the total is estimated from a sample: the page says
    "khoảng", the API says so; a small count stays exact and plain."""
    import search.postgres_backend as engine

    with pg_app.test_request_context():
        for i in range(8):
            _register(f"Báo cáo thu ngân sách quý {i + 1}", f"{i + 1}/BC-UBND")
        _register("Kế hoạch phòng chống rét cho trâu bò", "9/KH-UBND")
        db.session.execute(sa.text("ANALYZE search_entries"))
        db.session.commit()
    monkeypatch.setattr(engine, "CANDIDATES", 2)
    monkeypatch.setattr(engine, "SAMPLE_ROWS", 3)  # fewer than the table's rows: sampled
    clerk = _signed_in(pg_app, "vanthu")
    body = clerk.get("/api/v1/search", query_string={"q": "ngân sách"}).json
    assert body["total_is_estimate"] is True and body["total"] > 2
    page = clerk.get("/search", query_string={"q": "ngân sách"}).get_data(as_text=True)
    assert f"khoảng {body['total']} kết quả" in page
    body = clerk.get("/api/v1/search", query_string={"q": "trâu bò"}).json
    assert (body["total"], body["total_is_estimate"]) == (1, False)
    page = clerk.get("/search", query_string={"q": "trâu bò"}).get_data(as_text=True)
    assert "1 kết quả" in page and "khoảng" not in page


def test_reindex_and_check_commands_work_on_postgresql(pg_app):
    with pg_app.test_request_context():
        for i in range(3):
            _register(f"Báo cáo thu ngân sách quý {i + 1}", f"{i + 1}/BC-UBND")
        get_backend().rebuild([])  # an empty index, as after losing it
    runner = pg_app.test_cli_runner()
    check = runner.invoke(args=["search", "check"])
    assert '"ok": false' in check.output
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "3 documents indexed" in result.output
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and '"ok": true' in check.output
    clerk = _signed_in(pg_app, "vanthu")
    assert clerk.get("/api/v1/search", query_string={"q": "ngan sach"}).json["total"] == 3


def test_postgresql_search_is_refused_on_sqlite(instance):
    app = create_app({**instance_config(instance), "SEARCH_BACKEND": "postgresql"})
    with app.app_context(), pytest.raises(SearchConfigError, match="PostgreSQL"):
        get_backend()


def test_start_up_refuses_postgresql_search_without_a_postgresql_database(monkeypatch, tmp_path):
    from docmgmt.config import load_config

    monkeypatch.setenv("XASO_INSTANCE", str(tmp_path))
    monkeypatch.delenv("XASO_DATABASE_URL", raising=False)
    monkeypatch.setenv("XASO_SEARCH_BACKEND", "postgresql")
    with pytest.raises(SystemExit, match="needs a PostgreSQL database"):
        load_config("default")
    monkeypatch.setenv("XASO_SEARCH_BACKEND", "elastic")
    with pytest.raises(SystemExit, match="expected whoosh or postgresql"):
        load_config("default")
    monkeypatch.setenv("XASO_SEARCH_BACKEND", "whoosh")
    assert load_config("default").SEARCH_BACKEND == "whoosh"
