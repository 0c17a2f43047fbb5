"""DOCX → PDF through LibreOffice headless: Vietnamese text survives, parallel
conversions both deliver, a timeout kills everything, a missing LibreOffice says so.

Tests that need LibreOffice skip when it is absent, except under CI=true, where
scripts/test installs it and its absence is a failure.
"""

from __future__ import annotations

import io
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from docmgmt.outgoing import render
from docmgmt.outgoing.render import RenderFailed, RenderUnavailable, docx_to_pdf, libreoffice_available
from docmgmt.outgoing.templates_docx import build_draft
from tests.conftest import IN_CI
from tests.test_templates_docx import DRAFTS


@pytest.fixture
def soffice() -> None:
    if libreoffice_available():
        return
    if IN_CI:
        pytest.fail(
            "LibreOffice (soffice) missing under CI=true: scripts/test installs libreoffice-writer-nogui"
        )
    pytest.skip("LibreOffice not installed (apt-get install -y libreoffice-writer-nogui)")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.slow
def test_rendered_pdf_keeps_the_vietnamese_header(soffice: None) -> None:
    spec, _ = DRAFTS["quyet_dinh"]
    pdf = docx_to_pdf(build_draft(spec))
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    first_page = reader.pages[0].extract_text()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN XÃ KIM BÔI",
        "QUYẾT ĐỊNH",
        "Về việc thành lập Tổ công tác chuyển đổi số",
        "Bùi Văn Khánh",
    ):
        assert expected in first_page, expected
    # Issuance finds the number and date fields by these literal words on page 1.
    assert "Số:" in first_page and "/QĐ-UBND" in first_page
    assert "Kim Bôi, ngày" in first_page
    page = reader.pages[0].mediabox
    assert (round(float(page.width)), round(float(page.height))) == (595, 842)  # A4 in points


@pytest.mark.slow
def test_two_conversions_in_parallel_both_deliver(soffice: None) -> None:
    spec, _ = DRAFTS["cong_van"]
    subjects = ["Về việc kiểm kê tài sản công năm 2025", "Về việc tổ chức Tết Trung thu cho thiếu nhi"]
    drafts = [build_draft(replace(spec, subject=s)) for s in subjects]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(docx_to_pdf, drafts))
    elapsed = time.monotonic() - started
    texts = [pdf_text(pdf) for pdf in pdfs]
    assert "V/v kiểm kê tài sản công năm 2025" in texts[0]
    assert "V/v tổ chức Tết Trung thu cho thiếu nhi" in texts[1]
    assert elapsed < 60


@pytest.mark.slow
def test_timeout_is_reported_and_leaves_nothing_running(
    soffice: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The work folder (profile, input, output) goes under tmp_path so we can check
    # that it is removed and that no process still uses it.
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    spec, _ = DRAFTS["thong_bao"]
    started = time.monotonic()
    with pytest.raises(RenderFailed, match="giây"):
        docx_to_pdf(build_draft(spec), timeout=0.2)
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == []
    assert not _processes_mentioning(str(tmp_path))


def test_missing_libreoffice_is_reported_in_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no soffice anywhere
    assert not libreoffice_available()
    assert render.soffice_executable() is None
    with pytest.raises(RenderUnavailable) as refused:
        docx_to_pdf(b"PK not even read")
    assert "chưa cài LibreOffice" in str(refused.value)
    assert "tải lên bản PDF" in str(refused.value)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found
