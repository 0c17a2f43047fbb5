"""The access log (NĐ30 Phụ lục VI §III.5.a, §III.6.a, §III.6.k, §III.6.l): every view,
download and print of a document is on its history for those who may read it, counted
on its page and in the organisation's statistics; a printed copy names who printed it
and when, and the stored original stays as it was."""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.commune import issued, user
from tests.conftest import page_csrf, text_of

SUBJECT = "V/v rà soát hộ nghèo năm 2026"


def _pdf(pages: int = 3, *, rotated: int | None = None) -> bytes:
    """A PDF with text on each page ("Trang 1", …), one page turned if asked."""
    from fpdf import FPDF
    from pypdf import PdfWriter

    from docmgmt.signing.fonts import face_file

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("serif", "", str(face_file("regular")))
    pdf.set_font("serif", size=14)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.text(72, 100, f"Trang {n}: danh sách hộ nghèo xã Kim Bôi")
    data = bytes(pdf.output())
    if rotated is None:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.pages[rotated].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _incoming(app, *, pdf: bytes | None = None, handler: str = "cv.kt1", **fields) -> tuple[int, int | None]:
    """A registered incoming document given to ``handler``: (document id, file id)."""
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops

    with app.app_context():
        uploads = [ops.Upload(pdf if pdf is not None else _pdf(), "danh-sach-ho-ngheo.pdf")]
        data = ops.IncomingInput(
            **{"sender_name": "Sở Lao động tỉnh Phú Thọ", "number_symbol": "45/SLĐ-BTXH", "subject": SUBJECT, **fields}
        )
        confidential = data.confidentiality != "thuong"
        doc = ops.register_incoming(user("vanthu"), data, [] if confidential else uploads)
        if not confidential:
            ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(user_id=user(handler).id)))
        db.session.commit()
        return doc.id, (doc.files[0].stored_file_id if doc.files else None)


def _entries(html: str, action: str) -> list[str]:
    """The text of the timeline entries of one access action, tags stripped."""
    found = re.findall(rf'<li[^>]*data-event="access\.{action}"[^>]*>(.*?)</li>', html, re.S)
    return [html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", e).split())) for e in found]


def _counts(html: str) -> str:
    m = re.search(r'data-testid="access-counts">([^<]*)<', html)
    return html_lib.unescape(m.group(1)) if m else ""


def _events(app, **where):
    from docmgmt.accesslog.models import AccessEvent
    from docmgmt.extensions import db

    with app.app_context():
        query = sa.select(AccessEvent).order_by(AccessEvent.id)
        for key, value in where.items():
            query = query.where(getattr(AccessEvent, key) == value)
        events = list(db.session.scalars(query))
        db.session.expunge_all()
        return events


def _when(event) -> str:
    from docmgmt.core.timeutil import format_datetime

    return format_datetime(event.at)


# --- the history -----------------------------------------------------------------------------------


def test_viewing_downloading_and_printing_are_on_the_history_with_name_and_time(app, login_as):
    doc_id, file_id = _incoming(app)
    handler = login_as("cv.kt1")
    assert handler.get(f"/incoming/{doc_id}").status_code == 200
    assert handler.get(f"/incoming/{doc_id}/files/{file_id}").status_code == 200
    printed = handler.get(f"/incoming/{doc_id}/files/{file_id}/print")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"

    view, download, print_ = (_events(app, target_id=doc_id, action=a)[0] for a in ("view", "download", "print"))
    assert {e.door for e in (view, download, print_)} == {"web"} and download.file_id == file_id

    leader = login_as("chutich")  # reads every document
    html = text_of(leader.get(f"/incoming/{doc_id}"))
    seen = _entries(html, "view")
    assert any("Xem văn bản" in e and "Phạm Văn Đức" in e and _when(view) in e for e in seen), seen
    [downloaded] = _entries(html, "download")
    assert "Tải tệp về" in downloaded and "Phạm Văn Đức" in downloaded and _when(download) in downloaded
    assert "danh-sach-ho-ngheo.pdf" in downloaded
    [printed_entry] = _entries(html, "print")
    assert "In văn bản" in printed_entry and "Phạm Văn Đức" in printed_entry and _when(print_) in printed_entry


def test_someone_who_may_not_read_the_document_sees_neither_it_nor_its_history(app, login_as):
    doc_id, file_id = _incoming(app)
    login_as("cv.kt1").get(f"/incoming/{doc_id}")
    outsider = login_as("cv.vhxh")  # another unit, not assigned
    assert outsider.get(f"/incoming/{doc_id}").status_code == 404
    assert outsider.get(f"/incoming/{doc_id}/files/{file_id}").status_code == 404
    assert outsider.get(f"/incoming/{doc_id}/files/{file_id}/print").status_code == 404
    assert outsider.get(f"/files/{file_id}").status_code == 404
    # Refused reads leave no trace: only the handler's view is logged.
    assert [(e.action, e.user_id) for e in _events(app)] == [("view", _user_id(app, "cv.kt1"))]


def _user_id(app, username: str) -> int:
    from tests.commune import user_id

    return user_id(username, app=app)


def test_a_file_of_another_document_cannot_be_read_through_this_one(app, login_as):
    doc_id, _file_id = _incoming(app)
    _other_id, other_file = _incoming(app, number_symbol="46/SLĐ-BTXH")
    client = login_as("chutich")
    assert client.get(f"/incoming/{doc_id}/files/{other_file}").status_code == 404
    assert client.get(f"/incoming/{doc_id}/files/{other_file}/print").status_code == 404


def test_outgoing_documents_are_logged_the_same_way(app, login_as):
    from docmgmt.outgoing.operations import RecipientInput

    with app.app_context():
        doc = issued([RecipientInput(token=f"u:{user('cv.vhxh').id}")])
        doc_id, issued_id = doc.id, doc.issued_file_id
    reader = login_as("cv.vhxh")  # a recipient
    assert reader.get(f"/outgoing/{doc_id}").status_code == 200
    assert reader.get(f"/outgoing/{doc_id}/files/{issued_id}?inline=1").status_code == 200  # the preview
    assert reader.get(f"/outgoing/{doc_id}/files/{issued_id}").status_code == 200
    assert reader.get(f"/outgoing/{doc_id}/files/{issued_id}/print").status_code == 200
    html = text_of(reader.get(f"/outgoing/{doc_id}"))
    assert "Đã xem 1 lần · tải 1 lần · in 1 lần" in _counts(html)  # the preview is part of the visit
    assert len(_entries(html, "print")) == 1 and "Vũ Thị Yến" in _entries(html, "print")[0]
    assert f"/outgoing/{doc_id}/files/{issued_id}/print" in html
    outsider = login_as("cv.kt2")  # neither drafter, reviewer, signer nor recipient
    assert outsider.get(f"/outgoing/{doc_id}").status_code == 404
    assert outsider.get(f"/outgoing/{doc_id}/files/{issued_id}/print").status_code == 404


def test_a_confidential_paper_entry_has_its_page_views_logged(app, login_as):
    doc_id, file_id = _incoming(app, confidentiality="mat", subject="", paper_holder="Nguyễn Thị Lan")
    assert file_id is None
    clerk = login_as("vanthu")
    clerk.get(f"/incoming/{doc_id}")
    html = text_of(clerk.get(f"/incoming/{doc_id}"))
    assert "Đã xem 1 lần · tải 0 lần · in 0 lần" in _counts(html)
    assert any("Đinh Thị Thu" in e for e in _entries(html, "view"))
    assert 'data-testid="print' not in html  # nothing to print: there is no file


# --- coalescing and counting -------------------------------------------------------------------------


def test_repeated_views_within_the_window_count_once(app, login_as):
    from docmgmt.accesslog.models import AccessEvent
    from docmgmt.accesslog.operations import VIEW_COALESCE
    from docmgmt.extensions import db

    doc_id, file_id = _incoming(app)
    handler = login_as("cv.kt1")
    for _ in range(3):
        assert handler.get(f"/incoming/{doc_id}").status_code == 200
        assert handler.get(f"/incoming/{doc_id}/files/{file_id}?inline=1").status_code == 200  # its preview
    assert len(_events(app, action="view")) == 1
    handler.get(f"/incoming/{doc_id}/files/{file_id}")
    handler.get(f"/incoming/{doc_id}/files/{file_id}")  # downloads always count
    assert "Đã xem 1 lần · tải 2 lần · in 0 lần" in _counts(text_of(handler.get(f"/incoming/{doc_id}")))

    with app.app_context():  # the visit is over: the window has passed
        for event in db.session.scalars(sa.select(AccessEvent)):
            event.at -= VIEW_COALESCE + timedelta(seconds=1)
        db.session.commit()
    handler.get(f"/incoming/{doc_id}")
    login_as("chutich").get(f"/incoming/{doc_id}")  # another person is another view
    html = text_of(login_as("chutich").get(f"/incoming/{doc_id}"))
    assert "Đã xem 3 lần · tải 2 lần · in 0 lần" in _counts(html)


def test_api_and_file_door_reads_are_logged_on_the_document(app, login_as, as_user):
    doc_id, file_id = _incoming(app)
    api = as_user("cv.kt1")
    assert api.get(f"/api/v1/incoming/{doc_id}").status_code == 200
    assert api.get(f"/api/v1/files/{file_id}/content").status_code == 200
    room = login_as("cv.kt1")
    assert room.get(f"/files/{file_id}?inline=1&via=meeting").status_code == 200
    # A viewer fetching the rest of the file is the same read.
    assert room.get(f"/files/{file_id}", headers={"Range": "bytes=100-"}).status_code == 206
    events = _events(app)
    assert [(e.target_kind, e.action, e.door) for e in events] == [
        ("incoming", "view", "api"),
        ("file", "download", "api"),
        ("file", "view", "meeting"),
    ]
    html = text_of(login_as("chutich").get(f"/incoming/{doc_id}"))
    assert "Đã xem 3 lần · tải 1 lần · in 0 lần" in _counts(html)
    [downloaded] = _entries(html, "download")
    assert "API" in downloaded and "Phạm Văn Đức" in downloaded
    assert any("phòng họp" in e for e in _entries(html, "view"))


# --- the printed copy ----------------------------------------------------------------------------


def _stored(app, file_id: int) -> tuple[str, bytes]:
    from docmgmt.extensions import db
    from docmgmt.files.models import StoredFile
    from docmgmt.files.store import FileStore

    with app.app_context():
        stored = db.session.get(StoredFile, file_id)
        return stored.sha256, FileStore.from_app().path_for(stored.sha256).read_bytes()


def test_a_printed_copy_names_the_printer_and_time_on_every_page(app, login_as):
    original = _pdf(3, rotated=1)
    doc_id, file_id = _incoming(app, pdf=original)
    sha_before, _ = _stored(app, file_id)
    client = login_as("cv.kt1")
    response = client.get(f"/incoming/{doc_id}/files/{file_id}/print")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "inline" in response.headers["Content-Disposition"]
    [event] = _events(app, action="print")
    mark = f"Bản in của Phạm Văn Đức — {event.at.astimezone(_vn()):%H:%M %d/%m/%Y}"

    copy = PdfReader(io.BytesIO(response.data))
    assert len(copy.pages) == 3
    for n, page in enumerate(copy.pages, start=1):
        text = page.extract_text()
        assert f"Trang {n}: danh sách hộ nghèo xã Kim Bôi" in text  # the page itself is kept
        assert mark in " ".join(text.split()), text
    assert copy.pages[1].rotation == 90  # a turned page stays turned; its mark is on its margin
    assert response.data != original
    sha_after, on_disk = _stored(app, file_id)
    assert sha_after == sha_before == hashlib.sha256(on_disk).hexdigest()
    assert on_disk == original  # the stored original is untouched


def _vn():
    from docmgmt.core.timeutil import VN_TZ

    return VN_TZ


def test_the_mark_sits_on_the_bottom_margin_of_the_page_as_shown():
    """Upright and turned pages alike: what printing adds is a line along the bottom
    edge of the page as it is displayed, centred, and nothing else changes."""
    from PIL import ImageChops

    from docmgmt.accesslog.printing import marked_copy
    from tests.signing_helpers import render

    original = _pdf(2, rotated=1)
    data, signed = marked_copy(original, "Bản in của Phạm Văn Đức — 14:05 07/12/2026")
    assert not signed
    for index in range(2):
        before, after = render(original, index, dpi=40), render(data, index, dpi=40)
        assert before.size == after.size
        left, top, right, bottom = ImageChops.difference(before, after).getbbox()
        width, height = after.size
        assert top > height * 0.9 and bottom <= height, (index, top, bottom, height)
        assert abs((left + right) / 2 - width / 2) < width * 0.05, (index, left, right, width)


def test_printing_a_signed_document_gives_an_unsigned_copy_that_says_so(app, login_as):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from docmgmt.accesslog.operations import SIGNED_NOTE
    from docmgmt.outgoing.operations import RecipientInput
    from tests.signing_helpers import count, render

    with app.app_context():
        doc = issued([RecipientInput(token=f"u:{user('cv.vhxh').id}")])
        doc_id, issued_id = doc.id, doc.issued_file_id
    sha_before, original = _stored(app, issued_id)
    assert PdfFileReader(io.BytesIO(original)).embedded_signatures  # the original is signed

    response = login_as("vanthu").get(f"/outgoing/{doc_id}/files/{issued_id}/print")
    assert response.status_code == 200
    copy = response.data
    assert PdfFileReader(io.BytesIO(copy)).embedded_signatures == []  # nothing claims a signature
    assert b"/ByteRange" not in copy and b"/Perms" not in copy
    assert not [f for f in (PdfReader(io.BytesIO(copy)).get_fields() or {}).values() if f.get("/FT") == "/Sig"]
    text = " ".join(PdfReader(io.BytesIO(copy)).pages[-1].extract_text().split())
    assert "Bản in của Đinh Thị Thu" in text and SIGNED_NOTE in text
    # The signature and seal still show on paper: the appearance is drawn as page content.
    last = len(PdfReader(io.BytesIO(original)).pages) - 1
    assert count(render(copy, last, dpi=50), "red") > 0.8 * count(render(original, last, dpi=50), "red") > 0
    sha_after, on_disk = _stored(app, issued_id)
    assert sha_after == sha_before and on_disk == original


def test_only_pdf_files_are_printed(app, login_as):
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops
    from tests.files_helpers import make_png

    doc_id, _ = _incoming(app)
    with app.app_context():
        doc = db.session.get(ops.IncomingDocument, doc_id)
        ops.attach_files(user("vanthu"), doc, [ops.Upload(make_png(), "anh-chup.png")])
        db.session.commit()
        png_id = doc.files[-1].stored_file_id
    response = login_as("chutich").get(f"/incoming/{doc_id}/files/{png_id}/print")
    assert response.status_code == 422
    assert "Chỉ in được tệp PDF" in text_of(response)
    assert _events(app, action="print") == []


# --- statistics ----------------------------------------------------------------------------------


def test_the_organisation_counts_views_downloads_and_prints_by_month(app, login_as):
    from docmgmt.core.timeutil import vn_today

    doc_id, file_id = _incoming(app)
    client = login_as("cv.kt1")
    client.get(f"/incoming/{doc_id}")
    client.get(f"/incoming/{doc_id}/files/{file_id}")
    client.get(f"/files/{file_id}")
    client.get(f"/incoming/{doc_id}/files/{file_id}/print")

    assert client.get("/admin/access/").status_code == 403  # a handler does not read the statistics
    today = vn_today()
    html = text_of(login_as("quantri").get("/admin/access/"))
    row = re.search(rf'<tr data-month="{today.year * 100 + today.month}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r">(\d+)<", row) == ["1", "2", "1", "4"]  # views, downloads, prints, total
    kinds = {k: re.findall(r">(\d+)<", r) for k, r in re.findall(r'<tr data-kind="(\w+)">(.*?)</tr>', html, re.S)}
    assert kinds["incoming"] == ["1", "1", "1"] and kinds["file"] == ["0", "1", "0"]
    # The other commune's statistics count nothing of ours.
    other = text_of(login_as("quantri.lacson", "matkhau-lacson").get("/admin/access/"))
    assert re.search(r'<tr data-month="total">(.*?)</tr>', other, re.S).group(1).count(">0<") == 4
    # Reached from the audit log.
    assert "/admin/access/" in text_of(login_as("quantri").get("/admin/audit"))


# --- English ----------------------------------------------------------------------------------------


def test_the_log_speaks_english_through_the_catalogue(app, login_as):
    doc_id, file_id = _incoming(app)
    client = login_as("chutich")
    client.post("/lang/en", data={"csrf_token": page_csrf(client), "next": "/"})
    client.get(f"/incoming/{doc_id}/files/{file_id}/print")
    html = text_of(client.get(f"/incoming/{doc_id}"))
    assert "Viewed 1 times · downloaded 0 times · printed 1 times" in _counts(html)
    assert any("Viewed the document" in e for e in _entries(html, "view"))
    assert any("Printed the document" in e and "web page" in e for e in _entries(html, "print"))
    assert "Print document" in html
    admin = login_as("quantri")
    admin.post("/lang/en", data={"csrf_token": page_csrf(admin), "next": "/"})
    stats = text_of(admin.get("/admin/access/"))
    assert "Document access statistics" in stats and "Whole year" in stats
    assert all(f">{word}<" in stats for word in ("Views", "Downloads", "Prints", "Incoming documents"))


@pytest.mark.parametrize("path", ["/admin/access/1999", "/admin/access/99999999999999999999999"])
def test_statistics_outside_the_kept_years_are_not_found(login_as, path):
    assert login_as("quantri").get(path).status_code == 404
