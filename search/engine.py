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

Expansions of what was typed (the completions of the word being typed, typo
corrections, Telex decodings: ``search.querying``) are alternatives of a clause past
its ``strong`` ones; a document that meets a clause only through them ranks below
every document that meets all clauses as typed, whatever the scores.

A quoted phrase of three words or more is matched by its word pairs (bigrams), which
say nothing of where each pair stands; each candidate's stored text is then checked
for the words side by side (``PhraseCheck``), best-ranked candidates first.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher

from search.analysis import LETTER_VARIANTS, fold, letter_class, lower

EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_W = np.zeros(0, dtype=np.float32)

Postings = tuple[np.ndarray, np.ndarray]  # sorted docnums (int64), weights (float32)


@dataclass(slots=True)
class Clause:
    """One required condition: a document must contain *any* of ``alternatives``,
    each a conjunction of (field, term) pairs. ``alternatives[strong:]`` are
    expansions of what was typed: meeting the clause only through them ranks a
    document below those that meet it as typed (``None``: every one is as typed)."""

    alternatives: list[list[tuple[str, str]]]
    strong: int | None = None


@dataclass(slots=True)
class PhraseCheck:
    """Folded tokens that must stand side by side, in this order, in one field;
    ``open_end``: the last token is a word still being typed (a prefix)."""

    tokens: list[str]
    open_end: bool = False

    def pattern(self) -> re.Pattern[str]:
        """The tokens as they stand in a lower-cased text, any diacritics on their
        letters (each letter a class: "van" is v[aàáả…]n): separated by anything but
        letters and digits, not inside a longer word, numbers with or without their
        leading zeros (as ``analysis.prepare`` reads them). Searching the accented
        text this way is ~10× faster than folding it first."""
        parts = [
            ("0*" if t[:1].isdigit() else "") + "".join(map(letter_class, t)) for t in self.tokens
        ]
        if self.tokens[0][:1].isdigit():
            start = r"(?<![^\W_])" + parts[0]
        else:  # the letters first let the regex engine skip ahead to them
            start = parts[0] + r"(?<![^\W_]" + "." * len(self.tokens[0]) + ")"
        end = "" if self.open_end else r"(?![^\W_])"
        return re.compile(start + "".join(r"[\W_]+" + p for p in parts[1:]) + end)


@dataclass(slots=True)
class Plan:
    """An analysed query: what must match, what may only add to the score."""

    clauses: list[Clause] = field(default_factory=list)
    # (field, term, boost): relevance contributions
    scoring: list[tuple[str, str, float]] = field(default_factory=list)
    # Relevance contributions of which a document gets only the best one (the
    # expansions of one word: a document holding several completions of "hiể" is not
    # worth more for it).
    scoring_groups: list[list[tuple[str, str, float]]] = field(default_factory=list)
    # exact (diacritic) terms, in groups; a document holding a term of a group is
    # lifted one tier per group
    exact: list[list[str]] = field(default_factory=list)
    # exact-value restrictions: (field, [allowed values]) — any value matches
    restrictions: list[tuple[str, list[str]]] = field(default_factory=list)
    # phrases whose word pairs are clauses but whose adjacency must be verified
    phrases: list[PhraseCheck] = field(default_factory=list)
    # text was typed but none of it is searchable ("?", "*", "-"): nothing matches
    nothing: bool = False
    # some long word of the index could also be read as a typo of another
    # (``search.querying.build_plan(correct=True)``)
    correctable: bool = False
    # folded terms and prefixes to mark in snippets
    highlight: set[str] = field(default_factory=set)
    highlight_prefixes: set[str] = field(default_factory=set)


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
        self._texts: OrderedDict[tuple[str, int], tuple[str, ...]] = OrderedDict()
        self._text_bytes = 0
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

    def texts(self, leaf: Any, seg_id: str, docnum: int) -> tuple[str, ...]:
        """A document's stored text fields, lower-cased (for phrase checks), from a
        second LRU bounded at a quarter of ``max_bytes``."""
        key = (seg_id, docnum)
        with self._lock:
            hit = self._texts.get(key)
            if hit is not None:
                self._texts.move_to_end(key)
                return hit
        value = lowered_fields(leaf.stored_fields(docnum))
        size = sum(map(len, value)) + 100
        with self._lock:
            self._texts[key] = value
            self._text_bytes += size
            while self._text_bytes > self.max_bytes // 4 and len(self._texts) > 1:
                _, old = self._texts.popitem(last=False)
                self._text_bytes -= sum(map(len, old)) + 100
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0
            self._texts.clear()
            self._text_bytes = 0


# The stored fields whose words are indexed, each tokenised on its own (no word pair
# spans two of them: see ``search.schema.doc_fields``).
TEXT_FIELDS = ("subject", "number_symbol", "sender", "content")


def lowered_fields(stored: dict[str, Any]) -> tuple[str, ...]:
    return tuple(lower(stored.get(name) or "") for name in TEXT_FIELDS)


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


# Phrase checks: when the candidates of a query outnumber this, only the best-ranked
# ones (those a page can show) are checked, and the others count in the total as they
# are: a document holding every word pair of a common phrase holds the phrase itself
# all but always (3,982 of 3,986 in the benchmark corpus). A check costs ~100 µs for a
# document whose text is not cached yet (read, decompress, lower-case), ~15 µs after.
PHRASE_CHECKS = 500
# Completions: how many dictionary words (per field) are counted in the documents.
COMPLETION_CANDIDATES = 100

# Letters a typo may change (index terms are folded: no diacritics, lower case).
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


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

    @staticmethod
    def _union(parts: list[np.ndarray], size: int) -> np.ndarray:
        parts = [p for p in parts if len(p)]
        if not parts:
            return EMPTY_IDS
        if len(parts) == 1:
            return parts[0]
        mask = np.zeros(size, dtype=bool)
        for p in parts:
            mask[p] = True
        return np.flatnonzero(mask)

    def _weights_at(
        self, leaf: Any, seg_id: str, fieldname: str, term: str, docs: np.ndarray
    ) -> np.ndarray | None:
        """The term's posting weights at ``docs`` (sorted), 0 where it is absent."""
        ids, w = self._postings(leaf, seg_id, fieldname, term)
        if not len(ids):
            return None
        idx = np.searchsorted(ids, docs)
        idx[idx == len(ids)] = 0
        return np.where(ids[idx] == docs, w[idx], np.float32(0.0))

    # -- the dictionary (expansions of what was typed) -----------------------------

    def has_term(self, fieldname: str, term: str) -> bool:
        """Whether any document of the index holds ``term``."""
        tbytes = term.encode("utf-8")
        return any((fieldname, tbytes) in leaf for leaf, _off, _seg in self.leaves)

    def terms_with_prefix(self, fieldname: str, prefix: str, limit: int) -> list[str]:
        """The ``limit`` terms of the field starting with ``prefix``, most documents
        first (ties: shorter, then alphabetical)."""
        if not prefix:
            return []
        df: dict[bytes, int] = {}
        for leaf, _off, _seg in self.leaves:
            for tbytes, info in leaf.iter_prefix(fieldname, prefix.encode("utf-8")):
                df[tbytes] = df.get(tbytes, 0) + info.doc_frequency()
        best = sorted(df.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[:limit]
        return [t.decode("utf-8") for t, _n in best]

    def _has_prefix(self, fieldname: str, prefix: bytes) -> bool:
        for leaf, _off, _seg in self.leaves:
            for _t in leaf.expand_prefix(fieldname, prefix):
                return True
        return False

    def accented_prefixes(self, fieldname: str, folded_prefix: str, limit: int = 64) -> list[str]:
        """The prefixes of terms of the (accented) field that fold to ``folded_prefix``:
        "hie" → "hiê", "hiề", "hiể", … — walked letter by letter over the dictionary,
        each dead end cut at once."""
        current = [""]
        for ch in folded_prefix:
            nxt = []
            for head in current:
                for v in LETTER_VARIANTS.get(ch, [ch]):
                    cand = head + v
                    if self._has_prefix(fieldname, cand.encode("utf-8")):
                        nxt.append(cand)
            current = nxt[:limit]
            if not current:
                break
        return current

    def fuzzy_terms(self, fieldname: str, word: str, max_dist: int, limit: int = 8) -> list[str]:
        """Terms of the field within ``max_dist`` edits (insert, delete, replace, swap
        two neighbours) of ``word``, most documents first. One edit: every neighbour
        of the word is looked up (~50 per letter). Two edits: the terms sharing the
        word's first two letters are compared (a typo in both of them is rare)."""
        found: dict[str, int] = {}
        for cand in _edits1(word):
            tbytes = cand.encode("utf-8")
            n = 0
            for leaf, _off, _seg in self.leaves:
                if (fieldname, tbytes) in leaf:
                    n += leaf.doc_frequency(fieldname, tbytes)
            if n:
                found[cand] = found.get(cand, 0) + n
        if max_dist >= 2 and len(word) > 2:
            for leaf, _off, _seg in self.leaves:
                for tbytes, info in leaf.iter_prefix(fieldname, word[:2].encode("utf-8")):
                    term = tbytes.decode("utf-8")
                    near = term != word and abs(len(term) - len(word)) <= max_dist
                    if near and _distance(word, term, max_dist) <= max_dist:
                        found[term] = found.get(term, 0) + info.doc_frequency()
        found.pop(word, None)
        return [t for t, _n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]

    def _prefix_frequencies(self, fieldname: str, prefixes: list[str]) -> dict[str, int]:
        df: dict[str, int] = {}
        for prefix in dict.fromkeys(prefixes):
            for leaf, _off, _seg in self.leaves:
                for tbytes, info in leaf.iter_prefix(fieldname, prefix.encode("utf-8")):
                    term = tbytes.decode("utf-8")
                    df[term] = df.get(term, 0) + info.doc_frequency()
        return df

    def completions(
        self, context: Plan, words: list[str], limit: int, previous: str | None = None
    ) -> list[str]:
        """Words of the documents ``context`` finds (at least its restrictions: the
        organisation and the reader's principals) that start like one of ``words``
        (the word being typed, and its Telex reading), with their diacritics: first
        those that follow ``previous`` (the folded word typed before) in the most
        documents, then those in the most documents. A context that finds nothing (a
        typo before the word) is dropped for its restrictions alone."""
        folded_starts = [f for f in dict.fromkeys(map(fold, words)) if f]
        if not folded_starts or limit <= 0:
            return []
        accented_typed = [w for w in words if fold(w) != w]
        if accented_typed:
            # Diacritics typed: only words that start with them as typed.
            x_df = self._prefix_frequencies("x", accented_typed)
            f_df: dict[str, int] = {}
        else:
            prefixes = [p for f in folded_starts for p in self.accented_prefixes("x", f)]
            x_df = self._prefix_frequencies("x", prefixes)
            f_df = self._prefix_frequencies("f", folded_starts)
        x_terms = [t for t, _n in sorted(x_df.items(), key=lambda kv: -kv[1])[:COMPLETION_CANDIDATES]]
        f_terms = [t for t, _n in sorted(f_df.items(), key=lambda kv: -kv[1])[:COMPLETION_CANDIDATES]]
        if not x_terms and not f_terms:
            return []
        masks = self._context_masks(context)
        if context.clauses and not any(m.any() for _l, _s, m in masks):
            masks = self._context_masks(Plan(restrictions=context.restrictions))
        counts: dict[str, int] = {}
        accented_folds = {fold(t) for t in x_terms}
        # A word written without diacritics is offered only when the documents never
        # write it with them ("internet", not "cong" beside "công").
        plain_terms = [t for t in f_terms if t not in accented_folds]
        for leaf, seg_id, allowed in masks:
            if not allowed.any():
                continue
            for fieldname, terms in (("x", x_terms), ("f", plain_terms)):
                for t in terms:
                    ids = self._postings(leaf, seg_id, fieldname, t)[0]
                    n = int(np.count_nonzero(allowed[ids])) if len(ids) else 0
                    if n:
                        counts[t] = counts.get(t, 0) + n
        # Documents where the word follows ``previous``: the index knows the pair only
        # folded, so a pair's documents are shared among the words that fold alike, in
        # proportion to their own counts ("nhan dan": mostly dân, a little dẫn).
        follows: dict[str, float] = {}
        if previous:
            by_fold: dict[str, int] = {}
            for t, n in counts.items():
                by_fold[fold(t)] = by_fold.get(fold(t), 0) + n
            for folded_word, total in by_fold.items():
                pairs = 0
                for leaf, seg_id, allowed in masks:
                    ids = self._postings(leaf, seg_id, "b", f"{previous} {folded_word}")[0]
                    if len(ids):
                        pairs += int(np.count_nonzero(allowed[ids]))
                if pairs:
                    for t, n in counts.items():
                        if fold(t) == folded_word:
                            follows[t] = pairs * n / total
        ranked = sorted(counts.items(), key=lambda kv: (-follows.get(kv[0], 0.0), -kv[1], len(kv[0]), kv[0]))
        return [t for t, _n in ranked[:limit]]

    def _context_masks(self, context: Plan) -> list[tuple[Any, str, np.ndarray]]:
        out = []
        for leaf, _offset, seg_id in self.leaves:
            size = leaf.doc_count_all()
            if not size:
                continue
            mask = np.zeros(size, dtype=bool)
            matched = self._match(leaf, seg_id, context, size)
            if matched is not None:
                mask[matched[0]] = True
            out.append((leaf, seg_id, mask))
        return out

    # -- the query -----------------------------------------------------------------

    def run(self, plan: Plan, limit: int, order: str = "relevance") -> Ranked:
        if plan.nothing or (not plan.clauses and not plan.restrictions):
            return Ranked(0, [])
        idfs = {(f, t): self._idf(f, t) * boost for f, t, boost in plan.scoring}
        groups = [
            [(f, t, self._idf(f, t) * boost) for f, t, boost in group]
            for group in plan.scoring_groups
        ]
        tier_width = float(len(plan.exact) + 1)
        checks = _PhraseBudget(PHRASE_CHECKS)
        total = 0
        candidates: list[tuple[float, float, int]] = []  # (primary key, score, docnum)
        for leaf, offset, seg_id in self.leaves:
            size = leaf.doc_count_all()
            if not size:
                continue
            matched = self._match(leaf, seg_id, plan, size)
            if matched is None:
                continue
            docs, weak = matched
            if not len(docs):
                continue
            scores = np.zeros(len(docs), dtype=np.float64)
            for (f, t), weight in idfs.items():
                ids, w = self._postings(leaf, seg_id, f, t)
                if not len(ids):
                    continue
                dense = np.zeros(size, dtype=np.float32)
                dense[ids] = w
                scores += dense[docs] * weight
            for group in groups:
                best = np.zeros(len(docs), dtype=np.float64)
                for f, t, weight in group:
                    at = self._weights_at(leaf, seg_id, f, t, docs)
                    if at is not None:
                        np.maximum(best, at * weight, out=best)
                scores += best
            if order == "date":
                primary = self._date_column(leaf, seg_id)[docs].astype(np.float64)
                combined = primary
            else:
                tiers = np.zeros(len(docs), dtype=np.float64)
                for group_terms in plan.exact:
                    hit = self._union(
                        [self._postings(leaf, seg_id, "x", t)[0] for t in group_terms], size
                    )
                    if len(hit):
                        mask = np.zeros(size, dtype=bool)
                        mask[hit] = True
                        tiers += mask[docs]
                # Fewer clauses met only through expansions first, then exact tiers.
                primary = tiers - weak * tier_width if weak is not None else tiers
                # Tier first, score second, folded into one float for argpartition.
                spread = float(scores.max() - scores.min()) + 1.0
                combined = primary * spread + (scores - scores.min())
            k = min(limit, len(docs))
            if plan.phrases:
                keep = self._check_phrases(leaf, seg_id, plan.phrases, docs, combined, k, checks)
                if keep is not None:
                    docs, scores, primary, combined = docs[keep], scores[keep], primary[keep], combined[keep]
                    k = min(limit, len(docs))
                    if not len(docs):
                        continue
            total += len(docs)
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

    def _match(
        self, leaf: Any, seg_id: str, plan: Plan, size: int
    ) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(documents meeting every clause, for each how many clauses it meets only
        through expansions — None when the plan has none)."""
        allowed = np.ones(size, dtype=bool)
        for fieldname, values in plan.restrictions:
            allowed &= self._any(leaf, seg_id, fieldname, values, size)
        live = self._live_mask(leaf, seg_id)
        if live is not None:
            allowed &= live
        if not plan.clauses:
            return np.flatnonzero(allowed), None
        # Most selective clause first; each further clause only filters survivors.
        per_clause: list[np.ndarray] = []
        strong_sets: list[np.ndarray] = []
        for clause in plan.clauses:
            alts = [self._conjunction(leaf, seg_id, conj, size) for conj in clause.alternatives]
            if clause.strong is not None and clause.strong < len(alts):
                strong_sets.append(self._union(alts[: clause.strong], size))
            per_clause.append(self._union(alts, size))
        per_clause.sort(key=len)
        docs = per_clause[0]
        docs = docs[allowed[docs]]
        for other in per_clause[1:]:
            if not len(docs):
                break
            mask = np.zeros(size, dtype=bool)
            mask[other] = True
            docs = docs[mask[docs]]
        if not strong_sets:
            return docs, None
        weak = np.zeros(len(docs), dtype=np.float64)
        for strong in strong_sets:
            mask = np.zeros(size, dtype=bool)
            mask[strong] = True
            weak += ~mask[docs]
        return docs, weak

    def _check_phrases(
        self,
        leaf: Any,
        seg_id: str,
        phrases: list[PhraseCheck],
        docs: np.ndarray,
        combined: np.ndarray,
        k: int,
        budget: _PhraseBudget,
    ) -> np.ndarray | None:
        """Mask of ``docs`` to keep: those whose text has every phrase word by word.
        Within the budget every candidate is checked; past it, the best-ranked ones
        until ``k`` pass (those are the ones a page can show)."""
        patterns = [p.pattern() for p in phrases]

        def ok(docnum: int) -> bool:
            fields = self.cache.texts(leaf, seg_id, docnum)
            return all(any(p.search(f) for f in fields) for p in patterns)

        keep = np.ones(len(docs), dtype=bool)
        if budget.take(len(docs)):
            for i, d in enumerate(docs.tolist()):
                keep[i] = ok(d)
            return keep
        passed = 0
        for i in np.argsort(-combined, kind="stable").tolist():
            if passed >= k or not budget.take(1):
                break
            keep[i] = ok(int(docs[i]))
            passed += bool(keep[i])
        return keep


class _PhraseBudget:
    def __init__(self, n: int) -> None:
        self.left = n

    def take(self, n: int) -> bool:
        if n > self.left:
            return False
        self.left -= n
        return True


def _edits1(word: str) -> set[str]:
    """Every string one edit away from ``word`` (Damerau: swaps count as one)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    out |= {a + c + b for a, b in splits for c in _ALPHABET}
    out.discard(word)
    return out


def _distance(a: str, b: str, cap: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b``, or ``cap + 1`` once it
    is certain to exceed ``cap``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]
