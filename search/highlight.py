"""Snippets: fragments of the original accented text with <mark> around matches.

Matching is done on folded tokens, so "quyet dinh" marks "Quyết định", but the
fragment shows the stored (NFC) text as written. Everything outside the marks is
HTML-escaped; the result is safe to insert into a page as is.
"""

from __future__ import annotations

import html
import re

from search.analysis import FOLD_TABLE, nfc

FRAGMENT_CHARS = 180
MAX_FRAGMENTS = 2
# A common word may occur thousands of times in a long document; windows around the
# first occurrences are enough to pick a good fragment.
MAX_WINDOWS = 60


# Folding for offsets: like FOLD_TABLE but combining marks are kept, so the folded
# text has exactly the length of the original and match offsets carry over.
_SAME_LENGTH_FOLD = {k: v for k, v in FOLD_TABLE.items() if v is not None}


def _pattern(terms: set[str]) -> re.Pattern[str]:
    alts = sorted(
        (("0*" + re.escape(t)) if t.isdigit() else re.escape(t) for t in terms),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)")


def _matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, folded token) of every token of ``text`` that is a query term."""
    if not terms:
        return []
    folded = text.lower().translate(_SAME_LENGTH_FOLD).replace("_", " ")
    if len(folded) != len(text):  # exotic case mapping: offsets would shift
        return []
    return [(m.start(), m.end(), m.group(0)) for m in _pattern(terms).finditer(folded)]


def mark(text: str, terms: set[str]) -> str:
    """The whole text, escaped, with every matching token marked."""
    text = nfc(text or "")
    return _render(text, 0, len(text), _matches(text, terms))


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
    text: str, terms: set[str], max_fragments: int = MAX_FRAGMENTS, size: int = FRAGMENT_CHARS
) -> list[str]:
    """Up to ``max_fragments`` windows around the densest groups of matches."""
    text = nfc(text or "")
    if not text:
        return []
    spans = _matches(text, terms)
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
