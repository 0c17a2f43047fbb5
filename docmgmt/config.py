"""Configuration: a class per kind of deployment, overridden by environment variables.

The embedded default keeps everything a commune needs in one instance folder
(``XASO_INSTANCE``, default ``./instance``): the SQLite database, the file store and
the search index, so several instances can run side by side.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_dir() -> Path:
    return Path(os.environ.get("XASO_INSTANCE", "instance")).resolve()


def _secret_key(folder: Path) -> str:
    """Use XASO_SECRET_KEY, or a key generated once and kept in the instance folder.

    A key kept beside the database survives restarts (sessions stay valid, the audit
    chain keeps verifying) without asking a commune clerk to configure anything.
    """
    if key := os.environ.get("XASO_SECRET_KEY"):
        return key
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return path.read_text().strip()


class Config:
    """Embedded default: SQLite, local files and a Whoosh index under one folder."""

    def __init__(self) -> None:
        folder = instance_dir()
        self.INSTANCE_DIR = str(folder)
        self.SECRET_KEY = _secret_key(folder)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "XASO_DATABASE_URL", f"sqlite:///{folder / 'xaso.sqlite3'}"
        )
        self.FILE_STORE_DIR = os.environ.get("XASO_FILE_STORE", str(folder / "files"))
        self.SEARCH_INDEX_DIR = os.environ.get("XASO_SEARCH_INDEX", str(folder / "index"))
        # The search engine: "whoosh" (files in SEARCH_INDEX_DIR) or "postgresql" (tables
        # of the database itself, which must then be PostgreSQL; SEARCH_INDEX_DIR still
        # holds the lock files). Switching: set it, then `flask search reindex`.
        self.SEARCH_BACKEND = os.environ.get("XASO_SEARCH_BACKEND", "whoosh").strip().lower()
        if self.SEARCH_BACKEND not in ("whoosh", "postgresql"):
            raise SystemExit(f"XASO_SEARCH_BACKEND={self.SEARCH_BACKEND!r}: expected whoosh or postgresql")
        if self.SEARCH_BACKEND == "postgresql" and not self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            raise SystemExit("XASO_SEARCH_BACKEND=postgresql needs a PostgreSQL database (XASO_DATABASE_URL)")
        # Scans are read by OCRmyPDF (Debian: ocrmypdf, tesseract-ocr-vie) in the worker;
        # XASO_OCR_COMMAND names another command (a path), or "" to read no scan.
        self.SEARCH_OCR_COMMAND = os.environ.get("XASO_OCR_COMMAND", "ocrmypdf")
        self.SEARCH_OCR_LANGUAGE = os.environ.get("XASO_OCR_LANGUAGE", "vie")
        # Started interpreters that read untrusted files (uploads, signatures, the index;
        # search.sandbox), per process; 0: a fresh interpreter per file (slower).
        self.SANDBOX_WORKERS = int(os.environ.get("XASO_SANDBOX_WORKERS", "2"))
        self.MAX_UPLOAD_BYTES = int(os.environ.get("XASO_MAX_UPLOAD_MB", "50")) * 1024 * 1024
        # Werkzeug refuses bodies above this before any view runs; a little headroom
        # over one file lets the form fields around it through.
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES + 1024 * 1024
        # Files uploaded on their own (POST /api/v1/files) that nothing refers to: each
        # person may keep this many (and MB) at a time; `flask files prune` (the worker,
        # hourly) removes them after the grace period (docmgmt.files.operations).
        self.FILES_PENDING_MAX = int(os.environ.get("XASO_PENDING_UPLOADS_MAX", "20"))
        self.FILES_PENDING_MAX_MB = int(os.environ.get("XASO_PENDING_UPLOADS_MB", "200"))
        self.FILES_UNATTACHED_GRACE_HOURS = float(os.environ.get("XASO_UNATTACHED_GRACE_HOURS", "24"))
        self.SESSION_COOKIE_SECURE = _env_bool("XASO_SECURE_COOKIES", False)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # "Ghi nhớ đăng nhập": a working week by default, so a lost laptop or a copied
        # cookie stays useful a few days at most (and ends at once on logout or from the
        # sessions list of the account page, see auth.models.UserSession).
        self.REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("XASO_REMEMBER_DAYS", "7")))
        self.DEVICE_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto to
        # believe: the client address is what per-source lockout and rate limits count.
        self.TRUSTED_PROXIES = int(os.environ.get("XASO_TRUSTED_PROXIES", "0"))
        self.RATELIMIT_STORAGE_URI = os.environ.get("XASO_RATELIMIT_STORAGE", "memory://")
        self.DEMO_MODE = _env_bool("XASO_DEMO", False)
        self.SOCKETIO_MESSAGE_QUEUE = os.environ.get("XASO_MESSAGE_QUEUE") or None
        # The meeting room's Socket.IO concurrency: "gevent" under gunicorn's gevent-websocket
        # worker (make run and production: deploy/gunicorn.conf.py), "threading" under a bare
        # `flask run`; "auto" tells them apart by whether gevent has patched the standard library.
        self.SOCKETIO_ASYNC_MODE = os.environ.get("XASO_ASYNC_MODE", "auto")
        # Processes sharing one Redis but serving different deployments use their own channel.
        self.SOCKETIO_CHANNEL = os.environ.get("XASO_MESSAGE_QUEUE_CHANNEL", "xaso-meetings")
        # E-mail (reminders): off unless XASO_SMTP_HOST and XASO_SMTP_FROM are set.
        # XASO_SMTP_SECURITY: "starttls", "ssl" or "none"; default "ssl" on port 465,
        # otherwise STARTTLS whenever the server offers it.
        self.SMTP_HOST = os.environ.get("XASO_SMTP_HOST", "")
        self.SMTP_PORT = int(os.environ.get("XASO_SMTP_PORT") or 0) or None
        self.SMTP_USER = os.environ.get("XASO_SMTP_USER", "")
        self.SMTP_PASSWORD = os.environ.get("XASO_SMTP_PASSWORD", "")
        self.SMTP_FROM = os.environ.get("XASO_SMTP_FROM", "")
        self.SMTP_SECURITY = os.environ.get("XASO_SMTP_SECURITY", "")
        self.SMTP_TIMEOUT = float(os.environ.get("XASO_SMTP_TIMEOUT", "20"))
        # Liberation Serif (Debian fonts-liberation2), metric-compatible with Times New
        # Roman, for the registers printed as PDF.
        self.REPORT_FONT_DIR = os.environ.get(
            "XASO_REPORT_FONT_DIR", "/usr/share/fonts/truetype/liberation2")
        # The document font (DOCX templates, signature appearances, number/date fields):
        # XASO_DOCUMENT_FONT and XASO_DOCUMENT_FONT_FILE/_BOLD_FILE/_ITALIC_FILE, see
        # docmgmt.signing.typeface. A font an operator names but the server lacks stops
        # the start-up here rather than the first signature.
        from .signing import typeface

        self.DOCUMENT_FONT = typeface.family()
        if typeface.is_configured():
            self.DOCUMENT_FONT_FILES = {f: str(typeface.current().file(f)) for f in typeface.FACES}
        # Signing (docmgmt.signing): private keys are encrypted with a key derived from
        # this passphrase, or from SECRET_KEY when it is unset.
        self.SIGNING_KEY_PASSPHRASE = os.environ.get("XASO_KEY_PASSPHRASE") or None
        # Extra trust roots for verification (PEM/DER files or folders, os.pathsep-separated),
        # e.g. the national root CA, besides every commune CA in the database.
        self.SIGNING_TRUST_ROOTS = os.environ.get("XASO_SIGNING_TRUST_ROOTS", "")
        # Remote signing provider (VNPT SmartCA / Viettel MySign shape); empty: local keys only.
        self.SIGNING_REMOTE_URL = os.environ.get("XASO_SIGNING_REMOTE_URL", "")
        self.SIGNING_REMOTE_POLL_INTERVAL = float(os.environ.get("XASO_SIGNING_REMOTE_POLL_INTERVAL", "2"))
        self.SIGNING_REMOTE_TIMEOUT = float(os.environ.get("XASO_SIGNING_REMOTE_TIMEOUT", "120"))
        self.SIGNING_REMOTE_MODE = os.environ.get("XASO_SIGNING_REMOTE_MODE", "cms")

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "xaso_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # one working day

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    # Lockout: this many consecutive failed logins on one account from one source (an
    # address, or a browser the account signed in on before) locks that pair for a while.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    # Progressive delay per address, whatever the account: past this many failures
    # (forgotten after LOGIN_LOCKOUT_MINUTES without one), each attempt waits 1, 2, 4…
    # seconds, at most LOGIN_THROTTLE_MAX_SECONDS.
    LOGIN_THROTTLE_FREE = 10
    LOGIN_THROTTLE_MAX_SECONDS = 60
    # The device cookie: which accounts signed in on this browser before (not a
    # credential: it only spares the account's own browser the lockout aimed at others).
    DEVICE_COOKIE_NAME = "xaso_device"
    DEVICE_COOKIE_DAYS = 365
    # Per client address, whatever the account: slows down password spraying.
    LOGIN_RATE_LIMIT = "20 per minute"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True

    API_TITLE = "Xã Số API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    TESTING = False


class ProductionConfig(Config):
    """Behind HTTPS at province scale: secure cookies are not optional there."""

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.DEVICE_COOKIE_SECURE = True
        if os.environ.get("XASO_DATABASE_URL", "").startswith("postgresql"):
            self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 10}


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False


CONFIGS = {"default": Config, "production": ProductionConfig, "test": TestConfig}


def load_config(name: str | None = None) -> Config:
    return CONFIGS[name or os.environ.get("XASO_CONFIG", "default")]()
