"""The paperless meeting room (SPEC §3.4): scheduling, invitations and RSVP, the agenda
with its documents, the live Socket.IO room (presence, check-in, agenda, presenter sync,
speaker queue, votes, notes, conclusions, countdown), minutes and tasks afterwards.

models.py (tables), workflow.py (lifecycle and who-may tables), operations.py (the domain
actions every door calls), live.py (event log, broadcast after commit, state snapshot),
sockets.py (the Socket.IO door), controllers.py (pages), documents.py (Giấy mời, biên
bản, tasks from conclusions).
"""

from __future__ import annotations

from flask import Flask

from . import demo as _demo  # noqa: F401 - adds the demo meetings to docmgmt's demo commune
from . import sockets


def init_app(app: Flask) -> None:
    """Start the Socket.IO door. The pages' blueprint and the models are discovered like
    every module's (docmgmt.core.discovery); the home panel comes with the pages."""
    sockets.init_app(app)
