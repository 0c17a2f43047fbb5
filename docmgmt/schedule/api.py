"""API door for the weekly work schedule (lịch công tác tuần), under /api/v1/schedule.

A week is named by a date in it (``YYYY-MM-DD``, usually its Monday), always in the
caller's own commune. Each view parses its input, calls one operation or query and
serialises the result; the operations decide permissions, states and every refusal (stable
``code``, Vietnamese ``message``, ``field``).
"""

from __future__ import annotations

from datetime import date

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from ..api.blueprint import api_blueprint
from ..core.errors import not_found
from . import operations as ops
from . import queries
from .access import VIEW, available_actions
from .models import ScheduleWeek
from .schemas import (
    EntryOutSchema,
    EntrySchema,
    RoomOutSchema,
    RoomSchema,
    ScheduleVersionSchema,
    WeekQuerySchema,
    WeekReturnSchema,
    WeeksQuerySchema,
    WeekSummarySchema,
    WeekViewSchema,
)

bp = api_blueprint(
    "schedule", __name__,
    "Weekly work schedule (lịch công tác tuần): weeks as each person reads them (the rows the "
    "office typed and the meetings of the week), entries, submit / return / publish / revise, "
    "the versions published, clashes, and the room catalogue.",
)


def _monday(text: str) -> date:
    try:
        return queries.monday_of(date.fromisoformat(text))
    except ValueError:
        raise not_found(_("Ngày không hợp lệ (dạng năm-tháng-ngày).")) from None


def _week_body(view: queries.WeekView) -> dict:
    return {
        "monday": view.monday, "sunday": view.sunday, "number": view.number, "visible": view.visible,
        "is_draft": view.is_draft, "version": view.version,
        "status": view.status.value if view.status is not None else None,
        "latest_version": view.latest_version,
        "return_note": view.week.return_note if view.week is not None and view.is_draft else "",
        "items": view.items, "removed": view.removed, "clashes": view.clashes,
        "leaders": [{"id": u.id, "name": u.full_name} for u in queries.leaders_of(view.organisation_id)],
        "actions": sorted(available_actions(current_user, view.week)),
    }


def _view(monday: date, version: int | None = None) -> dict:
    return _week_body(queries.week_of(current_user, monday, version))


def _week(monday: date) -> ScheduleWeek:
    """The week's record, for an act on it: one nobody opened yet is "not found"."""
    week = queries.week_record(current_user.organisation_id, monday)
    if week is None or not VIEW.allows(current_user, week):
        raise not_found(_("Lịch tuần này chưa được lập."))
    return week


def _item(entry) -> queries.Item:
    return queries.entry_item(entry)


@bp.route("/schedule/weeks")
class Weeks(MethodView):
    @bp.arguments(WeeksQuerySchema, location="query")
    @bp.response(200, WeekSummarySchema(many=True))
    def get(self, args):
        """The weeks I may open, latest first (a draft only for the office and the leaders)."""
        return queries.weeks_for(current_user, args["limit"])


@bp.route("/schedule/weeks/<string:monday>")
class Week(MethodView):
    @bp.arguments(WeekQuerySchema, location="query")
    @bp.response(200, WeekViewSchema)
    def get(self, args, monday):
        """The week as I read it: rows by day and time, clashes, the grid's leaders, my
        ``actions``. ``visible=false``: nothing of this week I may read yet."""
        return _view(_monday(monday), args["version"])


@bp.route("/schedule/weeks/<string:monday>/entries")
class Entries(MethodView):
    @bp.arguments(EntrySchema)
    @bp.response(201, EntryOutSchema)
    @bp.alt_response(409, description="invalid_state: the week is not being drafted")
    @bp.alt_response(422, description="required, day_outside_week, end_before_start, invalid_room, "
                     "room_inactive, invalid_person, invalid_unit, not_a_leader")
    def post(self, data, monday):
        """Add a row (the office); the week is opened as a draft if nobody has yet."""
        week = ops.open_week(current_user, _monday(monday))
        return _item(ops.add_entry(current_user, week, data))


@bp.route("/schedule/entries/<int:entry_id>")
class EntryItem(MethodView):
    @bp.response(200, EntryOutSchema)
    def get(self, entry_id):
        """One row the office typed (of a week I may read in that state)."""
        return _item(ops.get_entry(current_user, entry_id))

    @bp.arguments(EntrySchema)
    @bp.response(200, EntryOutSchema)
    @bp.alt_response(409, description="invalid_state: the week is not being drafted")
    def put(self, data, entry_id):
        """Replace the row (the office, while the week is a draft): send every field to keep."""
        entry = ops.get_entry(current_user, entry_id)
        return _item(ops.update_entry(current_user, entry, data))

    @bp.response(204)
    @bp.alt_response(409, description="invalid_state: the week is not being drafted")
    def delete(self, entry_id):
        """Remove the row (the office, while the week is a draft)."""
        ops.delete_entry(current_user, ops.get_entry(current_user, entry_id))
        return None


def _act(monday: str, action: str, note: str = "") -> dict:
    week = _week(_monday(monday))
    ops.transition(current_user, week, action, note)
    return _view(week.monday)


@bp.route("/schedule/weeks/<string:monday>/submit")
class Submit(MethodView):
    @bp.response(200, WeekViewSchema)
    @bp.alt_response(409, description="invalid_state")
    def post(self, monday):
        """Trình duyệt: the office puts the draft before the leaders."""
        return _act(monday, "submit")


@bp.route("/schedule/weeks/<string:monday>/return")
class Return(MethodView):
    @bp.arguments(WeekReturnSchema)
    @bp.response(200, WeekViewSchema)
    @bp.alt_response(409, description="invalid_state")
    def post(self, data, monday):
        """Trả lại: a leader sends the submitted week back to the office, saying why."""
        return _act(monday, "return", data["note"])


@bp.route("/schedule/weeks/<string:monday>/publish")
class Publish(MethodView):
    @bp.response(200, WeekViewSchema)
    @bp.alt_response(409, description="invalid_state")
    def post(self, monday):
        """Ban hành: a leader publishes the submitted week as its next version; rows added
        or changed since the version before are marked, the people concerned notified."""
        return _act(monday, "publish")


@bp.route("/schedule/weeks/<string:monday>/revise")
class Revise(MethodView):
    @bp.response(200, WeekViewSchema)
    @bp.alt_response(409, description="invalid_state")
    def post(self, monday):
        """Điều chỉnh: the office reopens a published week to change it (the others keep
        reading the published version until the next one)."""
        return _act(monday, "revise")


@bp.route("/schedule/weeks/<string:monday>/versions")
class Versions(MethodView):
    @bp.response(200, ScheduleVersionSchema(many=True))
    def get(self, monday):
        """The versions published, newest first (read one with ``?version=`` on the week)."""
        week = queries.week_record(current_user.organisation_id, _monday(monday))
        return [{
            "number": v.number, "published_at": v.published_at,
            "published_by": v.published_by.full_name if v.published_by is not None else None,
            "added": len((v.changes or {}).get("added", [])), "changed": len((v.changes or {}).get("changed", [])),
            "removed": len((v.changes or {}).get("removed", [])),
        } for v in queries.published_versions(current_user, week)]


@bp.route("/schedule/rooms")
class Rooms(MethodView):
    @bp.response(200, RoomOutSchema(many=True))
    def get(self):
        """The room catalogue (rooms in use)."""
        return queries.rooms(current_user.organisation_id)

    @bp.arguments(RoomSchema)
    @bp.response(201, RoomOutSchema)
    @bp.alt_response(409, description="duplicate_room: a room of that name exists")
    def post(self, data):
        """Add a room to the catalogue (the administrator)."""
        return ops.create_room(current_user, data)


@bp.route("/schedule/rooms/<int:room_id>")
class RoomItem(MethodView):
    @bp.arguments(RoomSchema)
    @bp.response(200, RoomOutSchema)
    @bp.alt_response(409, description="duplicate_room: a room of that name exists")
    def put(self, data, room_id):
        """Change a room, or take it out of use (``active=false``) (the administrator)."""
        return ops.update_room(current_user, ops.get_room(current_user, room_id), data)
