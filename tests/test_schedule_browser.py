"""The weekly work schedule in a real browser (Debian chromium through Playwright): the office
adds a row to this week, creates the link of the hall's TV and submits the week; the TV,
signed in as nobody, shows nothing drafted; the chairman publishes; the TV shows the row on
today's column at its next refresh, without reloading the page; the print layout prints on
one A4 landscape page."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.test_incoming_browser import signed_in

pytestmark = pytest.mark.browser

TITLE = "Tiếp đoàn kiểm tra chuyển đổi số của tỉnh"


def test_the_office_adds_a_row_the_chairman_publishes_and_the_tv_shows_it(browser, live_server):
    from docmgmt.core.timeutil import vn_today

    today = vn_today()
    complaints: list[str] = []

    # 1. The office opens this week from the menu and adds a row for today.
    office_ctx, office = signed_in(browser, live_server, "vanthu", viewport={"width": 1366, "height": 900})
    office.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
    office.on("pageerror", lambda exc: complaints.append(str(exc)))
    office.locator("nav").get_by_role("button", name="Họp, lịch").or_(
        office.locator("nav").get_by_role("link", name="Họp, lịch")).click()
    office.locator("nav").get_by_role("link", name="Lịch công tác tuần").click()
    office.wait_for_url(re.compile(r".*/schedule/week/\d{4}-\d{2}-\d{2}$"))
    office.get_by_test_id("add-entry").click()
    office.wait_for_url("**/entries/new*")
    office.get_by_label("Ngày", exact=True).fill(today.strftime("%d/%m/%Y"))
    office.keyboard.press("Escape")  # close the date picker
    office.get_by_label("Giờ bắt đầu").fill("09:00")
    office.get_by_label("Giờ kết thúc").fill("10:30")
    office.get_by_label("Nội dung").fill(TITLE)
    office.get_by_label("Phòng (danh mục)").select_option(label="Hội trường UBND xã (Trụ sở UBND xã, tầng 1)")
    # The chair, found in the searchable picker without diacritics.
    chair = office.get_by_role("combobox", name="Chủ trì", exact=True)
    chair.click()
    expect(chair).to_be_focused()
    offered = office.get_by_role("listbox", name="Chủ trì", exact=True).get_by_role("option")
    expect(offered.first).to_be_visible()
    office.keyboard.type("bui van khanh")
    expect(offered).to_have_count(1, timeout=15000)
    offered.first.click()
    office.get_by_test_id("save-entry").click()
    office.wait_for_url("**/schedule/week/*layout=list*")
    row = office.locator(f'tr[data-day="{today.isoformat()}"]', has_text=TITLE)
    expect(row).to_contain_text("09:00–10:30")
    expect(row).to_contain_text("Bùi Văn Khánh")
    expect(row).to_contain_text("Hội trường UBND xã")
    week_url = office.url.split("?")[0]

    # 2. The office makes the TV's link.
    office.goto(live_server.url + "/schedule/links")
    screens = office.get_by_test_id("new-screen")
    screens.get_by_label("Tên").fill("TV hội trường tầng 1")
    screens.get_by_role("button", name="Tạo đường dẫn màn hình").click()
    tv_url = office.get_by_test_id("new-link-url").inner_text().strip()
    assert "/schedule/screen/xstv_" in tv_url

    # 3. The TV, signed in as nobody: the week is not published, nothing drafted shows.
    tv_ctx = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    tv = tv_ctx.new_page()
    tv.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
    tv.goto(tv_url)
    expect(tv.get_by_test_id("screen-empty")).to_be_visible()
    expect(tv.get_by_test_id("screen-today")).to_be_visible()  # today's column is marked
    assert TITLE not in tv.content()
    tv.evaluate("window.stillTheSamePage = true")  # gone if the page reloads

    # 4. The office submits; the chairman publishes.
    office.goto(week_url)
    office.get_by_test_id("action-submit").click()
    expect(office.get_by_test_id("week-status")).to_have_text("Chờ duyệt")
    chair_ctx, chairman = signed_in(browser, live_server, "chutich", viewport={"width": 1366, "height": 900})
    chairman.goto(week_url)
    expect(chairman.locator(f'[data-item]:has-text("{TITLE}")').first).to_be_visible()
    chairman.get_by_test_id("action-publish").click()
    expect(chairman.get_by_test_id("week-status")).to_have_text("Đã ban hành")
    expect(chairman.get_by_test_id("version-shown")).to_have_text("Phiên bản 1")

    # 5. At its next refresh (asked for now rather than in a minute) the TV shows the row
    # in today's column, in place.
    tv.evaluate("document.querySelector('[data-schedule-screen]').refreshNow()")
    today_column = tv.get_by_test_id("screen-today")
    expect(today_column).to_contain_text(TITLE, timeout=15000)
    expect(today_column).to_contain_text("09:00–10:30")
    expect(today_column).to_contain_text("Hội trường UBND xã")
    expect(tv.get_by_test_id("screen-empty")).to_have_count(0)
    assert tv.evaluate("window.stillTheSamePage") is True
    assert tv.get_by_test_id("screen-status").get_attribute("data-state") == "ok"

    # The print layout: one A4 landscape page, as the browser prints it.
    office.goto(week_url + "/print")
    expect(office.get_by_test_id("print-now")).to_be_visible()
    office.emulate_media(media="print")
    printed = PdfReader(io.BytesIO(office.pdf(prefer_css_page_size=True)))
    box = printed.pages[0].mediabox
    assert len(printed.pages) == 1 and round(float(box.width)) == 842 and round(float(box.height)) == 595
    assert TITLE in printed.pages[0].extract_text()
    office.emulate_media(media="screen")

    assert complaints == [], complaints

    # Revoked, the link stops at the next refresh; the TV keeps what it showed and says so.
    office.goto(live_server.url + "/schedule/links")
    office.get_by_test_id("screens").get_by_test_id("revoke-link").first.click()
    tv.evaluate("document.querySelector('[data-schedule-screen]').refreshNow()")
    expect(tv.get_by_test_id("screen-status")).to_have_attribute("data-state", "gone", timeout=15000)
    expect(today_column).to_contain_text(TITLE)

    for ctx in (office_ctx, tv_ctx, chair_ctx):
        ctx.close()
