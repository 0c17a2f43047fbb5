"""Province scale: two app processes share PostgreSQL and Redis (the Socket.IO message
queue); a change made through one reaches the clients of the other."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import LiveServer
from tests.meetings_support import RoomClient, build_meeting

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def test_an_agenda_change_through_one_process_reaches_the_clients_of_the_other(pg_url, redis_url, pg_commune,
                                                                             tmp_path):
    from docmgmt import create_app
    from docmgmt.extensions import db

    app = create_app(pg_commune)
    with app.app_context():
        meeting_id = build_meeting(status="live")
        db.session.remove()
        db.engine.dispose()

    env = {"XASO_DATABASE_URL": pg_url, "XASO_MESSAGE_QUEUE": redis_url,
           "XASO_MESSAGE_QUEUE_CHANNEL": f"xaso-test-{uuid.uuid4().hex[:8]}"}
    # Served as in production: gunicorn's gevent-websocket worker (psycopg waits cooperatively).
    first, second = LiveServer(tmp_path, env, gevent=True), LiveServer(tmp_path, env, gevent=True)
    made: list[RoomClient] = []
    try:
        chair = RoomClient(first.url, "chutich")
        member = RoomClient(second.url, "phochutich.kt")
        made += [chair, member]
        state = chair.call("join", {"meeting_id": meeting_id})["state"]
        assert member.call("join", {"meeting_id": meeting_id})["ok"]
        target = state["agenda"]["items"][1]
        reply = chair.call("move_item", {"meeting_id": meeting_id, "item_id": target["id"]})
        assert reply["ok"]
        event = member.wait_for(lambda e: e["seq"] == reply["seq"])
        assert event["kind"] == "agenda.current"
        assert event["data"]["agenda"]["current_item_id"] == target["id"]
        # And back the other way: a ballot cast through the second process shows on the first.
        vote_id = chair.call("open_vote", {"meeting_id": meeting_id, "item_id": target["id"],
                                           "question": "Thông qua kế hoạch"})["vote_id"]
        option = member.wait_for(lambda e: e["kind"] == "vote.opened")["data"]["votes"][0]["options"][0]["id"]
        cast = member.call("cast_ballot", {"meeting_id": meeting_id, "vote_id": vote_id, "option_id": option})
        tally = chair.wait_for(lambda e: e["seq"] == cast["seq"])["data"]["votes"][0]
        assert tally["options"][0]["count"] == 1
        # Both processes see one sequence with no gaps.
        assert chair.call("sync", {"meeting_id": meeting_id})["state"]["seq"] == \
            member.call("sync", {"meeting_id": meeting_id})["state"]["seq"] == cast["seq"]
    finally:
        for c in made:
            c.close()
        first.stop()
        second.stop()
