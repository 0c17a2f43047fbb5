"""Fixtures: a small real commune in a real database, built once, copied per test.

The template instance is migrated with Alembic (the same `db upgrade` a commune runs)
and seeded with the demo commune plus a second commune, to prove that one never sees
the other. Each test gets its own copy of the instance folder (database, files,
index), so tests are independent and fast.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("XASO_SECRET_KEY", "test-only-secret-key-0123456789abcdef")
os.environ.setdefault("XASO_INSTANCE", "/tmp/xaso-tests-unused-instance")

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def instance_config(folder: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'xaso.sqlite3'}",
        "FILE_STORE_DIR": str(folder / "files"),
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "INSTANCE_DIR": str(folder),
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        # Scans wait for OCR (an OCRmyPDF run takes seconds) unless a test turns it on
        # (tests/test_ocr.py): app.config["SEARCH_OCR_COMMAND"] = "ocrmypdf".
        "SEARCH_OCR_COMMAND": "",
    }


OTHER_COMMUNE = dict(
    name="Ủy ban nhân dân xã Lạc Sơn", organ_id="000.00.13.H42", abbreviation="UBND",
    governing_body="Tỉnh Phú Thọ", place_name="Lạc Sơn",
)


@pytest.fixture(scope="session")
def template_instance(tmp_path_factory) -> Path:
    import flask_migrate

    from docmgmt import create_app
    from docmgmt.demo import seed
    from docmgmt.extensions import db
    from docmgmt.org.operations import create_organisation, create_unit, create_user

    folder = tmp_path_factory.mktemp("template-instance")
    app = create_app(instance_config(folder))
    with app.app_context():
        flask_migrate.upgrade()
        seed(with_documents=False)  # tests build the documents they need
        other = create_organisation(**OTHER_COMMUNE)
        unit = create_unit(None, other, "Văn phòng HĐND và UBND", "VP")
        create_user(None, other, username="quantri.lacson", full_name="Hà Văn Tâm",
                    password="matkhau-lacson", roles=["admin"], unit_id=unit.id)
        create_user(None, other, username="cv.lacson", full_name="Bùi Thị Nga",
                    password="matkhau-lacson", roles=["staff"], unit_id=unit.id)
        db.session.commit()
        db.engine.dispose()
    return folder


@pytest.fixture
def instance(template_instance, tmp_path) -> Path:
    folder = tmp_path / "instance"
    shutil.copytree(template_instance, folder)
    return folder


@pytest.fixture
def app(instance):
    from docmgmt import create_app
    from docmgmt.extensions import db

    app = create_app(instance_config(instance))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    from docmgmt.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def ctx(app):
    """An app context and a test request context (``url_for``, ``g``, the session), for
    tests that call the domain operations directly. Yields the app."""
    with app.app_context(), app.test_request_context():
        yield app


DEMO_PASSWORD = "xaso2026"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1) or m.group(2)


def login(client, username: str, password: str = DEMO_PASSWORD, follow: bool = False):
    page = client.get("/login")
    if page.status_code == 302:  # someone is signed in on this client: sign them out
        client.post("/logout", data={"csrf_token": page_csrf(client)})
        page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=follow,
    )


@pytest.fixture
def login_as(client):
    def _login(username: str, password: str = DEMO_PASSWORD):
        response = login(client, username, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


def page_csrf(client, path: str = "/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def text_of(response) -> str:
    return response.get_data(as_text=True)


class ApiUser:
    """A script calling the API with a personal token (no cookie, no CSRF)."""

    def __init__(self, app, username: str):
        from docmgmt.auth.operations import create_token
        from docmgmt.extensions import db
        from tests.commune import user

        with app.app_context():
            person = user(username)
            _token, clear = create_token(person, "kiểm thử")
            db.session.commit()
            self.id = person.id
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {clear}"}

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path, **kw):
        return self.client.post(path, headers=self.headers, **kw)


@pytest.fixture
def as_user(app):
    """``as_user(username)``: that person's API client (one token each, made once)."""
    cache: dict[str, ApiUser] = {}

    def _as(username: str) -> ApiUser:
        if username not in cache:
            cache[username] = ApiUser(app, username)
        return cache[username]

    return _as


# --- PostgreSQL -----------------------------------------------------------------

PG_ADMIN_URL = os.environ.get("XASO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_reachable() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None


def empty_pg_database():
    """A fresh, empty PostgreSQL database on the server running on this machine, dropped
    afterwards (a generator: fixtures ``yield from`` it). Skips when the server is
    unreachable, except under CI=true, where that is a failure."""
    import sqlalchemy as sa

    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {problem}")
        pytest.skip(f"PostgreSQL server not reachable at {PG_ADMIN_URL}: {problem}")
    name = f"xaso_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database."""
    yield from empty_pg_database()


@pytest.fixture
def pg_commune(pg_url, tmp_path) -> dict:
    """The configuration of an instance in ``tmp_path`` on a fresh PostgreSQL database,
    migrated and seeded with the demo commune (no documents); no connection left open."""
    import flask_migrate

    from docmgmt import create_app
    from docmgmt.demo import seed
    from docmgmt.extensions import db

    config = {**instance_config(tmp_path), "SQLALCHEMY_DATABASE_URI": pg_url}
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        seed(with_documents=False)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return config


# --- Redis -------------------------------------------------------------------------

REDIS_URL = os.environ.get("XASO_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url():
    """The Redis server running on this machine (the Socket.IO message queue)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"Redis is required under CI=true but unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis server not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


# --- a real server process, for the browser and for multi-process tests ---------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, instance: Path, extra_env: dict | None = None, port: int | None = None,
                 gevent: bool = True):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "XASO_INSTANCE": str(instance), "XASO_DEMO": "1", **(extra_env or {})}
        # As make run (scripts/run) and production serve it: gunicorn's gevent-websocket worker
        # with deploy/gunicorn.conf.py, one process. ``gevent=False`` is a bare `flask run`
        # (Werkzeug threads), which make run no longer uses.
        if gevent:
            command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "-w", "1",
                       "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "docmgmt:create_app()"]
        else:
            command = [sys.executable, "-m", "flask", "--app", "docmgmt", "run", "--port", str(self.port),
                       "--no-reload", "--no-debugger"]
        # The server's log goes to a file: a pipe nobody reads fills up (64 KB, a few hundred
        # requests) and then blocks the server in the middle of a response.
        self.log = Path(instance) / f"server-{self.port}.log"
        self._log_file = self.log.open("wb")
        # Its own process group: gunicorn is a master and a worker, and a crash takes both.
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._wait()

    def output(self) -> str:
        return self.log.read_bytes().decode(errors="replace")

    def _wait(self) -> None:
        import urllib.request

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start within 30 s")

    def kill(self) -> None:
        """Die as a crash would: SIGKILL to every process of the server, no cleanup (killing
        gunicorn's master alone would leave its worker serving until it noticed)."""
        self._signal_group(signal.SIGKILL)
        self.proc.wait(10)
        self._log_file.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._signal_group(signal.SIGKILL)  # whatever outlived its master
        self._log_file.close()

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)


@pytest.fixture
def live_server(instance):
    server = LiveServer(instance)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser build)."""
    if not Path("/usr/bin/chromium").exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium missing under CI=true: scripts/test installs it")
        pytest.skip("Debian chromium not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


# --- a commune with a little of everything (check, backup: tests/maintenance_support.py) ---

@pytest.fixture(scope="module")
def populated(template_instance, tmp_path_factory):
    """(folder, ids): incoming documents with files, signed and issued outgoing ones, a
    live meeting; built once per test module."""
    from tests.maintenance_support import build_populated

    folder = tmp_path_factory.mktemp("populated") / "instance"
    return folder, build_populated(template_instance, folder)


@pytest.fixture
def busy(populated, tmp_path):
    """(app, ids): a fresh copy of the populated commune."""
    from docmgmt import create_app
    from docmgmt.extensions import db

    source, ids = populated
    folder = tmp_path / "instance"
    shutil.copytree(source, folder, symlinks=True)  # the index's `current` is a symlink
    app = create_app(instance_config(folder))
    yield app, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
