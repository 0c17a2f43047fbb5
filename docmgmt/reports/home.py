"""Home-page panel for a leader (and a head of unit): this month's headline figures.

The same figures as the dashboard's headline (``figures.FIGURES``: received, the on-time
rate, what is overdue now, issued), each a link to the dashboard. The home page is opened
all day long, so only these four are counted, in two aggregate queries, not the whole
dashboard.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from ..core.permissions import Role
from ..core.timeutil import vn_today
from ..home.waiting import Item, Panel, provider
from ..org.models import User
from . import figures as fig
from . import periods
from .legal import rate, vn_percent
from .scope import Level, Scope, level_of

INCOMING_KEYS = ("incoming.received", "incoming.on_time", "incoming.late", "load.overdue")
OUTGOING_KEYS = ("outgoing.issued",)


def _dashboard_link() -> str:
    try:
        return url_for("reports.dashboard")
    except BuildError:  # the dashboard's pages are not registered (yet)
        return "/dashboard"


def headline(user: User) -> dict[str, int | float | None] | None:
    """This month's received, on-time rate, overdue now and issued, in the reader's widest
    scope; None for those who see no commune or unit figures."""
    if level_of(user) not in (Level.COMMUNE, Level.UNIT):
        return None
    today = vn_today()
    scope = Scope.of(user)
    period = periods.month(today.year, today.month)
    ctx = fig.context(period, today, scope.organisation_id)
    counts = {**fig.totals(scope, ctx, INCOMING_KEYS), **fig.totals(scope, ctx, OUTGOING_KEYS)}
    return {
        "received": counts["incoming.received"],
        "on_time": counts["incoming.on_time"],
        "late": counts["incoming.late"],
        "on_time_rate": rate(counts["incoming.on_time"], counts["incoming.late"]),
        "overdue": counts["load.overdue"],
        "issued": counts["outgoing.issued"],
    }


@provider
def _headline_figures(user: User) -> Panel | None:
    figures = headline(user)
    if figures is None:
        return None
    link = _dashboard_link()
    today = vn_today()
    month = f"{today.month:02d}/{today.year}"
    done_with_deadline = int(figures["on_time"] or 0) + int(figures["late"] or 0)
    overdue = int(figures["overdue"] or 0)
    items = [
        Item(_("Văn bản đến: %(n)s", n=figures["received"]), link, _("Trong tháng %(m)s", m=month)),
        Item(_("Giải quyết đúng hạn: %(rate)s", rate=vn_percent(figures["on_time_rate"])), link,
             _("%(a)s trên %(b)s văn bản có hạn đã giải quyết", a=figures["on_time"], b=done_with_deadline)
             if done_with_deadline else _("Chưa có văn bản có hạn nào giải quyết xong trong tháng")),
        Item(_("Đang quá hạn: %(n)s", n=overdue), link, _("Văn bản đến đang xử lý đã quá hạn"),
             urgent=overdue > 0),
        Item(_("Văn bản đi đã phát hành: %(n)s", n=figures["issued"]), link, _("Trong tháng %(m)s", m=month)),
    ]
    return Panel("headline", _("Số liệu tháng %(m)s", m=month), Role.LEADER, items, more_link=link)
