"""Pages of the weekly work schedule (lịch công tác tuần): the week by day × leader and as a
list, my week, a room's week, the version history, the office's entry form, the approver's
buttons, the print layout and the DOCX/PDF downloads, the hall's big screen, and the links
(a person's calendar feed for the phone, the TV's screen).

Each handler loads what the person may read (``queries``: drafts for the office and the
leaders, the published version for everyone else, meetings only to those who may see
them), lets one operation check and act, and renders. The buttons are the ``actions`` the
domain gives (``access.available_actions``); no rule is decided here.

Two doors open without signing in, each through a random token kept hashed
(``links``): the TV's screen (``/schedule/screen/<token>``), which shows the *published*
week as the link's creator reads it and refreshes itself every minute, and a person's
iCalendar feed (``/schedule/feed/<token>.ics``). An unknown or revoked token is a 404.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..core.access import scoped
from ..core.errors import DomainError, forbidden, not_found
from ..core.forms import load_form, people_by_unit, show_error
from ..core.text import sorted_people, vn_sort_key
from ..core.timeutil import to_vn, utcnow, vn_today
from ..extensions import db
from ..org.models import Unit, User
from . import access, links, queries
from . import export as sheet_export
from . import home as _home  # noqa: F401 - registers the home-page panel
from . import ical as feed_ical
from . import operations as ops
from .forms import EntryForm, LinkForm, ReturnForm, RoomForm
from .links import Kind
from .models import ScheduleEntry
from .schemas import EntrySchema, ReturnSchema, RoomSchema
from .workflow import Status

bp = Blueprint("schedule", __name__, url_prefix="/schedule")

FIRST_YEAR, LAST_YEAR = 2000, 2100
STATUS_STYLES = {
    Status.DRAFT: "text-bg-secondary",
    Status.SUBMITTED: "text-bg-warning",
    Status.PUBLISHED: "text-bg-success",
}
DAY_NAMES = (_l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"), _l("Thứ Bảy"),
             _l("Chủ nhật"))
HALVES = (("am", _l("Sáng")), ("pm", _l("Chiều")))
# The lifecycle's buttons, in the order they are offered: label, icon, style.
ACTIONS = {
    "submit": (_l("Trình duyệt"), "send", "btn-primary"),
    "publish": (_l("Duyệt và ban hành"), "check2-circle", "btn-success"),
    "revise": (_l("Điều chỉnh lịch"), "pencil-square", "btn-outline-primary"),
}
DONE = {
    "submit": _l("Đã trình lịch tuần để lãnh đạo duyệt."),
    "return": _l("Đã trả lại lịch tuần cho Văn phòng."),
    "publish": _l("Đã ban hành lịch tuần và báo cho những người có tên."),
    "revise": _l("Lịch tuần đã mở lại để điều chỉnh. Mọi người vẫn xem bản đã ban hành cho đến khi ban hành lại."),
}
SCREEN_REFRESH_SECONDS = 60


def _hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _span(item) -> str:
    return f"{_hhmm(item.start)}–{_hhmm(item.end)}" if item.end else _hhmm(item.start)


@bp.context_processor
def _helpers():
    return {
        "today": vn_today(),
        "status_label": lambda s: Status(s).label,
        "status_style": lambda s: STATUS_STYLES[Status(s)],
        "day_name": lambda d: str(DAY_NAMES[d.weekday()]),
        "halves": HALVES,
        "hhmm": _hhmm,
        "span": _span,
        "week_url": lambda monday, **kw: url_for("schedule.week", monday=monday.isoformat(), **kw),
        "this_monday": queries.monday_of(vn_today()),
        "timedelta7": timedelta(days=7),
        "timedelta1": timedelta(days=1),
        "columns": sheet_export.COLUMNS,
    }


# --- reading the URL ------------------------------------------------------------------------

def _date(raw: str | None) -> date | None:
    """An ISO date of the years kept, or None."""
    try:
        day = datetime.strptime(raw or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def _monday(raw: str) -> date:
    day = _date(raw)
    if day is None:
        abort(404)
    return day


def _week_arg() -> date:
    """``?week=YYYY-MM-DD`` (any day of it) → its Monday; this week when absent or wrong."""
    return queries.monday_of(_date(request.args.get("week")) or vn_today())


def _version_arg() -> int | None:
    raw = request.args.get("version", "")
    if not raw:
        return None
    if not (raw.isdecimal() and len(raw) <= 18) or not 1 <= int(raw) <= 10_000:
        abort(404)
    return int(raw)


# --- the week ----------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    return redirect(url_for(".week", monday=queries.monday_of(vn_today()).isoformat()))


def _transitions(actions: frozenset[str]) -> list[tuple[str, object, str, str]]:
    return [(key, *ACTIONS[key]) for key in ACTIONS if key in actions]


@bp.get("/week/<monday>")
@login_required
def week(monday: str):
    day = _monday(monday)
    start = queries.monday_of(day)
    if start != day:  # any day names its week
        query = request.query_string.decode()
        return redirect(url_for(".week", monday=start.isoformat()) + (f"?{query}" if query else ""))
    return _render_week(start)


def _render_week(start: date, status: int = 200, return_form: ReturnForm | None = None):
    version = _version_arg()
    layout = "list" if request.args.get("layout") == "list" else "leaders"
    view = queries.week_of(current_user, start, version=version)
    record = view.week
    actions = access.available_actions(current_user, record)
    if "return" in actions and return_form is None:
        return_form = ReturnForm(prefix="return", formdata=None)
    leaders = queries.leaders_of(current_user.organisation_id)
    return render_template(
        "schedule/week.html", view=view, monday=start, layout=layout, actions=actions,
        transitions=_transitions(actions), leaders=leaders,
        grid=view.by_leader(leaders) if view.visible else {},
        return_form=return_form if "return" in actions else None, open_return=status != 200,
        versions=queries.published_versions(current_user, record) if record is not None else [],
        holidays=sheet_export.holidays_in(current_user.organisation_id, start),
        title=sheet_export.week_title(current_user.organisation.name, start),
        period=sheet_export.period_line(start),
        organisation_lines=sheet_export.organisation_lines(current_user.organisation.name),
    ), status


@bp.get("/week/<monday>/versions")
@login_required
def versions(monday: str):
    start = queries.monday_of(_monday(monday))
    record = queries.week_record(current_user.organisation_id, start)
    found = queries.published_versions(current_user, record) if record is not None else []
    return render_template("schedule/versions.html", monday=start, record=record, versions=found,
                           period=sheet_export.period_line(start))


@bp.post("/week/<monday>/<any(submit, publish, revise, return):action>")
@login_required
def change_status(monday: str, action: str):
    start = queries.monday_of(_monday(monday))
    record = queries.week_record(current_user.organisation_id, start)
    if record is None or not access.can_view(current_user, record):
        raise not_found(_("Chưa có lịch của tuần này."))
    note, form = "", None
    if action == "return":
        form = ReturnForm(prefix="return")
        data = load_form(form, ReturnSchema) if form.validate_on_submit() else None
        if data is None:
            return _render_week(start, 422, form)
        note = data.get("note", "")
    try:
        ops.transition(current_user, record, action, note)
    except DomainError as err:
        # Show the week as it is, not as the refused act half-left it, with the reason.
        db.session.rollback()
        if err.status == 404:
            raise
        if form is not None and err.field == "note":
            show_error(form, err)
        else:
            flash(err.message, "danger")
        return _render_week(start, err.status, form)
    flash(str(DONE[action]), "success")
    return redirect(url_for(".week", monday=start.isoformat()))


# --- the office's entries ---------------------------------------------------------------------

def _colleagues() -> list[User]:
    return sorted_people(db.session.scalars(scoped(User, current_user).where(User.active.is_(True))))


def _units() -> list[Unit]:
    return sorted(db.session.scalars(scoped(Unit, current_user)), key=lambda u: vn_sort_key(u.name))


def _person_label(u: User) -> str:
    return u.full_name + (f" — {u.position.name}" if u.position else "")


def _entry_form(entry: ScheduleEntry | None = None, day: date | None = None) -> EntryForm:
    if request.method == "POST":
        form = EntryForm()
    elif entry is None:
        form = EntryForm(formdata=None, day=day, start_time=time(7, 30))
    else:
        form = EntryForm(
            formdata=None, obj=entry, leader_ids=[u.id for u in entry.leaders],
            participants=[f"u:{u.id}" for u in entry.participants]
            + [f"unit:{u.id}" for u in entry.participant_units])
    people = _colleagues()
    units = _units()
    leaders = queries.leaders_of(current_user.organisation_id)
    form.chair_id.choices = [("", _("— Chọn người chủ trì —"))] + [(u.id, _person_label(u)) for u in people]
    form.leader_ids.choices = [(u.id, _person_label(u)) for u in leaders]
    form.participants.choices = {
        **people_by_unit(people, _("Không thuộc đơn vị")),
        _("Đơn vị (cả đơn vị dự)"): [(f"unit:{u.id}", u.name) for u in units],
    }
    form.preparing_unit_id.choices = [("", _("— Không —"))] + [(u.id, u.name) for u in units]
    rooms = queries.rooms(current_user.organisation_id)
    if entry is not None and entry.room is not None and entry.room not in rooms:
        rooms = [*rooms, entry.room]  # a room taken out of use stays on the rows that name it
    form.room_id.choices = [("", _("— Địa điểm khác (ghi bên cạnh) —"))] + [
        (r.id, r.name + (f" ({r.place})" if r.place else "")) for r in rooms]
    return form


def _entry_input(form: EntryForm):
    people, units = form.chosen()
    return load_form(form, EntrySchema, participant_ids=people, unit_ids=units,
                     leader_ids=list(form.leader_ids.data or []))


def _editable_week(monday: date) -> None:
    """Only the office drafts (403), and only a week in draft (409: "Điều chỉnh lịch" first)."""
    if not access.can_edit(current_user):
        raise forbidden(_("Chỉ Văn phòng (văn thư, thư ký) soạn lịch tuần."))
    record = queries.week_record(current_user.organisation_id, monday)
    if record is not None:
        access.LIFECYCLE.check(current_user, record, "edit")


@bp.route("/week/<monday>/entries/new", methods=["GET", "POST"])
@login_required
def new_entry(monday: str):
    start = queries.monday_of(_monday(monday))
    _editable_week(start)
    wanted = _date(request.args.get("day"))
    day = wanted if wanted is not None and start <= wanted <= start + timedelta(days=6) else start
    form = _entry_form(day=day)
    status = 200
    if form.validate_on_submit() and (data := _entry_input(form)) is not None:
        try:
            record = ops.open_week(current_user, start)
            ops.add_entry(current_user, record, data)
        except DomainError as err:
            db.session.rollback()
            status = err.status
            show_error(form, err)
        else:
            flash(_("Đã thêm vào lịch tuần."), "success")
            if request.form.get("then") == "next":
                return redirect(url_for(".new_entry", monday=start.isoformat(), day=form.day.data.isoformat()))
            return redirect(url_for(".week", monday=start.isoformat(), layout="list"))
    elif request.method == "POST":
        status = 422
    return render_template("schedule/entry_form.html", form=form, entry=None, monday=start,
                           period=sheet_export.period_line(start)), status


def _entry(entry_id: int) -> ScheduleEntry:
    """An entry to change: the domain finds it ("not found" to whoever may not read it),
    then the lifecycle answers (only the office, only a week in draft)."""
    entry = ops.get_entry(current_user, entry_id)
    access.LIFECYCLE.check(current_user, entry.week, "edit")
    return entry


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int):
    entry = _entry(entry_id)
    monday = entry.week.monday
    form = _entry_form(entry)
    status = 200
    if form.validate_on_submit() and (data := _entry_input(form)) is not None:
        try:
            ops.update_entry(current_user, entry, data)
        except DomainError as err:
            db.session.rollback()
            entry = _entry(entry_id)
            status = err.status
            show_error(form, err)
        else:
            flash(_("Đã lưu mục lịch."), "success")
            return redirect(url_for(".week", monday=monday.isoformat(), layout="list"))
    elif request.method == "POST":
        status = 422
    return render_template("schedule/entry_form.html", form=form, entry=entry, monday=monday,
                           period=sheet_export.period_line(monday)), status


@bp.post("/entries/<int:entry_id>/delete")
@login_required
def delete_entry(entry_id: int):
    entry = _entry(entry_id)
    monday = entry.week.monday
    title = entry.title
    try:
        ops.delete_entry(current_user, entry)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "danger")
    else:
        flash(_("Đã bỏ “%(t)s” khỏi lịch tuần.", t=title[:80]), "success")
    return redirect(url_for(".week", monday=monday.isoformat(), layout="list"))


# --- my week, a room's week -------------------------------------------------------------------

def _by_day(monday: date, items) -> list[tuple[date, list]]:
    days: list[tuple[date, list]] = [(monday + timedelta(days=i), []) for i in range(7)]
    for item in items:
        days[(item.day - monday).days][1].append(item)
    return days


@bp.get("/mine")
@login_required
def mine():
    start = _week_arg()
    items = queries.entries_for(current_user, start)
    return render_template("schedule/mine.html", monday=start, days=_by_day(start, items),
                           count=len(items), period=sheet_export.period_line(start))


@bp.get("/rooms")
@login_required
def room_week():
    start = _week_arg()
    rooms = queries.rooms(current_user.organisation_id, active_only=False)
    raw = request.args.get("room", "")
    room = None
    if raw:
        room = ops.get_room(current_user, int(raw) if raw.isdecimal() and len(raw) < 10 else 0)
    elif rooms:
        room = next((r for r in rooms if r.active), rooms[0])
    items = queries.room_week(current_user, room, start) if room is not None else []
    clashes = queries.clashes(items) if items else []
    return render_template("schedule/room.html", monday=start, rooms=rooms, room=room,
                           days=_by_day(start, items), clashes=clashes,
                           clashing={k for c in clashes for k in c.keys},
                           may_manage=access.can_manage_rooms(current_user),
                           period=sheet_export.period_line(start))


@bp.route("/rooms/catalogue", methods=["GET", "POST"])
@login_required
def rooms_catalogue():
    """The administrator keeps the rooms (phòng họp, hội trường) the office picks from."""
    if not access.can_manage_rooms(current_user):
        raise forbidden(_("Chỉ quản trị hệ thống quản lý danh mục phòng."))
    form = RoomForm(prefix="room")
    status = 200
    if form.validate_on_submit() and (data := load_form(form, RoomSchema)) is not None:
        raw = form.room_id.data or ""
        try:
            if raw:
                room = ops.get_room(current_user, int(raw) if raw.isdecimal() and len(raw) < 10 else 0)
                ops.update_room(current_user, room, data)
                flash(_("Đã lưu phòng “%(n)s”.", n=room.name), "success")
            else:
                room = ops.create_room(current_user, data)
                flash(_("Đã thêm phòng “%(n)s”.", n=room.name), "success")
        except DomainError as err:
            db.session.rollback()
            if err.status == 404:
                raise
            status = err.status
            show_error(form, err)
        else:
            return redirect(url_for(".rooms_catalogue"))
    elif request.method == "POST":
        status = 422
    return render_template("schedule/rooms.html", form=form,
                           rooms=queries.rooms(current_user.organisation_id, active_only=False)), status


# --- print, DOCX, PDF -------------------------------------------------------------------------

def _sheet(monday: str) -> sheet_export.WeekSheet:
    start = queries.monday_of(_monday(monday))
    view = queries.week_of(current_user, start, version=_version_arg())
    if not view.visible:
        raise not_found(_("Lịch tuần này chưa được ban hành."))
    return sheet_export.build_sheet(view, current_user.organisation, vn_today())


@bp.get("/week/<monday>/print")
@login_required
def print_week(monday: str):
    sheet = _sheet(monday)
    return render_template("schedule/print.html", sheet=sheet, monday=sheet.monday,
                           organisation_lines=sheet_export.organisation_lines(sheet.organisation))


@bp.get("/week/<monday>/export.<any(docx, pdf):fmt>")
@login_required
def export(monday: str, fmt: str):
    return sheet_export.send_sheet(_sheet(monday), fmt)


# --- the big screen ----------------------------------------------------------------------------

def _screen(reader: User, content_url: str, *, fragment: bool):
    """This week as published (never a draft on the hall's TV), with what ``reader`` may
    see: the working days, and a weekend day that has something or is today."""
    today = vn_today()
    start = queries.monday_of(today)
    view = queries.week_of(reader, start, published_only=True)
    days = view.days() if view.visible else _by_day(start, [])
    shown = [(day, items) for day, items in days if items or day.weekday() < 5 or day == today]
    context = dict(monday=start, shown=shown, published=view.visible, now=to_vn(utcnow()),
                   organisation=reader.organisation, period=sheet_export.period_line(start),
                   content_url=content_url, refresh=SCREEN_REFRESH_SECONDS)
    template = "schedule/_screen_content.html" if fragment else "schedule/screen.html"
    response = Response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/screen")
@login_required
def screen():
    return _screen(current_user, url_for(".screen_content"), fragment=False)


@bp.get("/screen/content")
@login_required
def screen_content():
    return _screen(current_user, url_for(".screen_content"), fragment=True)


def _screen_link(token: str):
    link = links.resolve(token, Kind.SCREEN)
    if link is None:
        abort(404)
    links.touch(link)
    return link


@bp.get("/screen/<token>")
def public_screen(token: str):
    link = _screen_link(token)
    return _screen(link.user, url_for(".public_screen_content", token=token), fragment=False)


@bp.get("/screen/<token>/content")
def public_screen_content(token: str):
    link = _screen_link(token)
    return _screen(link.user, url_for(".public_screen_content", token=token), fragment=True)


# --- links: my calendar feed, the hall's screens -----------------------------------------------

@bp.route("/links", methods=["GET", "POST"])
@login_required
def links_page():
    form = LinkForm(prefix="link")
    status, made = 200, None
    if form.validate_on_submit():
        kind = Kind.SCREEN if form.kind.data == Kind.SCREEN.value else Kind.FEED
        try:
            link, clear = links.create_link(current_user, kind, form.name.data or "")
        except DomainError as err:
            db.session.rollback()
            status = err.status
            show_error(form, err)
        else:
            endpoint = ".feed" if kind is Kind.FEED else ".public_screen"
            made = (link, url_for(endpoint, token=clear, _external=True))
            form = LinkForm(prefix="link", formdata=None)
    elif request.method == "POST":
        status = 422
    may_screens = links.may_create(current_user, Kind.SCREEN)
    return render_template(
        "schedule/links.html", form=form, made=made, feeds=links.links_of(current_user, Kind.FEED),
        screens=links.screens_of(current_user) if may_screens else [], may_screens=may_screens,
    ), status


@bp.post("/links/<int:link_id>/revoke")
@login_required
def revoke_link(link_id: int):
    link = links.revoke_link(current_user, link_id)
    flash(_("Đã thu hồi đường dẫn “%(n)s”: nó không còn mở được lịch.", n=link.name), "success")
    return redirect(url_for(".links_page"))


@bp.get("/feed/<token>.ics")
def feed(token: str):
    link = links.resolve(token, Kind.FEED)
    if link is None:
        abort(404)
    person = link.user
    events = feed_ical.events_for(person, vn_today())
    numbers, state = feed_ical.sequences(events, link.state or {})
    if state != (link.state or {}):
        link.state = state
    links.touch(link)
    name = _("Lịch công tác — %(n)s", n=person.full_name)
    response = Response(feed_ical.to_ical(name, events, numbers), mimetype="text/calendar")
    response.headers["Content-Type"] = feed_ical.ICAL_MIME
    response.headers["Content-Disposition"] = 'inline; filename="lich-cong-tac.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
