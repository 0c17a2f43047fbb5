"""From the search-box text to an execution plan.

Syntax: words are ANDed; "quoted text" is a phrase; a number/symbol such as
``05/QĐ-UBND`` is matched as a whole symbol or as adjacent parts. Diacritics are
optional everywhere; when typed they lift exact matches to a higher tier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.analysis import (
    SYMBOL_RE,
    TOKEN_RE,
    bigrams,
    fold,
    nfc,
    normalize_symbol,
    prepare,
)
from search.backend import FILTER_KEYS, SearchQuery
from search.engine import Clause, Plan

# Weights of the score parts. Bigrams reward words that stand together as typed
# ("quyết định" the word, not "quyết" … "định" far apart).
FOLDED_BOOST = 1.0
EXACT_BOOST = 1.0
BIGRAM_BOOST = 0.5
SYMBOL_BOOST = 4.0

_PHRASE_RE = re.compile(r'"([^"]*)"?')


@dataclass(slots=True)
class ParsedQuery:
    words: list[str]  # bare words, in order, as typed (NFC)
    phrases: list[str]
    symbols: list[str]

    def highlight_terms(self) -> set[str]:
        """Folded tokens to mark in snippets."""
        terms: set[str] = set()
        for text in [*self.words, *self.phrases, *self.symbols]:
            terms.update(fold(t) for t in TOKEN_RE.findall(prepare(text)))
        return terms


def parse(text: str) -> ParsedQuery:
    text = nfc(text or "")
    phrases = [p.strip() for p in _PHRASE_RE.findall(text) if p.strip()]
    rest = _PHRASE_RE.sub(" ", text)
    symbols = SYMBOL_RE.findall(rest)
    rest = SYMBOL_RE.sub(" ", rest)
    words = TOKEN_RE.findall(prepare(rest))
    return ParsedQuery(words=words, phrases=phrases, symbols=symbols)


def _add_tokens(plan: Plan, raw: list[str], seen: set[tuple[str, str]]) -> list[str]:
    """Each token must match folded; typed diacritics add an exact-tier term."""
    folded = [fold(t) for t in raw]
    for token, ftoken in zip(raw, folded, strict=True):
        plan.clauses.append(Clause([[("f", ftoken)]]))
        if ("f", ftoken) not in seen:
            seen.add(("f", ftoken))
            plan.scoring.append(("f", ftoken, FOLDED_BOOST))
        if token != ftoken and ("x", token) not in seen:
            seen.add(("x", token))
            plan.exact.append(token)
            plan.scoring.append(("x", token, EXACT_BOOST))
    return folded


def build_plan(q: SearchQuery) -> Plan:
    parsed = parse(q.text)
    plan = Plan()
    seen: set[tuple[str, str]] = set()

    folded_words = _add_tokens(plan, parsed.words, seen)
    for bg in bigrams(folded_words):  # adjacency only adds to the score
        if ("b", bg) not in seen:
            seen.add(("b", bg))
            plan.scoring.append(("b", bg, BIGRAM_BOOST))

    for phrase in parsed.phrases:
        raw = TOKEN_RE.findall(prepare(phrase))
        folded = _add_tokens(plan, raw, seen)
        for bg in bigrams(folded):
            plan.clauses.append(Clause([[("b", bg)]]))
            if ("b", bg) not in seen:
                seen.add(("b", bg))
                plan.scoring.append(("b", bg, BIGRAM_BOOST))

    for symbol in parsed.symbols:
        whole = normalize_symbol(symbol)
        parts = [fold(t) for t in TOKEN_RE.findall(prepare(symbol))]
        # The document's own number (field n), or the symbol cited in its text.
        in_text = [("b", bg) for bg in bigrams(parts)] or [("f", p) for p in parts]
        plan.clauses.append(Clause([[("n", whole)], in_text]))
        plan.scoring.append(("n", whole, SYMBOL_BOOST))
        for p in parts:
            if ("f", p) not in seen:
                seen.add(("f", p))
                plan.scoring.append(("f", p, FOLDED_BOOST))

    plan.restrictions.append(("org", [str(q.org_id)]))
    # Access control: a document is visible only through one of its principals.
    plan.restrictions.append(("acl", sorted(q.principals)))
    for key, value in sorted(q.filters.items()):
        if key not in FILTER_KEYS:
            raise ValueError(f"unknown filter {key!r}")
        if value is None or value == "":
            continue
        values = value if isinstance(value, (list, tuple, set)) else [value]
        plan.restrictions.append((key, [str(v) for v in values]))
    return plan
