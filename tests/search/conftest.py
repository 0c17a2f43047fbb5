"""Fixtures for the search tests: real Vietnamese text and a small commune's index."""

from __future__ import annotations

from pathlib import Path

import pytest
from searchkit import make_doc, real_sentences

from search.backend import IndexedDoc
from search.whoosh_backend import WhooshBackend


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    found = real_sentences()
    assert len(found) > 500, "the shared Vietnamese corpus is missing"
    return found


@pytest.fixture
def backend(tmp_path: Path):
    b = WhooshBackend(tmp_path / "index")
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
