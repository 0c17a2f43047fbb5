"""One search backend per process and index folder, created on first use.

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

from search.whoosh_backend import WhooshBackend

EXTENSION = "xaso_search"

_lock = threading.Lock()
_open: weakref.WeakSet[WhooshBackend] = weakref.WeakSet()


class SearchState:
    """What the app keeps per process: the backend and the self-repair in progress."""

    def __init__(self, index_dir: str) -> None:
        self.index_dir = index_dir
        self.backend: WhooshBackend | None = None
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


def get_backend(app: Flask | None = None) -> WhooshBackend:
    st = state(app)
    if st.backend is None:
        with _lock:
            if st.backend is None:
                st.backend = WhooshBackend(st.index_dir)
                _open.add(st.backend)
    return st.backend


@atexit.register
def _close_all() -> None:
    for backend in list(_open):
        with contextlib.suppress(Exception):  # the process is ending anyway
            backend.close()
