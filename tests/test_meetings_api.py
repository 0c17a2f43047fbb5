"""The meetings in the JSON API (/api/v1/meetings): what a participant, the chair, the
secretary, an organiser who is not invited, a colleague who is not and someone of another
commune see, do and are refused — and that the API and the meeting page tell the same
story (an answer given through one shows on the other; ``actions`` are the page's buttons).
"""

from __future__ import annotations

import io
import re
import zipfile
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from docmgmt.core.timeutil import VN_TZ, to_vn, vn_today
from tests.commune import user
from tests.conftest import DEMO_PASSWORD, login, text_of
from tests.files_helpers import make_pdf
from tests.meetings_support import build_meeting

TITLE = "Họp giao ban UBND xã tháng 11"
API = "/api/v1/meetings"


@contextmanager
def database(app):
    """The database outside any request (a request made while an app context is pushed
    would share its session, which no client does)."""
    from docmgmt.extensions import db

    with app.test_request_context():
        yield db.session
        db.session.commit()


def meeting(app, status: str = "invited", **kwargs) -> int:
    with database(app):
        return build_meeting(status, **kwargs)


def act(app, meeting_id: int, do) -> None:
    """Do something to a meeting through the operations, as another door would."""
    from docmgmt.extensions import db
    from meetings.models import Meeting

    with database(app):
        do(db.session.get(Meeting, meeting_id))


def browser(app, username: str):
    client = app.test_client()
    assert login(client, username, "matkhau-lacson" if username.endswith(".lacson") else DEMO_PASSWORD)\
        .status_code == 302
    return client


def without_the_chair(app) -> int:
    """A meeting chaired by a vice-chairman, which the chairman — who organises every
    meeting of the commune — is not invited to."""
    from meetings import operations as ops

    with database(app):
        starts = datetime.now(VN_TZ).replace(second=0, microsecond=0, tzinfo=None) + timedelta(days=1)
        m = ops.create_meeting(user("phochutich.kt"), ops.MeetingInput(
            title="Họp Ban chỉ đạo chuyển đổi số", starts_at=starts, ends_at=starts + timedelta(hours=1),
            location="Phòng họp tầng 2", chair_id=user("phochutich.kt").id, secretary_id=user("chanhvp").id,
            members=[user("truongkt").id, user("cv.kt2").id]))
        first = ops.add_item(user("chanhvp"), m, "Tiến độ số hóa hồ sơ", presenter_id=user("truongkt").id)
        ops.attach_document(user("chanhvp"), first, upload=(make_pdf("Báo cáo tiến độ"), "bao-cao-tien-do.pdf"))
        ops.transition(user("chanhvp"), m, "invite")
        return m.id


def user_id_of(app, username: str) -> int:
    with app.app_context():
        return user(username).id


def put(api, path: str, body: dict):
    return api.client.put(path, headers=api.headers, json=body)


def refusal(response) -> tuple[int, str, str | None]:
    body = response.json["error"]
    assert body["message"], body
    return response.status_code, body["code"], body["field"]


# --- who sees a meeting --------------------------------------------------------------------------

def test_a_participant_sees_the_meeting_a_colleague_not_invited_and_another_commune_never(app, as_user):
    meeting_id = meeting(app, "invited")
    member = as_user("phochutich.kt")
    listed = member.get(f"{API}?mine=true")
    assert listed.status_code == 200
    assert [m["title"] for m in listed.json["items"]] == [TITLE]

    detail = member.get(f"{API}/{meeting_id}")
    assert detail.status_code == 200, detail.json
    shown = detail.json
    assert (shown["title"], shown["status"], shown["status_label"]) == (TITLE, "invited", "Đã mời")
    assert shown["location"] == "Phòng họp tầng 2, trụ sở UBND xã"
    assert (shown["chair"]["name"], shown["secretary"]["name"]) == ("Bùi Văn Khánh", "Lý Thị Ý")
    with database(app) as session:
        from meetings.models import Meeting

        starts = to_vn(session.get(Meeting, meeting_id).starts_at)
    assert shown["starts_at"] == starts.isoformat() and shown["starts_at"].endswith("+07:00")
    names = [p["name"] for p in shown["participants"]]
    assert names[0] == "Bùi Văn Khánh" and shown["participants"][0]["chair"] is True  # the chair first
    assert len(names) == 7 and all(p["rsvp"] == "pending" for p in shown["participants"])
    assert shown["me"]["user_id"] == member.id and shown["me"]["role"] == "member"
    assert shown["invitation_url"] == f"{API}/{meeting_id}/invitation" and shown["minutes_url"] is None

    nowhere = as_user("cv.kt1").get(f"{API}/999999").json
    for outsider in ("cv.kt1", "cv.lacson"):
        api = as_user(outsider)
        assert meeting_id not in [m["id"] for m in api.get(API).json["items"]]
        for path in ("", "/agenda", "/invitation", "/minutes"):
            response = api.get(f"{API}/{meeting_id}{path}")
            assert refusal(response) == (404, "not_found", None), (outsider, path)
            assert response.json == nowhere  # the same answer as for a meeting that does not exist
        for path, body in (("/rsvp", {"answer": "attend"}), ("/cancel", None), ("/start", None)):
            assert refusal(api.post(f"{API}/{meeting_id}{path}", json=body)) == (404, "not_found", None)
    assert as_user("cv.lacson").get(API).json["items"] == []


def test_an_organiser_not_invited_sees_the_meeting_but_neither_its_votes_nor_its_files_until_it_ends(
        app, as_user):
    meeting_id = without_the_chair(app)
    from docmgmt.extensions import db
    from meetings import operations as ops

    def live_with_a_vote(m):
        ops.transition(user("phochutich.kt"), m, "start")
        vote = ops.open_vote(user("phochutich.kt"), m, m.items[0].id, "Thông qua tiến độ số hóa?")
        db.session.flush()
        for voter in ("phochutich.kt", "truongkt"):
            ops.cast_ballot(user(voter), m, vote.id, vote.options[0].id)

    act(app, meeting_id, live_with_a_vote)
    chairman, member = as_user("chutich"), as_user("truongkt")
    assert chairman.get(f"{API}/{meeting_id}").json["me"] is None
    [item] = chairman.get(f"{API}/{meeting_id}/agenda").json["items"]
    assert item["votes"] is None
    [document] = item["documents"]
    assert refusal(chairman.get(document["url"]))[0] == 404  # the files are the participants'
    [vote] = member.get(f"{API}/{meeting_id}/agenda").json["items"][0]["votes"]
    assert [o["count"] for o in vote["options"]] == [2, 0, 0] and vote["status"] == "open"
    assert vote["result"] is None and vote["outcome"] is None

    act(app, meeting_id, lambda m: ops.transition(user("phochutich.kt"), m, "end"))
    [vote] = chairman.get(f"{API}/{meeting_id}/agenda").json["items"][0]["votes"]
    # three voting members (the chair and two members): two of three is more than half
    assert vote["status"] == "closed" and vote["outcome"] == "passed"
    assert vote["result"] == "Tán thành 2/3, Không tán thành 0/3, Không ý kiến 0/3 — Thông qua"
    assert vote["result"] in text_of(browser(app, "chutich").get(f"/meetings/{meeting_id}"))


# --- the list ------------------------------------------------------------------------------------

def test_the_list_filters_by_status_days_and_invitation_and_pages(app, as_user):
    from meetings import operations as ops

    later = meeting(app, "draft", title="Họp chuẩn bị Tết Nguyên đán")
    act(app, later, lambda m: ops.update_meeting(user("thuky"), m, ops.MeetingInput(
        title=m.title, starts_at=datetime.combine(vn_today() + timedelta(days=10), datetime.min.time())
        .replace(hour=8), location=m.location, chair_id=m.chair_id, secretary_id=m.secretary_id,
        members=[p.user_id for p in m.participants if p.role == "member"])))
    live = meeting(app, "live", title="Họp giao ban tuần")
    elsewhere = without_the_chair(app)  # tomorrow, the chairman not invited
    chairman = as_user("chutich")

    def ids(query: str) -> list[int]:
        response = chairman.get(f"{API}?{query}")
        assert response.status_code == 200, response.json
        return [m["id"] for m in response.json["items"]]

    assert ids("") == [later, elsewhere, live]  # latest start first
    assert ids("mine=true") == [later, live]
    assert ids("status=live") == [live]
    assert ids("status=invited") == [elsewhere]
    with database(app) as session:
        from meetings.models import Meeting

        day = {i: to_vn(session.get(Meeting, i).starts_at).date() for i in (later, elsewhere, live)}
    for first, last in ((day[live], day[live]), (day[elsewhere], day[elsewhere] + timedelta(days=1)),
                        (day[elsewhere], day[later] - timedelta(days=1)), (day[later], None)):
        expected = [i for i in (later, elsewhere, live) if first <= day[i] and (last is None or day[i] <= last)]
        assert ids(f"from={first}" + (f"&to={last}" if last else "")) == expected, (first, last)
    assert ids(f"to={day[later] - timedelta(days=1)}") == [elsewhere, live]
    page = chairman.get(f"{API}?per_page=2&page=2").json
    assert (page["page"], page["per_page"], page["has_more"], [m["id"] for m in page["items"]]) == (
        2, 2, False, [live])
    assert chairman.get(f"{API}?per_page=2").json["has_more"] is True

    today = vn_today()
    assert refusal(chairman.get(f"{API}?from={today}&to={today - timedelta(days=1)}")) == (
        422, "validation_error", "to")
    assert refusal(chairman.get(f"{API}?status=hoan")) == (422, "validation_error", "status")
    assert refusal(chairman.get(f"{API}?from=1999-12-31")) == (422, "validation_error", "from")
    assert refusal(chairman.get(f"{API}?per_page=1000")) == (422, "validation_error", "per_page")


# --- answering the invitation --------------------------------------------------------------------

def test_an_answer_given_through_the_api_shows_on_the_meeting_page(app, as_user):
    meeting_id = meeting(app, "invited")
    guest = as_user("cv.vp")
    absent = guest.post(f"{API}/{meeting_id}/rsvp", json={"answer": "absent"})
    assert refusal(absent) == (422, "required", "reason")
    wrong = guest.post(f"{API}/{meeting_id}/rsvp", json={"answer": "maybe"})
    assert refusal(wrong) == (422, "invalid_answer", "answer")
    answered = guest.post(f"{API}/{meeting_id}/rsvp", json={"answer": "absent", "reason": "Đi tập huấn ở huyện"})
    assert answered.status_code == 200, answered.json
    assert (answered.json["me"]["rsvp"], answered.json["me"]["rsvp_reason"]) == ("absent", "Đi tập huấn ở huyện")

    page = text_of(browser(app, "thuky").get(f"/meetings/{meeting_id}"))
    row = page[page.index(f'data-participant="{guest.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Vắng mặt" in row and "Đi tập huấn ở huyện" in row

    # a member sends a colleague who was not invited: the colleague may now see the meeting
    member = as_user("phochutich.kt")
    delegate = as_user("cv.kt1")
    assert refusal(delegate.get(f"{API}/{meeting_id}"))[0] == 404
    sent = member.post(f"{API}/{meeting_id}/rsvp", json={"answer": "delegate", "delegate_id": delegate.id})
    assert sent.status_code == 200, sent.json
    assert sent.json["me"]["delegate"]["id"] == delegate.id and sent.json["me"]["votes"] is False
    seen = delegate.get(f"{API}/{meeting_id}")
    assert seen.status_code == 200
    assert seen.json["me"]["delegate_for"]["name"] == "Quách Thị Hương" and seen.json["me"]["rsvp"] == "attend"
    assert "Dự thay cho Quách Thị Hương" in text_of(browser(app, "thuky").get(f"/meetings/{meeting_id}"))
    taken = member.post(f"{API}/{meeting_id}/rsvp", json={"answer": "delegate", "delegate_id": user_id_of(
        app, "chanhvp")})
    assert refusal(taken) == (422, "invalid_delegate", "delegate_id")  # already invited


def test_answering_is_for_the_invited_and_for_a_meeting_invited_or_live(app, as_user):
    draft = meeting(app, "draft")
    assert refusal(as_user("cv.vp").post(f"{API}/{draft}/rsvp", json={"answer": "attend"})) == (
        409, "wrong_status", None)
    uninvited = without_the_chair(app)
    assert refusal(as_user("chutich").post(f"{API}/{uninvited}/rsvp", json={"answer": "attend"})) == (
        403, "not_participant", None)


# --- actions: the page's buttons -----------------------------------------------------------------

BUTTON = re.compile(r'data-testid="do-([a-z_]+)"')
PEOPLE = ("chutich", "thuky", "phochutich.kt", "truongkt", "cv.vp", "cv.kt1", "vanthu", "quantri")


def test_actions_are_the_buttons_the_meeting_page_shows_in_every_state(app, as_user):
    from meetings import operations as ops
    from meetings.workflow import TRANSITIONS

    ids = {status: meeting(app, status) for status in ("draft", "invited", "live")}
    ids["ended"], ids["cancelled"] = meeting(app, "live"), meeting(app, "invited")
    act(app, ids["ended"], lambda m: ops.transition(user("chutich"), m, "end"))
    act(app, ids["cancelled"], lambda m: ops.transition(user("thuky"), m, "cancel"))
    pages = {name: browser(app, name) for name in PEOPLE}
    compared = 0
    for status, meeting_id in ids.items():
        for name in PEOPLE:
            page, api = pages[name].get(f"/meetings/{meeting_id}"), as_user(name).get(f"{API}/{meeting_id}")
            assert api.status_code == page.status_code, (status, name)
            if page.status_code == 404:
                continue
            html, actions = text_of(page), set(api.json["actions"])
            assert set(BUTTON.findall(html)) == actions & TRANSITIONS.keys(), (status, name, actions)
            assert ('data-testid="add-item"' in html) == ("edit" in actions), (status, name, actions)
            assert actions <= TRANSITIONS.keys() | {"edit"}
            compared += 1
    assert compared >= 5 * 4  # the chair, the secretary and two members in every state
    assert set(as_user("thuky").get(f"{API}/{ids['draft']}").json["actions"]) == {
        "invite", "start", "cancel", "record_on_paper", "edit"}


# --- the lifecycle -------------------------------------------------------------------------------

def _new_meeting(app, **fields) -> dict:
    starts = datetime.combine(vn_today() + timedelta(days=3), datetime.min.time()).replace(hour=14)
    body = {"title": "Họp triển khai chuyển đổi số cấp xã", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(), "location": "Hội trường UBND xã",
            "chair_id": user_id_of(app, "chutich"), "secretary_id": user_id_of(app, "thuky"),
            "members": [user_id_of(app, "phochutich.kt"), user_id_of(app, "chanhvp")],
            "guests": [user_id_of(app, "cv.vp")]}
    body.update(fields)
    return body


def test_the_secretary_schedules_edits_invites_and_cancels_through_the_api(app, as_user):
    secretary = as_user("thuky")
    assert refusal(as_user("cv.kt1").post(API, json=_new_meeting(app))) == (403, "forbidden", None)
    assert refusal(secretary.post(API, json=_new_meeting(app, title="  "))) == (422, "required", "title")
    late = _new_meeting(app)
    late["ends_at"] = late["starts_at"].replace("T14", "T13")
    assert refusal(secretary.post(API, json=late)) == (422, "invalid_time", "ends_at")
    assert refusal(secretary.post(API, json=_new_meeting(app, starts_at="0001-01-01T00:00:00+05:00")))[::2] == (
        422, "starts_at")
    assert refusal(secretary.post(API, json=_new_meeting(app, title="x" * 501)))[::2] == (422, "title")
    assert refusal(secretary.post(API, json=_new_meeting(app, chair_id=999999))) == (
        422, "invalid_person", "chair_id")

    created = secretary.post(API, json=_new_meeting(app))
    assert created.status_code == 201, created.json
    meeting_id = created.json["id"]
    assert created.json["status"] == "draft" and created.json["starts_at"].endswith("T14:00:00+07:00")
    assert set(created.json["actions"]) == {"invite", "start", "cancel", "record_on_paper", "edit"}
    assert "Họp triển khai chuyển đổi số cấp xã" in text_of(browser(app, "thuky").get(f"/meetings/{meeting_id}"))

    edited = put(secretary, f"{API}/{meeting_id}", _new_meeting(app, title="Họp triển khai Đề án 06",
                                                          location="Phòng họp tầng 2"))
    assert edited.status_code == 200, edited.json
    assert (edited.json["title"], edited.json["location"]) == ("Họp triển khai Đề án 06", "Phòng họp tầng 2")

    member = as_user("chanhvp")  # invited, organises nothing
    assert refusal(member.post(f"{API}/{meeting_id}/invite")) == (403, "forbidden", None)
    assert refusal(secretary.post(f"{API}/{meeting_id}/start")) == (409, "empty_agenda", None)
    invited = secretary.post(f"{API}/{meeting_id}/invite")
    assert invited.status_code == 200 and invited.json["status"] == "invited"
    assert refusal(secretary.post(f"{API}/{meeting_id}/invite")) == (409, "wrong_status", None)
    from docmgmt.notifications.models import Notification

    with database(app) as session:
        told = session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == member.id, Notification.kind == "meeting.invited"))
    assert told == 1

    cancelled = secretary.post(f"{API}/{meeting_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["actions"] == []
    assert refusal(put(secretary, f"{API}/{meeting_id}", _new_meeting(app))) == (409, "wrong_status", None)


def test_the_chair_starts_and_ends_and_the_minutes_follow(app, as_user):
    meeting_id = meeting(app, "invited")
    chair, member = as_user("chutich"), as_user("truongkt")
    assert refusal(member.post(f"{API}/{meeting_id}/start")) == (403, "forbidden", None)
    assert refusal(chair.get(f"{API}/{meeting_id}/minutes")) == (409, "not_ended", None)
    started = chair.post(f"{API}/{meeting_id}/start")
    assert started.status_code == 200 and started.json["status"] == "live"
    assert started.json["started_at"].endswith("+07:00")
    agenda = member.get(f"{API}/{meeting_id}/agenda").json
    assert agenda["current_item_id"] == agenda["items"][0]["id"] and agenda["items"][0]["current"] is True
    ended = chair.post(f"{API}/{meeting_id}/end")
    assert ended.status_code == 200 and ended.json["status"] == "ended"
    assert ended.json["minutes_url"] == f"{API}/{meeting_id}/minutes"
    minutes = member.get(ended.json["minutes_url"])
    assert minutes.status_code == 200
    assert "Biên bản" in minutes.headers["Content-Disposition"] or "Bi%C3%AAn" in minutes.headers[
        "Content-Disposition"]
    assert "Tình hình thực hiện nhiệm vụ kinh tế – xã hội tháng 11" in _docx_text(minutes.data)


def test_a_meeting_held_on_paper_is_recorded_with_what_happened(app, as_user):
    meeting_id = meeting(app, "invited")
    secretary = as_user("thuky")
    assert refusal(secretary.post(f"{API}/{meeting_id}/record-on-paper", json={})) == (422, "required", "note")
    assert refusal(secretary.post(f"{API}/{meeting_id}/record-on-paper", json={"note": "x" * 2001}))[::2] == (
        422, "note")
    done = secretary.post(f"{API}/{meeting_id}/record-on-paper",
                          json={"note": "Họp tại hội trường, đủ thành phần, thống nhất kế hoạch."})
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["held_on_paper"]) == ("ended", True)
    assert done.json["paper_note"] == "Họp tại hội trường, đủ thành phần, thống nhất kế hoạch."
    assert 'data-testid="held-on-paper"' in text_of(browser(app, "thuky").get(f"/meetings/{meeting_id}"))


# --- the agenda and the files --------------------------------------------------------------------

def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_the_agenda_lists_items_documents_and_the_votes_as_the_room_shows_them(app, as_user):
    from docmgmt.extensions import db
    from meetings import operations as ops

    meeting_id = meeting(app, "live")
    votes = {}

    def business(m):
        first = m.items[0]
        ops.attach_document(user("thuky"), first, upload=(make_pdf("Báo cáo tháng 11"), "bao-cao-thang-11.pdf"))
        ops.save_conclusion(user("thuky"), m, first.id, "Thống nhất báo cáo, giao Văn phòng hoàn thiện.")
        secret = ops.open_vote(user("chutich"), m, first.id, "Thông qua báo cáo?", secret=True)
        db.session.flush()
        ops.cast_ballot(user("phochutich.kt"), m, secret.id, secret.options[0].id)
        votes["secret"] = secret.id

    act(app, meeting_id, business)
    member = as_user("chanhvp")
    agenda = member.get(f"{API}/{meeting_id}/agenda")
    assert agenda.status_code == 200, agenda.json
    items = agenda.json["items"]
    assert [i["title"] for i in items] == [
        "Tình hình thực hiện nhiệm vụ kinh tế – xã hội tháng 11",
        "Kế hoạch chuyển đổi số, thay thế văn bản giấy trước 30/9",
        "Phương án phòng chống rét cho cây trồng vật nuôi vụ Đông"]
    assert [i["duration_minutes"] for i in items] == [10, 15, 20]
    assert items[0]["presenter"]["name"] == "Quách Thị Hương"  # phochutich.kt
    assert items[0]["conclusion"] == "Thống nhất báo cáo, giao Văn phòng hoàn thiện."
    [document] = items[0]["documents"]
    assert (document["title"], document["mime"]) == ("bao-cao-thang-11.pdf", "application/pdf")
    [vote] = items[0]["votes"]
    assert vote["id"] == votes["secret"] and vote["secret"] is True and vote["cast"] == 1
    assert [o["count"] for o in vote["options"]] == [None, None, None]  # a secret vote, still open

    from docmgmt.accesslog.models import AccessEvent

    downloaded = member.get(document["url"])
    assert downloaded.status_code == 200 and downloaded.data.startswith(b"%PDF")
    with database(app) as session:
        [event] = session.scalars(sa.select(AccessEvent).where(AccessEvent.file_id == document["file_id"]))
        assert (event.user_id, event.action, event.door) == (member.id, "download", "api")
    assert refusal(as_user("cv.kt1").get(document["url"]))[0] == 404


def test_the_invitation_is_the_pages_docx(app, as_user):
    meeting_id = meeting(app, "invited")
    api = as_user("cv.vp").get(f"{API}/{meeting_id}/invitation")
    assert api.status_code == 200
    assert api.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    page = browser(app, "cv.vp").get(f"/meetings/{meeting_id}/invitation.docx")
    assert api.headers["Content-Disposition"] == page.headers["Content-Disposition"]
    text = _docx_text(api.data)
    assert "Họp giao ban UBND xã tháng 11" in text and "Bùi Văn Khánh" in text
    assert _docx_text(page.data) == text


@pytest.mark.parametrize("path", ["/start", "/end", "/cancel", "/invite"])
def test_a_session_without_the_csrf_token_changes_nothing(app, path):
    meeting_id = meeting(app, "invited")
    client = browser(app, "thuky")
    response = client.post(f"{API}/{meeting_id}{path}")
    assert response.status_code == 400 and response.json["error"]["code"] == "csrf_failed"
    assert client.get(f"{API}/{meeting_id}").json["status"] == "invited"


def test_a_time_beyond_the_years_is_refused_naming_it_at_both_doors(app, as_user):
    """Year 1 in Vietnam time is before year 1 in UTC: refused as a typing slip, not a 500."""
    body = _new_meeting(app, starts_at="0001-01-01T08:00:00", ends_at=None)
    assert refusal(as_user("thuky").post(API, json=body)) == (422, "validation_error", "starts_at")
    page = browser(app, "thuky")
    from tests.test_meetings_pages import schedule_form

    response = page.post("/meetings/new", data=schedule_form(app, page, day="01/01/0001"))
    assert response.status_code == 422
    assert "Thời gian bắt đầu phải trong khoảng năm 2000 đến 2100." in text_of(response)
