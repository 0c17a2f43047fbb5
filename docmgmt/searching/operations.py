"""Searching documents: who may find what, and the question every door asks.

Access is decided by the same rules as opening a document
(``incoming.operations.can_read``), expressed as principal tokens: a user's tokens are
matched against each document's ACL inside the engine, so totals, pages and snippets
are computed over what the user may open and nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext as _

from search.backend import Hit, SearchQuery, SearchResults

from ..core.access import principals_of as core_principals_of
from ..core.errors import DomainError, ValidationFailed
from ..documents.types import TYPE_CODES
from ..incoming.workflow import Status
from ..org.models import User
from .backend import get_backend
from .health import start_rebuild
from .indexing import KIND_INCOMING

log = logging.getLogger(__name__)

ORDERS = ("relevance", "date")
DIRECTIONS = (KIND_INCOMING,)
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 500


def principals_of(user: User) -> set[str]:
    """The tokens a user holds; a document is found only through one of them. They are
    the ones every access rule decides by (``core.access.principals_of``); the
    organisation is a separate restriction of every query, and confidential entries are
    not in the index at all."""
    return set(core_principals_of(user))


@dataclass
class Filters:
    doc_type: str | None = None
    direction: str | None = None
    year: int | None = None
    status: str | None = None
    unit: str | None = None

    def as_engine(self) -> dict[str, str | int]:
        return {k: v for k, v in vars(self).items() if v not in (None, "")}

    @property
    def any(self) -> bool:
        return bool(self.as_engine())


@dataclass
class FoundDocument:
    """A hit, with where to open it."""

    hit: Hit
    kind: str
    document_id: int
    url: str

    @property
    def day(self) -> date | None:
        try:
            return date.fromisoformat(self.hit.date[:10])
        except ValueError:
            return None

    def as_dict(self) -> dict:
        h = self.hit
        return {
            "id": h.id, "kind": self.kind, "document_id": self.document_id, "url": self.url,
            "subject_html": h.subject_html, "number_symbol": h.number_symbol,
            "sender": h.sender, "date": h.date, "snippets": h.snippets, "score": h.score,
            "text_searchable": h.text_searchable,
        }


@dataclass
class SearchPage:
    text: str
    filters: Filters
    order: str
    results: SearchResults
    documents: list[FoundDocument] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return bool(self.text.strip()) or self.filters.any


def _validate(text: str, filters: Filters, order: str, page: int, per_page: int) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise ValidationFailed("too_long", _("Câu tìm kiếm quá dài (tối đa %(n)s ký tự).",
                                             n=MAX_QUERY_CHARS), "q")
    if order not in ORDERS:
        raise ValidationFailed("invalid_order", _("Thứ tự sắp xếp không hợp lệ."), "order")
    if filters.doc_type and filters.doc_type not in TYPE_CODES:
        raise ValidationFailed("invalid_type", _("Loại văn bản không hợp lệ."), "type")
    if filters.direction and filters.direction not in DIRECTIONS:
        raise ValidationFailed("invalid_direction", _("Loại sổ (đến/đi) không hợp lệ."),
                               "direction")
    if filters.status and filters.status not in {s.value for s in Status}:
        raise ValidationFailed("invalid_status", _("Trạng thái không hợp lệ."), "status")
    if filters.year is not None and not 1945 <= filters.year <= 2200:
        raise ValidationFailed("invalid_year", _("Năm không hợp lệ."), "year")
    if page < 1:
        raise ValidationFailed("invalid_page", _("Số trang phải từ 1."), "page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed("invalid_per_page",
                               _("Mỗi trang từ 1 đến %(n)s kết quả.", n=MAX_PER_PAGE), "per_page")


def search(user: User, text: str, filters: Filters | None = None, *, order: str = "relevance",
           page: int = 1, per_page: int = 20) -> SearchPage:
    """What ``user`` may open among the documents matching ``text`` and ``filters``.

    An empty question (no words, no filter) finds nothing; filters alone list the
    matching documents."""
    filters = filters or Filters()
    text = (text or "").strip()
    _validate(text, filters, order, page, per_page)
    if not text and not filters.any:
        return SearchPage(text, filters, order, SearchResults(0, [], page, per_page))
    query = SearchQuery(text=text, org_id=user.organisation_id, principals=principals_of(user),
                        filters=filters.as_engine(), order=order,  # type: ignore[arg-type]
                        page=page, per_page=per_page)
    try:
        results = get_backend().query(query)
    except Exception as exc:  # a damaged index: repair it, tell the person to retry
        log.exception("search: query failed; rebuilding the index")
        start_rebuild()
        raise DomainError(
            "search_unavailable",
            _("Chỉ mục tìm kiếm đang được xây dựng lại. Hãy thử lại sau ít phút."),
            status=503,
        ) from exc
    found = []
    for hit in results.hits:
        kind, _sep, ident = hit.id.partition(":")
        if kind == KIND_INCOMING:
            url = url_for("incoming.show", document_id=int(ident))
        else:  # pragma: no cover - only incoming documents are indexed so far
            continue
        found.append(FoundDocument(hit, kind, int(ident), url))
    return SearchPage(text, filters, order, results, found)
