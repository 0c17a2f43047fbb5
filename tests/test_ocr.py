"""Scans are searchable: a scanned page with Vietnamese text is read by OCR (OCRmyPDF with
tesseract's Vietnamese data) in the worker's extraction step, found by a word on it, and
given a copy with a text layer; without the tools it waits, and the product says so.

The scans are made here: Vietnamese text rendered by Pillow in Liberation Serif on an A4
page at 300 dpi, once as a PNG and once as an image-only PDF, and registered through the
registration form like a clerk does. One instance for the whole module (OCR is slow: the
two pages are read once): the ``waiting`` fixture registers them while OCR cannot run
and keeps what the pages, the search and the commands said then; the ``read`` fixture
then makes the tools available and runs the worker's step, which reads them.

Without OCRmyPDF or tesseract's ``vie`` data on this machine the tests that need them
are skipped, saying why, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from search.extract import ocr_missing
from tests.conftest import IN_CI, csrf_from, instance_config, login, text_of

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
DPI = 300
A4 = (2480, 3508)  # pixels at 300 dpi
OTHER_COMMUNE, OTHER_PASSWORD = ("cv.lacson", "quantri.lacson"), "matkhau-lacson"  # tests/conftest.py
# What is printed on each scan; the subjects typed at registration share no word with
# the lines searched for, so only OCR can make the document findable by them.
PNG_LINES = ["ỦY BAN NHÂN DÂN XÃ KIM BÔI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "",
             "KẾ HOẠCH", "Nạo vét kênh mương nội đồng vụ Đông Xuân",
             "Các thôn huy động nhân dân khơi thông dòng chảy,", "hoàn thành trước ngày 15 tháng 12."]
PDF_LINES = ["ỦY BAN NHÂN DÂN XÃ KIM BÔI", "", "THÔNG BÁO", "Tổ chức tiêm phòng dại cho đàn chó",
             "Đề nghị các hộ gia đình đưa vật nuôi đến điểm tiêm", "tại nhà văn hóa thôn vào sáng thứ Bảy."]


def _require_ocr() -> None:
    why = ocr_missing("ocrmypdf", "vie")
    if why is None:
        return
    if IN_CI:
        pytest.fail(f"OCRmyPDF and tesseract's Vietnamese data are required under CI=true: {why}")
    pytest.skip(f"OCR tools not installed here ({why}): sudo apt-get install -y ocrmypdf tesseract-ocr-vie")


def scanned_page(lines: list[str]):
    """An A4 page at 300 dpi with ``lines`` printed on it in 14 pt serif, as a scanner
    would see it (greyscale)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 58)  # 58 px at 300 dpi: about 14 pt
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    y = 300
    for line in lines:
        draw.text((240, y), line, font=font, fill=20)
        y += 120
    return page


def png_scan(lines: list[str]) -> bytes:
    out = io.BytesIO()
    scanned_page(lines).save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


def pdf_scan(lines: list[str]) -> bytes:
    out = io.BytesIO()
    scanned_page(lines).save(out, format="PDF", resolution=DPI)
    return out.getvalue()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass
class Office:
    """The module's commune: its app, the two scanned documents, and what was seen."""

    app: Any
    docs: dict[str, int] = field(default_factory=dict)  # "png"/"pdf" → incoming document id
    uploaded: dict[str, bytes] = field(default_factory=dict)
    seen: dict[str, Any] = field(default_factory=dict)

    def client(self, username: str):
        client = self.app.test_client()
        response = login(client, username, *((OTHER_PASSWORD,) if username in OTHER_COMMUNE else ()))
        assert response.status_code == 302, text_of(response)[:300]
        return client

    def cli(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    def reasons(self) -> dict[str, str]:
        from docmgmt.extensions import db
        from docmgmt.incoming.models import IncomingDocument
        from docmgmt.searching.models import BlobText

        with self.app.app_context():
            out = {}
            for key, doc_id in self.docs.items():
                stored = db.session.get(IncomingDocument, doc_id).files[0].stored
                row = db.session.get(BlobText, stored.sha256)
                out[key] = row.reason if row is not None else None
            return out

    def settle(self, **kw) -> float:
        from docmgmt.extensions import db
        from docmgmt.searching.indexing import extract_missing, settle

        started = time.monotonic()
        with self.app.app_context():
            if kw:
                extract_missing(**kw)
            else:
                settle()
            db.session.remove()
        return time.monotonic() - started


def search_ids(client, query: str) -> list[str]:
    html = text_of(client.get("/search", query_string={"q": query}))
    return re.findall(r'data-testid="search-hit" data-id="([^"]+)"', html)


def register_scan(client, subject: str, name: str, data: bytes) -> int:
    token = csrf_from(text_of(client.get("/incoming/new")))
    response = client.post("/incoming/new", content_type="multipart/form-data", data={
        "csrf_token": token, "sender_name": "Ủy ban nhân dân huyện Kim Bôi", "number_symbol": "",
        "issue_date": "2026-11-30", "doc_type": "ke_hoach", "urgency": "thuong",
        "confidentiality": "thuong", "subject": subject, "arrival_date": "",
        "files": (io.BytesIO(data), name)})
    assert response.status_code == 302, text_of(response)[:1000]
    return int(re.search(r"/incoming/(\d+)", response.headers["Location"]).group(1))


@pytest.fixture(scope="module")
def office(template_instance, tmp_path_factory):
    from docmgmt import create_app
    from docmgmt.extensions import db

    folder = tmp_path_factory.mktemp("ocr") / "instance"
    shutil.copytree(template_instance, folder)
    app = create_app(instance_config(folder))  # SEARCH_OCR_COMMAND "": no OCR yet
    yield Office(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def waiting(office: Office) -> Office:
    """The scans registered while OCR cannot run: first read by a web process's thread
    (no OCR there), then by the worker's step without the tools."""
    clerk = office.client("vanthu")
    for key, name, data, subject in (
            ("png", "ke-hoach-quet.png", png_scan(PNG_LINES), "Kế hoạch của UBND xã (bản quét)"),
            ("pdf", "thong-bao-quet.pdf", pdf_scan(PDF_LINES), "Thông báo của UBND xã (bản quét)")):
        office.uploaded[key] = data
        office.docs[key] = register_scan(clerk, subject, name, data)
    office.settle(with_ocr=False)  # what the after-commit thread of a web process does
    office.seen["deferred"] = office.reasons()
    office.settle()  # the worker's step, without the tools
    office.seen["unavailable"] = office.reasons()
    png = office.docs["png"]
    office.seen["page"] = text_of(clerk.get(f"/incoming/{png}"))
    office.seen["hits"] = text_of(clerk.get("/search", query_string={"q": "kế hoạch bản quét"}))
    office.seen["landing"] = text_of(clerk.get("/search"))
    office.seen["staff_landing"] = text_of(office.client("cv.kt1").get("/search"))
    office.seen["word_hits"] = search_ids(clerk, "kênh mương")
    office.seen["status"] = office.cli("search", "status")
    office.seen["home"] = text_of(office.client("quantri").get("/"))
    return office


@pytest.fixture(scope="module")
def read(waiting: Office) -> Office:
    """The tools appear; the worker's step reads the waiting scans (the module's OCR runs)."""
    _require_ocr()
    from docmgmt.extensions import db
    from docmgmt.searching.indexing import extract_missing

    waiting.app.config["SEARCH_OCR_COMMAND"] = "ocrmypdf"
    started = time.monotonic()
    # The worker's passes, each out of its time budget after its first file.
    passes: list[int] = []
    with waiting.app.app_context():
        while not passes or (passes[-1] and len(passes) < 20):
            passes.append(extract_missing(lock_timeout=0, budget_s=0))
        db.session.remove()
    waiting.seen["passes"] = passes
    waiting.settle()
    waiting.seen["ocr_seconds"] = time.monotonic() - started
    print(f"\nOCR of the two one-page scans took {waiting.seen['ocr_seconds']:.1f} s")
    return waiting


# --- without OCR: the scans wait, and the product says so ----------------------------------------

def test_a_scan_waits_for_ocr_and_its_pages_say_so(waiting: Office):
    # A web process's thread leaves scans to the worker; the worker without the tools
    # keeps them waiting, never failed.
    assert waiting.seen["deferred"] == {"png": "ocr-deferred", "pdf": "ocr-deferred"}
    assert waiting.seen["unavailable"] == {"png": "ocr-unavailable", "pdf": "ocr-unavailable"}
    page = waiting.seen["page"]
    assert 'data-testid="ocr-waiting"' in page and "chờ nhận dạng chữ (OCR)" in page
    assert 'data-testid="ocr-copy"' not in page
    # The search finds it by what the clerk typed, and says its file waits for OCR …
    hits = waiting.seen["hits"]
    png_hit = hits[hits.index(f'data-id="incoming:{waiting.docs["png"]}"'):]
    assert 'data-testid="ocr-waiting"' in png_hit.split("</article>")[0]
    # … but not by the words on the page, which nobody has read yet.
    assert waiting.seen["word_hits"] == []


def test_the_backlog_figure_counts_the_waiting_scans(waiting: Office):
    landing = waiting.seen["landing"]
    figure = re.search(r'data-testid="ocr-backlog">(.*?)</p>', landing, re.S).group(1)
    assert "0 đã nhận dạng chữ · 2 chờ nhận dạng chữ (OCR) · 0 không nhận dạng được" in figure
    assert "Máy chủ chưa cài công cụ nhận dạng chữ" in figure
    # The commune's count covers records a staff member may not open: not shown to them.
    assert 'data-testid="ocr-backlog"' not in waiting.seen["staff_landing"]
    status = waiting.seen["status"]
    assert "scans (OCR): 0 read (0%), 2 waiting, 0 failed" in status
    assert "OCR unavailable here: OCR turned off" in status
    panel = re.search(r'data-panel="ocr".*?</section>', waiting.seen["home"], re.S).group(0)
    assert "Đã nhận dạng chữ 0/2 tệp quét (0%)" in panel
    assert "Chờ nhận dạng chữ (OCR): 2 tệp" in panel and "scripts/setup.sh" in panel


# --- with OCR ------------------------------------------------------------------------------------

def test_a_worker_pass_out_of_its_budget_leaves_the_next_scan_to_the_next_pass(read: Office):
    # Reminders and the exchange run between passes: a backlog of scans never holds them up.
    passes = read.seen["passes"]
    assert passes[-1] == 0 and set(passes[:-1]) == {1} and len(passes) >= 3, passes


def test_a_vietnamese_word_on_the_scan_finds_the_document(read: Office):
    assert read.reasons() == {"png": "ocr", "pdf": "ocr"}
    clerk = read.client("vanthu")
    assert search_ids(clerk, "kênh mương") == [f"incoming:{read.docs['png']}"]
    assert search_ids(clerk, "tiem phong dai") == [f"incoming:{read.docs['pdf']}"]  # typed without marks
    # Someone of another commune finds nothing.
    assert search_ids(read.client("cv.lacson"), "kênh mương") == []


def test_the_scan_gains_a_copy_with_a_text_layer_and_the_original_is_untouched(read: Office):
    from pypdf import PdfReader

    from docmgmt.accesslog.models import AccessEvent
    from docmgmt.extensions import db
    from docmgmt.files.store import FileStore
    from docmgmt.incoming.models import IncomingDocument

    clerk = read.client("vanthu")
    for key, words in (("png", "kênh mương"), ("pdf", "tiêm phòng dại")):
        doc_id = read.docs[key]
        page = text_of(clerk.get(f"/incoming/{doc_id}"))
        link = re.search(r'data-testid="ocr-copy">\s*<a class="small" href="([^"]+)"', page)
        assert link and "Bản có lớp chữ (OCR)" in page and 'data-testid="ocr-waiting"' not in page
        copy = clerk.get(link.group(1))
        assert copy.status_code == 200 and copy.mimetype == "application/pdf"
        assert "(OCR).pdf" in copy.headers["Content-Disposition"]
        text = nfc(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(copy.data)).pages))
        assert words in " ".join(text.split()), text[:500]
        with read.app.app_context():
            stored = db.session.get(IncomingDocument, doc_id).files[0].stored
            original = FileStore.from_app().path_for(stored.sha256).read_bytes()
            # The original is the clerk's upload, byte for byte; the copy is another file.
            assert original == read.uploaded[key] and stored.sha256 == hashlib.sha256(original).hexdigest()
            assert hashlib.sha256(copy.data).hexdigest() != stored.sha256
            # The download is in the access log, as a read of the document's file.
            event = db.session.scalars(sa.select(AccessEvent).where(
                AccessEvent.target_kind == "incoming", AccessEvent.target_id == doc_id)
                .order_by(AccessEvent.id.desc())).first()
            assert (event.action, event.file_id, event.user.username) == ("download", stored.id, "vanthu")
            file_id = stored.id
        # The same door, the same check: another commune's user is not told it exists.
        assert read.client("cv.lacson").get(f"/incoming/{doc_id}/files/{file_id}/ocr").status_code == 404


def test_the_figure_and_the_store_after_the_scans_are_read(read: Office):
    from docmgmt.extensions import db
    from docmgmt.files.store import FileStore
    from docmgmt.maintenance.check import sweep_leftovers
    from docmgmt.searching.models import OcrCopy

    assert "scans (OCR): 2 read (100%), 0 waiting, 0 failed" in read.cli("search", "status")
    landing = text_of(read.client("vanthu").get("/search"))
    assert "2 đã nhận dạng chữ · 0 chờ nhận dạng chữ (OCR) · 0 không nhận dạng được" in landing
    assert 'data-panel="ocr"' not in text_of(read.client("quantri").get("/"))  # nothing waits
    # The copies are named by their rows: the store's sweep of leftovers keeps them.
    with read.app.app_context():
        sweep_leftovers(grace=0)
        copies = list(db.session.scalars(sa.select(OcrCopy.searchable_sha256)))
        assert len(copies) == 2
        assert all(FileStore.from_app().path_for(sha).is_file() for sha in copies)
