"""What only the PostgreSQL backend has to get right: a rebuild that searches do not
notice until it is done, and a dictionary (``search_terms``) that follows every update
and deletion, so that completions never offer a word no document holds any more."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from searchkit import ask, make_doc, query

from search.backend import IndexedDoc
from search.postgres_backend import PostgresBackend

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(search_pg_engine, tmp_path) -> Iterator[PostgresBackend]:
    with search_pg_engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE search_entries, search_terms"))
    backend = PostgresBackend(search_pg_engine, root=tmp_path / "index")
    yield backend
    backend.close()


def _indexes(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_entries'")).scalars()
        )


def test_searches_see_the_old_index_until_a_rebuild_is_complete(pg, search_pg_engine):
    pg.index([make_doc("old", "Kế hoạch phòng chống thiên tai năm 2024")])
    before = _indexes(search_pg_engine)
    seen_meanwhile: list[list[str]] = []

    def new_docs() -> Iterator[IndexedDoc]:
        for i in range(2500):  # more than one batch
            if i == 1500:
                seen_meanwhile.append(ask(pg, "thiên tai"))
            yield make_doc(f"new{i}", f"Báo cáo thiên tai số {i}")

    assert pg.rebuild(new_docs()) == 2500
    assert seen_meanwhile == [["old"]]  # mid-rebuild: the old rows, none of the new
    assert pg.query(query("thiên tai")).total == 2500
    assert ask(pg, "kế hoạch phòng chống") == []
    assert _indexes(search_pg_engine) == before  # same indexes, same names
    assert pg.check(expected_docs=2500)["ok"]


def test_a_failed_rebuild_changes_nothing(pg):
    pg.index([make_doc("old", "Kế hoạch phòng chống thiên tai")])

    def broken() -> Iterator[IndexedDoc]:
        yield make_doc("new", "Báo cáo")
        raise OSError("disk gone")

    with pytest.raises(OSError):
        pg.rebuild(broken())
    assert ask(pg, "thiên tai") == ["old"]
    assert pg.suggest("phòng ch", 1, {"org:1"}) == ["chống"]  # the dictionary too


def test_completions_follow_updates_and_deletions(pg):
    pg.index([make_doc("a", "Thu bảo hiểm y tế"), make_doc("b", "Bảo hiến tài liệu")])
    assert set(pg.suggest("bao hie", 1, {"org:1"})) == {"hiểm", "hiến"}
    pg.index([make_doc("a", "Thu ngân sách xã")])  # replaced: "hiểm" is gone
    assert pg.suggest("bao hie", 1, {"org:1"}) == ["hiến"]
    pg.delete(["b"])
    assert pg.suggest("bao hie", 1, {"org:1"}) == []
    # A word no document holds any more is no longer "a word of the index": Telex typed
    # over it is decoded again.
    pg.index([make_doc("c", "Quyết định khen thưởng")])
    assert ask(pg, "quyeets") == ["c"]


def test_many_matches_rank_the_newest_and_page_through_all_of_them(pg, monkeypatch):
    """Past CANDIDATES matches only the newest are ranked (the work stops growing with
    the number of matches): they come first, exact diacritics first among them, then
    every other match by date; paging still reaches each match exactly once."""
    import search.postgres_backend as module

    monkeypatch.setattr(module, "CANDIDATES", 6)
    monkeypatch.setattr(module, "SAMPLE_ROWS", 20)  # fewer rows than the table: sampled
    start = date(2025, 1, 1)
    docs = [  # d29 is the newest; d27 and d3 write the words with their diacritics
        make_doc(f"d{i}", "Báo cáo thiên tai" if i in (3, 27) else "Bao cao thien tai", date=start + timedelta(i))
        for i in range(30)
    ]
    pg.index(docs + [make_doc(f"other{i}", "Kế hoạch sản xuất", date=start) for i in range(30)]
             + [make_doc(f"rare{i}", "Phòng chống dịch bệnh", date=start) for i in range(2)])
    with pg.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE search_entries"))

    first = pg.query(query("thiên tai", per_page=4))
    assert [h.id for h in first.hits] == ["d27", "d29", "d28", "d26"]  # d3 is not among the newest 6
    assert first.total > 6  # an estimate now, yet more than one page's worth
    assert first.total_is_estimate is True  # and the page says "khoảng …"
    few = pg.query(query("dịch bệnh", per_page=4))
    assert (few.total, few.total_is_estimate) == (2, False)  # counted: "2 kết quả"
    for order in ("relevance", "date"):
        seen: list[str] = []
        for page in range(1, 12):
            seen += [h.id for h in pg.query(query("thiên tai", per_page=4, page=page, order=order)).hits]
        assert sorted(seen) == sorted(d.id for d in docs), order  # each match once, nothing else
        if order == "relevance":
            assert seen[6:] == [f"d{i}" for i in range(23, -1, -1)]  # after the ranked ones: by date
        else:
            assert seen == [f"d{i}" for i in range(29, -1, -1)]
