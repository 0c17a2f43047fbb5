"""The live room over real websockets: python-socketio clients against a real server
process (gunicorn with deploy/gunicorn.conf.py, the server ``make run`` starts)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import LiveServer
from tests.meetings_support import OUTSIDER, RoomClient, build_meeting

pytestmark = pytest.mark.slow


@pytest.fixture
def meeting_id(db_session):
    mid = build_meeting(status="live")
    db_session.remove()
    return mid


@pytest.fixture
def clients(live_server):
    made: list[RoomClient] = []

    def make(username: str) -> RoomClient:
        c = RoomClient(live_server.url, username)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def joined(make, username: str, meeting_id: int) -> tuple[RoomClient, dict]:
    c = make(username)
    reply = c.call("join", {"meeting_id": meeting_id})
    assert reply["ok"], reply
    return c, reply["state"]


def test_a_visitor_without_a_session_is_refused(live_server, meeting_id):
    import socketio

    sio = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live_server.url, namespaces=["/meetings"], transports=["websocket"], wait_timeout=5)


def test_a_colleague_who_is_not_invited_cannot_join_nor_hear_the_room(clients, meeting_id):
    outsider = clients(OUTSIDER)
    reply = outsider.call("join", {"meeting_id": meeting_id})
    # Nothing tells them the meeting exists.
    assert reply["ok"] is False and reply["error"]["code"] == "not_found"
    assert reply["error"]["message"] == "Không tìm thấy cuộc họp."
    chair, state = joined(clients, "chutich", meeting_id)
    assert chair.call("move_item", {"meeting_id": meeting_id, "item_id": state["agenda"]["items"][1]["id"]})["ok"]
    chair.wait_for(lambda e: e["kind"] == "agenda.current")
    assert outsider.events == []
    # Acting without joining is refused the same way.
    reply = outsider.call("request_speech", {"meeting_id": meeting_id, "topic": "Xin phát biểu"})
    assert reply["error"]["code"] == "not_found"


def test_chair_moves_the_agenda_and_every_screen_follows_in_order(clients, meeting_id):
    chair, state = joined(clients, "chutich", meeting_id)
    member, member_state = joined(clients, "phochutich.kt", meeting_id)
    second = state["agenda"]["items"][1]
    reply = chair.call("move_item", {"meeting_id": meeting_id, "item_id": second["id"]})
    assert reply["ok"]
    event = member.wait_for(lambda e: e["kind"] == "agenda.current")
    assert event["data"]["agenda"]["current_item_id"] == second["id"]
    assert event["seq"] == reply["seq"] > member_state["seq"]
    # Sequence numbers have no gaps: what the member hears after its snapshot numbers on from
    # it (its own arrival, already in the snapshot, may still come by and is skipped).
    seqs = [e["seq"] for e in member.events if e["seq"] > member_state["seq"]]
    assert seqs == list(range(member_state["seq"] + 1, member_state["seq"] + 1 + len(seqs)))


def test_a_member_cannot_move_the_agenda_nor_open_a_vote(clients, meeting_id):
    member, state = joined(clients, "phochutich.kt", meeting_id)
    first, second = state["agenda"]["items"][:2]
    reply = member.call("move_item", {"meeting_id": meeting_id, "item_id": second["id"]})
    assert reply["ok"] is False and reply["error"]["code"] == "forbidden"
    reply = member.call("open_vote", {"meeting_id": meeting_id, "item_id": first["id"], "question": "Thông qua"})
    assert reply["error"]["code"] == "forbidden"
    after = member.call("sync", {"meeting_id": meeting_id})["state"]
    assert after["agenda"]["current_item_id"] == first["id"]
    assert after["votes"] == []


def test_bad_payloads_are_refused_with_a_reason(clients, meeting_id):
    chair, state = joined(clients, "chutich", meeting_id)
    assert chair.call("join", "họp")["error"]["code"] == "invalid_payload"
    assert chair.call("move_item", {"meeting_id": meeting_id, "item_id": "2"})["error"]["code"] == "invalid_payload"
    assert chair.call("move_item", {"meeting_id": meeting_id, "item_id": 99999})["error"]["code"] == "invalid_item"
    reply = chair.call("open_vote", {"meeting_id": meeting_id, "item_id": state["agenda"]["items"][0]["id"],
                                     "question": "Q", "options": ["Một"]})
    assert reply["error"]["code"] == "invalid_options" and reply["error"]["message"]
    assert chair.call("sync", {"meeting_id": meeting_id})["state"]["seq"] == state["seq"]


def test_one_ballot_per_member_with_a_live_tally(clients, meeting_id):
    chair, state = joined(clients, "chutich", meeting_id)
    member, _ = joined(clients, "chanhvp", meeting_id)
    guest, _ = joined(clients, "cv.vp", meeting_id)
    item = state["agenda"]["items"][0]
    opened = chair.call("open_vote", {"meeting_id": meeting_id, "item_id": item["id"],
                                      "question": "Thông qua báo cáo kinh tế – xã hội tháng 11"})
    vote = member.wait_for(lambda e: e["kind"] == "vote.opened")["data"]["votes"][0]
    approve = vote["options"][0]
    assert [o["label"] for o in vote["options"]] == ["Tán thành", "Không tán thành", "Không ý kiến"]
    assert member.call("cast_ballot", {"meeting_id": meeting_id, "vote_id": opened["vote_id"],
                                       "option_id": approve["id"]})["ok"]
    second = member.call("cast_ballot", {"meeting_id": meeting_id, "vote_id": opened["vote_id"],
                                         "option_id": vote["options"][1]["id"]})
    assert second["ok"] is False and second["error"]["code"] == "already_voted"
    assert guest.call("cast_ballot", {"meeting_id": meeting_id, "vote_id": opened["vote_id"],
                                      "option_id": approve["id"]})["error"]["code"] == "forbidden"
    tally = chair.wait_for(lambda e: e["kind"] == "vote.ballot")["data"]["votes"][0]
    assert [o["count"] for o in tally["options"]] == [1, 0, 0]
    assert tally["ballots"] == {str(tally["voted"][0]): approve["id"]}


def test_secret_ballots_cannot_be_tied_to_voters(clients, meeting_id, app):
    from docmgmt.audit.models import AuditEntry
    from docmgmt.extensions import db
    from meetings.models import Ballot, MeetingEvent

    chair, state = joined(clients, "chutich", meeting_id)
    voters = {name: joined(clients, name, meeting_id)[0] for name in ("phochutich.kt", "phochutich.vx", "chanhvp")}
    item = state["agenda"]["items"][0]
    vote_id = chair.call("open_vote", {"meeting_id": meeting_id, "item_id": item["id"], "secret": True,
                                       "question": "Bầu tổ trưởng tổ chuyển đổi số"})["vote_id"]
    options = chair.wait_for(lambda e: e["kind"] == "vote.opened")["data"]["votes"][0]["options"]
    choices = {"phochutich.kt": 0, "phochutich.vx": 1, "chanhvp": 0}
    for name, index in choices.items():
        assert voters[name].call("cast_ballot", {"meeting_id": meeting_id, "vote_id": vote_id,
                                                 "option_id": options[index]["id"]})["ok"]
    # While open, every screen sees how many voted, never the tally.
    last = chair.wait_for(lambda e: e["kind"] == "vote.ballot" and e["data"]["votes"][0]["cast"] == 3)
    assert [o["count"] for o in last["data"]["votes"][0]["options"]] == [None, None, None]
    assert "ballots" not in last["data"]["votes"][0]
    assert chair.call("close_vote", {"meeting_id": meeting_id, "vote_id": vote_id})["ok"]
    closed = chair.wait_for(lambda e: e["kind"] == "vote.closed")["data"]["votes"][0]
    assert [o["count"] for o in closed["options"]] == [2, 1, 0]
    with app.app_context():
        ballots = db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote_id)).all()
        assert len(ballots) == 3 and all(b.option_id is None for b in ballots)
        logged = db.session.scalars(sa.select(MeetingEvent).where(MeetingEvent.meeting_id == meeting_id,
                                                                  MeetingEvent.kind == "vote.ballot")).all()
        assert len(logged) == 3 and all("option_id" not in e.data and "votes" not in e.data for e in logged)
        for entry in db.session.scalars(sa.select(AuditEntry)):
            assert "option_id" not in (entry.data or {})


def test_a_client_that_reconnects_gets_the_current_state(clients, meeting_id):
    chair, state = joined(clients, "chutich", meeting_id)
    member, _ = joined(clients, "phochutich.vx", meeting_id)
    member.close()  # the commune's network drops
    third = state["agenda"]["items"][2]
    chair.call("move_item", {"meeting_id": meeting_id, "item_id": third["id"]})
    chair.call("save_conclusion", {"meeting_id": meeting_id, "item_id": third["id"],
                                   "text": "Giao phòng Kinh tế xây dựng phương án chống rét trước 30/11."})
    chair.call("request_speech", {"meeting_id": meeting_id, "topic": "Ý kiến về kinh phí"})
    member.connect()
    reply = member.call("join", {"meeting_id": meeting_id})
    again = reply["state"]
    assert again["agenda"]["current_item_id"] == third["id"]
    assert again["agenda"]["items"][2]["conclusion"].startswith("Giao phòng Kinh tế")
    assert [s["topic"] for s in again["speakers"]] == ["Ý kiến về kinh phí"]
    assert again["seq"] == chair.call("sync", {"meeting_id": meeting_id})["state"]["seq"]


def test_private_notes_reach_nobody_else(clients, meeting_id):
    chair, state = joined(clients, "chutich", meeting_id)
    member, _ = joined(clients, "truongkt", meeting_id)
    item = state["agenda"]["items"][0]
    # The member's arrival reaches the chair as presence; count from after it.
    chair.wait_for(lambda e: e["kind"] == "presence" and any(
        p["online"] and p["name"] == "Nguyễn Thị Lan" for p in e["data"]["participants"]))
    before = len(chair.events)
    assert member.call("save_note", {"meeting_id": meeting_id, "item_id": item["id"],
                                     "text": "Hỏi lại số liệu thu ngân sách"})["ok"]
    assert member.call("sync", {"meeting_id": meeting_id})["state"]["notes"] == {
        str(item["id"]): "Hỏi lại số liệu thu ngân sách"}
    assert chair.call("sync", {"meeting_id": meeting_id})["state"]["notes"] == {}
    assert len(chair.events) == before


def test_the_server_is_killed_mid_meeting_and_nothing_is_lost(instance, meeting_id):
    server = LiveServer(instance)
    made: list[RoomClient] = []
    try:
        chair = RoomClient(server.url, "chutich")
        member = RoomClient(server.url, "phochutich.kt")
        made += [chair, member]
        state = chair.call("join", {"meeting_id": meeting_id})["state"]
        member.call("join", {"meeting_id": meeting_id})
        second = state["agenda"]["items"][1]
        chair.call("move_item", {"meeting_id": meeting_id, "item_id": second["id"]})
        vote_id = chair.call("open_vote", {"meeting_id": meeting_id, "item_id": second["id"],
                                           "question": "Thông qua kế hoạch chuyển đổi số"})["vote_id"]
        option = chair.call("sync", {"meeting_id": meeting_id})["state"]["votes"][0]["options"][0]["id"]
        assert member.call("cast_ballot", {"meeting_id": meeting_id, "vote_id": vote_id, "option_id": option})["ok"]
        chair.call("save_conclusion", {"meeting_id": meeting_id, "item_id": second["id"],
                                       "text": "Thống nhất kế hoạch, giao Văn phòng tổ chức thực hiện."})
        assert member.call("request_speech", {"meeting_id": meeting_id, "topic": "Đề xuất bổ sung"})["ok"]
        assert member.call("check_in", {"meeting_id": meeting_id})["ok"]
        before = chair.call("sync", {"meeting_id": meeting_id})["state"]

        server.kill()
        server = LiveServer(instance, port=server.port)

        for c in made:
            c.close()
            c.connect()
        after = chair.call("join", {"meeting_id": meeting_id})["state"]
        member.call("join", {"meeting_id": meeting_id})
        for section in ("meeting", "agenda", "votes", "speakers", "presentation"):
            assert after[section] == before[section] or section == "agenda" and _same_agenda(after, before), section
        assert [p["checked_in"] for p in after["participants"]] == [p["checked_in"] for p in before["participants"]]
        assert after["seq"] >= before["seq"]
        # The ballot survived: a second one is still refused; numbering goes on without a gap.
        again = member.call("cast_ballot", {"meeting_id": meeting_id, "vote_id": vote_id, "option_id": option})
        assert again["error"]["code"] == "already_voted"
        third = state["agenda"]["items"][2]
        reply = chair.call("move_item", {"meeting_id": meeting_id, "item_id": third["id"]})
        event = member.wait_for(lambda e: e["seq"] == reply["seq"])
        assert event["kind"] == "agenda.current" and event["data"]["agenda"]["current_item_id"] == third["id"]
    finally:
        for c in made:
            c.close()
        server.stop()


def _same_agenda(a: dict, b: dict) -> bool:
    """The agenda, apart from the countdown's remaining seconds (time went by)."""
    def strip(state):
        return {**state["agenda"], "items": [{**i, "timer": {k: v for k, v in i["timer"].items() if k != "remaining"}}
                                             for i in state["agenda"]["items"]]}
    return strip(a) == strip(b)
