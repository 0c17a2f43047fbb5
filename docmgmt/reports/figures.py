"""The leader's dashboard: every figure defined once, in SQL, with the list behind it.

A figure (``FIGURES``) is a kind of record (incoming document, outgoing document,
meeting, vote) and the conditions that select it for a period. It is counted over the
records its reader may open (the kind's ``READ``/``VIEW`` rule) inside their scope
(``scope.Scope``), never a confidential one, and broken down by month, unit, person or
stage with ``GROUP BY``. Its drill-down (:func:`drilldown`) is the same ``SELECT`` with
the breakdown's value as one more condition, so the list a figure links to holds exactly
the records counted — the page, the API, the XLSX and the list cannot disagree.

Definitions, the same for the dashboard, the API and the legal reports:

* received — entries of the sổ đến (with a số đến) whose arrival date falls in the period;
  of those: done on time (completed on or before the deadline, by the Vietnam date: a
  document done on its deadline day is on time), done late, done with no deadline, open
  within the deadline (or with none), open past it, returned to the sender. The on-time
  rate is done on time ÷ done with a deadline.
* load — what is on someone's desk now (assigned or in progress), by main handler, with
  what is overdue and what falls due within ``DUE_SOON_WORKING_DAYS`` working days.
* issued — outgoing documents issued (or since recalled) in the period; in flow — drafts
  not yet issued, by stage; time to issue — from the draft's creation to its issuance.
* meetings held in the period (ended, in the room or recorded as held on paper), the
  attendance of those run in the room, and their closed votes; written consultations
  closed in the period (``meetings.consultations``); tasks given
  from their conclusions (incoming entries of channel "meeting") by the day given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from meetings import access as meeting_access
from meetings import consultations
from meetings.consultation_models import Consultation
from meetings.models import Meeting, Participant, Vote
from meetings.workflow import Status as MeetingStatus

from ..core.errors import ValidationFailed
from ..core.permissions import Permission
from ..core.text import person_sort_key, vn_sort_key
from ..core.timeutil import format_date
from ..documents.calendar import add_working_days, holidays_of
from ..documents.types import Confidentiality
from ..extensions import db
from ..incoming import access as incoming_access
from ..incoming.models import Assignment, IncomingDocument
from ..incoming.workflow import HANDLING, OPEN_STATUSES
from ..incoming.workflow import Status as InStatus
from ..org.models import Unit, User
from ..outgoing import access as outgoing_access
from ..outgoing.models import OutgoingDocument
from ..outgoing.workflow import STATUS_LABELS as OUT_STATUS_LABELS
from ..outgoing.workflow import Status as OutStatus
from .periods import Period
from .scope import Scope, handler_unit_id, main_assignment
from .sql import days_between, vn_date, year_month

DUE_SOON_WORKING_DAYS = 3
LIST_LIMIT = 10  # due-soon and overdue documents shown on the dashboard itself

IN_FLOW = (OutStatus.DRAFT, OutStatus.REVIEWING, OutStatus.RETURNED, OutStatus.APPROVED, OutStatus.SIGNED)
ISSUED = (OutStatus.ISSUED.value, OutStatus.RECALLED.value)


@dataclass(frozen=True)
class Context:
    """What a figure's conditions depend on besides the record."""

    period: Period
    today: date
    due_soon_until: date


# --- the conditions, one function per figure -------------------------------------------------

D = IncomingDocument


def _received(c: Context) -> list[ColumnElement[bool]]:
    return [D.arrival_number.is_not(None), D.arrival_date.between(c.period.start, c.period.end)]


def _done_day() -> ColumnElement:
    return vn_date(D.completed_at)


def _done(c: Context) -> list[ColumnElement[bool]]:
    return [D.status == InStatus.DONE.value]


def _open(c: Context) -> ColumnElement[bool]:
    return D.status.in_([s.value for s in OPEN_STATUSES])


def _on_time(c: Context) -> list[ColumnElement[bool]]:
    return [*_done(c), D.deadline.is_not(None), _done_day() <= D.deadline]


def _late(c: Context) -> list[ColumnElement[bool]]:
    return [*_done(c), D.deadline.is_not(None), _done_day() > D.deadline]


def _no_deadline(c: Context) -> list[ColumnElement[bool]]:
    return [*_done(c), D.deadline.is_(None)]


def _open_in_time(c: Context) -> list[ColumnElement[bool]]:
    return [_open(c), sa.or_(D.deadline.is_(None), D.deadline >= c.today)]


def _open_overdue(c: Context) -> list[ColumnElement[bool]]:
    return [_open(c), D.deadline < c.today]


def _handling(c: Context) -> list[ColumnElement[bool]]:
    return [D.status.in_([s.value for s in HANDLING])]


def _tasks(c: Context) -> list[ColumnElement[bool]]:
    return [D.channel == "meeting", D.arrival_date.between(c.period.start, c.period.end)]


def _issued(c: Context) -> list[ColumnElement[bool]]:
    return [OutgoingDocument.status.in_(ISSUED),
            OutgoingDocument.issued_on.between(c.period.start, c.period.end)]


def _in_flow(c: Context) -> list[ColumnElement[bool]]:
    return [OutgoingDocument.status.in_([s.value for s in IN_FLOW])]


def _consulted(c: Context) -> list[ColumnElement[bool]]:
    return consultations.closed_between(*c.period.bounds())


def _held(c: Context) -> list[ColumnElement[bool]]:
    start, end = c.period.bounds()
    return [Meeting.status == MeetingStatus.ENDED.value, Meeting.started_at >= start, Meeting.started_at < end]


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any  # lazy string: translated when shown
    kind: str  # incoming | outgoing | meeting | vote | consultation
    where: Callable[[Context], list[ColumnElement[bool]]]
    # month: the date column a per-month series counts by
    month: Callable[[], ColumnElement] | None = None


def _both(*parts: Callable[[Context], list[ColumnElement[bool]]]) -> Callable[[Context], list]:
    return lambda c: [cond for part in parts for cond in part(c)]


_FIGURES = [
    Figure("incoming.received", _l("Văn bản đến"), "incoming", _received, lambda: year_month(D.arrival_date)),
    Figure("incoming.on_time", _l("Giải quyết đúng hạn"), "incoming", _both(_received, _on_time)),
    Figure("incoming.late", _l("Giải quyết quá hạn"), "incoming", _both(_received, _late)),
    Figure("incoming.no_deadline", _l("Giải quyết, không có hạn"), "incoming", _both(_received, _no_deadline)),
    Figure("incoming.open_in_time", _l("Đang giải quyết, trong hạn"), "incoming", _both(_received, _open_in_time)),
    Figure("incoming.open_overdue", _l("Đang giải quyết, quá hạn"), "incoming", _both(_received, _open_overdue)),
    Figure("incoming.returned", _l("Trả lại nơi gửi"), "incoming",
           _both(_received, lambda c: [D.status == InStatus.RETURNED.value])),
    Figure("load.open", _l("Đang xử lý"), "incoming", _handling),
    Figure("load.overdue", _l("Quá hạn"), "incoming", _both(_handling, lambda c: [D.deadline < c.today])),
    Figure("load.due_soon", _l("Sắp đến hạn"), "incoming",
           _both(_handling, lambda c: [D.deadline.between(c.today, c.due_soon_until)])),
    Figure("tasks.total", _l("Việc giao từ kết luận họp"), "incoming", _tasks),
    Figure("tasks.done", _l("Việc đã hoàn thành"), "incoming", _both(_tasks, _done)),
    Figure("tasks.on_time", _l("Việc hoàn thành đúng hạn"), "incoming", _both(_tasks, _on_time)),
    Figure("tasks.late", _l("Việc hoàn thành quá hạn"), "incoming", _both(_tasks, _late)),
    Figure("tasks.open_overdue", _l("Việc quá hạn chưa xong"), "incoming", _both(_tasks, _open_overdue)),
    Figure("outgoing.issued", _l("Văn bản đi đã phát hành"), "outgoing", _issued,
           lambda: year_month(OutgoingDocument.issued_on)),
    Figure("outgoing.in_flow", _l("Dự thảo đang xử lý"), "outgoing", _in_flow),
    Figure("meetings.held", _l("Cuộc họp đã tổ chức"), "meeting", _held),
    Figure("meetings.consultations", _l("Lấy ý kiến bằng văn bản"), "consultation", _consulted),
    Figure("meetings.votes", _l("Biểu quyết"), "vote",
           lambda c: [Vote.status == "closed", Vote.meeting_id.in_(
               sa.select(Meeting.id).where(*_held(c)).scalar_subquery())]),
]
FIGURES: dict[str, Figure] = {f.key: f for f in _FIGURES}
BREAKDOWNS = ("month", "unit", "person", "stage")


# --- the records a figure counts --------------------------------------------------------------

def _model(kind: str) -> Any:
    return {"incoming": IncomingDocument, "outgoing": OutgoingDocument, "meeting": Meeting, "vote": Vote,
            "consultation": Consultation}[kind]


def _meeting_scope(scope: Scope) -> ColumnElement[bool]:
    if scope.person_id is not None:
        return sa.or_(Meeting.participants.any(Participant.user_id == scope.person_id),
                      Meeting.chair_id == scope.person_id, Meeting.secretary_id == scope.person_id)
    if scope.unit_id is not None:
        members = sa.select(User.id).where(User.unit_id == scope.unit_id)
        return Meeting.participants.any(Participant.user_id.in_(members))
    return sa.true()


def base(kind: str, scope: Scope) -> list[ColumnElement[bool]]:
    """The records of a kind its reader may open inside their scope, confidential ones aside."""
    user = scope.user
    if kind == "incoming":
        return [incoming_access.READ.clause(user), D.confidentiality == Confidentiality.NONE.value,
                scope.handled()]
    if kind == "outgoing":
        return [outgoing_access.READ.clause(user),
                OutgoingDocument.confidentiality == Confidentiality.NONE.value, scope.drafted()]
    if kind == "consultation":
        return consultations.in_scope(scope)
    meetings = [meeting_access.VIEW.clause(user), _meeting_scope(scope)]
    if kind == "meeting":
        return meetings
    return [Vote.meeting_id.in_(sa.select(Meeting.id).where(*meetings).scalar_subquery())]


def context(period: Period, today: date, organisation_id: int) -> Context:
    until = add_working_days(today, DUE_SOON_WORKING_DAYS, holidays_of(organisation_id, today))
    return Context(period, today, until)


def _dimension(figure: Figure, by: str) -> Any:
    """The value a breakdown groups by (with ``_join`` applied for incoming unit/person)."""
    if by == "month" and figure.month is not None:
        return figure.month()
    if figure.kind == "incoming" and by == "unit":
        return handler_unit_id()
    if figure.kind == "incoming" and by == "person":
        return Assignment.assignee_user_id
    if figure.kind == "outgoing" and by == "unit":
        return OutgoingDocument.drafting_unit_id
    if figure.kind == "outgoing" and by == "person":
        return OutgoingDocument.drafter_id
    if figure.kind == "outgoing" and by == "stage":
        return OutgoingDocument.status
    raise ValidationFailed("invalid_breakdown", _("Số liệu này không chia theo tiêu chí đã chọn."), "by")


def _value_condition(figure: Figure, by: str, value: str | None) -> ColumnElement[bool]:
    """One cell of a breakdown as a condition on the record (no join needed)."""
    dim = _dimension(figure, by)
    if figure.kind == "incoming" and by in ("unit", "person"):
        if value is None:
            return ~D.assignments.any(sa.and_(main_assignment(), dim.is_not(None)))
        return D.assignments.any(sa.and_(main_assignment(), dim == _int(value)))
    if value is None:
        return dim.is_(None)
    return dim == (_int(value) if by in ("unit", "person") else value)


def _int(value: str) -> int:
    text = str(value)
    if not (text.isdecimal() and len(text) <= 18) or not 0 < int(text) < 2**63:
        raise ValidationFailed("invalid_value", _("Giá trị không hợp lệ."), "value")
    return int(text)


def figure_of(key: str) -> Figure:
    figure = FIGURES.get(key)
    if figure is None:
        raise ValidationFailed("unknown_figure", _("Không có số liệu này."), "figure")
    return figure


def drilldown(scope: Scope, period: Period, today: date, key: str, by: str | None = None,
              value: str | None = None, ctx: Context | None = None) -> sa.Select:
    """``SELECT`` of the records behind a figure, or behind one cell of its breakdown
    (``value`` None: the cell of records with no unit / person)."""
    figure = figure_of(key)
    ctx = ctx or context(period, today, scope.organisation_id)
    model = _model(figure.kind)
    query = sa.select(model).where(*base(figure.kind, scope), *figure.where(ctx))
    if by is not None:
        if by not in BREAKDOWNS:
            raise ValidationFailed("invalid_breakdown", _("Số liệu này không chia theo tiêu chí đã chọn."), "by")
        query = query.where(_value_condition(figure, by, value))
    return query


def count(scope: Scope, period: Period, today: date, key: str, by: str | None = None,
          value: str | None = None) -> int:
    inner = drilldown(scope, period, today, key, by, value).subquery()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0)


def _conditions(figures: Sequence[Figure], ctx: Context) -> tuple[list[ColumnElement[bool]], list]:
    """Each figure's conditions as one clause, and those every figure has (the period, a
    status) apart: put in WHERE as well, they let the database use an index instead of
    reading every record of the commune to test the OR."""
    lists = [f.where(ctx) for f in figures]
    shared = [c for c in lists[0] if all(any(c.compare(d) for d in other) for other in lists[1:])]
    return [sa.and_(*conds) for conds in lists], shared


def _grouped(scope: Scope, ctx: Context, keys: Sequence[str], by: str | tuple[str, ...]) -> dict[Any, dict[str, int]]:
    """Several figures of one kind broken down in one ``GROUP BY``: {value: {key: n}} — with a
    tuple of breakdowns, {(value, …): {key: n}}, one pass over the records for all of them."""
    figures = [figure_of(k) for k in keys]
    kind = figures[0].kind
    assert all(f.kind == kind for f in figures)
    model = _model(kind)
    breakdowns = by if isinstance(by, tuple) else (by,)
    dims = [_dimension(figures[0], b).label(f"d{i}") for i, b in enumerate(breakdowns)]
    common = base(kind, scope)
    conds, shared = _conditions(figures, ctx)
    query = (sa.select(*dims, *[sa.func.sum(sa.case((c, 1), else_=0)) for c in conds])
             .select_from(model).where(*common, *shared, sa.or_(*conds)).group_by(*dims))
    if kind == "incoming" and {"unit", "person"} & set(breakdowns):
        # At most one current main assignment per document: the join counts each once.
        query = query.outerjoin(Assignment, sa.and_(Assignment.document_id == D.id, main_assignment()))
    width = len(breakdowns)
    out = {}
    for row in db.session.execute(query):
        value = tuple(row[:width]) if isinstance(by, tuple) else row[0]
        out[value] = {k: int(n or 0) for k, n in zip(keys, row[width:], strict=True)}
    return out


def _fold(counts: dict[tuple, dict[str, int]], index: int | None) -> dict[Any, dict[str, int]]:
    """The sums of a multi-breakdown over one of its breakdowns (None: the grand total)."""
    out: dict[Any, dict[str, int]] = {}
    for values, n in counts.items():
        bucket = out.setdefault(None if index is None else values[index], {})
        for key, value in n.items():
            bucket[key] = bucket.get(key, 0) + value
    return out


def totals(scope: Scope, ctx: Context, keys: Sequence[str]) -> dict[str, int]:
    """Figures of one kind counted in one query (one ``SUM(CASE …)`` each), over the period."""
    figures = [figure_of(k) for k in keys]
    kind = figures[0].kind
    conds, shared = _conditions(figures, ctx)
    query = (sa.select(*[sa.func.sum(sa.case((c, 1), else_=0)) for c in conds])
             .select_from(_model(kind)).where(*base(kind, scope), *shared, sa.or_(*conds)))
    row = db.session.execute(query).one()
    return {k: int(n or 0) for k, n in zip(keys, row, strict=True)}


# --- links ------------------------------------------------------------------------------------

def drill_link(key: str, period: Period, scope: Scope, by: str | None = None, value: Any = None) -> str:
    params = {"figure": key, **period.query(), **scope.query()}
    if by is not None:
        params["by"] = by
        params["value"] = "" if value is None else str(value)
    return f"{url_for('reports.drilldown')}?{urlencode(params)}"


def _cell(key: str, n: int, period: Period, scope: Scope, by: str | None = None, value: Any = None) -> dict:
    return {"value": n, "link": drill_link(key, period, scope, by, value)}


def _rate(good: int, bad: int) -> float | None:
    return round(good / (good + bad), 4) if good + bad else None


# --- the dashboard as data ------------------------------------------------------------------

HANDLING_KEYS = {
    "received": "incoming.received", "on_time": "incoming.on_time", "late": "incoming.late",
    "no_deadline": "incoming.no_deadline", "open_in_time": "incoming.open_in_time",
    "open_overdue": "incoming.open_overdue", "returned": "incoming.returned",
}
LOAD_KEYS = {"open": "load.open", "overdue": "load.overdue", "due_soon": "load.due_soon"}
TASK_KEYS = {"total": "tasks.total", "done": "tasks.done", "on_time": "tasks.on_time",
             "late": "tasks.late", "open_overdue": "tasks.open_overdue"}


def _names(model: Any, ids: set[Any]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    column = model.full_name if model is User else model.name
    return dict(db.session.execute(sa.select(model.id, column).where(model.id.in_(ids))).tuples().all())


def _rows(counts: dict[Any, dict[str, int]], names: dict[int, str], keys: dict[str, str], by: str,
          period: Period, scope: Scope, none_label: str, person: bool) -> list[dict]:
    rows = []
    for value, n in counts.items():
        row: dict[str, Any] = {"key": value, "label": names.get(value, none_label) if value is not None
                               else none_label}
        for name, key in keys.items():
            row[name] = _cell(key, n[key], period, scope, by, value)
        rows.append(row)
    sort = (lambda r: person_sort_key(r["label"])) if person else (lambda r: vn_sort_key(r["label"]))
    # The "not yet given to anyone" line closes the table.
    return sorted(rows, key=lambda r: (r["key"] is None, sort(r)))


def _breakdown_rows(counts: dict[Any, dict[str, int]], keys: dict[str, str], by: str, ctx: Context,
                    scope: Scope) -> list[dict]:
    model = Unit if by == "unit" else User
    none = _("Chưa phân công") if by == "unit" else _("Giao cho bộ phận, chưa giao cá nhân")
    return _rows(counts, _names(model, set(counts)), keys, by, ctx.period, scope, none, by == "person")


def _handling_figures(scope: Scope, ctx: Context) -> tuple[dict[str, int], list[dict], list[dict], dict[str, int]]:
    """Totals, rows by unit and by person, and received per month — from one pass."""
    counts = _grouped(scope, ctx, list(HANDLING_KEYS.values()), ("unit", "person", "month"))
    by_unit = _breakdown_rows(_fold(counts, 0), HANDLING_KEYS, "unit", ctx, scope)
    by_person = _breakdown_rows(_fold(counts, 1), HANDLING_KEYS, "person", ctx, scope)
    for row in [*by_unit, *by_person]:
        row["rate"] = _rate(row["on_time"]["value"], row["late"]["value"])
    zero = dict.fromkeys(HANDLING_KEYS.values(), 0)
    total = _fold(counts, None).get(None, zero)
    per_month = {m: n["incoming.received"] for m, n in _fold(counts, 2).items()}
    return total, by_unit, by_person, per_month


def _load_figures(scope: Scope, ctx: Context) -> tuple[dict[str, int], list[dict], list[dict]]:
    counts = _grouped(scope, ctx, list(LOAD_KEYS.values()), ("unit", "person"))
    total = _fold(counts, None).get(None, dict.fromkeys(LOAD_KEYS.values(), 0))
    return (total, _breakdown_rows(_fold(counts, 0), LOAD_KEYS, "unit", ctx, scope),
            _breakdown_rows(_fold(counts, 1), LOAD_KEYS, "person", ctx, scope))


def _month_series(scope: Scope, ctx: Context, key: str, counts: dict[str, int] | None = None) -> list[dict]:
    if counts is None:
        counts = {m: n[key] for m, n in _grouped(scope, ctx, [key], "month").items()}
    return [{"key": m, "label": f"{m[5:]}/{m[:4]}", "value": counts.get(m, 0),
             "link": drill_link(key, ctx.period, scope, "month", m)} for m in ctx.period.months()]


def _stage_series(scope: Scope, ctx: Context) -> list[dict]:
    counts = _grouped(scope, ctx, ["outgoing.in_flow"], "stage")
    return [{"key": s.value, "label": str(OUT_STATUS_LABELS[s]),
             "value": counts.get(s.value, {}).get("outgoing.in_flow", 0),
             "link": drill_link("outgoing.in_flow", ctx.period, scope, "stage", s.value)} for s in IN_FLOW]


def _handler_label(doc: IncomingDocument) -> str:
    main = doc.main_assignment
    return main.assignee_label if main is not None else ""


def _doc_title(doc: IncomingDocument) -> str:
    head = doc.number_symbol or doc.arrival_label
    return f"{head} — {(doc.subject or doc.sender_name)[:160]}"


def _doc_list(scope: Scope, ctx: Context, key: str) -> list[dict]:
    query = (drilldown(scope, ctx.period, ctx.today, key, ctx=ctx).order_by(D.deadline, D.id)
             .limit(LIST_LIMIT).options(*list_options("incoming")))
    return [{"id": d.id, "title": _doc_title(d), "deadline": d.deadline.isoformat() if d.deadline else None,
             "deadline_label": format_date(d.deadline), "handler": _handler_label(d),
             "link": url_for("incoming.show", document_id=d.id)} for d in db.session.scalars(query)]


def _meetings(scope: Scope, ctx: Context) -> dict:
    held = drilldown(scope, ctx.period, ctx.today, "meetings.held", ctx=ctx).with_only_columns(Meeting.id)
    people = db.session.execute(
        sa.select(sa.func.count(Participant.id),
                  sa.func.sum(sa.case((Participant.checked_in_at.is_not(None), 1), else_=0)))
        .where(Participant.meeting_id.in_(held.where(~Meeting.held_on_paper).scalar_subquery()))).one()
    participants, present = int(people[0] or 0), int(people[1] or 0)
    n_held = count(scope, ctx.period, ctx.today, "meetings.held")
    n_votes = count(scope, ctx.period, ctx.today, "meetings.votes")
    n_consulted = count(scope, ctx.period, ctx.today, "meetings.consultations")
    tasks = totals(scope, ctx, list(TASK_KEYS.values()))
    task_cells = {name: _cell(key, tasks[key], ctx.period, scope) for name, key in TASK_KEYS.items()}
    return {
        "held": _cell("meetings.held", n_held, ctx.period, scope),
        "participants": participants, "present": present,
        "attendance_rate": round(present / participants, 4) if participants else None,
        "votes": _cell("meetings.votes", n_votes, ctx.period, scope),
        "consultations": _cell("meetings.consultations", n_consulted, ctx.period, scope),
        "tasks": {**task_cells, "rate": _rate(tasks["tasks.on_time"], tasks["tasks.late"])},
    }


def _confidential(scope: Scope, period: Period) -> dict | None:
    """Counts of the confidential register entries in the period — what the register
    already shows a holder of VIEW_CONFIDENTIAL, and nothing more; nobody else learns them."""
    user = scope.user
    if not user.can(Permission.VIEW_CONFIDENTIAL) or scope.unit_id is not None or scope.person_id is not None:
        return None
    secret_in = db.session.scalar(
        sa.select(sa.func.count()).select_from(D).where(
            D.organisation_id == user.organisation_id, D.confidentiality != Confidentiality.NONE.value,
            D.arrival_date.between(period.start, period.end)))
    secret_out = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutgoingDocument).where(
            OutgoingDocument.organisation_id == user.organisation_id,
            OutgoingDocument.confidentiality != Confidentiality.NONE.value,
            OutgoingDocument.issued_on.between(period.start, period.end)))
    return {"incoming": int(secret_in or 0), "outgoing": int(secret_out or 0)}


def dashboard(scope: Scope, period: Period, today: date) -> dict:
    """The whole dashboard as data, for the page, the API and the XLSX alike."""
    ctx = context(period, today, scope.organisation_id)
    handling_total, handling_by_unit, handling_by_person, received_per_month = _handling_figures(scope, ctx)
    total_row: dict[str, Any] = {"key": None, "label": _("Tổng cộng")}
    for name, key in HANDLING_KEYS.items():
        total_row[name] = _cell(key, handling_total[key], period, scope)
    total_row["rate"] = _rate(handling_total["incoming.on_time"], handling_total["incoming.late"])
    load_total, load_by_unit, load_by_person = _load_figures(scope, ctx)
    out = totals(scope, ctx, ["outgoing.issued", "outgoing.in_flow"])
    avg_days = db.session.scalar(
        sa.select(sa.func.avg(days_between(OutgoingDocument.created_at, OutgoingDocument.issued_at)))
        .where(*base("outgoing", scope), *_issued(ctx)))
    meetings = _meetings(scope, ctx)

    def head(key: str, value: int, label: Any = None) -> dict:
        return {"key": key, "label": str(label or FIGURES[key].label), "value": value,
                "link": drill_link(key, period, scope)}

    return {
        "period": period.to_dict(), "today": today.isoformat(),
        "scope": {"level": scope.level.value, "unit_id": scope.unit_id, "person_id": scope.person_id,
                  "title": scope.title},
        "headline": [
            head("incoming.received", handling_total["incoming.received"]),
            {**head("incoming.on_time", handling_total["incoming.on_time"]), "rate": total_row["rate"]},
            head("load.overdue", load_total["load.overdue"], _("Đang quá hạn")),
            head("load.due_soon", load_total["load.due_soon"]),
            head("outgoing.issued", out["outgoing.issued"]),
            head("outgoing.in_flow", out["outgoing.in_flow"]),
            head("meetings.held", meetings["held"]["value"]),
        ],
        "series": {
            "received_per_month": _month_series(scope, ctx, "incoming.received", received_per_month),
            "issued_per_month": _month_series(scope, ctx, "outgoing.issued"),
            "drafts_by_stage": _stage_series(scope, ctx),
        },
        "handling": {"total": total_row, "by_unit": handling_by_unit, "by_person": handling_by_person},
        "load": {"total": {name: _cell(key, load_total[key], period, scope) for name, key in LOAD_KEYS.items()},
                 "by_unit": load_by_unit, "by_person": load_by_person},
        "due_soon": _doc_list(scope, ctx, "load.due_soon"),
        "overdue": _doc_list(scope, ctx, "load.overdue"),
        "outgoing": {"issued": _cell("outgoing.issued", out["outgoing.issued"], period, scope),
                     "in_flow": _cell("outgoing.in_flow", out["outgoing.in_flow"], period, scope),
                     "avg_days_to_issue": round(float(avg_days), 1) if avg_days is not None else None},
        "meetings": meetings,
        "confidential": _confidential(scope, period),
    }


# --- a drill-down row, the same on the page and in the API -----------------------------------

def describe(kind: str, obj: Any) -> dict:
    if kind == "incoming":
        return {"kind": kind, "id": obj.id, "title": _doc_title(obj), "number": obj.arrival_label,
                "date": obj.arrival_date.isoformat(), "deadline": obj.deadline.isoformat() if obj.deadline else None,
                "handler": _handler_label(obj), "status": obj.status, "status_label": obj.status_enum.label,
                "link": url_for("incoming.show", document_id=obj.id)}
    if kind == "outgoing":
        return {"kind": kind, "id": obj.id, "title": f"{obj.number_symbol or obj.type_label} — {obj.subject[:160]}",
                "number": obj.number_symbol, "date": obj.issued_on.isoformat() if obj.issued_on else None,
                "deadline": obj.due_date.isoformat() if obj.due_date else None,
                "handler": obj.drafter.full_name, "status": obj.status, "status_label": obj.status_enum.label,
                "link": url_for("outgoing.show", document_id=obj.id)}
    if kind == "meeting":
        return {"kind": kind, "id": obj.id, "title": obj.title, "number": "",
                "date": obj.starts_at.isoformat(), "deadline": None, "handler": obj.chair.full_name,
                "status": obj.status, "status_label": obj.status_enum.label,
                "link": url_for("meetings.show", meeting_id=obj.id)}
    if kind == "consultation":
        return {"kind": kind, "id": obj.id, "title": obj.title, "number": "",
                "date": obj.closed_at.isoformat() if obj.closed_at else None, "deadline": None,
                "handler": "", "status": obj.status, "status_label": "",
                "link": url_for("consultations.show", consultation_id=obj.id)}
    meeting = db.session.get(Meeting, obj.meeting_id)
    return {"kind": kind, "id": obj.id, "title": obj.question, "number": "",
            "date": obj.closed_at.isoformat() if obj.closed_at else None, "deadline": None,
            "handler": meeting.title if meeting else "", "status": obj.status, "status_label": "",
            "link": url_for("meetings.show", meeting_id=obj.meeting_id)}


def list_options(kind: str) -> list:
    """What :func:`describe` reads of each record, loaded with the page of records."""
    if kind == "incoming":
        assignments = selectinload(D.assignments)
        return [assignments.joinedload(Assignment.assignee_user), assignments.joinedload(Assignment.assignee_unit)]
    if kind == "outgoing":
        return [joinedload(OutgoingDocument.drafter)]
    if kind == "meeting":
        return [joinedload(Meeting.chair)]
    return []


def order_for(kind: str) -> list[ColumnElement]:
    model = _model(kind)
    if kind == "incoming":
        return [D.arrival_date.desc(), D.id.desc()]
    if kind == "outgoing":
        return [sa.func.coalesce(OutgoingDocument.issued_on, sa.func.date(OutgoingDocument.created_at)).desc(),
                OutgoingDocument.id.desc()]
    if kind == "meeting":
        return [Meeting.starts_at.desc()]
    if kind == "consultation":
        return [Consultation.closed_at.desc(), Consultation.id.desc()]
    return [model.id.desc()]

