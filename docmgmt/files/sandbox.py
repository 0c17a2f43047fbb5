"""Looking inside untrusted uploads in a separate process with time and memory limits.

A hostile PDF or DOCX (decompression bomb, zip bomb, cyclic structure, truncated file)
must never hang a web worker, eat the server's memory, or be stored for a viewer to
choke on later (pdf.js in the meeting room included). The look is taken by the child
of ``search.sandbox`` (``search/_worker.py``, in a pool of started interpreters of
``SANDBOX_WORKERS``), which has an address-space and a CPU limit and is killed at the
wall-clock deadline; the parent only reads a small JSON answer.

* A PDF: the page tree, then every stream a viewer will decode for each page — page
  contents and everything its resources and annotations reach (Form XObjects, images,
  masks, patterns, shadings, fonts), Form XObjects drawing themselves refused — with
  each stream's decoded size counted once per page using it. Limits (in the worker):
  ``MAX_STREAM_DECODED`` per stream, ``MAX_IMAGE_DECODED`` per image (also as declared
  by width × height × components × bits), ``MAX_DOCUMENT_DECODED`` per document.
* A DOCX: the zip's declared sizes and ratios, its number of parts, no DTD in its XML,
  and every part inflated once, counted.

:func:`check_upload` is what the doors call after storing an upload in the current
transaction: a refusal (``pdf_invalid`` / ``docx_invalid``, 422, Vietnamese reason)
rolls the transaction back and the store removes the bytes it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

from search import sandbox
from search.sandbox import Limits, Outcome

from ..core.errors import ValidationFailed
from .models import StoredFile
from .store import DOCX_MIME, FileStore

MEMORY_LIMIT = 512 * 1024 * 1024
CPU_SECONDS = 10
WALL_SECONDS = 15
# The text returned with ``want_text`` (the index keeps what the registration read).
MAX_TEXT_CHARS = 1_500_000


@dataclass
class PdfInfo:
    ok: bool
    pages: int = 0
    encrypted: bool = False
    error: str = ""  # "timeout" | "memory" | "malformed" | "encrypted" | "bomb"
    text: str = ""


FileInfo = PdfInfo  # the same answer for a DOCX (``pages`` stays 0)


def run_worker(mode: str, path: Path | str, limits: Limits, *extra: str, payload: bytes | None = None) -> Outcome:
    """``search.sandbox.run_worker`` with the pool sized by the app's ``SANDBOX_WORKERS``."""
    if has_app_context():
        sandbox.configure(current_app.config.get("SANDBOX_WORKERS"))
    return sandbox.run_worker(mode, path, limits, *extra, payload=payload)


def _inspect(mode: str, path: Path, wall_seconds: float, *extra: str) -> PdfInfo:
    outcome = run_worker(mode, path, Limits(MEMORY_LIMIT, CPU_SECONDS, wall_seconds), *extra)
    if outcome.status in ("timeout", "memory"):
        return PdfInfo(False, error=outcome.status)
    if not outcome.ok:
        return PdfInfo(False, error="malformed")
    answer = outcome.answer
    return PdfInfo(
        ok=bool(answer.get("ok")), pages=int(answer.get("pages") or 0),
        encrypted=bool(answer.get("encrypted")), error=str(answer.get("error") or ""),
        text=str(answer.get("text") or "")[:MAX_TEXT_CHARS],
    )


def inspect_pdf(path: Path, *, want_text: bool = False, wall_seconds: float = WALL_SECONDS) -> PdfInfo:
    extra = ["--text", "--max-chars", str(MAX_TEXT_CHARS)] if want_text else []
    return _inspect("inspect-pdf", path, wall_seconds, *extra)


def inspect_docx(path: Path, *, wall_seconds: float = WALL_SECONDS) -> PdfInfo:
    return _inspect("inspect-docx", path, wall_seconds)


def reason_of(info: PdfInfo) -> str:
    """Why the file was refused, in the reader's words (completes a sentence)."""
    reasons = {
        "timeout": _("tệp xử lý quá lâu (có thể là tệp độc hại)"),
        "memory": _("tệp đòi quá nhiều bộ nhớ (có thể là tệp độc hại)"),
        "bomb": _("tệp chứa dữ liệu nén bất thường (có thể là tệp độc hại)"),
        "encrypted": _("tệp đã bị đặt mật khẩu"),
    }
    return reasons.get(info.error, "")


def check_upload(stored: StoredFile, *, field: str = "file", want_text: bool = False) -> PdfInfo:
    """Inspect a stored upload that is a PDF or a DOCX; refuse it if it is hostile or
    broken. Other types (images, XML) pass unchanged."""
    path = FileStore.from_app().path_for(stored.sha256)
    if stored.mime == "application/pdf":
        info = inspect_pdf(path, want_text=want_text)
        if not info.ok:
            raise ValidationFailed("pdf_invalid", _(
                "Tệp PDF “%(name)s” không đọc được: %(why)s.", name=stored.original_name,
                why=reason_of(info) or _("tệp hỏng hoặc không đúng chuẩn PDF")), field)
        return info
    if stored.mime == DOCX_MIME:
        info = inspect_docx(path)
        if not info.ok:
            raise ValidationFailed("docx_invalid", _(
                "Tệp Word “%(name)s” không đọc được: %(why)s.", name=stored.original_name,
                why=reason_of(info) or _("tệp hỏng hoặc không đúng chuẩn Word (DOCX)")), field)
        return info
    return PdfInfo(True)
