"""The list behind a figure (its drill-down), as data: what the figure is, for which
period and scope, how many records it counts, and one page of them — the same for the
page (``/dashboard/list``) and the API (``/api/v1/reports/documents``).

The records are the figure's own ``SELECT`` (:func:`figures.drilldown`, or
:func:`paperless.drilldown` for a ``paperless.*`` figure), so the total the list shows is
the figure the dashboard showed; each row is described by :func:`figures.describe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.access import find_scoped
from ..core.errors import ValidationFailed
from ..extensions import db
from ..org.models import Unit, User
from ..outgoing.workflow import STATUS_LABELS as OUT_STATUS_LABELS
from ..outgoing.workflow import Status as OutStatus
from . import figures, paperless
from .periods import Period
from .scope import Scope

PAPERLESS_PREFIX = "paperless."


@dataclass(frozen=True)
class Listing:
    key: str
    label: str  # the figure's name
    cell: str  # the breakdown's cell ("Bộ phận Kinh tế", "Tháng 10/2026"), or ""
    by: str | None
    value: str | None
    period: Period
    scope: Scope
    total: int
    page: int
    per_page: int
    items: list[dict]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict:
        return {
            "figure": {"key": self.key, "label": self.label, "cell": self.cell, "by": self.by,
                       "value": self.value},
            "period": self.period.to_dict(),
            "scope": scope_dict(self.scope),
            "total": self.total, "page": self.page, "per_page": self.per_page, "pages": self.pages,
            "has_more": self.page < self.pages, "items": self.items,
        }


def scope_dict(scope: Scope) -> dict:
    return {"level": scope.level.value, "unit_id": scope.unit_id, "person_id": scope.person_id,
            "title": scope.title}


PAPERLESS_KINDS = {"incoming": "incoming", "outgoing": "outgoing", "meetings": "meeting"}


def _figure(scope: Scope, period: Period, today: date, key: str, by: str | None,
            value: str | None) -> tuple[str, str, sa.Select]:
    """(kind, label, the records' SELECT in the list's order) of a figure or one cell of it."""
    if key.startswith(PAPERLESS_PREFIX):
        found = paperless.FIGURES.get(key)
        if found is None:
            raise ValidationFailed("unknown_figure", _("Không có số liệu này."), "figure")
        query = paperless.drilldown(scope, period, today, key, by, value)
        return PAPERLESS_KINDS[found.kind], str(found.label), query
    figure = figures.figure_of(key)
    query = figures.drilldown(scope, period, today, key, by, value)
    return figure.kind, str(figure.label), query.order_by(*figures.order_for(figure.kind))


def cell_label(scope: Scope, by: str | None, value: str | None) -> str:
    """The breakdown's cell in words. A unit or person is looked up in the reader's own
    commune only: another commune's id names nothing."""
    if by is None:
        return ""
    if by == "month":
        if value and len(value) == 7 and value[4] == "-":
            return _("Tháng %(m)s/%(y)s", m=value[5:], y=value[:4])
        return _("Tháng %(m)s", m=value or "")
    if by == "stage":
        try:
            return str(OUT_STATUS_LABELS[OutStatus(value or "")])
        except ValueError:
            raise ValidationFailed("invalid_value", _("Giá trị không hợp lệ."), "value") from None
    if by in ("unit", "person"):
        if value is None:
            return _("Chưa phân công") if by == "unit" else _("Giao cho bộ phận, chưa giao cá nhân")
        found: Any = find_scoped(Unit if by == "unit" else User, value, scope.user)
        if found is None:
            raise ValidationFailed("invalid_value", _("Giá trị không hợp lệ."), "value")
        return found.name if by == "unit" else found.full_name
    return value or ""


def listing(scope: Scope, period: Period, today: date, key: str, by: str | None = None,
            value: str | None = None, page: int = 1, per_page: int = 50) -> Listing:
    """A page of the records behind a figure (``value`` "" or None with ``by``: the cell of
    records with no unit / person)."""
    # The cell of records with no unit / person: "" in the dashboard's links, "none" in the
    # paperless page's.
    value = None if by is None or value in (None, "", "none") else value
    kind, label, query = _figure(scope, period, today, key, by, value)
    cell = cell_label(scope, by, value)
    total = int(db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0)
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    items = [figures.describe(kind, row) for row in rows]
    return Listing(key, label, cell, by, value, period, scope, total, page, per_page, items)
