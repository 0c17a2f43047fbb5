"""Electronic records through the JSON API (/api/v1/records), as the commune would use it:
the clerk drafts the year's Danh mục hồ sơ (headings, dossiers, numbering, copied from
last year), the chairman approves it, each person opens their dossiers and files the
documents they handle (one document in two people's dossiers, ordinals in time order),
closes them, the chairman reopens one with a reason, the clerk takes them into the
archive and lends one out and back — and who sees what: a staff member only their own
dossiers, the head of a unit a member's dossier but not a document given to that member
by name, another commune nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from tests.commune import unit_id, user, user_id

API = "/api/v1/records"
# Years of their own: the demo commune's plans (if any) are of this year and last.
PLAN_YEAR, NEXT_YEAR = 2041, 2042


def _error(response) -> tuple[int, str, str | None]:
    assert response.is_json, response.get_data(as_text=True)[:300]
    error = response.json["error"]
    return response.status_code, error["code"], error["field"]


def _put(api, path, **kw):
    return api.client.put(path, headers=api.headers, **kw)


def _delete(api, path, **kw):
    return api.client.delete(path, headers=api.headers, **kw)


def _incoming(app, subject: str, number: str, issued: date, *, unit: str | None = None,
              person: str | None = None) -> int:
    """A document registered by the clerk and directed by the chairman to a unit as a
    whole, or to one person by name."""
    from docmgmt.incoming import operations as inc

    with app.app_context():
        doc = inc.register_incoming(user("vanthu"), inc.IncomingInput(
            sender_name="Sở Nội vụ tỉnh Phú Thọ", number_symbol=number, issue_date=issued, subject=subject,
            arrival_date=issued + timedelta(days=2), page_count=2))
        main = inc.Assignee(unit_id=unit_id(unit)) if unit else inc.Assignee(user_id=user_id(person))
        inc.direct(user("chutich"), doc, inc.Direction_(main=main))
        db.session.commit()
        return doc.id


def _plan(clerk, year: int, **more) -> dict:
    made = clerk.post(f"{API}/plans", json={"year": year, "copy_previous": False, **more})
    assert made.status_code == 201, made.get_data(as_text=True)[:500]
    return made.json


def _heading(clerk, year: int, title: str, code: str = "", parent_id: int | None = None) -> dict:
    made = clerk.post(f"{API}/plans/{year}/headings", json={"title": title, "code": code, "parent_id": parent_id})
    assert made.status_code == 201, made.get_data(as_text=True)[:500]
    return made.json


def _planned(clerk, year: int, heading_id: int, title: str, responsible: str, app, **more) -> dict:
    made = clerk.post(f"{API}/plans/{year}/dossiers", json={
        "heading_id": heading_id, "title": title, "responsible_id": user_id(responsible, app=app),
        "retention_years": 10, **more})
    assert made.status_code == 201, made.get_data(as_text=True)[:500]
    return made.json


def _approve(chairman, year: int) -> dict:
    done = chairman.post(f"{API}/plans/{year}/approve",
                         json={"decision_number": "15/QĐ-UBND", "decision_date": f"{year - 1}-12-20"})
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    return done.json


def _notations(plan: dict) -> list[str]:
    return [d["notation"] for d in plan["dossiers"]]


@pytest.fixture
def people(as_user):
    return {name: as_user(name) for name in ("vanthu", "chutich", "truongkt", "cv.kt1", "cv.kt2")}


def _world(app, people, year: int = PLAN_YEAR) -> dict[str, int]:
    """An approved plan: Văn phòng (VP) with two dossiers of cv.kt1, Kinh tế (KT) with one
    of cv.kt2 and one (kept 2 years) of cv.kt1. Returns the dossiers' ids by notation."""
    clerk = people["vanthu"]
    _plan(clerk, year)
    vp = _heading(clerk, year, "Văn phòng HĐND và UBND", "VP")
    kt = _heading(clerk, year, "Kinh tế", "KT")
    _planned(clerk, year, vp["id"], "Hồ sơ chuyển đổi số năm " + str(year), "cv.kt1", app)
    _planned(clerk, year, vp["id"], "Hồ sơ cải cách hành chính", "cv.kt1", app)
    _planned(clerk, year, kt["id"], "Hồ sơ quản lý đất đai", "cv.kt2", app)
    _planned(clerk, year, kt["id"], "Sổ theo dõi công văn thường", "cv.kt1", app, retention_years=2)
    plan = _approve(people["chutich"], year)
    return {d["notation"]: d["id"] for d in plan["dossiers"]}


# --- the plan -----------------------------------------------------------------------------------------

def test_the_clerk_drafts_the_plan_numbers_it_both_ways_and_the_chairman_approves(app, people, as_user):
    clerk, chairman, staff = people["vanthu"], people["chutich"], people["cv.kt1"]
    plan = _plan(clerk, PLAN_YEAR)
    assert (plan["status"], plan["numbering"], plan["actions"]) == ("draft", "plan", ["edit"])
    assert _error(staff.post(f"{API}/plans", json={"year": PLAN_YEAR + 5})) == (403, "forbidden", None)
    assert _error(clerk.post(f"{API}/plans", json={"year": PLAN_YEAR})) == (409, "plan_exists", "year")

    vp = _heading(clerk, PLAN_YEAR, "Văn phòng HĐND và UBND", "VP")
    sub = _heading(clerk, PLAN_YEAR, "Tổng hợp", parent_id=vp["id"])
    tp = _heading(clerk, PLAN_YEAR, "Tư pháp – Hộ tịch", "TP")
    assert (vp["numeral"], sub["numeral"], tp["numeral"]) == ("I", "1", "II")
    assert sub["abbreviation"] == "VP"
    bad = clerk.post(f"{API}/plans/{PLAN_YEAR}/headings", json={"title": "Quân sự", "code": "Q S"})
    assert _error(bad) == (422, "validation_error", "code")

    _planned(clerk, PLAN_YEAR, vp["id"], "Hồ sơ kỳ họp HĐND", "cv.kt1", app)
    _planned(clerk, PLAN_YEAR, sub["id"], "Báo cáo tổng hợp tháng", "cv.kt1", app)
    _planned(clerk, PLAN_YEAR, tp["id"], "Hồ sơ chứng thực", "cv.kt2", app, permanent=True)
    plan = clerk.get(f"{API}/plans/{PLAN_YEAR}").json
    assert _notations(plan) == ["01.VP", "02.VP", "03.TP"]
    last = plan["dossiers"][-1]
    assert (last["retention"], last["permanent"], last["status"]) == ("Vĩnh viễn", True, "planned")
    assert last["file_code"].endswith(f".{PLAN_YEAR}.03.TP") and last["responsible"]["id"] == people["cv.kt2"].id

    per_heading = _put(clerk, f"{API}/plans/{PLAN_YEAR}/numbering", json={"numbering": "heading"})
    assert per_heading.status_code == 200 and _notations(per_heading.json) == ["01.VP", "02.VP", "01.TP"]
    assert _notations(_put(clerk, f"{API}/plans/{PLAN_YEAR}/numbering", json={"numbering": "plan"}).json) == [
        "01.VP", "02.VP", "03.TP"]

    # A draft is the archive's and the approvers' business; nobody opens a dossier of it.
    assert _error(staff.get(f"{API}/plans/{PLAN_YEAR}"))[:2] == (404, "not_found")
    assert PLAN_YEAR not in [p["year"] for p in staff.get(f"{API}/plans").json]
    first = plan["dossiers"][0]["id"]
    assert _error(staff.post(f"{API}/dossiers/{first}/open"))[:2] == (409, "plan_not_approved")

    assert chairman.get(f"{API}/plans/{PLAN_YEAR}").json["actions"] == ["approve"]
    assert _error(clerk.post(f"{API}/plans/{PLAN_YEAR}/approve",
                             json={"decision_number": "15/QĐ-UBND", "decision_date": "2040-12-20"}))[0] == 403
    missing = chairman.post(f"{API}/plans/{PLAN_YEAR}/approve", json={"decision_number": "15/QĐ-UBND"})
    assert _error(missing) == (422, "validation_error", "decision_date")
    approved = _approve(chairman, PLAN_YEAR)
    assert (approved["status"], approved["decision_number"], approved["decision_date"]) == (
        "approved", "15/QĐ-UBND", "2040-12-20")
    assert approved["approved_by"]["id"] == chairman.id and approved["actions"] == []
    assert _error(_put(clerk, f"{API}/plans/{PLAN_YEAR}/numbering", json={"numbering": "heading"}))[:2] == (
        409, "invalid_state")
    # Approved, the plan is everyone's: the basis of their filing.
    assert staff.get(f"{API}/plans/{PLAN_YEAR}").status_code == 200
    assert PLAN_YEAR in [p["year"] for p in staff.get(f"{API}/plans").json]
    assert as_user("cv.lacson").get(f"{API}/plans/{PLAN_YEAR}").status_code == 404

    # Revised to draft to change a row, then approved again.
    revised = clerk.post(f"{API}/plans/{PLAN_YEAR}/revise")
    assert revised.status_code == 200 and revised.json["status"] == "draft"
    row = plan["dossiers"][1]
    changed = _put(clerk, f"{API}/dossiers/{row['id']}", json={
        "heading_id": row["heading_id"], "title": "Báo cáo tổng hợp tháng, quý", "retention_years": 5,
        "responsible_id": row["responsible_id"]})
    assert changed.status_code == 200 and changed.json["title"] == "Báo cáo tổng hợp tháng, quý"
    assert _error(_delete(clerk, f"{API}/headings/{vp['id']}"))[:2] == (409, "heading_not_empty")
    assert _approve(chairman, PLAN_YEAR)["status"] == "approved"


def test_next_years_plan_is_copied_forward_from_last_years(app, people):
    clerk = people["vanthu"]
    _world(app, people)
    copied = clerk.post(f"{API}/plans", json={"year": NEXT_YEAR})
    assert copied.status_code == 201, copied.json
    old = clerk.get(f"{API}/plans/{PLAN_YEAR}").json
    new = copied.json
    assert new["copied_from_id"] == old["id"] and new["status"] == "draft"
    assert [(h["numeral"], h["title"], h["code"]) for h in new["headings"]] == [
        (h["numeral"], h["title"], h["code"]) for h in old["headings"]]
    assert [(d["notation"], d["title"], d["retention_years"], d["responsible_id"]) for d in new["dossiers"]] == [
        (d["notation"], d["title"], d["retention_years"], d["responsible_id"]) for d in old["dossiers"]]
    assert {d["status"] for d in new["dossiers"]} == {"planned"}
    assert {d["file_code"].split(".")[-3] for d in new["dossiers"]} == {str(NEXT_YEAR)}
    # A planned row of a draft goes away; the others close ranks.
    first = new["dossiers"][0]["id"]
    assert _delete(clerk, f"{API}/dossiers/{first}").status_code == 204
    assert _notations(clerk.get(f"{API}/plans/{NEXT_YEAR}").json) == ["01.VP", "02.KT", "03.KT"]


# --- dossiers -----------------------------------------------------------------------------------------

def test_documents_are_filed_in_time_order_in_two_peoples_dossiers_and_closing_freezes(app, people):
    ids = _world(app, people)
    clerk, chairman, kt1, kt2, head = (people[n] for n in ("vanthu", "chutich", "cv.kt1", "cv.kt2", "truongkt"))
    mine, other_mine, theirs = ids["01.VP"], ids["02.VP"], ids["03.KT"]
    assert _error(kt2.post(f"{API}/dossiers/{mine}/open"))[:2] == (404, "not_found")
    assert _error(clerk.post(f"{API}/dossiers/{mine}/open"))[:2] == (403, "forbidden")
    opened = kt1.post(f"{API}/dossiers/{mine}/open")
    assert opened.status_code == 200 and opened.json["status"] == "open"
    assert set(opened.json["actions"]) >= {"file", "close", "edit"}
    assert kt1.post(f"{API}/dossiers/{other_mine}/open").status_code == 200
    assert kt2.post(f"{API}/dossiers/{theirs}/open").status_code == 200

    first_day = vn_today() - timedelta(days=100)
    march = _incoming(app, "V/v triển khai chuyển đổi số cấp xã", "310/SNV-CCHC", first_day + timedelta(days=64),
                      unit="KT")
    january = _incoming(app, "V/v kế hoạch cải cách hành chính", "12/SNV-CCHC", first_day, unit="KT")
    february = _incoming(app, "V/v khen thưởng cá nhân NHANDANH", "45/SNV-TĐKT", first_day + timedelta(days=27),
                         person="cv.kt1")

    filed = kt1.post(f"{API}/dossiers/{mine}/documents", json={"incoming_ids": [march]})
    assert filed.status_code == 200, filed.json
    assert [(i["ordinal"], i["incoming_id"]) for i in filed.json["items"]] == [(1, march)]
    # Filed later, dated earlier: the ordinals follow the documents' dates.
    filed = kt1.post(f"{API}/dossiers/{mine}/documents", json={"incoming_ids": [february, january]}).json
    assert [(i["ordinal"], i["incoming_id"]) for i in filed["items"]] == [(1, january), (2, february), (3, march)]
    last_day = first_day + timedelta(days=64)
    assert (filed["start_date"], filed["end_date"]) == (first_day.isoformat(), last_day.isoformat())
    first = filed["items"][0]
    assert (first["number_symbol"], first["author"]) == ("12/SNV-CCHC", "Sở Nội vụ tỉnh Phú Thọ")
    assert filed["page_total"] == 6
    again = kt1.post(f"{API}/dossiers/{mine}/documents", json={"incoming_ids": [march]})
    assert _error(again)[:2] == (409, "already_filed")

    # The same document in a colleague's dossier too, without copying it.
    shared = kt2.post(f"{API}/dossiers/{theirs}/documents", json={"incoming_ids": [march]})
    assert shared.status_code == 200 and [i["incoming_id"] for i in shared.json["items"]] == [march]
    assert sorted(d["id"] for d in clerk.get(f"{API}/containing", query_string={"incoming_id": march}).json) == \
        sorted([mine, theirs])
    assert [d["id"] for d in kt1.get(f"{API}/containing", query_string={"incoming_id": march}).json] == [mine]
    # Suggested: my other open dossier, not the one holding it already.
    suggested = kt1.get(f"{API}/suggestions", query_string={"incoming_id": march}).json
    assert [d["id"] for d in suggested] == [other_mine]
    assert _error(kt1.get(f"{API}/suggestions"))[:2] == (422, "document_required")

    # Who sees what: the head of the unit reads the member's dossier, not the document given
    # to the member by name; a colleague sees neither.
    seen = head.get(f"{API}/dossiers/{mine}")
    assert seen.status_code == 200
    assert [(i["ordinal"], i["incoming_id"]) for i in seen.json["items"]] == [(1, january), (3, march)]
    assert "NHANDANH" not in seen.get_data(as_text=True) and seen.json["page_total"] == 4
    assert seen.json["actions"] == []
    assert "NHANDANH" in kt1.get(f"{API}/dossiers/{mine}").get_data(as_text=True)
    assert _error(kt2.get(f"{API}/dossiers/{mine}"))[:2] == (404, "not_found")
    row = next(d for d in kt2.get(f"{API}/plans/{PLAN_YEAR}").json["dossiers"] if d["id"] == mine)
    assert (row["notation"], row["start_date"], row["end_date"]) == ("01.VP", None, None)  # a row of the plan only
    assert {d["id"] for d in kt2.get(f"{API}/dossiers").json["items"]} == {theirs}
    assert {d["id"] for d in kt1.get(f"{API}/dossiers", query_string={"year": PLAN_YEAR}).json["items"]} == {
        mine, other_mine, ids["04.KT"]}
    assert {d["id"] for d in head.get(f"{API}/dossiers", query_string={"status": "open"}).json["items"]} == {
        mine, other_mine, theirs}
    assert {d["id"] for d in head.get(f"{API}/dossiers", query_string={"mine": "true"}).json["items"]} == set()
    assert [d["id"] for d in clerk.get(f"{API}/dossiers", query_string={"q": "đất đai"}).json["items"]] == [theirs]
    personal_item = next(i["id"] for i in filed["items"] if i["incoming_id"] == february)
    assert _error(_delete(head, f"{API}/items/{personal_item}"))[:2] == (404, "not_found")

    # Taking one out renumbers; closing freezes.
    removed = _delete(kt1, f"{API}/items/{personal_item}")
    assert removed.status_code == 204
    after = kt1.get(f"{API}/dossiers/{mine}").json
    assert [(i["ordinal"], i["incoming_id"]) for i in after["items"]] == [(1, january), (2, march)]
    empty = kt1.post(f"{API}/dossiers/{other_mine}/close")
    assert _error(empty)[:2] == (409, "dossier_empty")
    # The package as the head of the unit may see it: the document given by name is not in it.
    package = head.get(f"{API}/dossiers/{mine}/package.zip")
    assert package.status_code == 200 and package.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        metadata = next(archive.read(n) for n in archive.namelist() if n.endswith(".xml")).decode()
    assert "V/v kế hoạch cải cách hành chính" in metadata and "NHANDANH" not in metadata
    closed = kt1.post(f"{API}/dossiers/{mine}/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert len(closed.json["manifest_sha256"]) == 64 and closed.json["actions"] == []
    assert clerk.get(f"{API}/dossiers/{mine}").json["actions"] == []  # archived by receiving its transfer only
    assert _error(kt1.post(f"{API}/dossiers/{mine}/documents", json={"incoming_ids": [february]}))[:2] == (
        409, "invalid_state")
    assert _error(_delete(kt1, f"{API}/items/{after['items'][0]['id']}"))[:2] == (409, "invalid_state")

    # Reopening is the chairman's, with a reason.
    assert _error(kt1.post(f"{API}/dossiers/{mine}/reopen", json={"reason": "Bổ sung"}))[:2] == (403, "forbidden")
    assert "reopen" in chairman.get(f"{API}/dossiers/{mine}").json["actions"]
    assert _error(chairman.post(f"{API}/dossiers/{mine}/reopen", json={})) == (422, "validation_error", "reason")
    assert _error(chairman.post(f"{API}/dossiers/{mine}/reopen", json={"reason": "   "}))[:2] == (
        422, "validation_error")
    reopened = chairman.post(f"{API}/dossiers/{mine}/reopen", json={"reason": "Bổ sung quyết định khen thưởng"})
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    history = kt1.get(f"{API}/dossiers/{mine}/history").json
    assert [e["kind"] for e in history] == ["planned", "opened", "filed", "filed", "filed", "removed", "closed",
                                            "reopened"]
    assert (history[-1]["actor"]["id"], history[-1]["reason"]) == (chairman.id, "Bổ sung quyết định khen thưởng")
    assert history[-1]["kind_label"] == "Mở lại hồ sơ"


def test_transfer_to_the_archive_and_lending_out_and_back(app, people, as_user):
    ids = _world(app, people)
    clerk, chairman, kt1, kt2, head = (people[n] for n in ("vanthu", "chutich", "cv.kt1", "cv.kt2", "truongkt"))
    kept, short = ids["01.VP"], ids["04.KT"]
    doc = _incoming(app, "V/v báo cáo chuyển đổi số", "77/SNV-VP", vn_today() - timedelta(days=20), unit="KT")
    for dossier in (kept, short):
        assert kt1.post(f"{API}/dossiers/{dossier}/open").status_code == 200
        assert kt1.post(f"{API}/dossiers/{dossier}/documents", json={"incoming_ids": [doc]}).status_code == 200
        assert kt1.post(f"{API}/dossiers/{dossier}/close").status_code == 200

    due = (vn_today() + timedelta(days=60)).isoformat()
    assert _error(kt1.post(f"{API}/transfers", json={"year": PLAN_YEAR, "due_date": due}))[:2] == (403, "forbidden")
    announced = clerk.post(f"{API}/transfers", json={"year": PLAN_YEAR, "due_date": due})
    assert announced.status_code == 201, announced.json
    [transfer] = announced.json  # kept 2 years, the other is not due (Điều 31.3.c)
    assert (transfer["giver"]["id"], transfer["dossier_count"], transfer["status"]) == (kt1.id, 1, "announced")
    assert _error(clerk.post(f"{API}/transfers", json={"year": PLAN_YEAR, "due_date": due}))[:2] == (
        409, "nothing_due")
    path = f"{API}/transfers/{transfer['id']}"
    assert kt1.get(path).json["actions"] == ["submit"]
    assert [d["id"] for d in kt1.get(path).json["dossiers"]] == [kept]
    assert [t["id"] for t in head.get(f"{API}/transfers").json] == [transfer["id"]]
    assert kt2.get(f"{API}/transfers").json == [] and kt2.get(path).status_code == 404

    assert _error(clerk.post(f"{path}/receive", json={}))[:2] == (409, "invalid_state")
    assert kt1.post(f"{path}/submit").json["status"] == "submitted"
    received = clerk.post(f"{path}/receive", json={"condition": "Đủ hồ sơ, tài liệu sạch"})
    assert received.status_code == 200 and received.json["status"] == "received"
    assert received.json["received_by"]["id"] == clerk.id
    # Received, the dossier is the archive's: no longer its maker's to open.
    assert kt1.get(f"{API}/dossiers/{kept}").status_code == 404
    archived = clerk.get(f"{API}/dossiers/{kept}").json
    assert archived["status"] == "archived" and archived["transfer_id"] == transfer["id"]
    assert set(archived["actions"]) == {"lend"}
    assert _error(chairman.post(f"{API}/dossiers/{kept}/reopen", json={"reason": "Sửa"}))[:2] == (
        409, "invalid_state")

    # Lent to a colleague, who reads it while it is out; back in the archive, no longer.
    assert kt2.get(f"{API}/dossiers/{kept}").status_code == 404
    lent = clerk.post(f"{API}/dossiers/{kept}/lend", json={
        "borrower_id": kt2.id, "purpose": "Tra cứu phục vụ thanh tra",
        "due_date": (vn_today() + timedelta(days=7)).isoformat()})
    assert lent.status_code == 201, lent.json
    assert (lent.json["borrower"]["id"], lent.json["returned_at"]) == (kt2.id, None)
    assert kt2.get(f"{API}/dossiers/{kept}").json["loan"]["purpose"] == "Tra cứu phục vụ thanh tra"
    assert _error(clerk.post(f"{API}/dossiers/{kept}/lend", json={"borrower_id": head.id}))[:2] == (
        409, "already_lent")
    assert _error(chairman.post(f"{API}/dossiers/{kept}/take-back"))[:2] == (403, "forbidden")
    back = clerk.post(f"{API}/dossiers/{kept}/take-back")
    assert back.status_code == 200 and back.json["returned_at"] is not None
    assert kt2.get(f"{API}/dossiers/{kept}").status_code == 404
    history = clerk.get(f"{API}/dossiers/{kept}/history").json
    kinds = [(e["kind"], (e["data"] or {}).get("borrower_id")) for e in history]
    assert kinds[-5:] == [("announced", None), ("submitted", None), ("received", None), ("lent", kt2.id),
                          ("returned", kt2.id)]
    assert as_user("cv.lacson").get(f"{API}/dossiers/{kept}").status_code == 404


def test_refusals_are_in_the_api_shape(app, people):
    clerk = people["vanthu"]
    assert _error(clerk.get(f"{API}/plans/2099"))[:2] == (404, "not_found")
    assert _error(clerk.get(f"{API}/dossiers/987654"))[:2] == (404, "not_found")
    assert _error(clerk.get(f"{API}/transfers/987654"))[:2] == (404, "not_found")
    _plan(clerk, PLAN_YEAR)
    too_many = clerk.post(f"{API}/dossiers/1/documents", json={"incoming_ids": list(range(1, 202))})
    assert _error(too_many) == (422, "validation_error", "incoming_ids")
    long_title = clerk.post(f"{API}/plans/{PLAN_YEAR}/headings", json={"title": "x" * 256, "code": "VP"})
    assert _error(long_title) == (422, "validation_error", "title")
    assert "quá dài (tối đa 255 ký tự)" in long_title.json["error"]["message"]
    no_heading = clerk.post(f"{API}/plans/{PLAN_YEAR}/dossiers", json={"title": "Hồ sơ", "retention_years": 5,
                                                                       "responsible_id": clerk.id})
    assert _error(no_heading) == (422, "invalid_heading", "heading_id")
    assert _error(clerk.post(f"{API}/plans", json={"year": 1990})) == (422, "validation_error", "year")


# --- the command line ----------------------------------------------------------------------------------

def test_the_command_line_lists_exports_and_reminds_with_clear_refusals(app, people, tmp_path):
    from docmgmt.notifications.models import Notification

    ids = _world(app, people)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["records", "plans", "--as", "vanthu"])
    assert listed.exit_code == 0, listed.output
    assert f"{PLAN_YEAR}\tĐã phê duyệt\t4 dossier(s) (4 planned)\tQuyết định số 15/QĐ-UBND" in listed.output
    several = runner.invoke(args=["records", "plans"])
    assert several.exit_code != 0 and "choose one with --org" in several.output

    out = tmp_path / "danh-muc.xlsx"
    made = runner.invoke(args=["records", "export-plan", "--year", str(PLAN_YEAR), "--format", "xlsx",
                               "--out", str(out), "--org", "000.00.12.H42"])
    assert made.exit_code == 0, made.output
    assert out.read_bytes()[:2] == b"PK" and "4 dossier(s)" in made.output
    missing = runner.invoke(args=["records", "export-plan", "--year", "2099", "--out", str(tmp_path / "x.docx"),
                                  "--as", "vanthu"])
    assert missing.exit_code != 0 and "no dossier plan of 2099" in missing.output
    assert "Traceback" not in missing.output and not (tmp_path / "x.docx").exists()

    kt1 = people["cv.kt1"]
    doc = _incoming(app, "V/v báo cáo chuyển đổi số", "78/SNV-VP", vn_today() - timedelta(days=3), unit="KT")
    kt1.post(f"{API}/dossiers/{ids['01.VP']}/open")
    kt1.post(f"{API}/dossiers/{ids['01.VP']}/documents", json={"incoming_ids": [doc]})
    kt1.post(f"{API}/dossiers/{ids['01.VP']}/close")
    package = tmp_path / "ho-so.zip"
    foreign = runner.invoke(args=["records", "export-dossier", "--id", str(ids["01.VP"]), "--out", str(package),
                                  "--as", "cv.kt2"])
    assert foreign.exit_code != 0 and "cv.kt2: Không tìm thấy hồ sơ." in foreign.output
    assert "Traceback" not in foreign.output and not package.exists()
    exported = runner.invoke(args=["records", "export-dossier", "--id", str(ids["01.VP"]), "--out", str(package),
                                   "--as", "cv.kt1"])
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(package) as archive:
        assert any(n.endswith(".xml") for n in archive.namelist())

    # Announced due in 20 days: told once, by the command (or the worker).
    announced = people["vanthu"].post(f"{API}/transfers", json={
        "year": PLAN_YEAR, "due_date": (vn_today() + timedelta(days=20)).isoformat()})
    assert announced.status_code == 201
    first = runner.invoke(args=["records", "remind"])
    assert first.exit_code == 0 and "1 transfer reminder(s) sent" in first.output
    assert "0 transfer reminder(s) sent" in runner.invoke(args=["records", "remind"]).output
    with app.app_context():
        told = db.session.scalars(sa.select(Notification.title).where(
            Notification.user_id == kt1.id, Notification.kind == "records_transfer_due")).all()
    assert len(told) == 1 and "hạn nộp lưu" in told[0]
