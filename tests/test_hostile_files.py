"""Hostile files at the real doors of a running server.

Generated bombs (page content, Form XObject, image, one stream shared by fifty pages,
DOCX XML, zip), cyclic and deeply nested structures, truncated and garbage files are
uploaded over HTTP to a real threaded server, through ``POST /api/v1/files``, the
registration of an arrived document and the upload of a draft. Each is refused with its
code within the sandbox's deadline, leaves nothing behind (no row, no file in the store,
no temporary file), and ``/healthz`` keeps answering while it is looked at. A bomb that
got in before these checks existed is read for the index in the background, without
holding up any request, and refused there. Signatures of a PDF that breaks the verifier
are refused, not a crash.
"""

from __future__ import annotations

import functools
import io
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from docmgmt.files.sandbox import WALL_SECONDS
from tests.conftest import LiveServer, instance_config
from tests.files_helpers import make_docx, make_pdf
from tests.hostile_pdfs import (
    billion_laughs_docx,
    cyclic_page_tree,
    cyclic_xobjects,
    declared_image_bomb,
    decompression_bomb,
    deep_page_tree,
    deeply_nested_arrays,
    deeply_nested_docx,
    docx_xml_bomb,
    form_xobject_bomb,
    garbage_pdf,
    image_bomb,
    lying_zip,
    many_entries_zip,
    shared_resources_form,
    shared_stream_bomb,
    signature_field_tree_too_deep,
    signature_value_not_a_dictionary,
    signature_value_refers_to_itself,
    truncated,
    zip_bomb,
)

REFUSED_WITHIN_S = WALL_SECONDS + 10  # the sandbox's deadline, and a busy machine's slack
HEALTHZ_WITHIN_S = 5.0


@dataclass(frozen=True)
class Hostile:
    name: str
    filename: str
    make: Callable[[], bytes]
    code: str


HOSTILE = [
    Hostile("page content bomb (400 MB)", "noi-dung.pdf", lambda: decompression_bomb(400), "pdf_invalid"),
    Hostile("form xobject bomb (1.1 GB)", "form.pdf", form_xobject_bomb, "pdf_invalid"),
    Hostile("image bomb (1.2 GB)", "anh.pdf", image_bomb, "pdf_invalid"),
    Hostile("image declaring 1.2 GB", "anh-khai.pdf", declared_image_bomb, "pdf_invalid"),
    Hostile("50 pages x one 60 MB stream", "chung.pdf", shared_stream_bomb, "pdf_invalid"),
    Hostile("forms drawing each other", "vong-form.pdf", cyclic_xobjects, "pdf_invalid"),
    Hostile("cyclic page tree", "vong-trang.pdf", cyclic_page_tree, "pdf_invalid"),
    Hostile("page tree 3000 deep", "sau-trang.pdf", deep_page_tree, "pdf_invalid"),
    Hostile("arrays nested 100 000 deep", "long-nhau.pdf", deeply_nested_arrays, "pdf_invalid"),
    Hostile("truncated pdf", "cut.pdf", lambda: truncated(make_pdf("Quyết định bị cắt")), "pdf_invalid"),
    Hostile("garbage after a pdf header", "rac.pdf", garbage_pdf, "pdf_invalid"),
    Hostile("docx xml bomb (200 MB body)", "bom.docx", docx_xml_bomb, "docx_invalid"),
    Hostile("docx zip bomb (2 GB picture)", "zip.docx", zip_bomb, "docx_invalid"),
    Hostile("docx part lying about its size", "doi.docx", lying_zip, "docx_invalid"),
    Hostile("docx of 60 000 parts", "nhieu.docx", many_entries_zip, "file_type"),  # not even listed
    Hostile("docx with entity expansion", "cuoi.docx", billion_laughs_docx, "docx_invalid"),
    Hostile("docx nested 100 000 deep", "long.docx", deeply_nested_docx, "docx_invalid"),
    Hostile("truncated docx", "cut.docx", lambda: truncated(make_docx()), "file_type"),
]


@functools.cache
def _content(hostile: Hostile) -> bytes:
    return hostile.make()


@dataclass
class Server:
    app: object
    live: LiveServer
    folder: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def post(self, who: str, path: str, **kw) -> requests.Response:
        return requests.post(self.live.url + path, headers={"Authorization": f"Bearer {self.tokens[who]}"},
                             timeout=300, **kw)

    def count(self, model) -> int:
        from docmgmt.extensions import db

        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def stored_files(self) -> set[Path]:
        files = self.folder / "files"
        return {p for p in files.rglob("*") if p.is_file() and not p.name.startswith("healthz-")}


@pytest.fixture(scope="module")
def server(template_instance, tmp_path_factory):
    """One real server (threads, as ``make run`` serves SQLite) for the whole module."""
    from docmgmt import create_app
    from docmgmt.auth.operations import create_token
    from docmgmt.extensions import db
    from tests.commune import user

    folder = tmp_path_factory.mktemp("hostile") / "instance"
    shutil.copytree(template_instance, folder)
    app = create_app(instance_config(folder))
    tokens = {}
    with app.app_context():
        for name in ("vanthu", "cv.kt1"):
            _token, tokens[name] = create_token(user(name), "kiểm thử tệp độc hại")
        db.session.commit()
    live = LiveServer(folder)  # its log goes to a file (live.output()), never a pipe that fills
    yield Server(app, live, folder, tokens)
    live.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _while_healthz_polled(server: Server, action: Callable[[], requests.Response]):
    """Run ``action`` in a thread while /healthz is asked again and again; returns the
    action's response, its duration, and every /healthz answer (status, seconds)."""
    result: dict = {}

    def run():
        started = time.monotonic()
        try:
            result["response"] = action()
        finally:
            result["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=run)
    worker.start()
    answers = []
    while worker.is_alive():
        asked = time.monotonic()
        try:
            status = requests.get(server.live.url + "/healthz", timeout=HEALTHZ_WITHIN_S * 4).status_code
        except requests.RequestException as exc:
            status = repr(exc)
        answers.append((status, time.monotonic() - asked))
        worker.join(0.05)
    worker.join()
    return result["response"], result["seconds"], answers


DOORS = {
    "files": ("vanthu", "/api/v1/files", "file", {}),
    "incoming": ("vanthu", "/api/v1/incoming", "files", {
        "sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": "12/SNV-TCBC",
        "subject": "Về việc báo cáo số lượng cán bộ", "doc_type": "cong_van"}),
    "draft": ("cv.kt1", "/api/v1/outgoing", "file", {
        "doc_type": "cong_van", "subject": "Dự thảo công văn gửi các thôn"}),
}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_a_hostile_file_is_refused_at_every_door_and_leaves_nothing(server, hostile, door):
    from docmgmt.files.models import Blob, StoredFile
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.outgoing.models import OutgoingDocument

    who, path, part, fields = DOORS[door]
    content = _content(hostile)
    before = (server.count(Blob), server.count(StoredFile), server.count(IncomingDocument),
              server.count(OutgoingDocument), server.stored_files())

    def upload():
        return server.post(who, path, data=fields, files={part: (hostile.filename, io.BytesIO(content))})

    response, seconds, healthz = _while_healthz_polled(server, upload)
    assert response.status_code == 422, response.text[:500]
    assert response.json()["error"]["code"] == hostile.code, response.json()
    assert "không" in response.json()["error"]["message"]  # a reason in Vietnamese
    assert seconds < REFUSED_WITHIN_S
    assert healthz and all(status == 200 for status, _s in healthz), healthz
    assert max(s for _status, s in healthz) < HEALTHZ_WITHIN_S, healthz
    after = (server.count(Blob), server.count(StoredFile), server.count(IncomingDocument),
             server.count(OutgoingDocument), server.stored_files())
    assert after == before  # no row, no stored file, no temporary file in the store


def test_a_legitimate_form_sharing_its_pages_resources_is_accepted(server):
    """A form that appears in its own resources without drawing itself is how some
    producers write PDFs: the cycle check must not refuse it."""
    response = server.post("vanthu", "/api/v1/files",
                           files={"file": ("hop-le.pdf", io.BytesIO(shared_resources_form()))})
    assert response.status_code == 201, response.text[:500]


def test_the_web_process_never_holds_a_bomb(server):
    """The bombs above were all looked at in children: the server's own peak memory
    stayed that of a web process (Linux: VmHWM of the server)."""
    status = Path(f"/proc/{server.live.proc.pid}/status")
    if not status.exists():
        pytest.skip("no /proc on this system")
    for hostile in (HOSTILE[1], HOSTILE[2], HOSTILE[12]):  # the biggest ones, once more
        server.post("vanthu", "/api/v1/files", files={"file": (hostile.filename, io.BytesIO(_content(hostile)))})
    peak_kb = next(int(line.split()[1]) for line in status.read_text().splitlines()
                   if line.startswith("VmHWM:"))
    assert peak_kb < 1024 * 1024, f"web process peaked at {peak_kb // 1024} MB"


def test_a_docx_bomb_already_attached_is_read_in_the_background(server):
    """A DOCX bomb stored before these checks existed (or arriving by a door that does
    not check DOCX): a request that changes its document answers at once, /healthz keeps
    answering, and the background step refuses the file's text."""
    from docmgmt.extensions import db
    from docmgmt.files.store import store_file
    from docmgmt.incoming import operations as ops
    from docmgmt.incoming.models import IncomingDocument, IncomingFile
    from docmgmt.searching.models import BlobText
    from tests.commune import user

    bomb = docx_xml_bomb()
    with server.app.test_request_context():
        clerk = user("vanthu")
        doc = ops.register_incoming(clerk, ops.IncomingInput(
            sender_name="Công an huyện Kim Bôi", number_symbol="7/CAH-AN",
            subject="Về việc phối hợp bảo đảm an ninh trật tự", doc_type="cong_van"))
        stored = store_file(bomb, "ke-hoach.docx", organisation_id=clerk.organisation_id,
                            uploaded_by_id=clerk.id)  # as it was stored before the upload check
        doc.files.append(IncomingFile(stored_file_id=stored.id, kind="original", added_by_id=clerk.id))
        db.session.commit()
        doc_id, sha = doc.id, stored.sha256
        assert db.session.get(BlobText, sha) is None

    def attach():  # a change of the document: its commit queues it for the index
        return server.post("vanthu", f"/api/v1/incoming/{doc_id}/files",
                           files={"files": ("phu-luc.pdf", io.BytesIO(make_pdf("Phụ lục")))})

    response, seconds, healthz = _while_healthz_polled(server, attach)
    assert response.status_code in (200, 201), response.text[:500]
    assert seconds < 10  # the request did not read the bomb
    assert all(status == 200 for status, _s in healthz), healthz
    deadline = time.monotonic() + 60
    while True:
        with server.app.app_context():
            text = db.session.get(BlobText, sha)
            if text is not None:
                break
        assert time.monotonic() < deadline, "the background step never read the file"
        assert requests.get(server.live.url + "/healthz", timeout=HEALTHZ_WITHIN_S).status_code == 200
        time.sleep(0.2)
    assert (text.text, text.text_searchable, text.reason) == ("", False, "docx: bomb")
    with server.app.app_context():
        assert db.session.get(IncomingDocument, doc_id) is not None


# --- signatures of a PDF that breaks the verifier ------------------------------------------

CRASHERS = [signature_value_not_a_dictionary, signature_field_tree_too_deep,
            signature_value_refers_to_itself]


@pytest.mark.parametrize("make", CRASHERS)
def test_a_pdf_that_breaks_the_verifier_is_refused_by_the_api_and_the_page(app, as_user, login_as, make):
    from tests.conftest import csrf_from, text_of

    content = make()
    answer = as_user("cv.vhxh").post("/api/v1/signatures/verify", data={
        "file": (io.BytesIO(content), "chu-ky.pdf")}, content_type="multipart/form-data")
    assert answer.status_code == 422, answer.get_data(as_text=True)[:500]
    assert answer.json["error"]["code"] == "signature_unverifiable"
    client = login_as("cv.vhxh")
    page = client.post("/signatures/verify", data={
        "csrf_token": csrf_from(text_of(client.get("/signatures/verify"))),
        "file": (io.BytesIO(content), "chu-ky.pdf")}, content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Không kiểm tra được chữ ký số của tệp này" in text_of(page)

