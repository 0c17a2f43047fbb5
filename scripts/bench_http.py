#!/usr/bin/env python3
"""A province-sized commune under a working day's load, over real HTTP.

Setup (self-contained, nothing downloaded):

1. a fresh PostgreSQL database on this machine's server (dropped afterwards) and a
   temporary instance folder; ``flask db upgrade``;
2. ``--docs`` incoming documents of the sổ đến with their assignments, deadlines and
   outcomes, ~40 % as many outgoing documents and ~1 meeting per 100 documents, in bulk
   (the generator of scripts/bench_dashboard.py, the demo commune's people plus extra
   staff and a small second commune); ANALYZE;
3. the search index of everything (``flask search reindex``, timed), with the backend of
   ``--search-backend`` (XASO_SEARCH_BACKEND);
4. ``--processes`` app processes as production runs them (gunicorn, gevent-websocket
   worker; Redis as the Socket.IO message queue when reachable), behind which the
   simulated people come from distinct addresses (X-Forwarded-For, XASO_TRUSTED_PROXIES=1,
   as behind nginx: the login rate limit counts per address);
5. twenty documents with a PDF registered by the clerk through the API (the files the
   mix downloads).

Then, driven by Locust (FastHttpUser, in a child process so that its gevent patching
stays out of the setup), three phases of ``--duration`` seconds each, stats reset once
every user has signed in:

* **mix**: ``--users`` people signed in through the login form, each waiting 1–3 s
  between actions as a person does: staff and heads of unit open their queue
  (/incoming/mine), a document of it and search; leaders also open the dashboard and
  download a file; the clerk downloads and registers documents with a PDF (POST
  /api/v1/incoming, token).
  Throughput and p50/p95 per kind of request;
* **ceiling**: the same people without waiting, each asking a trivial endpoint of the
  same processes (/favicon.ico: a redirect that still loads the signed-in person);
* **queue**: the same people without waiting, each opening the queue page.
  ``queue_share`` = queue requests/s ÷ ceiling requests/s.

Goals (issue 18): p95 < 200 ms for every kind in the mix; queue_share ≥ 0.5.

Usage:
  .venv/bin/python scripts/bench_http.py                 # 100,000 documents, 60 s phases
  .venv/bin/python scripts/bench_http.py --quick         # 20,000 documents, 30 s phases (< 10 min)
  .venv/bin/python scripts/bench_http.py --search-backend postgresql

Human-readable lines first; the LAST line is one JSON object: docs, processes, users,
per_kind (requests, failures, rps, p50_ms, p95_ms), ceiling_rps, queue_rps,
queue_share, worst_p95_ms, goals_met, load (1/5/15-minute load averages at the end),
cpu_count. Exits non-zero only when the setup fails, not on a missed goal.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEARCHES = ["chuyển đổi số", "hộ nghèo", "đất đai", "thiên tai", "ngân sách", "an toàn thực phẩm",
            "tuyển sinh", "bảo hiểm xã hội", "đơn thư", "giấy chứng nhận"]


def log(msg: str = "") -> None:
    print(msg, file=sys.stderr if os.environ.get("BENCH_QUIET") else sys.stdout, flush=True)


def dashboard_module():
    spec = importlib.util.spec_from_file_location("bench_dashboard", ROOT / "scripts" / "bench_dashboard.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_dashboard"] = mod
    spec.loader.exec_module(mod)
    return mod


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str | None:
    url = os.environ.get("XASO_BENCH_REDIS", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001 - one process works without it; several are measured anyway
        return None
    return url


# --- setup -----------------------------------------------------------------------------------

def seed(folder: Path, url: str, docs: int, seed_value: int) -> tuple[dict, dict]:
    """Migrate and load the commune; returns the row counts and who works where."""
    import flask_migrate
    import sqlalchemy as sa

    from docmgmt import create_app
    from docmgmt.documents.types import Confidentiality
    from docmgmt.extensions import db
    from docmgmt.incoming.access import READ
    from docmgmt.incoming.models import IncomingDocument
    from docmgmt.org.models import User

    bench = dashboard_module()
    app = create_app(bench.instance_config(folder, url))
    with app.app_context():
        flask_migrate.upgrade()
        counts = bench.seed_documents(docs, seed_value, date.today())
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
        # The documents each person may open (the access rule of the pages), a sample each.
        theirs: dict[str, list[int]] = {}
        for user in db.session.scalars(sa.select(User).where(User.organisation_id == 1, User.username != "quantri")):
            theirs[user.username] = list(db.session.scalars(
                READ.select(user).where(IncomingDocument.confidentiality == Confidentiality.NONE)
                .with_only_columns(IncomingDocument.id).order_by(sa.func.random()).limit(200)))
        db.session.remove()
        db.engine.dispose()
    return counts, theirs


def server_env(folder: Path, url: str, args, queue: str | None) -> dict:
    env = {**os.environ, "XASO_INSTANCE": str(folder), "XASO_DATABASE_URL": url,
           "XASO_SECRET_KEY": "bench-http-secret-key-0123456789abcdef", "XASO_TRUSTED_PROXIES": "1",
           "XASO_SEARCH_BACKEND": args.search_backend, "XASO_OCR_COMMAND": ""}
    if queue:
        env["XASO_MESSAGE_QUEUE"] = queue
    return env


def start_server(env: dict, port: int, processes: int, log_path: Path) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", "-k", "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
               "-w", str(processes), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "3",
               "--timeout", "120", "docmgmt:create_app()"]
    out = log_path.open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    import requests

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return proc
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the app did not answer /healthz within 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def clerk_token(folder: Path, url: str) -> str:
    from docmgmt import create_app
    from docmgmt.auth.operations import create_token
    from docmgmt.extensions import db
    from docmgmt.org.models import User

    bench = dashboard_module()
    app = create_app(bench.instance_config(folder, url))
    with app.app_context():
        clerk = db.session.scalar(db.select(User).where(User.username == "vanthu"))
        _, clear = create_token(clerk, "bench_http")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return clear


def pdf_bytes(title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, title)
    return bytes(pdf.output())


def registration_form(n: int) -> tuple[dict, dict]:
    today = date.today().isoformat()
    data = {"sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": f"{n}/SNV-BENCH-{random.randrange(10**9)}",
            "issue_date": today, "doc_type": "cong_van", "subject": f"V/v chuyển đổi số cấp xã, đợt {n}",
            "signer": "Nguyễn Văn Bình", "urgency": "thuong", "arrival_date": today}
    return data, {"files": (f"cong-van-{n}.pdf", io.BytesIO(pdf_bytes(f"Cong van {n}")), "application/pdf")}


def register_files(base: str, token: str, count: int) -> list[int]:
    import requests

    ids = []
    for n in range(count):
        data, files = registration_form(n)
        r = requests.post(f"{base}/api/v1/incoming", data=data, files=files,
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
        r.raise_for_status()
        ids.append(r.json()["files"][0]["id"])
    return ids


# --- the load, in a child process (Locust patches the standard library with gevent) ----------

def drive(plan_path: str) -> int:
    from gevent import monkey

    monkey.patch_all()
    import gevent
    from locust import FastHttpUser, between, constant, task
    from locust.env import Environment
    from locust.log import setup_logging

    setup_logging("WARNING")  # a user that fails says why, on standard error
    plan = json.loads(Path(plan_path).read_text())
    base, users, duration = plan["base"], plan["users"], plan["duration"]
    token, file_ids, theirs = plan["token"], plan["file_ids"], plan["theirs"]
    staff = [u for u in theirs if u not in ("vanthu", "chutich", "phochutich.kt", "phochutich.vx") and theirs[u]]
    leaders = ["chutich", "phochutich.kt", "phochutich.vx"]
    counter = iter(range(10**9))

    class Person(FastHttpUser):
        abstract = True
        host = base
        username = ""

        def on_start(self):
            n = next(counter)
            self.address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 + 1}"
            self.name_ = self.pick(n)
            self.headers = {"X-Forwarded-For": self.address}
            page = self.client.get("/login", headers=self.headers, name="login").text
            marker = 'name="csrf_token" type="hidden" value="'
            csrf = page.split(marker, 1)[1].split('"', 1)[0]
            with self.client.post("/login", data={"username": self.name_, "password": "xaso2026",
                                                  "csrf_token": csrf},
                                  headers=self.headers, name="login", allow_redirects=False,
                                  catch_response=True) as r:
                if r.status_code != 302:
                    r.failure(f"login {self.name_}: {r.status_code}")
            self.docs = theirs.get(self.name_) or []

        def pick(self, n: int) -> str:
            raise NotImplementedError

        def get(self, path: str, name: str):
            with self.client.get(path, headers=self.headers, name=name, catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"{r.status_code}")

    class Mixed(Person):
        abstract = True
        wait_time = between(1, 3)

        @task(4)
        def queue(self):
            self.get("/incoming/mine", "queue page")

        @task(3)
        def document(self):
            if self.docs:
                self.get(f"/incoming/{random.choice(self.docs)}", "document page")

        @task(2)
        def search(self):
            self.get(f"/search?q={random.choice(SEARCHES)}", "search")

    class Staff(Mixed):
        weight = 40

        def pick(self, n):
            return staff[n % len(staff)]

    class Leader(Mixed):
        weight = 8

        def pick(self, n):
            return leaders[n % len(leaders)]

        @task(2)
        def dashboard(self):
            self.get("/dashboard", "dashboard")

        @task(1)
        def download(self):  # the files the clerk registered: the clerk and leaders may open them
            self.get(f"/files/{random.choice(file_ids)}", "file download")

    class Clerk(Mixed):
        weight = 2

        def pick(self, n):
            return "vanthu"

        @task(1)
        def download(self):
            self.get(f"/files/{random.choice(file_ids)}", "file download")

        @task(2)
        def register(self):
            data, files = registration_form(random.randrange(10**6))
            name, handle, mime = files["files"]
            with self.client.post("/api/v1/incoming", data=data, files={"files": (name, handle.read(), mime)},
                                  headers={**self.headers, "Authorization": f"Bearer {token}"},
                                  name="registration", catch_response=True) as r:
                if r.status_code != 201:
                    r.failure(f"{r.status_code}: {r.text[:200]}")

    class Hammer(Person):
        abstract = True
        wait_time = constant(0)
        path = ""
        label = ""

        def pick(self, n):
            return staff[n % len(staff)]

        @task
        def hit(self):
            self.get(self.path, self.label)

    class Ceiling(Hammer):
        path, label = "/favicon.ico", "ceiling"

        def get(self, path, name):  # the redirect is the answer
            with self.client.get(path, headers=self.headers, name=name, allow_redirects=False,
                                 catch_response=True) as r:
                if r.status_code != 301:
                    r.failure(f"{r.status_code}")

    class Queue(Hammer):
        path, label = "/incoming/mine", "queue page"

    def run(classes) -> dict:
        env = Environment(user_classes=classes)
        runner = env.create_local_runner()
        runner.start(users, spawn_rate=max(users, 1))
        runner.spawning_greenlet.join()
        gevent.sleep(3)  # the last logins finish
        env.stats.reset_all()
        started = time.monotonic()
        gevent.sleep(duration)
        elapsed = time.monotonic() - started
        entries = {}
        for entry in env.stats.entries.values():
            if entry.name == "login":
                continue
            entries[entry.name] = {
                "requests": entry.num_requests, "failures": entry.num_failures,
                "rps": round(entry.num_requests / elapsed, 1),
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
                "errors": sorted({str(e.error)[:120] for e in env.stats.errors.values()
                                  if e.name == entry.name})[:3],
            }
        runner.quit()
        return entries

    result = {"mix": run([Staff, Leader, Clerk]), "ceiling": run([Ceiling]), "queue": run([Queue])}
    print(json.dumps(result))
    return 0


# --- the whole run -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--duration", type=float, default=60, help="seconds per phase")
    parser.add_argument("--quick", action="store_true", help="20,000 documents and 30 s phases")
    parser.add_argument("--search-backend", choices=["whoosh", "postgresql"], default="whoosh")
    parser.add_argument("--pg-url", default=os.environ.get("XASO_TEST_PG",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        return drive(args.drive)
    if args.quick:
        args.docs, args.duration = min(args.docs, 20_000), min(args.duration, 30)
    os.environ.setdefault("XASO_SECRET_KEY", "bench-http-secret-key-0123456789abcdef")
    sys.path.insert(0, str(ROOT))
    import logging

    logging.disable(logging.WARNING)  # Alembic's lines
    bench = dashboard_module()
    if problem := bench.pg_unreachable(args.pg_url):
        log(f"PostgreSQL unreachable at {args.pg_url}: {problem}")
        return 2
    queue = redis_url() if args.processes > 1 else None
    timings: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xaso-bench-http-")))
        url = stack.enter_context(bench.pg_database(args.pg_url))
        os.environ["XASO_INSTANCE"] = str(folder)
        started = time.perf_counter()
        counts, theirs = seed(folder, url, args.docs, args.seed)
        timings["seed_s"] = round(time.perf_counter() - started, 1)
        log(f"seeded in {timings['seed_s']} s: incoming {counts.get('incoming_document', 0):,}, "
            f"outgoing {counts.get('outgoing_document', 0):,}, meetings {counts.get('meeting', 0):,}")
        env = server_env(folder, url, args, queue)
        started = time.perf_counter()
        reindex = subprocess.run([PYTHON, "-m", "flask", "--app", "docmgmt", "search", "reindex"], cwd=ROOT,
                                 env=env, capture_output=True, text=True)
        if reindex.returncode != 0:
            log(reindex.stdout[-2000:] + reindex.stderr[-2000:])
            return 1
        timings["reindex_s"] = round(time.perf_counter() - started, 1)
        log(f"search index ({args.search_backend}): {reindex.stdout.strip().splitlines()[-1]} "
            f"in {timings['reindex_s']} s")
        token = clerk_token(folder, url)
        port = free_port()
        proc = start_server(env, port, args.processes, folder / "server.log")
        stack.callback(stop_server, proc)
        base = f"http://127.0.0.1:{port}"
        file_ids = register_files(base, token, 20)
        plan = folder / "plan.json"
        plan.write_text(json.dumps({"base": base, "users": args.users, "duration": args.duration,
                                    "token": token, "file_ids": file_ids, "theirs": theirs}))
        log(f"{args.processes} app processes on PostgreSQL, {args.users} people, "
            f"{args.duration:.0f} s per phase (mix, ceiling, queue)…")
        driven = subprocess.run([PYTHON, __file__, "--drive", str(plan)], cwd=ROOT, capture_output=True,
                                text=True, env={**os.environ, "BENCH_QUIET": "1"})
        if driven.stderr.strip():  # a simulated person that failed says why
            log(driven.stderr[-3000:])
        if driven.returncode != 0 or not driven.stdout.strip():
            return 1
        phases = json.loads(driven.stdout.strip().splitlines()[-1])
    mix = phases["mix"]
    ceiling = phases["ceiling"].get("ceiling", {}).get("rps", 0.0)
    queue_rps = phases["queue"].get("queue page", {}).get("rps", 0.0)
    log("")
    log(f"{'kind':<16}{'requests':>9}{'failed':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}")
    for name, e in sorted(mix.items()):
        log(f"{name:<16}{e['requests']:>9}{e['failures']:>8}{e['rps']:>8}{e['p50_ms']:>8.0f}{e['p95_ms']:>8.0f}"
            + (f"   {e['errors']}" if e["errors"] else ""))
    share = round(queue_rps / ceiling, 2) if ceiling else None
    log(f"ceiling (/favicon.ico, no wait): {ceiling} req/s; queue page (no wait): {queue_rps} req/s; "
        f"share {share}")
    worst = max((e["p95_ms"] for e in mix.values()), default=None)
    result = {
        "docs": args.docs, "processes": args.processes, "users": args.users, "duration_s": args.duration,
        "search_backend": args.search_backend, "message_queue": bool(queue), **timings,
        "per_kind": mix, "ceiling_rps": ceiling, "queue_rps": queue_rps, "queue_share": share,
        "ceiling_phase": phases["ceiling"], "queue_phase": phases["queue"],
        "worst_p95_ms": worst,
        "goals_met": bool(worst is not None and worst < 200 and share is not None and share >= 0.5
                          and all(e["failures"] == 0 for e in mix.values())),
        "load": [round(v, 2) for v in os.getloadavg()], "cpu_count": os.cpu_count(),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
