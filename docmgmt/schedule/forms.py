"""Forms of the weekly schedule's pages: labels, choices, widgets, dd/mm/yyyy dates and times.

Fields and limits live in ``schemas`` (each form names its command's schema); the pages
load what a form parsed through it (``core.forms.load_form``) and the operations decide.
The people and units attending are chosen in one picker (``u:<id>`` and ``unit:<id>``,
like the direction form's), split into the schema's ``participant_ids`` and ``unit_ids``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Optional

from ..core.forms import SchemaForm, VnDateField, optional_int
from ..core.text import clean
from .schemas import EntrySchema, ReturnSchema, RoomSchema

TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M", "%H.%M", "%Hh"]
BAD_TIME = _l("Giờ không hợp lệ (nhập dạng giờ:phút, ví dụ 08:00).")


class EntryForm(SchemaForm):
    """A row of the week: when, where, what, who chairs, who attends, who prepares."""

    schema = EntrySchema

    day = VnDateField(_l("Ngày"), validators=[DataRequired(_l("Hãy chọn ngày."))])
    start_time = TimeField(_l("Giờ bắt đầu"), format=TIME_FORMATS, invalid_value_message=BAD_TIME,
                           validators=[DataRequired(_l("Hãy nhập giờ bắt đầu."))])
    end_time = TimeField(_l("Giờ kết thúc"), format=TIME_FORMATS, invalid_value_message=BAD_TIME,
                         validators=[Optional()])
    title = TextAreaField(_l("Nội dung"), filters=[clean], render_kw={"rows": 2})
    room_id = SelectField(_l("Phòng (danh mục)"), coerce=optional_int, validate_choice=False)
    place = StringField(_l("Địa điểm khác"), filters=[clean])
    chair_id = SelectField(lazy_pgettext("schedule", "Chủ trì"), coerce=optional_int, validate_choice=False)
    chair_text = StringField(_l("Chủ trì (ngoài cơ quan)"), filters=[clean])
    # Searchable pickers grouped by unit (schedule.js), not a wall of check boxes.
    leader_ids = SelectMultipleField(_l("Lãnh đạo (cột của lịch)"), coerce=int, validate_choice=False)
    participants = SelectMultipleField(_l("Người và đơn vị dự"), validate_choice=False)
    attendees = TextAreaField(_l("Thành phần (ghi thêm)"), filters=[clean], render_kw={"rows": 2})
    preparing_unit_id = SelectField(_l("Đơn vị chuẩn bị"), coerce=optional_int, validate_choice=False)
    notes = TextAreaField(_l("Ghi chú"), filters=[clean], render_kw={"rows": 2})

    def chosen(self) -> tuple[list[int], list[int]]:
        """The picker's tokens as (people, units); anything else is dropped."""
        people: list[int] = []
        units: list[int] = []
        for token in self.participants.data or []:
            kind, _sep, ident = str(token).partition(":")
            if (ident.isdecimal() and len(ident) <= 18) and kind in ("u", "unit"):
                (people if kind == "u" else units).append(int(ident))
        return people, units


class ReturnForm(SchemaForm):
    schema = ReturnSchema

    note = TextAreaField(_l("Lý do trả lại"), filters=[clean], render_kw={"rows": 2})


class LinkForm(FlaskForm):
    """A new calendar feed or screen link: its name (the kind comes from the button)."""

    kind = HiddenField()
    name = StringField(_l("Tên"), filters=[clean], render_kw={"maxlength": 128})


class RoomForm(SchemaForm):
    schema = RoomSchema

    room_id = HiddenField()
    active = BooleanField(_l("Đang sử dụng"), default=True)
