"""Web door for the access statistics: the organisation's views, downloads and prints
per month (NĐ30 Phụ lục VI §III.6.a), beside the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..core.timeutil import vn_today
from ..documents.register_export import register_year
from . import operations as ops

bp = Blueprint("accesslog", __name__, url_prefix="/admin/access")


@bp.get("/", defaults={"year": None})
@bp.get("/<int:year>")
@login_required
def statistics(year: int | None):
    year = register_year(year)  # this year by default; 404 outside the years kept
    stats = ops.statistics(current_user, year)
    return render_template(
        "accesslog/statistics.html",
        stats=stats,
        this_year=vn_today().year,
        kind_labels=ops.KIND_LABELS,
        actions=list(ops.Action),
    )
