"""What a commune office on a weak link pays for a page: bytes, requests, seconds.

Issue #18's goal, on a 400 kbit/s link with 400 ms of latency: a first visit (empty cache)
at most 150 KB transferred and usable within 4 s; a next page at most 25 KB and 1.5 s.

Setup (self-contained, nothing downloaded): a fresh temporary instance folder
(XASO_INSTANCE, XASO_DEMO=1), ``flask db upgrade``, ``flask seed-demo``, then the app served
as ``make run`` serves it (scripts/run: gunicorn's gevent-websocket worker with
deploy/gunicorn.conf.py; ``--serve flask`` for ``flask run --no-reload --no-debugger``), on a
free port. Debian's /usr/bin/chromium, driven by Playwright, headless; the link is emulated
by the DevTools protocol (``Network.emulateNetworkConditions``: latency 400 ms, 50,000 bytes/s
down and up).

Pages: the clerk's home (vanthu), the incoming list, an incoming document's page, and a
live meeting's room (a meeting of the demo if the clerk is invited to one, else one built
for the benchmark as tests/meetings_support.py does, entered by its secretary thuky).

Per page, in a new browser context (empty cache):
- first visit: open the page, get sent to the login form, sign in, land on the page. Both
  pages count: bytes and requests are those of the login page plus the page after it (the
  form's POST and its redirect included); time is each page's own (see below);
- next visit: the same page again in the same context (warm cache).

Bytes: the sum of ``encodedDataLength`` of ``Network.loadingFinished`` (what came over the
wire: headers and compressed bodies), plus WebSocket frames received; requests: those that
went over the network (HTTP requests finished, less those the browser's cache answered:
``requestServedFromCache`` or a response ``fromDiskCache``), ``from_cache`` the others.
Time until usable: from the navigation's start to the end of its load event (Navigation
Timing ``loadEventEnd``: HTML, styles, scripts, the icon font the page shows), then the
network is left to settle (no request for 500 ms) before the figures are read, so late
requests (the room's Socket.IO connection) are counted in the bytes.

Usage:
  .venv/bin/python scripts/bench_network.py
  .venv/bin/python scripts/bench_network.py --serve flask --no-throttle

Human-readable lines first; the LAST line is one JSON object: per page the first and next
visits' bytes, requests and times, the goals, whether each is met, and os.getloadavg().
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PASSWORD = "xaso2026"
CLERK = "vanthu"
LATENCY_MS = 400
BYTES_PER_S = 50_000  # 400 kbit/s
GOALS = {"first_kb": 150, "first_s": 4.0, "next_kb": 25, "next_s": 1.5}


def log(msg: str) -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """A demo commune served in a temporary instance folder."""

    def __init__(self, serve: str) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="xaso-net-"))
        self.env = {**os.environ, "XASO_INSTANCE": str(self.tmp / "instance"), "XASO_DEMO": "1"}
        self.serve = serve
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def flask(self, *argv: str) -> str:
        out = subprocess.run([str(VENV_BIN / "flask"), "--app", "docmgmt", *argv], cwd=ROOT, env=self.env,
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"flask {' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def pages(self) -> dict:
        """The addresses to measure, found in the seeded database (in a child process)."""
        code = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from docmgmt import create_app
app = create_app()
with app.app_context():
    from docmgmt.extensions import db
    from docmgmt.org.models import User
    from docmgmt.incoming.models import IncomingDocument
    from meetings.access import ATTEND
    from meetings.models import Meeting
    clerk = db.session.scalar(db.select(User).where(User.username == "vanthu"))
    doc = db.session.scalar(db.select(IncomingDocument).order_by(IncomingDocument.id.desc()))
    room, who = None, "vanthu"
    for m in db.session.scalars(db.select(Meeting).order_by(Meeting.id)):
        if m.status == "live" and ATTEND.allows(clerk, m):
            room = m.id
            break
    if room is None:
        from tests.meetings_support import build_meeting
        room, who = build_meeting("live", items=3, title="Họp giao ban (benchmark)"), "thuky"
    print(json.dumps({"doc": doc.id, "room": room, "room_user": who}))
"""
        out = subprocess.run([str(VENV_BIN / "python"), "-c", code, str(ROOT)], cwd=ROOT, env=self.env,
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"finding the pages failed:\n{out.stderr}")
        found = json.loads(out.stdout.strip().splitlines()[-1])
        return {
            "home": ("/", CLERK),
            "incoming_list": ("/incoming/", CLERK),
            "document": (f"/incoming/{found['doc']}", CLERK),
            "meeting_room": (f"/meetings/{found['room']}/room", found["room_user"]),
        }

    def start(self) -> None:
        self.flask("db", "upgrade")
        self.flask("seed-demo")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        if self.serve == "gunicorn":  # as scripts/run
            command = [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "-w", "1",
                       "-b", f"127.0.0.1:{port}", "docmgmt:create_app()"]
        else:
            command = [str(VENV_BIN / "flask"), "--app", "docmgmt", "run", "--port", str(port),
                       "--no-reload", "--no-debugger"]
        self.logf = (self.tmp / "server.log").open("wb")
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited:\n{(self.tmp / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("server did not start within 60 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.logf.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Meter:
    """Bytes and requests of one page, read from the DevTools protocol."""

    def __init__(self, page, throttle: bool) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        if throttle:
            self.cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": LATENCY_MS,
                "downloadThroughput": BYTES_PER_S, "uploadThroughput": BYTES_PER_S})
        self.reset()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", self._cache_hit)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)

    def reset(self) -> None:
        self.bytes = 0
        self.urls: list[tuple[str, int]] = []  # requests that went over the network (http, not from a cache)
        self.cached: set[str] = set()  # request ids the browser's cache answered
        self.by_url: dict[str, str] = {}
        self.sizes: dict[str, int] = {}

    def _sent(self, e) -> None:
        redirect = e.get("redirectResponse")
        if redirect and e["requestId"] in self.by_url:  # a 302 (the login form's answer): no loadingFinished
            n = int(redirect.get("encodedDataLength", 0))
            self.bytes += n
            self.urls.append((self.by_url[e["requestId"]], n))
        url = e["request"]["url"]
        if url.startswith("http"):
            self.by_url[e["requestId"]] = url

    def _cache_hit(self, e) -> None:
        self.cached.add(e["requestId"])

    def _response(self, e) -> None:
        r = e["response"]
        if r.get("fromDiskCache") or r.get("fromPrefetchCache") or r.get("fromServiceWorker"):
            self.cached.add(e["requestId"])

    def _finished(self, e) -> None:
        url = self.by_url.get(e["requestId"])
        if url is None:
            return
        n = int(e.get("encodedDataLength", 0))
        self.bytes += n
        if e["requestId"] not in self.cached:
            self.urls.append((url, n))
            self.sizes[url] = self.sizes.get(url, 0) + n

    def _frame(self, e) -> None:
        self.bytes += len(e["response"].get("payloadData", ""))

    def figures(self) -> dict:
        return {"kb": round(self.bytes / 1000, 1), "requests": len(self.urls),
                "from_cache": len(self.cached)}


def timing(page) -> dict:
    nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }""")
    return {"dcl_s": round(nav["dcl"] / 1000, 2), "load_s": round(nav["load"] / 1000, 2)}


def settle(page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    # A connection that never rests (long polling): the figures so far.
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=30_000)


def measure(browser, base: str, path: str, username: str, throttle: bool) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    meter = Meter(page, throttle)
    # First visit: the page sends to the login form (the first page), then back to the page.
    page.goto(base + path, wait_until="load")
    settle(page)
    login = {**meter.figures(), **timing(page)}
    login_urls = list(meter.urls)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    before = meter.bytes, len(meter.urls)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda u: "/login" not in u, timeout=60_000)
    settle(page)
    after_login = timing(page)
    first = {"kb": round(meter.bytes / 1000, 1), "requests": len(meter.urls),
             "login_page": login, "page_kb": round((meter.bytes - before[0]) / 1000, 1),
             "page_requests": len(meter.urls) - before[1], **after_login}
    first_urls = meter.urls[len(login_urls):]
    # Next visit: the same page again, warm cache.
    meter.reset()
    page.goto(base + path, wait_until="load")
    settle(page)
    nxt = {**meter.figures(), **timing(page)}
    nxt_urls = list(meter.urls)
    context.close()
    return {"first": first, "next": nxt, "_urls": {"login": login_urls, "first": first_urls, "next": nxt_urls}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve", choices=("gunicorn", "flask"), default="gunicorn")
    parser.add_argument("--no-throttle", action="store_true", help="measure bytes without emulating the link")
    parser.add_argument("--verbose", action="store_true", help="list every request")
    args = parser.parse_args()
    if not Path("/usr/bin/chromium").exists():
        raise SystemExit("needs Debian's chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    app = App(args.serve)
    results: dict = {}
    try:
        t = time.monotonic()
        app.start()
        pages = app.pages()
        log(f"setup: {app.serve} at {app.url}, instance {app.env['XASO_INSTANCE']} ({time.monotonic() - t:.1f} s)")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-quic",
                                               "--no-first-run", "--disable-background-networking",
                                               "--disable-component-update", "--disable-sync"])
            for name, (path, username) in pages.items():
                r = measure(browser, app.url, path, username, not args.no_throttle)
                urls = r.pop("_urls")
                results[name] = {"path": path, "user": username, **r}
                f, n = r["first"], r["next"]
                log(f"{name:14} {path:24} first: {f['kb']:6.1f} KB {f['requests']:3} req "
                    f"(login page {f['login_page']['kb']:.1f} KB in {f['login_page']['load_s']:.2f} s; "
                    f"page {f['page_kb']:.1f} KB, load {f['load_s']:.2f} s) | next: {n['kb']:5.1f} KB "
                    f"{n['requests']:2} req, load {n['load_s']:.2f} s")
                if args.verbose:
                    for phase, items in urls.items():
                        for u, size in items:
                            log(f"    {phase:6} {size:7} B {u.replace(app.url, '')}")
            browser.close()
    finally:
        app.stop()
    met = {
        name: {
            "first_kb": r["first"]["kb"] <= GOALS["first_kb"],
            "first_s": max(r["first"]["load_s"], r["first"]["login_page"]["load_s"]) <= GOALS["first_s"],
            "next_kb": r["next"]["kb"] <= GOALS["next_kb"],
            "next_s": r["next"]["load_s"] <= GOALS["next_s"],
        } for name, r in results.items()
    }
    log("goals met: " + ", ".join(f"{k}={all(v.values())}" for k, v in met.items()))
    print(json.dumps({
        "link": {"latency_ms": 0 if args.no_throttle else LATENCY_MS,
                 "bytes_per_s": None if args.no_throttle else BYTES_PER_S},
        "serve": args.serve, "time": "loadEventEnd from navigation start (s)",
        "bytes": "sum of CDP encodedDataLength + WebSocket frames",
        "pages": results, "goals": GOALS, "met": met, "all_met": all(all(v.values()) for v in met.values()),
        "loadavg": os.getloadavg(), "python": sys.version.split()[0],
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
