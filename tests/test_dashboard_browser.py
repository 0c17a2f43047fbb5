"""The dashboard in a real browser (Debian chromium through Playwright): the chairman on a
tablet sees every chart drawn from the figures of the page, with Vietnamese numbers, and
a figure — a number in a table or a bar of a chart — opens the list of exactly as many
documents."""

from __future__ import annotations

import re

import pytest

from tests.test_incoming_browser import signed_in
from tests.test_reports_figures import commune  # noqa: F401 - the fixture under ``november``

pytestmark = pytest.mark.browser

NOV = "period=month&month=2026-11"
CHARTS = ("paperless", "flow", "handling", "rate", "stages")

DRAWN = """(name) => {
    const box = document.querySelector(`[data-chart="${name}"]`);
    const svg = box && box.querySelector('svg');
    if (!svg) return null;
    const r = svg.getBoundingClientRect();
    return {drawn: box.dataset.drawn === '1', width: r.width, height: r.height,
            shapes: svg.querySelectorAll('path, rect, circle').length,
            texts: [...svg.querySelectorAll('text')].map((t) => t.textContent)};
}"""


@pytest.fixture
def november(request):
    return request.getfixturevalue("commune")


def list_total(page) -> int:
    return int(page.get_by_test_id("list-total").get_attribute("data-value"))


def test_the_chairman_sees_the_charts_and_follows_a_figure_to_its_list(november, browser, live_server):
    context, page = signed_in(browser, live_server, "chutich", viewport={"width": 1024, "height": 1366},
                              has_touch=True)
    complaints = []
    page.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: complaints.append(str(exc)))

    # The menu's "Thống kê" opens this month's dashboard; the period form shows only the
    # field of the kind chosen.
    page.get_by_role("button", name="Mở menu").click()
    page.wait_for_selector("#mainnav.show")
    page.get_by_test_id("nav-reports").click()
    page.wait_for_url("**/dashboard")
    assert page.get_by_label("Tháng", exact=True).is_visible()
    assert not page.get_by_label("Từ ngày").is_visible()
    page.get_by_label("Kỳ báo cáo").select_option("custom")
    assert page.get_by_label("Từ ngày").is_visible() and not page.get_by_label("Tháng", exact=True).is_visible()
    page.get_by_label("Kỳ báo cáo").select_option("month")
    page.get_by_label("Tháng", exact=True).select_option("2026-11")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r".*/dashboard\?period=month&month=2026-11.*"))

    # Every chart drawn: an SVG with shapes in each container.
    for name in CHARTS:
        page.wait_for_selector(f'[data-chart="{name}"][data-drawn="1"] svg')
        drawn = page.evaluate(DRAWN, name)
        assert drawn and drawn["shapes"] >= 3 and drawn["width"] > 200 and drawn["height"] > 150, (name, drawn)
    # Numbers written the Vietnamese way by the script too: 3 on time of 5 done with a deadline.
    assert "60 %" in page.evaluate(DRAWN, "rate")["texts"]
    handling = page.evaluate(DRAWN, "handling")["texts"]
    assert "Phòng Kinh tế" in handling and "Đúng hạn" in handling

    # The charts follow the screen: turned to portrait, each chart fills its new width (the
    # table goes under it).
    before = page.evaluate(DRAWN, "flow")["width"]
    page.set_viewport_size({"width": 768, "height": 1024})
    page.wait_for_function("""(before) => { const box = document.querySelector('[data-chart=flow]');
        const width = box.querySelector('svg').getBoundingClientRect().width;
        return Math.abs(width - box.clientWidth) < 2 && Math.abs(width - before) > 20; }""", arg=before)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    # A number of the handling table opens its list: as many documents as it said.
    late = page.get_by_test_id("handling-by-unit").locator('tfoot a[data-figure="incoming.late"]')
    expected = int(late.get_attribute("data-value"))
    assert expected == 2 and late.inner_text() == "2"
    late.click()
    page.wait_for_url("**/dashboard/list?figure=incoming.late*")
    assert list_total(page) == expected
    assert page.get_by_test_id("figure-list").locator("tbody tr[data-id]").count() == expected
    assert page.get_by_role("heading", name="Giải quyết quá hạn").is_visible()

    # A bar of a chart does the same: November's received documents.
    page.go_back()
    page.wait_for_selector('[data-chart="flow"][data-drawn="1"] svg')
    november = int(page.locator('tr[data-month="2026-11"] a[data-figure="incoming.received"]')
                   .get_attribute("data-value"))
    bars = page.locator('[data-chart="flow"] svg path[fill="#0d6efd"]')
    tallest = max(range(bars.count()), key=lambda i: (bars.nth(i).bounding_box() or {"height": 0})["height"])
    bars.nth(tallest).click()
    page.wait_for_url("**/dashboard/list?figure=incoming.received*")
    assert "month=2026-11" in page.url and "by=month" in page.url
    assert list_total(page) == november == 12

    assert complaints == [], complaints
    context.close()


def test_the_paperless_page_draws_its_trend_with_the_target(november, browser, live_server):
    context, page = signed_in(browser, live_server, "chutich", viewport={"width": 1280, "height": 900})
    complaints = []
    page.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(live_server.url + f"/dashboard/paperless?{NOV}")
    page.wait_for_selector('[data-chart="paperless"][data-drawn="1"] svg')
    drawn = page.evaluate(DRAWN, "paperless")
    assert drawn["shapes"] >= 3
    target = page.get_by_test_id("paperless-overall-card").inner_text()
    match = re.search(r"(\d\d/\d\d/\d{4})", target)
    assert match and f"Mục tiêu {match[1]}" in drawn["texts"]  # the target date marked on the chart
    assert complaints == [], complaints
    context.close()
