"""The query parameters of the reports API, with their limits (one definition, in the
OpenAPI document): the period (``period`` and the field of its kind), the scope
(``unit``, ``person``), and for the list behind a figure ``figure``, ``by``, ``value`` and
the paging.

A value of the right shape is then read by :func:`docmgmt.reports.periods.parse` and
:meth:`docmgmt.reports.scope.Scope.of`, which refuse what does not name a real period or
what the reader may not see, with the field named — the same refusals the pages give.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema

from ..core.schemas import MAX_INT, Between, Integer, MaxLength, OneOf, Text, page_number, page_size
from .figures import BREAKDOWNS
from .periods import KINDS, MAX_YEAR, MIN_YEAR

MAX_PER_PAGE = 200


def _id(what) -> Integer:
    return Integer(validate=Between(1, MAX_INT, what), metadata={"description": str(what)})


class PeriodQuerySchema(Schema):
    period = Text(load_default="month", validate=OneOf(
        KINDS, _l("Kỳ báo cáo phải là tháng, quý, năm hoặc tùy chọn.")),
        metadata={"description": "month (default: this month), quarter, year or custom"})
    month = Text(validate=MaxLength(7, _l("Tháng")),
                 metadata={"description": "period=month: yyyy-mm (or mm/yyyy)", "example": "2026-10"})
    quarter = Text(validate=MaxLength(7, _l("Quý")),
                   metadata={"description": "period=quarter: yyyy-Qn", "example": "2026-Q4"})
    year = Integer(validate=Between(MIN_YEAR, MAX_YEAR, _l("Năm")),
                   metadata={"description": "period=year"})
    start = Text(validate=MaxLength(10, _l("Ngày bắt đầu")),
                 metadata={"description": "period=custom: first day, yyyy-mm-dd or dd/mm/yyyy"})
    end = Text(validate=MaxLength(10, _l("Ngày kết thúc")),
               metadata={"description": "period=custom: last day (inclusive), at most 5 years after start"})


class ScopeQuerySchema(PeriodQuerySchema):
    unit = _id(_l("Mã bộ phận"))
    person = _id(_l("Mã người"))


class ReportQuerySchema(ScopeQuerySchema):
    """The dashboard, the paperless progress and the two legal reports."""


class DocumentsQuerySchema(ScopeQuerySchema):
    # (the paging first: a refusal names the first field at fault, and a number out of range
    # is named before a missing figure)
    page = page_number()
    per_page = page_size(50, MAX_PER_PAGE)
    figure = Text(required=True, validate=MaxLength(64, _l("Mã số liệu")),
                  metadata={"description": "the figure's key, as in the dashboard's links: "
                            "incoming.received, incoming.on_time, load.overdue, outgoing.issued, "
                            "paperless.incoming_scan, …", "example": "incoming.late"})
    by = Text(validate=OneOf(BREAKDOWNS, _l("Tiêu chí chia số liệu không hợp lệ.")),
              metadata={"description": "one cell of the figure's breakdown: by this dimension …"})
    value = Text(validate=MaxLength(64, _l("Giá trị")),
                 metadata={"description": "… equal to this value (a unit or person id, yyyy-mm, a stage); "
                           "empty or none: the cell with no unit / person"})


def as_text_args(args: dict) -> dict[str, str]:
    """What a schema loaded, back as the text parameters the period and scope parsers read
    (the pages hand them ``request.args`` as they come)."""
    return {name: str(value) for name, value in args.items() if value is not None}
