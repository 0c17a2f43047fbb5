"""Fixtures for the search tests: real Vietnamese text and a small commune's index.

``backend`` is each engine in turn: the tests of what a clerk notices (recall,
ranking, typing, access) hold for Whoosh and for PostgreSQL alike. Tests of Whoosh's
own files (segments, locks, recovery) build a ``WhooshBackend`` themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from searchkit import make_doc, real_sentences

from search.backend import IndexedDoc
from search.whoosh_backend import WhooshBackend
from tests.conftest import empty_pg_database

BACKENDS = ["whoosh", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    found = real_sentences()
    assert len(found) > 500, "the shared Vietnamese corpus is missing"
    return found


@pytest.fixture(scope="session")
def search_pg_engine():
    """One fresh PostgreSQL database with the search tables for the whole session;
    each test starts from empty tables (``backend``)."""
    import sqlalchemy as sa

    from search.postgres_backend import create_schema

    for url in empty_pg_database():
        engine = sa.create_engine(url)
        create_schema(engine)
        yield engine
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "whoosh":
        b = WhooshBackend(tmp_path / "index")
    else:
        import sqlalchemy as sa

        from search.postgres_backend import PostgresBackend

        engine = request.getfixturevalue("search_pg_engine")
        with engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE search_entries, search_terms"))
        b = PostgresBackend(engine, root=tmp_path / "index")
    yield b
    b.close()


@pytest.fixture
def filler(sentences: list[str]) -> list[IndexedDoc]:
    """Forty ordinary documents of real text, so that ranking has competition."""
    return [
        make_doc(
            f"fill-{i}",
            sentences[(i * 7) % len(sentences)],
            " ".join(sentences[(i * 13 + j) % len(sentences)] for j in range(5)),
        )
        for i in range(40)
    ]
