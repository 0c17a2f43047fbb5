"""From the search-box text to an execution plan.

Syntax: words are ANDed; "quoted text" is a phrase (its words side by side, in that
order); a number/symbol such as ``05/QĐ-UBND`` is matched as a whole symbol or as
adjacent parts. Diacritics are optional everywhere; when typed they lift exact
matches to a higher tier.

The way people type, with the index's dictionary at hand (``lexicon``):

* the last word, while it is being typed (no space after it), is also a prefix: the
  50 most frequent words of the index that start with it are alternatives
  ("bảo hiể" finds "bảo hiểm", "quyet đi" finds "quyết định");
* a word that is not a word of the index and carries Telex keys is also read as
  Telex ("quyeets ddinhj" is "quyết định": ``search.telex``);
* a word of five letters or more (folded) that is not a word of the index, and whose
  Telex reading is not one either, also matches the words one edit away (two from
  nine letters): "chuyn" finds "chuyển". A word the index knows is corrected only
  when the question as typed finds little (``correct=True``, asked by the backend
  when fewer than ``FEW_RESULTS`` documents are found): Vietnamese syllables are so
  close to one another (nghiệp/nghiệm, quyết/quyền) that correcting known words
  every time would flood every answer with other words.

All of these are alternatives past the clause's ``strong`` ones: a document holding
the words as typed ranks above every document that needs one of them.

Limits (the engine's own, whatever the caller checked): only the first 500
characters of the text are read, and only the first 32 words (phrase words and
symbols included); the rest is ignored, not refused, so that a pasted paragraph still
finds its document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

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
from search.engine import Clause, PhraseCheck, Plan
from search.telex import decode as telex_decode

# Weights of the score parts. Bigrams reward words that stand together as typed
# ("quyết định" the word, not "quyết" … "định" far apart).
FOLDED_BOOST = 1.0
EXACT_BOOST = 1.0
BIGRAM_BOOST = 0.5
SYMBOL_BOOST = 4.0
# Expansions score below the word as typed (and rank below it in any case).
TELEX_BOOST = 0.9
PREFIX_BOOST = 0.6
FUZZY_BOOST = 0.4

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
PREFIX_EXPANSIONS = 50
PREFIX_MIN_CHARS = 2  # a one-letter start would pull in half the dictionary
FUZZY_MIN_CHARS = 5  # one edit from 5 letters, two from 9
FUZZY_TWO_EDITS_CHARS = 9
FUZZY_EXPANSIONS = 8
FEW_RESULTS = 5

_PHRASE_RE = re.compile(r'"([^"]*)"?')


class Lexicon(Protocol):
    """What the plan needs of the index's dictionary (``search.engine.Engine``)."""

    def has_term(self, fieldname: str, term: str) -> bool: ...

    def terms_with_prefix(self, fieldname: str, prefix: str, limit: int) -> list[str]: ...

    def fuzzy_terms(self, fieldname: str, word: str, max_dist: int, limit: int = 8) -> list[str]: ...


@dataclass(slots=True)
class ParsedQuery:
    words: list[str]  # bare words, in order, as typed (NFC, lower case)
    phrases: list[str]
    symbols: list[str]
    # the last bare word is still being typed (nothing typed after it)
    last_word_open: bool = False
    # the text ends inside a phrase whose closing quote is not typed yet
    last_phrase_open: bool = False

    def highlight_terms(self) -> set[str]:
        """Folded tokens to mark in snippets."""
        terms: set[str] = set()
        for text in [*self.words, *self.phrases, *self.symbols]:
            terms.update(fold(t) for t in TOKEN_RE.findall(prepare(text)))
        return terms


def _clip(text: str) -> str:
    """The first ``MAX_QUERY_CHARS`` characters, not cutting a word in two."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[: MAX_QUERY_CHARS + 1]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut[:MAX_QUERY_CHARS]


def parse(text: str) -> ParsedQuery:
    text = nfc(_clip(text or ""))
    matches = list(_PHRASE_RE.finditer(text))
    phrases = [m.group(1).strip() for m in matches if m.group(1).strip()]
    # Phrases blanked out (same length, so that positions still say where text ends).
    rest = _PHRASE_RE.sub(lambda m: " " * len(m.group(0)), text)
    symbol_spans = [m.span() for m in SYMBOL_RE.finditer(rest)]
    symbols = [rest[s:e] for s, e in symbol_spans]
    words = TOKEN_RE.findall(prepare(SYMBOL_RE.sub(" ", rest)))
    typing = bool(text) and text[-1].isalnum()  # no space, quote or dot after the last letter
    in_phrase = bool(matches) and matches[-1].end() == len(text)
    last_phrase_open = typing and in_phrase and bool(phrases) and not matches[-1].group(0).endswith('"')
    in_symbol = bool(symbol_spans) and symbol_spans[-1][1] == len(text)
    last_word_open = typing and bool(words) and not in_phrase and not in_symbol
    return ParsedQuery(words, phrases, symbols, last_word_open, last_phrase_open)


class _Builder:
    def __init__(self, plan: Plan, lexicon: Lexicon | None, correct: bool) -> None:
        self.plan = plan
        self.lexicon = lexicon
        self.correct = correct
        self.seen: set[tuple[str, str]] = set()

    def score(self, fieldname: str, term: str, boost: float) -> None:
        if (fieldname, term) not in self.seen:
            self.seen.add((fieldname, term))
            self.plan.scoring.append((fieldname, term, boost))

    def exact(self, terms: list[str]) -> None:
        terms = [t for t in dict.fromkeys(terms) if t != fold(t)]
        if terms:
            self.plan.exact.append(terms)
            if len(terms) == 1:
                self.score("x", terms[0], EXACT_BOOST)

    def prefix_terms(self, word: str) -> tuple[list[str], list[str]]:
        """Completions of ``word``: (folded terms, accented terms with ``word``'s
        diacritics as typed)."""
        folded = fold(word)
        if self.lexicon is None or len(folded) < PREFIX_MIN_CHARS or any(c.isdigit() for c in folded):
            return [], []
        self.plan.highlight_prefixes.add(folded)
        completions = [t for t in self.lexicon.terms_with_prefix("f", folded, PREFIX_EXPANSIONS) if t != folded]
        accented = []
        if word != folded:
            accented = self.lexicon.terms_with_prefix("x", word, PREFIX_EXPANSIONS)
        return completions, accented

    def word(self, token: str, *, is_open: bool) -> None:
        """One bare word: a clause of the word as typed, then its expansions."""
        folded = fold(token)
        self.plan.highlight.add(folded)
        self.score("f", folded, FOLDED_BOOST)
        exact = [token]
        weak: list[tuple[str, float]] = []
        if is_open:
            completions, accented = self.prefix_terms(token)
            weak += [(t, PREFIX_BOOST) for t in completions]
            exact += accented
        known = self.lexicon is None or self.lexicon.has_term("f", folded)
        long_word = len(folded) >= FUZZY_MIN_CHARS and folded.isalpha() and folded.isascii()
        correct = False
        if not known:
            decoded = telex_decode(token) if token.isascii() else []
            decoded_known = False
            for d in decoded:
                fd = fold(d)
                exact.append(d)
                self.plan.highlight.add(fd)
                if fd != folded:
                    weak.append((fd, TELEX_BOOST))
                decoded_known = decoded_known or self.lexicon.has_term("f", fd)  # type: ignore[union-attr]
                if is_open:
                    more, accented = self.prefix_terms(d)
                    weak += [(t, PREFIX_BOOST * TELEX_BOOST) for t in more]
                    exact += accented
            correct = long_word and not decoded_known
        elif long_word and self.lexicon is not None:
            self.plan.correctable = True
            correct = self.correct
        if correct:
            dist = 2 if len(folded) >= FUZZY_TWO_EDITS_CHARS else 1
            for t in self.lexicon.fuzzy_terms("f", folded, dist, FUZZY_EXPANSIONS):  # type: ignore[union-attr]
                weak.append((t, FUZZY_BOOST))
                self.plan.highlight.add(t)
        weak_terms: dict[str, float] = {}
        for t, boost in weak:
            if t != folded and t not in weak_terms:
                weak_terms[t] = boost
        alternatives = [[("f", folded)]] + [[("f", t)] for t in weak_terms]
        self.plan.clauses.append(Clause(alternatives, strong=1 if weak_terms else None))
        if weak_terms:
            self.plan.scoring_groups.append([("f", t, b) for t, b in weak_terms.items()])
        self.exact(exact)

    def phrase(self, raw: list[str], *, is_open: bool) -> None:
        """A phrase: every word, every word pair, and (three words or more) the words
        side by side, checked on the candidates' text."""
        folded = [fold(t) for t in raw]
        completions: list[str] = []
        for i, (token, ftoken) in enumerate(zip(raw, folded, strict=True)):
            self.plan.highlight.add(ftoken)
            self.score("f", ftoken, FOLDED_BOOST)
            last_open = is_open and i == len(raw) - 1
            if last_open:
                completions, accented = self.prefix_terms(token)
                alts = [[("f", ftoken)]] + [[("f", t)] for t in completions]
                self.plan.clauses.append(Clause(alts, strong=1 if completions else None))
                self.exact([token, *accented])
            else:
                self.plan.clauses.append(Clause([[("f", ftoken)]]))
                self.exact([token])
        for i, bg in enumerate(bigrams(folded)):
            if is_open and i == len(folded) - 2 and completions:
                head = folded[-2]
                alts = [[("b", bg)]] + [[("b", f"{head} {t}")] for t in completions]
                self.plan.clauses.append(Clause(alts, strong=1))
            else:
                self.plan.clauses.append(Clause([[("b", bg)]]))
            self.score("b", bg, BIGRAM_BOOST)
        if len(folded) >= 3:
            self.plan.phrases.append(PhraseCheck(folded, open_end=is_open and bool(completions)))

    def symbol(self, symbol: str) -> None:
        whole = normalize_symbol(symbol)
        parts = [fold(t) for t in TOKEN_RE.findall(prepare(symbol))]
        self.plan.highlight.update(parts)
        # The document's own number (field n), or the symbol cited in its text.
        in_text = [("b", bg) for bg in bigrams(parts)] or [("f", p) for p in parts]
        self.plan.clauses.append(Clause([[("n", whole)], in_text]))
        self.plan.scoring.append(("n", whole, SYMBOL_BOOST))
        for p in parts:
            self.score("f", p, FOLDED_BOOST)


def build_plan(q: SearchQuery, lexicon: Lexicon | None = None, *, correct: bool = False) -> Plan:
    """The plan of ``q``; ``lexicon`` (the engine) enables the expansions of what was
    typed (prefix, Telex, typos): without it the words match as typed only.
    ``correct``: also look for the words one edit away from long words the index
    knows (``plan.correctable`` says whether there are any)."""
    parsed = parse(q.text)
    plan = Plan()
    b = _Builder(plan, lexicon, correct)
    budget = MAX_TERMS
    for i, phrase in enumerate(parsed.phrases):
        raw = TOKEN_RE.findall(prepare(phrase))[: max(0, budget)]
        if raw:
            b.phrase(raw, is_open=parsed.last_phrase_open and i == len(parsed.phrases) - 1)
        budget -= len(raw)
    for symbol in parsed.symbols:
        if budget <= 0:
            break
        b.symbol(symbol)
        budget -= 1
    words = parsed.words[: max(0, budget)]
    folded_words = [fold(w) for w in words]
    for i, token in enumerate(words):
        b.word(token, is_open=parsed.last_word_open and i == len(parsed.words) - 1)
    for bg in bigrams(folded_words):  # adjacency only adds to the score
        b.score("b", bg, BIGRAM_BOOST)
    if not plan.clauses and (q.text or "").strip():
        plan.nothing = True  # "?", "*", '""': typed, but nothing to look for

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


def last_word(text: str) -> tuple[str, str] | None:
    """(the text before the word being typed, that word) — None when the text ends
    with a space, a closed phrase or a symbol: there is no word to complete."""
    parsed = parse(text)
    if parsed.last_word_open:
        word = parsed.words[-1]
    elif parsed.last_phrase_open:
        word = TOKEN_RE.findall(prepare(parsed.phrases[-1]))[-1]
    else:
        return None
    clipped = nfc(_clip(text or ""))
    # The word's own characters as typed end the text: cut them off.
    m = re.search(r"\w+$", clipped)
    head = clipped[: m.start()] if m else clipped
    return head, word
