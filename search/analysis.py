"""Vietnamese text analysis: normalisation, folding, tokens, bigrams, number/symbols.

Two views of every text are indexed:

* the *folded* view (tones and diacritics removed, đ→d) gives recall, so that
  "quyet dinh" finds "Quyết định";
* the *exact* view (NFC, lower-cased, diacritics kept) is used only to rank an
  exact-diacritic match above a folded-only one.

Nothing is dropped: Vietnamese has no safe stop-word list for official documents and
one-letter syllables (Ý, Y, ở, á) carry meaning, so every token is kept.

The Whoosh analyzers (``folded_analyzer`` …) are the reference definition and are used
by Whoosh wherever it analyses text itself. Indexing a hundred thousand documents
through Whoosh's token-object pipeline is slow in pure Python, so ``analyze_text``
computes the same terms in one regex pass with C-level counting; a test asserts that
both paths agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from whoosh.analysis import Filter, Tokenizer
from whoosh.analysis.acore import Token

# A token is a run of letters/digits (underscores are blanked out beforehand: they are
# rulers like "______" in official documents, not word characters). ``\w+`` is the
# fastest pattern Python's regex engine has, which matters at 100,000 documents.
TOKEN_RE = re.compile(r"\w+")

# Number/symbol of a document: "05/QĐ-UBND", "12/2020/NĐ-CP", "123/UBND-VP".
# Linear time on any input: a match may start only at the beginning of a run of
# letters/digits (the look-behind), and the possessive quantifiers never give back
# what they took. Without them a 100,000-letter "word" with no separator made the
# engine retry from each of its letters: quadratic, minutes of CPU for one query.
SYMBOL_RE = re.compile(r"(?<![^\W_])[^\W_]++(?:[/\-.][^\W_]++)+")

# Leading zeros of a number at the start of a token ("05" → "5"): a "0" not preceded
# by a word character, more zeros, then a digit. Same as r"(?<!\w)0+(?=\d)", but
# starting with the literal lets the regex engine skip to each "0" instead of trying
# the look-behind at every position (~30× faster on a document's text).
_LEADING_ZEROS_RE = re.compile(r"0(?<!\w0)0*(?=\d)")
_SYMBOL_SEP_RE = re.compile(r"([/\-.])")


def _build_fold_table() -> dict[int, str]:
    """Map every precomposed Latin letter to its base letter (one char → one char).

    One-to-one mapping keeps token boundaries identical in the exact and folded views,
    which lets both views be computed from one tokenisation.
    """
    table: dict[int, str] = {}
    ranges = [(0x00C0, 0x024F), (0x1E00, 0x1EFF)]
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            base = "".join(
                c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
            )
            if len(base) == 1 and base != ch:
                table[cp] = base
    # đ/Đ have no decomposition in Unicode; fold them by hand.
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    # Stray combining marks (text that NFC could not compose) disappear when folded.
    for cp in range(0x0300, 0x0370):
        table[cp] = None  # type: ignore[assignment]
    return table


FOLD_TABLE = _build_fold_table()


def nfc(text: str) -> str:
    """NFKC: compatibility forms become the plain ones (full-width "ＱＤ-０５" is
    "QD-05", "ﬁ" is "fi", a no-break space a space), canonically composed (PDF
    extraction often yields decomposed, NFD, Vietnamese). Vietnamese letters are
    canonical characters and come out as they went in.

    Same result as ``unicodedata.normalize("NFKC", text)``. Python's NFKC
    re-normalises the whole text, ~30× slower than NFC, as soon as the text holds one
    compatibility character; the two that most Word and PDF texts hold (no-break
    space, "…") are replaced first, so only texts with rarer ones pay for it.
    """
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text
    if "\xa0" in text:
        text = text.replace("\xa0", " ")
    if "…" in text:
        text = text.replace("…", "...")
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


# Characters whose lower case is longer than themselves: only İ (→ i + combining dot
# above; a test checks the whole of Unicode). Lower-casing them one to one keeps
# offsets found on the lowered text valid on the original.
_LONGER_LOWER = {0x0130: "i"}


def lower(text: str) -> str:
    """``text.lower()`` with the same length as ``text`` (İ → i, not i + U+0307)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return text.translate(_LONGER_LOWER).lower()


def _letter_variants() -> dict[str, list[str]]:
    """Folded letter → the lower-case letters that fold to it, itself first
    ("d" → d, đ; "a" → a, à, á, …)."""
    out: dict[str, list[str]] = {}
    for cp, base in FOLD_TABLE.items():
        ch = chr(cp)
        if base and ch.islower() and base.islower():
            out.setdefault(base, [base]).append(ch)
    return out


LETTER_VARIANTS = _letter_variants()


def letter_class(ch: str) -> str:
    """A folded letter as a regex that matches it in lower-case text with any
    diacritic ("d" → "[dđ]"): lets a query find folded words in the accented text
    without folding the text (query side: phrase checks, highlights)."""
    variants = LETTER_VARIANTS.get(ch)
    return "[" + "".join(variants) + "]" if variants else re.escape(ch)


def fold(text: str) -> str:
    """Remove tones and diacritics and fold đ→d. Expects NFC input."""
    return text.translate(FOLD_TABLE)


def has_diacritics(token: str) -> bool:
    return fold(token) != token


def _norm_number(token: str) -> str:
    # "05" and "5" are the same document number: leading zeros are dropped.
    return _LEADING_ZEROS_RE.sub("", token) if token.startswith("0") else token


def _fold_token(token: str) -> str:
    return _norm_number(fold(token))


def prepare(text: str) -> str:
    """NFC, lower case, underscores blanked, leading zeros of numbers dropped."""
    return _prepare_nfc(nfc(text))


def _prepare_nfc(text: str) -> str:
    """``prepare`` for text that is already NFC."""
    lowered = lower(text).replace("_", " ")
    return _LEADING_ZEROS_RE.sub("", lowered) if "0" in lowered else lowered


def exact_tokens(text: str) -> list[str]:
    """NFC, lower-cased tokens, diacritics kept (digits normalised)."""
    return token_views(text)[0]


def folded_tokens(text: str) -> list[str]:
    """Folded tokens: what recall is computed on."""
    return token_views(text)[1]


def bigrams(folded: list[str]) -> list[str]:
    """Syllable bigrams of the folded stream; a phrase query becomes their conjunction.

    Vietnamese words are mostly two syllables ("quyết định", "văn bản"), so bigrams
    answer phrase queries without positional postings, which are slow in Whoosh.
    """
    return list(map(" ".join, zip(folded, folded[1:], strict=False)))


class _FoldCache(dict[str, str]):
    """token → folded token, computed once per distinct token.

    Mapping ``__getitem__`` over a token list runs in C; only unseen tokens call back
    into Python. The Vietnamese syllable inventory is small (a few thousand), so the
    cache stays small; it is cleared if odd input (numbers, codes) makes it grow.
    """

    def __missing__(self, token: str) -> str:
        if len(self) > 200_000:
            self.clear()
        value = self[token] = fold(token)
        return value


class _DiacriticCache(dict[str, str]):
    """token → token if it carries diacritics, else "" (dropped by the caller)."""

    def __missing__(self, token: str) -> str:
        if len(self) > 200_000:
            self.clear()
        value = self[token] = token if fold(token) != token else ""
        return value


_FOLDED = _FoldCache()
_DIACRITIC = _DiacriticCache()


def token_views(text: str, *, is_nfc: bool = False) -> tuple[list[str], list[str]]:
    """Exact and folded tokens of one text, aligned one to one (the fast path).

    ``is_nfc``: the caller has already NFC-normalised ``text``.
    """
    raw = TOKEN_RE.findall(_prepare_nfc(text) if is_nfc else prepare(text))
    return raw, list(map(_FOLDED.__getitem__, raw))


def diacritic_tokens(raw: list[str]) -> list[str]:
    """The exact view's index terms: only tokens that carry diacritics.

    For a token without any, the exact and folded terms are the same and the query
    side never asks the exact field for it.
    """
    return list(filter(None, map(_DIACRITIC.__getitem__, raw)))


def symbol_terms(number_symbol: str) -> list[str]:
    """Terms of the number/symbol field: the whole symbol and its parts, folded.

    "05/QĐ-UBND" → ["5/qd-ubnd", "5", "qd", "ubnd"], so it is found as typed with or
    without diacritics, with or without the leading zero.
    """
    text = nfc(number_symbol).lower()
    terms: list[str] = []
    for sym in SYMBOL_RE.findall(text):
        terms.append(normalize_symbol(sym))
    for tok in TOKEN_RE.findall(text):
        terms.append(_fold_token(tok))
    return list(dict.fromkeys(terms))


def normalize_symbol(symbol: str) -> str:
    """Folded, lower-cased symbol with leading zeros of each numeric part removed."""
    parts = _SYMBOL_SEP_RE.split(fold(nfc(symbol).lower()))
    return "".join(_norm_number(p) for p in parts)


# --- Whoosh analyzers ---------------------------------------------------------------


class VietnameseTokenizer(Tokenizer):
    """NFC + lower-case + token regex; no stop words, no minimum length."""

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # Offsets refer to the prepared text (NFC, lower case, zeros dropped).
        text = prepare(value)
        for pos, match in enumerate(TOKEN_RE.finditer(text)):
            t.text = match.group(0)
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = match.group(0)
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


class FoldFilter(Filter):
    """Removes tones/diacritics and folds đ→d."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            t.text = _fold_token(t.text)
            yield t


class DiacriticOnlyFilter(Filter):
    """Keeps only tokens that carry diacritics (the exact view's index terms)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            if has_diacritics(t.text):
                yield t


class BigramFilter(Filter):
    """Joins consecutive tokens into "a b" bigrams."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:  # type: ignore[override]
        prev: str | None = None
        for t in tokens:
            cur = t.text
            if prev is not None:
                t.text = prev + " " + cur
                yield t
            prev = cur


def folded_analyzer() -> object:
    return VietnameseTokenizer() | FoldFilter()


def exact_analyzer() -> object:
    return VietnameseTokenizer() | DiacriticOnlyFilter()


def bigram_analyzer() -> object:
    return VietnameseTokenizer() | FoldFilter() | BigramFilter()


class SymbolTokenizer(Tokenizer):
    """Number/symbol analyzer: yields the terms of ``symbol_terms``."""

    def __call__(  # type: ignore[override]
        self, value: str, positions: bool = False, chars: bool = False, **kwargs: object
    ) -> Iterator[Token]:
        t = Token(positions, chars, **kwargs)
        for pos, term in enumerate(symbol_terms(value)):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            yield t


def symbol_analyzer() -> object:
    return SymbolTokenizer()
