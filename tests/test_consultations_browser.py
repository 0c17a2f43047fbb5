"""A written consultation in a real browser: a member answers on the consultation's page
while the secretary who issued it watches the tally on hers, which follows without being
reloaded (Debian chromium through Playwright, each in their own browser context)."""

from __future__ import annotations

import pytest

from tests.commune import user
from tests.test_consultations import build_consultation
from tests.test_incoming_browser import signed_in

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def open_consultation(app, db_session):
    """Issued by thuky for the chairman, asking chanhvp and truongkt; committed before the
    server starts."""
    with app.test_request_context():
        c = build_consultation(members=("chanhvp", "truongkt"))
        db_session.commit()
        info = {"id": c.id, "questions": [q.id for q in c.questions], "member": user("chanhvp").full_name,
                "silent": user("truongkt").full_name}
    db_session.close()
    return info


def test_a_member_answers_and_the_issuer_sees_the_tally_follow(open_consultation, live_server, browser):
    from playwright.sync_api import expect

    url = f"{live_server.url}/meetings/consultations/{open_consultation['id']}"
    first, second = open_consultation["questions"]
    errors: list[str] = []
    issuer_ctx, issuer = signed_in(browser, live_server, "thuky", **TABLET)
    member_ctx, member = signed_in(browser, live_server, "chanhvp", **TABLET)
    refused = "the server responded with a status of 422"  # the answer sent without its reasons

    def complaint(msg) -> None:
        if msg.type == "error" and refused not in msg.text:
            errors.append(msg.text)

    for page in (issuer, member):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", complaint)

    # The issuer opens the consultation: nobody has answered yet.
    issuer.goto(url)
    first_tally = issuer.locator(f'[data-testid="tally-question"][data-question="{first}"]')
    expect(first_tally.get_by_test_id("count-agree")).to_have_text("Đồng ý: 0/2")
    expect(first_tally.get_by_test_id("silent")).to_contain_text(open_consultation["member"])
    issuer.evaluate("window.__stillHere = 'yes'")

    # The member reads the questions and answers: agree, and another opinion with its reasons.
    member.goto(url)
    expect(member.get_by_test_id("tally")).to_have_count(0)  # the others' answers: once closed
    member.locator(f"#q{first}-agree").check()
    member.locator(f"#q{second}-other").check()
    member.get_by_test_id("send-answer").click()
    expect(member.locator(".invalid-feedback")).to_contain_text("hãy ghi ý kiến khác")  # reasons first
    member.locator(f"#q{second}-other").check()
    member.locator(f"#q{second}-comment").fill("Đề nghị bổ sung điểm trường xóm Mớ Đá")
    member.get_by_test_id("send-answer").click()
    expect(member.locator(".alert-success")).to_contain_text("Đã ghi ý kiến của bạn")
    expect(member.get_by_test_id("my-answer").first).to_contain_text("Đồng ý")

    # Without a reload, the issuer's tally shows the answer, with the member's name.
    expect(first_tally.get_by_test_id("count-agree")).to_have_text("Đồng ý: 1/2", timeout=20000)
    second_tally = issuer.locator(f'[data-testid="tally-question"][data-question="{second}"]')
    expect(second_tally.get_by_test_id("count-other")).to_have_text("Ý kiến khác: 1/2")
    expect(second_tally).to_contain_text("Đề nghị bổ sung điểm trường xóm Mớ Đá")
    expect(first_tally.locator("tbody")).to_contain_text(open_consultation["member"])
    expect(first_tally.get_by_test_id("silent")).to_have_text(f"Chưa trả lời: {open_consultation['silent']}")
    assert issuer.evaluate("window.__stillHere") == "yes"  # the same page, never reloaded

    # The issuer closes it; the result follows the rule: 1 of the 2 asked is not more than half.
    issuer.get_by_test_id("do-close").click()
    expect(issuer.get_by_test_id("status")).to_have_text("Đã kết thúc lấy ý kiến")
    expect(first_tally.get_by_test_id("outcome")).to_contain_text("Không thông qua")
    expect(issuer.get_by_test_id("rule")).to_contain_text("quá nửa tổng số thành viên")
    assert not errors, errors
    issuer_ctx.close()
    member_ctx.close()
