"""Snippets: fragments of the original accented text with <mark> around matches.

Matching is done on folded tokens, so "quyet dinh" marks "Quyết định", but the
fragment shows the stored (NFC) text as written. Matches are found on a lower-cased
copy of exactly the same length as the text (``analysis.lower`` keeps İ one
character), each folded letter of a term matching it with any diacritic, so the
offsets apply to the original as they are. A word being typed is marked wherever a
word starts with it (``prefixes``). Everything outside the marks is
HTML-escaped; the result is safe to insert into a page as is.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Collection

from search.analysis import fold, letter_class, lower, nfc

FRAGMENT_CHARS = 180
MAX_FRAGMENTS = 2
# A common word may occur thousands of times in a long document; windows around the
# first occurrences are enough to pick a good fragment.
MAX_WINDOWS = 60


def _pattern(terms: Collection[str], prefixes: Collection[str] = ()) -> re.Pattern[str]:
    return _compiled(frozenset(terms), frozenset(prefixes))


@functools.lru_cache(maxsize=256)  # one query marks its terms in up to 100 hits × 2 texts
def _compiled(terms: frozenset[str], prefixes: frozenset[str]) -> re.Pattern[str]:
    """On lower-cased text: any of the (folded) terms with any diacritics, numbers
    with or without leading zeros, or any word starting with one of the prefixes —
    whole words ("_" separates words, as in the index). Each alternative starts with
    its letters and checks the character before them afterwards: a look-behind first
    would make the regex engine try every position of the text (~50× slower)."""

    def whole(t: str, tail: str = "") -> str:
        return "".join(map(letter_class, t)) + r"(?<![^\W_]" + "." * len(t) + ")" + tail

    alts: list[str] = []
    for t in sorted(terms, key=len, reverse=True):
        if t.isdigit():  # "05" is found by "5": zeros, the first not inside a word
            alts.append(r"0(?<![^\W_]0)0*" + re.escape(t))
        alts.append(whole(t))
    alts += [whole(p, r"[^\W_]*") for p in sorted(prefixes, key=len, reverse=True)]
    return re.compile("(?:" + "|".join(alts) + r")(?![^\W_])")


def _matches(
    text: str, terms: Collection[str], prefixes: Collection[str] = ()
) -> list[tuple[int, int, str]]:
    """(start, end, folded token) of every token of ``text`` that is a query term.
    Found on the lower-cased text, which ``analysis.lower`` keeps exactly as long as
    ``text`` (İ included), so the offsets apply to ``text`` as they are."""
    if not terms and not prefixes:
        return []
    lowered = lower(text)
    # A word being typed that the text holds as a whole word is marked as that word
    # only ("xã", not every "xây", "xác" of the text).
    prefixes = [
        p for p in prefixes if p not in terms or not _compiled(frozenset((p,)), frozenset()).search(lowered)
    ]
    return [(m.start(), m.end(), fold(m.group(0))) for m in _pattern(terms, prefixes).finditer(lowered)]


def mark(text: str, terms: Collection[str], prefixes: Collection[str] = ()) -> str:
    """The whole text, escaped, with every matching token marked."""
    text = nfc(text or "")
    return _render(text, 0, len(text), _matches(text, terms, prefixes))


def _render(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = start
    for s, e, _t in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def snippets(
    text: str,
    terms: Collection[str],
    max_fragments: int = MAX_FRAGMENTS,
    size: int = FRAGMENT_CHARS,
    prefixes: Collection[str] = (),
) -> list[str]:
    """Up to ``max_fragments`` windows around the densest groups of matches."""
    text = nfc(text or "")
    if not text:
        return []
    spans = _matches(text, terms, prefixes)
    if not spans:
        return []
    # Greedy: each window starts a little before a match and covers as many
    # distinct terms as possible; windows never overlap.
    windows: list[tuple[int, int, int]] = []  # (distinct terms, start, end)
    head = spans[: MAX_WINDOWS * 4]
    for i, (s, _e, _t) in enumerate(head[:MAX_WINDOWS]):
        start = max(0, s - size // 4)
        end = min(len(text), start + size)
        inside = set()
        for _a, b, t in head[i:]:
            if b > end:
                break
            inside.add(t)
        if i and head[i - 1][0] >= start:  # same window as a previous match
            continue
        windows.append((len(inside), start, end))
    windows.sort(key=lambda w: (-w[0], w[1]))
    chosen: list[tuple[int, int]] = []
    for _n, start, end in windows:
        if all(end <= cs or start >= ce for cs, ce in chosen):
            chosen.append((start, end))
        if len(chosen) == max_fragments:
            break
    out = []
    for start, end in sorted(chosen):
        # Do not cut words in half.
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        frag = _render(text, start, end, spans).strip()
        out.append(("…" if start > 0 else "") + frag + ("…" if end < len(text) else ""))
    return out
