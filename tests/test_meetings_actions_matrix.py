"""Every role over every meeting state: the meeting page's lifecycle buttons and the live
room's ``may`` set are exactly what the operations accept.

The room's table (``state["may"]``: action → ids, or every participant / voter) is what
room.js reads; ``state["me"]["may"]`` is the same answer for the person asking.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from docmgmt.extensions import db
from meetings import access, live
from meetings import operations as ops
from meetings.models import Meeting, Vote
from meetings.workflow import LIVE_ACTIONS, TRANSITIONS
from tests.commune import accepted
from tests.conftest import DEMO_PASSWORD, login
from tests.meetings_support import build_meeting, user

PEOPLE = ["chutich", "thuky", "phochutich.kt", "truongkt", "cv.vp", "cv.kt1", "phochutich.vx", "vanthu",
          "quantri", "cv.lacson"]
RULE_CODES = {"forbidden", "not_found", "wrong_status", "not_live", "not_participant"}
BUTTON_RE = re.compile(r'data-testid="do-([a-z_]+)"')


def _meetings() -> dict[str, int]:
    ids = {status: build_meeting(status) for status in ("draft", "invited", "live")}
    for status, action in (("ended", "end"), ("cancelled", "cancel")):
        ids[status] = build_meeting("live" if status == "ended" else "invited")
        m = db.session.get(Meeting, ids[status])
        ops.transition(user("chutich"), m, action)
    # a participant who may not vote, a speaker queued, a vote open: every room action has its object
    m = db.session.get(Meeting, ids["live"])
    ops.request_speech(user("truongkt"), m, "Ý kiến về kế hoạch")
    ops.open_vote(user("chutich"), m, m.current_item_id, "Thông qua kế hoạch?")
    db.session.commit()
    return ids


def _room_attempts(actor, m: Meeting) -> dict:
    item = m.current_item or m.items[0]
    others = [p.user_id for p in m.participants if p.user_id != actor.id]
    speeches = ops._open_speeches(m)
    queued = next((r.id for r in speeches if r.status == "queued"), 0)
    mine = next((r.id for r in speeches if r.status == "queued" and r.user_id == actor.id), 0)
    speaking = next((r.id for r in speeches if r.status == "speaking"), 0)  # 0: none, refused by id
    vote = db.session.scalar(sa.select(Vote).where(Vote.meeting_id == m.id, Vote.status == "open"))
    option_id = vote.options[0].id if vote is not None else 0
    doc_file = next((d.stored_file_id for d in item.documents), 0)
    return {
        "check_in": lambda: ops.check_in(actor, m),
        "check_in_others": lambda: ops.check_in(actor, m, others[0]),
        "move_item": lambda: ops.move_item(actor, m, m.items[-1].id),
        "present": lambda: ops.present(actor, m, doc_file, 1),
        "request_speech": lambda: ops.request_speech(actor, m, "Xin phát biểu"),
        "withdraw_speech": lambda: ops.withdraw_speech(actor, m, mine),
        "grant_speech": lambda: ops.grant_speech(actor, m, queued),
        "end_speech": lambda: ops.end_speech(actor, m, speaking),
        "decline_speech": lambda: ops.decline_speech(actor, m, queued),
        "open_vote": lambda: ops.open_vote(actor, m, item.id, "Biểu quyết thông qua?"),
        "cast_ballot": lambda: ops.cast_ballot(actor, m, vote.id if vote else 0, option_id),
        "close_vote": lambda: ops.close_vote(actor, m, vote.id if vote else 0),
        "save_note": lambda: ops.save_note(actor, m, item.id, "Ghi chú riêng"),
        "save_conclusion": lambda: ops.save_conclusion(actor, m, item.id, "Thống nhất thông qua."),
        "timer": lambda: ops.timer(actor, m, item.id, "extend", 5),
    }


def test_meeting_buttons_and_room_may_match_the_operations_for_every_role_and_state(app):
    with app.test_request_context():
        ids = _meetings()
    clients = {}
    for name in PEOPLE:
        clients[name] = app.test_client()
        assert login(clients[name], name, "matkhau-lacson" if name.endswith(".lacson") else DEMO_PASSWORD)\
            .status_code == 302
    checked = 0
    for status, meeting_id in ids.items():
        for name in PEOPLE:
            page = clients[name].get(f"/meetings/{meeting_id}")
            with app.test_request_context():
                actor, m = user(name), db.session.get(Meeting, meeting_id)
                offered = access.available_actions(actor, m)
                if not access.can_view(actor, m):
                    assert page.status_code == 404 and offered == frozenset(), (status, name)
                else:
                    shown = set(BUTTON_RE.findall(page.get_data(as_text=True)))
                    assert shown == offered & TRANSITIONS.keys(), (status, name, shown, offered)
                for action in TRANSITIONS:
                    m = db.session.get(Meeting, meeting_id)
                    ok = accepted(lambda a=action, mm=m, who=actor: ops.transition(who, mm, a), RULE_CODES)
                    assert ok == (action in offered), (status, name, action)
                    checked += 1
                # the room: what the snapshot says I may, and what the operations accept
                m = db.session.get(Meeting, meeting_id)
                if not m.is_participant(actor):
                    continue
                state = live.snapshot(m, actor)
                may = set(state["me"]["may"])
                for action, attempt in _room_attempts(actor, m).items():
                    m = db.session.get(Meeting, meeting_id)
                    assert accepted(attempt, RULE_CODES) == (action in may), (status, name, action, sorted(may))
                    checked += 1
                assert may <= LIVE_ACTIONS.keys() | set(access.ROOM_LIFECYCLE)
    assert checked > 300


def test_moving_the_agenda_tells_every_screen_who_may_present_now(app):
    """The presenter changes with the item: the broadcast that moves the agenda carries
    the new "may" table, so room.js shows the presenter's controls without a reload."""
    with app.test_request_context():
        m = db.session.get(Meeting, build_meeting("live"))
        first, second = m.items[0], m.items[1]
        assert access.room_table(m)["present"] == sorted({m.chair_id, m.secretary_id, first.presenter_id})
        payload = None
        ops.move_item(user("chutich"), m, second.id)
        payload = db.session.info[live.PENDING_KEY][-1][1]
        assert "may" in payload["data"]
        assert second.presenter_id in payload["data"]["may"]["present"]
        assert first.presenter_id not in payload["data"]["may"]["present"]
        assert payload["data"]["may"]["cast_ballot"] == "voters"
        db.session.rollback()
