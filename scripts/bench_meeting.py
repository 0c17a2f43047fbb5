"""How fast an agenda change reaches every screen of a live meeting.

The chair moves the meeting to another agenda item (Socket.IO ``move_item`` on the
``/meetings`` namespace); every client in the meeting's room then receives an
``"event"`` with ``kind: "agenda.current"``. This script measures, per change, when the
LAST of N connected clients got it, and compares that with a plain ``websockets``
broadcast of a payload of the same size to the same number of clients, in the same run.

Setup (self-contained, nothing downloaded): a fresh temporary instance folder
(XASO_INSTANCE, XASO_DEMO=1), ``flask db upgrade``, ``flask seed-demo``, then a live
meeting with 3 agenda items built in-process through meetings.operations (chair
chutich, secretary thuky, four voting members, as tests/meetings_support.py does).
The app is served as ``make run`` (scripts/run) and production serve it: ``gunicorn -c
deploy/gunicorn.conf.py -w 1`` (gevent-websocket worker), one process per ``--servers``;
``--serve threading`` is a bare ``flask run`` (Werkzeug threads + simple-websocket).

Clients are raw ``websockets`` (asyncio) connections speaking Engine.IO v4 / Socket.IO v5
by hand, spread over ``--client-procs`` processes, authenticated with the Flask session
cookie of the six voting participants (round-robin; each logs in once through the
login form). They connect and ``join`` in batches, answer Engine.IO pings and stamp
``time.monotonic()`` (CLOCK_MONOTONIC, comparable across processes) on the arrival of
each ``agenda.current``. The driver (chutich, not in the room) emits ``move_item`` to
alternate items; t0 is taken just before the send. Per round: the last client's
arrival − t0; a (client, round) pair that did not arrive within ``--timeout`` counts as
missed. p50/p99 are over rounds (linear-interpolated percentiles).

Baseline: a ``websockets`` server in its own process that, told by the driver, sends
the same Socket.IO frame (same size, its own seq) to all N clients with
``websockets.broadcast``; the same kind of client processes and measurement. After a
few warm-up changes the rounds alternate (app, baseline[, bare]) so that both see the
same machine load. ratio = p99 / baseline_p99. ``--bare`` adds python-socketio alone on
the threading stack (no Flask app, no database) to separate framework from app cost.
Compression is whatever client and server negotiate (permessage-deflate, as browsers
do) unless ``--no-compression``: the baseline and simple-websocket (``--serve threading``,
``--bare``) accept it, gevent-websocket (the default serving) never does. Also reported:
first client's arrival, the driver's acknowledgement (the handler's end), server CPU per
round (/proc) and client CPU. A change not acknowledged within ``--ack-timeout`` counts
as missed by every client.

Goal (issue): 200 clients p99 <= 50 ms and <= 3x the baseline; 1,000 clients, none missed.

Usage:
  .venv/bin/python scripts/bench_meeting.py --clients 200
  .venv/bin/python scripts/bench_meeting.py --clients 1000
  .venv/bin/python scripts/bench_meeting.py --clients 200 --servers 2 \\
      --message-queue redis://127.0.0.1:6379/0
  .venv/bin/python scripts/bench_meeting.py --database-url \\
      postgresql+psycopg://postgres@127.0.0.1:5432/xaso_bench   # created and dropped

Human-readable lines first; the LAST line is one JSON object: clients, rounds, servers,
database, p50_ms, p99_ms, missed, baseline_p50_ms, baseline_p99_ms, ratio (and a few
more diagnostics). Exits non-zero only when the setup fails, not on a missed goal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookiejar
import json
import math
import multiprocessing as mp
import os
import queue
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
NAMESPACE = "/meetings"
EVENT_PREFIX = f"42{NAMESPACE},"
ACK_PREFIX = f"43{NAMESPACE},"
CHAIR = "chutich"
VOTERS = ("chutich", "thuky", "phochutich.kt", "phochutich.vx", "chanhvp", "truongkt")
PASSWORD = "xaso2026"


class SetupError(Exception):
    pass


def log(msg: str) -> None:
    print(msg, flush=True)


def raise_nofile(want: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# --- clients (run in worker processes) ------------------------------------------------------

async def _recv_until(ws, prefix: str, timeout: float) -> str:
    """Read frames until one starts with ``prefix``; answer Engine.IO pings meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        msg = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
        if msg == "2":
            await ws.send("3")
        elif msg.startswith(prefix):
            return msg
        elif msg.startswith(f"44{NAMESPACE},"):
            raise SetupError(f"namespace refused: {msg}")


async def sio_handshake(ws, timeout: float = 60) -> None:
    opening = await asyncio.wait_for(ws.recv(), timeout)
    if not opening.startswith("0{"):
        raise SetupError(f"no Engine.IO open packet: {opening[:80]!r}")
    await ws.send(f"40{NAMESPACE},")
    await _recv_until(ws, f"40{NAMESPACE},", timeout)


async def sio_call(ws, ack_id: int, event: str, data: dict, timeout: float = 60) -> dict:
    await ws.send(f"42{NAMESPACE},{ack_id}" + json.dumps([event, data], separators=(",", ":")))
    reply = await _recv_until(ws, f"{ACK_PREFIX}{ack_id}[", timeout)
    return json.loads(reply[len(ACK_PREFIX) + len(str(ack_id)):])[0]


def client_worker(wid: int, cfg: dict, ctrl, events) -> None:
    """One process holding a share of the clients, each on one asyncio loop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cleans up
    raise_nofile(len(cfg["clients"]) * 2 + 256)
    try:
        asyncio.run(_client_main(wid, cfg, ctrl, events))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        events.put(("error", wid, f"{type(exc).__name__}: {exc}"))


# ["event",{"meeting_id":1,"seq":7,"kind":"agenda.current", … as python-socketio encodes it.
AGENDA_CURRENT = re.compile(r'\["event",\{"meeting_id":\s*\d+,\s*"seq":\s*(\d+),\s*"kind":\s*"agenda\.current"')


async def _client_main(wid: int, cfg: dict, ctrl, events) -> None:
    import websockets

    mode = cfg["mode"]
    clients = cfg["clients"]  # [(index, url, cookie)]
    n_local = len(clients)
    arrivals: dict[int, list[float]] = {}
    sample: list[str] = []
    conns: list = []
    dropped = [0]
    live = [0]  # connections still open
    reported: set[int] = set()
    closing = [False]
    drops: list[str] = []

    def check(seq: int) -> None:
        if seq not in reported and len(arrivals.get(seq, ())) >= live[0]:
            reported.add(seq)
            events.put(("done", wid, seq))

    async def reader(ws) -> None:
        """Stamps arrivals; answers Engine.IO pings (from the moment the client is in)."""
        try:
            async for msg in ws:
                if msg.startswith(EVENT_PREFIX):
                    t = time.monotonic()
                    # Only the head of the frame is read (no JSON decoding of the whole
                    # state), so the clients, which share the machine, cost little.
                    head = AGENDA_CURRENT.match(msg, len(EVENT_PREFIX))
                    if head:
                        seq = int(head.group(1))
                        arrivals.setdefault(seq, []).append(t)
                        if not sample:
                            sample.append(msg)
                        check(seq)
                elif msg == "2":
                    await ws.send("3")
        except websockets.ConnectionClosed:
            pass
        finally:
            if not closing[0]:
                dropped[0] += 1
                live[0] -= 1
                drops.append(f"close code {ws.close_code} {ws.close_reason!r}")
                for seq in list(arrivals):
                    check(seq)

    async def open_one(url: str, cookie: str):
        ws = await websockets.connect(
            url, additional_headers={"Cookie": cookie} if cookie else None,
            compression=cfg["compression"], ping_interval=None, open_timeout=60,
            close_timeout=5, max_size=None, max_queue=None)
        try:
            if mode == "sio":
                await sio_handshake(ws)
                ack = await sio_call(ws, 1, "join", {"meeting_id": cfg["meeting_id"]})
                if not ack.get("ok"):
                    raise SetupError(f"join refused: {ack}")
            else:
                if await asyncio.wait_for(ws.recv(), 60) != "0":
                    raise SetupError("baseline server did not register the client")
        except BaseException:
            await ws.close()
            raise
        live[0] += 1
        tasks.append(asyncio.create_task(reader(ws)))  # at once: pings come every 10 s
        return ws

    failures: list[str] = []
    tasks: list[asyncio.Task] = []
    batch = cfg["batch"]
    for start in range(0, n_local, batch):
        chunk = clients[start:start + batch]
        results = await asyncio.gather(*(open_one(url, cookie) for _, url, cookie in chunk),
                                       return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                failures.append(f"{type(r).__name__}: {r}")
            else:
                conns.append(r)
        await asyncio.sleep(cfg["batch_pause"])
    events.put(("ready", wid, len(conns), failures[:3], len(failures)))

    loop = asyncio.get_running_loop()
    while True:
        cmd = await loop.run_in_executor(None, ctrl.recv)
        if cmd == "report":
            ctrl.send({"arrivals": arrivals, "sample": sample[0] if sample else None,
                       "dropped": dropped[0], "drops": drops[:5]})
        elif cmd == "close":
            closing[0] = True
            for start in range(0, len(conns), 100):
                await asyncio.gather(*(ws.close() for ws in conns[start:start + 100]),
                                     return_exceptions=True)
            await asyncio.gather(*tasks, return_exceptions=True)
            ctrl.send("closed")
            return


# --- the baseline server (own process) -----------------------------------------------------------

def baseline_server(port: int, frame_template: str, compression: str | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_nofile(8192)
    asyncio.run(_baseline_main(port, frame_template, compression))


async def _baseline_main(port: int, frame_template: str, compression: str | None) -> None:
    import websockets

    clients: set = set()

    async def handler(ws) -> None:
        if ws.request.path.startswith("/ctl"):
            async for msg in ws:  # "go <seq>": stamp and broadcast
                seq = int(msg.split()[1])
                websockets.broadcast(clients, frame_template.replace("\x00SEQ\x00", str(seq)))
                await ws.send(f"ok {seq}")
            return
        clients.add(ws)
        try:
            await ws.send("0")
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async with websockets.serve(handler, "127.0.0.1", port, compression=compression,
                                ping_interval=None, max_size=None, backlog=2048):
        await asyncio.Future()


# --- the app: setup, server processes, login ----------------------------------------------------

class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="xaso-bench-meeting-"))
        self.env = dict(os.environ, XASO_INSTANCE=str(self.tmp / "instance"), XASO_DEMO="1",
                        PYTHONUNBUFFERED="1")
        self.env.pop("XASO_CONFIG", None)
        if args.database_url:
            self.env["XASO_DATABASE_URL"] = args.database_url
        else:
            self.env.pop("XASO_DATABASE_URL", None)
        if args.message_queue:
            self.env["XASO_MESSAGE_QUEUE"] = args.message_queue
            # A channel of our own: others may share this Redis.
            self.env["XASO_MESSAGE_QUEUE_CHANNEL"] = f"xaso-bench-meeting-{os.getpid()}"
        else:
            self.env.pop("XASO_MESSAGE_QUEUE", None)
        self.servers: list[subprocess.Popen] = []
        self.logs: list = []
        self.ports: list[int] = []
        self.procs: list = []
        self.created_db: str | None = None
        self.meeting_id = 0
        self.items: list[int] = []

    # database -----------------------------------------------------------------------------
    def _pg(self):
        from sqlalchemy.engine import make_url

        url = make_url(self.args.database_url)
        return url.database, url.set(drivername="postgresql", database="postgres")

    def create_database(self) -> None:
        if not self.args.database_url or not self.args.database_url.startswith("postgresql"):
            return
        import psycopg

        name, admin = self._pg()
        conninfo = admin.render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists:
                tables = None
                with psycopg.connect(self.args.database_url.replace("+psycopg", "")) as c2:
                    tables = c2.execute("SELECT count(*) FROM information_schema.tables "
                                        "WHERE table_schema = 'public'").fetchone()[0]
                if tables:
                    raise SetupError(f"database {name} exists and is not empty; give a new name "
                                     "(the script creates it and drops it afterwards)")
                return
            conn.execute(f'CREATE DATABASE "{name}"')
            self.created_db = name
        log(f"created PostgreSQL database {name}")

    def drop_database(self) -> None:
        if not self.created_db:
            return
        import psycopg

        _, admin = self._pg()
        try:
            with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.created_db}" WITH (FORCE)')
            log(f"dropped PostgreSQL database {self.created_db}")
        except Exception as exc:  # noqa: BLE001
            log(f"could not drop database {self.created_db}: {exc}")

    def flask(self, *argv: str) -> None:
        out = subprocess.run([str(VENV_BIN / "flask"), "--app", "docmgmt", *argv], cwd=ROOT, env=self.env,
                             capture_output=True, text=True)
        if out.returncode:
            raise SetupError(f"flask {' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")

    def setup(self) -> None:
        t = time.monotonic()
        self.create_database()
        self.flask("db", "upgrade")
        self.flask("seed-demo")
        self.build_meeting()
        log(f"setup: instance {self.env['XASO_INSTANCE']}, database "
            f"{'sqlite' if not self.args.database_url else self.args.database_url}, meeting "
            f"{self.meeting_id} live with items {self.items} ({time.monotonic() - t:.1f} s)")

    def build_meeting(self) -> None:
        """In a child process (keeps the app and its engine out of this one)."""
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1])\n"
            "from docmgmt import create_app\n"
            "from tests.meetings_support import build_meeting\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    from docmgmt.extensions import db\n"
            "    from meetings.models import Meeting\n"
            "    mid = build_meeting('live', items=3, title='Họp giao ban (benchmark)')\n"
            "    m = db.session.get(Meeting, mid)\n"
            "    print(json.dumps({'id': mid, 'items': [i.id for i in m.items],"
            " 'current': m.current_item_id}))\n"
        )
        out = subprocess.run([str(VENV_BIN / "python"), "-c", code, str(ROOT)], cwd=ROOT, env=self.env,
                             capture_output=True, text=True)
        if out.returncode:
            raise SetupError(f"building the meeting failed:\n{out.stderr}")
        info = json.loads(out.stdout.strip().splitlines()[-1])
        self.meeting_id, self.items = info["id"], info["items"]
        if len(self.items) < 3:
            raise SetupError(f"meeting has {len(self.items)} items")

    def start_servers(self) -> None:
        for k in range(self.args.servers):
            port = free_port()
            logf = open(self.tmp / f"server-{k}.log", "w")  # noqa: SIM115 - closed in stop_servers
            self.logs.append(logf)
            if self.args.serve in ("gunicorn", "gevent"):  # as scripts/run and deploy/xaso-web.service
                command = [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                           "-w", "1", "-b", f"127.0.0.1:{port}", "docmgmt:create_app()"]
                env = self.env
            else:
                command = [str(VENV_BIN / "flask"), "--app", "docmgmt", "run", "--port", str(port),
                           "--no-reload", "--no-debugger"]
                env = self.env
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            self.servers.append(proc)
            self.ports.append(port)
        for k, port in enumerate(self.ports):
            self.wait_healthy(k, port)
        log(f"servers: {len(self.ports)} on ports {self.ports} (pids {[p.pid for p in self.servers]})"
            + (f", message queue {self.args.message_queue}" if self.args.message_queue else ""))

    def wait_healthy(self, k: int, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.servers[k].poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        tail = (self.tmp / f"server-{k}.log").read_text(errors="replace")[-2000:]
        raise SetupError(f"server {k} on port {port} not healthy ({last}):\n{tail}")

    def stop_servers(self) -> None:
        for proc in self.servers:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.servers:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.servers = []
        for f in self.logs:
            f.close()
        self.logs = []

    def login(self, username: str) -> str:
        """The HTTP form, as a browser does it; returns the Cookie header value."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{self.ports[0]}"
        with opener.open(f"{base}/login", timeout=30) as r:
            page = r.read().decode()
        m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if not m:
            raise SetupError("no csrf_token on /login")
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": m.group(1)}).encode()
        with opener.open(f"{base}/login", data=body, timeout=30) as r:
            final = r.geturl()
        if "/login" in urllib.parse.urlsplit(final).path:
            raise SetupError(f"login as {username} failed")
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        if "xaso_session=" not in cookie:
            raise SetupError(f"login as {username}: no session cookie")
        return cookie

    def server_errors(self) -> None:
        """Say so when a server logged errors (the logs go with the temporary folder)."""
        for k in range(self.args.servers):
            path = self.tmp / f"server-{k}.log"
            if not path.exists():
                continue
            lines = path.read_text(errors="replace").splitlines()
            bad = [ln for ln in lines if re.search(r"Traceback|ERROR|Exception|\" [A-Z]+ [^ ]+ HTTP/1\.1\" 5\d\d", ln)]
            if bad:
                log(f"server {k} log: {len(bad)} error lines, e.g. {bad[:3]}")

    def cleanup(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()
                p.join()
        self.procs = []
        self.stop_servers()
        self.server_errors()
        self.drop_database()
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- one phase: N clients, R rounds --------------------------------------------------------------

class Phase:
    """Start the client processes, wait until every client is in, run the rounds."""

    def __init__(self, bench: Bench, name: str, mode: str, urls: list[str], cookies: list[str]):
        self.bench, self.name, self.mode = bench, name, mode
        args = bench.args
        self.n = args.clients
        self.ctx = mp.get_context("spawn")
        self.events = self.ctx.Queue()
        self.pipes = []
        self.workers = []
        w = max(1, min(args.client_procs, self.n))
        for wid in range(w):
            idx = list(range(wid, self.n, w))
            cfg = {"mode": mode, "meeting_id": bench.meeting_id, "batch": args.batch,
                   "batch_pause": args.batch_pause,
                   "compression": None if args.no_compression else "deflate",
                   "clients": [(i, urls[i % len(urls)], cookies[i % len(cookies)]) for i in idx]}
            parent_end, child_end = self.ctx.Pipe()
            p = self.ctx.Process(target=client_worker, args=(wid, cfg, child_end, self.events),
                                 daemon=True, name=f"bench-clients-{name}-{wid}")
            p.start()
            bench.procs.append(p)
            self.pipes.append(parent_end)
            self.workers.append(p)
        self.done: dict[int, set[int]] = {}

    def _event(self, timeout: float):
        try:
            ev = self.events.get(timeout=timeout)
        except queue.Empty:
            return None
        if ev[0] == "error":
            raise SetupError(f"{self.name} client process {ev[1]}: {ev[2]}")
        if ev[0] == "done":
            self.done.setdefault(ev[2], set()).add(ev[1])
        return ev

    def wait_ready(self) -> None:
        t = time.monotonic()
        deadline = t + 120 + self.n * 0.5
        ready, joined, failures = set(), 0, []
        while len(ready) < len(self.workers):
            if time.monotonic() > deadline:
                raise SetupError(f"{self.name}: clients not connected in time ({joined} joined)")
            ev = self._event(1.0)
            if ev and ev[0] == "ready":
                ready.add(ev[1])
                joined += ev[2]
                failures += ev[3]
                if ev[4]:
                    log(f"  {self.name}: worker {ev[1]}: {ev[4]} clients failed to join, e.g. {ev[3]}")
        self.joined = joined
        log(f"{self.name}: {joined}/{self.n} clients joined over {len(self.workers)} processes "
            f"in {time.monotonic() - t:.1f} s")
        if joined < self.n:
            raise SetupError(f"{self.name}: only {joined}/{self.n} clients joined: {failures[:3]}")

    def wait_round(self, seq: int, t0: float, timeout: float) -> None:
        """Until every client process has every client's copy of ``seq``, or the timeout."""
        while len(self.done.get(seq, ())) < len(self.workers):
            left = t0 + timeout - time.monotonic()
            if left <= 0:
                return
            self._event(min(left, 0.5))

    def report(self) -> tuple[dict[int, list[float]], str | None, int]:
        arrivals: dict[int, list[float]] = {}
        sample, dropped, drops = None, 0, []
        for pipe in self.pipes:
            pipe.send("report")
        for pipe in self.pipes:
            rep = pipe.recv()
            for seq, times in rep["arrivals"].items():
                arrivals.setdefault(seq, []).extend(times)
            sample = sample or rep["sample"]
            dropped += rep["dropped"]
            drops += rep["drops"]
        if drops:
            log(f"  {self.name}: connections closed by the other side: {drops[:3]}")
        return arrivals, sample, dropped

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send("close")
        for pipe in self.pipes:
            if pipe.poll(60):
                pipe.recv()
        for p in self.workers:
            p.join(10)
            if p.is_alive():
                p.terminate()
            self.bench.procs.remove(p)


def summarise(name: str, n: int, rounds: list[tuple[int, float, float]],
              arrivals: dict[int, list[float]], timeout: float) -> dict:
    """rounds: (seq, t0, t_ack); per round the last and first arrival, and misses."""
    last, first, acks, missed, failed = [], [], [], 0, 0
    for seq, t0, t_ack in rounds:
        if seq is None:  # the change itself failed (no acknowledgement)
            missed += n
            failed += 1
            continue
        got = [t - t0 for t in arrivals.get(seq, []) if t - t0 <= timeout]
        missed += n - min(n, len(got))
        if got:
            last.append(max(got) * 1000)
            first.append(min(got) * 1000)
        acks.append((t_ack - t0) * 1000)
    def ms(values: list[float], q: float) -> float | None:
        return round(percentile(values, q), 2) if values else None

    out = {
        "p50_ms": ms(last, 50), "p99_ms": ms(last, 99), "max_ms": ms(last, 100),
        "first_p50_ms": ms(first, 50), "ack_p50_ms": ms(acks, 50), "missed": missed,
        "rounds_failed": failed,
    }
    log(f"{name}: last client p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms, max {out['max_ms']} ms; "
        f"first client p50 {out['first_p50_ms']} ms; driver's ack p50 {out['ack_p50_ms']} ms; "
        f"missed {missed} of {n * len(rounds)} (client, round) pairs"
        + (f"; {failed} changes not acknowledged" if failed else ""))
    return out


class AppDriver:
    """chutich on server 0, not in the room: emits move_item to alternate items."""

    def __init__(self, bench: Bench, url: str, cookie: str) -> None:
        self.bench, self.url, self.cookie = bench, url, cookie
        self.ack_id = 10

    async def open(self, compression: str | None) -> None:
        import websockets

        self.compression = compression
        self.ws = await websockets.connect(self.url, additional_headers={"Cookie": self.cookie},
                                           ping_interval=None, compression=compression, max_size=None,
                                           open_timeout=self.bench.args.ack_timeout)
        await sio_handshake(self.ws)

    async def round(self, r: int) -> tuple[int, float, float]:
        items = self.bench.items
        item = items[(r + 1) % len(items)]  # 2nd, 3rd, 1st, 2nd, …
        self.ack_id += 1
        ack_id = self.ack_id
        frame = f"42{NAMESPACE},{ack_id}" + json.dumps(
            ["move_item", {"meeting_id": self.bench.meeting_id, "item_id": item}], separators=(",", ":"))
        import websockets

        t0 = time.monotonic()
        try:
            await self.ws.send(frame)
            reply = await _recv_until(self.ws, f"{ACK_PREFIX}{ack_id}[", self.bench.args.ack_timeout)
        except TimeoutError:
            log(f"  move_item not acknowledged within {self.bench.args.ack_timeout:g} s (round {r})")
            return None, t0, None
        except websockets.ConnectionClosed as exc:
            log(f"  the server closed the driver's connection ({exc}); reconnecting (round {r})")
            with contextlib.suppress(Exception):
                await self.open(self.compression)
            return None, t0, None
        t_ack = time.monotonic()
        ack = json.loads(reply[len(ACK_PREFIX) + len(str(ack_id)):])[0]
        if not ack.get("ok"):
            raise SetupError(f"move_item refused: {ack}")
        return ack["seq"], t0, t_ack

    async def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            await self.ws.close()


class BaselineDriver:
    """Tells the baseline server to broadcast; seq numbers of its own."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def open(self, compression: str | None) -> None:
        import websockets

        self.ws = await websockets.connect(self.url, ping_interval=None, compression=compression)

    async def round(self, r: int) -> tuple[int, float, float]:
        seq = 100000 + r
        t0 = time.monotonic()
        await self.ws.send(f"go {seq}")
        await asyncio.wait_for(self.ws.recv(), 60)
        return seq, t0, time.monotonic()

    async def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            await self.ws.close()


async def run_rounds(pairs: list[tuple[object, Phase, list[int]]], rounds: int, pause: float,
                     timeout: float, compression: str | None) -> tuple[list[list], list[float]]:
    """Alternate one round of each (driver, phase, server pids): all see the same machine
    load. Returns the rounds (seq, t0, t_ack) and each one's server CPU seconds spent from
    just before the change until the last client had it."""
    loop = asyncio.get_running_loop()
    out: list[list] = [[] for _ in pairs]
    busy = [0.0 for _ in pairs]
    failed = [0 for _ in pairs]
    for k, (driver, phase, _) in enumerate(pairs):
        try:
            await driver.open(compression)
        except (OSError, TimeoutError, SetupError) as exc:
            log(f"  {phase.name}: the driver could not connect ({type(exc).__name__}: {exc}); "
                "all its rounds count as missed")
            failed[k] = 2
    try:
        for r in range(rounds):
            for k, (driver, phase, pids) in enumerate(pairs):
                if failed[k] >= 2:  # given up on: the rest of its rounds count as missed
                    out[k].append((None, time.monotonic(), None))
                    continue
                cpu0 = sum(cpu_seconds(p) for p in pids)
                seq, t0, t_ack = await driver.round(r)
                out[k].append((seq, t0, t_ack))
                if seq is None:
                    failed[k] += 1
                    if failed[k] >= 2:
                        log(f"  {phase.name}: two changes in a row not acknowledged; its remaining "
                            "rounds are skipped and count as missed")
                    continue
                failed[k] = 0
                await loop.run_in_executor(None, phase.wait_round, seq, t0, timeout)
                busy[k] += sum(cpu_seconds(p) for p in pids) - cpu0
                await asyncio.sleep(pause)
    finally:
        for driver, _, _ in pairs:
            with contextlib.suppress(Exception):
                await driver.close()
    return out, busy


def _template(sample: str | None) -> str:
    """The app's agenda.current frame with a placeholder for seq (or one of the same size)."""
    if sample is None:  # nothing arrived: a frame of the usual shape and size
        sample = EVENT_PREFIX + json.dumps(["event", {"meeting_id": 1, "seq": 1, "kind": "agenda.current",
                                                      "data": {"agenda": {"x": "y" * 1300}}}])
    name, payload = json.loads(sample[len(EVENT_PREFIX):])[:2]
    payload["seq"] = SEQ
    return EVENT_PREFIX + json.dumps([name, payload], separators=(",", ":")).replace(
        json.dumps(SEQ), SEQ)


SEQ = "\x00SEQ\x00"


def bare_server(port: int, template: str) -> None:
    """python-socketio alone on the same stack as the app (threading mode, Werkzeug's
    threaded server, simple-websocket), no Flask app, no database: join enters the room,
    move_item emits the same payload to it."""
    import threading

    import socketio
    from werkzeug.serving import make_server

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_nofile(8192)
    sio = socketio.Server(async_mode="threading", transports=["websocket"], ping_interval=10,
                          ping_timeout=10, max_http_buffer_size=64 * 1024)
    payload = json.loads(template.replace(SEQ, "0")[len(EVENT_PREFIX):])[1]
    lock, seq = threading.Lock(), [0]

    @sio.on("connect", namespace=NAMESPACE)
    def _connect(sid, environ, auth=None):
        return True

    @sio.on("join", namespace=NAMESPACE)
    def _join(sid, data):
        sio.enter_room(sid, "room", namespace=NAMESPACE)
        return {"ok": True, "seq": seq[0]}

    @sio.on("move_item", namespace=NAMESPACE)
    def _move(sid, data):
        with lock:
            seq[0] += 1
            n = seq[0]
        sio.emit("event", dict(payload, seq=n), to="room", namespace=NAMESPACE)
        return {"ok": True, "seq": n}

    make_server("127.0.0.1", port, socketio.WSGIApp(sio), threaded=True).serve_forever()


def start_helper(bench: Bench, target, args: tuple, name: str) -> tuple[object, int]:
    """A server of ours in its own (spawned) process; waits until it listens."""
    port = free_port()
    proc = mp.get_context("spawn").Process(target=target, args=(port, *args), daemon=True, name=name)
    proc.start()
    bench.procs.append(proc)
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            break
        if time.monotonic() > deadline or not proc.is_alive():
            raise SetupError(f"{name} did not start")
        time.sleep(0.1)
    return proc, port


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) and of its live children (gunicorn's
    worker runs under its master), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                    for c in (t / "children").read_text().split()]
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(c) for c in children)


class Contender:
    """One thing measured: a driver, its clients and the server processes behind them."""

    def __init__(self, key: str, label: str, driver, phase: Phase, server_pids: list[int]) -> None:
        self.key, self.label, self.driver, self.phase, self.server_pids = key, label, driver, phase, server_pids

    def cpu(self) -> tuple[float, float]:
        return (sum(cpu_seconds(p) for p in self.server_pids),
                sum(cpu_seconds(w.pid) for w in self.phase.workers))


def run(bench: Bench, cookies: dict[str, str]) -> dict[str, dict]:
    args = bench.args
    compression = None if args.no_compression else "deflate"
    urls = [f"ws://127.0.0.1:{p}/socket.io/?EIO=4&transport=websocket" for p in bench.ports]
    app_phase = Phase(bench, "app", "sio", urls, [cookies[u] for u in VOTERS])
    app_phase.wait_ready()
    app_driver = AppDriver(bench, urls[0], cookies[CHAIR])
    # Warm-up: first-time code paths, and a real frame for the baseline to copy.
    asyncio.run(run_rounds([(app_driver, app_phase, [])], args.warmup, args.pause, args.timeout, compression))
    _, sample, _ = app_phase.report()
    template = _template(sample)
    log(f"agenda.current frame: {len(sample or '')} bytes as the app sends it")
    contenders = [Contender("app", "app (Flask-SocketIO, move_item)", app_driver, app_phase,
                            [p.pid for p in bench.servers])]
    if not args.skip_baseline:
        proc, port = start_helper(bench, baseline_server, (template, compression), "bench-baseline-server")
        log(f"baseline: websockets server on port {port} (pid {proc.pid})")
        phase = Phase(bench, "baseline", "plain", [f"ws://127.0.0.1:{port}/"], [""])
        phase.wait_ready()
        contenders.append(Contender("baseline", "baseline (websockets.broadcast)",
                                    BaselineDriver(f"ws://127.0.0.1:{port}/ctl"), phase, [proc.pid]))
    if args.bare:
        proc, port = start_helper(bench, bare_server, (template,), "bench-bare-socketio-server")
        log(f"bare: python-socketio server, no Flask/database, on port {port} (pid {proc.pid})")
        url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
        phase = Phase(bench, "bare", "sio", [url], [""])
        phase.wait_ready()
        contenders.append(Contender("bare", "bare python-socketio (same stack, no app)",
                                    AppDriver(bench, url, ""), phase, [proc.pid]))
    log(f"{args.rounds} rounds, one of each in turn ({', '.join(c.key for c in contenders)}), "
        f"{args.pause} s apart")
    cpu0 = [c.cpu() for c in contenders]
    results, busy = asyncio.run(run_rounds([(c.driver, c.phase, c.server_pids) for c in contenders],
                                           args.rounds, args.pause, args.timeout, compression))
    cpu1 = [c.cpu() for c in contenders]
    if args.keep:
        log(f"everything stays up for {args.keep:g} s (servers: pids above)")
        time.sleep(args.keep)
    out = {}
    for c, rounds, before, after, spent in zip(contenders, results, cpu0, cpu1, busy, strict=True):
        arrivals, _, dropped = c.phase.report()
        c.phase.close()
        if dropped:
            log(f"{c.key}: {dropped} client connections closed during the run")
        res = summarise(c.label, args.clients, rounds, arrivals, args.timeout)
        res["server_cpu_ms"] = round(spent * 1000 / args.rounds, 1)
        res["server_cpu_total_ms"] = round((after[0] - before[0]) * 1000 / args.rounds, 1)
        res["clients_cpu_ms"] = round((after[1] - before[1]) * 1000 / args.rounds, 1)
        log(f"  CPU per round: server {res['server_cpu_ms']} ms while the change went out "
            f"({res['server_cpu_total_ms']} ms counting the idle time between rounds, 10 ms ticks), "
            f"client processes {res['clients_cpu_ms']} ms")
        out[c.key] = res
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] + " Fan-out latency of move_item to N live-room "
        "clients against a plain websockets broadcast; see the module docstring.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--clients", type=int, default=200, help="connected clients (default 200)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="agenda changes (default 50 up to 200 clients, 20 above)")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between rounds (0.2)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="a copy not there this many seconds after the change is missed (10)")
    parser.add_argument("--servers", type=int, default=1,
                        help="app server processes; more than one needs --message-queue (1)")
    parser.add_argument("--message-queue", default=os.environ.get("XASO_MESSAGE_QUEUE") or None,
                        help="Socket.IO message queue shared by the servers, e.g. redis://127.0.0.1:6379/0")
    parser.add_argument("--database-url", default=os.environ.get("XASO_DATABASE_URL") or None,
                        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/xaso_bench (created if "
                        "absent and then dropped); default: SQLite in the temporary instance")
    parser.add_argument("--ack-timeout", type=float, default=30.0,
                        help="seconds the driver waits for move_item's acknowledgement (30)")
    parser.add_argument("--client-procs", type=int, default=4, help="client processes (4)")
    parser.add_argument("--batch", type=int, default=10,
                        help="connections each client process opens at once while ramping up (10)")
    parser.add_argument("--batch-pause", type=float, default=0.05, help="seconds between batches (0.05)")
    parser.add_argument("--no-compression", action="store_true",
                        help="do not offer permessage-deflate (default: offered, as browsers do)")
    parser.add_argument("--skip-baseline", action="store_true", help="no websockets baseline")
    parser.add_argument("--serve", choices=("gunicorn", "gevent", "threading"), default="gunicorn",
                        help="gunicorn (or its old name gevent): gunicorn's gevent-websocket worker with "
                             "deploy/gunicorn.conf.py, as make run and production serve it (default); "
                             "threading: a bare flask run (Werkzeug threads, simple-websocket), as make run "
                             "served it before")
    parser.add_argument("--bare", action="store_true",
                        help="also a bare python-socketio server on the threading stack (Werkzeug, "
                        "simple-websocket, as --serve threading) without the Flask app or database: separates "
                        "that framework's fan-out cost from the app's")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured agenda changes first (3)")
    parser.add_argument("--keep", type=float, default=0, metavar="SECONDS",
                        help="after the rounds, keep everything up this long (to look at the servers "
                        "with e.g. py-spy) before cleaning up")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 50 if args.clients <= 200 else 20
    if args.servers > 1 and not args.message_queue:
        parser.error("--servers > 1 needs --message-queue")

    nofile = raise_nofile(max(4096, args.clients * 4 + 1024))
    log(f"bench_meeting: {args.clients} clients, {args.rounds} rounds, {args.servers} server(s), "
        f"{args.client_procs} client processes, RLIMIT_NOFILE {nofile}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} (other work on the machine skews the numbers)")

    def on_term(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    bench = Bench(args)
    try:
        bench.setup()
        bench.start_servers()
        cookies = {u: bench.login(u) for u in VOTERS}
        log(f"logged in: {', '.join(VOTERS)} (voters, round-robin over the clients; driver {CHAIR})")
        results = run(bench, cookies)
    except SetupError as exc:
        log(f"setup failed: {exc}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        bench.cleanup()

    app, base, bare = results["app"], results.get("baseline"), results.get("bare")
    ratio = (app["p99_ms"] / base["p99_ms"]
             if base and base["p99_ms"] and app["p99_ms"] is not None else None)
    if args.clients <= 200:
        goal = "p99 <= 50 ms and <= 3x baseline, none missed"
        met = (app["p99_ms"] is not None and app["p99_ms"] <= 50 and ratio is not None and ratio <= 3
               and app["missed"] == 0)
    else:
        goal, met = "none missed", app["missed"] == 0
    log(f"goal ({goal}): {'met' if met else 'NOT met'}")
    result = {
        "clients": args.clients, "rounds": args.rounds, "servers": args.servers,
        "database": "postgresql" if (args.database_url or "").startswith("postgresql") else "sqlite",
        "message_queue": bool(args.message_queue), "serve": args.serve, "compression": not args.no_compression,
        "p50_ms": app["p50_ms"], "p99_ms": app["p99_ms"], "max_ms": app["max_ms"],
        "first_p50_ms": app["first_p50_ms"], "ack_p50_ms": app["ack_p50_ms"], "missed": app["missed"],
        "rounds_failed": app["rounds_failed"], "server_cpu_ms_per_round": app["server_cpu_ms"],
        "clients_cpu_ms_per_round": app["clients_cpu_ms"],
        "baseline_p50_ms": base["p50_ms"] if base else None,
        "baseline_p99_ms": base["p99_ms"] if base else None,
        "baseline_missed": base["missed"] if base else None,
        "baseline_server_cpu_ms_per_round": base["server_cpu_ms"] if base else None,
        "ratio": round(ratio, 2) if ratio is not None else None,
    }
    if bare:
        result.update(bare_p50_ms=bare["p50_ms"], bare_p99_ms=bare["p99_ms"], bare_missed=bare["missed"],
                      bare_server_cpu_ms_per_round=bare["server_cpu_ms"])
    result.update(goal_met=met, loadavg_1m=round(os.getloadavg()[0], 2))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
