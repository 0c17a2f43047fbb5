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


def init_app(app: Flask) -> None:
    from . import models as _models  # noqa: F401
    from . import sockets
    from .controllers import bp

    sockets.init_app(app)
    app.register_blueprint(bp)
    from . import home as _home  # noqa: F401 - registers the home-page panel
