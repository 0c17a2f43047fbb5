"""Is the index whole and complete? If not, rebuild it from the database.

/healthz asks ``index_health()``: queued jobs are applied first (a queue is not
damage), then the engine reads every segment and compares its document count with
the database's. A damaged or incomplete index is reported (``ok: false`` with the
error) and rebuilt in a background thread — one at a time per process, and not more
than once a minute — while searches keep using the last good generation.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from ..extensions import db
from .backend import get_backend, state
from .indexing import drain, indexable_count, reindex

log = logging.getLogger(__name__)

REBUILD_MIN_INTERVAL_S = 60.0
_start_lock = threading.Lock()


def index_health() -> dict:
    st = state()
    try:
        drain(lock_timeout=2.0)
    except Exception:  # noqa: BLE001 - reported below through check()
        log.exception("search: drain before health check failed")
    report = get_backend().check(expected_docs=indexable_count())
    if st.rebuild_thread is not None and st.rebuild_thread.is_alive():
        report["rebuilding"] = True
    elif not report["ok"]:
        report["rebuilding"] = start_rebuild()
    if st.last_rebuild_error:
        report["last_rebuild_error"] = st.last_rebuild_error
    return report


def start_rebuild(app: Flask | None = None) -> bool:
    """Start a rebuild in the background unless one runs or ran a moment ago."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    st = state(app)
    with _start_lock:
        if st.rebuild_thread is not None and st.rebuild_thread.is_alive():
            return True
        if time.monotonic() - st.last_rebuild_started < REBUILD_MIN_INTERVAL_S:
            return False
        st.last_rebuild_started = time.monotonic()
        st.rebuild_thread = threading.Thread(target=_rebuild, args=(app,), name="search-rebuild",
                                             daemon=True)
        st.rebuild_thread.start()
        return True


def _rebuild(app: Flask) -> None:
    st = state(app)
    with app.app_context():
        try:
            count = reindex()
            st.last_rebuild_error = None
            log.warning("search: index rebuilt with %s documents", count)
        except Exception as exc:  # noqa: BLE001 - shown on /healthz
            st.last_rebuild_error = f"{type(exc).__name__}: {exc}"
            log.exception("search: rebuild failed")
        finally:
            db.session.remove()
