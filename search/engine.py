"""Query execution over Whoosh segments with numpy: match, filter, count, rank.

Whoosh's own matchers walk postings one document at a time in Python. A common
Vietnamese syllable ("ban", "van", "xa") occurs in most documents, so a query would
step through ~100,000 postings per term. Here each posting list is decoded once per
(immutable) segment into numpy arrays — document numbers and the precomputed impact
weights written by ``search.schema`` — and kept in a bounded LRU cache. A query then
runs as vectorised set operations per segment:

1. intersect the required terms (and OR-alternatives) → candidate documents;
2. apply organisation, filters, ACL and deletions → the documents the user may open
   (their count is the total; nothing outside the ACL is ever counted);
3. score only those with scattered dense weight vectors; exact-diacritic matches form
   a higher tier; ``argpartition`` picks the page without sorting everything.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher

EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_W = np.zeros(0, dtype=np.float32)

Postings = tuple[np.ndarray, np.ndarray]  # sorted docnums (int64), weights (float32)


@dataclass(slots=True)
class Clause:
    """One required condition: a document must contain *any* of ``alternatives``,
    each a conjunction of (field, term) pairs."""

    alternatives: list[list[tuple[str, str]]]


@dataclass(slots=True)
class Plan:
    """An analysed query: what must match, what may only add to the score."""

    clauses: list[Clause] = field(default_factory=list)
    # (field, term, boost): relevance contributions
    scoring: list[tuple[str, str, float]] = field(default_factory=list)
    # exact (diacritic) terms; each one matched lifts a document one tier
    exact: list[str] = field(default_factory=list)
    # exact-value restrictions: (field, [allowed values]) — any value matches
    restrictions: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass(slots=True)
class Ranked:
    total: int
    hits: list[tuple[float, int]]  # (score, global docnum), best first


class PostingCache:
    """LRU of decoded posting lists, bounded in bytes, keyed by segment and term.

    Segment files never change once written (deletions live in the TOC), so an
    entry stays valid for as long as its segment exists.
    """

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple[str, str, str], Postings] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, leaf: Any, seg_id: str, fieldname: str, term: str) -> Postings:
        key = (seg_id, fieldname, term)
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return hit
        value = read_postings(leaf, fieldname, term)
        size = value[0].nbytes + value[1].nbytes + 100
        with self._lock:
            self._data[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._data) > 1:
                _, old = self._data.popitem(last=False)
                self._bytes -= old[0].nbytes + old[1].nbytes + 100
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0


def read_postings(leaf: Any, fieldname: str, term: str) -> Postings:
    """Decode a whole posting list block by block (never posting by posting)."""
    tbytes = term.encode("utf-8")
    if (fieldname, tbytes) not in leaf:
        return EMPTY_IDS, EMPTY_W
    m = leaf.postings(fieldname, tbytes)
    if not isinstance(m, W3LeafMatcher):
        ids_l: list[int] = []
        w_l: list[float] = []
        while m.is_active():
            ids_l.append(m.id())
            w_l.append(m.weight())
            m.next()
        return np.asarray(ids_l, dtype=np.int64), np.asarray(w_l, dtype=np.float32)
    id_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    while not m._atend:
        if m._data is None:
            m._read_data()
        deltas, weights = m._data[0], m._data[1]
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
        id_parts.append(ids)
        if weights is None:
            w_parts.append(np.ones(len(ids), dtype=np.float32))
        elif isinstance(weights, float):
            w_parts.append(np.full(len(ids), weights, dtype=np.float32))
        else:
            w_parts.append(np.asarray(weights, dtype=np.float32))
        m._next_block()
    if len(id_parts) == 1:
        return id_parts[0], w_parts[0]
    return np.concatenate(id_parts), np.concatenate(w_parts)


class Engine:
    """Executes ``Plan``s against one Whoosh reader (a snapshot of the index)."""

    def __init__(self, reader: Any, cache: PostingCache) -> None:
        self.reader = reader
        self.cache = cache
        self.leaves: list[tuple[Any, int, str]] = []
        for leaf, offset in reader.leaf_readers():
            seg = leaf.segment()
            seg_id = seg.segment_id() if seg is not None else f"mem{id(leaf)}"
            self.leaves.append((leaf, offset, seg_id))
        self.doc_count = reader.doc_count()
        self._live: dict[str, np.ndarray | None] = {}
        self._dates: dict[str, np.ndarray] = {}

    # -- per-segment helpers -------------------------------------------------------

    def _postings(self, leaf: Any, seg_id: str, fieldname: str, term: str) -> Postings:
        return self.cache.get(leaf, seg_id, fieldname, term)

    def _live_mask(self, leaf: Any, seg_id: str) -> np.ndarray | None:
        if seg_id not in self._live:
            if leaf.has_deletions():
                mask = np.ones(leaf.doc_count_all(), dtype=bool)
                deleted = leaf.segment().deleted_docs()
                mask[np.fromiter(deleted, dtype=np.int64)] = False
                self._live[seg_id] = mask
            else:
                self._live[seg_id] = None
        return self._live[seg_id]

    def _date_column(self, leaf: Any, seg_id: str) -> np.ndarray:
        col = self._dates.get(seg_id)
        if col is None:
            n = leaf.doc_count_all()
            if leaf.has_column("date"):
                creader = leaf.column_reader("date")
                col = np.fromiter((creader[i] for i in range(n)), dtype=np.int64, count=n)
            else:
                col = np.zeros(n, dtype=np.int64)
            self._dates[seg_id] = col
        return col

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return sum(
            len(self._postings(leaf, seg_id, fieldname, term)[0])
            for leaf, _off, seg_id in self.leaves
        )

    def _idf(self, fieldname: str, term: str) -> float:
        df = self.doc_frequency(fieldname, term)
        n = max(1, self.doc_count)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _conjunction(
        self, leaf: Any, seg_id: str, terms: list[tuple[str, str]], size: int
    ) -> np.ndarray:
        lists = sorted((self._postings(leaf, seg_id, f, t)[0] for f, t in terms), key=len)
        cur = lists[0]
        for other in lists[1:]:
            if not len(cur):
                break
            mask = np.zeros(size, dtype=bool)
            mask[other] = True
            cur = cur[mask[cur]]
        return cur

    def _any(
        self, leaf: Any, seg_id: str, fieldname: str, values: Iterable[str], size: int
    ) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        for v in values:
            mask[self._postings(leaf, seg_id, fieldname, v)[0]] = True
        return mask

    # -- the query -----------------------------------------------------------------

    def run(self, plan: Plan, limit: int, order: str = "relevance") -> Ranked:
        if not plan.clauses and not plan.restrictions:
            return Ranked(0, [])
        idfs = {(f, t): self._idf(f, t) * boost for f, t, boost in plan.scoring}
        total = 0
        candidates: list[tuple[float, float, int]] = []  # (primary key, score, docnum)
        for leaf, offset, seg_id in self.leaves:
            size = leaf.doc_count_all()
            if not size:
                continue
            docs = self._match(leaf, seg_id, plan, size)
            if docs is None or not len(docs):
                continue
            total += len(docs)
            scores = np.zeros(len(docs), dtype=np.float64)
            for (f, t), weight in idfs.items():
                ids, w = self._postings(leaf, seg_id, f, t)
                if not len(ids):
                    continue
                dense = np.zeros(size, dtype=np.float32)
                dense[ids] = w
                scores += dense[docs] * weight
            if order == "date":
                primary = self._date_column(leaf, seg_id)[docs].astype(np.float64)
            else:
                tiers = np.zeros(len(docs), dtype=np.float64)
                for term in plan.exact:
                    ids = self._postings(leaf, seg_id, "x", term)[0]
                    if len(ids):
                        mask = np.zeros(size, dtype=bool)
                        mask[ids] = True
                        tiers += mask[docs]
                primary = tiers
            if order == "date":
                combined = primary
            else:
                # Tier first, score second, folded into one float for argpartition.
                spread = float(scores.max() - scores.min()) + 1.0
                combined = primary * spread + (scores - scores.min())
            k = min(limit, len(docs))
            if k < len(docs):
                top = np.argpartition(-combined, k - 1)[:k]
                # Keep every document tied with the k-th so that pages never overlap
                # or skip when the final order breaks ties by docnum.
                top = np.flatnonzero(combined >= combined[top].min())
            else:
                top = np.arange(len(docs))
            for i in top.tolist():
                candidates.append((float(primary[i]), float(scores[i]), int(docs[i]) + offset))
        candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
        return Ranked(total, [(score, docnum) for _p, score, docnum in candidates[:limit]])

    def _match(self, leaf: Any, seg_id: str, plan: Plan, size: int) -> np.ndarray | None:
        allowed = np.ones(size, dtype=bool)
        for fieldname, values in plan.restrictions:
            allowed &= self._any(leaf, seg_id, fieldname, values, size)
        live = self._live_mask(leaf, seg_id)
        if live is not None:
            allowed &= live
        if not plan.clauses:
            return np.flatnonzero(allowed)
        # Most selective clause first; each further clause only filters survivors.
        per_clause: list[np.ndarray] = []
        for clause in plan.clauses:
            alts = [self._conjunction(leaf, seg_id, conj, size) for conj in clause.alternatives]
            if len(alts) == 1:
                per_clause.append(alts[0])
            else:
                per_clause.append(np.unique(np.concatenate(alts)))
        per_clause.sort(key=len)
        docs = per_clause[0]
        docs = docs[allowed[docs]]
        for other in per_clause[1:]:
            if not len(docs):
                break
            mask = np.zeros(size, dtype=bool)
            mask[other] = True
            docs = docs[mask[docs]]
        return docs
