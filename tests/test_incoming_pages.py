"""The incoming-document pages through the Flask test client: what a clerk, a leader and
a handler see and are refused."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.commune import unit, unit_id, user, user_id
from tests.conftest import csrf_from, text_of
from tests.files_helpers import make_pdf, make_png

SENDER = "Sở Nội vụ tỉnh Phú Thọ"


def _form(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return csrf_from(page.get_data(as_text=True))


def register(client, **fields):
    data = {
        "sender_name": SENDER, "number_symbol": "125/SNV-VP", "issue_date": "2026-01-05",
        "doc_type": "cong_van", "urgency": "thuong", "confidentiality": "thuong",
        "subject": "V/v triển khai chuyển đổi số cấp xã", "arrival_date": "",
        **fields,
    }
    data["csrf_token"] = _form(client, "/incoming/new")
    return client.post("/incoming/new", data=data, content_type="multipart/form-data")


def registered_doc(app, *, assign_to: str | None = None, deadline_days: int | None = None):
    """A document registered (and directed) through the operations, committed."""
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops

    with app.app_context():
        doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(
            sender_name="Sở Tài chính tỉnh Phú Thọ", number_symbol="88/STC-NS",
            subject="V/v báo cáo quyết toán ngân sách xã"))
        if assign_to:
            ops.direct(user("chutich"), doc, ops.Direction_(
                main=ops.Assignee(user_id=user(assign_to).id),
                deadline_working_days=deadline_days, text="Giao Phòng Kinh tế tham mưu"))
        db.session.commit()
        return doc.id


def test_clerk_registers_a_scanned_document_and_sees_its_number(login_as):
    client = login_as("vanthu")
    response = register(client, files=(io.BytesIO(make_pdf()), "cong-van-125.pdf"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = text_of(page)
    said = re.sub(r"<[^>]+>", "", html)
    assert said.count("đã vào sổ đến số 01.") + said.count("Đã vào sổ đến số 01.") == 1  # said once
    assert "Văn bản đã vào sổ đến số 01." in said
    assert "Vào sổ tiếp" in html  # the next registration is one key press away
    assert "cong-van-125.pdf" in html
    assert 'data-testid="pdf-preview"' in html and "inline=1" in html
    assert "V/v triển khai chuyển đổi số cấp xã" in html
    # The second one gets the next number.
    response = register(client, number_symbol="126/SNV-VP", then="next")
    assert response.headers["Location"].endswith("/incoming/new")
    assert "Đã vào sổ đến số 02." in text_of(client.get("/incoming/new"))


def test_registration_form_has_the_clerks_defaults(login_as):
    client = login_as("vanthu")
    html = text_of(client.get("/incoming/new"))
    sender = re.search(r'<input[^>]*name="sender_name"[^>]*>', html).group(0)
    assert "autofocus" in sender
    assert re.search(r'<option selected value="cong_van">Công văn</option>', html)
    assert 'multiple' in html and 'accept=".pdf,.docx' in html
    from docmgmt.core.timeutil import vn_today

    # A text input shown dd/mm/yyyy whatever the browser's language (the picker is app.js's).
    arrival = re.search(r'<input[^>]*name="arrival_date"[^>]*>', html).group(0)
    assert 'type="text"' in arrival and "data-date" in arrival and 'inputmode="numeric"' in arrival
    assert f'value="{vn_today():%d/%m/%Y}"' in arrival


def test_confidential_registration_with_a_file_is_refused_and_nothing_is_stored(app, login_as):
    from docmgmt.extensions import db
    from docmgmt.files.models import StoredFile
    from docmgmt.incoming.models import IncomingDocument

    client = login_as("vanthu")
    response = register(client, confidentiality="mat", subject="", paper_holder="Đinh Thị Thu",
                        files=(io.BytesIO(make_pdf("Tài liệu mật")), "mat.pdf"))
    assert response.status_code == 422
    assert "Văn bản mật không được đưa lên hệ thống" in text_of(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    blobs = [p for p in Path(app.config["FILE_STORE_DIR"]).rglob("*") if p.is_file()
             and "tmp" not in p.parts]
    assert blobs == []


def test_confidential_paper_entry_records_only_the_holder(login_as):
    client = login_as("vanthu")
    response = register(client, confidentiality="toi_mat", subject="", paper_holder="Bùi Văn Khánh")
    assert response.status_code == 302
    html = text_of(client.get(response.headers["Location"]))
    assert "Văn bản đã vào sổ đến số 01 (Mật)." in re.sub(r"<[^>]+>", "", html)
    assert "Bùi Văn Khánh" in html and "Chuyển bản giấy" in html
    assert "Thêm tệp" not in html  # no door to attach a file to a confidential entry


def test_duplicate_is_warned_and_can_be_registered_anyway(login_as):
    client = login_as("vanthu")
    assert register(client).status_code == 302
    again = register(client)
    assert again.status_code == 409
    html = text_of(again)
    assert "đã vào sổ (số đến 01)" in html and "Vẫn đăng ký" in html
    confirmed = register(client, allow_duplicate="y")
    assert confirmed.status_code == 302
    assert "Văn bản đã vào sổ đến số 02." in re.sub(r"<[^>]+>", "", text_of(client.get(confirmed.headers["Location"])))


def test_staff_is_refused_the_clerk_and_leader_pages(app, login_as):
    doc_id = registered_doc(app)
    client = login_as("cv.kt1")
    assert client.get("/incoming/new").status_code == 403
    assert client.get("/incoming/awaiting").status_code == 403
    assert client.get("/incoming/register").status_code == 403
    assert client.get(f"/incoming/{doc_id}").status_code == 404  # not theirs: not even there
    token = _form(client, "/incoming/mine")
    refused = client.post(f"/incoming/{doc_id}/direct",
                          data={"direct-csrf_token": token, "direct-main": "u:1"})
    assert refused.status_code == 404
    nav = text_of(client.get("/"))
    assert "Việc của tôi" in nav and "Vào sổ" not in nav and "Sổ đến" not in nav


def test_handler_sees_only_what_is_assigned_to_them(app, login_as):
    doc_id = registered_doc(app, assign_to="cv.kt1", deadline_days=5)
    assert login_as("cv.vhxh").get(f"/incoming/{doc_id}").status_code == 404
    html = text_of(login_as("cv.kt1").get(f"/incoming/{doc_id}"))
    assert "Báo hoàn thành" in html and "Ghi tiến độ" in html
    assert 'data-action="direct"' not in html and 'data-action="submit"' not in html


def test_leader_directs_and_the_page_shows_the_timeline(app, login_as):
    doc_id = registered_doc(app)
    clerk = login_as("vanthu")
    token = _form(clerk, f"/incoming/{doc_id}")
    response = clerk.post(f"/incoming/{doc_id}/submit",
                          data={"submit-csrf_token": token, "submit-leader_id": "",
                                "submit-comment": "Kính trình đồng chí Chủ tịch"})
    assert response.status_code == 302
    leader = login_as("chutich")
    html = text_of(leader.get(f"/incoming/{doc_id}"))
    assert 'data-action="direct"' in html
    kt1, vhxh = user_id("cv.kt1", app=app), unit_id("VHXH", app=app)
    token = csrf_from(html)
    response = leader.post(f"/incoming/{doc_id}/direct", data={
        "direct-csrf_token": token, "direct-main": f"u:{kt1}", "direct-info": [f"unit:{vhxh}"],
        "direct-deadline_working_days": "3", "direct-text": "Đề nghị Phòng Kinh tế khẩn trương tham mưu",
    })
    assert response.status_code == 302, text_of(response)[-2000:]
    html = text_of(leader.get(f"/incoming/{doc_id}"))
    timeline = html.split('data-testid="timeline"')[1]
    labels = re.findall(r'<span class="fw-semibold">([^<]+)</span>', timeline)
    assert labels == ["Vào sổ đến", "Trình lãnh đạo", "Chỉ đạo, phân công"]
    assert "Đinh Thị Thu" in timeline and "Bùi Văn Khánh" in timeline
    assert "Kính trình đồng chí Chủ tịch" in timeline
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", timeline)
    assert "Phạm Văn Đức" in html and "Đề nghị Phòng Kinh tế khẩn trương tham mưu" in html
    assert 'data-action="reassign"' in html


def test_direction_refused_by_the_domain_is_shown_next_to_the_field(app, login_as):
    doc_id = registered_doc(app)
    leader = login_as("chutich")
    token = _form(leader, f"/incoming/{doc_id}")
    response = leader.post(f"/incoming/{doc_id}/direct", data={
        "direct-csrf_token": token, "direct-main": "u:2", "direct-deadline": "2026-12-31",
        "direct-deadline_working_days": "3"})
    assert response.status_code == 422
    assert "Chỉ chọn hạn theo ngày hoặc theo số ngày làm việc." in text_of(response)


def test_handler_completes_and_the_clerk_sees_it_done(app, login_as):
    doc_id = registered_doc(app, assign_to="cv.kt1", deadline_days=5)
    handler = login_as("cv.kt1")
    token = _form(handler, f"/incoming/{doc_id}")
    assert handler.post(f"/incoming/{doc_id}/progress", data={
        "progress-csrf_token": token, "progress-text": "Đã làm việc với Phòng Tài chính",
        "progress-files": (io.BytesIO(make_png()), "anh-chup.png"),
    }, content_type="multipart/form-data").status_code == 302
    empty = handler.post(f"/incoming/{doc_id}/complete",
                         data={"complete-csrf_token": token, "complete-summary": ""})
    assert empty.status_code == 422 and "Hãy ghi kết quả giải quyết." in text_of(empty)
    assert handler.post(f"/incoming/{doc_id}/complete", data={
        "complete-csrf_token": token, "complete-summary": "Đã gửi báo cáo quyết toán"},
    ).status_code == 302
    html = text_of(login_as("vanthu").get(f"/incoming/{doc_id}"))
    assert re.search(r'data-testid="status">Hoàn thành<', html)
    assert "anh-chup.png" in html and "Đã làm việc với Phòng Tài chính" in html


def test_my_work_opens_on_the_tab_of_what_was_given_last(app, login_as):
    """An overdue document does not hide the one just given: the queue opens where the
    newest assignment is, and on the overdue tab only when that newest one is late."""
    from docmgmt.core.timeutil import vn_today
    from docmgmt.extensions import db
    from docmgmt.incoming.models import Assignment, IncomingDocument

    late_id = registered_doc(app, assign_to="cv.kt1", deadline_days=3)
    late = vn_today() - timedelta(days=3)
    with app.app_context():
        db.session.execute(sa.update(Assignment).values(deadline=late))
        db.session.execute(sa.update(IncomingDocument).values(deadline=late))
        db.session.commit()
    client = login_as("cv.kt1")
    assert 'class="tab-pane fade show active" id="pane-overdue"' in text_of(client.get("/incoming/mine"))
    fresh_id = registered_doc(app, assign_to="cv.kt1", deadline_days=10)  # given after
    html = text_of(client.get("/incoming/mine"))
    active = html.split('class="tab-pane fade show active"')[1].split('class="tab-pane')[0]
    assert 'id="pane-new"' in active and f'data-doc="{fresh_id}"' in active
    assert f'data-doc="{late_id}"' in active  # still listed, and still red in its own tab
    overdue_tab = html.split('id="tab-overdue"')[0].rsplit("<button", 1)[1]
    assert "text-danger" in overdue_tab  # the late one still shows its red tab
    assert 'aria-selected="true"' in html.split('id="tab-new"')[1].split(">")[0]


def test_queue_shows_overdue_in_red(app, login_as):
    from docmgmt.core.timeutil import vn_today
    from docmgmt.extensions import db
    from docmgmt.incoming.models import Assignment, IncomingDocument

    doc_id = registered_doc(app, assign_to="cv.kt1", deadline_days=3)
    late = vn_today() - timedelta(days=3)
    with app.app_context():  # three days ago the deadline passed
        db.session.execute(sa.update(Assignment).values(deadline=late))
        db.session.execute(sa.update(IncomingDocument).values(deadline=late))
        db.session.commit()
    client = login_as("cv.kt1")
    html = text_of(client.get("/incoming/mine"))
    overdue_pane = html.split('data-queue="overdue"')[1].split('data-queue="info"')[0]
    assert 'class="tab-pane fade show active" id="pane-overdue"' in html
    assert re.search(rf'<tr class="table-danger" data-doc="{doc_id}">', overdue_pane)
    assert '<span class="badge text-bg-danger" data-testid="overdue">Quá hạn</span>' in overdue_pane
    assert late.strftime("%d/%m/%Y") in overdue_pane
    page = text_of(client.get(f"/incoming/{doc_id}"))
    assert 'badge text-bg-danger fs-6" data-testid="overdue"' in page
    home = text_of(client.get("/"))
    assert "Việc được giao" in home and f"Quá hạn (hạn {late:%d/%m/%Y})" in home
    overview = text_of(login_as("chutich").get("/incoming/?overdue=y"))
    assert f'class="table-danger" data-doc="{doc_id}"' in overview


def test_register_page_lists_the_appendix_iv_columns_in_order(app, login_as):
    registered_doc(app, assign_to="cv.kt1", deadline_days=3)
    client = login_as("vanthu")
    from docmgmt.core.timeutil import vn_today

    year = vn_today().year
    html = text_of(client.get(f"/incoming/register/{year}"))
    head = html.split("<thead")[1].split("</tr>")[0]
    assert re.findall(r"<th>([^<]+)</th>", head) == [
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận",
        "Ghi chú",
    ]
    row = html.split("<tbody>")[1].split("</tr>")[0]
    assert "Sở Tài chính tỉnh Phú Thọ" in row and "88/STC-NS" in row
    assert "Công văn: V/v báo cáo quyết toán ngân sách xã" in row and "Phạm Văn Đức" in row
    assert f"/incoming/register/{year}/export.xlsx" in html
    assert f"/incoming/register/{year}/export.pdf" in html
    assert re.search(r"/static/incoming\.[0-9a-f]+\.css", html)  # the print stylesheet hides the menu and buttons


def test_home_page_tells_the_clerk_and_the_leader_what_waits(app, login_as):
    doc_id = registered_doc(app)
    clerk_home = text_of(login_as("vanthu").get("/"))
    assert "Văn bản đến mới vào sổ chưa trình" in clerk_home
    assert f"/incoming/{doc_id}" in clerk_home
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops

    with app.app_context():
        ops.submit(user("vanthu"), db.session.get(ops.IncomingDocument, doc_id))
        db.session.commit()
    leader = login_as("chutich")
    panel = text_of(leader.get("/")).split('data-panel="incoming_awaiting"')[1]
    assert f"/incoming/{doc_id}" in panel
    assert "V/v báo cáo quyết toán ngân sách xã" in text_of(leader.get("/incoming/awaiting"))


def test_head_of_unit_hands_the_unit_assignment_to_one_of_their_people(app, login_as):
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops

    with app.app_context():
        doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(
            sender_name="UBND tỉnh Phú Thọ", subject="V/v kiểm kê đất đai năm 2026"))
        kt = unit("KT")
        (assignment,) = ops.direct(user("chutich"), doc, ops.Direction_(
            main=ops.Assignee(unit_id=kt.id), deadline_working_days=5))
        doc_id, assignment_id, kt2 = doc.id, assignment.id, user("cv.kt2").id
        db.session.commit()
    assert 'data-action="delegate"' not in text_of(login_as("cv.kt1").get(f"/incoming/{doc_id}"))
    head = login_as("truongkt")
    html = text_of(head.get(f"/incoming/{doc_id}"))
    assert 'data-action="delegate"' in html and "Đỗ Thị Hà" in html
    response = head.post(f"/incoming/{doc_id}/delegate/{assignment_id}", data={
        f"delegate{assignment_id}-csrf_token": csrf_from(html),
        f"delegate{assignment_id}-assignment_id": str(assignment_id),
        f"delegate{assignment_id}-user_id": str(kt2)})
    assert response.status_code == 302
    # The head keeps sight of it; a colleague of the unit no longer has it.
    assert "Giao Đỗ Thị Hà" in text_of(head.get(f"/incoming/{doc_id}"))
    assert f'data-doc="{doc_id}"' in text_of(head.get("/incoming/"))
    colleague = login_as("cv.kt1")
    assert colleague.get(f"/incoming/{doc_id}").status_code == 404
    assert f'data-doc="{doc_id}"' not in text_of(colleague.get("/incoming/"))
    assert 'data-action="complete"' in text_of(login_as("cv.kt2").get(f"/incoming/{doc_id}"))


def test_nobody_can_attach_a_file_to_a_confidential_entry(app, login_as):
    client = login_as("vanthu")
    response = register(client, confidentiality="mat", subject="", paper_holder="Đinh Thị Thu")
    doc_url = response.headers["Location"].split("?")[0]
    token = _form(client, doc_url)
    refused = client.post(f"{doc_url}/files", data={
        "attach_files-csrf_token": token,
        "attach_files-files": (io.BytesIO(make_pdf()), "mat.pdf")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Văn bản mật không được đưa lên hệ thống" in text_of(refused)
    assert "mat.pdf" not in text_of(client.get(doc_url))


def test_clerk_adds_a_scan_later(login_as):
    client = login_as("vanthu")
    doc_url = register(client).headers["Location"].split("?")[0]
    token = _form(client, doc_url)
    added = client.post(f"{doc_url}/files", data={
        "attach_files-csrf_token": token,
        "attach_files-files": (io.BytesIO(make_png()), "ban-quet.png")},
        content_type="multipart/form-data")
    assert added.status_code == 302
    html = text_of(client.get(doc_url))
    assert "ban-quet.png" in html and 'data-testid="image-preview"' in html
    assert '<span class="fw-semibold">Thêm tệp</span>' in html


def test_a_notification_is_read_once_its_document_is_opened(app, login_as):
    """The badge clears when the person has seen the thing announced."""
    import sqlalchemy as sa

    from docmgmt.extensions import db
    from docmgmt.notifications.models import Notification

    doc_id = registered_doc(app, assign_to="cv.kt1", deadline_days=5)
    client = login_as("cv.kt1")

    def unread() -> list[str]:
        with app.app_context():
            return list(db.session.scalars(sa.select(Notification.link).where(
                Notification.user_id == user_id("cv.kt1", app=app), Notification.read_at.is_(None))))

    def badge() -> int:
        found = re.search(r'data-testid="unread-count">(\d+)<', text_of(client.get("/incoming/mine")))
        return int(found.group(1)) if found else 0

    assert f"/incoming/{doc_id}" in unread()
    before = badge()
    assert before == len(unread()) >= 1
    client.get(f"/incoming/{doc_id}")
    assert f"/incoming/{doc_id}" not in unread()
    assert badge() == before - 1


def test_a_leader_is_offered_for_information_but_not_to_handle(app, login_as):
    """The chairman keeps a vice-chairman informed; he does not make him the handler."""
    doc_id = registered_doc(app)
    html = text_of(login_as("chutich").get(f"/incoming/{doc_id}"))
    vice = str(user_id("phochutich.kt", app=app))
    direct_form = html.split('data-action="direct"')[1].split("</details>")[0]

    def options(field: str) -> str:
        return direct_form.split(f'name="direct-{field}"')[1].split("</select>")[0]

    assert f'value="u:{vice}"' in options("info")
    assert f'value="u:{vice}"' not in options("main") and f'value="u:{vice}"' not in options("co")


def test_a_long_queue_comes_a_page_at_a_time_with_the_whole_count(app, login_as):
    """A person with a page and three more open documents: the tab gives the whole count,
    shows a page of those due first, and the next page the other three; every document
    appears once over the pages."""
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops
    from docmgmt.incoming.controllers import QUEUE_PAGE

    total = QUEUE_PAGE + 3
    with app.app_context():
        for n in range(total):
            doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(
                sender_name="Sở Tài chính tỉnh Phú Thọ", number_symbol=f"{n + 1}/STC-NS",
                subject=f"V/v báo cáo quyết toán ngân sách xã, đợt {n + 1}"))
            ops.direct(user("chutich"), doc, ops.Direction_(
                main=ops.Assignee(user_id=user("cv.kt1").id), deadline_working_days=5 + n))
        db.session.commit()
    client = login_as("cv.kt1")

    def pane(html: str) -> str:
        return html.split('data-queue="new"')[1].split('data-queue="in_progress"')[0]

    first = text_of(client.get("/incoming/mine?tab=new"))
    assert f'<span class="badge rounded-pill text-bg-secondary" data-count="new">{total}</span>' in first
    shown_first = re.findall(r'data-doc="(\d+)"', pane(first))
    assert len(shown_first) == QUEUE_PAGE
    assert f"Văn bản 1–{QUEUE_PAGE} trong {total}" in pane(first)
    assert 'data-testid="queue-next"' in pane(first)
    second = text_of(client.get("/incoming/mine?tab=new&page=2"))
    shown_second = re.findall(r'data-doc="(\d+)"', pane(second))
    assert len(shown_second) == 3 and f"Văn bản {QUEUE_PAGE + 1}–{total} trong {total}" in pane(second)
    assert 'data-testid="queue-next"' not in pane(second)
    assert len(set(shown_first) | set(shown_second)) == total
    # A page past the end shows the last one; a page that is not a number, the first.
    assert re.findall(r'data-doc="(\d+)"', pane(text_of(client.get("/incoming/mine?tab=new&page=99")))) == shown_second
    assert re.findall(r'data-doc="(\d+)"', pane(text_of(client.get("/incoming/mine?tab=new&page=²")))) == shown_first
