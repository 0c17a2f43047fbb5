"""Full-text search, app side: what is indexed, who may find what, and the doors.

The engine is the top-level ``search`` package (Vietnamese analysis, Whoosh); this
module feeds it from the database and asks it on behalf of a user:

* ``kinds``      — what the index holds: every kind of record (incoming and outgoing
  documents, a meeting's minutes, its agenda documents and the meeting itself,
  dossiers), each with the readers its own page's rule gives it;
* ``indexing``   — the outbox (``search_job``) written by signal subscribers in the
  domain transaction, the drain that applies it through one writer, the reindex, and
  the cache of file text (``blob_text``);
* ``operations`` — ``principals_of(user)`` and ``search(user, …)``, the question every
  door asks;
* ``health``     — the /healthz check and the self-repair of a damaged index;
* ``controllers`` (the /search page), ``api`` (GET /api/v1/search), ``cli``.
"""

from __future__ import annotations

from flask import Flask

from ..core import signals
from . import scans
from .backend import state
from .cli import search_cli
from .indexing import drain, on_dossier, on_file_text, on_incoming, on_meeting, on_outgoing


def init_app(app: Flask) -> None:
    """Subscribe to the domain signals, add the ``search`` commands, and drain leftovers
    on a process's first request.

    Blueprints are discovered (``core.discovery``) and registered by ``docmgmt.web`` and
    ``docmgmt.api`` like the others."""
    app.cli.add_command(search_cli)
    app.config.setdefault("SEARCH_DRAIN_AFTER_COMMIT", True)
    signals.incoming_registered.connect(on_incoming, weak=False)
    signals.incoming_changed.connect(on_incoming, weak=False)
    for outgoing in (signals.outgoing_changed, signals.outgoing_issued, signals.outgoing_recalled):
        outgoing.connect(on_outgoing, weak=False)
    signals.meeting_changed.connect(on_meeting, weak=False)
    signals.dossier_changed.connect(on_dossier, weak=False)
    signals.file_text_extracted.connect(on_file_text, weak=False)
    scans.init_app(app)  # OCR's copies on the file doors, its state on the pages

    @app.before_request
    def _drain_leftovers() -> None:
        # Jobs left by a process that died between its commit and its index write.
        st = state(app)
        if st.startup_drained:
            return
        st.startup_drained = True
        try:
            drain(lock_timeout=2.0)
        except Exception:  # noqa: BLE001 - never fail a request over the index
            app.logger.exception("search: drain of leftover jobs failed")
