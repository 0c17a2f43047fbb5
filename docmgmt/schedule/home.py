"""Home-page panel of the weekly schedule: my entries today and tomorrow, as published.

Only what has been published (the office's and the leaders' drafts stay on the schedule's
pages), where the person chairs, leads or attends — their meetings included. Tomorrow may
be in next week (a Sunday): both weeks are read.
"""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _

from ..core.timeutil import vn_today
from ..home.waiting import Item, Panel, provider
from ..org.models import User
from . import queries

LIMIT = 10


def _note(item, today) -> str:
    """ "Hôm nay 07:30–09:00 · Hội trường · Điều chỉnh"."""
    day = _("Hôm nay") if item.day == today else _("Ngày mai")
    span = item.start.strftime("%H:%M") + (f"–{item.end.strftime('%H:%M')}" if item.end else "")
    parts = [f"{day} {span}", item.place]
    if item.cancelled:
        parts.append(_("Đã hủy"))
    elif item.changed:
        parts.append(_("Điều chỉnh"))
    return " · ".join(p for p in parts if p)


@provider
def _my_schedule(user: User) -> Panel | None:
    today = vn_today()
    tomorrow = today + timedelta(days=1)
    mondays = sorted({queries.monday_of(today), queries.monday_of(tomorrow)})
    items = [i for monday in mondays for i in queries.entries_for(user, monday, published_only=True)
             if i.day in (today, tomorrow)]
    if not items:
        return None  # nothing to say: the home page stays short
    items.sort(key=lambda i: (i.day, i.start, i.title))
    return Panel(
        "schedule_today", _("Lịch công tác hôm nay và ngày mai"), None,
        [Item(i.title, url_for("schedule.week", monday=queries.monday_of(i.day).isoformat()),
              _note(i, today), urgent=i.changed or i.cancelled)
         for i in items[:LIMIT]],
        more_link=url_for("schedule.mine"),
    )
