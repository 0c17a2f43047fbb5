"""The search backend interface and the plain data it exchanges with the app.

The app builds ``IndexedDoc`` values from its models (confidential entries are never
passed in), asks questions with ``SearchQuery`` and gets ``SearchResults`` back. Any
engine (Whoosh today) implements ``SearchBackend``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Order = Literal["relevance", "date"]
FILTER_KEYS = frozenset({"direction", "doc_type", "year", "unit", "status"})
MAX_PER_PAGE = 100


@dataclass(slots=True)
class IndexedDoc:
    """One document as the index sees it."""

    id: str
    org_id: int
    direction: str  # "incoming" | "outgoing" | "internal" …
    doc_type: str
    year: int
    unit: str | None
    status: str
    date: date | datetime
    number_symbol: str
    subject: str
    sender: str
    content: str
    # Principal tokens that may open the document: "u:12", "unit:3", "role:leader",
    # "org:1". A query sees the document only if its principals intersect this list.
    acl: list[str] = field(default_factory=list)
    text_searchable: bool = True


@dataclass(slots=True)
class SearchQuery:
    """A user's question. ``text`` uses the search-box syntax: words are ANDed,
    "quoted phrases" must appear as written (diacritics optional). Text of
    punctuation only ("?", "*") finds nothing; empty text lists what the filters
    allow. The engine reads at most the first 500 characters and 32 words of ``text``
    (``search.querying``); the rest is ignored."""

    text: str
    org_id: int
    principals: set[str]
    filters: dict[str, str | int] = field(default_factory=dict)
    order: Order = "relevance"
    page: int = 1
    per_page: int = 20

    def bounds(self) -> tuple[int, int]:
        """(page, per_page) as every engine reads them: page from 1, at most MAX_PER_PAGE a page."""
        return max(1, int(self.page)), max(1, min(MAX_PER_PAGE, int(self.per_page)))


@dataclass(slots=True)
class Hit:
    id: str
    score: float
    subject: str
    number_symbol: str
    sender: str
    date: str
    text_searchable: bool
    # HTML-escaped fragments of the original (accented) text, <mark> around matches.
    snippets: list[str]
    subject_html: str


@dataclass(slots=True)
class SearchResults:
    # Matches the principals may open, never more. One exception to exactness: when
    # more than 500 documents hold every word pair of a quoted phrase of three words or
    # more, only the best-ranked are checked for the words side by side and the count
    # is of the word pairs (an upper bound, off by a few in practice). On PostgreSQL
    # (search.postgres_backend), past 1,000 matches the total is an estimate from a
    # sample, rounded to two significant digits (e.g. 59000), so the last pages may be
    # empty, or (estimate too low) the oldest matches lie past the last page.
    total: int
    hits: list[Hit]
    page: int
    per_page: int
    took_ms: float = 0.0
    # True when ``total`` is such an estimate (the page says "khoảng …").
    total_is_estimate: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


ProgressFn = Callable[[int], None]


class SearchBackend(ABC):
    """What the app may ask of a search engine."""

    @abstractmethod
    def index(self, docs: Iterable[IndexedDoc]) -> None:
        """Add or replace documents (by id). Durable when it returns."""

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    @abstractmethod
    def query(self, q: SearchQuery) -> SearchResults: ...

    def suggest(
        self, prefix_text: str, org_id: int, principals: Iterable[str], limit: int = 8
    ) -> list[str]:
        """Completions of the last word of ``prefix_text`` (the word being typed), as
        written in the documents (with diacritics, lower case), most frequent first,
        found only in documents the principals may open: for the suggestions under
        the search box. Nothing when the text ends with a space (no word is being
        typed). Engines without a dictionary suggest nothing."""
        return []

    @abstractmethod
    def rebuild(self, docs: Iterable[IndexedDoc], progress: ProgressFn | None = None) -> int:
        """Replace the whole index with ``docs``; returns the number indexed."""

    @abstractmethod
    def check(self) -> dict[str, Any]:
        """Health: {"ok": bool, "docs": int, "error": str | None, …}."""

    @abstractmethod
    def close(self) -> None: ...


def unique_batches(docs: Iterable[IndexedDoc], size: int, seen: set[str]) -> Iterator[list[IndexedDoc]]:
    """``docs`` in lists of ``size`` for a rebuild, each id once (the first wins); ``seen``
    gathers the ids, so the caller knows how many were indexed."""
    batch: list[IndexedDoc] = []
    for doc in docs:
        if doc.id not in seen:
            seen.add(doc.id)
            batch.append(doc)
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch
