"""Looking inside untrusted files in a separate process with time and memory limits.

A hostile PDF (decompression bomb, cyclic page tree, truncated file) must never hang a
web worker or eat the server's memory. The child process gets an address-space and a
CPU-time limit, pypdf's own limits are tightened, and the parent kills the child at the
wall-clock deadline. The parent only ever reads a small JSON answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 512 * 1024 * 1024
CPU_SECONDS = 10
WALL_SECONDS = 15


@dataclass
class PdfInfo:
    ok: bool
    pages: int = 0
    encrypted: bool = False
    error: str = ""  # "timeout" | "memory" | "malformed" | "encrypted" | …
    text: str = ""


def _limit_child() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    os.setsid()


def inspect_pdf(path: Path, *, want_text: bool = False, wall_seconds: float = WALL_SECONDS) -> PdfInfo:
    args = [sys.executable, "-m", "docmgmt.files.sandbox", str(path)]
    if want_text:
        args.append("--text")
    try:
        proc = subprocess.run(
            args, capture_output=True, timeout=wall_seconds, preexec_fn=_limit_child,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path)},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return PdfInfo(False, error="timeout")
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")
        if "MemoryError" in stderr or proc.returncode in (-9, 137):
            return PdfInfo(False, error="memory")
        if proc.returncode in (-24, 152):  # SIGXCPU
            return PdfInfo(False, error="timeout")
        return PdfInfo(False, error="malformed")
    try:
        answer = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return PdfInfo(False, error="malformed")
    return PdfInfo(**answer)


def _child(path: str, want_text: bool) -> dict:  # pragma: no cover - runs in the child
    import pypdf
    from pypdf import filters

    # pypdf's decompression limits: a bomb stops at a few tens of MB, not at the RAM.
    filters.ZLIB_MAX_OUTPUT_LENGTH = 75_000_000
    filters.LZW_MAX_OUTPUT_LENGTH = 75_000_000
    reader = pypdf.PdfReader(path, strict=False)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                return {"ok": False, "encrypted": True, "error": "encrypted"}
        except Exception:  # noqa: BLE001
            return {"ok": False, "encrypted": True, "error": "encrypted"}
    pages = len(reader.pages)
    if pages == 0:
        return {"ok": False, "error": "malformed"}
    # Decode every content stream ourselves: pypdf's text extraction swallows its own
    # decompression-limit errors, and a bomb must be refused, not quietly skipped.
    from pypdf.errors import LimitReachedError

    try:
        for page in reader.pages:
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
    except LimitReachedError:
        return {"ok": False, "error": "bomb"}
    text = ""
    if want_text:
        parts = []
        for page in reader.pages:
            parts.append(page.extract_text() or "")
            if sum(len(p) for p in parts) > 2_000_000:
                break
        text = "\n".join(parts)
    return {"ok": True, "pages": pages, "text": text}


if __name__ == "__main__":  # pragma: no cover
    import contextlib
    import io

    target = sys.argv[1]
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            result = _child(target, "--text" in sys.argv)
        except RecursionError:
            result = {"ok": False, "error": "malformed"}
        except MemoryError:
            if sys.__stderr__ is not None:
                sys.__stderr__.write("MemoryError")
            sys.exit(3)
        except Exception:  # noqa: BLE001 - any parse failure is "malformed" to the parent
            result = {"ok": False, "error": "malformed"}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
