"""Meeting pages: my meetings, calendar, scheduling, agenda, RSVP, the live room and the
big-screen view.

Each handler loads the meeting the user may see, lets one operation check and act, and
renders. A refusal rolls the request back and shows the page as it was, with the
operation's message next to the field it concerns (or on top of the page).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from docmgmt.core.access import scoped
from docmgmt.core.errors import DomainError, ValidationFailed, forbidden
from docmgmt.core.forms import load_form, people_by_unit, show_error
from docmgmt.core.permissions import Permission
from docmgmt.core.text import person_sort_key, sorted_people
from docmgmt.core.timeutil import to_vn, vn_today
from docmgmt.extensions import db
from docmgmt.incoming import operations as incoming_ops
from docmgmt.org.models import User
from docmgmt.outgoing import operations as outgoing_ops

from . import access, consultations
from . import documents as docs
from . import home as _home  # noqa: F401 - registers the home-page panel
from . import operations as ops
from .forms import AttachForm, ItemForm, MeetingForm, PaperForm, RsvpForm, TaskForm
from .models import AgendaItem, Meeting
from .room_strings import room_strings
from .schemas import AgendaItemSchema, MeetingSchema, RsvpSchema, TaskSchema
from .sockets import NAMESPACE
from .workflow import EDITABLE, OUTCOME_LABELS, TRANSITIONS, Status

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

STATUS_STYLES = {
    Status.DRAFT: "text-bg-secondary",
    Status.INVITED: "text-bg-info",
    Status.LIVE: "text-bg-danger",
    Status.ENDED: "text-bg-success",
    Status.CANCELLED: "text-bg-dark",
}
# Lifecycle buttons, in the order they are offered: label, icon, button style.
ACTIONS = {
    "invite": (_l("Gửi giấy mời"), "envelope-paper", "btn-primary"),
    "start": (_l("Bắt đầu họp"), "play-circle", "btn-success"),
    "end": (_l("Kết thúc"), "stop-circle", "btn-warning"),
    "cancel": (_l("Hủy cuộc họp"), "x-circle", "btn-outline-danger"),
}
# Not a one-click button: recording a meeting held on paper asks what happened (PaperForm).
ON_PAPER = "record_on_paper"
DONE = {
    "invite": _l("Đã gửi giấy mời đến người dự họp."),
    "start": _l("Cuộc họp đã bắt đầu."),
    "end": _l("Cuộc họp đã kết thúc."),
    "cancel": _l("Đã hủy cuộc họp và báo cho người được mời."),
}
RSVP_LABELS = {
    "pending": _l("Chưa trả lời"),
    "attend": _l("Tham dự"),
    "absent": _l("Vắng mặt"),
    "delegate": _l("Cử người dự thay"),
}
ROLE_LABELS = {"member": _l("Thành viên"), "guest": _l("Khách mời")}
DAY_NAMES = (_l("T2"), _l("T3"), _l("T4"), _l("T5"), _l("T6"), _l("T7"), _l("CN"))
# The operation names the time it was given; the form asks for it in two fields.
MEETING_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


def _hhmm(value: datetime | None) -> str:
    return to_vn(value).strftime("%H:%M") if value else ""


def _when(m: Meeting) -> str:
    """"08:00–10:00, 15/11/2026" in Vietnam time."""
    start = to_vn(m.starts_at)
    span = start.strftime("%H:%M") + (f"–{_hhmm(m.ends_at)}" if m.ends_at else "")
    return f"{span}, {start.strftime('%d/%m/%Y')}"


@bp.context_processor
def _helpers():
    return {
        "status_label": lambda s: Status(s).label,
        "status_style": lambda s: STATUS_STYLES[Status(s)],
        "rsvp_label": lambda r: str(RSVP_LABELS.get(r, r)),
        "role_label": lambda r: str(ROLE_LABELS.get(r, r)),
        "hhmm": _hhmm,
        "meeting_when": _when,
        "today": vn_today(),
        # The chair first, then everyone in Vietnamese list order.
        "in_list_order": lambda ps: sorted(ps, key=lambda p: (p.user_id != p.meeting.chair_id,
                                                              person_sort_key(p.user.full_name))),
    }


def _colleagues() -> list[User]:
    return sorted_people(db.session.scalars(scoped(User, current_user).where(User.active.is_(True))))


def _person_label(u: User) -> str:
    return u.full_name + (f" — {u.position.name}" if u.position else "")


def _refuse(form, err: DomainError, fields: dict[str, str] | None = None) -> None:
    """Show the refusal next to the field the operation names (under its name on the form)."""
    if err.field and fields and err.field in fields:
        err.field = fields[err.field]
    show_error(form, err)


# --- my meetings and the calendar -----------------------------------------------------------

@bp.get("/")
@login_required
def index():
    upcoming = ops.my_meetings(current_user, upcoming=True)
    upcoming.sort(key=lambda m: (m.status != Status.LIVE.value, m.starts_at))
    past = ops.my_meetings(current_user, upcoming=False, limit=20)
    return render_template("meetings/index.html", upcoming=upcoming, past=past,
                           may_create=ops.can_schedule(current_user),
                           consultations=consultations.awaiting_answer(current_user))


def _calendar_args() -> tuple[str, date, bool]:
    view = request.args.get("view", "month")
    if view not in ("month", "week"):
        raise ValidationFailed("invalid_view", _("Cách xem lịch không hợp lệ: chọn xem theo tháng hoặc theo tuần."),
                               "view", status=400)
    raw = request.args.get("date", "")
    if raw:
        try:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            day = None
        if day is None or not 2000 <= day.year <= 2100:
            raise ValidationFailed("invalid_date",
                                   _("Ngày không hợp lệ: dùng dạng năm-tháng-ngày, ví dụ 2026-09-30."),
                                   "date", status=400)
    else:
        day = vn_today()
    return view, day, request.args.get("mine") == "1"


@bp.get("/calendar")
@login_required
def calendar() -> str:
    view, day, mine = _calendar_args()
    if view == "month":
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=7 - last.weekday())
        prev_day, next_day = (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
        title = _("Tháng %(m)s/%(y)s", m=f"{first.month:02d}", y=first.year)
    else:
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
        first = start
        prev_day, next_day = start - timedelta(days=7), end
        title = _("Tuần %(a)s – %(b)s", a=start.strftime("%d/%m"), b=(end - timedelta(days=1)).strftime("%d/%m/%Y"))
    by_day: dict[date, list[Meeting]] = {}
    for m in ops.meetings_between(current_user, start, end, mine):
        by_day.setdefault(to_vn(m.starts_at).date(), []).append(m)
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    return render_template(
        "meetings/calendar.html", view=view, day=day, first=first, weeks=weeks, by_day=by_day,
        mine=mine, title=title, prev_day=prev_day, next_day=next_day, day_names=DAY_NAMES,
        sees_all=current_user.can(Permission.MANAGE_MEETINGS), may_create=ops.can_schedule(current_user),
    )


# --- scheduling -----------------------------------------------------------------------------

def _meeting_form(m: Meeting | None = None) -> MeetingForm:
    people = _colleagues()
    if request.method == "POST":
        form = MeetingForm()
    elif m is None:
        wanted = request.args.get("date", "")
        try:
            day = datetime.strptime(wanted, "%Y-%m-%d").date() if wanted else vn_today()
        except ValueError:
            day = vn_today()
        form = MeetingForm(formdata=None, day=day, start_time=time(8, 0), end_time=time(10, 0),
                           chair_id=current_user.id if current_user.can(Permission.CHAIR_MEETINGS) else None,
                           secretary_id=current_user.id)
    else:
        own = [p for p in m.participants if p.delegate_for_id is None]
        form = MeetingForm(
            formdata=None, obj=m, day=to_vn(m.starts_at).date(), start_time=to_vn(m.starts_at).time(),
            end_time=to_vn(m.ends_at).time() if m.ends_at else None,
            members=[p.user_id for p in own if p.role == "member"],
            guests=[p.user_id for p in own if p.role == "guest"],
        )
    choices = [(u.id, _person_label(u)) for u in people]
    form.chair_id.choices = [("", _("— Chọn người chủ trì —"))] + choices
    form.secretary_id.choices = [("", _("— Chọn thư ký —"))] + choices
    grouped = people_by_unit(people, _("Không thuộc đơn vị"), value=lambda u: u.id, label=_person_label)
    form.members.choices = grouped
    form.guests.choices = grouped
    return form


def _meeting_input(form: MeetingForm) -> ops.MeetingInput | None:
    """The form through the meeting schema; the day and times become naive local
    datetimes, which the operation reads as Asia/Ho_Chi_Minh."""
    day = form.day.data
    return load_form(
        form, MeetingSchema, fields=MEETING_FIELDS,
        starts_at=datetime.combine(day, form.start_time.data),
        ends_at=datetime.combine(day, form.end_time.data) if form.end_time.data else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not ops.can_schedule(current_user):
        raise forbidden(_("Bạn không có quyền tạo cuộc họp."))
    form = _meeting_form()
    status = 200
    if form.validate_on_submit() and (data := _meeting_input(form)) is not None:
        try:
            m = ops.create_meeting(current_user, data)
        except DomainError as err:
            status = err.status
            _refuse(form, err, MEETING_FIELDS)
        else:
            flash(_("Đã tạo cuộc họp. Hãy lập chương trình rồi gửi giấy mời."), "success")
            return redirect(url_for(".show", meeting_id=m.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/form.html", form=form, meeting=None), status


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    m = ops.get_visible(current_user, meeting_id)
    if not ops.can_manage(current_user, m):
        raise forbidden()
    form = _meeting_form(m)
    status = 200
    if form.validate_on_submit() and (data := _meeting_input(form)) is not None:
        try:
            ops.update_meeting(current_user, m, data)
        except DomainError as err:
            db.session.rollback()
            m = ops.get_visible(current_user, meeting_id)
            status = err.status
            _refuse(form, err, MEETING_FIELDS)
        else:
            flash(_("Đã lưu cuộc họp."), "success")
            return redirect(url_for(".show", meeting_id=m.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/form.html", form=form, meeting=m), status


# --- the meeting page -----------------------------------------------------------------------

def _transitions(m: Meeting) -> list[tuple[str, object, str, str]]:
    allowed = access.available_actions(current_user, m)
    return [(action, *ACTIONS[action]) for action in TRANSITIONS if action in allowed and action in ACTIONS]


def _presenter_choices(m: Meeting) -> list[tuple]:
    return [("", _("— Chưa chọn —"))] + [(u.id, u.full_name) for u in sorted_people(p.user for p in m.participants)]


def _item_form(m: Meeting, item: AgendaItem | None) -> ItemForm:
    if item is None:
        form = ItemForm(prefix="item", formdata=None)
    else:
        form = ItemForm(prefix=f"item{item.id}", formdata=None, title=item.title,
                        presenter_id=item.presenter_id, duration_minutes=item.duration_minutes)
    form.presenter_id.choices = _presenter_choices(m)
    return form


def _document_choices() -> tuple[list, list]:
    """Documents the user may read, to put on the agenda (the operation refuses confidential ones)."""
    def incoming_label(d):
        if d.is_confidential:
            return _("Số đến %(n)s — %(s)s (Mật)", n=d.arrival_label, s=d.sender_name)
        if not d.in_register:  # the commune's own: no số đến
            return f"{d.arrival_label} — {d.number_symbol + ' ' if d.number_symbol else ''}{d.subject[:120]}"
        return _("Số đến %(n)s — %(s)s", n=d.arrival_label, s=(d.number_symbol + " " if d.number_symbol else "")
                 + d.subject[:120])

    def outgoing_label(d):
        label = f"{d.number_symbol or _('Dự thảo')} — {d.subject[:120]}"
        return label + (" " + _("(Mật)") if d.is_confidential else "")

    ins = [("", _("— Chọn văn bản đến —"))] + [
        (d.id, incoming_label(d)) for d in incoming_ops.list_documents(current_user, limit=100)]
    outs = [("", _("— Chọn văn bản đi —"))] + [
        (d.id, outgoing_label(d)) for d in outgoing_ops.list_documents(current_user, limit=100)]
    return ins, outs


def _assignee_choices() -> dict:
    people, units = incoming_ops.assignable(current_user)
    return {
        "": [("", _("— Chọn người hoặc đơn vị —"))],
        _("Người"): [(f"u:{u.id}", u.full_name + (f" ({u.unit.abbreviation})" if u.unit else "")) for u in people],
        _("Đơn vị"): [(f"unit:{u.id}", u.name) for u in units],
    }


def _render_show(m: Meeting, status: int = 200, failed: tuple[str, FlaskForm] | None = None):
    """The meeting page with every form the user may use; ``failed`` is the (key, form)
    of a refused submission, shown again with its errors."""
    me = m.participant(current_user)
    manages = ops.can_manage(current_user, m)
    editable = manages and m.status_enum in EDITABLE
    ended = m.status_enum is Status.ENDED

    def keep(key, fresh):
        return failed[1] if failed and failed[0] == key else fresh

    rsvp_form = None
    if me is not None and m.status_enum in (Status.INVITED, Status.LIVE):
        rsvp_form = keep("rsvp", RsvpForm(prefix="rsvp", formdata=None, answer=me.rsvp if me.rsvp != "pending"
                                          else None, reason=me.rsvp_reason, delegate_id=me.delegate_id))
        taken = {p.user_id for p in m.participants} - {me.delegate_id}
        rsvp_form.delegate_id.choices = [("", _("— Chọn người dự thay —"))] + [
            (u.id, _person_label(u)) for u in _colleagues() if u.id not in taken]

    item_forms, attach_forms, task_forms = {}, {}, {}
    new_item_form = None
    if editable:
        new_item_form = keep("item", _item_form(m, None))
        ins, outs = _document_choices()
        for item in m.items:
            item_forms[item.id] = keep(f"item{item.id}", _item_form(m, item))
            form = keep(f"attach{item.id}", AttachForm(prefix=f"attach{item.id}", formdata=None))
            form.incoming_id.choices, form.outgoing_id.choices = ins, outs
            attach_forms[item.id] = form
    tasks = []
    if ended or m.status_enum is Status.LIVE:
        tasks = docs.tasks_of(m)
    if ended and manages:
        assignees = _assignee_choices()
        for item in m.items:
            if item.conclusion:
                form = keep(f"task{item.id}", TaskForm(prefix=f"task{item.id}", formdata=None))
                form.assignee.choices = assignees
                task_forms[item.id] = form
    paper_form = None
    if ON_PAPER in access.available_actions(current_user, m):
        paper_form = keep("paper", PaperForm(prefix="paper", formdata=None))
    shown = ({"rsvp"} if rsvp_form else set()) | ({"item"} if new_item_form else set()) | {
        f"item{i}" for i in item_forms} | {f"attach{i}" for i in attach_forms} | {f"task{i}" for i in task_forms}
    shown |= {"paper"} if paper_form else set()
    if failed and failed[0] not in shown:
        # The form is no longer offered (or never was): say why on top of the page.
        for errors in failed[1].errors.values():
            for message in errors:
                flash(message, "danger")
    tasks_by_item: dict[int, list] = {}
    for t in tasks:
        tasks_by_item.setdefault(t.item_id, []).append(t)
    return render_template(
        "meetings/show.html", meeting=m, me=me, manages=manages, editable=editable, ended=ended,
        transitions=_transitions(m), paper_form=paper_form, rsvp_form=rsvp_form, new_item_form=new_item_form,
        item_forms=item_forms, attach_forms=attach_forms, task_forms=task_forms,
        tasks_by_item=tasks_by_item, open_form=failed[0] if failed else None,
        may_edit=manages and m.status_enum in (Status.DRAFT, Status.INVITED),
        vote_result=lambda v: ops.vote_result(v, OUTCOME_LABELS),
    ), status


@bp.get("/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    return _render_show(ops.get_visible(current_user, meeting_id))


def _refused(meeting_id: int, err: DomainError, key: str | None = None, form=None,
             fields: dict[str, str] | None = None):
    """Roll back what the refused operation may have begun, show the page as it is."""
    db.session.rollback()
    m = ops.get_visible(current_user, meeting_id)
    if form is None:
        flash(err.message, "danger")
        return _render_show(m, err.status)
    _refuse(form, err, fields)
    assert key is not None  # a refused form always comes with its key
    return _render_show(m, err.status, (key, form))


def _item_of(m: Meeting, item_id: int) -> AgendaItem:
    item = m.item(item_id)
    if item is None:
        abort(404)
    return item


@bp.post("/<int:meeting_id>/<any(invite, start, end, cancel):action>")
@login_required
def change_status(meeting_id: int, action: str):
    m = ops.get_visible(current_user, meeting_id)
    try:
        ops.transition(current_user, m, action)
    except DomainError as err:
        return _refused(meeting_id, err)
    flash(str(DONE[action]), "success")
    if action == "start":
        return redirect(url_for(".room", meeting_id=meeting_id))
    return redirect(url_for(".show", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/record-on-paper")
@login_required
def record_on_paper(meeting_id: int):
    m = ops.get_visible(current_user, meeting_id)
    form = PaperForm(prefix="paper")
    if not form.validate_on_submit():
        return _render_show(m, 422, ("paper", form))
    try:
        ops.record_on_paper(current_user, m, form.note.data or "")
    except DomainError as err:
        return _refused(meeting_id, err, "paper", form)
    flash(_("Đã ghi nhận cuộc họp diễn ra trên giấy."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/rsvp")
@login_required
def rsvp(meeting_id: int):
    m = ops.get_visible(current_user, meeting_id)
    form = RsvpForm(prefix="rsvp")
    if not form.validate_on_submit() or (data := load_form(form, RsvpSchema)) is None:
        return _render_show(m, 422, ("rsvp", form))
    try:
        ops.rsvp(current_user, m, data["answer"], data["reason"],
                 data["delegate_id"] if data["answer"] == "delegate" else None)
    except DomainError as err:
        return _refused(meeting_id, err, "rsvp", form)
    flash(_("Đã ghi câu trả lời giấy mời."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id))


# --- the agenda ------------------------------------------------------------------------------

@bp.post("/<int:meeting_id>/items")
@login_required
def add_item(meeting_id: int):
    m = ops.get_visible(current_user, meeting_id)
    form = ItemForm(prefix="item")
    form.presenter_id.choices = _presenter_choices(m)
    if not form.validate_on_submit() or (data := load_form(form, AgendaItemSchema)) is None:
        return _render_show(m, 422, ("item", form))
    try:
        ops.add_item(current_user, m, data["title"], data["presenter_id"], data["duration_minutes"])
    except DomainError as err:
        return _refused(meeting_id, err, "item", form)
    flash(_("Đã thêm mục vào chương trình họp."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id, _anchor="agenda"))


@bp.post("/<int:meeting_id>/items/<int:item_id>")
@login_required
def update_item(meeting_id: int, item_id: int):
    m = ops.get_visible(current_user, meeting_id)
    item = _item_of(m, item_id)
    key = f"item{item_id}"
    form = ItemForm(prefix=key)
    form.presenter_id.choices = _presenter_choices(m)
    if not form.validate_on_submit() or (data := load_form(form, AgendaItemSchema)) is None:
        return _render_show(m, 422, (key, form))
    try:
        ops.update_item(current_user, item, data["title"], data["presenter_id"],
                        data["duration_minutes"])
    except DomainError as err:
        return _refused(meeting_id, err, key, form)
    flash(_("Đã sửa mục chương trình."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id, _anchor=f"item-{item_id}"))


@bp.post("/<int:meeting_id>/items/<int:item_id>/remove")
@login_required
def remove_item(meeting_id: int, item_id: int):
    m = ops.get_visible(current_user, meeting_id)
    try:
        ops.remove_item(current_user, _item_of(m, item_id))
    except DomainError as err:
        return _refused(meeting_id, err)
    flash(_("Đã xóa mục khỏi chương trình."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id, _anchor="agenda"))


@bp.post("/<int:meeting_id>/items/<int:item_id>/<any(up, down):direction>")
@login_required
def move_item(meeting_id: int, item_id: int, direction: str):
    m = ops.get_visible(current_user, meeting_id)
    try:
        ops.reorder_item(current_user, _item_of(m, item_id), -1 if direction == "up" else 1)
    except DomainError as err:
        return _refused(meeting_id, err)
    return redirect(url_for(".show", meeting_id=meeting_id, _anchor=f"item-{item_id}"))


@bp.post("/<int:meeting_id>/items/<int:item_id>/documents")
@login_required
def attach(meeting_id: int, item_id: int):
    m = ops.get_visible(current_user, meeting_id)
    item = _item_of(m, item_id)
    key = f"attach{item_id}"
    form = AttachForm(prefix=key)
    form.incoming_id.choices, form.outgoing_id.choices = [], []
    source = form.source.data
    if source not in ("incoming", "outgoing", "upload") or not form.validate_on_submit():
        return _render_show(m, 422, (key, form))
    fields = {"document": {"incoming": "incoming_id", "outgoing": "outgoing_id", "upload": "file"}[source]}
    try:
        if source == "incoming":
            ops.attach_document(current_user, item, incoming_id=form.incoming_id.data)
        elif source == "outgoing":
            ops.attach_document(current_user, item, outgoing_id=form.outgoing_id.data)
        else:
            upload = form.file.data
            ops.attach_document(current_user, item, upload=(upload.stream, upload.filename)
                                if upload and getattr(upload, "filename", "") else None)
    except DomainError as err:
        return _refused(meeting_id, err, key, form, fields)
    flash(_("Đã đính kèm tài liệu vào mục chương trình."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id, _anchor=f"item-{item_id}"))


@bp.post("/<int:meeting_id>/documents/<int:document_id>/remove")
@login_required
def remove_document(meeting_id: int, document_id: int):
    m = ops.get_visible(current_user, meeting_id)
    doc = next((d for i in m.items for d in i.documents if d.id == document_id), None)
    if doc is None:
        abort(404)
    try:
        ops.remove_document(current_user, doc)
    except DomainError as err:
        return _refused(meeting_id, err)
    flash(_("Đã gỡ tài liệu khỏi mục chương trình."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id, _anchor="agenda"))


# --- Giấy mời, biên bản, tasks ---------------------------------------------------------------

def _docx(content: bytes, kind: str, m: Meeting):
    """A DOCX download under a Vietnamese name (send_file writes the RFC 6266 filename*)."""
    title = re.sub(r'[\\/:*?"<>|\r\n\t]+', " ", m.title).strip()[:80] or str(m.id)
    response = send_file(io.BytesIO(content), mimetype=DOCX_MIME, as_attachment=True,
                         download_name=f"{kind} - {title}.docx", max_age=0)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.get("/<int:meeting_id>/invitation.docx")
@login_required
def invitation_docx(meeting_id: int):
    m = ops.get_visible(current_user, meeting_id)
    return _docx(docs.invitation_docx(m), _("Giấy mời"), m)


@bp.post("/<int:meeting_id>/invitation")
@login_required
def invitation_draft(meeting_id: int):
    return _to_outgoing(meeting_id, docs.create_invitation_draft,
                        _("Đã tạo dự thảo Giấy mời: hãy kiểm tra rồi trình ký."))


@bp.get("/<int:meeting_id>/minutes.docx")
@login_required
def minutes_docx(meeting_id: int):
    m = ops.get_visible(current_user, meeting_id)
    return _docx(docs.minutes_docx(m), _("Biên bản"), m)


@bp.post("/<int:meeting_id>/minutes")
@login_required
def minutes_draft(meeting_id: int):
    return _to_outgoing(meeting_id, docs.create_minutes_draft, _("Đã chuyển biên bản vào luồng trình ký."))


def _to_outgoing(meeting_id: int, create, done: str):
    """Hand a document the meeting produced to the outgoing flow, then show the draft."""
    m = ops.get_visible(current_user, meeting_id)
    try:
        doc = create(current_user, m)
    except DomainError as err:
        return _refused(meeting_id, err)
    flash(done, "success")
    return redirect(url_for("outgoing.show", document_id=doc.id))


@bp.post("/<int:meeting_id>/items/<int:item_id>/tasks")
@login_required
def add_task(meeting_id: int, item_id: int):
    m = ops.get_visible(current_user, meeting_id)
    item = _item_of(m, item_id)
    key = f"task{item_id}"
    form = TaskForm(prefix=key)
    form.assignee.choices = []
    if not form.validate_on_submit() or (data := load_form(form, TaskSchema)) is None:
        return _render_show(m, 422, (key, form))
    try:
        docs.create_task(current_user, item, data["assignee"], data["deadline"], data["text"])
    except DomainError as err:
        return _refused(meeting_id, err, key, form, {"item_id": "text"})
    flash(_("Đã giao việc từ kết luận."), "success")
    return redirect(url_for(".show", meeting_id=meeting_id, _anchor=f"item-{item_id}"))


# --- the live room ---------------------------------------------------------------------------

@bp.get("/<int:meeting_id>/room")
@login_required
def room(meeting_id: int):
    """The live room: everything on it arrives over Socket.IO."""
    meeting = ops.get_for_room(current_user, meeting_id)
    return render_template("meetings/room.html", meeting=meeting, namespace=NAMESPACE,
                           strings=room_strings())


@bp.get("/<int:meeting_id>/screen")
@login_required
def screen(meeting_id: int):
    """The big-screen view for the room's TV: read-only, large type."""
    meeting = ops.get_for_room(current_user, meeting_id)
    return render_template("meetings/screen.html", meeting=meeting, namespace=NAMESPACE,
                           strings=room_strings())
