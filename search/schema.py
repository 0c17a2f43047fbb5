"""The Whoosh schema of the document index and the mapping of a document onto it.

Text fields store a precomputed *impact* per posting (a BM25-style saturated term
frequency, already normalised by document length) as the posting weight, so that a
query scores a document as Σ idf(term) × impact without reading document lengths.

Fields
------
id         unique document id (stored)
org        organisation id; every query is restricted to one
acl        principal tokens allowed to open the document ("u:12", "unit:3", …)
direction, doc_type, year, unit, status, searchable   exact-value filters
date       sortable integer yyyymmddHHMMSS (column, for date order)
f          folded unigrams of subject (×3), number/symbol, sender and content
x          exact (diacritic) unigrams of the same text, for exact-first ranking
b          folded syllable bigrams, for phrases and adjacency ranking
n          number/symbol terms ("5/qd-ubnd", "5", "qd", "ubnd")
subject, number_symbol, sender, date_iso   stored for display and snippets
content    stored for snippets only (Whoosh compresses stored fields)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from whoosh import columns, fields, formats

from search.analysis import (
    bigram_analyzer,
    bigrams,
    diacritic_tokens,
    exact_analyzer,
    folded_analyzer,
    nfc,
    symbol_analyzer,
    symbol_terms,
    token_views,
)
from search.backend import IndexedDoc

SCHEMA_VERSION = 1

# Subject words matter more than body words: a document *about* "đất đai" names it in
# its trích yếu.
SUBJECT_WEIGHT = 3
# BM25 saturation and length normalisation, with a fixed average length: ranking only
# compares documents against each other, so the exact average does not matter much,
# and a fixed value keeps impacts stable across segments and rebuilds.
K1 = 1.2
B = 0.5
AVG_LEN = 300.0

FILTER_FIELDS = ("direction", "doc_type", "year", "unit", "status")
TEXT_FIELDS = ("f", "x", "b", "n")


class ImpactField(fields.FieldType):
    """An indexed, unstored text field whose value is a ready-made {term: impact} map.

    Passing precomputed terms bypasses Whoosh's per-token analysis pipeline; the
    analyzer is still attached so that Whoosh tools (query parser, highlighter) that
    analyse text themselves produce the same terms.
    """

    precomputed = True  # BulkSegmentWriter takes the (terms, impacts) pair directly

    def __init__(self, analyzer: Any) -> None:
        super().__init__(
            formats.Existence(),
            analyzer,
            scorable=False,
            stored=False,
            unique=False,
        )
        self.analyzer = analyzer

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms, impacts = value
        for term, impact in sorted(zip(terms, impacts, strict=True)):
            yield term.encode("utf-8"), 1, float(impact), b""


class TokenSetField(fields.FieldType):
    """Whitespace-separated exact tokens (principals), presence only, never scored."""

    def __init__(self) -> None:
        super().__init__(formats.Existence(), None, scorable=False, stored=False)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        for token in sorted(set(value.split())):
            yield token.encode("utf-8"), 1, 1.0, b""

    def process_text(self, qstring: str, mode: str = "", **kwargs: Any) -> Iterator[str]:
        return iter(qstring.split())


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        org=fields.ID(),
        acl=TokenSetField(),
        direction=fields.ID(),
        doc_type=fields.ID(),
        year=fields.ID(),
        unit=fields.ID(),
        status=fields.ID(),
        searchable=fields.ID(stored=True),
        date=fields.COLUMN(columns.NumericColumn("q")),
        f=ImpactField(folded_analyzer()),
        x=ImpactField(exact_analyzer()),
        b=ImpactField(bigram_analyzer()),
        n=ImpactField(symbol_analyzer()),
        subject=fields.STORED(),
        number_symbol=fields.STORED(),
        sender=fields.STORED(),
        date_iso=fields.STORED(),
        content=fields.STORED(),
    )


def date_key(value: date | datetime) -> int:
    """yyyymmddHHMMSS as an integer (arithmetic; same as ``int(strftime(…))``)."""
    key = (value.year * 100 + value.month) * 100 + value.day
    if isinstance(value, datetime):
        return ((key * 100 + value.hour) * 100 + value.minute) * 100 + value.second
    return key * 1_000_000


Impacts = tuple[list[str], list[float]]


def _count_elements_py(mapping: Counter[str], iterable: list[str]) -> None:
    get = mapping.get
    for elem in iterable:
        mapping[elem] = get(elem, 0) + 1


try:  # Counter.update's C helper, without its per-call isinstance(Mapping) check
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python implementations
    _count_elements = _count_elements_py
# Largest term count for which ``_impacts`` builds a lookup table.
_IMPACT_TABLE_MAX = 4096


def _impacts(tf: Counter[str], doc_len: int) -> Impacts:
    """(terms, impacts): BM25 term-frequency saturation with length normalisation."""
    norm = K1 * (1.0 - B + B * doc_len / AVG_LEN)
    k = K1 + 1.0
    if not tf:
        return [], []
    top = max(tf.values())
    if top > _IMPACT_TABLE_MAX:
        return list(tf), [c * k / (c + norm) for c in tf.values()]
    # Counts are small integers: compute each distinct impact once (the same
    # expression, so the same floats) and look them up in C.
    table = [c * k / (c + norm) for c in range(top + 1)]
    return list(tf), list(map(table.__getitem__, tf.values()))


def doc_fields(doc: IndexedDoc) -> dict[str, Any]:
    """Everything ``writer.update_document`` needs for one document."""
    subject = nfc(doc.subject or "")
    sender = nfc(doc.sender or "")
    number_symbol = nfc(doc.number_symbol or "")
    content = nfc(doc.content or "")

    tf_folded: Counter[str] = Counter()
    tf_exact: Counter[str] = Counter()
    tf_pairs: Counter[str] = Counter()
    doc_len = 0
    # Parts are tokenised separately so that no bigram spans two of them; the subject
    # is counted several times to weigh it. The counting runs in C.
    for text, weight in ((subject, SUBJECT_WEIGHT), (number_symbol, 1), (sender, 1), (content, 1)):
        if not text:
            continue
        raw, fold_ = token_views(text, is_nfc=True)
        dia = diacritic_tokens(raw)
        bi = bigrams(fold_)
        for _ in range(weight):
            _count_elements(tf_folded, fold_)
            _count_elements(tf_exact, dia)
            _count_elements(tf_pairs, bi)
        doc_len += weight * len(fold_)
    doc_len = max(1, doc_len)
    numbers = Counter({t: SUBJECT_WEIGHT for t in symbol_terms(number_symbol)})

    fields_: dict[str, Any] = {
        "id": doc.id,
        "org": str(doc.org_id),
        "acl": " ".join(doc.acl),
        "direction": doc.direction,
        "doc_type": doc.doc_type,
        "year": str(doc.year),
        "status": doc.status,
        "searchable": "1" if doc.text_searchable else "0",
        "date": date_key(doc.date),
        "f": _impacts(tf_folded, doc_len),
        "x": _impacts(tf_exact, doc_len),
        "b": _impacts(tf_pairs, doc_len),
        "n": _impacts(numbers, 1),
        "subject": subject,
        "number_symbol": number_symbol,
        "sender": sender,
        "date_iso": doc.date.isoformat(),
        "content": content,
    }
    if doc.unit:
        fields_["unit"] = str(doc.unit)
    return fields_
