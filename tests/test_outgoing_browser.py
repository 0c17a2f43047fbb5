"""An outgoing document from draft to issuance in a real browser: the drafter, the head
of unit, the chairman, the clerk and a recipient each in their own browser context
(Debian chromium through Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.files_helpers import make_pdf
from tests.test_incoming_browser import signed_in, status_of

pytestmark = pytest.mark.browser

SUBJECT = "Về việc tổ chức tập huấn sử dụng văn phòng điện tử cho cán bộ xã"


def open_from_queue(page, server, path: str):
    page.goto(server.url + path)
    page.get_by_role("link", name=SUBJECT).first.click()
    page.wait_for_url("**/outgoing/*")


def test_drafter_head_leader_and_clerk_take_a_document_to_issuance(browser, live_server):
    server = live_server
    size = {"viewport": {"width": 1280, "height": 900}}

    # 1. The drafter writes it: the menu's "Văn bản đi" → "Soạn văn bản", a PDF upload.
    drafter_ctx, drafter = signed_in(browser, server, "cv.kt1", **size)
    drafter.locator("nav").get_by_role("button", name="Văn bản đi").or_(
        drafter.locator("nav").get_by_role("link", name="Văn bản đi")).first.click()
    drafter.locator("nav").get_by_role("link", name="Soạn văn bản").click()
    drafter.wait_for_url("**/outgoing/new")
    drafter.get_by_label("Loại văn bản").select_option("cong_van")
    drafter.get_by_label("Trích yếu nội dung").fill(SUBJECT)
    assert drafter.get_by_label("Nội dung (mỗi đoạn một dòng)").is_visible()
    drafter.get_by_label("Tải lên tệp DOCX hoặc PDF").check()
    assert not drafter.get_by_label("Nội dung (mỗi đoạn một dòng)").is_visible()
    drafter.get_by_label("Tệp dự thảo (DOCX hoặc PDF)").set_input_files(
        {"name": "du-thao-tap-huan.pdf", "mimeType": "application/pdf",
         "buffer": make_pdf("Công văn tập huấn văn phòng điện tử")})
    drafter.get_by_label("Lãnh đạo ký").select_option(label="Bùi Văn Khánh — Chủ tịch")
    drafter.get_by_role("combobox", name="Nơi nhận trong xã (đơn vị, người)").click()
    drafter.keyboard.type("van hoa")
    offered = drafter.get_by_role("listbox", name="Nơi nhận trong xã (đơn vị, người)").get_by_role("option")
    expect(offered.filter(has_text="Phòng Văn hóa - Xã hội")).to_have_count(1)
    expect(offered).to_have_count(1)  # filtered (after its short debounce)
    offered.first.click()
    drafter.keyboard.press("Escape")
    drafter.get_by_label("Nơi nhận ngoài xã", exact=False).fill("Sở Nội vụ tỉnh Phú Thọ | 000.00.31.H42")
    drafter.get_by_role("button", name="Tạo dự thảo").click()
    drafter.wait_for_selector("text=Đã tạo dự thảo.")
    assert status_of(drafter) == "Dự thảo"
    document_url = drafter.url
    drafter.locator('[data-action="submit"]').get_by_role("button", name="Trình").click()
    drafter.wait_for_selector("text=Đã trình duyệt.")
    assert status_of(drafter) == "Đang trình duyệt"

    # 2. The head of unit approves from their queue.
    head_ctx, head = signed_in(browser, server, "truongkt", **size)
    open_from_queue(head, server, "/outgoing/review")
    head.locator('[data-action="approve"]').get_by_label("Ý kiến").fill("Đồng ý trình lãnh đạo")
    head.locator('[data-action="approve"]').get_by_role("button", name="Đồng ý").click()
    head.wait_for_selector("text=Đã duyệt dự thảo.")

    # 3. The chairman finds it on the home page, approves and signs (on a tablet).
    leader_ctx, leader = signed_in(browser, server, "chutich",
                                   viewport={"width": 1024, "height": 1366}, has_touch=True)
    leader.locator('[data-panel="outgoing_review"]').get_by_role("link", name=SUBJECT, exact=False).click()
    leader.wait_for_url(document_url)
    leader.locator('[data-action="approve"]').get_by_role("button", name="Đồng ý").click()
    leader.wait_for_selector("text=Đã duyệt dự thảo.")
    assert status_of(leader) == "Đã duyệt, chờ ký"
    leader.locator('[data-action="sign"]').get_by_role("button", name="Ký số").click()
    leader.wait_for_selector("text=Đã ký số văn bản.")
    assert status_of(leader) == "Đã ký, chờ phát hành"

    # 4. The clerk issues it: number 01 of the sổ đi, signatures verified on the page.
    clerk_ctx, clerk = signed_in(browser, server, "vanthu", **size)
    open_from_queue(clerk, server, "/outgoing/to-issue")
    clerk.locator('[data-action="issue"]').get_by_role("button", name="Phát hành").click()
    clerk.wait_for_selector("text=Đã cấp số 01/UBND-KT và phát hành.")
    assert clerk.locator('[data-testid="number-symbol"]').inner_text() == "01/UBND-KT"
    assert status_of(clerk) == "Đã phát hành"
    assert clerk.locator('[data-testid="signature"][data-valid="true"]').count() == 2
    timeline = clerk.locator('[data-testid="timeline"]').inner_text()
    for words in ("Tạo dự thảo", "Trình duyệt", "Duyệt", "Lãnh đạo ký số", "Cấp số, phát hành",
                  "Phạm Văn Đức", "Nguyễn Thị Lan", "Bùi Văn Khánh", "Đinh Thị Thu"):
        assert words in timeline

    # 5. The recipient unit's staff find it in "Việc của tôi", for information.
    staff_ctx, staff = signed_in(browser, server, "cv.vhxh", **size)
    staff.get_by_role("link", name="Việc của tôi").click()
    staff.wait_for_url("**/incoming/mine")
    staff.locator("#tab-info").click()
    pane = staff.locator("#pane-info")
    pane.get_by_text("01/UBND-KT").wait_for(state="visible")
    assert pane.get_by_role("link", name=SUBJECT).is_visible()
    for ctx in (drafter_ctx, head_ctx, leader_ctx, clerk_ctx, staff_ctx):
        ctx.close()
