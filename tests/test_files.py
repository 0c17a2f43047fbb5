"""The file store: content-addressed, atomic, typed by content, served safely."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from docmgmt.core.errors import ValidationFailed
from docmgmt.extensions import db
from docmgmt.files.models import Blob, StoredFile
from docmgmt.files.store import FileStore, store_file
from tests.conftest import page_csrf
from tests.files_helpers import make_docx, make_pdf, make_png


def _blobs_on_disk(app) -> list[Path]:
    root = Path(app.config["FILE_STORE_DIR"])
    return [p for p in root.glob("??/??/*") if p.is_file()]


def _upload(client, data: bytes, name: str):
    return client.post("/api/v1/files", data={"file": (io.BytesIO(data), name)},
                       headers={"X-CSRFToken": page_csrf(client)},
                       content_type="multipart/form-data")


def test_identical_content_is_stored_once(app, login_as):
    client = login_as("vanthu")
    pdf = make_pdf()
    first = _upload(client, pdf, "Quyết định 05.pdf")
    second = _upload(client, pdf, "Bản sao quyết định.pdf")
    assert first.status_code == second.status_code == 201
    assert first.json["sha256"] == second.json["sha256"]
    assert first.json["id"] != second.json["id"]
    assert len(_blobs_on_disk(app)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 2


def test_an_interrupted_write_leaves_nothing_visible(app):
    class BrokenUpload(io.RawIOBase):
        """A stream that dies after 3 MiB, like a dropped connection."""

        def __init__(self):
            self.sent = 0

        def readable(self):
            return True

        def readinto(self, buf):
            if self.sent >= 3 * 1024 * 1024:
                raise ConnectionResetError("client went away")
            n = len(buf)
            buf[:n] = b"%PDF-1.7\n" + b"x" * (n - 9) if self.sent == 0 else b"x" * n
            self.sent += n
            return n

    with app.app_context():
        with pytest.raises(ConnectionResetError):
            store_file(io.BufferedReader(BrokenUpload()), "dang-do.pdf",
                       organisation_id=1, uploaded_by_id=None)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    assert _blobs_on_disk(app) == []
    assert list((Path(app.config["FILE_STORE_DIR"]) / "tmp").iterdir()) == []


def test_a_rolled_back_upload_leaves_no_file(app):
    with app.app_context():
        store_file(make_pdf("bản nháp"), "nhap.pdf", organisation_id=1, uploaded_by_id=None)
        assert len(_blobs_on_disk(app)) == 1
        db.session.rollback()
    assert _blobs_on_disk(app) == []


def test_a_committed_record_always_has_its_file(app):
    with app.app_context():
        data = make_docx()
        stored = store_file(data, "Công văn.docx", organisation_id=1, uploaded_by_id=None)
        db.session.commit()
        assert FileStore.from_app().path_for(stored.sha256).read_bytes() == data
        from docmgmt.files.store import orphans_and_missing

        assert orphans_and_missing() == ([], [])


def test_type_comes_from_content_not_from_the_name(app, login_as):
    client = login_as("vanthu")
    fake = _upload(client, b"MZ\x90\x00 this is an executable", "hoso.pdf")
    assert fake.status_code == 422
    assert fake.json["error"]["code"] == "file_type"
    assert "Định dạng tệp không được chấp nhận" in fake.json["error"]["message"]
    renamed = _upload(client, make_docx(), "vanban.pdf")
    assert renamed.status_code == 201
    assert renamed.json["mime"].endswith("wordprocessingml.document")
    assert _upload(client, make_png(), "scan.png").json["mime"] == "image/png"


def test_a_zip_that_is_not_a_word_document_is_refused(login_as):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    response = _upload(login_as("vanthu"), buf.getvalue(), "baocao.docx")
    assert response.status_code == 422


def test_files_over_the_size_limit_are_refused(app):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    with app.app_context():
        with pytest.raises(ValidationFailed) as err:
            store_file(b"%PDF-1.7\n" + b"0" * 4096, "lon.pdf", organisation_id=1, uploaded_by_id=None)
        assert err.value.code == "file_too_large"
        db.session.rollback()
    assert _blobs_on_disk(app) == []


def test_empty_files_are_refused(login_as):
    response = _upload(login_as("vanthu"), b"", "rong.pdf")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "file_empty"


def test_download_keeps_the_vietnamese_name_and_safe_headers(login_as):
    client = login_as("vanthu")
    data = make_docx()
    file_id = _upload(client, data, "Công văn số 12.docx").json["id"]
    response = client.get(f"/files/{file_id}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''C%C3%B4ng%20v%C4%83n%20s%E1%BB%91%2012.docx" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == data
    assert client.get(f"/api/v1/files/{file_id}/content").data == data


def test_a_pdf_can_be_previewed_inline(login_as):
    client = login_as("vanthu")
    file_id = _upload(client, make_pdf(), "Quyết định.pdf").json["id"]
    response = client.get(f"/files/{file_id}?inline=1")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.mimetype == "application/pdf"


def test_someone_else_cannot_read_a_file_they_have_no_business_with(app, login_as):
    file_id = _upload(login_as("vanthu"), make_pdf(), "Mật khẩu wifi.pdf").json["id"]
    other = app.test_client()
    from tests.conftest import login

    login(other, "cv.kt1")
    assert other.get(f"/files/{file_id}").status_code == 404
    assert other.get(f"/api/v1/files/{file_id}").status_code == 404
    login(other, "quantri.lacson", "matkhau-lacson")
    assert other.get(f"/files/{file_id}").status_code == 404
