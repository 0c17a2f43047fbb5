"""Home-page panel for meetings: my upcoming meetings, with those awaiting my answer marked."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from docmgmt.core.timeutil import to_vn
from docmgmt.home.waiting import Item, Panel, provider
from docmgmt.org.models import User

from . import operations as ops
from .workflow import Status

LIMIT = 10


@provider
def _upcoming_meetings(user: User) -> Panel | None:
    meetings = ops.my_meetings(user, upcoming=True, limit=LIMIT)
    organiser = ops.can_schedule(user)
    if not meetings and not organiser:
        return None  # nothing to say to someone who is rarely invited
    items = []
    for m in sorted(meetings, key=lambda m: (m.status != Status.LIVE.value, m.starts_at)):
        start = to_vn(m.starts_at)
        when = start.strftime("%H:%M %d/%m/%Y") + (f" · {m.location}" if m.location else "")
        me = m.participant(user)
        if m.status == Status.LIVE.value:
            note, urgent = _("Đang họp — %(w)s", w=when), True
        elif me is not None and me.rsvp == "pending" and m.status == Status.INVITED.value:
            note, urgent = _("Cần trả lời giấy mời — %(w)s", w=when), True
        else:
            note, urgent = when, False
        items.append(Item(m.title, url_for("meetings.show", meeting_id=m.id), note, urgent=urgent))
    return Panel(
        "meetings_upcoming", _("Cuộc họp sắp tới"), None, items,
        empty_text=_("Không có cuộc họp nào sắp tới."),
        more_link=url_for("meetings.index"),
    )
