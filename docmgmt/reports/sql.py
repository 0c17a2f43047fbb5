"""Date arithmetic the figures need, in SQL, the same on SQLite and PostgreSQL.

Timestamps are stored in UTC without a zone (``core.timeutil.UTCDateTime``); a figure
counts by the Vietnam date (Asia/Ho_Chi_Minh is UTC+7 all year, no summer time), so a
document completed at 23:30 on its deadline day counts as on time. Each construct below
compiles to one expression per backend; aggregates stay in the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

VN_OFFSET_HOURS = 7


class vn_date(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The Vietnam date of a UTC timestamp column."""

    type = sa.Date()
    inherit_cache = True


@compiles(vn_date, "sqlite")
def _vn_date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+{VN_OFFSET_HOURS} hours')"


@compiles(vn_date, "postgresql")
def _vn_date_pg(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} + INTERVAL '{VN_OFFSET_HOURS} hours') AS DATE)"


class year_month(FunctionElement):  # noqa: N801
    """``yyyy-mm`` of a date column: the key of a per-month series."""

    type = sa.String()
    inherit_cache = True


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(year_month, "postgresql")
def _year_month_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class week_start(FunctionElement):  # noqa: N801
    """The Monday of a date column's week, as ``yyyy-mm-dd``: the key of a per-week series."""

    type = sa.String()
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to the Sunday ending the week (or stays on it).
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_pg(element, compiler, **kw):
    return f"to_char(date_trunc('week', {compiler.process(element.clauses, **kw)}), 'YYYY-MM-DD')"


class days_between(FunctionElement):  # noqa: N801
    """Days (with fractions) from the first timestamp column to the second."""

    type = sa.Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({b}) - julianday({a}))"


@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 86400.0)"
