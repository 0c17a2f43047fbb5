"""Web door: the results page behind the search box in the header."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..documents.types import DOC_TYPES
from ..incoming.workflow import STATUS_LABELS, Status
from . import operations as ops

bp = Blueprint("search", __name__)


def _int(name: str, default: int | None) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else default


@bp.get("/search")
@login_required
def results():
    filters = ops.Filters(
        doc_type=request.args.get("type") or None,
        direction=request.args.get("direction") or None,
        year=_int("year", None),
        status=request.args.get("status") or None,
        unit=request.args.get("unit") or None,
    )
    order = request.args.get("order") or "relevance"
    found = ops.search(current_user, request.args.get("q", ""), filters, order=order,
                       page=_int("page", 1) or 1, per_page=20)
    return render_template(
        "search/results.html", found=found,
        types=[(t.code, t.label) for t in DOC_TYPES],
        statuses=[(s.value, str(STATUS_LABELS[s])) for s in Status if s is not Status.PAPER],
        directions=[("incoming", _("Văn bản đến"))],
    )
