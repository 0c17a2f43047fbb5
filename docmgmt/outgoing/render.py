"""DOCX → PDF with LibreOffice headless, one throw-away user profile per conversion.

LibreOffice keeps its state (registry, locks, caches) in a user profile; two
``soffice`` processes sharing one profile either hand the work to the first process,
which then converts one file and silently drops the other, or fail on the profile
lock. Each conversion therefore gets its own temporary directory holding the input,
the output and a fresh profile (``-env:UserInstallation=file:///…``), all removed
afterwards. The process runs in its own session, so on timeout the whole process
group — the ``soffice`` shell wrapper, ``oosplash`` and ``soffice.bin`` — is killed and
nothing keeps running in the background.

Where LibreOffice is not installed, :class:`RenderUnavailable` says so in Vietnamese:
the product then asks for an uploaded PDF instead.

Fonts: the DOCX names the document font (``XASO_DOCUMENT_FONT``, see
``docmgmt.signing.typeface``), by default Liberation Serif, metric-compatible with Times
New Roman; its Debian ``fonts-liberation2`` version carries every Vietnamese letter (the
older ``fonts-liberation`` lacks 96 of them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

# Names the executable goes by: Debian's /usr/bin/soffice, and the libreoffice alias.
EXECUTABLES = ("soffice", "libreoffice")
STDERR_TAIL = 500  # characters of LibreOffice's stderr kept in an error message


class RenderError(RuntimeError):
    """A DOCX could not be turned into a PDF; ``str(error)`` is for the user."""


class RenderUnavailable(RenderError):
    """LibreOffice is not installed on this server."""

    def __init__(self) -> None:
        super().__init__(
            "Máy chủ chưa cài LibreOffice nên không thể tạo bản PDF từ tệp DOCX. "
            "Vui lòng tải lên bản PDF của văn bản."
        )


class RenderFailed(RenderError):
    """LibreOffice ran but produced no PDF (timeout, damaged input, crash)."""


def soffice_executable() -> str | None:
    """The LibreOffice executable found on PATH, or None."""
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


def libreoffice_available() -> bool:
    """Whether DOCX drafts can be rendered here (else the product accepts a PDF)."""
    return soffice_executable() is not None


def docx_to_pdf(docx: bytes, timeout: float = 60) -> bytes:
    """The PDF rendering of ``docx``.

    Raises RenderUnavailable when LibreOffice is missing, RenderFailed when it does not
    produce a PDF within ``timeout`` seconds (the processes are then killed).
    """
    executable = soffice_executable()
    if executable is None:
        raise RenderUnavailable()
    with tempfile.TemporaryDirectory(prefix="xaso-render-", ignore_cleanup_errors=True) as work:
        folder = Path(work)
        source = folder / "document.docx"
        source.write_bytes(docx)
        output = folder / "out"
        profile = folder / "profile"
        command = [
            executable,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(output),
            str(source),
        ]
        # HOME inside the work folder: anything LibreOffice or fontconfig writes outside
        # the profile lands there and is removed with it, never in the service's home.
        env = {**os.environ, "HOME": str(folder)}
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=folder,
            env=env,
            start_new_session=True,  # its own process group, to kill as a whole
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise RenderFailed(
                f"LibreOffice không tạo xong bản PDF trong {timeout:g} giây; đã dừng tiến trình."
            ) from None
        finally:
            # soffice.bin may outlive the wrapper on a crash: leave nothing behind.
            _kill_group(process)
        pdf = output / "document.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip()[-STDERR_TAIL:]
            raise RenderFailed(
                f"LibreOffice không tạo được bản PDF (mã thoát {process.returncode})"
                + (f": {detail}" if detail else ".")
            )
        return pdf.read_bytes()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # group already gone
        os.killpg(process.pid, signal.SIGKILL)
