"""The typeface documents are written in: one setting for the DOCX templates and the PDF.

Phụ lục I asks for Times New Roman, which may not be redistributed, so a server rarely
has it. The default is Liberation Serif (Debian ``fonts-liberation2``): metric-compatible
with Times New Roman, so lines and pages break where they would in Times New Roman, and
it carries every Vietnamese letter. A commune that owns Times New Roman names it here:

* ``XASO_DOCUMENT_FONT`` — the family the DOCX templates name (default Liberation Serif);
  LibreOffice then renders the drafts with it when it is installed;
* ``XASO_DOCUMENT_FONT_FILE``, ``…_BOLD_FILE``, ``…_ITALIC_FILE`` — the TrueType files
  embedded in signature appearances and the number/date fields; when unset, found with
  ``fc-match`` from the family name (Liberation Serif: ``XASO_SIGNING_FONT_DIR``).

:func:`resolve` refuses a family or file that is not there, so the application fails at
start-up (``Config``) rather than at the first signature.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_FAMILY = "Liberation Serif"
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/liberation2"
DEFAULT_FILES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
}
FACES = tuple(DEFAULT_FILES)
FILE_SETTINGS = {
    "regular": "XASO_DOCUMENT_FONT_FILE",
    "bold": "XASO_DOCUMENT_FONT_BOLD_FILE",
    "italic": "XASO_DOCUMENT_FONT_ITALIC_FILE",
}
FC_STYLES = {"regular": "Regular", "bold": "Bold", "italic": "Italic"}


class FontNotFound(RuntimeError):
    """The configured document font is not installed; ``str(error)`` says what to set."""


@dataclass(frozen=True)
class DocumentFont:
    family: str  # named in the DOCX: "Liberation Serif", "Times New Roman"
    regular: Path
    bold: Path
    italic: Path

    def file(self, face: str) -> Path:
        return {"regular": self.regular, "bold": self.bold, "italic": self.italic}[face]


def is_configured(env: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """Whether an operator chose a font (then a missing one stops the start-up)."""
    env = os.environ if env is None else env
    return any(env.get(name) for name in ("XASO_DOCUMENT_FONT", *FILE_SETTINGS.values()))


def resolve(env: os._Environ[str] | dict[str, str] | None = None) -> DocumentFont:
    """The document font from the environment; FontNotFound when a file is missing."""
    env = os.environ if env is None else env
    family = (env.get("XASO_DOCUMENT_FONT") or DEFAULT_FAMILY).strip()
    files: dict[str, Path] = {}
    for face in FACES:
        given = env.get(FILE_SETTINGS[face], "").strip()
        if given:
            path = Path(given)
        elif family == DEFAULT_FAMILY:
            path = Path(env.get("XASO_SIGNING_FONT_DIR") or DEFAULT_FONT_DIR) / DEFAULT_FILES[face]
        else:
            path = _fc_match(family, face)
        if not path.is_file():
            raise FontNotFound(
                f"Document font {family!r}: {path} does not exist; install the font or set "
                f"{FILE_SETTINGS[face]} to its {FC_STYLES[face].lower()} TrueType file."
            )
        files[face] = path
    return DocumentFont(family, files["regular"], files["bold"], files["italic"])


def _fc_match(family: str, face: str) -> Path:
    """The file fontconfig holds for ``family`` in ``face``, refusing a substitute."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise FontNotFound(
            f"Document font {family!r}: fc-match (fontconfig) is not installed to find its "
            f"files; set {', '.join(FILE_SETTINGS.values())}."
        )
    found = subprocess.run(
        [fc_match, "--format=%{file}\n%{family}", f"{family}:style={FC_STYLES[face]}"],
        capture_output=True, text=True, timeout=10, check=False,
    ).stdout.split("\n")
    families = {f.strip().lower() for f in (found[1] if len(found) > 1 else "").split(",")}
    if not found[0] or family.lower() not in families:
        raise FontNotFound(
            f"Document font {family!r} is not installed (fontconfig offers "
            f"{found[1] if len(found) > 1 else 'nothing'!r} instead); install it or set "
            f"{FILE_SETTINGS[face]}."
        )
    return Path(found[0])


@lru_cache(maxsize=8)
def _cached(key: tuple[tuple[str, str], ...]) -> DocumentFont:
    return resolve(dict(key))


def current() -> DocumentFont:
    """The document font of this process (read from the environment, resolved once)."""
    names = ("XASO_DOCUMENT_FONT", "XASO_SIGNING_FONT_DIR", *FILE_SETTINGS.values())
    return _cached(tuple((n, os.environ.get(n, "")) for n in names))


def family() -> str:
    """The family name the DOCX templates write, without needing the files."""
    return (os.environ.get("XASO_DOCUMENT_FONT") or DEFAULT_FAMILY).strip()
