"""Vietnamese text hygiene: every piece of text that enters the system is NFC.

PDF extraction and some keyboards (and macOS file names) produce decomposed text
(NFD); mixing both breaks comparisons, uniqueness and search.

Lists of people are ordered the Vietnamese way: by ICU's Vietnamese collation (Đ after D,
Ă and Â after A, tones after the bare letter), given name first (the last word: "Vũ Văn An"
files under An). SQL cannot do this in SQLite, so lists are loaded and sorted with
`person_sort_key` (they are small: one commune's people).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

import icu


def nfc(value: str | None) -> str | None:
    if value is None:
        return None
    return unicodedata.normalize("NFC", value)


def clean(value: str | None) -> str:
    """NFC, trimmed, inner runs of white space kept as typed (a subject may be multi-line)."""
    return (nfc(value) or "").strip()


_local = threading.local()


def _collator() -> Any:
    # One collator per thread: ICU collators are not meant to be shared across threads.
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("vi_VN"))
    return collator


def vn_sort_key(text: str | None) -> bytes:
    """A sort key that orders text as a Vietnamese dictionary does."""
    return bytes(_collator().getSortKey(nfc(text) or ""))


def person_sort_key(full_name: str | None) -> tuple[bytes, bytes]:
    """Given name (the last word) first, then family and middle names, as Vietnamese lists do."""
    words = (full_name or "").split()
    given = words[-1] if words else ""
    return vn_sort_key(given), vn_sort_key(" ".join(words[:-1]))


class _Named(Protocol):
    @property
    def full_name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def sorted_people(people: Iterable[N]) -> list[N]:
    """People (anything with a `full_name`) in Vietnamese list order."""
    return sorted(people, key=lambda p: person_sort_key(p.full_name))
