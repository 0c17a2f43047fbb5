"""Meeting pages: my meetings, calendar, scheduling, agenda, RSVP, the live room and the
big-screen view."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from . import operations as ops
from .sockets import NAMESPACE

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


@bp.get("/<int:meeting_id>/room")
@login_required
def room(meeting_id: int):
    """The live room: everything on it arrives over Socket.IO."""
    meeting = ops.get_for_room(current_user, meeting_id)
    return render_template("meetings/room.html", meeting=meeting, namespace=NAMESPACE)


@bp.get("/<int:meeting_id>/screen")
@login_required
def screen(meeting_id: int):
    """The big-screen view for the room's TV: read-only, large type."""
    meeting = ops.get_for_room(current_user, meeting_id)
    return render_template("meetings/screen.html", meeting=meeting, namespace=NAMESPACE)
