"""Vietnamese text hygiene: every piece of text that enters the system is NFC.

PDF extraction and some keyboards (and macOS file names) produce decomposed text
(NFD); mixing both breaks comparisons, uniqueness and search.
"""

from __future__ import annotations

import unicodedata


def nfc(value: str | None) -> str | None:
    if value is None:
        return None
    return unicodedata.normalize("NFC", value)


def clean(value: str | None) -> str:
    """NFC, trimmed, inner runs of white space kept as typed (a subject may be multi-line)."""
    return (nfc(value) or "").strip()
