"""The search box finds dossiers (hồ sơ), built with the records operations as people
do: by a word of their title or notes typed with or without diacritics and by their số
và ký hiệu, on the /search page and in GET /api/v1/search — only those the person may
open, never a row of the plan not yet opened. (tests/test_search_kinds.py checks the
index against the access rule for every kind; this is the records side's story.)"""

from __future__ import annotations

import pytest

from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.records import operations as rec
from docmgmt.records.schemas import ApprovalInput, DossierInput, HeadingInput, PlanInput
from docmgmt.searching import operations as search_ops
from tests.commune import unit, user

TITLE = "Hồ sơ về chuyển đổi số của xã"


def plan_with_dossiers() -> dict[str, int]:
    """This year's approved plan: 01.VP of the office's officer (opened), 02.KT of the
    economy officer (opened), 03.KT still a row of the plan."""
    clerk = user("vanthu")
    plan = rec.create_plan(clerk, PlanInput(year=vn_today().year, copy_previous=False))
    vp = rec.add_heading(clerk, plan, HeadingInput(title="Văn phòng HĐND và UBND", code="VP", unit_id=unit("VP").id))
    kt = rec.add_heading(clerk, plan, HeadingInput(title="Phòng Kinh tế", code="KT", unit_id=unit("KT").id))
    office = rec.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=vp.id, title=TITLE, retention_years=10, responsible_id=user("cv.vp").id,
        description="Kế hoạch, báo cáo triển khai Đề án 06"))
    economy = rec.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=kt.id, title="Hồ sơ về chuyển đổi số trong nông nghiệp", retention_years=10,
        responsible_id=user("cv.kt1").id))
    planned = rec.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=kt.id, title="Hồ sơ chuyển đổi số hợp tác xã", retention_years=5,
        responsible_id=user("cv.kt1").id))
    rec.approve_plan(user("chutich"), plan, ApprovalInput("01/QĐ-UBND", vn_today()))
    rec.open_dossier(user("cv.vp"), office)
    rec.open_dossier(user("cv.kt1"), economy)
    db.session.commit()
    assert (office.notation, economy.notation, planned.notation) == ("01.VP", "02.KT", "03.KT")
    return {"office": office.id, "economy": economy.id, "planned": planned.id}


def dossier_ids(username: str, text: str) -> list[int]:
    found = search_ops.search(user(username), text, search_ops.Filters(kind="dossier"), per_page=100)
    return [d.document_id for d in found.documents]


@pytest.mark.parametrize("username", ["vanthu", "cv.vp"])
def test_the_clerk_and_the_person_responsible_find_it_by_a_title_word_without_accents_and_by_its_notation(
        ctx, username):
    ids = plan_with_dossiers()
    assert ids["office"] in dossier_ids(username, "chuyen doi so")
    assert ids["office"] in dossier_ids(username, "CHUYỂN ĐỔI")
    assert dossier_ids(username, "01.VP")[0] == ids["office"]
    assert dossier_ids(username, "de an 06") == [ids["office"]]  # its notes too
    assert dossier_ids(username, "chuyen doi so ngan sach") == []  # every word must be there
    assert ids["planned"] not in dossier_ids(username, "chuyen doi so")  # a row of the plan holds nothing


def test_only_the_dossiers_one_may_open_are_found(ctx):
    ids = plan_with_dossiers()
    assert set(dossier_ids("vanthu", "chuyen doi so")) == {ids["office"], ids["economy"]}  # the archive
    assert dossier_ids("cv.vp", "chuyen doi so") == [ids["office"]]
    assert dossier_ids("cv.kt1", "chuyen doi so") == [ids["economy"]]
    assert dossier_ids("chanhvp", "chuyen doi so") == [ids["office"]]  # head of the unit
    for outsider in ("cv.kt2", "cv.vhxh", "cv.hcc"):
        assert dossier_ids(outsider, "chuyen doi so") == [], outsider
        assert dossier_ids(outsider, "01.VP") == [], outsider


def test_the_page_and_the_api_show_the_dossier_among_the_results(app, login_as):
    with app.test_request_context():
        ids = plan_with_dossiers()
    client = login_as("cv.vp")
    page = client.get("/search", query_string={"q": "chuyen doi so"}).get_data(as_text=True)
    assert f'data-id="dossier:{ids["office"]}"' in page
    assert f'href="/records/dossiers/{ids["office"]}"' in page
    assert f'data-id="dossier:{ids["economy"]}"' not in page and "trong nông nghiệp" not in page
    body = client.get("/api/v1/search", query_string={"q": "01.vp"}).json
    first = body["hits"][0]
    assert (first["kind"], first["document_id"], first["url"]) == (
        "dossier", ids["office"], f"/records/dossiers/{ids['office']}")

    client = login_as("cv.kt2")
    page = client.get("/search", query_string={"q": "chuyen doi so"}).get_data(as_text=True)
    assert f'data-id="dossier:{ids["office"]}"' not in page and TITLE not in page
    body = client.get("/api/v1/search", query_string={"q": "01.VP", "kind": "dossier"}).json
    assert body["total"] == 0 and body["hits"] == []
