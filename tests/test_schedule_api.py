"""The weekly work schedule in the JSON API (/api/v1/schedule): the office drafts next week,
the chairman publishes it, a colleague reads it; the answers' shapes, ``actions``, the
refusals in the standard error shape, and another commune that never sees a thing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from docmgmt.core.timeutil import vn_today
from docmgmt.schedule.queries import monday_of
from tests.commune import unit_id, user_id

MONDAY = monday_of(vn_today()) + timedelta(days=7)
WEEK = f"/api/v1/schedule/weeks/{MONDAY.isoformat()}"


def _row(app, title: str, weekday: int = 0, start: str = "08:00", end: str | None = "10:00", **more) -> dict:
    return {"day": (MONDAY + timedelta(days=weekday)).isoformat(), "start_time": start, "end_time": end,
            "title": title, **more}


def _error(response) -> tuple[int, str, str | None]:
    error = response.json["error"]
    return response.status_code, error["code"], error["field"]


def test_the_office_drafts_the_chairman_publishes_and_everyone_reads(app, as_user):
    clerk, chairman, staff = as_user("vanthu"), as_user("chutich"), as_user("cv.kt1")
    made = clerk.post(f"{WEEK}/entries", json=_row(
        app, "Làm việc với Đoàn kiểm tra của UBND tỉnh", 2, "08:00", "10:30",
        chair_id=user_id("chutich", app=app), unit_ids=[unit_id("VP", app=app)],
        preparing_unit_id=unit_id("VP", app=app), attendees="Đoàn kiểm tra của UBND tỉnh",
        notes="Văn phòng chuẩn bị báo cáo"))
    assert made.status_code == 201, made.json
    item = made.json
    assert item["key"] == f"e:{item['entry_id']}" and item["source"] == "manual"
    wednesday = (MONDAY + timedelta(days=2)).isoformat()
    assert (item["day"], item["start"], item["end"]) == (wednesday, "08:00", "10:30")
    assert item["chair_name"] == "Bùi Văn Khánh" and item["leader_ids"] == [user_id("chutich", app=app)]
    assert item["attendees"] == "Đoàn kiểm tra của UBND tỉnh; Văn phòng HĐND và UBND"
    assert item["preparing_unit"] == "Văn phòng HĐND và UBND" and item["changed"] is False

    draft = clerk.get(WEEK).json
    assert draft["is_draft"] and draft["status"] == "draft" and draft["latest_version"] == 0
    assert draft["actions"] == ["edit", "submit"]
    assert [i["title"] for i in draft["items"]] == ["Làm việc với Đoàn kiểm tra của UBND tỉnh"]
    assert [p["name"] for p in draft["leaders"]] == ["Bùi Văn Khánh", "Quách Thị Hương", "Đinh Công Sơn"]
    hidden = staff.get(WEEK).json
    assert (hidden["visible"], hidden["items"], hidden["actions"]) == (False, [], [])
    assert chairman.get(WEEK).json["actions"] == []  # leaders read the draft; nothing to approve yet

    assert clerk.post(f"{WEEK}/submit").json["actions"] == []
    assert chairman.get(WEEK).json["actions"] == ["publish", "return"]
    published = chairman.post(f"{WEEK}/publish")
    assert published.status_code == 200 and published.json["status"] == "published"
    assert published.json["version"] == 1 and not published.json["is_draft"]
    read = staff.get(WEEK).json
    assert read["visible"] and read["version"] == 1
    assert [i["title"] for i in read["items"]] == ["Làm việc với Đoàn kiểm tra của UBND tỉnh"]
    assert clerk.get(WEEK).json["actions"] == ["revise"]
    [version] = staff.get(f"{WEEK}/versions").json
    assert (version["number"], version["published_by"], version["added"]) == (1, "Bùi Văn Khánh", 0)
    assert [w["monday"] for w in staff.get("/api/v1/schedule/weeks").json] == [MONDAY.isoformat()]


def test_a_change_after_publishing_through_the_api(app, as_user):
    clerk, chairman, staff = as_user("vanthu"), as_user("chutich"), as_user("cv.kt1")
    entry = clerk.post(f"{WEEK}/entries", json=_row(app, "Tiếp công dân định kỳ", 1, "14:00", "17:00")).json
    clerk.post(f"{WEEK}/submit")
    chairman.post(f"{WEEK}/publish")
    path = f"/api/v1/schedule/entries/{entry['entry_id']}"
    assert _error(clerk.client.put(path, headers=clerk.headers, json=_row(app, "Sửa ngay", 1))) == (
        409, "invalid_state", None)
    assert clerk.post(f"{WEEK}/revise").json["is_draft"]
    moved = clerk.client.put(path, headers=clerk.headers, json=_row(app, "Tiếp công dân định kỳ", 3, "14:00", "17:00"))
    assert moved.status_code == 200 and moved.json["day"] == (MONDAY + timedelta(days=3)).isoformat()
    assert staff.get(WEEK).json["items"][0]["day"] == (MONDAY + timedelta(days=1)).isoformat()  # still version 1
    clerk.post(f"{WEEK}/submit")
    after = chairman.post(f"{WEEK}/publish").json
    assert after["version"] == 2 and after["items"][0]["changed"] is True
    assert [v["number"] for v in staff.get(f"{WEEK}/versions").json] == [2, 1]
    first = staff.get(f"{WEEK}?version=1").json
    assert first["version"] == 1 and first["items"][0]["day"] == (MONDAY + timedelta(days=1)).isoformat()
    assert _error(staff.get(f"{WEEK}?version=7")) == (404, "not_found", None)


def test_refusals_come_in_the_standard_shape(app, as_user):
    clerk, chairman, staff = as_user("vanthu"), as_user("chutich"), as_user("cv.kt1")
    assert _error(clerk.post(f"{WEEK}/entries", json=_row(app, "Ngược giờ", 0, "10:00", "09:00"))) == (
        422, "end_before_start", "end_time")
    assert _error(clerk.post(f"{WEEK}/entries", json=_row(app, ""))) == (422, "required", "title")
    assert _error(clerk.post(f"{WEEK}/entries", json=_row(app, "Giờ lạ", start="25:00"))) == (
        422, "validation_error", "start_time")
    assert _error(clerk.post(f"{WEEK}/entries", json=_row(app, "Ngày tuần khác", 7))) == (
        422, "day_outside_week", "day")
    assert _error(staff.post(f"{WEEK}/entries", json=_row(app, "Không phải Văn phòng"))) == (403, "forbidden", None)
    assert _error(chairman.post(f"{WEEK}/submit")) == (404, "not_found", None)  # nobody opened it yet
    entry = clerk.post(f"{WEEK}/entries", json=_row(app, "Giao ban")).json
    assert _error(chairman.post(f"{WEEK}/publish")) == (409, "invalid_state", None)
    assert _error(staff.client.delete(f"/api/v1/schedule/entries/{entry['entry_id']}", headers=staff.headers)) == (
        404, "not_found", None)  # a draft's row: not for staff to know
    clerk.post(f"{WEEK}/submit")
    assert _error(clerk.post(f"{WEEK}/publish")) == (403, "forbidden", None)
    assert _error(chairman.post(f"{WEEK}/return", json={"note": ""})) == (422, "required", "note")
    assert chairman.post(f"{WEEK}/return", json={"note": "Bổ sung lịch thứ Sáu"}).json["return_note"] == (
        "Bổ sung lịch thứ Sáu")
    assert _error(clerk.get("/api/v1/schedule/weeks/not-a-date")) == (404, "not_found", None)
    deleted = clerk.client.delete(f"/api/v1/schedule/entries/{entry['entry_id']}", headers=clerk.headers)
    assert deleted.status_code == 204 and clerk.get(WEEK).json["items"] == []


def test_another_commune_never_sees_the_week(app, as_user):
    clerk, chairman, foreign = as_user("vanthu"), as_user("chutich"), as_user("cv.lacson")
    entry = clerk.post(f"{WEEK}/entries", json=_row(app, "Họp Kim Bôi")).json
    clerk.post(f"{WEEK}/submit")
    chairman.post(f"{WEEK}/publish")
    theirs = foreign.get(WEEK).json
    assert (theirs["visible"], theirs["items"], theirs["latest_version"]) == (False, [], 0)
    assert foreign.get("/api/v1/schedule/weeks").json == []
    assert foreign.get(f"{WEEK}/versions").json == []
    assert _error(foreign.get(f"/api/v1/schedule/entries/{entry['entry_id']}")) == (404, "not_found", None)
    assert "Kim Bôi" not in foreign.get("/api/v1/schedule/rooms").get_data(as_text=True)


def test_a_meeting_of_the_week_is_a_row_with_its_clash(app, as_user):
    from docmgmt.extensions import db
    from meetings import operations as meeting_ops
    from tests.commune import user

    with app.app_context():
        m = meeting_ops.create_meeting(user("thuky"), meeting_ops.MeetingInput(
            title="Họp bàn kế hoạch chuyển đổi số", starts_at=datetime.combine(MONDAY, time(9, 0)),
            ends_at=datetime.combine(MONDAY, time(11, 0)), location="Phòng họp tầng 2",
            chair_id=user("chutich").id, secretary_id=user("thuky").id, members=[user("cv.kt1").id]))
        meeting_ops.transition(user("thuky"), m, "invite")
        db.session.commit()
        meeting_id = m.id
    secretary = as_user("thuky")
    made = secretary.post(f"{WEEK}/entries", json=_row(app, "Tiếp khách", 0, "10:00", "10:30",
                                                       chair_id=user_id("chutich", app=app)))
    week = secretary.get(WEEK).json
    meeting = next(i for i in week["items"] if i["source"] == "meeting")
    assert (meeting["key"], meeting["meeting_id"], meeting["start"]) == (f"m:{meeting_id}", meeting_id, "09:00")
    [clash] = week["clashes"]
    assert clash["kind"] == "person" and set(clash["keys"]) == {f"m:{meeting_id}", made.json["key"]}
    assert clash["subject_name"] == "Bùi Văn Khánh" and "trùng giờ" in clash["message"]


def test_the_room_catalogue(app, as_user):
    admin, clerk = as_user("quantri"), as_user("vanthu")
    names = [r["name"] for r in clerk.get("/api/v1/schedule/rooms").json]
    assert "Phòng họp tầng 2" in names and "Hội trường UBND xã" in names
    made = admin.post("/api/v1/schedule/rooms", json={"name": "Phòng tiếp khách", "place": "Tầng 1", "capacity": 12})
    assert made.status_code == 201 and made.json["capacity"] == 12 and made.json["active"] is True
    assert _error(clerk.post("/api/v1/schedule/rooms", json={"name": "Phòng khác"})) == (403, "forbidden", None)
    assert _error(admin.post("/api/v1/schedule/rooms", json={"name": "Phòng tiếp khách"})) == (
        409, "duplicate_room", "name")
    off = admin.client.put(f"/api/v1/schedule/rooms/{made.json['id']}", headers=admin.headers,
                           json={"name": "Phòng tiếp khách", "active": False})
    assert off.status_code == 200 and off.json["active"] is False
    assert "Phòng tiếp khách" not in [r["name"] for r in clerk.get("/api/v1/schedule/rooms").json]


def test_the_schedule_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/schedule/weeks", "/api/v1/schedule/weeks/{monday}", "/api/v1/schedule/weeks/{monday}/entries",
            "/api/v1/schedule/entries/{entry_id}", "/api/v1/schedule/weeks/{monday}/publish",
            "/api/v1/schedule/weeks/{monday}/versions", "/api/v1/schedule/rooms"} <= set(paths)
    assert {"get", "put", "delete"} <= set(paths["/api/v1/schedule/entries/{entry_id}"])
