"""The weekly work schedule's pages: the office drafts, the chairman publishes, everyone
else reads only what is published; changes after publishing marked "Điều chỉnh" with each
version kept; clashes warned; my week and a room's week; the print layout, the DOCX and PDF
read back; the iCalendar feed parsed back; the hall's screen through its link; the home
panel."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from docmgmt.core.timeutil import VN_TZ, vn_today
from tests.commune import unit_id, user_id
from tests.conftest import login, page_csrf, text_of

MONDAY = vn_today() - timedelta(days=vn_today().weekday())
NEXT = MONDAY + timedelta(days=7)
WEEK = f"/schedule/week/{NEXT.isoformat()}"


def ddmm(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def as_person(client, username: str):
    response = login(client, username, "matkhau-lacson") if username.endswith(".lacson") else login(client, username)
    assert response.status_code == 302, username
    return client


def add_entry(client, monday: date, *, day: date, title: str, start: str = "08:00", end: str = "",
              **fields) -> None:
    """The office adds a row through the form (as the page sends it)."""
    form_url = f"/schedule/week/{monday.isoformat()}/entries/new"
    token = page_csrf(client, form_url)
    data = {"csrf_token": token, "day": ddmm(day), "start_time": start, "end_time": end, "title": title,
            "place": fields.pop("place", "Hội trường UBND xã"), **fields}
    response = client.post(form_url, data=data)
    assert response.status_code == 302, refusals(response)


def refusals(response) -> list[str]:
    """What a refused form says (under its fields and on top)."""
    return re.findall(r'class="(?:invalid-feedback|alert alert-danger[^"]*)"[^>]*>\s*([^<]+)', text_of(response))


def act(client, monday: date, action: str, **extra) -> object:
    token = page_csrf(client, f"/schedule/week/{monday.isoformat()}")
    return client.post(f"/schedule/week/{monday.isoformat()}/{action}", data={"csrf_token": token, **extra})


def published_week(app, client, *, monday: date = NEXT, entries: list[dict]) -> None:
    """The clerk drafts ``entries`` and submits; the chairman publishes; signed out after."""
    as_person(client, "vanthu")
    for entry in entries:
        add_entry(client, monday, **entry)
    assert act(client, monday, "submit").status_code == 302
    as_person(client, "chutich")
    assert act(client, monday, "publish").status_code == 302


# --- the lifecycle through the pages ------------------------------------------------------------

def test_office_drafts_chairman_publishes_staff_reads_only_the_published_week(app, client):
    chair = user_id("phochutich.kt", app=app)
    as_person(client, "vanthu")
    page = text_of(client.get(WEEK))
    assert "Thêm mục" in page and "Đang soạn" not in page  # nothing opened yet
    add_entry(client, NEXT, day=NEXT + timedelta(days=1), title="Kiểm tra tiến độ xây dựng nông thôn mới",
              chair_id=str(chair), start="14:00", end="16:30")
    page = text_of(client.get(WEEK + "?layout=list"))
    assert "Kiểm tra tiến độ xây dựng nông thôn mới" in page
    assert "14:00–16:30" in page and "Quách Thị Hương" in page and "Đang soạn" in page
    # The heading of Decree 30: the organisation, the motto, the title with its dates.
    assert "ỦY BAN NHÂN DÂN" in page and "XÃ KIM BÔI" in page and "Độc lập - Tự do - Hạnh phúc" in page
    assert f"(Từ ngày {ddmm(NEXT)} đến ngày {ddmm(NEXT + timedelta(days=6))})" in page
    assert f"LỊCH CÔNG TÁC TUẦN {NEXT.isocalendar().week}" in page

    # A staff member sees nothing of a draft.
    as_person(client, "cv.kt1")
    page = text_of(client.get(WEEK))
    assert "chưa được ban hành" in page and "nông thôn mới" not in page
    assert client.get(WEEK + "/entries/new").status_code == 403

    # The chairman reads the draft but is offered no "publish" before it is submitted.
    as_person(client, "chutich")
    page = text_of(client.get(WEEK))
    assert "nông thôn mới" in page and 'data-testid="action-publish"' not in page
    assert act(client, NEXT, "publish").status_code == 409

    as_person(client, "vanthu")
    assert act(client, NEXT, "submit").status_code == 302
    page = text_of(client.get(WEEK))
    assert "Chờ duyệt" in page and 'data-testid="add-entry"' not in page

    as_person(client, "chutich")
    page = text_of(client.get(WEEK))
    assert 'data-testid="action-publish"' in page and 'data-testid="action-return"' in page
    assert act(client, NEXT, "publish").status_code == 302
    page = text_of(client.get(WEEK))
    assert "Đã ban hành" in page and "Phiên bản 1" in page

    as_person(client, "cv.kt1")
    page = text_of(client.get(WEEK + "?layout=list"))
    assert "Kiểm tra tiến độ xây dựng nông thôn mới" in page and "Phiên bản 1" in page
    assert 'data-testid="action-' not in page and 'data-testid="add-entry"' not in page


def test_the_chairman_returns_a_week_with_the_reason_shown_to_the_office(app, client):
    as_person(client, "thuky")
    add_entry(client, NEXT, day=NEXT, title="Giao ban đầu tuần")
    act(client, NEXT, "submit")
    as_person(client, "chutich")
    # No reason: refused, the week stays before the leaders.
    act(client, NEXT, "return", **{"return-note": ""})
    assert "Chờ duyệt" in text_of(client.get(WEEK))
    response = act(client, NEXT, "return", **{"return-note": "Bổ sung thành phần dự giao ban"})
    assert response.status_code == 302
    as_person(client, "thuky")
    page = text_of(client.get(WEEK))
    assert "Đang soạn" in page and "Bổ sung thành phần dự giao ban" in page and 'data-testid="add-entry"' in page


def test_who_may_change_an_entry(app, client):
    from docmgmt.extensions import db
    from docmgmt.schedule.models import ScheduleEntry

    as_person(client, "vanthu")
    add_entry(client, NEXT, day=NEXT, title="Tiếp công dân định kỳ")
    with app.app_context():
        entry_id = db.session.scalar(db.select(ScheduleEntry.id).where(ScheduleEntry.title == "Tiếp công dân định kỳ"))
    edit = f"/schedule/entries/{entry_id}/edit"
    assert client.get(edit).status_code == 200
    as_person(client, "chutich")
    assert client.get(edit).status_code == 403  # reads the draft, does not type it
    as_person(client, "cv.kt1")
    assert client.get(edit).status_code == 404  # a draft nobody published: not for staff
    as_person(client, "cv.lacson")
    assert client.get(edit).status_code == 404
    # Once submitted, the office changes nothing until the week is sent back or reopened.
    as_person(client, "vanthu")
    act(client, NEXT, "submit")
    assert client.get(edit).status_code == 409


def test_a_change_after_publishing_is_marked_and_every_version_kept(app, client):
    from docmgmt.extensions import db
    from docmgmt.schedule.models import ScheduleEntry

    published_week(app, client, entries=[
        dict(day=NEXT, title="Họp giao ban UBND xã", start="07:30", end="09:00"),
        dict(day=NEXT + timedelta(days=2), title="Làm việc với HTX nông nghiệp Kim Bôi")])
    with app.app_context():
        entry_id = db.session.scalar(db.select(ScheduleEntry.id).where(ScheduleEntry.title.like("Làm việc%")))
    as_person(client, "vanthu")
    assert act(client, NEXT, "revise").status_code == 302
    edit = f"/schedule/entries/{entry_id}/edit"
    token = page_csrf(client, edit)
    response = client.post(edit, data={"csrf_token": token, "day": ddmm(NEXT + timedelta(days=3)),
                                       "start_time": "14:00", "title": "Làm việc với HTX nông nghiệp Kim Bôi",
                                       "place": "Trụ sở HTX"})
    assert response.status_code == 302, text_of(response)[:2000]
    # Staff still read version 1 while the change is prepared.
    as_person(client, "cv.kt1")
    page = text_of(client.get(WEEK + "?layout=list"))
    assert "Trụ sở HTX" not in page and "Phiên bản 1" in page
    as_person(client, "vanthu")
    act(client, NEXT, "submit")
    as_person(client, "chutich")
    act(client, NEXT, "publish")

    as_person(client, "cv.kt1")
    page = text_of(client.get(WEEK + "?layout=list"))
    row = re.search(rf'<tr[^>]*data-item="e:{entry_id}".*?</tr>', page, re.S)
    assert row and "Điều chỉnh" in row[0] and "Trụ sở HTX" in row[0]
    giao_ban = re.search(r'<tr[^>]*data-item="e:\d+"[^>]*>(?:(?!</tr>).)*Họp giao ban UBND xã.*?</tr>', page, re.S)
    assert giao_ban and "Điều chỉnh" not in giao_ban[0]
    versions = text_of(client.get(WEEK + "/versions"))
    assert versions.count('data-version="') == 2 and "Thêm 0, sửa 1, bỏ 0" in versions
    old = text_of(client.get(WEEK + "?version=1&layout=list"))
    assert "Hội trường UBND xã" in old and "Trụ sở HTX" not in old and "không phải bản mới nhất" in old
    assert client.get(WEEK + "?version=7").status_code == 404


def test_a_person_booked_twice_is_warned(app, client):
    leader = str(user_id("chutich", app=app))
    as_person(client, "vanthu")
    add_entry(client, NEXT, day=NEXT, title="Dự hội nghị tại huyện", start="08:00", end="11:00",
              chair_id=leader)
    add_entry(client, NEXT, day=NEXT, title="Tiếp đoàn kiểm tra của tỉnh", start="10:00", end="11:30",
              participants=[f"u:{leader}"])
    add_entry(client, NEXT, day=NEXT + timedelta(days=1), title="Làm việc tại trụ sở", start="08:00", end="11:00",
              chair_id=leader)
    page = text_of(client.get(WEEK + "?layout=list"))
    warning = re.search(r'data-testid="clashes".*?</ul>', page, re.S)
    assert warning and "Bùi Văn Khánh" in warning[0]
    assert len(re.findall(r"<li>", warning[0])) == 1  # one clash: the two Monday rows
    flagged = {re.search(r'data-item="([^"]+)"', row)[1] for row in re.findall(r"<tr[^>]*data-item.*?</tr>", page, re.S)
               if "Trùng lịch" in row}
    titles = dict(re.findall(r'data-item="([^"]+)".*?class="sched-title">([^<]+)<', page, re.S))
    assert sorted(titles[k] for k in flagged) == ["Dự hội nghị tại huyện", "Tiếp đoàn kiểm tra của tỉnh"]


def test_the_form_refuses_a_day_outside_the_week_next_to_the_field(app, client):
    as_person(client, "vanthu")
    form_url = WEEK + "/entries/new"
    token = page_csrf(client, form_url)
    response = client.post(form_url, data={"csrf_token": token, "day": ddmm(NEXT + timedelta(days=9)),
                                           "start_time": "08:00", "title": "Ngoài tuần"})
    assert response.status_code == 422
    page = text_of(response)
    assert "Ngày phải trong tuần" in page and "is-invalid" in page
    response = client.post(form_url, data={"csrf_token": token, "day": ddmm(NEXT), "start_time": "10:00",
                                           "end_time": "09:00", "title": "Giờ ngược"})
    assert response.status_code == 422 and "Giờ kết thúc phải sau giờ bắt đầu." in text_of(response)


# --- my week, a room's week --------------------------------------------------------------------

def test_my_week_lists_what_i_chair_or_attend(app, client):
    me = user_id("cv.kt1", app=app)
    published_week(app, client, entries=[
        dict(day=NEXT, title="Kiểm tra đồng ruộng vụ đông", participants=[f"u:{me}"]),
        dict(day=NEXT + timedelta(days=1), title="Họp chi bộ Văn phòng",
             participants=[f"unit:{unit_id('VP', app=app)}"]),
        dict(day=NEXT + timedelta(days=2), title="Rà soát hộ nghèo", preparing_unit_id=str(unit_id("KT", app=app)))])
    as_person(client, "cv.kt1")
    page = text_of(client.get(f"/schedule/mine?week={NEXT.isoformat()}"))
    assert "Kiểm tra đồng ruộng vụ đông" in page and "Rà soát hộ nghèo" in page  # my unit prepares it
    assert "Họp chi bộ Văn phòng" not in page


def test_a_rooms_week(app, client):
    as_person(client, "quantri")
    url = "/schedule/rooms/catalogue"
    token = page_csrf(client, url)
    response = client.post(url, data={"csrf_token": token, "room-name": "Phòng khách tầng 3", "room-capacity": "30",
                                      "room-active": "y"})
    assert response.status_code == 302, text_of(response)[:2000]
    from docmgmt.extensions import db
    from docmgmt.schedule.models import Room

    with app.app_context():
        room_id = db.session.scalar(db.select(Room.id).where(Room.name == "Phòng khách tầng 3"))
    published_week(app, client, entries=[
        dict(day=NEXT + timedelta(days=3), title="Hội nghị triển khai chuyển đổi số", room_id=str(room_id), place=""),
        dict(day=NEXT + timedelta(days=3), title="Sinh hoạt chi đoàn", place="Nhà văn hóa thôn Bo")])
    as_person(client, "cv.kt1")
    page = text_of(client.get(f"/schedule/rooms?room={room_id}&week={NEXT.isoformat()}"))
    assert "Hội nghị triển khai chuyển đổi số" in page and "Sinh hoạt chi đoàn" not in page
    assert client.get(f"/schedule/rooms?room=999999&week={NEXT.isoformat()}").status_code == 404
    assert client.get(url).status_code == 403


# --- print, DOCX, PDF --------------------------------------------------------------------------

ENTRIES = [
    dict(day=NEXT, title="Họp giao ban UBND xã đầu tuần", start="07:30", end="09:00"),
    dict(day=NEXT + timedelta(days=1), title="Tiếp công dân định kỳ", start="08:00", end="11:00"),
    dict(day=NEXT + timedelta(days=4), title="Kiểm tra công tác phòng chống thiên tai", start="14:00"),
]


def test_the_print_layout_is_one_a4_landscape_page(app, client):
    published_week(app, client, entries=ENTRIES)
    as_person(client, "cv.kt1")
    page = text_of(client.get(WEEK + "/print"))
    assert "Tiếp công dân định kỳ" in page and "Độc lập - Tự do - Hạnh phúc" in page
    assert "data-print" in page  # the print button
    css = text_of(client.get("/static/schedule.css"))
    assert re.search(r"@page\s*{\s*size:\s*A4 landscape", css)


def test_the_docx_reads_back_with_title_dates_and_entries(app, client):
    from docx import Document
    from docx.enum.section import WD_ORIENT

    published_week(app, client, entries=ENTRIES)
    as_person(client, "cv.kt1")
    response = client.get(WEEK + "/export.docx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "Lich-cong-tac-tuan" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"LỊCH CÔNG TÁC TUẦN {NEXT.isocalendar().week}" in text
    assert f"(Từ ngày {ddmm(NEXT)} đến ngày {ddmm(NEXT + timedelta(days=6))})" in text
    heading, table = document.tables[0], document.tables[1]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading.cell(0, 1).text
    assert [c.text for c in table.rows[0].cells][:3] == ["Thứ, ngày", "Thời gian", "Nội dung công việc"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    tuesday = next(r for r in rows if "Tiếp công dân định kỳ" in r[2])
    assert tuesday[0].startswith("Thứ Ba") and (NEXT + timedelta(days=1)).strftime("%d/%m") in tuesday[0]
    assert tuesday[1] == "08:00 – 11:00"
    assert sum(1 for r in rows if r[0].startswith("Chủ nhật")) >= 1  # every day of the week is there


def test_the_pdf_reads_back_on_one_landscape_page(app, client):
    from pypdf import PdfReader

    published_week(app, client, entries=ENTRIES)
    as_person(client, "cv.kt1")
    response = client.get(WEEK + "/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = reader.pages[0].extract_text()
    assert f"LỊCH CÔNG TÁC TUẦN {NEXT.isocalendar().week}" in text
    assert f"Từ ngày {ddmm(NEXT)} đến ngày {ddmm(NEXT + timedelta(days=6))}" in text
    assert "Kiểm tra công tác phòng chống thiên tai" in text and "14:00" in text
    assert "Đã duyệt ban hành" in text and "Bùi Văn Khánh" in text


def test_a_busy_week_still_fits_one_page_in_pdf_and_docx(app, client):
    """Four rows every working day, each two lines long: one page (the PDF measured, the
    DOCX laid out by LibreOffice as Word would)."""
    from pypdf import PdfReader

    from docmgmt.outgoing import render

    as_person(client, "vanthu")
    for n in range(20):
        add_entry(client, NEXT, day=NEXT + timedelta(days=n // 4), title=f"Công việc số {n + 1}: làm việc với các thôn",
                  start=f"{7 + n % 4 * 2:02d}:30", end=f"{8 + n % 4 * 2:02d}:30",
                  attendees="Lãnh đạo UBND xã, các ban ngành, đoàn thể, trưởng thôn")
    response = client.get(WEEK + "/export.pdf")  # the office prints the draft: "DỰ THẢO"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Công việc số 20" in text and "DỰ THẢO" in text
    if not render.libreoffice_available():
        pytest.skip("LibreOffice is not installed: the DOCX's pages cannot be counted")
    with app.app_context():
        laid_out = render.docx_to_pdf(client.get(WEEK + "/export.docx").data)
    reader = PdfReader(io.BytesIO(laid_out))
    assert len(reader.pages) == 1 and "Công việc số 20" in reader.pages[0].extract_text()


def test_an_unpublished_week_cannot_be_exported_by_staff(app, client):
    as_person(client, "vanthu")
    add_entry(client, NEXT, day=NEXT, title="Bản nháp")
    as_person(client, "cv.kt1")
    assert client.get(WEEK + "/export.pdf").status_code == 404
    assert client.get(WEEK + "/export.docx").status_code == 404
    assert client.get(WEEK + "/print").status_code == 404


# --- the iCalendar feed --------------------------------------------------------------------------

def make_link(client, kind: str, name: str) -> str:
    token = page_csrf(client, "/schedule/links")
    response = client.post("/schedule/links", data={"csrf_token": token, "link-kind": kind, "link-name": name})
    assert response.status_code == 200, text_of(response)[:2000]
    match = re.search(r'data-testid="new-link-url">([^<]+)<', text_of(response))
    assert match, "no link shown"
    return match[1].replace("http://localhost", "")


def events_of(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_lists_my_published_entries_in_vietnam_time(app, client):
    me = user_id("truongkt", app=app)
    published_week(app, client, entries=[
        dict(day=NEXT + timedelta(days=2), title="Nghiệm thu công trình đường thôn", start="08:00", end="11:00",
             chair_id=str(me)),
        dict(day=NEXT + timedelta(days=2), title="Việc của người khác", start="14:00")])
    as_person(client, "vanthu")  # reopened and a row added but not yet published: not on the phone
    act(client, NEXT, "revise")
    add_entry(client, NEXT, day=NEXT + timedelta(days=3), title="Chưa ban hành", chair_id=str(me))

    as_person(client, "truongkt")
    url = make_link(client, "feed", "Điện thoại")
    assert url.startswith("/schedule/feed/xscal_") and url.endswith(".ics")
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    response = client.get(url)  # no session: the token is the key
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    assert any(c.name == "VTIMEZONE" and str(c["tzid"]) == "Asia/Ho_Chi_Minh" for c in calendar.subcomponents)
    events = events_of(response)
    assert "Việc của người khác" not in events and "Chưa ban hành" not in events
    event = events["Nghiệm thu công trình đường thôn"]
    start = event.decoded("dtstart")
    assert start == datetime.combine(NEXT + timedelta(days=2), time(8, 0), VN_TZ)
    assert start.utcoffset() == timedelta(hours=7)
    assert event.decoded("dtend").hour == 11
    assert str(event["location"]) == "Hội trường UBND xã"
    assert int(event["sequence"]) == 0
    uid = str(event["uid"])

    # Published again with the row moved: the same UID, a higher SEQUENCE.
    from docmgmt.extensions import db
    from docmgmt.schedule.models import ScheduleEntry

    with app.app_context():
        entry_id = db.session.scalar(db.select(ScheduleEntry.id).where(ScheduleEntry.title.like("Nghiệm thu%")))
    as_person(client, "vanthu")
    edit = f"/schedule/entries/{entry_id}/edit"
    client.post(edit, data={"csrf_token": page_csrf(client, edit), "day": ddmm(NEXT + timedelta(days=2)),
                            "start_time": "09:00", "end_time": "11:00", "title": "Nghiệm thu công trình đường thôn",
                            "chair_id": str(me), "place": "Thôn Bo"})
    act(client, NEXT, "submit")
    as_person(client, "chutich")
    act(client, NEXT, "publish")
    events = events_of(client.get(url))
    moved = events["Nghiệm thu công trình đường thôn"]
    assert str(moved["uid"]) == uid and int(moved["sequence"]) == 1
    assert moved.decoded("dtstart").hour == 9 and str(moved["location"]) == "Thôn Bo"
    assert "Chưa ban hành" in events  # published now
    assert int(events_of(client.get(url))["Nghiệm thu công trình đường thôn"]["sequence"]) == 1  # unchanged


def test_a_bad_or_revoked_feed_token_is_not_found(app, client):
    assert client.get("/schedule/feed/xscal_khongcomaynay.ics").status_code == 404
    assert client.get("/schedule/feed/abc.ics").status_code == 404
    as_person(client, "cv.kt1")
    url = make_link(client, "feed", "Máy tính bảng")
    assert client.get(url).status_code == 200
    page = text_of(client.get("/schedule/links"))
    link_id = re.search(r'data-link="(\d+)"', page)[1]
    client.post(f"/schedule/links/{link_id}/revoke", data={"csrf_token": page_csrf(client, "/schedule/links")})
    assert client.get(url).status_code == 404
    # Someone else's link is not theirs to revoke.
    as_person(client, "cv.kt2")
    response = client.post(f"/schedule/links/{link_id}/revoke",
                           data={"csrf_token": page_csrf(client, "/schedule/links")})
    assert response.status_code == 403


# --- the hall's screen --------------------------------------------------------------------------

def test_the_screen_link_shows_the_published_week_without_signing_in(app, client):
    today = vn_today()
    published_week(app, client, monday=MONDAY, entries=[
        dict(day=today, title="Đón đoàn công tác của tỉnh", start="09:00", end="10:00")])
    as_person(client, "vanthu")  # reopened with a draft row: never on the TV
    act(client, MONDAY, "revise")
    add_entry(client, MONDAY, day=today, title="Dòng chưa duyệt", start="15:00")
    as_person(client, "cv.kt1")
    assert client.get("/schedule/links").status_code == 200
    assert 'data-testid="new-screen"' not in text_of(client.get("/schedule/links"))  # staff make no screens
    as_person(client, "vanthu")
    url = make_link(client, "screen", "TV hội trường")
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    page = text_of(client.get(url))
    assert "Đón đoàn công tác của tỉnh" in page and "Dòng chưa duyệt" not in page
    assert 'data-testid="screen-today"' in page and f'data-content-url="{url}/content"' in page
    fragment = client.get(url + "/content")
    assert fragment.status_code == 200 and "<html" not in text_of(fragment)
    assert "Đón đoàn công tác của tỉnh" in text_of(fragment)
    assert client.get("/schedule/screen/xstv_khong-co").status_code == 404


def test_the_home_page_shows_my_entries_of_today(app, client):
    today = vn_today()
    me = user_id("cv.kt2", app=app)
    published_week(app, client, monday=MONDAY, entries=[
        dict(day=today, title="Khảo sát mô hình trồng cam", start="13:30", participants=[f"u:{me}"])])
    as_person(client, "cv.kt2")
    page = text_of(client.get("/"))
    assert "Lịch công tác hôm nay và ngày mai" in page and "Khảo sát mô hình trồng cam" in page
    assert "Hôm nay 13:30" in page


@pytest.mark.parametrize("path", ["/schedule/week/2026-13-01", "/schedule/week/1999-01-04", "/schedule/week/x"])
def test_a_week_that_is_no_date_is_not_found(client, path):
    as_person(client, "cv.kt1")
    assert client.get(path).status_code == 404


def test_any_day_names_its_week(client):
    as_person(client, "cv.kt1")
    response = client.get(f"/schedule/week/{(NEXT + timedelta(days=3)).isoformat()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(WEEK)
