#!/usr/bin/env python3
"""Kill the server with SIGKILL at random moments under load, restart it, then check.

    .venv/bin/python scripts/crash_test.py [--kills 50] [--seed 1] [--instance DIR] [--keep]

A fresh instance (``flask db upgrade``, ``flask seed-demo``) is served the way
``scripts/run`` serves it (``flask run``: threads, SQLite, the Socket.IO room; ``flask
worker`` beside it). Three clients work on it at once, each through its real door:

* a clerk registers incoming documents through the API with a token — PDF and PNG
  uploads, now and then a confidential paper entry or scans added to an earlier one;
* an outgoing document goes drafter → head of unit → leader → signature → issuance,
  one API call per step with each person's token (after a crash the client reads the
  document's status and carries on from there);
* a chair and a member work a live meeting over Socket.IO: agenda moves, votes opened,
  ballots cast, votes closed.

Between kills the server runs until every client has had an operation acknowledged
since its restart, then for a random moment more; the kill is ``SIGKILL`` of the server
and the worker (no cleanup, as a power cut or the OOM killer would). After the last
restart the load stops, the server and worker are stopped, and

* ``flask check`` (full SHA-256, grace 0) runs on the instance: every *inconsistency*
  it reports counts; *leftovers* (files written by a transaction the kill cut short,
  index jobs not yet applied) are counted apart, then removed with ``check --repair``;
* every operation the server acknowledged (2xx, or a room reply with its sequence
  number) is looked up in the database: one that is missing counts as an inconsistency.

The last line of output is one JSON object: kills, inconsistencies, leftovers,
operations attempted (those a kill cut short included), succeeded (per kind), seconds,
the machine's load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "xaso2026"
CHECK_TIMEOUT_S = 600


def log(message: str) -> None:
    print(message, flush=True)


# --- the server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``flask run`` and ``flask worker`` on the instance, as scripts/run starts them;
    output in server.log and worker.log. A kill takes both down, as a power cut would."""

    def __init__(self, env: dict[str, str], instance: Path) -> None:
        self.env, self.port = env, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(instance / "server.log", "ab")  # noqa: SIM115 - kept open across restarts
        self.worker_log = open(instance / "worker.log", "ab")  # noqa: SIM115
        self.proc: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> float:
        started = time.monotonic()
        flask = [sys.executable, "-m", "flask", "--app", "docmgmt"]
        self.proc = subprocess.Popen([*flask, "run", "--port", str(self.port), "--no-reload", "--no-debugger"],
                                     cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.worker = subprocess.Popen([*flask, "worker"], cwd=ROOT, env=self.env, stdout=self.worker_log,
                                       stderr=subprocess.STDOUT)
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                self.worker.kill()
                raise RuntimeError(f"the server exited with {self.proc.returncode}: see server.log")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5):
                    return time.monotonic() - started
            except urllib.error.HTTPError:  # 503: up, reporting a problem
                return time.monotonic() - started
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        self.worker.kill()
        raise RuntimeError(f"the server did not answer within {timeout} s")

    def kill(self) -> None:
        for proc in (self.proc, self.worker):
            assert proc is not None
            os.kill(proc.pid, signal.SIGKILL)
        for proc in (self.proc, self.worker):
            proc.wait(30)

    def stop(self) -> None:
        for proc in (self.proc, self.worker):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        self.log.close()
        self.worker_log.close()


# --- bookkeeping shared by the clients -------------------------------------------------------

class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.successes = 0
        self.by_client: dict[str, int] = defaultdict(int)  # successes per client thread
        self.interrupted: dict[str, int] = defaultdict(int)  # calls cut short by a kill, per client
        self.errors: list[str] = []
        # What the server acknowledged, to be found in the database at the end.
        self.registered: dict[int, int | None] = {}  # incoming id → số đến
        self.attached: dict[int, int] = defaultdict(int)  # incoming id → files acknowledged
        self.issued: dict[int, int] = {}  # outgoing id → số đi
        self.meeting_seqs: set[int] = set()

    def note(self, kind: str, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.counts[kind]["attempted"] += 1
            self.counts[kind][outcome] += 1
            if outcome == "succeeded":
                self.successes += 1
                self.by_client[threading.current_thread().name] += 1
            elif outcome in ("server_error", "refused") and len(self.errors) < 50:
                self.errors.append(f"{kind} {outcome}: {detail[:300]}")


class Interrupted(Exception):
    """The server went away during the call (the kill)."""


class Load(threading.Thread):
    """A client: loops over its work until stopped; waits out each restart."""

    def __init__(self, name: str, server: Server, up: threading.Event, stop: threading.Event,
                 tally: Tally, seed: int) -> None:
        super().__init__(name=name, daemon=True)
        self.server, self.up, self.stop_event, self.tally = server, up, stop, tally
        self.rng = random.Random(seed)
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                self.up.wait()
                try:
                    self.step()
                except Interrupted:
                    with self.tally.lock:
                        self.tally.interrupted[self.name] += 1
                    self.recover()
        except BaseException as exc:  # noqa: BLE001 - reported at the end
            self.failure = exc

    def step(self) -> None:
        raise NotImplementedError

    def recover(self) -> None:
        """Wait for the server to come back."""
        while not self.stop_event.is_set() and not self.up.wait(0.5):
            pass


class Api:
    """One person's token over HTTP."""

    def __init__(self, server: Server, token: str) -> None:
        import requests

        self.server, self.http = server, requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kw):
        import requests

        try:
            return self.http.request(method, self.server.url + "/api/v1" + path, timeout=120, **kw)
        except requests.RequestException as exc:  # refused, reset, cut short: the kill
            raise Interrupted(str(exc)) from None


def _outcome(response, ok: tuple[int, ...] = (200, 201)) -> str:
    if response.status_code in ok:
        return "succeeded"
    return "server_error" if response.status_code >= 500 else "refused"


class Registrar(Load):
    """The clerk: registrations with files through the API."""

    def __init__(self, *args, token: str, **kw) -> None:
        super().__init__(*args, **kw)
        self.api = Api(self.server, token)
        self.n = 0
        self.with_files: list[int] = []

    def step(self) -> None:
        from tests.files_helpers import make_pdf, make_png

        self.n += 1
        n, roll = self.n, self.rng.random()
        if roll < 0.15 and self.with_files:
            doc_id = self.rng.choice(self.with_files)  # a confidential entry takes no file
            files = [("files", (f"bo-sung-{n}.pdf", make_pdf(f"Bản quét bổ sung {n} {self.name}"),
                                "application/pdf"))]
            r = self.api.call("POST", f"/incoming/{doc_id}/files", files=files)
            self.tally.note("attach", _outcome(r), r.text)
            if r.status_code == 201:
                with self.tally.lock:
                    self.tally.attached[doc_id] += 1
            return
        form = {"sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": f"{n}/SNV-{self.name}",
                "issue_date": date.today().isoformat(), "doc_type": "cong_van"}
        files = []
        if roll < 0.25:
            form.update(confidentiality="mat", paper_holder="Văn thư")
        else:
            form.update(subject=f"Về việc kiểm thử sự cố, văn bản {n}", signer="Nguyễn Văn An")
            files.append(("files", (f"cong-van-{n}.pdf", make_pdf(f"Công văn {n} {self.name} {roll}"),
                                    "application/pdf")))
            if roll > 0.7:
                files.append(("files", ("phu-luc.png", make_png(), "image/png")))
        r = self.api.call("POST", "/incoming", data=form, files=files or None)
        self.tally.note("register", _outcome(r, (201,)), r.text)
        if r.status_code == 201:
            body = r.json()
            with self.tally.lock:
                self.tally.registered[body["id"]] = body["arrival_number"]
            if files:
                self.with_files.append(body["id"])


class Issuer(Load):
    """An outgoing document from draft to issuance, one API call per step."""

    def __init__(self, *args, tokens: dict[str, str], signer_id: int, unit_id: int, **kw) -> None:
        super().__init__(*args, **kw)
        self.apis = {who: Api(self.server, token) for who, token in tokens.items()}
        self.signer_id, self.unit_id = signer_id, unit_id
        self.doc_id: int | None = None
        self.n = 0

    def step(self) -> None:
        from tests.files_helpers import make_pdf

        if self.doc_id is None:
            self.n += 1
            form = {"doc_type": "cong_van", "subject": f"Về việc báo cáo kiểm thử sự cố số {self.n}",
                    "signer_id": str(self.signer_id), "recipients": [f"unit:{self.unit_id}"]}
            pdf = make_pdf(f"Dự thảo {self.n} {self.rng.random()}")
            r = self.apis["drafter"].call("POST", "/outgoing", data=form,
                                          files=[("file", ("du-thao.pdf", pdf, "application/pdf"))])
            self.tally.note("draft", _outcome(r, (201,)), r.text)
            if r.status_code == 201:
                self.doc_id = r.json()["id"]
            return
        doc = self.apis["drafter"].call("GET", f"/outgoing/{self.doc_id}")
        if doc.status_code != 200:
            self.tally.note("read", _outcome(doc), doc.text)
            self.doc_id = None
            return
        status = doc.json()["status"]
        if status == "issued":
            with self.tally.lock:
                self.tally.issued.setdefault(self.doc_id, doc.json()["number"])
            self.doc_id = None
            return
        if status == "draft":
            kind, who, path, body = "submit", "drafter", "submit", {}
        elif status == "reviewing":
            head = self.apis["head"].call("GET", f"/outgoing/{self.doc_id}")
            who = "head" if head.status_code == 200 and "approve" in head.json()["actions"] else "leader"
            kind, path, body = "approve", "approve", {"comment": "Đồng ý"}
        elif status == "approved":
            kind, who, path, body = "sign", "leader", "sign", None
        elif status == "signed":
            kind, who, path, body = "issue", "clerk", "issue", {}
        else:  # returned or recalled: nobody in this test does that; start another
            self.tally.note("unexpected_status", "refused", status)
            self.doc_id = None
            return
        r = self.apis[who].call("POST", f"/outgoing/{self.doc_id}/{path}", json=body)
        self.tally.note(kind, _outcome(r), r.text)
        if kind == "issue" and r.status_code == 200:
            with self.tally.lock:
                self.tally.issued[self.doc_id] = r.json()["number"]


class Meeting(Load):
    """The chair and a member in a live meeting, over Socket.IO."""

    def __init__(self, *args, meeting_id: int, **kw) -> None:
        super().__init__(*args, **kw)
        self.meeting_id = meeting_id
        self.chair = self.member = None
        self.joined = False

    def _connect(self) -> None:
        """Back into the room: with the session it has (sessions outlive the server
        process), or by logging in again."""
        from tests.meetings_support import RoomClient

        for attr, username in (("chair", "chutich"), ("member", "phochutich.kt")):
            client = getattr(self, attr)
            try:
                try:
                    if client is None:
                        raise LookupError("not logged in yet")
                    client.close()
                    client.connect()
                except Exception:  # noqa: BLE001 - the session is gone: log in again
                    client = RoomClient(self.server.url, username, PASSWORD)
            except Exception as exc:  # noqa: BLE001 - connection refused: the server is down
                raise Interrupted(f"{username}: {exc}") from None
            setattr(self, attr, client)
            if not self._call(client, "join").get("ok"):
                raise Interrupted(f"{username} could not join")
        self.joined = True

    def _call(self, client, event: str, **data) -> dict:
        """Like ``sio.call``, but gives up as soon as the connection drops (a reply
        that will never come because the server was killed) instead of timing out."""
        answered, replies = threading.Event(), []

        def ack(*args) -> None:
            replies.append(args[0] if args else {})
            answered.set()

        try:
            client.sio.emit(event, {"meeting_id": self.meeting_id, **data}, namespace="/meetings", callback=ack)
        except Exception as exc:  # noqa: BLE001 - not connected: the kill
            raise Interrupted(f"{event}: {exc}") from None
        deadline = time.monotonic() + 120
        while not answered.wait(0.05):
            if not client.sio.connected or time.monotonic() > deadline:
                raise Interrupted(f"{event}: connection lost")
        return replies[0]

    def _act(self, client, kind: str, **data) -> dict:
        reply = self._call(client, kind, **data)
        if reply.get("ok"):
            self.tally.note(kind, "succeeded")
            if "seq" in reply:
                with self.tally.lock:
                    self.tally.meeting_seqs.add(reply["seq"])
        else:
            code = (reply.get("error") or {}).get("code", "")
            self.tally.note(kind, "server_error" if code == "internal_error" else "refused", json.dumps(reply))
        return reply

    def recover(self) -> None:
        self.joined = False
        super().recover()

    def step(self) -> None:
        if not self.joined:
            self._connect()
        state = self._call(self.chair, "sync")["state"]
        open_votes = [v for v in state["votes"] if v["status"] == "open"]
        if open_votes:
            vote = open_votes[0]
            if not vote["voted"] and self.rng.random() < 0.6:  # the member's (only) ballot
                self._act(self.member, "cast_ballot", vote_id=vote["id"], option_id=vote["options"][0]["id"])
            self._act(self.chair, "close_vote", vote_id=vote["id"])
            return
        items = [i["id"] for i in state["agenda"]["items"]]
        if self.rng.random() < 0.5:
            self._act(self.chair, "move_item", item_id=self.rng.choice(items))
        else:
            item = state["agenda"]["current_item_id"] or items[0]
            self._act(self.chair, "open_vote", item_id=item, question=f"Biểu quyết {self.rng.random():.6f}")


# --- preparing the instance ------------------------------------------------------------------

def flask(env: dict[str, str], *args: str, timeout: float = CHECK_TIMEOUT_S) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "docmgmt", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def prepare(env: dict[str, str], seeded: bool) -> tuple:
    """Migrate and load the demo commune (unless the instance is a copy of a seeded one),
    then make tokens and a live meeting (in this process)."""
    for args in () if seeded else (("db", "upgrade"), ("seed-demo",)):
        done = flask(env, *args)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    from docmgmt import create_app
    from docmgmt.auth.operations import create_token
    from docmgmt.extensions import db
    from tests.commune import unit, user
    from tests.meetings_support import build_meeting

    app = create_app()
    with app.test_request_context():
        tokens = {}
        for who, username in (("clerk", "vanthu"), ("drafter", "cv.kt1"), ("head", "truongkt"),
                              ("leader", "chutich")):
            _token, tokens[who] = create_token(user(username), "crash test")
        db.session.commit()
        meeting_id = build_meeting(status="live", title="Họp kiểm thử sự cố")
        prepared = {"tokens": tokens, "meeting_id": meeting_id, "signer_id": user("chutich").id,
                    "unit_id": unit("VHXH").id}
        db.session.remove()
        db.engine.dispose()
    return app, prepared


def acknowledged_but_lost(app, tally: Tally) -> list[str]:
    """Every acknowledged operation, looked up in the database."""
    import sqlalchemy as sa

    from docmgmt.extensions import db
    from docmgmt.incoming.models import IncomingDocument, IncomingFile
    from docmgmt.outgoing.models import OutgoingDocument
    from meetings.models import MeetingEvent

    lost = []
    with app.app_context():
        numbers = dict(db.session.execute(sa.select(IncomingDocument.id, IncomingDocument.arrival_number)).all())
        for doc_id, number in tally.registered.items():
            if doc_id not in numbers or numbers[doc_id] != number:
                lost.append(f"incoming #{doc_id} (số đến {number}) acknowledged, not in the database")
        files = dict(db.session.execute(sa.select(IncomingFile.document_id, sa.func.count())
                                        .group_by(IncomingFile.document_id)).all())
        for doc_id, added in tally.attached.items():
            if files.get(doc_id, 0) < added:
                lost.append(f"incoming #{doc_id}: {added} file(s) attached and acknowledged, "
                            f"{files.get(doc_id, 0)} in the database")
        issued = {i: (s, n) for i, s, n in db.session.execute(
            sa.select(OutgoingDocument.id, OutgoingDocument.status, OutgoingDocument.number))}
        for doc_id, number in tally.issued.items():
            if issued.get(doc_id) != ("issued", number):
                lost.append(f"outgoing #{doc_id} issued as {number} and acknowledged; database: {issued.get(doc_id)}")
        seqs = set(db.session.scalars(sa.select(MeetingEvent.seq)))
        lost += [f"meeting event {s} acknowledged, not in the log" for s in sorted(tally.meeting_seqs - seqs)]
        db.session.remove()
        db.engine.dispose()
    return lost


def run_check(env: dict[str, str], *extra: str) -> dict:
    done = flask(env, "check", "--json", "--grace", "0", *extra)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"flask check printed nothing:\n{done.stderr}")
    return json.loads(lines[-1])


def wait_for_work(tally: Tally, clients: list[Load], patience: float = 120) -> None:
    """Until every client has had an operation acknowledged since now (a client still
    stuck after ``patience`` seconds is not waited for, as long as another got through)."""
    before = {c.name: tally.by_client[c.name] for c in clients}
    deadline = time.monotonic() + patience
    while True:
        if any(c.failure for c in clients):
            raise RuntimeError("; ".join(f"{c.name}: {c.failure!r}" for c in clients if c.failure))
        moved = [c for c in clients if tally.by_client[c.name] > before[c.name]]
        if len(moved) == len(clients) or (moved and time.monotonic() > deadline):
            return
        if time.monotonic() > deadline + patience:
            raise RuntimeError(f"no operation acknowledged for {2 * patience:.0f} s")
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="how many times to SIGKILL the server")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random moments and choices")
    parser.add_argument("--instance", type=Path, help="instance folder to create (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder afterwards")
    parser.add_argument("--template", type=Path,
                        help="start from a copy of this migrated instance holding the demo commune "
                             "(the tests' template) instead of `db upgrade` and `seed-demo`")
    parser.add_argument("--max-pause", type=float, default=1.5,
                        help="longest random wait (s) before a kill, once a request has succeeded")
    args = parser.parse_args(argv)

    started = time.monotonic()
    rng = random.Random(args.seed)
    instance = args.instance or Path(tempfile.mkdtemp(prefix="xaso-crash-"))
    if instance.exists() and any(instance.iterdir()):
        parser.error(f"{instance} is not empty")
    if args.template:
        if instance.exists():
            instance.rmdir()
        shutil.copytree(args.template, instance, symlinks=True)  # the index's `current` is a symlink
    instance.mkdir(parents=True, exist_ok=True)
    instance = instance.resolve()
    os.environ["XASO_INSTANCE"] = str(instance)
    os.environ.pop("XASO_DATABASE_URL", None)  # the embedded default: SQLite in the instance
    env = {**os.environ, "XASO_DEMO": "1"}
    log(f"instance {instance}: " + (f"a copy of {args.template}" if args.template
                                    else "migrating and loading the demo commune …"))
    app, prepared = prepare(env, seeded=bool(args.template))

    server = Server(env, instance)
    up, stop, tally = threading.Event(), threading.Event(), Tally()
    restarts: list[float] = [server.start()]
    up.set()
    common = dict(server=server, up=up, stop=stop, tally=tally)
    clients: list[Load] = [
        Registrar("registrar", seed=args.seed * 10 + 1, token=prepared["tokens"]["clerk"], **common),
        Issuer("issuer", seed=args.seed * 10 + 2, tokens=prepared["tokens"], signer_id=prepared["signer_id"],
               unit_id=prepared["unit_id"], **common),
        Meeting("meeting", seed=args.seed * 10 + 3, meeting_id=prepared["meeting_id"], **common),
    ]
    for client in clients:
        client.start()
    kills = 0
    try:
        for _ in range(args.kills):
            wait_for_work(tally, clients)
            pause = rng.uniform(0, args.max_pause)
            time.sleep(pause)
            up.clear()
            server.kill()
            kills += 1
            restarts.append(server.start())
            up.set()
            log(f"kill {kills}/{args.kills} after {pause:.2f} s; restarted in {restarts[-1]:.1f} s; "
                f"{tally.successes} operations acknowledged so far")
        wait_for_work(tally, clients)  # some after the last restart; then stop as an operator would
    finally:
        stop.set()
        up.set()
        for client in clients:
            client.join(180)
            if isinstance(client, Meeting):
                for room in (client.chair, client.member):
                    if room is not None:
                        room.close()
        with contextlib.suppress(OSError):  # as monitoring does: /healthz applies queued index jobs
            urllib.request.urlopen(server.url + "/healthz", timeout=60).close()
        server.stop()

    failures = [f"{c.name}: {type(c.failure).__name__}: {c.failure}" for c in clients if c.failure]
    log("checking the instance (full SHA-256) …")
    report = run_check(env)
    problems = [f"{f['area']}/{f['kind']}: {f['message']}" for area in report["areas"].values()
                for f in area["findings"] if not f["debris"]]
    leftovers = [f"{f['area']}/{f['kind']}: {f['message']}" for area in report["areas"].values()
                 for f in area["findings"] if f["debris"]]
    lost = acknowledged_but_lost(app, tally)
    repaired = run_check(env, "--repair") if leftovers else report
    after = run_check(env) if leftovers else report
    for line in problems + lost + failures:
        log(f"INCONSISTENCY {line}")
    for line in leftovers:
        log(f"leftover {line}")
    for line in tally.errors:
        log(f"error {line}")
    counts = {kind: dict(c) for kind, c in sorted(tally.counts.items())}
    result = {
        "kills": kills,
        "inconsistencies": len(problems) + len(lost) + len(failures),
        "lost_acknowledged": len(lost),
        "leftovers": len(leftovers),
        "leftovers_repaired": repaired.get("repaired", 0),
        "check_ok_after_repair": after["ok"],
        "attempted": sum(c.get("attempted", 0) for c in counts.values()) + sum(tally.interrupted.values()),
        "succeeded": sum(c.get("succeeded", 0) for c in counts.values()),
        "interrupted": dict(tally.interrupted),
        "server_errors": sum(c.get("server_error", 0) for c in counts.values()),
        "acknowledged": {"registered": len(tally.registered), "issued": len(tally.issued),
                         "meeting_events": len(tally.meeting_seqs)},
        "operations": counts,
        "restart_seconds_max": round(max(restarts), 1),
        "seconds": round(time.monotonic() - started, 1),
        "seed": args.seed,
        "load": [round(x, 2) for x in os.getloadavg()],
        "instance": str(instance) if (args.keep or args.instance) else None,
    }
    if not (args.keep or args.instance):
        shutil.rmtree(instance, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0 if result["inconsistencies"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
