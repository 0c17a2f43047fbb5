#!/usr/bin/env python3
"""How long a clerk or a leader waits for the server, per action, through real HTTP.

Builds a throw-away instance (SQLite), migrates it and loads the demo commune, starts a
real server as ``make run`` does (gunicorn's gevent-websocket worker, deploy/gunicorn.conf.py,
one process; ``--server flask``: a bare ``flask run --no-reload --no-debugger``, Werkzeug
threads; no background worker), signs in through the login form (CSRF token included)
and then, for N rounds, times with ``requests``:

- ``register_incoming``: the clerk registers an arrived document with a 10-page PDF
  (POST /api/v1/incoming, multipart: the upload check in the sandbox reads every page
  and its text);
- ``submit_draft``: the drafter submits a draft for review (POST …/submit) — the draft
  itself was uploaded as a PDF beforehand (``create_draft_pdf``, reported too);
- ``leader_sign``: the leader signs it (after the head of unit's and his own approval,
  ``approve``, reported too);
- ``clerk_issue``: the clerk issues it (number, organisation signature, sổ đi);
- ``open_page``: the issued document's page (GET /outgoing/<id>, which verifies its
  signatures) and the registered document's page (GET /incoming/<id>).

A draft written from a DOCX is turned into PDF by LibreOffice: that is timed apart
(``create_draft_docx``, a few rounds) and is not one of the actions above.

``XASO_SANDBOX_WORKERS`` (``--sandbox-workers``) sizes the server's pool of started
sandbox interpreters; 0 is "before": a fresh interpreter for every file looked at.
Human lines first, then one JSON object (p50/p95 per action in ms, load average).

Usage: .venv/bin/python scripts/bench_actions.py [--rounds 30] [--sandbox-workers 2] [--server gunicorn|flask]
(BENCH_KEEP=1 keeps the instance and the server's log; BENCH_MONITOR=1 turns gevent's blocking monitor on.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "xaso2026"  # docmgmt.demo.DEMO_PASSWORD
ACTIONS = ("register_incoming", "submit_draft", "leader_sign", "clerk_issue", "open_page")
GOAL_MS = 300.0
# BENCH_MONITOR=1: gevent reports (in the server's log) any greenlet that blocks its loop 3 s or more.
MONITOR = {"GEVENT_MONITOR_THREAD_ENABLE": "true", "GEVENT_MAX_BLOCKING_TIME": "3"}


def ten_page_pdf(tag: str, pages: int = 10) -> bytes:
    """A text PDF of ``pages`` pages (Helvetica, a few hundred words a page), unique per ``tag``."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=10)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(0, 5, f"Cong van {tag} - trang {page + 1}", new_x="LMARGIN", new_y="NEXT")
        for n in range(40):
            pdf.cell(0, 5, f"Dong {n}: ve viec trien khai chuyen doi so trong cong tac van thu, luu tru nam 2026 "
                           f"({tag}).", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def draft_docx(tag: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(f"Dự thảo công văn {tag}")
    for n in range(30):
        document.add_paragraph(f"Đoạn {n}: về việc triển khai chuyển đổi số trong công tác văn thư.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, folder: Path, server: str, workers: int) -> None:
        self.env = {**os.environ, "XASO_INSTANCE": str(folder), "XASO_DEMO": "1",
                    "XASO_SECRET_KEY": "bench-actions-secret", "XASO_SANDBOX_WORKERS": str(workers),
                    **(MONITOR if os.environ.get("BENCH_MONITOR") else {})}
        flask = [PYTHON, "-m", "flask", "--app", "docmgmt"]
        for step in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(flask + step, cwd=ROOT, env=self.env, check=True, capture_output=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if server == "flask":
            command = flask + ["run", "--port", str(self.port), "--no-reload", "--no-debugger"]
        else:
            command = [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "-w", "1",
                       "-b", f"127.0.0.1:{self.port}", "docmgmt:create_app()"]
        self.log = (folder / "server.log").open("wb")
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited: {(folder / 'server.log').read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Person:
    """A browser: signed in through the login form; API calls carry the CSRF token."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.http = requests.Session()
        page = self.http.get(url + "/login", timeout=30)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
        assert token, "no CSRF token on the login page"
        done = self.http.post(url + "/login", data={"csrf_token": token.group(1), "username": username,
                                                    "password": DEMO_PASSWORD}, timeout=30)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', done.text)
        assert done.ok and meta, f"{username} could not sign in ({done.status_code})"
        self.http.headers["X-CSRFToken"] = meta.group(1)
        self.id = self.api("get", "/api/v1/me").json()["id"]

    def api(self, method: str, path: str, expect: int | None = None, **kw) -> requests.Response:
        response = self.http.request(method, self.url + path, timeout=300, **kw)
        if expect is not None and response.status_code != expect:
            raise SystemExit(f"{method.upper()} {path}: {response.status_code} {response.text[:500]}")
        return response


def timed(times: dict[str, list[float]], name: str, call):
    started = time.perf_counter()
    result = call()
    times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def one_round(n: int, bucket: dict[str, list[float]], clerk: Person, drafter: Person, head: Person,
              leader: Person) -> None:
    tag = f"{os.getpid()}-{n}"
    incoming = timed(bucket, "register_incoming", lambda: clerk.api(
        "post", "/api/v1/incoming", 201,
        data={"sender_name": "Sở Nội vụ tỉnh Phú Thọ", "number_symbol": f"{n + 1}/SNV-{tag}",
              "subject": f"Về việc báo cáo chuyển đổi số {tag}", "doc_type": "cong_van"},
        files={"files": (f"cong-van-{n}.pdf", ten_page_pdf(tag), "application/pdf")})).json()
    draft = timed(bucket, "create_draft_pdf", lambda: drafter.api(
        "post", "/api/v1/outgoing", 201,
        data={"doc_type": "cong_van", "subject": f"Dự thảo công văn {tag}", "signer_id": str(leader.id)},
        files={"file": (f"du-thao-{n}.pdf", ten_page_pdf("du thao " + tag, 2), "application/pdf")})).json()
    path = f"/api/v1/outgoing/{draft['id']}"
    timed(bucket, "submit_draft", lambda: drafter.api("post", path + "/submit", 200, json={}))
    timed(bucket, "approve", lambda: head.api("post", path + "/approve", 200, json={}))
    timed(bucket, "approve", lambda: leader.api("post", path + "/approve", 200, json={}))
    timed(bucket, "leader_sign", lambda: leader.api("post", path + "/sign", 200))
    timed(bucket, "clerk_issue", lambda: clerk.api("post", path + "/issue", 200, json={}))
    page = timed(bucket, "open_page", lambda: clerk.api("get", f"/outgoing/{draft['id']}", 200))
    bucket.setdefault("open_page_outgoing", []).append(bucket["open_page"][-1])
    assert "Chữ ký hợp lệ" in page.text, "the issued document's page shows no verified signature"
    timed(bucket, "open_page", lambda: clerk.api("get", f"/incoming/{incoming['id']}", 200))
    bucket.setdefault("open_page_incoming", []).append(bucket["open_page"][-1])


def docx_draft(n: int, times: dict[str, list[float]], drafter: Person, leader: Person) -> bool:
    """A draft from a DOCX, rendered to PDF by LibreOffice: timed apart."""
    tag = f"docx-{n}"
    response = timed(times, "create_draft_docx", lambda: drafter.api(
        "post", "/api/v1/outgoing", data={"doc_type": "cong_van", "subject": f"Dự thảo {tag}",
                                          "signer_id": str(leader.id)},
        files={"file": (f"{tag}.docx", draft_docx(tag),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}))
    if response.status_code != 201:
        times.pop("create_draft_docx", None)
        print(f"draft from DOCX not timed: {response.status_code} {response.text[:200]}")
        return False
    return True


def run(rounds: int, server_kind: str, workers: int, docx_rounds: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-actions-")) / "instance"
    folder.mkdir()
    server = Server(folder, server_kind, workers)
    times: dict[str, list[float]] = {}
    try:
        clerk, drafter, head, leader = (Person(server.url, name) for name in ("vanthu", "cv.kt1", "truongkt",
                                                                               "chutich"))
        for n in range(rounds + 1):  # the first round warms up (the pool starts), not counted
            bucket: dict[str, list[float]] = {} if n == 0 else times
            one_round(n, bucket, clerk, drafter, head, leader)
            if n == 0:
                print(f"warm-up round done ({sum(len(v) for v in bucket.values())} requests)", flush=True)
        for n in range(docx_rounds):
            if not docx_draft(n, times, drafter, leader):
                break
    finally:
        server.stop()
        if os.environ.get("BENCH_KEEP") is None:
            shutil.rmtree(folder.parent, ignore_errors=True)
        else:
            print(f"instance kept: {folder}")
    return {name: {"p50_ms": round(statistics.median(v), 1), "p95_ms": round(percentile(v, 0.95), 1),
                   "max_ms": round(max(v), 1), "n": len(v)} for name, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sandbox-workers", type=int, default=int(os.environ.get("XASO_SANDBOX_WORKERS", "2")))
    parser.add_argument("--server", choices=("gunicorn", "flask"), default="gunicorn")
    parser.add_argument("--docx-rounds", type=int, default=3, help="drafts from DOCX (LibreOffice), timed apart")
    args = parser.parse_args()
    print(f"{args.rounds} rounds, server {args.server}, XASO_SANDBOX_WORKERS={args.sandbox_workers}", flush=True)
    results = run(args.rounds, args.server, args.sandbox_workers, args.docx_rounds)
    for name, figures in results.items():
        extra = "" if name in ACTIONS else "  (apart)"
        print(f"{name:20s} p50 {figures['p50_ms']:8.1f} ms  p95 {figures['p95_ms']:8.1f} ms  "
              f"max {figures['max_ms']:8.1f} ms  n={figures['n']}{extra}")
    met = all(results[a]["p95_ms"] <= GOAL_MS for a in ACTIONS if a in results)
    print(f"goal p95 <= {GOAL_MS:.0f} ms for every action: {'met' if met else 'not met'}")
    print(json.dumps({"bench": "actions", "rounds": args.rounds, "server": args.server,
                      "sandbox_workers": args.sandbox_workers, "database": "sqlite", "actions": results,
                      "goal_p95_ms": GOAL_MS, "goal_met": met, "loadavg": os.getloadavg()}))


if __name__ == "__main__":
    main()
