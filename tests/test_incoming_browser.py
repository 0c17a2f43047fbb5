"""An incoming document from arrival to done, in a real browser: the clerk, the leader
and the handler each in their own browser context (Debian chromium through Playwright)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.files_helpers import make_pdf

pytestmark = pytest.mark.browser

SUBJECT = "V/v rà soát hộ nghèo, hộ cận nghèo năm 2026"


def signed_in(browser, server, username, locale: str = "vi-VN", **context_args):
    context = browser.new_context(locale=locale, **context_args)
    page = context.new_page()
    page.goto(server.url + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill("xaso2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector('[data-testid="greeting"]')
    return context, page


def status_of(page) -> str:
    return page.locator('h1 ~ [data-testid="status"]').first.inner_text()


def test_clerk_registers_leader_assigns_handler_completes(browser, live_server):
    from docmgmt.core.timeutil import vn_today

    # 1. The clerk registers a scanned document: keyboard first, file previewed.
    clerk_ctx, clerk = signed_in(browser, live_server, "vanthu",
                                 viewport={"width": 1280, "height": 900})
    clerk.locator("nav").get_by_role("link", name="Vào sổ").click()
    clerk.wait_for_url("**/incoming/new")
    focused = clerk.evaluate("document.activeElement.name")
    assert focused == "sender_name"
    clerk.keyboard.type("Sở Lao động - Thương binh và Xã hội tỉnh Phú Thọ")
    clerk.keyboard.press("Tab")
    clerk.keyboard.type("312/SLĐTBXH-BTXH")
    # Choosing "Mật" hides every content field and asks who holds the paper instead.
    clerk.get_by_label("Độ mật").select_option(label="Mật")
    assert clerk.get_by_text("Văn bản mật không được đưa lên hệ thống.").is_visible()
    assert not clerk.get_by_label("Trích yếu nội dung").is_visible()
    assert not clerk.get_by_label("Tệp văn bản (PDF, DOCX, JPEG, PNG)").is_visible()
    assert clerk.get_by_label("Người giữ bản giấy").is_visible()
    clerk.get_by_label("Độ mật").select_option(label="Thường")
    clerk.get_by_label("Trích yếu nội dung").fill(SUBJECT)
    clerk.get_by_label("Tệp văn bản (PDF, DOCX, JPEG, PNG)").set_input_files(
        {"name": "cong-van-312.pdf", "mimeType": "application/pdf",
         "buffer": make_pdf("Công văn rà soát hộ nghèo")})
    preview = clerk.locator("[data-preview-frame]")
    preview.wait_for(state="visible")
    assert preview.get_attribute("src").startswith("blob:")
    assert clerk.get_by_text("cong-van-312.pdf").is_visible()
    clerk.get_by_label("Trích yếu nội dung").press("Enter")  # Enter registers
    clerk.wait_for_url("**/incoming/*?registered=1")
    # The demo commune already has documents this year: the number is the next one.
    number = clerk.locator('[data-testid="registered"] strong').inner_text()
    assert number.isdigit() and len(number) >= 2
    assert clerk.get_by_text(f"Văn bản đã vào sổ đến số {number}.", exact=True).is_visible()
    assert clerk.get_by_text(f"Đã vào sổ đến số {number}.", exact=True).count() == 0  # said once
    assert clerk.get_by_role("link", name="Vào sổ tiếp").is_visible()
    assert status_of(clerk) == "Đã vào sổ"
    document_url = clerk.url.split("?")[0]
    assert clerk.locator('[data-testid="files"]').get_by_text("cong-van-312.pdf").is_visible()
    clerk.get_by_role("button", name="Trình", exact=True).click()
    clerk.wait_for_selector("text=Đã trình lãnh đạo.")
    assert status_of(clerk) == "Chờ chỉ đạo"

    # 2. The chairman finds it waiting for direction and assigns cv.kt1 with a deadline.
    leader_ctx, leader = signed_in(browser, live_server, "chutich",
                                   viewport={"width": 1024, "height": 1366}, has_touch=True)
    leader.goto(live_server.url + "/incoming/awaiting")
    leader.get_by_role("link", name=SUBJECT).click()
    leader.wait_for_url(document_url)
    direct = leader.locator('[data-action="direct"]')
    # The people picker: type part of the name, without diacritics, and pick.
    direct.get_by_role("combobox", name="Chủ trì giải quyết").click()
    leader.keyboard.type("duc")
    offered = direct.get_by_role("listbox", name="Chủ trì giải quyết").get_by_role("option")
    expect(offered).to_have_text(["Phạm Văn Đức (KT)"])
    offered.first.click()
    deadline = vn_today() + timedelta(days=10)
    direct.get_by_label("Hạn giải quyết").fill(deadline.strftime("%d/%m/%Y"))
    direct.get_by_label("Ý kiến chỉ đạo").fill("Giao đồng chí Đức chủ trì rà soát, báo cáo.")
    direct.get_by_role("button", name="Phân công").click()
    leader.wait_for_selector("text=Đã chỉ đạo, phân công.")
    assert status_of(leader) == "Đã phân công"
    assert leader.locator('[data-testid="deadline"]').inner_text() == deadline.strftime("%d/%m/%Y")

    # 3. The handler sees it in their queue and completes it.
    handler_ctx, handler = signed_in(browser, live_server, "cv.kt1",
                                     viewport={"width": 1280, "height": 900})
    handler.get_by_role("link", name="Việc của tôi").click()
    handler.wait_for_url("**/incoming/mine")
    handler.locator("#pane-new").get_by_role("link", name=SUBJECT).click()
    handler.wait_for_url(document_url)
    complete = handler.locator('[data-action="complete"]')
    complete.get_by_label("Kết quả giải quyết").fill("Đã rà soát 42 hộ, gửi báo cáo cho Sở.")
    complete.get_by_role("button", name="Hoàn thành").click()
    handler.wait_for_selector("text=Đã báo hoàn thành.")
    assert status_of(handler) == "Hoàn thành"

    # 4. Back at the clerk's desk: the document is done, and the history says who did what.
    clerk.goto(document_url)
    assert status_of(clerk) == "Hoàn thành"
    timeline = clerk.locator('[data-testid="timeline"]').inner_text()
    for words in ("Vào sổ đến", "Trình lãnh đạo", "Chỉ đạo, phân công", "Hoàn thành",
                  "Đinh Thị Thu", "Bùi Văn Khánh", "Phạm Văn Đức"):
        assert words in timeline
    assert clerk.get_by_text("Đã rà soát 42 hộ, gửi báo cáo cho Sở.").first.is_visible()
    for ctx in (clerk_ctx, leader_ctx, handler_ctx):
        ctx.close()
