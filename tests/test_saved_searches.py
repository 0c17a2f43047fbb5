"""Saved searches and the export of the results: a person keeps a question under a name,
finds it in the header's menu and reruns it in one click; the results go to DOCX and PDF
with the columns the person ticked — read back here — and never hold a record the
exporter may not open. A saved search is its owner's alone."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import timedelta

import docx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from docmgmt.core.errors import Conflict, ValidationFailed
from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.incoming import operations as inc
from docmgmt.searching import export
from docmgmt.searching import operations as search_ops
from docmgmt.searching import saved as saved_ops
from docmgmt.searching.models import SavedSearch
from tests.commune import unit, user
from tests.conftest import csrf_from

TOPIC = "chuyển đổi số"
KT_SUBJECTS = ["Kế hoạch chuyển đổi số của xã năm nay", "Báo cáo tiến độ chuyển đổi số quý ba"]
VHXH_SUBJECT = "Hướng dẫn chuyển đổi số trong trường học VHXHKIN"  # not for the Economics office


def _register(subject: str, to_unit: str, number: str) -> int:
    doc = inc.register_incoming(user("vanthu"), inc.IncomingInput(
        sender_name="Sở Thông tin và Truyền thông tỉnh Phú Thọ", number_symbol=number,
        issue_date=vn_today() - timedelta(days=2), doc_type="cong_van", subject=subject))
    inc.direct(user("chutich"), doc, inc.Direction_(main=inc.Assignee(unit_id=unit(to_unit).id),
                                                    deadline_working_days=5))
    return doc.id


@pytest.fixture
def documents(app):
    """Two documents given to the Economics office (KT), one to VHXH, one on another topic."""
    with app.test_request_context():
        ids = {"kt": [_register(s, "KT", f"{40 + n}/STTTT-CĐS") for n, s in enumerate(KT_SUBJECTS)],
               "vhxh": _register(VHXH_SUBJECT, "VHXH", "45/STTTT-CĐS"),
               "other": _register("Kế hoạch tổ chức Tết Trung thu cho thiếu nhi", "KT", "46/STTTT-VP")}
        db.session.commit()
    return ids


def _hit_ids(html: str) -> set[str]:
    return set(re.findall(r'data-testid="search-hit" data-id="([^"]+)"', html))


def _save(client, name: str, **fields):
    page = client.get("/search", query_string={"q": fields.get("q", TOPIC)}).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "name": name, "q": TOPIC, "columns": ["number", "subject", "status"],
            **fields}
    return client.post("/search/saved", data=data)


def _saved_id(location: str) -> int:
    return int(re.search(r"saved=(\d+)", location).group(1))


# --- saving, the menu, rerunning ----------------------------------------------------------------

def test_a_saved_search_is_in_the_menu_and_reruns_with_the_same_results(app, login_as, documents):
    client = login_as("vanthu")
    direct = client.get("/search", query_string={"q": "chuyen doi so", "type": "cong_van"}).get_data(as_text=True)
    assert 'data-testid="results-actions"' in direct and 'data-testid="saved-searches-menu"' not in direct
    expected = _hit_ids(direct)
    assert expected == {f"incoming:{i}" for i in [*documents["kt"], documents["vhxh"]]}

    saved = _save(client, "Công văn chuyển đổi số", q="chuyen doi so", type="cong_van")
    assert saved.status_code == 302
    saved_id = _saved_id(saved.headers["Location"])
    home = client.get("/").get_data(as_text=True)
    menu = home[home.index('data-testid="saved-searches-menu"'):]
    assert f'href="/search/saved/{saved_id}"' in menu and "Công văn chuyển đổi số" in menu

    rerun = client.get(f"/search/saved/{saved_id}")
    assert rerun.status_code == 302
    page = client.get(rerun.headers["Location"]).get_data(as_text=True)
    assert _hit_ids(page) == expected
    assert 'data-testid="active-saved-search"' in page and 'value="Công văn chuyển đổi số"' in page
    # …with the columns it was saved with ticked, and only those
    ticked = set(re.findall(r'<input checked[^>]*name="columns"[^>]*value="(\w+)"', page))
    assert ticked == {"number", "subject", "status"}


def test_the_saved_searches_are_listed_in_vietnamese_order(ctx):
    person = user("cv.kt1")
    for name in ("Đường giao thông", "Bản tin", "Dự án", "Ấp Trung"):
        saved_ops.save(person, name, saved_ops.Question(text=name))
    # A plain code-point sort would put "Bản tin" before "Ấp Trung" and "Đường" last for the wrong reason.
    assert [s.name for s in saved_ops.list_mine(person)] == ["Ấp Trung", "Bản tin", "Dự án", "Đường giao thông"]


def test_a_name_already_used_is_refused_unless_overwrite_is_asked(app, login_as, documents):
    client = login_as("vanthu")
    first = _save(client, "Chuyển đổi số")
    assert first.status_code == 302
    clash = _save(client, "chuyển đổi số", q="Trung thu")  # the same name, letter case aside
    assert clash.status_code == 409
    assert "Bạn đã có một tìm kiếm đã lưu tên “Chuyển đổi số”" in clash.get_data(as_text=True)
    overwritten = _save(client, "chuyển đổi số", q="Trung thu", overwrite="y")
    assert overwritten.status_code == 302
    with app.app_context():
        [only] = db.session.scalars(sa.select(SavedSearch).where(SavedSearch.user_id == user("vanthu").id)).all()
        assert (only.name, only.text) == ("chuyển đổi số", "Trung thu")


def test_a_name_is_kept_in_nfc_and_an_empty_question_is_not_saved(ctx):
    person = user("vanthu")
    decomposed = unicodedata.normalize("NFD", "Công văn đến")
    assert decomposed != "Công văn đến"
    saved = saved_ops.save(person, decomposed, saved_ops.Question(text="công văn"))
    assert saved.name == "Công văn đến"
    with pytest.raises(ValidationFailed) as refused:
        saved_ops.save(person, "Trống", saved_ops.Question())
    assert refused.value.code == "empty_search"


def test_a_person_keeps_at_most_fifty(ctx):
    person = user("cv.kt1")
    for n in range(saved_ops.MAX_SAVED):
        saved_ops.save(person, f"Tìm kiếm {n}", saved_ops.Question(text=f"từ {n}"))
    with pytest.raises(Conflict) as refused:
        saved_ops.save(person, "Một cái nữa", saved_ops.Question(text="nữa"))
    assert refused.value.code == "too_many_saved" and "tối đa 50" in refused.value.message
    saved_ops.save(person, "Tìm kiếm 7", saved_ops.Question(text="đổi"), overwrite=True)  # replacing is fine


def test_another_person_can_neither_see_nor_rerun_rename_or_delete_it(app, client, login_as, as_user, documents):
    client = login_as("chutich")
    saved_id = _saved_id(_save(client, "Việc riêng của Chủ tịch").headers["Location"])
    other = login_as("cv.kt1")
    assert other.get(f"/search/saved/{saved_id}").status_code == 404
    csrf = csrf_from(other.get("/search/saved").get_data(as_text=True))
    assert other.post(f"/search/saved/{saved_id}/delete", data={"csrf_token": csrf}).status_code == 404
    assert other.post(f"/search/saved/{saved_id}/rename",
                      data={"csrf_token": csrf, f"s{saved_id}-name": "Của tôi"}).status_code == 404
    for path in ("/", "/search/saved", f"/search?q=chuyen+doi+so&saved={saved_id}"):
        assert "Việc riêng của Chủ tịch" not in other.get(path).get_data(as_text=True), path
    api = as_user("cv.kt1")
    assert api.client.patch(f"/api/v1/search/saved/{saved_id}", json={"name": "Của tôi"},
                            headers=api.headers).status_code == 404
    assert api.client.delete(f"/api/v1/search/saved/{saved_id}", headers=api.headers).status_code == 404
    assert api.get("/api/v1/search/saved").json == []
    with app.app_context():
        assert db.session.get(SavedSearch, saved_id).name == "Việc riêng của Chủ tịch"


def test_the_owner_renames_and_deletes_it_from_the_list(app, login_as, documents):
    client = login_as("vanthu")
    saved_id = _saved_id(_save(client, "Tên cũ").headers["Location"])
    page = client.get("/search/saved").get_data(as_text=True)
    assert "Tên cũ" in page and f'href="/search/saved/{saved_id}"' in page
    csrf = csrf_from(page)
    renamed = client.post(f"/search/saved/{saved_id}/rename", data={"csrf_token": csrf, f"s{saved_id}-name": "Tên mới"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Đã đổi tên tìm kiếm thành “Tên mới”." in renamed
    deleted = client.post(f"/search/saved/{saved_id}/delete", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Đã xóa tìm kiếm đã lưu “Tên mới”." in deleted.get_data(as_text=True)
    assert 'data-testid="saved-searches-menu"' not in client.get("/").get_data(as_text=True)


# --- the export ------------------------------------------------------------------------------------

def _docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_the_docx_export_has_the_chosen_columns_and_only_what_the_exporter_may_open(app, login_as, documents):
    client = login_as("cv.kt1")  # the Economics office: not the VHXH document
    page = client.get("/search", query_string={"q": TOPIC}).get_data(as_text=True)
    response = client.post("/search/export", data={
        "csrf_token": csrf_from(page), "q": TOPIC, "format": "docx", "columns": ["subject", "number", "status"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("wordprocessingml.document")
    assert re.match(r'attachment; filename=Ket-qua-tim-kiem-\d{8}-\d{4}\.docx', response.headers["Content-Disposition"])
    document = _docx(response.data)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "KẾT QUẢ TÌM KIẾM" in text
    assert f"Từ khóa: “{TOPIC}”" in text
    with app.app_context():
        name = user("cv.kt1").full_name
    assert re.search(rf"Người xuất: {name} · Thời gian xuất: \d\d/\d\d/\d{{4}} \d\d:\d\d", text)
    assert "Số kết quả: 2 (mỗi lần xuất tối đa 1000 dòng)." in text
    [table] = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Số, ký hiệu", "Trích yếu", "Trạng thái"]  # the table's order, not the ticking's
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    assert {r[2] for r in rows[1:]} == set(KT_SUBJECTS)
    assert {r[3] for r in rows[1:]} == {"Đã phân công"}
    assert all("/STTTT-CĐS" in r[1] for r in rows[1:])
    # the rows are the results the page shows, and the other unit's document is nowhere
    with app.test_request_context():
        shown = search_ops.search(user("cv.kt1"), TOPIC, per_page=100)
    assert [r[2] for r in rows[1:]] == [d.hit.subject for d in shown.documents]
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        assert not [n for n in package.namelist() if "VHXHKIN" in package.read(n).decode("utf-8", "replace")]


def test_the_pdf_export_through_the_api_reads_back(app, as_user, documents):
    api = as_user("vanthu")  # the clerk reads all three
    response = api.get("/api/v1/search/export",
                       query_string={"q": TOPIC, "format": "pdf", "columns": "date,subject,url"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "KẾT QUẢ TÌM KIẾM" in flat and "Số kết quả: 3" in flat
    for subject in [*KT_SUBJECTS, VHXH_SUBJECT]:
        assert subject in flat, subject
    assert "Trung thu" not in flat
    assert vn_today().strftime("%d/%m/%Y") in flat
    assert f"/incoming/{documents['vhxh']}" in flat.replace(" ", "")


def test_the_export_is_capped_and_says_so(app, as_user, documents, monkeypatch):
    monkeypatch.setattr(export, "MAX_ROWS", 2)
    monkeypatch.setattr(export, "PAGE", 1)  # one hit a page: the pages are followed
    api = as_user("vanthu")
    response = api.get("/api/v1/search/export", query_string={"q": TOPIC, "format": "docx", "columns": "subject"})
    document = _docx(response.data)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Số kết quả: 3; chỉ xuất 2 kết quả đầu tiên (mỗi lần xuất tối đa 2 dòng)." in text
    assert len(document.tables[0].rows) == 1 + 2


def test_an_export_of_nothing_asked_or_without_columns_is_refused(app, as_user, login_as, documents):
    api = as_user("vanthu")
    empty = api.get("/api/v1/search/export", query_string={"format": "pdf"})
    assert empty.status_code == 422 and empty.json["error"]["code"] == "empty_search"
    bad = api.get("/api/v1/search/export", query_string={"q": TOPIC, "format": "xls"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "format"
    client = login_as("vanthu")
    page = client.get("/search", query_string={"q": TOPIC}).get_data(as_text=True)
    none = client.post("/search/export", data={"csrf_token": csrf_from(page), "q": TOPIC, "format": "docx"})
    assert none.status_code == 422 and "Hãy chọn ít nhất một cột." in none.get_data(as_text=True)


# --- the API -----------------------------------------------------------------------------------------

def test_the_api_round_trip(app, as_user, documents):
    api = as_user("vanthu")
    created = api.post("/api/v1/search/saved", json={"name": "Văn bản KT", "q": TOPIC, "kind": "incoming",
                                                     "columns": ["url", "subject"]})
    assert created.status_code == 201, created.get_data(as_text=True)[:300]
    body = created.json
    assert (body["name"], body["q"], body["kind"], body["columns"]) == ("Văn bản KT", TOPIC, "incoming",
                                                                         ["subject", "url"])
    assert [s["id"] for s in api.get("/api/v1/search/saved").json] == [body["id"]]
    # rerun: the saved question asks the search again, the same answer as asking it directly
    again = api.get(body["api_url"]).json
    direct = api.get("/api/v1/search", query_string={"q": TOPIC, "kind": "incoming"}).json
    assert again["total"] == direct["total"] == 3
    assert [h["id"] for h in again["hits"]] == [h["id"] for h in direct["hits"]]
    assert body["search_url"].startswith("/search?") and f"saved={body['id']}" in body["search_url"]

    clash = api.post("/api/v1/search/saved", json={"name": "văn bản kt", "q": "Trung thu"})
    assert clash.status_code == 409 and clash.json["error"] == {
        "code": "name_taken", "field": "name",
        "message": "Bạn đã có một tìm kiếm đã lưu tên “Văn bản KT”. Hãy đặt tên khác, hoặc chọn ghi đè để thay "
                   "tìm kiếm cũ."}
    unknown = api.post("/api/v1/search/saved", json={"name": "X", "q": TOPIC, "columns": ["salary"]})
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "columns"
    renamed = api.client.patch(f"/api/v1/search/saved/{body['id']}", json={"name": "Văn bản Kinh tế"},
                               headers=api.headers)
    assert renamed.status_code == 200 and renamed.json["name"] == "Văn bản Kinh tế"
    assert api.client.delete(f"/api/v1/search/saved/{body['id']}", headers=api.headers).status_code == 204
    assert api.get("/api/v1/search/saved").json == []
    assert api.client.delete(f"/api/v1/search/saved/{body['id']}", headers=api.headers).status_code == 404
