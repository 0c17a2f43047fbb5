"""Searching documents in the app: Vietnamese queries through the page and the API, a
result list that never shows more than the person may open, an index that follows every
change and survives crashed processes and damaged files, and attached files read off the
request path (``settle()`` stands for the background step where a test needs the text)."""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.incoming import operations as ops
from docmgmt.incoming.models import IncomingDocument
from docmgmt.searching import indexing
from docmgmt.searching import operations as search_ops
from docmgmt.searching.backend import get_backend, state
from docmgmt.searching.indexing import acl_of, drain, settle
from docmgmt.searching.models import BlobText, SearchJob
from tests.commune import unit, user
from tests.conftest import instance_config
from tests.files_helpers import make_docx, make_pdf

EVERYONE_ORG1 = ["vanthu", "chutich", "phochutich.kt", "quantri", "chanhvp", "truongkt", "truongvhxh",
                 "cv.vp", "cv.kt1", "cv.kt2", "cv.vhxh", "cv.hcc", "thuky"]


def register(subject: str, *, uploads=(), commit: bool = True, **fields) -> IncomingDocument:
    data = dict(sender_name="Ủy ban nhân dân tỉnh Phú Thọ", number_symbol="",
                issue_date=vn_today() - timedelta(days=3), doc_type="cong_van", subject=subject)
    data.update(fields)
    doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(**data), list(uploads))
    if commit:
        db.session.commit()
    return doc


def direct(doc: IncomingDocument, *, to_user: str | None = None, to_unit: str | None = None) -> None:
    main = ops.Assignee(user_id=user(to_user).id) if to_user else ops.Assignee(unit_id=unit(to_unit).id)
    ops.direct(user("chutich"), doc, ops.Direction_(main=main, deadline_working_days=5))
    db.session.commit()


def found(username: str, text: str, **kw) -> search_ops.SearchPage:
    return search_ops.search(user(username), text, per_page=100, **kw)


def ids(page: search_ops.SearchPage) -> list[int]:
    return [d.document_id for d in page.documents]


def api(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json


# --- Vietnamese queries, through the page and the API -------------------------------------

def test_query_without_diacritics_finds_accented_documents_in_page_and_api(app, login_as):
    with app.test_request_context():
        decision = register("Quyết định về việc thành lập Ban chỉ đạo chuyển đổi số xã").id
        register("Kế hoạch tổ chức Tết Trung thu cho thiếu nhi")
    client = login_as("chutich")
    page = client.get("/search", query_string={"q": "quyet dinh"}).get_data(as_text=True)
    assert f'data-id="incoming:{decision}"' in page
    assert "<mark>Quyết</mark> <mark>định</mark>" in page
    assert "Tết Trung thu" not in page
    body = api(client, q="chuyen doi so")
    assert body["total"] == 1 and body["page"] == 1
    hit = body["hits"][0]
    assert (hit["kind"], hit["document_id"], hit["url"]) == ("incoming", decision, f"/incoming/{decision}")
    assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>" in hit["subject_html"]
    assert set(hit) >= {"id", "number_symbol", "sender", "date", "snippets", "score"}


def test_exact_diacritics_rank_first_and_decomposed_input_is_understood(ctx):
    cable = register("Kế hoạch lắp đặt cáp quang cho nhà văn hóa các thôn").id
    permit = register("Kế hoạch cấp phép xây dựng nhà văn hóa các thôn").id
    assert ids(found("chutich", "cấp")) == [permit, cable]
    assert ids(found("chutich", "cáp")) == [cable, permit]
    assert set(ids(found("chutich", "cap"))) == {cable, permit}
    decomposed = unicodedata.normalize("NFD", "cấp phép")
    assert decomposed != "cấp phép"
    assert ids(found("chutich", decomposed)) == [permit]


def test_number_symbol_and_arrival_number_as_typed(ctx):
    for i in range(3):
        register(f"Công văn thường lệ số {i + 1}", number_symbol=f"{40 + i}/SNV-CCVC")
    decision = register("Quyết định phê duyệt dự toán ngân sách", number_symbol="05/QĐ-UBND",
                        doc_type="quyet_dinh")
    for typed in ("05/QĐ-UBND", "05/qd-ubnd", "5/QĐ-UBND"):
        assert ids(found("vanthu", typed))[:1] == [decision.id], typed
    arrival = f"{decision.arrival_number:02d}"
    assert ids(found("vanthu", f"số đến {arrival}"))[0] == decision.id
    assert ids(found("vanthu", f"so den {arrival}"))[0] == decision.id
    by_type = found("vanthu", "", filters=search_ops.Filters(doc_type="quyet_dinh"))
    assert ids(by_type) == [decision.id]


def test_page_says_not_found_and_flags_documents_without_text(app, login_as):
    with app.test_request_context():
        scan = register("Thông báo lịch tiếp công dân tháng mười",
                        uploads=[ops.Upload(make_pdf(), "scan.pdf")]).id  # an image-only PDF
        typed = register("Thông báo lịch tiếp công dân tháng mười một",
                         uploads=[ops.Upload(make_docx("Lịch tiếp công dân định kỳ của Chủ tịch"),
                                             "lich.docx")]).id
        settle()  # the background step reads the DOCX
    client = login_as("vanthu")
    page = client.get("/search", query_string={"q": "lich tiep cong dan"}).get_data(as_text=True)
    assert {int(h) for h in re.findall(r'data-id="incoming:(\d+)"', page)} == {scan, typed}

    def card(doc_id: int) -> str:
        return page.split(f'data-id="incoming:{doc_id}"')[1].split('data-testid="search-hit"')[0]

    assert "không tìm được theo nội dung" in card(scan)
    assert "không tìm được theo nội dung" not in card(typed)
    assert "<mark>Lịch</mark> <mark>tiếp</mark> <mark>công</mark> <mark>dân</mark>" in page  # docx text
    empty = client.get("/search", query_string={"q": "khong co van ban nao nhu the"})
    assert "Không tìm thấy kết quả nào phù hợp" in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BlobText)) == 2


# --- who may find what ---------------------------------------------------------------------

SECRET = "Hồ sơ xử lý kỷ luật cán bộ địa chính"


def test_staff_never_sees_a_hit_a_snippet_or_a_count_they_cannot_open(app, login_as):
    with app.test_request_context():
        docs = [register(f"{SECRET} đợt {i}", uploads=[ops.Upload(make_docx(
            f"Biên bản họp xét kỷ luật cán bộ địa chính, đợt {i}"), f"bb{i}.docx")]) for i in range(6)]
        settle()  # the files' text is in the index, so a leak would show in snippets
        direct(docs[0], to_user="cv.kt1")
        direct(docs[1], to_unit="KT")
        mine = {docs[0].id, docs[1].id}
    client = login_as("chutich")
    assert api(client, q="ky luat can bo")["total"] == 6
    assert api(client, q="bien ban hop xet")["total"] == 6  # found by the files' text
    client = login_as("cv.kt1")
    body = api(client, q="ky luat can bo", per_page=1)
    assert body["total"] == 2
    seen = set()
    for page in (1, 2, 3, 4):
        for hit in api(client, q="ky luat can bo", per_page=1, page=page)["hits"]:
            seen.add(hit["document_id"])
    assert seen == mine
    client = login_as("cv.vhxh")
    assert api(client, q="ky luat can bo") == {"total": 0, "total_is_estimate": False, "page": 1, "per_page": 20,
                                               "hits": []}
    html = client.get("/search", query_string={"q": "kỷ luật cán bộ"}).get_data(as_text=True)
    assert "Không tìm thấy" in html
    assert "địa chính" not in html and "họp xét" not in html  # neither subject nor snippet
    assert login_as("cv.lacson", "matkhau-lacson").get("/api/v1/search?q=ky+luat").json["total"] == 0


def test_search_results_are_exactly_what_can_read_allows(ctx):
    """Every (user, document) pair of a commune in mid-year, both communes' users."""
    topic = "ngân sách"
    docs = [register(f"Văn bản {topic} {i}") for i in range(9)]
    ops.submit(user("vanthu"), docs[1], user("chutich").id)
    direct(docs[2], to_user="cv.kt1")
    direct(docs[3], to_unit="KT")
    direct(docs[4], to_unit="KT")
    ops.delegate(user("truongkt"), docs[4].main_assignment, user("cv.kt2").id)  # KT → one person
    ops.direct(user("chutich"), docs[5], ops.Direction_(
        main=ops.Assignee(unit_id=unit("VHXH").id), co=[ops.Assignee(user_id=user("cv.kt1").id)],
        info=[ops.Assignee(unit_id=unit("VP").id)]))
    direct(docs[6], to_user="cv.vhxh")
    ops.reassign(user("chutich"), docs[6], ops.Direction_(main=ops.Assignee(user_id=user("cv.hcc").id)))
    direct(docs[7], to_user="cv.kt2")
    ops.return_to_sender(user("vanthu"), docs[8], "Gửi nhầm địa chỉ")
    db.session.commit()
    secret = register("", confidentiality="mat", paper_holder="Văn thư", sender_name=f"Sở {topic}")
    usernames = [*EVERYONE_ORG1, "cv.lacson", "quantri.lacson"]
    for name in usernames:
        who = user(name)
        visible = set(ids(found(name, topic)))
        allowed = {d.id for d in docs if ops.can_read(who, d)}
        assert visible == allowed, name
        assert secret.id not in visible
        assert found(name, topic).results.total == len(allowed), name
    # The rule is not trivial here: some see all, some a few, some none.
    assert {len(set(ids(found(n, topic)))) for n in usernames} >= {0, 1, 2, 9}


def test_a_change_of_assignment_changes_who_finds_it(ctx):
    doc = register("Tờ trình xin chủ trương sửa chữa trụ sở làm việc")
    for name in ("cv.kt1", "cv.kt2", "truongkt"):
        assert ids(found(name, "sua chua tru so")) == [], name
    direct(doc, to_unit="KT")
    for name in ("cv.kt1", "cv.kt2", "truongkt"):
        assert ids(found(name, "sua chua tru so")) == [doc.id], name
    ops.delegate(user("truongkt"), doc.main_assignment, user("cv.kt1").id)
    db.session.commit()
    assert ids(found("cv.kt1", "sua chua tru so")) == [doc.id]
    assert ids(found("cv.kt2", "sua chua tru so")) == []
    assert not ops.can_read(user("cv.kt2"), doc)
    assert ids(found("truongkt", "sua chua tru so")) == [doc.id]  # the head keeps sight
    unit_found = found("chutich", "", filters=search_ops.Filters(unit="KT"))
    assert ids(unit_found) == [doc.id]


def test_confidential_entry_leaves_no_trace_in_the_index(ctx):
    register("Kế hoạch diễn tập phòng thủ dân sự", sender_name="Ban Chỉ huy Quân sự huyện")
    secret = register("", confidentiality="toi_mat", paper_holder="Đinh Thị Thu",
                      sender_name="Bộ Chỉ huy Quân sự tỉnh Phú Thọ", number_symbol="17/BCH-TM")
    assert ids(found("chutich", "Bo Chi huy Quan su tinh")) == []
    assert ids(found("vanthu", "17/BCH-TM")) == []
    indexed = set(get_backend().ids())
    assert f"incoming:{secret.id}" not in indexed and len(indexed) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) == 0


# --- the index: reindex, processes, crashes, damage ------------------------------------------

def test_reindex_command_rebuilds_from_the_database(app):
    with app.test_request_context():
        for i in range(4):
            register(f"Báo cáo kết quả thu ngân sách quý {i + 1}",
                     uploads=[ops.Upload(make_docx(f"Số thu quý {i + 1} đạt kế hoạch"), f"q{i}.docx")])
        backend = get_backend()
        backend.rebuild([])  # an empty index, as after losing the folder
        assert found("chutich", "ngan sach").results.total == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "4 documents indexed" in result.output
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and '"ok": true' in check.output
    with app.test_request_context():
        assert found("chutich", "so thu quy dat ke hoach").results.total == 4


def test_two_processes_registering_at_once_lose_no_index_update(instance, app):
    from tests.workers import numbers_from_processes, register_many

    config = instance_config(instance)
    numbers = numbers_from_processes(register_many, [(config, 10, "A"), (config, 10, "B")])
    assert numbers == list(range(1, 21))
    with app.test_request_context():
        hits = found("chutich", "van ban thu")
        assert hits.results.total == 20
        subjects = {re.sub(r"</?mark>", "", d.hit.subject_html) for d in hits.documents}
        assert subjects == {f"Văn bản thử {t} số {i}" for t in "AB" for i in range(1, 11)}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) == 0
        assert get_backend().check(expected_docs=20)["ok"]


def _register_then_die(config: dict, moment: str) -> None:
    """Commit a registration, then die before (or right after) the index write."""
    from docmgmt import create_app
    from search.whoosh_backend import WhooshBackend

    original = WhooshBackend.index

    def dying_index(self, docs):
        if moment == "after-index-write":
            original(self, docs)
        os._exit(9)

    WhooshBackend.index = dying_index
    app = create_app(config)
    with app.test_request_context():
        register("Kế hoạch phòng chống lụt bão năm nay")
    os._exit(0)  # not reached


@pytest.mark.parametrize("moment", ["before-index-write", "after-index-write"])
def test_process_dying_between_commit_and_index_is_recovered_by_drain(instance, app, moment):
    p = multiprocessing.get_context("spawn").Process(
        target=_register_then_die, args=(instance_config(instance), moment))
    p.start()
    p.join(120)
    assert p.exitcode == 9
    with app.test_request_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) == 1
        before = found("chutich", "phong chong lut bao").results.total
        assert before == (1 if moment == "after-index-write" else 0)
    result = app.test_cli_runner().invoke(args=["search", "drain"])
    assert result.exit_code == 0 and result.output.startswith("1 queued updates applied"), result.output
    with app.test_request_context():
        assert found("chutich", "phong chong lut bao").results.total == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) == 0


def test_refused_request_leaves_no_job(ctx):
    register("Công văn đề nghị hỗ trợ kinh phí", commit=False)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) == 0
    assert drain() == 0


def test_damaged_index_is_reported_by_healthz_and_rebuilt(app, client):
    with app.test_request_context():
        for i in range(3):
            register(f"Giấy mời họp giao ban tuần {i + 1}")
    assert client.get("/healthz").status_code == 200
    gen = Path(os.path.realpath(Path(app.config["SEARCH_INDEX_DIR"]) / "current"))
    seg = max(gen.glob("*.seg"), key=lambda p: p.stat().st_size)
    with open(seg, "r+b") as f:
        f.truncate(seg.stat().st_size // 2)
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json["checks"]["search_index"]
    assert report["ok"] is False and report["error"] and report["rebuilding"] is True
    state(app).rebuild_thread.join(60)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json["checks"]["search_index"]["docs"] == 3
    with app.test_request_context():
        assert found("chutich", "giay moi hop giao ban").results.total == 3


def test_acl_mirrors_the_assignments(ctx):
    doc = register("Kế hoạch kiểm tra an toàn thực phẩm")
    assert set(acl_of(doc)) == {"perm:all"}
    direct(doc, to_unit="VHXH")
    vhxh = unit("VHXH").id
    assert set(acl_of(doc)) == {"perm:all", f"unit:{vhxh}", f"head:{vhxh}"}
    ops.delegate(user("truongvhxh"), doc.main_assignment, user("cv.vhxh").id)
    # the unit handed it on: its members no longer, the person and the head yes
    assert set(acl_of(doc)) == {"perm:all", f"u:{user('cv.vhxh').id}", f"head:{vhxh}"}


def test_a_registered_pdf_is_read_once_not_again_for_the_index(app, monkeypatch):
    """Registration already extracted the text in its sandbox; indexing reuses it."""
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as incoming_ops
    from docmgmt.searching import indexing
    from docmgmt.searching.models import BlobText
    calls = []
    real_extract = indexing.extract
    monkeypatch.setattr(indexing, "extract", lambda *a, **k: calls.append(a) or real_extract(*a, **k))
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.add_font("Serif", "", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
    doc.set_font("Serif", size=12)
    doc.cell(text="Kế hoạch chuyển đổi số xã Kim Bôi")
    pdf = bytes(doc.output())
    with app.test_request_context():
        clerk = user("vanthu")
        registered = incoming_ops.register_incoming(clerk, incoming_ops.IncomingInput(
            sender_name="Sở Khoa học và Công nghệ", subject="Về việc kế hoạch chuyển đổi số"),
            [incoming_ops.Upload(pdf, "ke-hoach.pdf")])
        db.session.commit()
        cached = db.session.get(BlobText, registered.files[0].stored.sha256)
        assert cached is not None and "chuyển đổi số" in cached.text
        settle()
        assert ids(found("chutich", "ke hoach chuyen doi so xa kim boi")) == [registered.id]
    assert calls == []  # the index took the text from the cache


# --- attached files are read off the request path, each once ---------------------------------

def test_a_request_indexes_at_once_and_never_reads_a_file(app, monkeypatch):
    """The commit of a registration indexes the metadata; the DOCX is read later, by the
    background step, and its text then reaches the index."""
    calls = []
    real_extract = indexing.extract
    monkeypatch.setattr(indexing, "extract", lambda *a, **k: calls.append(a) or real_extract(*a, **k))
    with app.test_request_context():
        doc = register("Công văn về việc tổng hợp số liệu dân số", uploads=[ops.Upload(make_docx(
            "Đề nghị các thôn báo cáo số hộ nghèo trước ngày 30/9"), "cv.docx")])
        assert calls == []  # nothing was read for the request
        assert ids(found("chutich", "tong hop so lieu dan so")) == [doc.id]  # indexed at once
        assert ids(found("chutich", "so ho ngheo")) == []
        assert db.session.get(BlobText, doc.files[0].stored.sha256) is None
        settle()
        assert len(calls) == 1
        assert ids(found("chutich", "so ho ngheo")) == [doc.id]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) == 0


def test_the_background_thread_reads_the_files_of_a_commit(app):
    app.config["SEARCH_EXTRACT_IN_BACKGROUND"] = True  # as outside tests
    with app.test_request_context():
        doc = register("Giấy mời dự hội nghị tổng kết", uploads=[ops.Upload(make_docx(
            "Hội nghị tổng kết công tác phòng chống thiên tai"), "gm.docx")])
        thread = indexing.background_extractor(app)
        assert thread is not None
        thread.join(60)
        assert not thread.is_alive()
        assert ids(found("chutich", "phong chong thien tai")) == [doc.id]


def test_processes_reading_at_once_read_each_file_once(app, monkeypatch):
    """Four extraction steps started together (the background threads of four busy
    processes) share the work through the lock: every file is read exactly once."""
    import threading

    calls = []
    real_extract = indexing.extract
    monkeypatch.setattr(indexing, "extract", lambda *a, **k: calls.append(str(a[0])) or real_extract(*a, **k))
    files = [make_docx(f"Số liệu tháng {i + 1} của thôn Ý Yên") for i in range(3)]
    with app.test_request_context():
        docs = [register(f"Báo cáo tháng {i + 1}", uploads=[ops.Upload(content, f"bc{i}.docx")]).id
                for i, content in enumerate(files)]
        # the same file attached to a second document: one content, read once
        register("Bản sao báo cáo tháng 1", uploads=[ops.Upload(files[0], "ban-sao.docx")])

    def step():
        with app.app_context():
            indexing.extract_missing()
            db.session.remove()

    threads = [threading.Thread(target=step) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(calls) == len(set(calls)) == 3
    with app.test_request_context():
        assert docs[0] in ids(found("chutich", "so lieu thang 1 thon y yen"))
        assert len(ids(found("chutich", "so lieu thang 1"))) == 2  # both documents of that file
