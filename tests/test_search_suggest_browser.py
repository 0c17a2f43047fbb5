"""Suggestions under the search box, in a real browser (Debian chromium through
Playwright): the word being typed is completed from the documents the person may open,
the list is worked with the keyboard, and choosing a suggestion searches for it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import test_incoming_browser as incoming_browser
from tests.commune import user

pytestmark = pytest.mark.browser

SUBJECT = "Kế hoạch tuyên truyền bảo hiểm y tế học sinh năm học mới"


def registered(app, subject: str) -> int:
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops

    with app.app_context():
        doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(
            sender_name="Bảo hiểm xã hội tỉnh Phú Thọ", number_symbol="15/BHXH-TT", subject=subject))
        db.session.commit()
        return doc.id


def test_suggestions_complete_the_word_being_typed_and_work_from_the_keyboard(app, browser, live_server):
    doc_id = registered(app, SUBJECT)
    context, page = incoming_browser.signed_in(browser, live_server, "vanthu",
                                               viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/search")
    box = page.get_by_role("combobox", name="Từ khóa, số ký hiệu, số đến")
    box.click()
    page.keyboard.type("bảo hiể")
    listbox = page.get_by_role("listbox", name="Gợi ý tìm kiếm").first
    options = listbox.get_by_role("option")
    expect(options.first).to_have_text("bảo hiểm", timeout=15000)
    expect(box).to_have_attribute("aria-expanded", "true")
    # Escape closes the list, typing opens it again.
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("bảo hiể")
    page.keyboard.press("Backspace")
    page.keyboard.type("ể")
    expect(options.first).to_have_text("bảo hiểm", timeout=15000)
    # ↓ picks the first suggestion (the focus stays in the box), Enter searches for it.
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(box).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    expect(page.get_by_role("combobox", name="Từ khóa, số ký hiệu, số đến")).to_have_value("bảo hiểm")
    hit = page.locator(f'[data-testid="search-hit"][data-id="incoming:{doc_id}"]')
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_have_text("bảo")

    # The box in the header suggests too, typed without diacritics; a click searches.
    page.goto(live_server.url + "/")
    header_box = page.get_by_role("combobox", name="Tìm văn bản")
    header_box.click()
    page.keyboard.type("tuyen truyen bao hi")
    suggestion = page.get_by_role("option", name="tuyen truyen bao hiểm")
    expect(suggestion).to_be_visible(timeout=15000)
    suggestion.click()
    page.wait_for_url("**/search?q=*")
    expect(page.locator(f'[data-testid="search-hit"][data-id="incoming:{doc_id}"]')).to_be_visible()
    context.close()


def test_suggestions_come_only_from_documents_the_person_may_open(app, client, login_as):
    registered(app, "Quyết định phê duyệt phương án bồi thường giải phóng mặt bằng")
    # The clerk who registered it may open it; a unit's staff member, not yet.
    vanthu = login_as("vanthu")
    body = vanthu.get("/search/suggest", query_string={"q": "boi thuo"}).json
    assert {"word": "thường", "text": "boi thường"} in body["suggestions"]
    staff = login_as("cv.vhxh")
    words = [s["word"] for s in staff.get("/search/suggest", query_string={"q": "boi thuo"}).json["suggestions"]]
    assert "thường" not in words
    # Nothing is being typed after a space; a question too long gets no suggestion.
    assert vanthu.get("/search/suggest", query_string={"q": "boi "}).json["suggestions"] == []
    assert vanthu.get("/search/suggest", query_string={"q": "x" * 600}).json["suggestions"] == []
