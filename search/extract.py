"""Text of attached files for the index: PDF, DOCX, images (OCR when available).

PDFs come from outside (citizens, other agencies) and are parsed in a child process
with CPU, memory and wall-clock limits: a decompression bomb or a cyclic page tree
kills the child, never the web worker. DOCX is read in-process (a zip of XML, parsed
by python-docx/lxml without network or entity expansion). Scans and image-only PDFs
go to tesseract with Vietnamese data if it is installed; otherwise the document is
indexed by its metadata only and flagged as not text-searchable.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from search.analysis import nfc

PDF_TIMEOUT_S = 20.0
PDF_CPU_S = 15
PDF_MEMORY_BYTES = 768 * 1024 * 1024
OCR_TIMEOUT_S = 120.0
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
            return Extraction(nfc(p.read_text("utf-8", errors="replace")), True, "ok")
    except OSError as exc:
        return Extraction.failed(f"unreadable: {exc.strerror or exc}")
    return Extraction.failed("unsupported file type")


# -- PDF -------------------------------------------------------------------------------


def _limit_child() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_CPU, (PDF_CPU_S, PDF_CPU_S + 1))
    resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY_BYTES, PDF_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setsid()  # own process group: the timeout kill takes any grandchildren too


def extract_pdf(path: Path, timeout: float = PDF_TIMEOUT_S) -> Extraction:
    cmd = [sys.executable, "-I", "-m", "search._pdf_worker", str(path)]
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": os.defpath}
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_child,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extraction.failed("timeout")
    if proc.returncode != 0:
        return Extraction.failed(f"parser died (exit {proc.returncode})")
    try:
        result = json.loads(proc.stdout.decode("utf-8") or "{}")
    except ValueError:
        return Extraction.failed("parser output unreadable")
    if "error" in result:
        return Extraction.failed(f"pdf: {result['error']}")
    text = nfc(result.get("text", ""))
    pages = max(1, int(result.get("pages", 1)))
    letters = sum(ch.isalpha() for ch in text)
    if letters < MIN_CHARS_PER_PAGE * pages:
        # Image-only (scanned) PDF: OCR if possible, keep whatever text there was.
        ocr = ocr_pdf(path)
        if ocr.text_searchable:
            return ocr
        return Extraction(text, False, ocr.reason)
    return Extraction(text, True, "ok")


# -- DOCX ------------------------------------------------------------------------------


def extract_docx(path: Path) -> Extraction:
    """Headers, then body paragraphs and tables in document order, then footers."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover
        return Extraction.failed("python-docx not installed")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # corrupt zip/XML: python-docx raises many kinds
        return Extraction.failed(f"docx: {type(exc).__name__}")

    lines: list[str] = []

    def table_lines(table: Table) -> None:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = cell.text.strip()
                if text and (not cells or cells[-1] != text):  # merged cells repeat
                    cells.append(text)
            if cells:
                lines.append(" | ".join(cells))

    seen_headers: set[str] = set()
    for section in document.sections:
        for part in (section.header,):
            text = "\n".join(p.text for p in part.paragraphs if p.text.strip())
            if text and text not in seen_headers:
                seen_headers.add(text)
                lines.append(text)
            for table in part.tables:
                table_lines(table)
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                lines.append(block.text)
        else:
            table_lines(block)
    for section in document.sections:
        text = "\n".join(p.text for p in section.footer.paragraphs if p.text.strip())
        if text and text not in seen_headers:
            seen_headers.add(text)
            lines.append(text)
    return Extraction(nfc("\n".join(lines)), True, "ok")


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


def ocr_image(path: Path) -> Extraction:
    if not tesseract_available():
        return Extraction.failed("scan-no-ocr")
    try:
        proc = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "vie"],
            capture_output=True,
            timeout=OCR_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extraction.failed("ocr-timeout")
    if proc.returncode != 0:
        return Extraction.failed("ocr-failed")
    text = nfc(proc.stdout.decode("utf-8", errors="replace"))
    if not text.strip():
        return Extraction.failed("ocr-empty")
    return Extraction(text, True, "ocr")


def ocr_pdf(path: Path) -> Extraction:
    """Rasterise with pdftoppm (poppler) and OCR each page, when both tools exist."""
    if not tesseract_available() or not shutil.which("pdftoppm"):
        return Extraction.failed("scan-no-ocr")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                ["pdftoppm", "-r", "200", "-l", "50", "-png", str(path), f"{tmp}/p"],
                capture_output=True,
                timeout=OCR_TIMEOUT_S,
                check=True,
            )
        except (subprocess.SubprocessError, OSError):
            return Extraction.failed("ocr-rasterise-failed")
        texts = []
        for image in sorted(Path(tmp).glob("p*.png")):
            result = ocr_image(image)
            if result.text_searchable:
                texts.append(result.text)
    if not texts:
        return Extraction.failed("ocr-empty")
    return Extraction("\n".join(texts), True, "ocr")
