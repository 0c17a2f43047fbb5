"""The period a figure covers: a month, a quarter, a year or custom dates (Vietnam dates).

One parser for every door: the pages and the API pass the same query parameters
(``period=month&month=2026-11``, ``period=quarter&quarter=2026-Q4``,
``period=year&year=2026``, ``period=custom&start=01/10/2026&end=31/10/2026``; dates as
dd/mm/yyyy or ISO). A bad value is refused with the field named, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from ..core.errors import ValidationFailed
from ..core.timeutil import VN_TZ, format_date, vn_today

KINDS = ("month", "quarter", "year", "custom")
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DAYS = 366 * 5  # a custom period of more than five years is a typing mistake


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("Tháng %(m)s/%(y)s", m=f"{self.start.month:02d}", y=self.start.year)
        if self.kind == "quarter":
            return _("Quý %(q)s/%(y)s", q=(self.start.month - 1) // 3 + 1, y=self.start.year)
        if self.kind == "year":
            return _("Năm %(y)s", y=self.start.year)
        return _("Từ %(a)s đến %(b)s", a=format_date(self.start), b=format_date(self.end))

    def bounds(self) -> tuple[datetime, datetime]:
        """[first day 00:00, day after the last 00:00) in Vietnam time, as UTC moments:
        the bounds for a UTC timestamp column (completed_at, issued_at, started_at)."""
        return vn_midnight(self.start), vn_midnight(self.end + timedelta(days=1))

    def months(self) -> list[str]:
        """Every month the period touches, as ``yyyy-mm`` (the keys of per-month series)."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def query(self) -> dict[str, str]:
        """The query parameters that give this period back (links, drill-downs, exports)."""
        if self.kind == "month":
            return {"period": "month", "month": f"{self.start.year:04d}-{self.start.month:02d}"}
        if self.kind == "quarter":
            return {"period": "quarter", "quarter": f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"}
        if self.kind == "year":
            return {"period": "year", "year": str(self.start.year)}
        return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}

    def to_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "label": self.label}


def vn_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=VN_TZ).astimezone(UTC)


def month(year: int, month_: int) -> Period:
    start = date(year, month_, 1)
    nxt = date(year + 1, 1, 1) if month_ == 12 else date(year, month_ + 1, 1)
    return Period("month", start, nxt - timedelta(days=1))


def quarter(year: int, q: int) -> Period:
    first = month(year, 3 * q - 2)
    return Period("quarter", first.start, month(year, 3 * q).end)


def year(year_: int) -> Period:
    return Period("year", date(year_, 1, 1), date(year_, 12, 31))


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("invalid_period", message, field)


def _year(value: str, field: str) -> int:
    if not re.fullmatch(r"\d{4}", value) or not MIN_YEAR <= int(value) <= MAX_YEAR:
        raise _bad(field, _("Năm phải từ %(a)s đến %(b)s.", a=MIN_YEAR, b=MAX_YEAR))
    return int(value)


def parse_day(value: str, field: str) -> date:
    """dd/mm/yyyy (as typed on the pages) or yyyy-mm-dd (the API)."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
        if MIN_YEAR <= day.year <= MAX_YEAR:
            return day
    raise _bad(field, _("Ngày không hợp lệ (nhập dạng ngày/tháng/năm)."))


def parse(args: Mapping[str, str], today: date | None = None) -> Period:
    """The period named by query parameters; the current month when none is named."""
    today = today or vn_today()
    kind = (args.get("period") or "month").strip()
    if kind not in KINDS:
        raise _bad("period", _("Kỳ báo cáo phải là tháng, quý, năm hoặc tùy chọn."))
    if kind == "month":
        raw = (args.get("month") or f"{today.year:04d}-{today.month:02d}").strip()
        found = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})", raw)
        if not found:
            raise _bad("month", _("Tháng không hợp lệ (dạng mm/yyyy)."))
        y, m = (found[1], found[2]) if found[1] else (found[4], found[3])
        if not 1 <= int(m) <= 12:
            raise _bad("month", _("Tháng không hợp lệ (dạng mm/yyyy)."))
        return month(_year(y, "month"), int(m))
    if kind == "quarter":
        raw = (args.get("quarter") or f"{today.year}-Q{(today.month - 1) // 3 + 1}").strip().upper()
        found = re.fullmatch(r"(\d{4})-Q([1-4])", raw)
        if not found:
            raise _bad("quarter", _("Quý không hợp lệ (dạng 2026-Q4)."))
        return quarter(_year(found[1], "quarter"), int(found[2]))
    if kind == "year":
        return year(_year((args.get("year") or str(today.year)).strip(), "year"))
    if not args.get("start") or not args.get("end"):
        raise _bad("start" if not args.get("start") else "end",
                   _("Kỳ tùy chọn cần cả ngày bắt đầu và ngày kết thúc."))
    start, end = parse_day(args["start"], "start"), parse_day(args["end"], "end")
    if end < start:
        raise _bad("end", _("Ngày kết thúc không thể trước ngày bắt đầu."))
    if (end - start).days > MAX_DAYS:
        raise _bad("end", _("Kỳ báo cáo dài nhất là 5 năm."))
    return Period("custom", start, end)
