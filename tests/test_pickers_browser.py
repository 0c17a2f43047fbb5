"""What a commune office notices on day one, in a real browser (Debian chromium through
Playwright): dates are typed dd/mm/yyyy even in an English-language browser, and the
direction form's people picker is searchable and never offers the main handler twice."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests import test_incoming_browser as incoming_browser
from tests.commune import user
from tests.test_incoming_pages import registered_doc

pytestmark = pytest.mark.browser

SUBJECT = "V/v hướng dẫn tổ chức Tết Độc lập"


def signed_in(browser, server, username, locale="vi-VN"):
    return incoming_browser.signed_in(browser, server, username, locale,
                                      viewport={"width": 1280, "height": 900})


def test_a_date_typed_dd_mm_yyyy_in_an_english_browser_means_day_then_month(app, browser, live_server):
    from docmgmt.core.timeutil import vn_today
    from docmgmt.extensions import db
    from docmgmt.incoming.models import IncomingDocument

    context, page = signed_in(browser, live_server, "vanthu", locale="en-US")
    assert page.evaluate("navigator.language") == "en-US"
    page.goto(live_server.url + "/incoming/new")
    page.get_by_label("Cơ quan, tổ chức gửi").fill("Sở Văn hóa, Thể thao và Du lịch tỉnh Phú Thọ")
    issued = page.get_by_label("Ngày văn bản")
    assert issued.get_attribute("type") == "text" and issued.get_attribute("placeholder") == "dd/mm/yyyy"
    issued.click()
    # The picker opens with Vietnamese month names on the Vietnamese page.
    calendar = page.locator(".flatpickr-calendar.open")
    calendar.wait_for(state="visible")
    months = calendar.locator(".flatpickr-monthDropdown-months option").all_inner_texts()
    assert months[:2] == ["Tháng một", "Tháng hai"] and months[11] == "Tháng mười hai"
    page.keyboard.type("12/07/2026")
    page.get_by_label("Trích yếu nội dung").fill(SUBJECT)
    # The arrival date (today by default) is shown dd/mm/yyyy too.
    assert page.get_by_label("Ngày đến").input_value() == f"{vn_today():%d/%m/%Y}"
    page.get_by_label("Trích yếu nội dung").press("Enter")  # Enter registers
    page.wait_for_url("**/incoming/*?registered=1")
    with app.app_context():
        doc = db.session.scalar(db.select(IncomingDocument).where(IncomingDocument.subject == SUBJECT))
        assert doc.issue_date == date(2026, 7, 12)
    context.close()


def test_direction_picker_filters_by_typing_and_never_offers_the_main_handler_twice(
        app, browser, live_server):
    doc_id = registered_doc(app)
    with app.app_context():
        from docmgmt.extensions import db
        from docmgmt.incoming import operations as ops
        from docmgmt.incoming.models import IncomingDocument

        ops.submit(user("vanthu"), db.session.get(IncomingDocument, doc_id))
        db.session.commit()
    context, page = signed_in(browser, live_server, "chutich")
    page.goto(f"{live_server.url}/incoming/{doc_id}")
    direct = page.locator('[data-action="direct"]')
    main = direct.get_by_role("combobox", name="Chủ trì giải quyết")
    main.click()
    expect(main).to_be_focused()  # typing before the picker has the focus would go nowhere
    main_offered = direct.get_by_role("listbox", name="Chủ trì giải quyết").get_by_role("option")
    expect(main_offered.first).to_be_visible()  # the list is open: what is typed now filters it
    page.keyboard.type("pham van duc")  # no diacritics
    expect(main_offered).to_have_text(["Phạm Văn Đức (KT)"], timeout=15000)  # filtered as typed
    main_offered.first.click()

    co = direct.get_by_role("combobox", name="Phối hợp")
    offered = direct.get_by_role("listbox", name="Phối hợp").get_by_role("option")
    co.click()
    expect(co).to_be_focused()
    # The main handler is listed but cannot be chosen; leaders and the admin are not listed.
    kt1 = offered.filter(has_text="Phạm Văn Đức")
    expect(kt1).to_have_attribute("aria-disabled", "true")
    names = offered.all_inner_texts()
    assert not any(n.startswith(("Bùi Văn Khánh", "Quách Thị Hương", "Đinh Công Sơn", "Nguyễn Văn Quản"))
                   for n in names), names
    expect(offered.first).to_be_visible()
    page.keyboard.type("do thi")  # without diacritics
    expect(offered).to_have_text(["Đỗ Thị Hà (KT)"], timeout=15000)
    page.keyboard.press("Enter")
    page.keyboard.type("pham van duc")
    expect(offered).to_have_count(1, timeout=15000)
    expect(kt1).to_be_visible()  # the list reopens as one types; until then there is nothing to click
    # A disabled option: clicking it chooses nobody. The event is sent to the option itself:
    # the list re-renders its options as it filters, and a busy machine may catch a real
    # click between two renders ("element is not visible").
    kt1.dispatch_event("click")
    page.keyboard.press("Escape")
    with app.app_context():
        ha, duc = user("cv.kt2").id, user("cv.kt1").id
    chosen = "s => Array.from(s.selectedOptions).map(o => o.value)"
    assert direct.locator('select[name="direct-co"]').evaluate(chosen) == [f"u:{ha}"]
    # Choosing as main someone already a co-handler takes them out of the co-handlers.
    direct.locator("#direct-main-ts-control").locator("xpath=..").click()  # a chosen one hides the input
    expect(direct.locator("#direct-main-ts-control")).to_be_focused()
    expect(main_offered.first).to_be_visible()  # the list is open: what is typed now filters it
    page.keyboard.type("do thi ha")
    expect(main_offered).to_have_text(["Đỗ Thị Hà (KT)"], timeout=15000)
    main_offered.first.click()
    page.keyboard.press("Escape")
    assert direct.locator('select[name="direct-co"]').evaluate(chosen) == []
    assert direct.locator('select[name="direct-main"]').input_value() == f"u:{ha}"
    # The former main handler may now be chosen as a co-handler.
    co.locator("xpath=..").click()
    expect(co).to_be_focused()
    expect(offered.first).to_be_visible()  # the list is open: what is typed now filters it
    page.keyboard.type("duc")
    expect(offered).to_have_count(1, timeout=15000)
    page.keyboard.press("Enter")
    assert direct.locator('select[name="direct-co"]').evaluate(chosen) == [f"u:{duc}"]
    context.close()

