"""The live room's JavaScript shows texts from the translation catalogue: every ``t("…")``
in docmgmt/static/meetings/*.js is one of meetings/room_strings.SOURCES, which
scripts/i18n.sh extracts, and the room and big-screen pages embed them in the reader's
language as a JSON data block."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from meetings.room_strings import SOURCES
from tests.conftest import page_csrf
from tests.test_meetings_pages import as_user, meeting, text_of

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "docmgmt/static/meetings").glob("*.js"))
T_CALL = re.compile(r'\bt\(\s*"((?:[^"\\]|\\.)*)"')
BLOCK = re.compile(r'<script type="application/json" id="room-strings">(.*?)</script>', re.S)
VIETNAMESE = re.compile(r"[À-ỹ]")  # the letters with diacritics


def used_in_scripts() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in SCRIPTS:
        for match in T_CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(json.loads(f'"{match.group(1)}"'), set()).add(path.name)
    return used


def embedded(html: str) -> dict[str, str]:
    match = BLOCK.search(html)
    assert match, "the page embeds no room-strings block"
    return json.loads(match.group(1))


def test_every_text_the_scripts_look_up_is_in_the_catalogue_sources():
    assert {p.name for p in SCRIPTS} >= {"live.js", "room.js", "screen.js", "pdfview.js"}
    used = used_in_scripts()
    assert set(used) - set(SOURCES) == set(), "t() texts missing from SOURCES"
    assert set(SOURCES) - set(used) == set(), "SOURCES no script uses any more"
    assert len(SOURCES) == len(set(SOURCES))


def test_no_vietnamese_text_escapes_the_catalogue_in_the_scripts():
    for path in SCRIPTS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//", 1)[0] if not line.lstrip().startswith("//") else ""
            code = T_CALL.sub("t(…", code)
            assert not VIETNAMESE.search(code), f"{path.name}:{number}: {line.strip()}"


def test_placeholders_are_python_style_and_named():
    for source in SOURCES:
        assert not re.search(r"%(?!\(\w+\)s)", source), source


def test_scripts_i18n_extracts_the_sources():
    """scripts/i18n.sh's keywords find every source in meetings/room_strings.py (without
    running it: it rewrites messages.po)."""
    script = (ROOT / "scripts/i18n.sh").read_text(encoding="utf-8")
    extract = next(line for line in script.splitlines() if "pybabel extract" in line)
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update({name: None for name in re.findall(r"-k (\w+)", extract)})
    found = {message for _line, message, _comments, _context
             in extract_from_file("python", ROOT / "meetings/room_strings.py", keywords=keywords)}
    assert set(SOURCES) <= found


@pytest.mark.parametrize("view", ["room", "screen"])
def test_in_vietnamese_the_page_maps_every_source_to_itself(app, view):
    mid = meeting(app, status="live")
    html = text_of(as_user(app, "phochutich.kt").get(f"/meetings/{mid}/{view}"))
    assert embedded(html) == {source: source for source in SOURCES}
    assert "Đang kết nối…" in html


@pytest.mark.parametrize("view", ["room", "screen"])
def test_in_english_the_page_embeds_the_catalogue_translations(app, view):
    mid = meeting(app, status="live")
    member = as_user(app, "phochutich.kt")
    member.post("/lang/en", data={"csrf_token": page_csrf(member), "next": "/"})
    html = text_of(member.get(f"/meetings/{mid}/{view}"))
    assert '<html lang="en"' in html
    strings = embedded(html)
    assert set(strings) == set(SOURCES)
    assert strings["Đóng"] == "Close"  # already in the catalogue, for the whole product


def test_the_english_catalogue_translates_the_meeting_pages(app):
    mid = meeting(app, status="live")
    member = as_user(app, "phochutich.kt")
    member.post("/lang/en", data={"csrf_token": page_csrf(member), "next": "/"})
    strings = embedded(text_of(member.get(f"/meetings/{mid}/room")))
    assert strings["Đã kết nối"] == "Connected"
    assert strings["Đang kết nối…"] == "Connecting…"
    assert strings["Người chủ trì"] == "Chair"  # the meeting's chair, not a document's lead handler
    assert strings["Biểu quyết kín"] == "Secret ballot"
    index = text_of(member.get("/meetings/"))
    assert re.search(r'href="/meetings/"[^>]*>(?:\s|<i [^>]*></i>)*Meetings\b', index)  # the menu
    assert "My meetings" in index and "Meeting calendar" in index
    assert "Cuộc họp của tôi" not in index and "Lịch họp" not in index
    page = text_of(member.get(f"/meetings/{mid}"))
    assert "Chair" in page and "Secretary" in page and "Lead handler" not in page
