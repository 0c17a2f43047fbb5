"""Weak networks in a real browser (Debian chromium through Playwright): a page loaded again
asks for no static file, the cut-down icon font still draws the icons, and the date picker,
now fetched only by pages with a date field, still opens."""

import re

import pytest

from tests.test_incoming_browser import signed_in

pytestmark = pytest.mark.browser


class Network:
    """Requests that went over the network (not answered by the browser's cache), per URL."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.cached: set[str] = set()
        self.fetched: list[str] = []
        self.cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _response(self, e) -> None:
        if e["response"].get("fromDiskCache"):
            self.cached.add(e["requestId"])

    def _finished(self, e) -> None:
        if e["requestId"] not in self.cached and e["requestId"] in self.urls:
            self.fetched.append(self.urls[e["requestId"]])


def icon_font_drawn(page) -> bool:
    return page.evaluate("""async () => {
        await document.fonts.ready;
        const icon = document.querySelector('.bi');
        const before = icon && getComputedStyle(icon, '::before');
        const loaded = [...document.fonts].some(f => f.family.includes('bootstrap-icons') && f.status === 'loaded');
        return Boolean(before && before.content && before.content !== 'none'
                       && before.fontFamily.includes('bootstrap-icons') && loaded);
    }""")


def test_a_page_loaded_again_asks_for_no_static_file_and_its_icons_draw(browser, live_server):
    context, page = signed_in(browser, live_server, "vanthu")
    network = Network(page)
    page.goto(live_server.url + "/incoming/")
    page.wait_for_load_state("networkidle")
    assert icon_font_drawn(page)
    # Every stylesheet and script by its content-hashed name (cached for a year, immutable).
    named = page.evaluate("""() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')]
        .map(e => new URL(e.href || e.src).pathname)""")
    assert named and all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", u) for u in named), named
    first = list(network.fetched)
    network.fetched.clear()
    page.goto(live_server.url + "/incoming/")
    page.wait_for_load_state("networkidle")
    again = [u for u in network.fetched if "/static/" in u]
    assert again == [], f"asked again (first time: {first})"
    assert [u for u in network.fetched if u.endswith("/incoming/")]  # the page itself was asked for
    assert icon_font_drawn(page)
    # Styled: Bootstrap (cut down) still lays out the navbar and the table.
    background = page.eval_on_selector("nav.navbar", "e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    context.close()


def test_the_date_picker_comes_with_date_fields_only_and_still_opens(browser, live_server):
    context, page = signed_in(browser, live_server, "vanthu")
    network = Network(page)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.flatpickr") == "undefined"
    assert not [u for u in network.fetched if "flatpickr" in u]
    page.goto(live_server.url + "/incoming/new")
    issued = page.get_by_label("Ngày văn bản")
    issued.click()
    calendar = page.locator(".flatpickr-calendar.open")
    calendar.wait_for(state="visible")
    months = calendar.locator(".flatpickr-monthDropdown-months option").all_inner_texts()
    assert months[0] == "Tháng một"  # the Vietnamese months came too
    calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15").first.click()
    assert issued.input_value().startswith("15/")
    # Styled by its own stylesheet, fetched with it.
    assert page.eval_on_selector(".flatpickr-calendar", "e => getComputedStyle(e).position") == "absolute"
    context.close()
