"""Text of attached files for the index: PDF, DOCX, images (OCR when available).

Files come from outside (citizens, other agencies) and every format is parsed in a
child process under CPU, memory and wall-clock limits (``search.sandbox``, the one
script ``search/_worker.py``; tesseract and pdftoppm under the same limits): a
decompression bomb, a zip bomb or a cyclic page tree kills the child, never the
process that asked. A DOCX is refused before it is unpacked when its zip declares
absurd sizes or ratios, and its inflation is counted in the child. The text kept is
cut at ``MAX_TEXT_CHARS``. Scans and image-only PDFs go to tesseract with Vietnamese
data if it is installed; otherwise the document is indexed by its metadata only and
flagged as not text-searchable.

Nothing here is fast enough for a request: the app calls it from a background step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from search.analysis import nfc
from search.sandbox import Limits, Outcome, run_limited, run_worker

PDF_TIMEOUT_S = 20.0
PDF_CPU_S = 15
PDF_MEMORY_BYTES = 768 * 1024 * 1024
DOCX_TIMEOUT_S = 30.0
DOCX_CPU_S = 20
OCR_TIMEOUT_S = 120.0
OCR_CPU_S = 100
OCR_MEMORY_BYTES = 1024 * 1024 * 1024
# The text kept of one file: about 400 pages of dense text. Beyond that a file is not
# a document a person reads, and the index would only grow.
MAX_TEXT_CHARS = 1_500_000
# A PDF with fewer letters than this per page is treated as a scan.
MIN_CHARS_PER_PAGE = 20

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}


@dataclass(frozen=True, slots=True)
class Extraction:
    text: str
    text_searchable: bool
    # Why the text is missing or partial ("ok", "scan-no-ocr", "timeout", …).
    reason: str

    @classmethod
    def failed(cls, reason: str) -> Extraction:
        return cls("", False, reason)


def extract(path: str | os.PathLike[str], mimetype: str | None = None) -> Extraction:
    """Text of the file at ``path``; never raises for a bad file."""
    p = Path(path)
    kind = (mimetype or "").lower()
    suffix = p.suffix.lower()
    try:
        if suffix == ".pdf" or kind == "application/pdf":
            return extract_pdf(p)
        if suffix == ".docx" or "wordprocessingml" in kind:
            return extract_docx(p)
        if suffix in IMAGE_EXTENSIONS or kind.startswith("image/"):
            return ocr_image(p)
        if suffix == ".txt" or kind.startswith("text/plain"):
            with open(p, encoding="utf-8", errors="replace") as f:
                return Extraction(nfc(f.read(MAX_TEXT_CHARS)), True, "ok")
    except OSError as exc:
        return Extraction.failed(f"unreadable: {exc.strerror or exc}")
    return Extraction.failed("unsupported file type")


def _failure(outcome: Outcome, prefix: str) -> str | None:
    """Why the child gave no text, or None when it answered with some."""
    if outcome.status == "timeout":
        return "timeout"
    if outcome.status == "memory":
        return "memory limit"
    if not outcome.ok:
        return "parser died"
    if "error" in outcome.answer:
        return f"{prefix}: {outcome.answer['error']}"[:128]
    return None


def _text_of(outcome: Outcome) -> str:
    return nfc(str(outcome.answer.get("text", ""))[:MAX_TEXT_CHARS])


# -- PDF -------------------------------------------------------------------------------


def extract_pdf(path: Path, timeout: float = PDF_TIMEOUT_S) -> Extraction:
    outcome = run_worker(
        "extract-pdf", path, Limits(PDF_MEMORY_BYTES, PDF_CPU_S, timeout), "--max-chars", str(MAX_TEXT_CHARS)
    )
    if (why := _failure(outcome, "pdf")) is not None:
        return Extraction.failed(why)
    text = _text_of(outcome)
    pages = max(1, int(outcome.answer.get("pages", 1)))
    letters = sum(ch.isalpha() for ch in text)
    if letters < MIN_CHARS_PER_PAGE * pages:
        # Image-only (scanned) PDF: OCR if possible, keep whatever text there was.
        ocr = ocr_pdf(path)
        if ocr.text_searchable:
            return ocr
        return Extraction(text, False, ocr.reason)
    return Extraction(text, True, "ok")


# -- DOCX ------------------------------------------------------------------------------


def extract_docx(path: Path, timeout: float = DOCX_TIMEOUT_S) -> Extraction:
    """Headers, then body paragraphs and tables in document order, then footers."""
    outcome = run_worker(
        "extract-docx", path, Limits(PDF_MEMORY_BYTES, DOCX_CPU_S, timeout), "--max-chars", str(MAX_TEXT_CHARS)
    )
    if (why := _failure(outcome, "docx")) is not None:
        return Extraction.failed(why)
    return Extraction(_text_of(outcome), True, "ok")


# -- OCR -------------------------------------------------------------------------------


def tesseract_available() -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"vie" in out.stdout.split()


OCR_LIMITS = Limits(OCR_MEMORY_BYTES, OCR_CPU_S, OCR_TIMEOUT_S)


def ocr_image(path: Path) -> Extraction:
    if not tesseract_available():
        return Extraction.failed("scan-no-ocr")
    outcome = run_limited(["tesseract", str(path), "stdout", "-l", "vie"], OCR_LIMITS, expect_json=False)
    if outcome.status == "timeout":
        return Extraction.failed("ocr-timeout")
    if not outcome.ok:
        return Extraction.failed("ocr-failed")
    text = nfc(outcome.stdout.decode("utf-8", errors="replace")[:MAX_TEXT_CHARS])
    if not text.strip():
        return Extraction.failed("ocr-empty")
    return Extraction(text, True, "ocr")


def ocr_pdf(path: Path) -> Extraction:
    """Rasterise with pdftoppm (poppler) and OCR each page, when both tools exist."""
    if not tesseract_available() or not shutil.which("pdftoppm"):
        return Extraction.failed("scan-no-ocr")
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_limited(
            ["pdftoppm", "-r", "200", "-l", "50", "-png", str(path), f"{tmp}/p"], OCR_LIMITS, expect_json=False
        )
        if not outcome.ok:
            return Extraction.failed("ocr-rasterise-failed")
        texts = []
        for image in sorted(Path(tmp).glob("p*.png")):
            result = ocr_image(image)
            if result.text_searchable:
                texts.append(result.text)
    if not texts:
        return Extraction.failed("ocr-empty")
    return Extraction("\n".join(texts)[:MAX_TEXT_CHARS], True, "ocr")
