"""Delegation in a real browser: the chairman, leaving for a conference, delegates on the
page; the vice-chairman finds the document put before the chairman on her home page,
marked "Ủy quyền của …", directs it, and the document's history says she did it in his
name (Debian chromium through Playwright)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.test_incoming_browser import signed_in

pytestmark = pytest.mark.browser

SUBJECT = "V/v kiểm tra an toàn hồ đập trước mùa mưa lũ"


@pytest.fixture
def put_before_the_chairman(app, db_session) -> int:
    """A document the clerk put before the chairman for direction, before the server starts."""
    from docmgmt.incoming import operations as inc
    from tests.commune import user

    with app.test_request_context():
        doc = inc.register_incoming(user("vanthu"), inc.IncomingInput(
            sender_name="Sở Nông nghiệp và Môi trường tỉnh Phú Thọ", subject=SUBJECT))
        inc.submit(user("vanthu"), doc, leader_id=user("chutich").id, comment="Kính trình Chủ tịch")
        db_session.commit()
        doc_id = doc.id
    db_session.close()
    return doc_id


def test_the_delegate_directs_in_the_chairmans_name_and_the_history_says_so(
        browser, put_before_the_chairman, live_server):
    from docmgmt.core.timeutil import vn_today

    today = vn_today()
    last = today + timedelta(days=2)

    # The chairman delegates from the user menu.
    chair_ctx, chair = signed_in(browser, live_server, "chutich", viewport={"width": 1366, "height": 900})
    chair.get_by_test_id("user-menu").click()
    chair.get_by_test_id("menu-delegations").click()
    chair.get_by_test_id("new-delegation").click()
    form = chair.get_by_test_id("delegation-form")
    form.get_by_label("Người nhận ủy quyền").select_option(label="Quách Thị Hương — Phó Chủ tịch")
    form.get_by_label("Từ ngày").fill(today.strftime("%d/%m/%Y"))
    form.get_by_label("Đến ngày").fill(last.strftime("%d/%m/%Y"))
    form.get_by_label("Lý do").fill("Dự hội nghị triển khai chuyển đổi số tại tỉnh")
    form.get_by_role("button", name="Giao ủy quyền").click()
    expect(chair.get_by_test_id("status")).to_have_text("Đang có hiệu lực")
    expect(chair.get_by_test_id("form")).to_have_text("KT. — ký thay Chủ tịch")
    chair_ctx.close()

    # The vice-chairman finds the chairman's document on her home page, marked.
    vice_ctx, vice = signed_in(browser, live_server, "phochutich.kt", viewport={"width": 1366, "height": 900})
    panel = vice.locator('[data-panel="incoming_awaiting"]')
    expect(panel).to_contain_text(SUBJECT)
    expect(panel).to_contain_text("Ủy quyền của Bùi Văn Khánh")
    panel.get_by_role("link", name=SUBJECT).click()
    direct = vice.locator('[data-action="direct"]')
    expect(direct.get_by_test_id("acting-note")).to_contain_text("Bạn thực hiện thay Bùi Văn Khánh")
    # Click the people picker once it has taken over the select (before that, the select is
    # under the picker's box and a click on it waits for ever).
    main = direct.locator("#direct-main-ts-control")
    expect(main).to_be_attached()
    main.locator("xpath=..").click()
    expect(main).to_be_focused()  # typing before the picker has the focus would go nowhere
    offered = direct.get_by_role("listbox", name="Chủ trì giải quyết").get_by_role("option")
    expect(offered.first).to_be_visible()  # the list is open: what is typed now filters it
    vice.keyboard.type("duc")
    expect(offered).to_have_text(["Phạm Văn Đức (KT)"], timeout=15000)
    offered.first.click()
    direct.get_by_label("Ý kiến chỉ đạo").fill("Giao đồng chí Đức kiểm tra, báo cáo trước mùa mưa lũ.")
    direct.get_by_role("button", name="Phân công").click()
    expect(vice.get_by_text("Đã chỉ đạo, phân công.")).to_be_visible(timeout=15000)

    # The history: she directed it, in his place, under the delegation's days.
    event = vice.locator('[data-testid="timeline"] [data-event="directed"]')
    expect(event.get_by_test_id("event-actor")).to_contain_text(
        f"Quách Thị Hương (thay Chủ tịch Bùi Văn Khánh theo ủy quyền từ {today:%d/%m} đến {last:%d/%m})")
    # And the delegation's page lists what was done under it.
    vice.get_by_test_id("user-menu").click()
    vice.get_by_test_id("menu-delegations").click()
    vice.get_by_test_id("received").get_by_role("link").first.click()
    expect(vice.get_by_test_id("acts")).to_contain_text("Chỉ đạo, phân công")
    vice_ctx.close()
