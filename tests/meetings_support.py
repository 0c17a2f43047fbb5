"""A small meeting of the test commune, built through the domain operations."""

from __future__ import annotations

from datetime import datetime, timedelta

from docmgmt.core.timeutil import VN_TZ
from tests.commune import user

MEMBERS = ("phochutich.kt", "phochutich.vx", "chanhvp", "truongkt")
GUESTS = ("cv.vp",)
OUTSIDER = "cv.kt1"  # same commune, not invited


def build_meeting(status: str = "live", items: int = 3, title: str = "Họp giao ban UBND xã tháng 11",
                  user=user):
    """Chair chutich, secretary thuky, four voting members, one guest; ``items`` agenda
    items; brought to ``status`` (draft, invited or live). Commits; returns the id.
    ``user`` finds a person by demo username (another commune's people: its own loader)."""
    from docmgmt.extensions import db
    from meetings import operations as ops

    chair, secretary = user("chutich"), user("thuky")
    starts = datetime.now(VN_TZ).replace(second=0, microsecond=0) + timedelta(hours=1)
    m = ops.create_meeting(secretary, ops.MeetingInput(
        title=title, starts_at=starts.replace(tzinfo=None), ends_at=(starts + timedelta(hours=2)).replace(tzinfo=None),
        location="Phòng họp tầng 2, trụ sở UBND xã", chair_id=chair.id, secretary_id=secretary.id,
        members=[user(u).id for u in MEMBERS], guests=[user(u).id for u in GUESTS],
    ))
    titles = ["Tình hình thực hiện nhiệm vụ kinh tế – xã hội tháng 11",
              "Kế hoạch chuyển đổi số, thay thế văn bản giấy trước 30/9",
              "Phương án phòng chống rét cho cây trồng vật nuôi vụ Đông"]
    for i in range(items):
        ops.add_item(secretary, m, titles[i % len(titles)], presenter_id=user(MEMBERS[i % len(MEMBERS)]).id,
                     duration_minutes=10 + 5 * i)
    if status in ("invited", "live"):
        ops.transition(secretary, m, "invite")
    if status == "live":
        ops.transition(chair, m, "start")
    db.session.commit()
    return m.id


# --- a participant's browser tab, as a python-socketio client over a real websocket ------------

class RoomClient:
    """Logs in through the login form, connects to /meetings over a websocket with the
    session cookie, and keeps every broadcast it receives."""

    def __init__(self, base_url: str, username: str, password: str = "xaso2026"):
        import re
        import threading

        import requests
        import socketio

        self.base_url, self.username = base_url, username
        http = requests.Session()
        html = http.get(base_url + "/login", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        r = http.post(base_url + "/login", data={"username": username, "password": password,
                                                 "csrf_token": token}, timeout=10)
        assert r.ok and "/login" not in r.url, f"login failed for {username}"
        self.cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        self.events: list[dict] = []
        self._arrived = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_event, namespace="/meetings")
        self.connect()

    _closing = None

    def connect(self) -> None:
        if self._closing is not None:
            self._closing.join(10)
            self._closing = None
        self.sio.connect(self.base_url, namespaces=["/meetings"], transports=["websocket"],
                         headers={"Cookie": self.cookie}, wait_timeout=10)

    def _on_event(self, payload: dict) -> None:
        with self._arrived:
            self.events.append(payload)
            self._arrived.notify_all()

    def call(self, event: str, data: dict | None = None, timeout: float = 10) -> dict:
        return self.sio.call(event, data, namespace="/meetings", timeout=timeout)

    def wait_for(self, predicate, timeout: float = 10) -> dict:
        """The first received broadcast matching ``predicate``."""
        import time

        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for e in self.events:
                    if predicate(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.username}: no matching broadcast in {timeout}s; got "
                                         f"{[(e['seq'], e['kind']) for e in self.events]}")
                self._arrived.wait(left)

    def close(self) -> None:
        """Disconnect without waiting out websocket-client's 3 s close handshake, which
        Werkzeug's development server never answers (the server has already seen the
        Engine.IO close packet and dropped the connection by then)."""
        import threading

        if self.sio.connected:
            self._closing = threading.Thread(target=self.sio.disconnect, daemon=True)
            self._closing.start()
            self._closing.join(0.3)


def room_with_business(template_instance, folder):
    """A copy of the test commune in ``folder`` with a live meeting that has a speech
    request and an open vote; returns every id an event may name."""
    import shutil

    from docmgmt import create_app
    from docmgmt.extensions import db
    from meetings import operations as ops
    from tests.conftest import instance_config

    shutil.copytree(template_instance, folder)
    app = create_app(instance_config(folder))
    with app.app_context():
        meeting_id = build_meeting(status="live")
        m = ops.get_visible(user("chutich"), meeting_id)
        item_id = m.items[0].id
        request_id = ops.request_speech(user("phochutich.kt"), m, "Xin phát biểu").id
        vote = ops.open_vote(user("chutich"), m, item_id, "Thông qua kế hoạch?")
        ids = {"meeting_id": meeting_id, "item_id": item_id, "request_id": request_id,
               "vote_id": vote.id, "option_id": vote.options[0].id, "user_id": user("chutich").id,
               "file_id": 1, "page": 1, "minutes": 5}
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids


def chair_in_a_live_room(template_instance, folder):
    """A server on ``room_with_business``'s commune with the chair joined to its meeting;
    yields (chair's RoomClient, ids) and stops both afterwards (fixtures ``yield from``)."""
    from tests.conftest import LiveServer

    ids = room_with_business(template_instance, folder)
    server = LiveServer(folder)
    chair = RoomClient(server.url, "chutich")
    assert chair.call("join", {"meeting_id": ids["meeting_id"]})["ok"]
    yield chair, ids
    chair.close()
    server.stop()
