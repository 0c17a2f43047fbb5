"""The live meeting room in a real browser: the chair and a member each in their own
browser context (Debian chromium through Playwright), following each other over
Socket.IO without reloading the page."""

from __future__ import annotations

import pytest

from tests.commune import user
from tests.meetings_support import build_meeting
from tests.test_incoming_browser import signed_in

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1280, "height": 900}}


def two_page_pdf() -> bytes:
    """Two A4 pages in Helvetica, a standard font the PDF does not embed: pdf.js must
    fetch its replacement from the vendored standard_fonts/."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=28)
    for number in (1, 2):
        pdf.add_page()
        pdf.cell(text=f"Bao cao chuyen doi so - trang {number}")
    return bytes(pdf.output())


@pytest.fixture
def live_meeting(app, db_session):
    """A live meeting whose second agenda item carries a two-page PDF, committed before
    the server starts; no session keeps the SQLite write lock."""
    from meetings import operations as ops
    from meetings.models import Meeting

    # The broadcast state holds document URLs (url_for): build it as inside a request.
    with app.test_request_context():
        meeting_id = build_meeting(status="live")
        meeting = db_session.get(Meeting, meeting_id)
        ops.attach_document(user("thuky"), meeting.items[1],
                            upload=(two_page_pdf(), "bao-cao-chuyen-doi-so.pdf"))
        db_session.commit()
        info = {"id": meeting_id, "titles": [i.title for i in meeting.items],
                "member": user("phochutich.kt").full_name, "other": user("phochutich.vx").full_name}
    db_session.close()
    return info


def in_room(browser, server, username, meeting_id):
    context, page = signed_in(browser, server, username, **TABLET)
    page.goto(f"{server.url}/meetings/{meeting_id}/room")
    connection = page.get_by_test_id("connection")
    from playwright.sync_api import expect

    expect(connection).to_have_text("Đã kết nối", timeout=15000)
    return context, page


def test_member_follows_the_chair_without_reloading(live_meeting, live_server, browser):
    from playwright.sync_api import expect

    first, second, _third = live_meeting["titles"]
    chair_ctx, chair = in_room(browser, live_server, "chutich", live_meeting["id"])
    member_ctx, member = in_room(browser, live_server, "phochutich.kt", live_meeting["id"])
    errors: list[str] = []

    def complaint(msg) -> None:
        if msg.type in ("error", "warning") or "Warning" in msg.text:
            errors.append(f"{msg.type}: {msg.text}")

    for page in (chair, member):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", complaint)
    member.evaluate("window.__stillHere = 'yes'")

    # The agenda starts at its first item on both screens; the chair moves on.
    expect(chair.get_by_test_id("current-item")).to_have_text(first)
    expect(member.get_by_test_id("current-item")).to_have_text(first)
    assert member.get_by_test_id("next-item").count() == 0  # members do not run the meeting
    chair.get_by_test_id("next-item").click()
    expect(member.get_by_test_id("current-item")).to_have_text(second)
    expect(chair.get_by_test_id("current-item")).to_have_text(second)
    assert member.evaluate("window.__stillHere") == "yes"  # no reload, no navigation

    # Both check in; the count moves on both screens.
    member.get_by_test_id("check-in").click()
    expect(chair.locator('[data-user-id] .badge', has_text="Có mặt")).to_have_count(1)
    expect(member.get_by_test_id("attendance")).to_contain_text("Có mặt 1/")

    # The chair presents the item's PDF and turns to page 2: the member's viewer follows.
    chair.get_by_role("button", name="bao-cao-chuyen-doi-so.pdf").click()
    expect(member.get_by_test_id("viewer")).to_have_attribute("data-page", "1", timeout=15000)
    expect(chair.get_by_test_id("viewer")).to_have_attribute("data-page", "1", timeout=15000)
    expect(member.get_by_test_id("page-label")).to_have_text("Trang 1 / 2")
    chair.get_by_role("button", name="Trang sau").click()
    expect(member.get_by_test_id("viewer")).to_have_attribute("data-page", "2")
    # The member stops following, goes back a page alone, then follows again.
    member.get_by_label("Theo dõi người trình bày").uncheck()
    member.get_by_role("button", name="Trang trước").click()
    expect(member.get_by_test_id("viewer")).to_have_attribute("data-page", "1")
    expect(chair.get_by_test_id("viewer")).to_have_attribute("data-page", "2")
    member.get_by_label("Theo dõi người trình bày").check()
    expect(member.get_by_test_id("viewer")).to_have_attribute("data-page", "2")

    # A refusal shows the server's message: two options that are the same.
    chair.get_by_label("Phương án (mỗi dòng một phương án)").fill("Đồng ý\nĐồng ý")
    chair.get_by_role("button", name="Mở biểu quyết").click()
    expect(chair.get_by_test_id("toast")).to_contain_text("Cần từ 2 đến 10 phương án khác nhau.")
    assert member.get_by_test_id("vote").count() == 0

    # The chair opens a vote with the default options; the member votes; the tally shows 1.
    chair.get_by_label("Phương án (mỗi dòng một phương án)").fill("")
    chair.get_by_role("button", name="Mở biểu quyết").click()
    vote = member.get_by_test_id("vote")
    expect(vote).to_have_attribute("data-status", "open")
    vote.get_by_role("button", name="Tán thành", exact=True).click()
    expect(vote.get_by_test_id("voted")).to_have_text("Đã biểu quyết")
    tally = chair.get_by_test_id("vote").locator("li", has_text="Tán thành").first
    expect(tally.get_by_test_id("option-count")).to_have_text("1")
    # The chair sees who has not voted yet: the other voting members, not the member.
    expect(chair.get_by_test_id("not-voted")).to_contain_text(live_meeting["other"])
    expect(chair.get_by_test_id("not-voted")).not_to_contain_text(live_meeting["member"])

    # The member asks to speak; the chair gives the floor; everyone sees who speaks.
    member.get_by_label("Nội dung phát biểu").fill("Ý kiến về tiến độ số hóa")
    member.get_by_role("button", name="Đăng ký").click()
    expect(chair.get_by_test_id("queued")).to_contain_text(live_meeting["member"])
    chair.get_by_role("button", name="Mời phát biểu").click()
    expect(member.get_by_test_id("speaking")).to_contain_text(live_meeting["member"])

    # The big screen on the room's TV shows the same state, read-only.
    screen = chair_ctx.new_page()
    screen.on("pageerror", lambda exc: errors.append(str(exc)))
    screen.on("console", complaint)
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(f"{live_server.url}/meetings/{live_meeting['id']}/screen")
    expect(screen.get_by_test_id("connection")).to_have_text("Đã kết nối", timeout=15000)
    expect(screen.get_by_test_id("current-item")).to_have_text(second)
    expect(screen.get_by_test_id("viewer")).to_have_attribute("data-page", "2", timeout=15000)
    expect(screen.get_by_test_id("screen-option").filter(has_text="Tán thành").first).to_contain_text("1")
    expect(screen.get_by_test_id("speaking")).to_contain_text(live_meeting["member"])
    expect(screen.get_by_test_id("attendance")).to_contain_text("Có mặt 1/")
    assert screen.get_by_role("button").count() == 0  # nothing to press on the TV
    # The texts come in a JSON data block (meetings/room_strings.py): not a script the
    # Content-Security-Policy would refuse; the errors checked below would say so.
    for page in (chair, screen):
        assert page.locator('script#room-strings[type="application/json"]').count() == 1

    expect(chair.get_by_test_id("connection")).to_have_text("Đã kết nối")
    expect(member.get_by_test_id("connection")).to_have_text("Đã kết nối")
    assert member.evaluate("window.__stillHere") == "yes"
    # No script error, no Content-Security-Policy refusal, no pdf.js fallback warning
    # (its worker runs under script-src 'self').
    assert not errors, errors
    for ctx in (chair_ctx, member_ctx):
        ctx.close()


def test_room_catches_up_after_a_missed_change_and_a_lost_connection(app, live_meeting, live_server, browser):
    from playwright.sync_api import expect

    from meetings import operations as ops
    from meetings.models import Meeting

    first, second, third = live_meeting["titles"]
    member_ctx, member = in_room(browser, live_server, "phochutich.kt", live_meeting["id"])
    member.evaluate("window.__stillHere = 'yes'")

    # A change the member never hears about (made outside the server process: no
    # broadcast reaches the browser), then one it hears about: the sequence has a gap,
    # the room asks for the whole state and shows both.
    from docmgmt.extensions import db

    with app.test_request_context():
        meeting = db.session.get(Meeting, live_meeting["id"])
        ops.move_item(user("chutich"), meeting, meeting.items[2].id)
        db.session.commit()
        db.session.close()
    expect(member.get_by_test_id("current-item")).to_have_text(first)  # not heard yet
    chair_ctx, chair = in_room(browser, live_server, "chutich", live_meeting["id"])
    expect(chair.get_by_test_id("current-item")).to_have_text(third)
    chair.get_by_role("button", name="+5 phút").click()
    expect(member.get_by_test_id("current-item")).to_have_text(third)

    # A private note is saved (debounced, and on leaving the box) and survives a reload;
    # the chair's conclusion reaches the member.
    member.get_by_label("Ghi chú riêng của tôi").fill("Hỏi lại kinh phí rét đậm")
    expect(member.get_by_test_id("note-status")).to_have_text("Đã lưu")
    chair.get_by_label("Kết luận", exact=True).fill("Giao phòng Kinh tế lập phương án trước 15/12.")
    chair.get_by_role("button", name="Lưu kết luận").click()
    expect(member.locator('[data-region="conclusion-read"]')).to_have_text(
        "Giao phòng Kinh tế lập phương án trước 15/12.")
    assert chair.get_by_text("Ghi chú riêng của tôi").is_visible()
    expect(chair.get_by_label("Ghi chú riêng của tôi")).to_have_value("")  # notes are private
    member.reload()
    expect(member.get_by_label("Ghi chú riêng của tôi")).to_have_value("Hỏi lại kinh phí rét đậm")
    member.evaluate("window.__stillHere = 'yes'")

    # The connection drops: the indicator says so and the actions wait; it comes back
    # by itself and the room joins again.
    member.context.set_offline(True)
    expect(member.get_by_test_id("connection")).to_have_text("Mất kết nối, đang kết nối lại…", timeout=30000)
    expect(member.get_by_role("button", name="Đăng ký")).to_be_disabled()
    member.context.set_offline(False)
    expect(member.get_by_test_id("connection")).to_have_text("Đã kết nối", timeout=30000)
    expect(member.get_by_role("button", name="Đăng ký")).to_be_enabled()
    assert member.evaluate("window.__stillHere") == "yes"
    for ctx in (chair_ctx, member_ctx):
        ctx.close()


@pytest.fixture
def crowded_meeting(app, db_session):
    """A live meeting with a vote open, someone speaking with a long topic and five more
    waiting: the busiest the big screen gets."""
    from meetings import operations as ops
    from meetings.models import Meeting

    with app.test_request_context():
        meeting_id = build_meeting(status="live")
        m = db_session.get(Meeting, meeting_id)
        chair = user("chutich")
        speakers = ["phochutich.kt", "phochutich.vx", "chanhvp", "truongkt", "cv.vp", "thuky"]
        first = ops.request_speech(user(speakers[0]), m, "Ý kiến về tiến độ giải ngân vốn đầu tư công và "
                                   "kế hoạch chuyển đổi số của xã trong quý IV năm 2026")
        for name in speakers[1:]:
            ops.request_speech(user(name), m, "Xin phát biểu về nội dung này")
        ops.grant_speech(chair, m, first.id)
        ops.open_vote(chair, m, m.current_item_id, "Thông qua Tờ trình về kế hoạch phát triển kinh tế – xã hội "
                      "năm 2027 và dự toán ngân sách xã, trình Hội đồng nhân dân xã tại kỳ họp cuối năm?")
        db_session.commit()
    db_session.close()
    return meeting_id


def test_the_big_screen_fits_1080p_with_a_vote_open_and_someone_speaking(crowded_meeting, live_server, browser):
    """Nothing is clipped on the room's 1920×1080 TV: the tally, the speaker and the queue
    all stand inside the screen; a closed vote says whether it passed."""
    from playwright.sync_api import expect

    context, page = signed_in(browser, live_server, "chutich", viewport={"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/meetings/{crowded_meeting}/screen")
    expect(page.get_by_test_id("connection")).to_have_text("Đã kết nối", timeout=15000)
    expect(page.get_by_test_id("screen-option")).to_have_count(3)
    expect(page.get_by_test_id("speaking")).to_contain_text("Quách Thị Hương")
    clipped = page.evaluate("""() => {
        const side = document.querySelector('.screen-side').getBoundingClientRect();
        const out = [];
        for (const node of document.querySelectorAll(
                '.screen-side .panel, [data-testid=screen-option], [data-testid=speaking], .queue li')) {
            const box = node.getBoundingClientRect();
            if (box.bottom > side.bottom + 1 || box.bottom > window.innerHeight + 1) {
                out.push((node.dataset.testid || node.className) + ' ' + Math.round(box.bottom));
            }
        }
        return out;
    }""")
    assert clipped == [], clipped
    expect(page.locator(".queue li.more")).to_contain_text("người nữa")
    # The chair closes the vote: 0 of 4 voting members approved, so it did not pass.
    room_ctx, room = in_room(browser, live_server, "chutich", crowded_meeting)
    room.get_by_test_id("close-vote").click()
    expect(page.get_by_test_id("vote-outcome")).to_have_text("Không thông qua", timeout=15000)
    expect(room.get_by_test_id("vote-outcome")).to_have_text("Không thông qua")
    for ctx in (context, room_ctx):
        ctx.close()
