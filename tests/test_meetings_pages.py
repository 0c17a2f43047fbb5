"""The meeting pages through the Flask test client: what the secretary, the chair, the
members, a guest and a colleague who was not invited see, do and are refused."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from docmgmt.core.timeutil import to_vn, vn_today
from tests.commune import user, user_id
from tests.conftest import DEMO_PASSWORD, csrf_from, login, page_csrf, text_of
from tests.files_helpers import make_pdf
from tests.meetings_support import build_meeting

TITLE = "Họp giao ban UBND xã tháng 11"


def as_user(app, username: str, password: str = DEMO_PASSWORD):
    """A browser of its own for each person."""
    client = app.test_client()
    response = login(client, username, password)
    assert response.status_code == 302, text_of(response)[:300]
    return client


@contextmanager
def database(app):
    """The database outside any request. (Requests made while an app context is pushed
    would share it, its session and ``g`` — not what a browser does.)"""
    from docmgmt.extensions import db

    with app.test_request_context():
        yield db.session


def meeting(app, **kwargs) -> int:
    with database(app):
        return build_meeting(**kwargs)


def about(app, meeting_id: int, read):
    """Read something of a meeting, fresh from the database."""
    with database(app):
        return read(load(meeting_id))


def post(client, path: str, data: dict | None = None, page: str | None = None, **kwargs):
    """Submit a form the way the page does: with the CSRF token of the page it is on."""
    token = page_csrf(client, page or "/meetings/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def load(meeting_id: int):
    from docmgmt.extensions import db
    from meetings.models import Meeting

    return db.session.get(Meeting, meeting_id)


def schedule_form(app, client, **fields) -> dict:
    page = client.get("/meetings/new")
    assert page.status_code == 200
    day = vn_today() + timedelta(days=2)
    data = {
        "csrf_token": csrf_from(text_of(page)), "title": "Họp triển khai chuyển đổi số cấp xã",
        "day": day.strftime("%d/%m/%Y"), "start_time": "14:00", "end_time": "16:30",
        "location": "Hội trường UBND xã", "online_link": "", "description": "",
        "chair_id": str(user_id("chutich", app=app)), "secretary_id": str(user_id("thuky", app=app)),
        "members": [str(user_id(u, app=app)) for u in ("phochutich.kt", "chanhvp")],
        "guests": [str(user_id("cv.vp", app=app))],
    }
    data.update(fields)
    return data


def meeting_count(app) -> int:
    from meetings.models import Meeting

    with database(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Meeting))


# --- scheduling ------------------------------------------------------------------------------

def test_secretary_schedules_a_meeting_that_members_find_in_the_calendar_and_their_meetings(app):
    secretary = as_user(app, "thuky")
    index = text_of(secretary.get("/meetings/"))
    assert "Tạo cuộc họp" in index and "Lịch họp" in index
    data = schedule_form(app, secretary)
    response = secretary.post("/meetings/new", data=data)
    assert response.status_code == 302, text_of(response)[:2000]
    page = text_of(secretary.get(response.headers["Location"]))
    assert "Họp triển khai chuyển đổi số cấp xã" in page
    day = vn_today() + timedelta(days=2)
    assert f"14:00–16:30, {day.strftime('%d/%m/%Y')}" in page  # Vietnam time, dd/mm/yyyy
    assert "Đang chuẩn bị" in page and "Hội trường UBND xã" in page

    member = as_user(app, "chanhvp")
    month = text_of(member.get(f"/meetings/calendar?view=month&date={day.isoformat()}"))
    assert "Họp triển khai chuyển đổi số cấp xã" in month
    assert all(name in month for name in ("T2", "T3", "T4", "T5", "T6", "T7", "CN"))
    assert "Họp triển khai chuyển đổi số cấp xã" in text_of(member.get("/meetings/"))
    # someone who was not invited sees nothing of it
    outsider = as_user(app, "cv.kt1")
    assert "Họp triển khai chuyển đổi số cấp xã" not in text_of(
        outsider.get(f"/meetings/calendar?date={day.isoformat()}"))


def test_end_before_start_is_refused_on_the_end_time_and_nothing_is_created(app):
    secretary = as_user(app, "thuky")
    before = meeting_count(app)
    response = secretary.post("/meetings/new", data=schedule_form(app, secretary, end_time="13:00"))
    assert response.status_code == 422
    html = text_of(response)
    assert "Giờ kết thúc phải sau giờ bắt đầu." in html
    assert re.search(r'id="end_time"[^>]*is-invalid|is-invalid[^>]*id="end_time"', html)
    assert meeting_count(app) == before


def test_a_meeting_without_room_or_link_is_refused_and_nothing_is_created(app):
    secretary = as_user(app, "thuky")
    before = meeting_count(app)
    response = secretary.post("/meetings/new", data=schedule_form(app, secretary, location=""))
    assert response.status_code == 422
    assert "Hãy nhập phòng họp hoặc đường dẫn họp trực tuyến." in text_of(response)
    assert meeting_count(app) == before


def test_staff_may_not_schedule_meetings(app):
    staff = as_user(app, "cv.kt1")
    assert "Tạo cuộc họp" not in text_of(staff.get("/meetings/"))
    assert staff.get("/meetings/new").status_code == 403


def test_secretary_edits_the_time_and_the_change_shows(app):
    mid = meeting(app, status="draft")
    secretary = as_user(app, "thuky")
    form = secretary.get(f"/meetings/{mid}/edit")
    assert form.status_code == 200 and TITLE in text_of(form)
    data = schedule_form(app, secretary, title=TITLE, start_time="07:30", end_time="09:00")
    data["csrf_token"] = csrf_from(text_of(form))
    response = secretary.post(f"/meetings/{mid}/edit", data=data)
    assert response.status_code == 302, text_of(response)[:2000]
    assert "07:30–09:00" in text_of(secretary.get(f"/meetings/{mid}"))


# --- who sees what ---------------------------------------------------------------------------

def test_a_colleague_not_invited_cannot_open_the_meeting_or_its_room(app):
    mid = meeting(app, status="live")
    outsider = as_user(app, "cv.kt1")
    assert outsider.get(f"/meetings/{mid}").status_code == 404
    room = outsider.get(f"/meetings/{mid}/room")
    # Not even that the meeting exists.
    assert room.status_code == 404
    assert TITLE not in text_of(room)
    other_commune = as_user(app, "cv.lacson", "matkhau-lacson")
    assert other_commune.get(f"/meetings/{mid}").status_code == 404
    assert other_commune.get(f"/meetings/{mid}/room").status_code == 404


def test_a_live_meeting_comes_first_with_a_button_into_the_room(app):
    meeting(app, status="invited", title="Họp chuẩn bị Tết Nguyên đán")
    live = meeting(app, status="live")
    member = as_user(app, "phochutich.kt")
    html = text_of(member.get("/meetings/"))
    assert html.index(TITLE) < html.index("Họp chuẩn bị Tết Nguyên đán")
    assert f'href="/meetings/{live}/room"' in html and "Vào phòng họp" in html


def test_lifecycle_buttons_follow_who_may_do_what(app):
    mid = meeting(app, status="invited")
    member_page = text_of(as_user(app, "truongkt").get(f"/meetings/{mid}"))
    assert 'data-testid="lifecycle"' not in member_page
    chair_page = text_of(as_user(app, "chutich").get(f"/meetings/{mid}"))
    assert "Bắt đầu họp" in chair_page and "Hủy cuộc họp" in chair_page
    assert "Gửi giấy mời" not in chair_page  # already invited


def test_starting_without_an_agenda_is_refused_with_the_reason(app):
    mid = meeting(app, status="invited", items=0)
    chair = as_user(app, "chutich")
    response = post(chair, f"/meetings/{mid}/start")
    assert response.status_code == 409
    assert "Hãy lập chương trình họp trước khi bắt đầu." in text_of(response)
    assert about(app, mid, lambda m: m.status) == "invited"


def test_inviting_notifies_every_participant(app):
    from docmgmt.notifications.models import Notification

    mid = meeting(app, status="draft")
    secretary = as_user(app, "thuky")
    response = post(secretary, f"/meetings/{mid}/invite")
    assert response.status_code == 302
    assert about(app, mid, lambda m: m.status) == "invited"
    with database(app) as session:
        invited = set(session.scalars(sa.select(Notification.user_id).where(Notification.kind == "meeting.invited")))
    assert invited == about(app, mid, lambda m: {p.user_id for p in m.participants})
    home = text_of(as_user(app, "phochutich.vx").get("/"))
    assert 'data-panel="meetings_upcoming"' in home and "Cần trả lời giấy mời" in home


# --- RSVP ------------------------------------------------------------------------------------

def test_absence_needs_a_reason_and_the_reason_is_shown(app):
    mid = meeting(app, status="invited")
    member = as_user(app, "truongkt")
    refused = post(member, f"/meetings/{mid}/rsvp", {"rsvp-answer": "absent", "rsvp-reason": ""})
    assert refused.status_code == 422
    assert "Hãy ghi lý do vắng mặt." in text_of(refused)
    assert about(app, mid, lambda m: m.participant(user("truongkt")).rsvp) == "pending"

    done = post(member, f"/meetings/{mid}/rsvp", {"rsvp-answer": "absent", "rsvp-reason": "Đi công tác tỉnh"})
    assert done.status_code == 302
    chair_page = text_of(as_user(app, "chutich").get(f"/meetings/{mid}"))
    assert "Vắng mặt" in chair_page and "Đi công tác tỉnh" in chair_page


def test_a_member_sends_a_delegate_who_then_sees_the_meeting(app):
    mid = meeting(app, status="invited")
    member = as_user(app, "truongkt")
    delegate = user_id("cv.kt1", app=app)
    page = text_of(member.get(f"/meetings/{mid}"))
    assert f'<option value="{delegate}">' in page  # a colleague not yet invited
    response = post(member, f"/meetings/{mid}/rsvp", {"rsvp-answer": "delegate", "rsvp-delegate_id": str(delegate)})
    assert response.status_code == 302, text_of(response)[:2000]
    page = text_of(member.get(f"/meetings/{mid}"))
    assert "Cử người dự thay: Phạm Văn Đức" in page
    stand_in = as_user(app, "cv.kt1")
    own = text_of(stand_in.get(f"/meetings/{mid}"))
    assert "Dự thay cho Nguyễn Thị Lan" in own
    assert TITLE in text_of(stand_in.get("/meetings/"))


def test_a_delegate_must_be_someone_not_yet_invited(app):
    mid = meeting(app, status="invited")
    member = as_user(app, "truongkt")
    response = post(member, f"/meetings/{mid}/rsvp",
                    {"rsvp-answer": "delegate", "rsvp-delegate_id": str(user_id("chanhvp", app=app))})
    assert response.status_code == 422
    assert "Người dự thay phải là người chưa được mời họp." in text_of(response)


# --- the agenda --------------------------------------------------------------------------------

def item_titles(app, mid: int) -> list[str]:
    return about(app, mid, lambda m: [i.title for i in m.items])


def item_ids(app, mid: int) -> list[int]:
    return about(app, mid, lambda m: [i.id for i in m.items])


def test_secretary_adds_moves_and_removes_agenda_items(app):
    mid = meeting(app, status="draft", items=2)
    secretary = as_user(app, "thuky")
    response = post(secretary, f"/meetings/{mid}/items", {
        "item-title": "Tổng kết công tác dân số năm 2026", "item-presenter_id": str(user_id("chanhvp", app=app)),
        "item-duration_minutes": "20"})
    assert response.status_code == 302
    titles = item_titles(app, mid)
    assert titles[-1] == "Tổng kết công tác dân số năm 2026"
    page = text_of(secretary.get(f"/meetings/{mid}"))
    assert "Tổng kết công tác dân số năm 2026" in page and "Hoàng Minh Tuấn" in page and "20 phút" in page

    last = item_ids(app, mid)[-1]
    assert post(secretary, f"/meetings/{mid}/items/{last}/up").status_code == 302
    assert item_titles(app, mid)[1] == "Tổng kết công tác dân số năm 2026"

    first = item_ids(app, mid)[0]
    assert post(secretary, f"/meetings/{mid}/items/{first}/remove").status_code == 302
    assert item_titles(app, mid) == ["Tổng kết công tác dân số năm 2026", titles[1]]


def test_an_item_without_a_title_is_refused_with_the_message(app):
    mid = meeting(app, status="draft", items=1)
    response = post(as_user(app, "thuky"), f"/meetings/{mid}/items", {"item-title": " ", "item-duration_minutes": "10"})
    assert response.status_code == 422
    assert "Hãy nhập nội dung mục chương trình." in text_of(response)
    assert len(item_titles(app, mid)) == 1


def test_members_see_the_agenda_but_not_its_editor(app):
    mid = meeting(app, status="invited")
    member = as_user(app, "truongkt")
    html = text_of(member.get(f"/meetings/{mid}"))
    assert "Kế hoạch chuyển đổi số" in html
    assert 'data-testid="add-item"' not in html and 'data-testid="remove-item"' not in html
    item = item_ids(app, mid)[0]
    assert post(member, f"/meetings/{mid}/items/{item}/remove").status_code == 403


# --- documents on the agenda -----------------------------------------------------------------

def register_incoming(app, **fields) -> int:
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as incoming

    uploads = fields.pop("uploads", [])
    with database(app):
        doc = incoming.register_incoming(user("vanthu"), incoming.IncomingInput(
            sender_name="Ủy ban nhân dân tỉnh Phú Thọ", **fields), uploads)
        db.session.commit()
        return doc.id


def test_a_confidential_document_cannot_go_on_the_agenda(app):
    from meetings.models import AgendaDocument

    secret = register_incoming(app, number_symbol="15/CAT-PV01", confidentiality="mat", paper_holder="Văn thư")
    mid = meeting(app, status="invited")
    chair = as_user(app, "chutich")
    item = item_ids(app, mid)[0]
    page = text_of(chair.get(f"/meetings/{mid}"))
    assert f'<option value="{secret}">' in page  # offered to a leader who may read it …
    response = post(chair, f"/meetings/{mid}/items/{item}/documents",
                    {f"attach{item}-source": "incoming", f"attach{item}-incoming_id": str(secret)})
    assert response.status_code == 422  # … and refused with the reason
    assert "Văn bản mật không được đưa vào cuộc họp không giấy" in text_of(response)
    with database(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AgendaDocument)) == 0


def test_attached_documents_are_readable_by_participants_only(app):
    from docmgmt.incoming import operations as incoming

    doc_id = register_incoming(app, number_symbol="125/UBND-KGVX", subject="Về việc chuyển đổi số cấp xã",
                               uploads=[incoming.Upload(make_pdf(), "Công văn 125.pdf")])
    mid = meeting(app, status="invited")
    chair, secretary = as_user(app, "chutich"), as_user(app, "thuky")
    first, second = item_ids(app, mid)[:2]
    attached = post(chair, f"/meetings/{mid}/items/{first}/documents",
                    {f"attach{first}-source": "incoming", f"attach{first}-incoming_id": str(doc_id)})
    assert attached.status_code == 302, text_of(attached)[:2000]
    uploaded = post(secretary, f"/meetings/{mid}/items/{second}/documents",
                    {f"attach{second}-source": "upload",
                     f"attach{second}-file": (io.BytesIO(make_pdf("Báo cáo tháng 11")), "Báo cáo tháng 11.pdf")},
                    content_type="multipart/form-data")
    assert uploaded.status_code == 302, text_of(uploaded)[:2000]

    files = about(app, mid, lambda m: [d.stored_file_id for i in m.items for d in i.documents])
    assert len(files) == 2
    page = text_of(chair.get(f"/meetings/{mid}"))
    assert "125/UBND-KGVX — Về việc chuyển đổi số cấp xã" in page and "Báo cáo tháng 11.pdf" in page
    assert f"/files/{files[0]}?inline=1" in page

    member = as_user(app, "truongkt")  # reads the incoming document only through the meeting
    for file_id in files:
        assert member.get(f"/files/{file_id}?inline=1").status_code == 200
    outsider = as_user(app, "cv.kt1")
    for file_id in files:
        assert outsider.get(f"/files/{file_id}?inline=1").status_code in (403, 404)


def test_an_upload_that_is_not_a_pdf_is_refused(app):
    mid = meeting(app, status="draft", items=1)
    secretary = as_user(app, "thuky")
    item = item_ids(app, mid)[0]
    response = post(secretary, f"/meetings/{mid}/items/{item}/documents",
                    {f"attach{item}-source": "upload",
                     f"attach{item}-file": (io.BytesIO(b"not a pdf at all"), "ghi-chu.pdf")},
                    content_type="multipart/form-data")
    assert 400 <= response.status_code < 500
    assert 'class="invalid-feedback"' in text_of(response) or "alert-danger" in text_of(response)


# --- Giấy mời, biên bản, tasks -----------------------------------------------------------------

def test_invitation_download_is_a_docx_with_the_meeting_title(app):
    import docx

    mid = meeting(app, status="invited")
    member = as_user(app, "phochutich.kt")
    response = member.get(f"/meetings/{mid}/invitation.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''Gi%E1%BA%A5y%20m%E1%BB%9Di" in disposition
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert TITLE in text


def test_invitation_goes_to_the_outgoing_flow_as_a_draft(app):
    mid = meeting(app, status="draft")
    secretary = as_user(app, "thuky")
    response = post(secretary, f"/meetings/{mid}/invitation")
    assert response.status_code == 302, text_of(response)[:2000]
    draft_id = about(app, mid, lambda m: m.invitation_draft_id)
    assert draft_id and response.headers["Location"].endswith(f"/outgoing/{draft_id}")
    assert secretary.get(response.headers["Location"]).status_code == 200
    assert f'href="/outgoing/{draft_id}"' in text_of(secretary.get(f"/meetings/{mid}"))


def end_with_conclusion(app, mid: int) -> None:
    from docmgmt.extensions import db
    from meetings import operations as ops

    with database(app):
        m = load(mid)
        secretary, chair = user("thuky"), user("chutich")
        vote = ops.open_vote(chair, m, m.items[0].id, "Thông qua kế hoạch")
        ops.cast_ballot(user("phochutich.kt"), m, vote.id, vote.options[0].id)
        ops.close_vote(chair, m, vote.id)
        ops.save_conclusion(secretary, m, m.items[0].id, "Giao Phòng Kinh tế rà soát số liệu trước 30/11.")
        ops.transition(chair, m, "end")
        db.session.commit()


def test_an_ended_meeting_shows_votes_conclusions_minutes_and_gives_tasks(app):
    import docx

    mid = meeting(app, status="live")
    end_with_conclusion(app, mid)
    secretary = as_user(app, "thuky")
    page = text_of(secretary.get(f"/meetings/{mid}"))
    assert "Đã kết thúc" in page
    assert "Giao Phòng Kinh tế rà soát số liệu trước 30/11." in page
    assert "Tán thành 1/" in page  # the tally over the voting members
    assert "Tải biên bản (.docx)" in page and "Chuyển biên bản vào luồng trình ký" in page

    minutes = secretary.get(f"/meetings/{mid}/minutes.docx")
    assert minutes.status_code == 200
    docx.Document(io.BytesIO(minutes.data))

    item = item_ids(app, mid)[0]
    refused = post(secretary, f"/meetings/{mid}/items/{item}/tasks",
                   {f"task{item}-assignee": f"u:{user_id('truongkt', app=app)}", f"task{item}-text": ""})
    assert refused.status_code == 422 and "Hãy ghi nội dung công việc." in text_of(refused)
    deadline = vn_today() + timedelta(days=7)
    given = post(secretary, f"/meetings/{mid}/items/{item}/tasks", {
        f"task{item}-assignee": f"u:{user_id('truongkt', app=app)}", f"task{item}-deadline": deadline.isoformat(),
        f"task{item}-text": "Rà soát số liệu kinh tế tháng 11"})
    assert given.status_code == 302, text_of(given)[:2000]
    from meetings.models import MeetingTask

    with database(app) as session:
        task = session.scalar(sa.select(MeetingTask))
    assert f'href="/incoming/{task.incoming_id}"' in text_of(secretary.get(f"/meetings/{mid}"))

    drafted = post(secretary, f"/meetings/{mid}/minutes")
    assert drafted.status_code == 302
    assert drafted.headers["Location"].endswith(f"/outgoing/{about(app, mid, lambda m: m.minutes_draft_id)}")


# --- calendar ----------------------------------------------------------------------------------

def test_week_view_shows_the_meeting_in_its_day_with_its_time(app):
    mid = meeting(app, status="invited")
    start = to_vn(about(app, mid, lambda m: m.starts_at))
    member = as_user(app, "phochutich.kt")
    html = text_of(member.get(f"/meetings/calendar?view=week&date={start.date().isoformat()}"))
    assert 'data-testid="calendar-week"' in html
    cell = html.split(f'data-day="{start.date().isoformat()}"')[1].split("</td>")[0]
    assert TITLE in cell and start.strftime("%H:%M") in cell
    assert f'href="/meetings/{mid}"' in cell


def test_organisers_see_every_meeting_unless_they_ask_for_only_theirs(app):
    from docmgmt.extensions import db
    from meetings import operations as ops

    mid = meeting(app, status="invited")
    day = vn_today() + timedelta(days=1)
    with database(app):  # a meeting of the other Phó Chủ tịch's, without this one
        vx = user("phochutich.vx")
        ops.create_meeting(vx, ops.MeetingInput(
            title="Họp Ban chỉ đạo phòng chống dịch", starts_at=datetime.combine(day, time(9, 0)),
            location="Phòng họp nhỏ", chair_id=vx.id, secretary_id=vx.id, members=[user("cv.vp").id]))
        db.session.commit()
    leader = as_user(app, "phochutich.kt")
    everything = text_of(leader.get(f"/meetings/calendar?view=month&date={day.isoformat()}"))
    assert "Họp Ban chỉ đạo phòng chống dịch" in everything and "Chỉ cuộc họp của tôi" in everything
    mine = text_of(leader.get(f"/meetings/calendar?view=month&date={day.isoformat()}&mine=1"))
    assert "Họp Ban chỉ đạo phòng chống dịch" not in mine
    if to_vn(about(app, mid, lambda m: m.starts_at)).month == day.month:  # the leader's own meeting stays
        assert TITLE in mine


def test_bad_calendar_parameters_are_refused_in_vietnamese(app):
    member = as_user(app, "chanhvp")
    for query in ("view=year", "date=2026-13-45", "date=hom-nay", "date=0001-01-01"):
        response = member.get(f"/meetings/calendar?{query}")
        assert response.status_code == 400, query
        assert "không hợp lệ" in text_of(response)


def test_the_calendar_moves_by_month_and_by_week(app):
    member = as_user(app, "chanhvp")
    html = text_of(member.get("/meetings/calendar?view=month&date=2026-01-15"))
    assert "Tháng 01/2026" in html
    assert "date=2025-12-01" in html and "date=2026-02-01" in html
    assert 'data-day="2025-12-29"' in html  # the grid starts on the Monday before the 1st
    week = text_of(member.get("/meetings/calendar?view=week&date=2026-01-15"))
    assert "Tuần 12/01 – 18/01/2026" in week
    assert "date=2026-01-05" in week and "date=2026-01-19" in week


# --- the menu and the language -----------------------------------------------------------------

def test_every_signed_in_user_has_meetings_in_the_menu(app):
    for username in ("cv.kt1", "quantri", "vanthu"):
        assert 'href="/meetings/"' in text_of(as_user(app, username).get("/"))


def test_meeting_pages_render_in_english(app):
    mid = meeting(app, status="invited")
    member = as_user(app, "phochutich.kt")
    member.post("/lang/en", data={"csrf_token": page_csrf(member), "next": "/"})
    for path in ("/meetings/", f"/meetings/{mid}", "/meetings/calendar", "/meetings/calendar?view=week"):
        response = member.get(path)
        assert response.status_code == 200, path
        assert '<html lang="en">' in text_of(response)
