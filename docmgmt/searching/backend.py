"""One search backend per process and index folder, created on first use.

``SEARCH_BACKEND`` picks the engine: ``whoosh`` (the default: files in
``SEARCH_INDEX_DIR``) or ``postgresql`` (tables of the app's own PostgreSQL database,
``search.postgres_backend``; refused on any other database). Both are written after
commit through the same outbox (``indexing``) and answer the same interface.

Readers are cached inside the backend (one Whoosh reader reused across requests), so
creating it once per process matters for speed; it lives in ``app.extensions`` and is
closed when the process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import weakref

from flask import Flask, current_app

from search.backend import SearchBackend
from search.postgres_backend import PostgresBackend
from search.whoosh_backend import WhooshBackend

EXTENSION = "xaso_search"
ENGINES = ("whoosh", "postgresql")

_lock = threading.Lock()
_open: weakref.WeakSet[SearchBackend] = weakref.WeakSet()


class SearchConfigError(RuntimeError):
    """SEARCH_BACKEND names no engine, or one this database cannot hold."""


class SearchState:
    """What the app keeps per process: the backend and the self-repair in progress."""

    def __init__(self, index_dir: str) -> None:
        self.index_dir = index_dir
        self.backend: WhooshBackend | PostgresBackend | None = None
        self.rebuild_thread: threading.Thread | None = None
        self.last_rebuild_error: str | None = None
        self.last_rebuild_started = float("-inf")
        self.startup_drained = False


def state(app: Flask | None = None) -> SearchState:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    st = app.extensions.get(EXTENSION)
    if st is None or st.index_dir != app.config["SEARCH_INDEX_DIR"]:
        with _lock:
            st = app.extensions.get(EXTENSION)
            if st is None or st.index_dir != app.config["SEARCH_INDEX_DIR"]:
                if st is not None and st.backend is not None:
                    st.backend.close()
                st = app.extensions[EXTENSION] = SearchState(app.config["SEARCH_INDEX_DIR"])
    return st


def engine_name(app: Flask) -> str:
    """The configured engine, checked against the database."""
    name = str(app.config.get("SEARCH_BACKEND") or "whoosh").lower()
    if name not in ENGINES:
        raise SearchConfigError(f"SEARCH_BACKEND={name!r}: expected one of {', '.join(ENGINES)}")
    if name == "postgresql" and not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        raise SearchConfigError("SEARCH_BACKEND=postgresql needs a PostgreSQL database (XASO_DATABASE_URL)")
    return name


def get_backend(app: Flask | None = None) -> WhooshBackend | PostgresBackend:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    st = state(app)
    if st.backend is None:
        with _lock:
            if st.backend is None:
                if engine_name(app) == "postgresql":
                    from ..extensions import db  # the app's engine: its pool, its URL

                    st.backend = PostgresBackend(db.engine, root=st.index_dir)
                else:
                    st.backend = WhooshBackend(st.index_dir)
                _open.add(st.backend)
    return st.backend


@atexit.register
def _close_all() -> None:
    for backend in list(_open):
        with contextlib.suppress(Exception):  # the process is ending anyway
            backend.close()
