"""Telex typed with the input method off: ``quyeets ddinhj`` → ``quyết định``.

A clerk whose Vietnamese keyboard (Unikey, EVKey, the phone's) is switched off still
types the Telex keys: ``aa``→â, ``aw``→ă, ``ee``→ê, ``oo``→ô, ``ow``→ơ, ``uw``→ư, ``w``
alone→ư, ``dd``→đ, and a tone key ``s f r x j`` (sắc, huyền, hỏi, ngã, nặng) after the
vowel or at the end of the syllable; ``z`` removes the tone. ``decode`` replays those
keys the way the input methods do (the modifier may also come after the final
consonant: ``vietej`` is ``việt`` as is ``vieetj``), then accepts the result only if it
is a well-formed Vietnamese syllable, so an ordinary word (``process``, ``ban``) is not
"decoded" into nonsense.

The query side (``search.querying``) asks for a decoding only for a word that carries
Telex keys and is not itself a word of the index; the decoded word is then an
alternative of that word, ranked below documents that hold the word as typed.

The only Telex library on PyPI (``bogo``, last released in 2014) is an unmaintained
input-method engine; this module is small and tested on its own instead
(tests/search/test_search_telex.py).
"""

from __future__ import annotations

import re
import unicodedata

# Tone keys → combining marks (NFC composes them with the vowel).
TONES = {
    "s": "\u0301",  # sắc
    "f": "\u0300",  # huyền
    "r": "\u0309",  # hỏi
    "x": "\u0303",  # ngã
    "j": "\u0323",  # nặng
}
PLAIN_VOWELS = "aeiouy"
VOWELS = frozenset("aeiouyâăêôơư")
# The vowels that carry a mark of their own take the tone (ươ: on ơ).
MARKED = frozenset("âăêôơư")
_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_HORN = {"a": "ă", "o": "ơ", "u": "ư"}

# A Vietnamese syllable: initial consonant(s), one to three vowels, a final consonant.
_INITIALS = (
    "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|"
    "b|c|d|đ|g|h|k|l|m|n|p|q|r|s|t|v|x"
)
_SYLLABLE_RE = re.compile(
    rf"^(?:{_INITIALS})?[aeiouyâăêôơư]{{1,3}}(?:ng|nh|ch|c|m|n|p|t)?$"
)
# Telex keys are plain letters (Vietnamese itself has no f, j, w, z: they are keys).
_KEYS_RE = re.compile(r"^[a-z]+$")


def has_markers(word: str) -> bool:
    """Whether some letter of ``word`` (lower case) acts as a Telex key: a tone key
    after a vowel, ``z``, ``w``, ``dd``, or a vowel typed twice (``aa``)."""
    return bool(_KEYS_RE.match(word)) and _replay(word) is not None


def _nucleus_start(chars: list[str]) -> int:
    """Index of the first vowel of the syllable, "qu" and "gi"+vowel counted as
    consonants."""
    i = 0
    while i < len(chars) and chars[i] not in VOWELS:
        i += 1
    qu = 1 <= i < len(chars) and chars[i - 1] == "q" and chars[i] == "u"
    gi = i == 1 and len(chars) > 2 and chars[0] == "g" and chars[1] == "i" and chars[2] in VOWELS
    return i + 1 if qu or gi else i


def _vowel_span(chars: list[str]) -> tuple[int, int]:
    """[start, end) of the syllable's vowel cluster in ``chars``."""
    start = _nucleus_start(chars)
    end = start
    while end < len(chars) and chars[end] in VOWELS:
        end += 1
    return start, end


def _circumflex(chars: list[str], key: str) -> int:
    """0: not applied; 1: applied after the final consonant ("vietej"); 2: applied to
    the letter just typed ("vieet")."""
    start, end = _vowel_span(chars)
    for i in range(end - 1, start - 1, -1):
        if chars[i] == key:
            chars[i] = _CIRCUMFLEX[key]
            return 2 if i == len(chars) - 1 else 1
    return 0


def _horn(chars: list[str]) -> bool:
    start, end = _vowel_span(chars)
    cluster = "".join(chars[start:end])
    at = cluster.find("uo")
    if at >= 0:  # "uo" + w → "ươ" (trương, người)
        chars[start + at] = "ư"
        chars[start + at + 1] = "ơ"
        return True
    for i in range(end - 1, start - 1, -1):
        if chars[i] in _HORN:
            chars[i] = _HORN[chars[i]]
            return True
    if start == end and (not chars or chars[-1] not in VOWELS):
        chars.append("ư")  # "w" alone: "tw" → "tư"
        return True
    return False


def _replay(word: str) -> tuple[str, str | None] | None:
    """Replay the keys: (letters without tone, tone key or None); None if nothing in
    ``word`` acted as a Telex key. A vowel doubled after the final consonant
    ("vietej") is taken as a key only beside another key: alone ("data") it is more
    likely a foreign word than Telex."""
    chars: list[str] = []
    tone: str | None = None
    acted = False
    for c in word:
        # The u of "qu" is a consonant here: "qus" has no vowel to carry a tone.
        has_vowel = any(ch in VOWELS for ch in (chars[2:] if chars[:2] == ["q", "u"] else chars))
        if c in TONES and has_vowel:
            if tone == c:  # the same tone key twice: the key itself, tone undone
                tone = None
                chars.append(c)
            else:
                tone = c
                acted = True
            continue
        if c == "z" and has_vowel:
            tone = None
            acted = True
            continue
        if c == "d" and chars and chars[0] == "d":
            chars[0] = "đ"
            acted = True
            continue
        if c in _CIRCUMFLEX and has_vowel:
            how = _circumflex(chars, c)
            if how:
                acted = acted or how == 2
                continue
        if c == "w" and _horn(chars):
            acted = True
            continue
        chars.append(c)
    if not acted:
        return None
    return "".join(chars), tone


def _tone_positions(letters: str) -> list[int]:
    """Where the tone mark goes (two places where old and new spelling differ:
    hòa/hoà, thủy/thuỷ)."""
    chars = list(letters)
    start, end = _vowel_span(chars)
    if start == end:  # "gi" alone (gì): the i is the vowel
        start, end = (1, 2) if letters.startswith("gi") and len(letters) >= 2 else (start, end)
    cluster = letters[start:end]
    has_final = end < len(letters)
    marked = [i for i, ch in enumerate(cluster) if ch in MARKED]
    if marked:
        return [start + marked[-1]]
    if len(cluster) == 1:
        return [start]
    if has_final:
        return [end - 1]
    if len(cluster) == 3:
        return [start + 1]
    if cluster in ("oa", "oe", "uy"):
        return [start, start + 1]  # hòa and hoà are both in use
    return [start]


def decode(word: str) -> list[str]:
    """The Vietnamese syllable(s) that the Telex keys ``word`` type, best first; an
    empty list when ``word`` has no Telex key or does not give a Vietnamese syllable.

    >>> decode("quyeets"), decode("ddinhj"), decode("ban")
    (['quyết'], ['định'], [])
    """
    word = word.lower()
    if not has_markers(word):
        return []
    replayed = _replay(word)
    if replayed is None:
        return []
    letters, tone = replayed
    if not _SYLLABLE_RE.match(letters):
        return []
    if tone is None:
        return [letters]
    out = []
    for pos in _tone_positions(letters):
        out.append(unicodedata.normalize("NFC", letters[: pos + 1] + TONES[tone] + letters[pos + 1 :]))
    return out
