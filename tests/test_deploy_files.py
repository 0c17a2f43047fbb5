"""The sample deployment in deploy/ stays true to the app.

An operator copies these files: a variable the app does not read, a command that does
not exist or a gunicorn line that does not start would fail on their server, not here.
So: every XASO_* name in the environment example is read by the app; every systemd
ExecStart names a real command; the web unit's gunicorn line (the one make run uses too,
deploy/gunicorn.conf.py) serves the app and its meeting room; nginx accepts the site file
(when nginx is installed); nginx's upload limit matches the app's. And make run's serving
(SQLite under gevent) keeps the event loop going while a write waits for SQLite's lock.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT, free_port

DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "xaso.env.example"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
NGINX_SITE = DEPLOY / "nginx" / "xaso.conf"
VENV_BIN = "/opt/xaso/.venv/bin/"


def env_example() -> dict[str, str]:
    """Every NAME=value of the example, set or commented out (#NAME=value)."""
    names = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if m := re.match(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", line.strip()):
            names[m.group(1)] = m.group(2)
    return names


def app_sources() -> dict[Path, str]:
    return {p: p.read_text() for pkg in ("docmgmt", "meetings", "search") for p in (ROOT / pkg).rglob("*.py")}


def read_by_app(name: str, sources: dict[Path, str]) -> bool:
    """The name is a string literal in the app's code, or is built from a prefix and a key
    in one module (``os.environ.get(f"XASO_EXCHANGE_{key}")`` with ``"URL"`` among its keys)."""
    for text in sources.values():
        if re.search(rf"""["']{name}["']""", text):
            return True
        for prefix in re.findall(r"""f["'](XASO_[A-Z0-9_]*)\{""", text):
            if name.startswith(prefix) and re.search(rf"""["']{name[len(prefix):]}["']""", text):
                return True
    return False


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def exec_start(path: Path) -> list[str]:
    argv = shlex.split(unit(path)["Service"]["ExecStart"])
    assert argv[0].startswith(VENV_BIN), f"{path.name}: ExecStart should run the venv of {VENV_BIN}"
    return argv


def test_the_environment_example_sets_only_variables_the_app_reads():
    names = env_example()
    xaso = [n for n in names if n.startswith("XASO_")]
    assert {"XASO_CONFIG", "XASO_DATABASE_URL", "XASO_MESSAGE_QUEUE", "XASO_SECRET_KEY", "XASO_INSTANCE",
            "XASO_TRUSTED_PROXIES", "XASO_MAX_UPLOAD_MB"} <= set(xaso)
    sources = app_sources()
    unknown = [n for n in xaso if not read_by_app(n, sources)]
    assert not unknown, f"deploy/xaso.env.example sets variables the app never reads: {unknown}"
    assert names["XASO_CONFIG"] in {"production"}
    # The one non-XASO variable: gunicorn's, read by deploy/gunicorn.conf.py.
    assert set(names) - set(xaso) <= {"WEB_CONCURRENCY"}
    assert "WEB_CONCURRENCY" in (DEPLOY / "gunicorn.conf.py").read_text()


def test_nginx_accepts_the_uploads_the_app_accepts(monkeypatch, tmp_path):
    """client_max_body_size is the app's MAX_CONTENT_LENGTH for the example's XASO_MAX_UPLOAD_MB
    (a smaller one refuses big files with nginx's page, not the app's Vietnamese message)."""
    from docmgmt.config import Config

    monkeypatch.setenv("XASO_MAX_UPLOAD_MB", env_example()["XASO_MAX_UPLOAD_MB"])
    monkeypatch.setenv("XASO_INSTANCE", str(tmp_path))
    limit = re.search(r"client_max_body_size\s+(\d+)m;", NGINX_SITE.read_text())
    assert limit, "the nginx site sets no client_max_body_size"
    assert int(limit.group(1)) * 1024 * 1024 == Config().MAX_CONTENT_LENGTH


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_each_unit_runs_a_real_command(path, tmp_path):
    service = unit(path)["Service"]
    assert service["EnvironmentFile"] == "/etc/xaso/xaso.env"
    argv = exec_start(path)
    env = {"PATH": "/usr/bin:/bin", "XASO_INSTANCE": str(tmp_path / "instance"),
           "XASO_SECRET_KEY": "test-only-secret-key-0123456789abcdef"}
    program = Path(argv[0]).name
    if program == "flask":
        assert argv[1:3] == ["--app", "docmgmt"]
        out = subprocess.run([sys.executable, "-m", "flask", *argv[1:], "--help"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, f"{path.name}: {' '.join(argv[1:])} --help failed:\n{out.stdout}\n{out.stderr}"
        assert "Usage:" in out.stdout
    else:
        assert program == "gunicorn", f"{path.name}: unexpected program {program}"
        config = argv[argv.index("-c") + 1]
        assert (ROOT / config).is_file(), f"{path.name}: gunicorn config {config} not in the repository"


def gunicorn_from_unit(port: int) -> list[str]:
    """The web unit's command line, on this checkout's venv and a free port."""
    argv = exec_start(DEPLOY / "systemd" / "xaso-web.service")
    bind = argv.index("-b")
    argv[bind + 1] = f"127.0.0.1:{port}"
    return [sys.executable, "-m", "gunicorn", *argv[1:]]


def test_the_web_unit_serves_the_app_and_its_meeting_room(instance, tmp_path):
    import websocket  # websocket-client

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    env = {"PATH": "/usr/bin:/bin", "XASO_INSTANCE": str(instance), "XASO_DEMO": "1",
           "XASO_SECRET_KEY": "test-only-secret-key-0123456789abcdef"}
    proc = subprocess.Popen(gunicorn_from_unit(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        body = wait_healthy(proc, port, tmp_path / "gunicorn.log")
        assert b'"ok"' in body or b"ok" in body
        # The meeting room's door: an Engine.IO websocket opens (no session: Socket.IO then
        # refuses the namespace, which is the app answering, not the server failing).
        ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", timeout=10)
        try:
            assert ws.recv().startswith("0{")
            ws.send("40/meetings,")
            assert ws.recv().startswith("44/meetings,")
        finally:
            ws.close()
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "geventwebsocket.gunicorn.workers.GeventWebSocketWorker" in output
    assert "Traceback" not in output


def wait_healthy(proc: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> bytes:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return r.read()
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz within {timeout} s: {log.read_text(errors='replace')[-3000:]}")


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        if IN_CI:
            pytest.fail("nginx missing under CI=true: scripts/test installs it (nginx-light)")
        pytest.skip("nginx not installed (scripts/test installs it as root; the sample is checked with `nginx -t`)")
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xaso.example.gov.vn")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp_path / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    site = (NGINX_SITE.read_text().replace("/etc/ssl/xaso/", f"{tmp_path}/")
            .replace("/var/cache/nginx/xaso", str(tmp_path / "cache")))
    (tmp_path / "xaso.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(textwrap.dedent(f"""\
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/error.log;
        events {{}}
        http {{
            access_log off;
            client_body_temp_path {tmp_path}/body;
            proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fastcgi;
            uwsgi_temp_path {tmp_path}/uwsgi;
            scgi_temp_path {tmp_path}/scgi;
            include {tmp_path}/xaso.conf;
        }}
        """))
    out = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


# --- make run: SQLite under gevent ---------------------------------------------------------------

WAITING_WRITER = """
from gevent import monkey
monkey.patch_all()
import sys, sqlite3, gevent
import sqlalchemy as sa
sys.path.insert(0, sys.argv[1])
from tests.conftest import instance_config
from pathlib import Path
from docmgmt import create_app
from docmgmt.extensions import db
from meetings.sockets import socketio

folder = Path(sys.argv[2])
app = create_app(instance_config(folder))
assert socketio.async_mode == "gevent", socketio.async_mode
events = []

# Another process (the worker, a CLI command) holds SQLite's write lock.
holder = sqlite3.connect(str(folder / "xaso.sqlite3"), isolation_level=None)
holder.execute("BEGIN IMMEDIATE")

def write():
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
        db.session.commit()
        events.append("written")

writer = gevent.spawn(write)
gevent.sleep(0)  # the writer runs until it waits for the lock
events.append("loop alive while the writer waits")
holder.execute("COMMIT")
writer.get(timeout=60)
print(events)
"""


def test_a_write_waiting_for_sqlites_lock_does_not_stop_the_other_greenlets(instance):
    """Under make run's gevent worker with SQLite, a request waiting for the database's write
    lock (held by the worker process, say) must leave the loop free for the meeting room."""
    out = subprocess.run([sys.executable, "-c", WAITING_WRITER, str(ROOT), str(instance)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "['loop alive while the writer waits', 'written']"
