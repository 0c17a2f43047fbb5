"""Text of attached files for the index: PDF, DOCX, and scans read by OCR.

Files come from outside (citizens, other agencies) and every format is parsed in a
child process under CPU, memory and wall-clock limits (``search.sandbox``, the one
script ``search/_worker.py``; OCRmyPDF and the tools it runs under the same limits): a
decompression bomb, a zip bomb or a cyclic page tree kills the child, never the
process that asked. A DOCX is refused before it is unpacked when its zip declares
absurd sizes or ratios, and its inflation is counted in the child. The text kept is
cut at ``MAX_TEXT_CHARS``.

Scans (images, and PDFs with next to no text) are read by OCRmyPDF with tesseract's
Vietnamese data when the caller allows OCR (``ocr=Ocr(workdir)``: the background
worker) and the tools are installed; the result then carries the copy with a text
layer (``searchable_copy``). Otherwise the reason says why the text waits:
``ocr-deferred`` (OCR not allowed in this process) or ``ocr-unavailable`` (the tools
are missing), and the file is indexed by its metadata only until it is read again.

Nothing here is fast enough for a request: the app calls it from a background step.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from search.analysis import nfc
from search.sandbox import Limits, Outcome, run_limited, run_worker

PDF_TIMEOUT_S = 20.0
PDF_CPU_S = 15
PDF_MEMORY_BYTES = 768 * 1024 * 1024
DOCX_TIMEOUT_S = 30.0
DOCX_CPU_S = 20
# OCR: each process of OCRmyPDF's (Python, tesseract, Ghostscript) gets this address
# space; the wall clock (and CPU time) grows with the pages, up to MAX_OCR_PAGES (the
# pages after it are kept in the copy without text). One page takes 3–10 s here.
OCR_MEMORY_BYTES = 1024 * 1024 * 1024
OCR_BASE_S = 60.0
OCR_PAGE_S = 30.0
MAX_OCR_PAGES = 100
OCR_PAGE_TESSERACT_S = 120  # one page in tesseract; a page beyond it is kept without text
OCR_FILE_BYTES = 1024 * 1024 * 1024  # rasterised pages, the copy
OCR_PROBE_TTL_S = 60.0
# The text kept of one file: about 400 pages of dense text. Beyond that a file is not
# a document a person reads, and the index would only grow.
MAX_TEXT_CHARS = 1_500_000
# A PDF with fewer letters than this per page is treated as a scan.
MIN_CHARS_PER_PAGE = 20

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}

# Why a scan has (or has not yet) its text; the app counts its backlog by these.
OCR_DONE = "ocr"
OCR_DEFERRED = "ocr-deferred"  # OCR was not allowed where the file was read: later
OCR_UNAVAILABLE = "ocr-unavailable"  # OCRmyPDF or tesseract's Vietnamese data missing
OCR_WAITING = (OCR_DEFERRED, OCR_UNAVAILABLE)
# OCRmyPDF's exit codes (ocrmypdf.exceptions.ExitCode) that say more than "failed".
OCRMYPDF_EXITS = {2: "ocr-unreadable", 8: "ocr-encrypted"}
PREPARE_FAILURES = {"timeout": "ocr-timeout", "memory limit": "ocr-memory", "parser died": "ocr-failed"}


@dataclass(frozen=True, slots=True)
class Extraction:
    text: str
    text_searchable: bool
    # Why the text is missing or partial ("ok", "ocr", "ocr-unavailable", "timeout", …).
    reason: str
    # OCR: the file again with a text layer over its pages, in the caller's workdir.
    searchable_copy: Path | None = None
    # What the reason leaves out, for the log ("tesseract has no 'vie' data").
    detail: str = ""

    @classmethod
    def failed(cls, reason: str) -> Extraction:
        return cls("", False, reason)


def extract(path: str | os.PathLike[str], mimetype: str | None = None, *, ocr: Ocr | None = None) -> Extraction:
    """Text of the file at ``path``; never raises for a bad file. Scans are OCR'd only
    with ``ocr`` (see the module's docstring)."""
    p = Path(path)
    kind = (mimetype or "").lower()
    suffix = p.suffix.lower()
    try:
        if suffix == ".pdf" or kind == "application/pdf":
            return extract_pdf(p, ocr=ocr)
        if suffix == ".docx" or "wordprocessingml" in kind:
            return extract_docx(p)
        if suffix in IMAGE_EXTENSIONS or kind.startswith("image/"):
            return ocr_image(p, ocr)
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


def extract_pdf(path: Path, timeout: float = PDF_TIMEOUT_S, *, ocr: Ocr | None = None) -> Extraction:
    outcome = run_worker(
        "extract-pdf", path, Limits(PDF_MEMORY_BYTES, PDF_CPU_S, timeout), "--max-chars", str(MAX_TEXT_CHARS)
    )
    if (why := _failure(outcome, "pdf")) is not None:
        return Extraction.failed(why)
    text = _text_of(outcome)
    pages = max(1, int(outcome.answer.get("pages", 1)))
    if looks_scanned(text, pages):
        # Image-only (scanned) PDF: OCR if allowed and possible, else whatever text there was.
        return ocr_pdf(path, ocr, pages, text)
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


# -- OCR ---------------------------------------------------------------------------------
#
# A scan is read by OCRmyPDF (Debian's ``ocrmypdf``, with tesseract's Vietnamese data,
# ``tesseract-ocr-vie``): it gives the text (``--sidecar``) and a copy of the file with
# an invisible text layer over each page (copy-paste, search in a PDF viewer). It is
# the system's command, run like every other parser of a file from outside: in a child
# under the sandbox's limits, its whole process group (tesseract, Ghostscript) killed
# at the deadline. The original file is only read.


@dataclass(frozen=True, slots=True)
class Ocr:
    """OCR is allowed here: OCRmyPDF ``command`` with tesseract's ``language`` data; its
    output (the copy with a text layer) and temporary files go to ``workdir``, which
    the caller removes."""

    workdir: Path
    command: str = "ocrmypdf"
    language: str = "vie"

    def missing(self) -> str | None:
        return ocr_missing(self.command, self.language)


def ocr_missing(command: str = "ocrmypdf", language: str = "vie") -> str | None:
    """Why OCR cannot run on this machine ("ocrmypdf not found", "tesseract has no
    'vie' data"…), or None when it can. Looked up again after ``OCR_PROBE_TTL_S``, so
    tools installed later are found without a restart."""
    key = (command, language, os.environ.get("PATH", ""))
    now = time.monotonic()
    known = _PROBED.get(key)
    if known is not None and now - known[0] < OCR_PROBE_TTL_S:
        return known[1]
    why = _probe(command, language)
    _PROBED[key] = (now, why)
    return why


def forget_ocr_probe() -> None:
    _PROBED.clear()


_PROBED: dict[tuple[str, str, str], tuple[float, str | None]] = {}


def _probe(command: str, language: str) -> str | None:
    if not command:
        return "OCR turned off (no OCRmyPDF command configured)"
    if not shutil.which(command):
        return f"{command} not found"
    for tool in ("tesseract", "gs"):
        if not shutil.which(tool):
            return f"{tool} not found"
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "tesseract does not answer"
    installed = set(out.stdout.decode("utf-8", "replace").split())
    for lang in language.split("+"):
        if lang not in installed:
            return f"tesseract has no '{lang}' data"
    return None


def looks_scanned(text: str, pages: int) -> bool:
    """A PDF with fewer letters than ``MIN_CHARS_PER_PAGE`` a page is a scan (a stamp or
    a page number over an image does not make it text)."""
    return sum(ch.isalpha() for ch in text) < MIN_CHARS_PER_PAGE * max(1, pages)


def _ocr_limits(pages: int) -> Limits:
    wall = OCR_BASE_S + OCR_PAGE_S * max(1, min(pages, MAX_OCR_PAGES))
    return Limits(OCR_MEMORY_BYTES, int(wall), wall, OCR_FILE_BYTES)


_SKIPPED = re.compile(r"\[OCR skipped on page\(s\) [0-9, -]+\]")


def _run_ocrmypdf(ocr: Ocr, source: Path, pages: int, *mode: str) -> Extraction:
    """OCRmyPDF on ``source`` (a PDF, or an image it converts); the text it recognised
    and the copy with the text layer."""
    out = ocr.workdir / "searchable.pdf"
    sidecar = ocr.workdir / "text.txt"
    scratch = ocr.workdir / "tmp"
    scratch.mkdir(exist_ok=True)
    command = [
        ocr.command, "-l", ocr.language, "--output-type", "pdf", *mode,
        "--rotate-pages",  # a page scanned sideways or upside down is read the right way
        "--jobs", "1",  # one core: the worker shares the machine with the web server
        "--optimize", "0",  # the pictures of the pages stay exactly as they were scanned
        "--tesseract-timeout", str(OCR_PAGE_TESSERACT_S),
        "--pages", f"1-{MAX_OCR_PAGES}",
        "--sidecar", str(sidecar), "--quiet", str(source), str(out),
    ]
    outcome = run_limited(command, _ocr_limits(pages), expect_json=False, env={"TMPDIR": str(scratch)})
    if outcome.status == "timeout":
        return Extraction.failed("ocr-timeout")
    if outcome.status == "memory":
        return Extraction.failed("ocr-memory")
    if not outcome.ok:
        return Extraction.failed(OCRMYPDF_EXITS.get(outcome.code or 0, "ocr-failed"))
    try:
        with open(sidecar, encoding="utf-8", errors="replace") as f:
            raw = f.read(MAX_TEXT_CHARS + 4096)
    except OSError:
        return Extraction.failed("ocr-failed")
    text = nfc(_SKIPPED.sub("", raw).replace("\f", "\n").strip())[:MAX_TEXT_CHARS]
    if not any(ch.isalpha() for ch in text) or not out.is_file():
        return Extraction.failed("ocr-empty")
    return Extraction(text, True, OCR_DONE, searchable_copy=out)


def ocr_pdf(path: Path, ocr: Ocr | None, pages: int = 1, text: str = "") -> Extraction:
    """A scanned PDF: OCR where allowed and possible, with ``--redo-ocr`` (each page's
    pictures are read, the visible text of a page, a stamp, a page number, is kept as
    it is and was read already: ``text``; a hidden text layer from an earlier OCR is
    replaced). Without OCR, ``text`` is all there is."""
    if ocr is None:
        return Extraction(text, False, OCR_DEFERRED)
    if (why := ocr.missing()) is not None:
        return Extraction(text, False, OCR_UNAVAILABLE, detail=why)
    result = _run_ocrmypdf(ocr, path, pages, "--redo-ocr")
    if not result.text_searchable:
        return Extraction(text, False, result.reason)
    combined = f"{text.strip()}\n{result.text}" if text.strip() else result.text
    return Extraction(combined[:MAX_TEXT_CHARS], True, OCR_DONE, searchable_copy=result.searchable_copy)


def ocr_image(path: Path, ocr: Ocr | None = None) -> Extraction:
    """A scan sent as an image (JPEG, PNG, TIFF: every frame a page). Looked at first in
    the sandbox (``prepare-image``): an image OCRmyPDF would refuse as it is is
    flattened into a TIFF, and one without a believable resolution is given one."""
    if ocr is None:
        return Extraction.failed(OCR_DEFERRED)
    if (why := ocr.missing()) is not None:
        return Extraction("", False, OCR_UNAVAILABLE, detail=why)
    flat = ocr.workdir / "flat.tiff"
    outcome = run_worker("prepare-image", path, Limits(OCR_MEMORY_BYTES, PDF_CPU_S, PDF_TIMEOUT_S, OCR_FILE_BYTES),
                         "--out", str(flat))
    if (why := _failure(outcome, "image")) is not None:
        return Extraction.failed(PREPARE_FAILURES.get(why, "ocr-unreadable"))
    answer = outcome.answer
    source = flat if answer.get("flattened") else path
    dpi = int(answer.get("dpi") or 0)
    mode = ["--skip-text"] if dpi else ["--skip-text", "--image-dpi", str(_estimated_dpi(answer))]
    return _run_ocrmypdf(ocr, source, int(answer.get("frames") or 1), *mode)


def _estimated_dpi(answer: dict) -> int:
    """For an image that states no believable resolution (a photo, a screenshot): that
    of an A4 page filling the image, within what a scanner offers."""
    return int(answer.get("estimated_dpi") or 300)
