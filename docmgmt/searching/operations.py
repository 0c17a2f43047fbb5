"""Searching every kind of record: who may find what, and the question every door asks.

Access is decided by the same rules as opening a record (each kind's own rule,
``searching.kinds``), expressed as principal tokens: a user's tokens are matched against
each record's ACL inside the engine, so totals, pages and snippets are computed over
what the user may open and nothing else. Dossiers (hồ sơ) are hits like the rest.

Filters: ``kind`` (one kind), ``direction`` (đến/đi: the kinds of that direction — the
engine's ``direction`` field holds each record's kind), ``type``, ``year``, ``unit``
and ``status`` (the values of every kind; each kind labels its own).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from search.backend import Hit, SearchQuery, SearchResults
from search.querying import last_word

from ..core.access import principals_of as core_principals_of
from ..core.errors import DomainError, ValidationFailed
from ..documents.types import TYPE_CODES
from ..org.models import User
from . import kinds
from .backend import get_backend
from .health import start_rebuild
from .kinds import DIRECTIONS, KINDS, STATUSES

log = logging.getLogger(__name__)

ORDERS = ("relevance", "date")
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
    direction: str | None = None  # "incoming" (đến) | "outgoing" (đi)
    year: int | None = None
    status: str | None = None
    unit: str | None = None
    kind: str | None = None  # one of kinds.KINDS

    def asked_kinds(self) -> tuple[str, ...] | None:
        """The kinds asked for (None: every kind): the kind filter within the direction's."""
        wanted = set(KINDS)
        if self.kind:
            wanted &= {self.kind}
        if self.direction:
            wanted &= set(DIRECTIONS.get(self.direction, ()))
        return None if wanted == set(KINDS) else tuple(k for k in KINDS if k in wanted)

    def as_engine(self) -> dict[str, str | int | list[str]]:
        engine: dict[str, str | int | list[str]] = {
            k: v for k, v in (("doc_type", self.doc_type), ("year", self.year), ("status", self.status),
                              ("unit", self.unit)) if v not in (None, "")}
        asked = self.asked_kinds()
        if asked is not None:
            engine["direction"] = list(asked)  # the engine's direction field holds the kind
        return engine

    @property
    def any(self) -> bool:
        return any(v not in (None, "") for v in vars(self).values())


@dataclass
class FoundDocument:
    """A hit, with what kind of record it is and where to open it."""

    hit: Hit
    kind: str
    document_id: int
    url: str

    @property
    def kind_info(self) -> kinds.Kind:
        return KINDS[self.kind]

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind].label)

    @property
    def day(self) -> date | None:
        try:
            return date.fromisoformat(self.hit.date[:10])
        except ValueError:
            return None

    @property
    def date_label(self) -> str:
        """What the hit's date is, for its kind: an outgoing document's is its issuance
        date once numbered, the day it was drafted before."""
        if self.kind in (kinds.OUTGOING, kinds.MINUTES):
            return _("ngày ban hành") if self.hit.number_symbol else _("ngày tạo")
        return str(KINDS[self.kind].date_label)

    def as_dict(self) -> dict:
        h = self.hit
        return {
            "id": h.id, "kind": self.kind, "kind_label": self.kind_label, "document_id": self.document_id,
            "url": self.url, "subject_html": h.subject_html, "number_symbol": h.number_symbol,
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
    if filters.kind and filters.kind not in KINDS:
        raise ValidationFailed("invalid_kind", _("Loại hồ sơ, tài liệu không hợp lệ."), "kind")
    if filters.status and filters.status not in STATUSES:
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
    """What ``user`` may open among the records of every kind matching ``text`` and
    ``filters``.

    An empty question (no words, no filter) finds nothing; filters alone list the
    matching records."""
    filters = filters or Filters()
    text = (text or "").strip()
    _validate(text, filters, order, page, per_page)
    if (not text and not filters.any) or filters.asked_kinds() == ():
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
    return SearchPage(text, filters, order, results, found_documents(results.hits))


def found_documents(hits: list[Hit]) -> list[FoundDocument]:
    """The hits with their kind and page (one query per kind at most)."""
    parsed = []
    for hit in hits:
        kind, _sep, ident = hit.id.partition(":")
        if kind in KINDS and (ident.isdecimal() and len(ident) <= 18):
            parsed.append((hit, kind, int(ident)))
    pages: dict[str, dict[int, str]] = {}
    for kind in {k for _h, k, _i in parsed}:
        pages[kind] = kinds.urls(kind, [i for _h, k, i in parsed if k == kind])
    # A record gone since the index was written (its job not applied yet) has no page.
    return [FoundDocument(hit, kind, ident, pages[kind].get(ident, "")) for hit, kind, ident in parsed]


MAX_SUGGESTIONS = 8


def suggest(user: User, text: str, limit: int = MAX_SUGGESTIONS) -> list[dict[str, str]]:
    """Completions of the word being typed at the end of ``text`` (``{"word", "text"}``:
    the word with its diacritics, and the whole question with it completed), from the
    documents ``user`` may open. Suggestions are a convenience: a question too long, or
    an index that cannot answer, gives none rather than an error under the search box."""
    text = text or ""
    split = last_word(text)
    if len(text) > MAX_QUERY_CHARS or split is None:
        return []
    try:
        words = get_backend().suggest(text, user.organisation_id, principals_of(user), limit=limit)
    except Exception:  # the index is being rebuilt or damaged: the search page says so
        log.warning("search: suggestions failed", exc_info=True)
        return []
    head = split[0]
    return [{"word": w, "text": head + w} for w in words]
