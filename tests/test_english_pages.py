"""Every page in English at 1366 px, in a real browser: nothing overflows the screen and
no text of the interface is left in Vietnamese.

A text of the interface is one the catalogue translates: any text node of the page
equal to a Vietnamese msgid that has an English translation is a string that escaped
the catalogue (names, subjects and other data are not msgids, so they do not count).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

pytestmark = pytest.mark.browser

CATALOGUE = Path(__file__).resolve().parent.parent / "docmgmt/translations/en/LC_MESSAGES/messages.po"
# Data that happens to equal a msgid (a unit's or a role's name typed by the admin).
DATA = {"Văn thư", "Chuyên viên", "Chủ tịch", "Phó Chủ tịch", "Trưởng phòng", "Chánh Văn phòng",
        "Giám đốc Trung tâm", "Quản trị hệ thống",
        # words people typed or the record keeps as written: a reviewer's comment, a
        # version's note, the audit log's summary of a login
        "Đồng ý", "Dự thảo đầu tiên", "Đăng nhập"}

PAGES = {
    "vanthu": ["/", "/incoming/", "/incoming/new", "/incoming/register", "/incoming/{incoming}",
               "/outgoing/", "/outgoing/to-issue", "/outgoing/register", "/outgoing/{outgoing}",
               "/exchange/", "/search?q=chuyển+đổi+số", "/notifications", "/account",
               "/records/", "/records/plans/{year}", "/records/dossiers/{dossier}", "/records/transfers/",
               "/records/transfers/{transfer}"],
    "chutich": ["/", "/incoming/awaiting", "/incoming/mine", "/outgoing/review", "/outgoing/to-sign",
                "/meetings/", "/meetings/{meeting}", "/meetings/calendar", "/dashboard",
                "/dashboard/list?figure=incoming.received", "/dashboard/paperless", "/reports/incoming",
                "/reports/outgoing", "/schedule/", "/schedule/mine", "/meetings/consultations/", "/delegations/"],
    "cv.kt1": ["/", "/incoming/mine", "/outgoing/new", "/outgoing/drafts", "/dashboard", "/records/",
               "/records/dossiers/{dossier}", "/incoming/{filed}"],
    "quantri": ["/admin/users", "/admin/units", "/admin/audit"],
}


def _vietnamese_msgids() -> set[str]:
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    found = set()
    for message in catalogue:
        translated = isinstance(message.id, str) and message.id and message.string and message.string != message.id
        if translated and "%(" not in message.id and "{" not in message.id:
            found.add(message.id.strip())
    return found - DATA


@pytest.fixture
def busy_commune(app, db_session):
    """The demo commune's week (documents in every state, meetings), before the server starts."""
    from docmgmt.core.timeutil import vn_today
    from docmgmt.demo import seed_documents
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.org.models import Organisation
    from docmgmt.outgoing.models import OutgoingDocument
    from docmgmt.records.models import ArchiveTransfer, Dossier, DossierItem
    from meetings.models import Meeting
    from tests.commune import user

    with app.test_request_context():
        org = db_session.get(Organisation, 1)
        seed_documents(org)
        db_session.commit()
        ids = {
            "incoming": db_session.scalar(sa.select(sa.func.max(IncomingDocument.id))),
            "outgoing": db_session.scalar(sa.select(sa.func.max(OutgoingDocument.id))),
            "meeting": db_session.scalar(sa.select(sa.func.min(Meeting.id))),
            "year": vn_today().year,
            # cv.kt1's open dossier that holds documents, one of them, a transfer to the archive
            "dossier": db_session.scalar(sa.select(sa.func.min(Dossier.id)).where(
                Dossier.responsible_id == user("cv.kt1").id, Dossier.status == "open", Dossier.items.any())),
            "filed": db_session.scalar(sa.select(sa.func.min(DossierItem.incoming_id)).join(Dossier).where(
                Dossier.responsible_id == user("cv.kt1").id, Dossier.status == "open")),
            "transfer": db_session.scalar(sa.select(sa.func.min(ArchiveTransfer.id))),
        }
    db_session.close()
    return ids


SCAN = """(msgids) => {
    const wanted = new Set(msgids);
    const left = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest('script, style, template, mark, [data-user-content]')) continue;
        const text = node.textContent.replace(/\\s+/g, ' ').trim();
        if (text && wanted.has(text)) left.push(text);
    }
    for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
        for (const attr of ['placeholder', 'title', 'aria-label']) {
            const value = (el.getAttribute(attr) || '').trim();
            if (value && wanted.has(value)) left.push(attr + ': ' + value);
        }
    }
    const nav = document.querySelector('nav.navbar');
    const clipped = nav ? [...nav.querySelectorAll('a, button, span, input')].filter(
        (el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1
            && getComputedStyle(el).overflow !== 'visible'
    ).map((el) => el.textContent.trim() || el.getAttribute('name') || el.tagName) : [];
    const search = document.querySelector('nav.navbar input[type=search]');
    return {
        left: [...new Set(left)],
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        clipped: clipped,
        search: search && search.offsetParent !== null ? search.getBoundingClientRect().width : null,
    };
}"""


@pytest.mark.parametrize(("language", "width"), [("en", 1366), ("en", 1024), ("vi", 1366), ("vi", 1024)])
def test_every_page_fits_the_office_pc_and_the_tablet_in_both_languages(
        busy_commune, live_server, browser, language, width):
    """An office PC (1366×768) and a tablet (1024×768), Vietnamese and English: nothing
    wider than the screen, a usable search box; in English no interface text left in
    Vietnamese."""
    from tests.test_incoming_browser import signed_in

    msgids = sorted(_vietnamese_msgids()) if language == "en" else []
    problems = []
    for username, paths in PAGES.items():
        context, page = signed_in(browser, live_server, username, viewport={"width": width, "height": 768})
        page.goto(live_server.url + "/account")
        page.evaluate("""(lang) => fetch('/lang/' + lang, {method: 'POST', headers: {'Content-Type':
            'application/x-www-form-urlencoded'}, body: 'next=/&csrf_token=' + encodeURIComponent(
            document.querySelector('meta[name=csrf-token]').content)})""", language)
        for path in paths:
            url = live_server.url + path.format(**busy_commune)
            response = page.goto(url)
            assert response is not None and response.status == 200, (username, path, response and response.status)
            assert page.evaluate("document.documentElement.lang") == language, (username, path)
            found = page.evaluate(SCAN, msgids)
            if found["left"]:
                problems.append(f"{username} {path}: untranslated {found['left']}")
            if found["overflow"] > 0:
                problems.append(f"{username} {path}: {found['overflow']} px wider than the screen")
            if found["clipped"]:
                problems.append(f"{username} {path}: cut off in the menu {found['clipped']}")
            if found["search"] is not None and found["search"] < 120:
                problems.append(f"{username} {path}: search box {found['search']:.0f} px")
        context.close()
    assert problems == [], "\n".join(problems)
