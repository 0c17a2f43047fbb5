"""The UI shell in a real browser (Debian chromium through Playwright)."""

import pytest

pytestmark = pytest.mark.browser


def test_clerk_logs_in_and_sees_the_vietnamese_home_page(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert "/login" in page.url
    page.get_by_label("Tên đăng nhập").fill("vanthu")
    page.get_by_label("Mật khẩu", exact=True).fill("xaso2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector('[data-testid="greeting"]')
    assert page.locator('[data-testid="greeting"]').inner_text() == "Xin chào, Đinh Thị Thu"
    assert page.get_by_text("Việc đang chờ bạn").is_visible()
    # Bootstrap really loaded from the vendor folder: the navbar is styled.
    background = page.eval_on_selector("nav.navbar", "e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=str(tmp_path / "home-clerk.png"))
    context.close()


def test_admin_menu_on_a_tablet(browser, live_server):
    context = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu", exact=True).fill("xaso2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector('[data-testid="greeting"]')
    # On a tablet the menu folds behind the toggler; opening it shows admin entries.
    page.get_by_role("button", name="Mở menu").click()
    page.wait_for_selector("#mainnav.show")  # wait for the fold-out to finish
    page.get_by_role("link", name="Người dùng").click()
    page.wait_for_url("**/admin/users")
    assert page.get_by_text("Đinh Thị Thu").is_visible()
    context.close()


def test_first_load_and_a_meeting_not_found_have_no_404_and_no_csp_violation(browser, live_server):
    """No favicon 404 on a first load; the error page (a meeting that does not exist)
    breaks no Content-Security-Policy rule (no inline style)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    missing, complaints = [], []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(live_server.url + "/login")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('link[rel=icon]').href").endswith("/static/favicon.svg")
    page.get_by_label("Tên đăng nhập").fill("chutich")
    page.get_by_label("Mật khẩu", exact=True).fill("xaso2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector('[data-testid="greeting"]')
    assert missing == []
    page.goto(live_server.url + "/meetings/987654")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Không tìm thấy cuộc họp.").is_visible()
    assert [u for u in missing if "/meetings/987654" not in u] == []
    assert not [c for c in complaints if "Content Security Policy" in c], complaints
    assert page.request.get(live_server.url + "/favicon.ico").ok
    context.close()
