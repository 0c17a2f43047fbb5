"""Two communes in one deployment never meet (issue #18, "a province").

Kim Bôi (the demo commune) and Lạc Sơn, a second commune with the same units, positions
and roles (usernames ending in ``.ls``), live in one database, one file store and one
search index, on SQLite and on PostgreSQL. Each does the same day's work through the API:
a document registered, a decision drafted, reviewed, signed and issued, a meeting held.
Then each commune's people look at everything: users, both registers and their
numbering, search, the meeting and its live room, the dashboard, the files.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.conftest import ApiUser, empty_pg_database, instance_config, login
from tests.files_helpers import make_pdf

KIM_BOI_WORD = "Trâu"  # a word only in Kim Bôi's documents
LAC_SON_WORD = "Mường"  # a word only in Lạc Sơn's


@pytest.fixture(params=["sqlite", "postgresql"])
def province(request, tmp_path):
    """An app with both communes, migrated and seeded (no documents), on either database."""
    import flask_migrate

    from docmgmt import create_app
    from docmgmt.demo import PEOPLE, POSITIONS, UNITS, seed
    from docmgmt.extensions import db
    from docmgmt.org.operations import create_organisation, create_unit, create_user, ensure_position
    from docmgmt.signing.keys import init_keys

    config = instance_config(tmp_path)
    pg = None
    if request.param == "postgresql":
        pg = empty_pg_database()
        config["SQLALCHEMY_DATABASE_URI"] = next(pg)
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        seed(with_documents=False)
        other = create_organisation(name="Ủy ban nhân dân xã Lạc Sơn", organ_id="000.00.13.H42",
                                    abbreviation="UBND", governing_body="Tỉnh Phú Thọ", place_name="Lạc Sơn")
        units = {abbr: create_unit(None, other, name, abbr) for abbr, name in UNITS}
        for name, rank in POSITIONS:
            ensure_position(other, name, rank)
        for username, full_name, roles, unit, position in PEOPLE:
            create_user(None, other, username=f"{username}.ls", full_name=full_name, password="xaso2026",
                        roles=roles, unit_id=units[unit].id if unit else None, position=position)
        db.session.flush()
        init_keys(other)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if pg is not None:
        next(pg, None)  # drops the database


class Person(ApiUser):
    def __init__(self, app, username: str):
        super().__init__(app, username)
        self.username = username

    def patch(self, path, **kw):
        return self.client.patch(path, headers=self.headers, **kw)


def people(app, suffix: str) -> dict[str, Person]:
    """The commune's administrator, clerk, chairman, head of economics, one of its staff
    and the meetings' secretary, each with an API token."""
    names = ("quantri", "vanthu", "chutich", "truongkt", "cv.kt1", "thuky")
    return {name: Person(app, name + suffix) for name in names}


def register_incoming(clerk: Person, subject: str, number_symbol: str = "1520/UBND-NC") -> dict:
    from datetime import timedelta

    from docmgmt.core.timeutil import vn_today

    today = vn_today()
    form = {"sender_name": "Ủy ban nhân dân tỉnh Phú Thọ", "number_symbol": number_symbol,
            "issue_date": (today - timedelta(days=2)).isoformat(), "doc_type": "cong_van", "subject": subject,
            "signer": "Nguyễn Văn Bình", "urgency": "thuong", "arrival_date": today.isoformat(),
            "files": [(io.BytesIO(make_pdf(subject)), "cong-van.pdf")]}
    response = clerk.post("/api/v1/incoming", data=form, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json


def issue_decision(app, who: dict[str, Person], subject: str) -> dict:
    from tests.commune import user

    with app.app_context():
        signer_id = user(who["chutich"].username).id
    created = who["cv.kt1"].post("/api/v1/outgoing", data={
        "doc_type": "quyet_dinh", "subject": subject, "signer_id": str(signer_id), "urgency": "thuong",
        "file": (io.BytesIO(make_pdf(subject)), "du-thao.pdf")}, content_type="multipart/form-data")
    assert created.status_code == 201, created.json
    doc_id = created.json["id"]
    assert who["cv.kt1"].post(f"/api/v1/outgoing/{doc_id}/submit", json={}).status_code == 200
    assert who["truongkt"].post(f"/api/v1/outgoing/{doc_id}/approve", json={}).status_code == 200
    assert who["chutich"].post(f"/api/v1/outgoing/{doc_id}/approve", json={}).status_code == 200
    assert who["chutich"].post(f"/api/v1/outgoing/{doc_id}/sign").status_code == 200
    issued = who["vanthu"].post(f"/api/v1/outgoing/{doc_id}/issue", json={})
    assert issued.status_code == 200, issued.json
    return issued.json


def hold_meeting(app, suffix: str, title: str) -> int:
    from docmgmt.extensions import db
    from tests.commune import user
    from tests.meetings_support import build_meeting

    with app.test_request_context():
        meeting_id = build_meeting(status="live", title=title, user=lambda name: user(name + suffix))
        db.session.remove()
    return meeting_id


def search_ids(reader: Person, text: str) -> list[str]:
    response = reader.get("/api/v1/search", query_string={"q": text})
    assert response.status_code == 200, response.json
    return [hit["id"] for hit in response.json["hits"]]


def test_two_communes_share_a_deployment_and_never_see_each_other(province):
    app = province
    kb, ls = people(app, ""), people(app, ".ls")

    kb_in = register_incoming(kb["vanthu"], f"V/v phòng chống rét cho {KIM_BOI_WORD.lower()} bò vụ Đông")
    ls_in = register_incoming(ls["vanthu"], f"V/v bảo tồn nhà sàn dân tộc {LAC_SON_WORD}")
    kb_out = issue_decision(app, kb, f"Quyết định hỗ trợ chuồng {KIM_BOI_WORD.lower()} bò")
    ls_out = issue_decision(app, ls, f"Quyết định lễ hội dân tộc {LAC_SON_WORD}")

    # The province wrote to both communes (same sender, number and date): not a duplicate
    # for the second. Numbering: each commune's registers start at 01.
    assert kb_in["arrival_label"] == ls_in["arrival_label"] == "01"
    assert kb_out["number_symbol"] == ls_out["number_symbol"] == "01/QĐ-UBND"

    # Registers list only the commune's own documents.
    year = kb_out["issued_on"][:4]
    for who, word in ((kb, KIM_BOI_WORD), (ls, LAC_SON_WORD)):
        rows = who["vanthu"].get(f"/api/v1/incoming/register/{year}").json
        assert [(r["arrival_number"], word.lower() in r["type_and_subject"].lower()) for r in rows] == [("01", True)]
        rows = who["vanthu"].get(f"/api/v1/outgoing/register/{year}").json
        assert [(r["number_symbol"], word.lower() in r["type_and_subject"].lower()) for r in rows] == [
            ("01/QĐ-UBND", True)]

    # A document, its file and its signature report of the other commune do not exist for
    # its people, whatever their role.
    for outsider in ls.values():
        assert outsider.get(f"/api/v1/incoming/{kb_in['id']}").status_code == 404
        assert outsider.get(f"/api/v1/outgoing/{kb_out['id']}").status_code == 404
        assert outsider.get(kb_out["issued_file"]["url"]).status_code == 404
        assert outsider.get(kb_in["files"][0]["url"]).status_code == 404
        assert outsider.get(f"/api/v1/outgoing/{kb_out['id']}/signatures").status_code == 404
    assert ls["vanthu"].get(ls_out["issued_file"]["url"]).data.startswith(b"%PDF")

    # Search: one index, two communes. The clerk finds the commune's own two documents
    # by its word, and nothing by the other commune's word.
    kb_found = search_ids(kb["vanthu"], KIM_BOI_WORD)
    ls_found = search_ids(ls["vanthu"], LAC_SON_WORD)
    assert sorted(kb_found) == sorted([f"incoming:{kb_in['id']}", f"outgoing:{kb_out['id']}"])
    assert sorted(ls_found) == sorted([f"incoming:{ls_in['id']}", f"outgoing:{ls_out['id']}"])
    assert search_ids(kb["vanthu"], LAC_SON_WORD) == []
    assert search_ids(ls["vanthu"], KIM_BOI_WORD) == []
    assert search_ids(ls["vanthu"], "01/QĐ-UBND") == [f"outgoing:{ls_out['id']}"]

    # Users: an administrator lists and manages only the commune's people.
    kb_people = {u["username"] for u in kb["quantri"].get("/api/v1/users").json}
    ls_people = {u["username"] for u in ls["quantri"].get("/api/v1/users").json}
    assert "vanthu" in kb_people and "vanthu.ls" in ls_people
    assert not any(name.endswith(".ls") for name in kb_people)
    assert all(name.endswith(".ls") for name in ls_people)
    kb_clerk_id = kb["vanthu"].id
    refused = ls["quantri"].patch(f"/api/v1/users/{kb_clerk_id}", json={"full_name": "Kẻ Lạ"})
    assert refused.status_code == 404

    # Dashboards count the commune's own work only.
    for who in (kb, ls):
        board = who["chutich"].get("/api/v1/reports/dashboard").json
        headline = {cell["key"]: cell["value"] for cell in board["headline"]}
        assert headline["incoming.received"] == 1, headline
        assert board["outgoing"]["issued"]["value"] == 1, board["outgoing"]


def test_a_meeting_and_its_live_room_stay_in_their_commune(province):
    from meetings.sockets import socketio

    app = province
    kb_meeting = hold_meeting(app, "", "Họp giao ban UBND xã Kim Bôi")
    ls_meeting = hold_meeting(app, ".ls", "Họp giao ban UBND xã Lạc Sơn")
    kb, ls = people(app, ""), people(app, ".ls")

    assert ls["chutich"].get(f"/api/v1/meetings/{kb_meeting}").status_code == 404
    assert kb["chutich"].get(f"/api/v1/meetings/{ls_meeting}").status_code == 404
    listed = [m["id"] for m in ls["thuky"].get("/api/v1/meetings").json["items"]]
    assert listed == [ls_meeting]

    def room(username: str):
        browser = app.test_client()
        assert login(browser, username).status_code == 302
        return socketio.test_client(app, namespace="/meetings", flask_test_client=browser)

    ls_chair, kb_chair = room("chutich.ls"), room("chutich")
    try:
        # The other commune's chairman: nothing tells him the meeting exists.
        reply = ls_chair.emit("join", {"meeting_id": kb_meeting}, namespace="/meetings", callback=True)
        assert reply["ok"] is False and reply["error"]["code"] == "not_found"
        reply = kb_chair.emit("join", {"meeting_id": kb_meeting}, namespace="/meetings", callback=True)
        assert reply["ok"] is True
        items = reply["state"]["agenda"]["items"]
        moved = kb_chair.emit("move_item", {"meeting_id": kb_meeting, "item_id": items[1]["id"]},
                              namespace="/meetings", callback=True)
        assert moved["ok"] is True
        heard = [e for e in kb_chair.get_received("/meetings") if e["name"] == "event"]
        assert any(e["args"][0]["kind"] == "agenda.current" for e in heard)
        assert not [e for e in ls_chair.get_received("/meetings") if e["name"] == "event"]
    finally:
        ls_chair.disconnect(namespace="/meetings")
        kb_chair.disconnect(namespace="/meetings")


def test_each_commune_numbers_its_own_register_under_interleaved_work(province):
    """Work alternating between the communes: each register still counts 01, 02, 03."""
    from docmgmt.extensions import db
    from docmgmt.incoming.models import IncomingDocument

    app = province
    kb, ls = people(app, ""), people(app, ".ls")
    labels: dict[str, list[str]] = {"kb": [], "ls": []}
    for round_ in range(3):
        for key, who, name in (("kb", kb, "Kim Bôi"), ("ls", ls, "Lạc Sơn")):
            created = register_incoming(who["vanthu"], f"Công văn {round_} {name}", f"{round_}/UBND-NC")
            labels[key].append(created["arrival_label"])
    assert labels == {"kb": ["01", "02", "03"], "ls": ["01", "02", "03"]}
    with app.app_context():
        per_org = dict(db.session.execute(sa.select(IncomingDocument.organisation_id, sa.func.count())
                                          .group_by(IncomingDocument.organisation_id)).all())
    assert sorted(per_org.values()) == [3, 3]
