"""Filing in a real browser (Debian chromium through Playwright): a staff member with an
open dossier opens a document they completed, files it in two clicks — "Đưa vào hồ sơ",
then the dossier offered — and finds it in the dossier's Mục lục văn bản."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_incoming_browser import signed_in

pytestmark = pytest.mark.browser

SUBJECT = "V/v rà soát hộ nghèo, hộ cận nghèo trên địa bàn xã"
DOSSIER = "Hồ sơ rà soát hộ nghèo năm"


@pytest.fixture
def completed_and_open(app, db_session) -> dict:
    """This year's plan, approved, with cv.kt1's dossier open (and another of theirs, so the
    list offers a choice); a document given to cv.kt1 and completed — before the server starts."""
    from docmgmt.core.timeutil import vn_today
    from docmgmt.incoming import operations as inc
    from docmgmt.records import operations as rec
    from docmgmt.records.schemas import ApprovalInput, DossierInput, HeadingInput, PlanInput
    from tests.commune import unit, user
    from tests.files_helpers import make_pdf

    with app.test_request_context():
        clerk, staff = user("vanthu"), user("cv.kt1")
        plan = rec.create_plan(clerk, PlanInput(year=vn_today().year, copy_previous=False))
        heading = rec.add_heading(clerk, plan, HeadingInput(title="Phòng Kinh tế", code="KT", unit_id=unit("KT").id))
        poverty, roads = (rec.add_planned_dossier(clerk, plan, DossierInput(
            heading_id=heading.id, title=title, retention_years=10, responsible_id=staff.id))
            for title in (f"{DOSSIER} {vn_today().year}", "Hồ sơ kiểm tra hạ tầng giao thông nông thôn"))
        rec.approve_plan(user("chutich"), plan, ApprovalInput("01/QĐ-UBND", vn_today()))
        rec.open_dossier(staff, roads)
        rec.open_dossier(staff, poverty)
        doc = inc.register_incoming(clerk, inc.IncomingInput(
            sender_name="Sở Nông nghiệp và Môi trường tỉnh Phú Thọ", number_symbol="88/SNNMT-BTXH",
            subject=SUBJECT), [inc.Upload(make_pdf(SUBJECT), "ra-soat.pdf")])
        inc.direct(user("chutich"), doc, inc.Direction_(main=inc.Assignee(user_id=staff.id)))
        inc.complete(staff, doc, "Đã rà soát, báo cáo kết quả")
        db_session.commit()
        ids = {"document": doc.id, "dossier": poverty.id, "notation": poverty.notation}
    db_session.close()
    return ids


def test_a_completed_document_is_filed_in_two_clicks(browser, completed_and_open, live_server):
    ids = completed_and_open
    complaints: list[str] = []
    ctx, page = signed_in(browser, live_server, "cv.kt1", viewport={"width": 1366, "height": 900})
    page.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: complaints.append(str(exc)))

    # The home page says which dossiers are open.
    expect(page.locator('[data-panel="records"]')).to_contain_text(f"{ids['notation']} — {DOSSIER}")

    page.goto(f"{live_server.url}/incoming/{ids['document']}")
    expect(page.get_by_test_id("status")).to_have_text("Hoàn thành")
    card = page.get_by_test_id("records-filing")
    offered = card.get_by_test_id("suggested-dossiers")
    expect(offered).to_be_hidden()  # folded until asked for

    # Click 1: "Đưa vào hồ sơ" opens the person's open dossiers.
    card.get_by_test_id("file-into-button").click()
    expect(offered).to_be_visible()
    expect(offered.get_by_role("button")).to_have_count(2)
    # Click 2: the dossier.
    offered.get_by_role("button", name=f"{ids['notation']} {DOSSIER}").click()

    page.wait_for_url(f"**/incoming/{ids['document']}")
    expect(page.get_by_role("alert")).to_contain_text(f"Đã đưa vào hồ sơ {ids['notation']}.")
    held = page.get_by_test_id("held-in")
    expect(held).to_contain_text(ids["notation"])

    # The dossier's Mục lục lists it, first, with its number and subject.
    held.get_by_role("link", name=ids["notation"]).click()
    page.wait_for_url(f"**/records/dossiers/{ids['dossier']}")
    row = page.get_by_test_id("muc-luc").locator("tbody tr").first
    expect(row.get_by_test_id("ordinal")).to_have_text("1")
    expect(row).to_contain_text("88/SNNMT-BTXH")
    expect(row).to_contain_text(SUBJECT)
    expect(page.get_by_test_id("counts")).to_contain_text("1 văn bản")
    assert not complaints, complaints
    ctx.close()
