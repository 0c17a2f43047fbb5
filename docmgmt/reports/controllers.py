"""Web door for the figures: the dashboard, the list behind each figure, the paperless
progress and the two legal reports (with their XLSX and PDF downloads).

Every page reads its period and scope from the query string through the same parsers as
the API (:mod:`.periods`, :meth:`.scope.Scope.of`): the figures, their links and the
downloads of a page are those of the period and scope it shows. The charts are drawn by
``static/js/charts.js`` from the JSON embedded in the page; the tables beside them carry
the same numbers, so the page reads without JavaScript.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..core.errors import ValidationFailed
from ..core.permissions import Permission
from ..core.text import sorted_people, vn_sort_key
from ..core.timeutil import format_date, vn_today
from ..extensions import db
from ..org.models import Unit, User
from . import figures, legal, periods
from . import home as _home  # noqa: F401 - registers the home-page panel of headline figures
from . import paperless as paperless_module
from .legal import vn_number, vn_percent
from .listing import listing
from .periods import Period
from .scope import Level, Scope, level_of

bp = Blueprint("reports", __name__)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50


# --- numbers as a Vietnamese reader writes them: 1.234,5 and 98,2 % ------------------------
# (legal.vn_number and legal.vn_percent, the reports' own; charts.js writes the same.)

@bp.app_template_filter("vnnum")
def _vnnum(value: Any, digits: int = 1) -> str:
    return "—" if value is None else vn_number(value, digits)


@bp.app_template_filter("vnpercent")
def _vnpercent(rate: float | None) -> str:
    return vn_percent(rate)


@bp.app_template_filter("isodate")
def _isodate(value: str | None) -> str:
    """A date or moment the figures give as ISO text, shown dd/mm/yyyy (Vietnam date)."""
    if not value:
        return ""
    if len(value) == 10:
        return format_date(date.fromisoformat(value))
    return format_date(datetime.fromisoformat(value))


@bp.app_context_processor
def _report_level() -> dict:
    # The menu's "Thống kê": shown to whoever has figures to see (not an administrator's account).
    return {"report_level": level_of}


# --- the period and scope selectors -----------------------------------------------------

KIND_LABELS = {"month": _l("Tháng"), "quarter": _l("Quý"), "year": _l("Năm"), "custom": _l("Tùy chọn")}


@dataclass
class Selector:
    """What the period and scope form offers and what it has chosen."""

    kind: str
    month: str
    quarter: str
    year: str
    start: str
    end: str
    months: list[tuple[str, str]] = field(default_factory=list)
    quarters: list[tuple[str, str]] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    level: str = "own"
    unit: str = ""
    person: str = ""
    units: list[tuple[int, str]] = field(default_factory=list)
    people: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    kinds: list[tuple[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _month_choices(today: date, count: int = 36) -> list[tuple[str, str]]:
    out, y, m = [], today.year, today.month
    for _i in range(count):
        out.append((f"{y:04d}-{m:02d}", f"{m:02d}/{y}"))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


def _quarter_choices(today: date, count: int = 12) -> list[tuple[str, str]]:
    out, y, q = [], today.year, (today.month - 1) // 3 + 1
    for _i in range(count):
        out.append((f"{y}-Q{q}", _("Quý %(q)s/%(y)s", q=q, y=y)))
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    return out


def _handlers(user: User, unit_id: int | None) -> list[User]:
    query = sa.select(User).where(User.organisation_id == user.organisation_id, User.active.is_(True))
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return [u for u in db.session.scalars(query) if u.can(Permission.HANDLE_ASSIGNED)]


def selector(scope: Scope | None, period: Period | None, today: date,
             error: ValidationFailed | None = None) -> Selector:
    args = request.args
    chosen = period or periods.month(today.year, today.month)
    query = chosen.query()
    custom = chosen.kind == "custom"
    sel = Selector(
        kind=args.get("period", "") if period is None else chosen.kind,
        month=query.get("month", f"{today.year:04d}-{today.month:02d}"),
        quarter=query.get("quarter", f"{today.year}-Q{(today.month - 1) // 3 + 1}"),
        year=query.get("year", str(today.year)),
        start=format_date(chosen.start) if custom else args.get("start", ""),
        end=format_date(chosen.end) if custom else args.get("end", ""),
        months=_month_choices(today), quarters=_quarter_choices(today),
        years=[str(y) for y in range(today.year, today.year - 10, -1)],
        kinds=[(k, str(v)) for k, v in KIND_LABELS.items()],
    )
    if sel.kind not in KIND_LABELS:
        sel.kind = "month"
    # A period chosen before the lists' reach stays offered.
    if sel.month not in dict(sel.months):
        sel.months.append((sel.month, f"{sel.month[5:]}/{sel.month[:4]}"))
    if sel.quarter not in dict(sel.quarters):
        sel.quarters.append((sel.quarter, sel.quarter))
    if sel.year not in sel.years:
        sel.years.append(sel.year)
    if error is not None:
        sel.errors[error.field or "period"] = error.message
    if scope is None:
        return sel
    sel.level = scope.level.value
    sel.unit = str(scope.unit_id or "") if scope.level is Level.COMMUNE else ""
    sel.person = str(scope.person_id or "") if scope.level is not Level.OWN else ""
    user = scope.user
    if scope.level is Level.COMMUNE:
        units = db.session.scalars(sa.select(Unit).where(Unit.organisation_id == user.organisation_id))
        sel.units = sorted(((u.id, u.name) for u in units), key=lambda u: vn_sort_key(u[1]))
        groups: dict[str, list[tuple[int, str]]] = {}
        for person in sorted_people(_handlers(user, None)):
            groups.setdefault(person.unit.name if person.unit else _("Không thuộc bộ phận"), []).append(
                (person.id, person.full_name))
        sel.people = dict(sorted(groups.items(), key=lambda g: vn_sort_key(g[0])))
    elif scope.level is Level.UNIT:
        sel.people = {"": [(p.id, p.full_name) for p in sorted_people(_handlers(user, user.unit_id))]}
    return sel


def _scope_and_period(today: date) -> tuple[Scope, Period | None, ValidationFailed | None]:
    """The reader's scope (refusals are the page's answer: 403, 404) and the period, or the
    refusal of the period to show beside its field."""
    scope = Scope.of(current_user, request.args)
    try:
        return scope, periods.parse(request.args, today), None
    except ValidationFailed as err:
        return scope, None, err


def _params(period: Period, scope: Scope) -> dict[str, str]:
    return {**period.query(), **scope.query()}


# --- the dashboard --------------------------------------------------------------------------

# The handling outcomes, in the order of the stacked bars (their colours: charts.js).
HANDLING_SERIES = [
    ("on_time", _l("Đúng hạn")), ("late", _l("Quá hạn")), ("no_deadline", _l("Không có hạn")),
    ("open_in_time", _l("Đang giải quyết, trong hạn")), ("open_overdue", _l("Đang giải quyết, quá hạn")),
]


def _point(item: dict) -> dict:
    return {"value": item["value"], "link": item["link"]}


def dashboard_charts(data: dict) -> dict:
    """The charts' data (charts.js turns each into an ECharts option): every point keeps its
    figure's drill-down link, so a click on a bar opens the same list as the table's number."""
    received = data["series"]["received_per_month"]
    issued = data["series"]["issued_per_month"]
    charts: dict[str, dict] = {
        "flow": {
            "type": "bar", "categories": [p["label"] for p in received],
            "series": [
                {"key": "received", "name": _("Văn bản đến"), "data": [_point(p) for p in received]},
                {"key": "issued", "name": _("Văn bản đi"), "data": [_point(p) for p in issued]},
            ],
        },
        "stages": {
            "type": "bar", "horizontal": True,
            "categories": [p["label"] for p in data["series"]["drafts_by_stage"]],
            "series": [{"key": "in_flow", "name": _("Dự thảo"),
                        "data": [_point(p) for p in data["series"]["drafts_by_stage"]]}],
        },
    }
    rows = data["handling"]["by_unit"] or [data["handling"]["total"]]
    charts["handling"] = {
        "type": "bar", "stacked": True, "horizontal": True,
        "categories": [r["label"] for r in rows],
        "series": [{"key": key, "name": str(name), "data": [_point(r[key]) for r in rows]}
                   for key, name in HANDLING_SERIES],
    }
    total = data["handling"]["total"]
    charts["rate"] = {"type": "gauge", "name": _("Tỷ lệ đúng hạn"), "value": total["rate"],
                      "link": total["on_time"]["link"]}
    return charts


@bp.get("/dashboard")
@login_required
def dashboard():
    today = vn_today()
    scope, period, error = _scope_and_period(today)
    sel = selector(scope, period, today, error)
    if period is None:
        return render_template("reports/dashboard.html", sel=sel, data=None), 422
    data = figures.dashboard(scope, period, today)
    progress = paperless_module.progress(scope, period, today)
    charts = {**dashboard_charts(data), "paperless": paperless_chart(progress)}
    return render_template("reports/dashboard.html", sel=sel, data=data, progress=progress,
                           charts=charts, params=_params(period, scope))


# --- the list behind a figure -------------------------------------------------------------

def _page_number() -> int:
    raw = request.args.get("page", "1").strip() or "1"
    if not (raw.isdecimal() and len(raw) <= 18) or not 1 <= int(raw) <= 100_000:
        raise ValidationFailed("invalid_page", _("Trang phải từ 1 đến 100.000."), "page")
    return int(raw)


@bp.get("/dashboard/list")
@login_required
def drilldown():
    today = vn_today()
    scope = Scope.of(current_user, request.args)
    period = periods.parse(request.args, today)
    key = (request.args.get("figure") or "").strip()
    if not key:
        raise ValidationFailed("unknown_figure", _("Không có số liệu này."), "figure")
    by = request.args.get("by") or None
    found = listing(scope, period, today, key, by, request.args.get("value"), _page_number(), PER_PAGE)
    return render_template("reports/list.html", found=found, params=_params(period, scope))


# --- the paperless progress ------------------------------------------------------------------

def paperless_chart(progress: dict) -> dict:
    """The weekly share of electronic work, the target date marked, and the projection at the
    current pace (dashed: from the last week with any work, at its pace, to the axis' end)."""
    weeks = progress["weeks"]
    target = date.fromisoformat(progress["target"])
    last_week = date.fromisoformat(weeks[-1]["week"]) if weeks else target
    end = max(target, last_week + timedelta(days=6))
    points = [{"date": w["week"], "value": w["share"]} for w in weeks if w["share"] is not None]
    series = [{"key": "share", "name": _("Tỷ lệ điện tử theo tuần"), "data": points}]
    pace = progress["projection"].get("pace_per_week")
    if points and pace:
        last = date.fromisoformat(points[-1]["date"])
        weeks_on = (end - last).days / 7
        series.append({"key": "projection", "name": _("Dự báo theo nhịp hiện tại"), "data": [
            points[-1], {"date": end.isoformat(), "value": max(0.0, min(1.0, points[-1]["value"] + pace * weeks_on))}]})
    return {"type": "line", "start": weeks[0]["week"] if weeks else progress["target"], "end": end.isoformat(),
            "series": series,
            "target": {"date": progress["target"], "label": _("Mục tiêu %(d)s", d=progress["target_label"])}}


@bp.get("/dashboard/paperless")
@login_required
def paperless():
    today = vn_today()
    scope, period, error = _scope_and_period(today)
    sel = selector(scope, period, today, error)
    if period is None:
        return render_template("reports/paperless.html", sel=sel, data=None), 422
    data = paperless_module.progress(scope, period, today)
    return render_template("reports/paperless.html", sel=sel, data=data,
                           subject={"scope": {"title": scope.title}, "period": period.to_dict()},
                           charts={"paperless": paperless_chart(data)}, params=_params(period, scope))


# --- the legal reports ------------------------------------------------------------------------

# A summary line of the incoming report that is a dashboard figure: its number links to the
# same list (the report counts with the figures' own definitions).
INCOMING_SUMMARY_FIGURES = {
    "received": "incoming.received", "done_on_time": "incoming.on_time", "done_late": "incoming.late",
    "done_no_deadline": "incoming.no_deadline", "open_in_time": "incoming.open_in_time",
    "open_overdue": "incoming.open_overdue", "returned": "incoming.returned",
}
OUTGOING_SUMMARY_FIGURES = {"issued": "outgoing.issued"}
ROWS_PER_PAGE = 100
LEGAL = {
    "incoming": (legal.incoming_report, INCOMING_SUMMARY_FIGURES, "incoming.show"),
    "outgoing": (legal.outgoing_report, OUTGOING_SUMMARY_FIGURES, "outgoing.show"),
}
LEGAL_TITLES = {"incoming": _l("Báo cáo tình hình giải quyết văn bản đến"),
                "outgoing": _l("Báo cáo tình hình giải quyết văn bản đi")}


def download(content: bytes, mime: str, filename: str):
    """A report as a download, never kept by a shared cache: it names people and documents."""
    response = send_file(io.BytesIO(content), mimetype=mime, as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _format() -> str | None:
    fmt = (request.args.get("format") or "").strip().lower()
    if fmt in ("", "html"):
        return None
    if fmt not in legal.FORMATS:
        raise ValidationFailed("invalid_format", _("Định dạng tải về phải là xlsx hoặc pdf."), "format")
    return fmt


def _legal_page(kind: str, endpoint: str):
    today = vn_today()
    fmt = _format()
    scope, period, error = _scope_and_period(today)
    if error is not None and fmt is not None:
        raise error
    sel = selector(scope, period, today, error)
    template = "reports/legal.html"
    title = LEGAL_TITLES[kind]
    if period is None:
        return render_template(template, sel=sel, report=None, page_title=title, endpoint=endpoint), 422
    build, linked, show = LEGAL[kind]
    report = build(scope, period, today)
    if fmt is not None:
        render, mime = legal.FORMATS[fmt]
        return download(render(report), mime, report.register.filename(fmt))
    summary = [{"key": key, "label": label, "value": value, "sub": label.startswith("- "),
                "link": figures.drill_link(linked[key], period, scope) if key in linked else None}
               for key, (label, value) in zip(report.summary_keys, report.summary, strict=True)]
    page = _page_number()
    pages = max(1, -(-len(report.register.rows) // ROWS_PER_PAGE))
    first = (page - 1) * ROWS_PER_PAGE
    rows = [(url_for(show, document_id=doc_id), row) for doc_id, row in zip(
        report.ids[first:first + ROWS_PER_PAGE], report.register.rows[first:first + ROWS_PER_PAGE], strict=True)]
    return render_template(template, sel=sel, report=report, page_title=title, summary=summary, rows=rows, page=page,
                           pages=pages, endpoint=endpoint, params=_params(period, scope),
                           subject={"scope": {"title": scope.title}, "period": period.to_dict()})


@bp.get("/reports/incoming")
@login_required
def incoming_report():
    """Báo cáo tình hình giải quyết văn bản đến; ``?format=xlsx|pdf`` downloads it."""
    return _legal_page("incoming", "reports.incoming_report")


@bp.get("/reports/outgoing")
@login_required
def outgoing_report():
    """Báo cáo tình hình giải quyết văn bản đi; ``?format=xlsx|pdf`` downloads it."""
    return _legal_page("outgoing", "reports.outgoing_report")


@bp.get("/dashboard/export.xlsx")
@login_required
def dashboard_xlsx():
    """The dashboard's figures of the period and scope as a workbook."""
    today = vn_today()
    scope = Scope.of(current_user, request.args)
    period = periods.parse(request.args, today)
    data = figures.dashboard(scope, period, today)
    slug = "-".join(v for k, v in period.query().items() if k != "period")
    return download(legal.dashboard_xlsx(data), XLSX_MIME, f"So-lieu-{slug}.xlsx")
