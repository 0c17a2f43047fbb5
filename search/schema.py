"""The Whoosh schema of the document index and the mapping of a document onto it.

Text fields store a precomputed *impact* per posting (a BM25-style saturated term
frequency, already normalised by document length) as the posting weight, so that a
query scores a document as Σ idf(term) × impact without reading document lengths.

Two implementations of the mapping give the same terms and weights (a test checks):
``doc_fields`` (one document, plain Python: the definition) and ``analyse`` (a batch
of documents at once: what the backend indexes with). ``analyse`` turns every token
into an integer id once (a per-process vocabulary: Vietnamese has a few thousand
syllables, so folding and the diacritic test run once per distinct token, not per
occurrence) and then counts, weighs and pairs the tokens of the whole batch with a
few numpy sorts instead of Python work per token.

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

import threading
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from whoosh import columns, fields, formats

from search.analysis import (
    TOKEN_RE,
    _prepare_nfc,
    bigram_analyzer,
    bigrams,
    diacritic_tokens,
    exact_analyzer,
    fold,
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
    """Everything ``writer.add_document`` needs for one document: the definition of
    what is indexed (``analyse`` computes the same for many documents at once)."""
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


# --- batch analysis -------------------------------------------------------------------

# Fields whose value is one exact term (or none), and how a document gives it.
KEYWORD_FIELDS = ("id", "org", "direction", "doc_type", "year", "unit", "status", "searchable")
STORED_FIELDS = ("id", "searchable", "subject", "number_symbol", "sender", "date_iso", "content")


@dataclass(slots=True)
class FieldPostings:
    """The postings of one field for a batch: ``terms`` are the batch's distinct
    terms (str for the text fields, UTF-8 bytes for the exact-value ones); posting
    ``i`` is (``terms[term[i]]``, batch document ``doc[i]``, ``weight[i]``), in
    document order."""

    terms: list[Any]
    term: np.ndarray  # int32
    doc: np.ndarray  # int32, non-decreasing
    weight: np.ndarray  # float32


@dataclass(slots=True)
class AnalysedBatch:
    """What ``BulkSegmentWriter.add_batch`` needs for ``count`` documents."""

    count: int
    postings: dict[str, FieldPostings]  # indexed field → postings
    stored: list[dict[str, Any]]  # per document: stored field → value
    columns: dict[str, list[Any]]  # column field → value per document


class _Vocabulary:
    """Per-process token ids: raw token (prepared: NFC, lower case) → id, with the
    id of its folded form and whether folding changed it (a diacritic token)."""

    MAX_TOKENS = 2_000_000  # odd input (codes, numbers) may grow it: start afresh

    def __init__(self) -> None:
        self.ids = _TokenIds(self)
        self.fold_of = array("i")  # raw id → folded id
        self.diacritic = array("b")  # raw id → 1 if the token has diacritics
        self.folded_ids: dict[str, int] = {}
        self.folded: list[str] = []  # folded id → folded token
        self.raw: list[str] = []  # raw id → token

    def add(self, token: str) -> int:
        rid = len(self.fold_of)
        folded = fold(token)
        fid = self.folded_ids.get(folded)
        if fid is None:
            fid = self.folded_ids[folded] = len(self.folded)
            self.folded.append(folded)
        self.fold_of.append(fid)
        self.diacritic.append(folded != token)
        self.raw.append(token)
        self.ids[token] = rid
        return rid


class _TokenIds(dict):  # type: ignore[type-arg]
    __slots__ = ("_vocab",)

    def __init__(self, vocab: _Vocabulary) -> None:
        super().__init__()
        self._vocab = vocab

    def __missing__(self, token: str) -> int:
        return self._vocab.add(token)


_vocab = _Vocabulary()
_vocab_lock = threading.Lock()
_symbol_cache: dict[str, list[str]] = {}


def _symbol_terms(number_symbol: str) -> list[str]:
    terms = _symbol_cache.get(number_symbol)
    if terms is None:
        if len(_symbol_cache) > 100_000:
            _symbol_cache.clear()
        terms = _symbol_cache[number_symbol] = symbol_terms(number_symbol)
    return terms


def analyse(docs: Sequence[IndexedDoc]) -> AnalysedBatch:
    """``doc_fields`` for a batch of documents, as postings per field (see module
    docstring). Thread-safe (the vocabulary is shared by the process)."""
    global _vocab
    with _vocab_lock:
        if len(_vocab.fold_of) > _Vocabulary.MAX_TOKENS:
            _vocab = _Vocabulary()
        return _analyse(docs, _vocab)


def _analyse(docs: Sequence[IndexedDoc], vocab: _Vocabulary) -> AnalysedBatch:
    tokens = array("i")
    add_tokens = tokens.extend
    token_id = vocab.ids.__getitem__
    # One "part" per non-empty tokenised text of a document: no bigram spans two.
    # The subject is SUBJECT_WEIGHT parts, so that plain counting weighs it.
    part_doc: list[int] = []
    part_len: list[int] = []
    numbers: list[str] = []
    number_doc: list[int] = []
    stored: list[dict[str, Any]] = []
    dates: list[int] = []
    keywords: dict[str, list[str | None]] = {name: [] for name in KEYWORD_FIELDS}
    acl_terms: list[str] = []
    acl_doc: list[int] = []
    findall = TOKEN_RE.findall
    for i, doc in enumerate(docs):
        subject = nfc(doc.subject or "")
        sender = nfc(doc.sender or "")
        number_symbol = nfc(doc.number_symbol or "")
        content = nfc(doc.content or "")
        for text, weight in ((subject, SUBJECT_WEIGHT), (number_symbol, 1), (sender, 1), (content, 1)):
            if text:
                found = findall(_prepare_nfc(text))
                if found:
                    n = len(found)
                    add_tokens(map(token_id, found))
                    for _ in range(weight - 1):
                        add_tokens(tokens[-n:])
                    part_doc += [i] * weight
                    part_len += [n] * weight
        if number_symbol:
            terms = _symbol_terms(number_symbol)
            numbers += terms
            number_doc += [i] * len(terms)
        principals = sorted(set(" ".join(doc.acl).split()))
        acl_terms += principals
        acl_doc += [i] * len(principals)
        searchable = "1" if doc.text_searchable else "0"
        values = (
            doc.id,
            str(doc.org_id),
            doc.direction,
            doc.doc_type,
            str(doc.year),
            str(doc.unit) if doc.unit else None,
            doc.status,
            searchable,
        )
        for name, value in zip(KEYWORD_FIELDS, values, strict=True):
            keywords[name].append(value)
        stored.append(
            {
                "id": doc.id,
                "searchable": searchable,
                "subject": subject,
                "number_symbol": number_symbol,
                "sender": sender,
                "date_iso": doc.date.isoformat(),
                "content": content,
            }
        )
        dates.append(date_key(doc.date))

    count = len(stored)
    postings: dict[str, FieldPostings] = {}
    for name in KEYWORD_FIELDS:
        postings[name] = _exact_values(keywords[name])
    postings["acl"] = _exact_terms(acl_terms, acl_doc)
    postings["n"] = _symbol_postings(numbers, number_doc)
    if tokens:
        postings.update(_text_postings(tokens, part_doc, part_len, count, vocab))
    return AnalysedBatch(count, postings, stored, {"date": dates})


def _exact_values(values: list[str | None]) -> FieldPostings:
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    return _exact_terms([v for _i, v in present], [i for i, _v in present])


def _exact_terms(terms: list[str], doc: list[int]) -> FieldPostings:
    ids: dict[str, int] = {}
    term = [ids.setdefault(t, len(ids)) for t in terms]
    return FieldPostings(
        [t.encode("utf-8") for t in ids],
        np.array(term, dtype=np.int32),
        np.array(doc, dtype=np.int32),
        np.ones(len(doc), dtype=np.float32),
    )


def _symbol_postings(terms: list[str], doc: list[int]) -> FieldPostings:
    # Every number/symbol term counts SUBJECT_WEIGHT in a "document" of length 1.
    impact = _impacts(Counter({"": SUBJECT_WEIGHT}), 1)[1][0]
    ids: dict[str, int] = {}
    term = [ids.setdefault(t, len(ids)) for t in terms]
    return FieldPostings(
        list(ids),
        np.array(term, dtype=np.int32),
        np.array(doc, dtype=np.int32),
        np.full(len(doc), impact, dtype=np.float32),
    )


def _text_postings(
    tokens: array, part_doc: list[int], part_len: list[int], count: int, vocab: _Vocabulary
) -> dict[str, FieldPostings]:
    """The f, x and b postings of a batch from its token ids (see ``doc_fields``)."""
    raw = np.frombuffer(tokens, dtype=np.int32)
    lens = np.array(part_len, dtype=np.int64)
    tdoc = np.repeat(np.array(part_doc, dtype=np.int64), lens)
    folded = np.array(vocab.fold_of, dtype=np.int32)[raw]
    diacritic = np.array(vocab.diacritic, dtype=bool)[raw]

    doc_len = np.maximum(np.bincount(tdoc, minlength=count), 1)
    # The expression of ``_impacts``, element-wise: the same float64 results.
    norm = K1 * (1.0 - B + B * doc_len / AVG_LEN)

    folded_terms = vocab.folded
    out = {
        "f": _counted(tdoc, folded, norm, folded_terms.__getitem__),
        "x": _counted(tdoc[diacritic], raw[diacritic], norm, vocab.raw.__getitem__),
    }
    # Bigrams: token i with token i + 1 of the same part, as one integer.
    if len(raw) > 1:
        pair_ok = np.ones(len(raw) - 1, dtype=bool)
        part_ends = np.cumsum(lens) - 1  # index of each part's last token
        pair_ok[part_ends[:-1]] = False
        span = int(folded.max()) + 1
        pairs = folded[:-1][pair_ok].astype(np.int64) * span + folded[1:][pair_ok]

        def name(pair: int) -> str:
            left, right = divmod(pair, span)
            return f"{folded_terms[left]} {folded_terms[right]}"

        out["b"] = _counted(tdoc[:-1][pair_ok], pairs, norm, name)
    return out


def _counted(tdoc: np.ndarray, term: np.ndarray, norm: np.ndarray, name: Any) -> FieldPostings:
    """Postings from (document, term) occurrences: count → impact. Sorts only (no
    argsort): the occurrences as one integer key each, then the distinct terms."""
    if not len(term):
        empty = np.zeros(0, dtype=np.int32)
        return FieldPostings([], empty, empty, np.zeros(0, dtype=np.float32))
    span = int(term.max()) + 1
    if len(norm) * span < 2**62:
        keys, counts = np.unique(tdoc * span + term, return_counts=True)
        docs, terms = np.divmod(keys, span)
    else:  # huge bigram ids: pair the document and the term without one key
        order = np.lexsort((term, tdoc))
        sd, st = tdoc[order], term[order]
        first = np.ones(len(sd), dtype=bool)
        first[1:] = (sd[1:] != sd[:-1]) | (st[1:] != st[:-1])
        starts = np.flatnonzero(first)
        docs, terms = sd[starts], st[starts]
        counts = np.diff(np.append(starts, len(sd)))
    if span <= 4 * len(terms) + 65536:  # term ids are small (token ids): no sort
        seen = np.zeros(span, dtype=bool)
        seen[terms] = True
        distinct = np.flatnonzero(seen)
        term_idx = (np.cumsum(seen) - 1)[terms]
    else:  # bigrams: pairs of token ids
        distinct = np.unique(terms)
        term_idx = np.searchsorted(distinct, terms)
    k = K1 + 1.0
    impacts = counts * k / (counts + norm[docs])
    return FieldPostings(
        list(map(name, distinct.tolist())),
        term_idx.astype(np.int32),
        docs.astype(np.int32),
        impacts.astype(np.float32),
    )
