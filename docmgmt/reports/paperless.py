"""The road to paperless: how much of the commune's work is done electronically end to end,
against its target date (30 September unless the administrator sets another).

Three kinds of work are counted, each record once, as electronic or not:

* incoming — entries of the sổ đến that arrived electronically (through the exchange, or
  as a born-digital file) versus scans of a paper (``IncomingDocument.medium``);
* outgoing — documents issued electronically (signed digitally, every outside recipient
  reached through the exchange) versus on paper (signed by hand, ``medium`` paper) or sent
  by post to anyone (a recipient ``by_post``);
* meetings — held in the electronic room versus on paper (``Meeting.held_on_paper``).

Confidential documents stay on paper by law: they are never in a share, only counted
apart for those who may see the confidential register. Every figure is counted over the
records its reader may open (each module's ``READ``/``VIEW`` rule, which also keeps every
other commune out) and inside the reader's scope; its drill-down (``drilldown``) is the
same definition as a ``SELECT`` of the records, so the list behind a figure is exactly
what was counted. All counting is done in SQL, grouped; no document is loaded to be
counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from meetings.access import VIEW as MEETING_VIEW
from meetings.models import Meeting, Participant
from meetings.workflow import Status as MeetingStatus

from ..audit.operations import record as audit
from ..core.errors import ValidationFailed, forbidden
from ..core.permissions import Permission
from ..core.timeutil import format_date
from ..documents.types import Confidentiality
from ..exchange.models import Correspondent
from ..extensions import db
from ..incoming.access import READ as INCOMING_READ
from ..incoming.models import Assignment, IncomingDocument
from ..org.models import Organisation, Unit, User
from ..outgoing.access import READ as OUTGOING_READ
from ..outgoing.models import BY_POST, OutgoingDocument, Recipient
from ..outgoing.workflow import Status as OutgoingStatus
from . import sql
from .periods import MAX_YEAR, MIN_YEAR, Period, vn_midnight
from .scope import Scope

WEEKS = 12  # the trend: this week and the eleven before it
LIST_PATH = "/dashboard/list"
# A projection further out than this says "more than ten years" rather than a date.
HORIZON_DAYS = 3653
DEFAULT_TARGET = (9, 30)  # the province's target: 30 September of the current year

NOT_SECRET = Confidentiality.NONE.value
ISSUED = (OutgoingStatus.ISSUED.value, OutgoingStatus.RECALLED.value)


# --- the records of each kind, and the date each is counted by ---------------------------------

def _incoming_where(scope: Scope, start: date, end: date, *, confidential: bool = False) -> list:
    """Entries of the sổ đến that arrived between the two dates, that the reader may open,
    handled inside the scope."""
    secret = IncomingDocument.confidentiality != NOT_SECRET
    return [
        INCOMING_READ.clause(scope.user),
        IncomingDocument.arrival_number.is_not(None),
        secret if confidential else sa.not_(secret),
        IncomingDocument.arrival_date.between(start, end),
        scope.handled(),
    ]


def _outgoing_where(scope: Scope, start: date, end: date, *, confidential: bool = False) -> list:
    """Documents issued (and possibly recalled since) between the two dates, that the
    reader may open, drafted inside the scope."""
    secret = OutgoingDocument.confidentiality != NOT_SECRET
    return [
        OUTGOING_READ.clause(scope.user),
        secret if confidential else sa.not_(secret),
        OutgoingDocument.status.in_(ISSUED),
        OutgoingDocument.issued_on.between(start, end),
        scope.drafted(),
    ]


def _meetings_in(scope: Scope) -> ColumnElement[bool]:
    """A person's meetings are those they were invited to; a unit's, those any of its
    people was invited to."""
    if scope.person_id is not None:
        return Meeting.participants.any(Participant.user_id == scope.person_id)
    if scope.unit_id is not None:
        people = sa.select(User.id).where(User.unit_id == scope.unit_id)
        return Meeting.participants.any(Participant.user_id.in_(people))
    return sa.true()


def _meetings_where(scope: Scope, start: date, end: date, *, confidential: bool = False) -> list:
    """Meetings held (ended) that started between the two dates (Vietnam time), that the
    reader may see, inside the scope."""
    assert not confidential  # a meeting never carries confidential documents
    return [
        MEETING_VIEW.clause(scope.user),
        Meeting.status == MeetingStatus.ENDED.value,
        Meeting.started_at >= vn_midnight(start),
        Meeting.started_at < vn_midnight(end + timedelta(days=1)),
        _meetings_in(scope),
    ]


@dataclass(frozen=True)
class Kind:
    model: type
    where: Callable[..., list]
    day: Callable[[], Any]  # the Vietnam date a record counts on (weekly trend): a column or an expression
    order: Callable[[], list]  # the drill-down's order: newest first
    electronic: Callable[[], ColumnElement[bool]]  # the rest of its records are paper


def _issued_on_paper() -> ColumnElement[bool]:
    """Signed by hand, or sent by post to anyone: not electronic end to end."""
    return sa.or_(OutgoingDocument.medium == "paper",
                  OutgoingDocument.recipients.any(Recipient.exchange_status == BY_POST))


KINDS: dict[str, Kind] = {
    "incoming": Kind(
        IncomingDocument, _incoming_where, lambda: IncomingDocument.arrival_date,
        lambda: [IncomingDocument.arrival_date.desc(), IncomingDocument.id.desc()],
        lambda: IncomingDocument.medium == "electronic"),
    "outgoing": Kind(
        OutgoingDocument, _outgoing_where, lambda: OutgoingDocument.issued_on,
        lambda: [OutgoingDocument.issued_on.desc(), OutgoingDocument.id.desc()],
        lambda: sa.not_(_issued_on_paper())),
    "meetings": Kind(
        Meeting, _meetings_where, lambda: sql.vn_date(Meeting.started_at),
        lambda: [Meeting.started_at.desc(), Meeting.id.desc()],
        lambda: Meeting.held_on_paper.is_(False)),
}


# --- where paper persists, per unit ------------------------------------------------------------

# The current main assignment (aliased: the access rules' own EXISTS on assignments must
# not correlate with this join) and the person it names.
_Main = aliased(Assignment, name="main_assignment")
_Handler = aliased(User, name="handler")


def _by_handler_unit(query: sa.Select) -> tuple[sa.Select, Any]:
    """An incoming document's unit: its main handler's (a unit, or a person's unit);
    none while nobody handles it."""
    query = query.outerjoin(_Main, sa.and_(_Main.document_id == IncomingDocument.id, _Main.role == "main",
                                           _Main.superseded_at.is_(None)))
    query = query.outerjoin(_Handler, _Handler.id == _Main.assignee_user_id)
    return query, sa.func.coalesce(_Main.assignee_unit_id, _Handler.unit_id)


def _by_drafting_unit(query: sa.Select) -> tuple[sa.Select, Any]:
    return query, OutgoingDocument.drafting_unit_id


def _sender_on_exchange() -> ColumnElement[bool]:
    """The sender could have sent it through the exchange: it gave its OrganId, or the
    commune knows it as a correspondent of the exchange under that name."""
    return sa.or_(
        IncomingDocument.sender_organ_id != "",
        sa.exists().where(Correspondent.organisation_id == IncomingDocument.organisation_id,
                          Correspondent.name == IncomingDocument.sender_name,
                          Correspondent.organ_id != ""),
    )


# --- the figures ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    key: str
    kind: str
    label: object  # a lazy string: the list page's title
    condition: Callable[[], ColumnElement[bool]]
    unit: Callable[[sa.Select], tuple[sa.Select, Any]] | None = field(default=None)


def _figures(*figures: Figure) -> dict[str, Figure]:
    return {f.key: f for f in figures}


FIGURES: dict[str, Figure] = _figures(
    Figure("paperless.incoming_electronic", "incoming", _l("Văn bản đến điện tử (liên thông, tệp điện tử)"),
           KINDS["incoming"].electronic),
    Figure("paperless.incoming_scan", "incoming", _l("Văn bản đến là bản scan từ giấy"),
           lambda: sa.not_(KINDS["incoming"].electronic())),
    Figure("paperless.outgoing_electronic", "outgoing", _l("Văn bản đi ký số, gửi điện tử"),
           KINDS["outgoing"].electronic),
    Figure("paperless.outgoing_paper", "outgoing", _l("Văn bản đi phát hành bản giấy hoặc gửi bưu điện"),
           _issued_on_paper),
    Figure("paperless.meetings_room", "meetings", _l("Cuộc họp trên phòng họp điện tử"),
           KINDS["meetings"].electronic),
    Figure("paperless.meetings_paper", "meetings", _l("Cuộc họp bằng giấy"),
           lambda: sa.not_(KINDS["meetings"].electronic())),
    Figure("paperless.scans_from_exchange_senders", "incoming",
           _l("Văn bản đến dạng scan từ cơ quan đã có trên trục liên thông"),
           lambda: sa.and_(sa.not_(KINDS["incoming"].electronic()), _sender_on_exchange()),
           _by_handler_unit),
    Figure("paperless.paper_issued", "outgoing", _l("Văn bản đi phát hành bản giấy"),
           lambda: OutgoingDocument.medium == "paper", _by_drafting_unit),
)


def _figure(key: str) -> Figure:
    figure = FIGURES.get(key)
    if figure is None:
        raise ValidationFailed("invalid_figure", _("Không có số liệu này trong lộ trình không dùng giấy."),
                               "figure")
    return figure


def _records(scope: Scope, start: date, end: date, figure: Figure) -> sa.Select:
    """``SELECT`` (no columns yet) of the records behind a figure between two dates."""
    kind = KINDS[figure.kind]
    return sa.select().select_from(kind.model).where(*kind.where(scope, start, end), figure.condition())


def _unit_value(value: object) -> int | None:
    if value in (None, "", "none"):
        return None
    text = str(value).strip()
    if not (text.isdecimal() and len(text) <= 18) or not 0 < int(text) < 2**63:
        raise ValidationFailed("invalid_id", _("Mã đơn vị không hợp lệ."), "value")
    return int(text)


def drilldown(scope: Scope, period: Period, today: date, key: str, by: str | None = None,
              value: object = None) -> sa.Select:
    """The records behind a figure (``by="unit"``, ``value=<unit id>`` or ``"none"``: behind
    one unit's cell of it), newest first: a ``SELECT`` of the model, for the list page and
    for counting."""
    figure = _figure(key)
    kind = KINDS[figure.kind]
    query = _records(scope, period.start, period.end, figure)
    if by is not None:
        if by != "unit" or figure.unit is None:
            raise ValidationFailed("invalid_breakdown", _("Số liệu này không chia theo đơn vị."), "by")
        query, unit = figure.unit(query)
        wanted = _unit_value(value)
        query = query.where(unit.is_(None) if wanted is None else unit == wanted)
    return query.add_columns(kind.model).order_by(*kind.order())


def count(scope: Scope, period: Period, today: date, key: str, by: str | None = None,
          value: object = None) -> int:
    """How many records ``drilldown`` lists: ``SELECT count(*) FROM (that select)``."""
    inner = drilldown(scope, period, today, key, by, value).order_by(None).subquery()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0)


def drill_link(key: str, period: Period, scope: Scope, by: str | None = None, value: object = None) -> str:
    params = {"figure": key, **period.query(), **scope.query()}
    if by is not None:
        params.update(by=by, value="none" if value is None else str(value))
    return f"{LIST_PATH}?{urlencode(params)}"


# --- the target date ------------------------------------------------------------------------------

def target_of(organisation_id: int, today: date) -> date:
    org = db.session.get(Organisation, organisation_id)
    if org is not None and org.paperless_target is not None:
        return org.paperless_target
    return date(today.year, *DEFAULT_TARGET)


def set_target(actor: User, target: date | None) -> Organisation:
    """The administrator sets the day the commune means to drop internal paper; None goes
    back to the province's 30 September."""
    if not actor.can(Permission.MANAGE_ORGANISATION):
        raise forbidden()
    if target is not None and not MIN_YEAR <= target.year <= MAX_YEAR:
        raise ValidationFailed("invalid_date", _("Ngày mục tiêu phải trong các năm %(a)s–%(b)s.",
                                                 a=MIN_YEAR, b=MAX_YEAR), "target")
    org = db.session.get(Organisation, actor.organisation_id)
    assert org is not None  # a user's organisation is a foreign key
    org.paperless_target = target
    audit(org.id, actor, "organisation.paperless_target", org,
          format_date(target) if target else "30/09")
    return org


# --- the page as data -----------------------------------------------------------------------------

def _share(electronic: int, total: int) -> float | None:
    return round(electronic / total, 4) if total else None


def _count_split(kind_name: str, scope: Scope, start: date, end: date) -> tuple[int, int]:
    """(electronic, total) of a kind between two dates: one query."""
    kind = KINDS[kind_name]
    electronic = sa.func.coalesce(sa.func.sum(sa.case((kind.electronic(), 1), else_=0)), 0)
    row = db.session.execute(
        sa.select(electronic, sa.func.count()).select_from(kind.model).where(*kind.where(scope, start, end))
    ).one()
    return int(row[0]), int(row[1])


def _weekly(kind_name: str, scope: Scope, start: date, end: date) -> dict[str, tuple[int, int]]:
    """{Monday: (electronic, total)} of a kind: one grouped query."""
    kind = KINDS[kind_name]
    week = sql.week_start(kind.day())
    electronic = sa.func.coalesce(sa.func.sum(sa.case((kind.electronic(), 1), else_=0)), 0)
    rows = db.session.execute(
        sa.select(week, electronic, sa.func.count()).select_from(kind.model)
        .where(*kind.where(scope, start, end)).group_by(week)
    ).tuples()
    return {str(w): (int(e), int(t)) for w, e, t in rows}


def _confidential(scope: Scope, period: Period) -> dict[str, int] | None:
    if not scope.user.can(Permission.VIEW_CONFIDENTIAL):
        return None
    out = {}
    for name, model, where in (("incoming", IncomingDocument, _incoming_where),
                               ("outgoing", OutgoingDocument, _outgoing_where)):
        query = sa.select(sa.func.count()).select_from(model).where(
            *where(scope, period.start, period.end, confidential=True))
        out[name] = int(db.session.scalar(query) or 0)
    return out


def _by_unit(scope: Scope, period: Period) -> list[dict]:
    cells: dict[int | None, dict[str, int]] = {}
    for key in ("paperless.scans_from_exchange_senders", "paperless.paper_issued"):
        figure = FIGURES[key]
        assert figure.unit is not None
        query, unit = figure.unit(_records(scope, period.start, period.end, figure))
        for unit_id, n in db.session.execute(query.add_columns(unit, sa.func.count()).group_by(unit)).tuples():
            cells.setdefault(unit_id, {})[key] = int(n)
    ids = [u for u in cells if u is not None]
    names = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(ids))).tuples().all())

    def cell(unit_id: int | None, key: str) -> dict:
        return {"value": cells[unit_id].get(key, 0),
                "link": drill_link(key, period, scope, by="unit", value=unit_id)}

    def label(unit_id: int | None) -> str:
        return names.get(unit_id, "") if unit_id is not None else _("Chưa phân công")

    # Where most paper persists first; the documents nobody handles yet last.
    order = sorted(cells, key=lambda u: (-sum(cells[u].values()), u is None, label(u)))
    return [{"unit_id": unit_id, "unit": label(unit_id),
             "scans_from_exchange_senders": cell(unit_id, "paperless.scans_from_exchange_senders"),
             "paper_issued": cell(unit_id, "paperless.paper_issued")} for unit_id in order]


def _percent(share: float) -> str:
    return format_decimal(round(share * 100, 1), format="#,##0.#")


def project(weeks: list[dict], today: date, target: date) -> dict:
    """When the commune reaches 100 % at its current pace: the least-squares line through
    the weekly shares of the weeks that had any document or meeting, followed to 1.0.
    ``pace_per_week`` is the line's slope (share gained per week)."""
    first = date.fromisoformat(weeks[0]["week"]) if weeks else today
    points = [(i, w["share"]) for i, w in enumerate(weeks) if w["total"]]
    if not points:
        return {"date": None, "on_track": None, "pace_per_week": None,
                "label": _("Chưa có văn bản, cuộc họp nào trong %(n)s tuần qua để dự báo.", n=len(weeks))}
    if all(y >= 1 for _x, y in points):
        reached = first + timedelta(weeks=points[0][0])
        return {"date": reached.isoformat(), "on_track": reached <= target, "pace_per_week": 0.0,
                "label": _("Đã đạt 100 %: mọi văn bản, cuộc họp trong các tuần gần đây đều điện tử.")}
    if len(points) < 2:
        return {"date": None, "on_track": None, "pace_per_week": None,
                "label": _("Cần số liệu của ít nhất hai tuần để dự báo.")}
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in points)
             / sum((x - mean_x) ** 2 for x, _y in points))
    pace = round(slope, 4)
    if slope <= 1e-9:
        return {"date": None, "on_track": False, "pace_per_week": pace,
                "label": _("Tỷ lệ điện tử không tăng (%(p)s điểm %% mỗi tuần): với nhịp hiện tại, chưa thể "
                           "đạt 100 %%.", p=_percent(slope))}
    # y = mean_y + slope·(x − mean_x) reaches 1 at x = mean_x + (1 − mean_y) / slope (weeks from `first`).
    days = round(7 * (mean_x + (1 - mean_y) / slope))
    if days > (today - first).days + HORIZON_DAYS:
        return {"date": None, "on_track": False, "pace_per_week": pace,
                "label": _("Với nhịp hiện tại (tăng %(p)s điểm %% mỗi tuần), còn hơn 10 năm nữa mới đạt 100 %%.",
                           p=_percent(slope))}
    reached = max(first + timedelta(days=days), today)
    on_track = reached <= target
    when = format_date(target)
    words = _("kịp mục tiêu %(t)s", t=when) if on_track else _("chậm hơn mục tiêu %(t)s", t=when)
    return {"date": reached.isoformat(), "on_track": on_track, "pace_per_week": pace,
            "label": _("Với nhịp hiện tại (tăng %(p)s điểm %% mỗi tuần), đạt 100 %% vào khoảng %(d)s, "
                       "%(w)s.", p=_percent(slope), d=format_date(reached), w=words)}


def progress(scope: Scope, period: Period, today: date) -> dict:
    """The paperless page as data (JSON-ready; dates ISO; every ``link`` the drill-down)."""
    target = target_of(scope.organisation_id, today)

    def cell(key: str, value: int) -> dict:
        return {"value": value, "link": drill_link(key, period, scope)}

    blocks, electronic_total, grand_total = {}, 0, 0
    for kind_name, (yes, no) in (("incoming", ("electronic", "scan")), ("outgoing", ("electronic", "paper")),
                                 ("meetings", ("room", "paper"))):
        electronic, total = _count_split(kind_name, scope, period.start, period.end)
        blocks[kind_name] = {
            yes: cell(f"paperless.{kind_name}_{yes}", electronic),
            no: cell(f"paperless.{kind_name}_{no}", total - electronic),
            "share": _share(electronic, total),
        }
        electronic_total += electronic
        grand_total += total

    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=WEEKS - 1)
    per_week: dict[str, list[int]] = {}
    for kind_name in KINDS:
        for week, (e, t) in _weekly(kind_name, scope, first, today).items():
            acc = per_week.setdefault(week, [0, 0])
            acc[0] += e
            acc[1] += t
    weeks = []
    for i in range(WEEKS):
        monday = (first + timedelta(weeks=i)).isoformat()
        e, t = per_week.get(monday, (0, 0))
        weeks.append({"week": monday, "electronic": e, "total": t, "share": _share(e, t)})

    return {
        "target": target.isoformat(),
        "target_label": format_date(target),
        **blocks,
        "overall": {"electronic": electronic_total, "total": grand_total,
                    "share": _share(electronic_total, grand_total)},
        "confidential": _confidential(scope, period),
        "weeks": weeks,
        "projection": project(weeks, today, target),
        "paper_persists": {"by_unit": _by_unit(scope, period)},
    }
