"""Forms for the meeting pages: labels, choices, widgets, dd/mm/yyyy dates and times.

Fields and limits live in ``schemas`` (each form names its command's schema); the pages
load what a form parsed through it (``docmgmt.core.forms.load_form``) and the operations
decide.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Optional

from docmgmt.core.forms import BAD_NUMBER, SchemaForm, VnDateField, optional_int
from docmgmt.core.text import clean

from .schemas import AgendaItemSchema, MeetingSchema, RsvpSchema, TaskSchema

TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M", "%H.%M"]
BAD_TIME = _l("Giờ không hợp lệ (nhập dạng giờ:phút, ví dụ 08:00).")


class MeetingForm(SchemaForm):
    """Lịch họp: time in Vietnam time, people from the commune's active users. The day and
    the two times become the schema's ``starts_at`` and ``ends_at``."""

    schema = MeetingSchema

    title = StringField(_l("Tên cuộc họp"), filters=[clean])
    day = VnDateField(_l("Ngày họp"), validators=[DataRequired(_l("Hãy chọn ngày họp."))])
    start_time = TimeField(_l("Giờ bắt đầu"), format=TIME_FORMATS, invalid_value_message=BAD_TIME,
                           validators=[DataRequired(_l("Hãy nhập giờ bắt đầu."))])
    end_time = TimeField(_l("Giờ kết thúc"), format=TIME_FORMATS, invalid_value_message=BAD_TIME,
                         validators=[Optional()])
    location = StringField(_l("Phòng họp, địa điểm"), filters=[clean])
    online_link = StringField(_l("Đường dẫn họp trực tuyến (nếu có)"), filters=[clean])
    description = TextAreaField(_l("Nội dung, ghi chú"), filters=[clean])
    chair_id = SelectField(_l("Người chủ trì"), coerce=optional_int, validate_choice=False)
    secretary_id = SelectField(_l("Thư ký"), coerce=optional_int, validate_choice=False)
    # Searchable pickers grouped by unit (meetings.js), not a wall of check boxes.
    members = SelectMultipleField(_l("Thành phần tham dự (biểu quyết)"), coerce=int, validate_choice=False)
    guests = SelectMultipleField(_l("Khách mời (không biểu quyết)"), coerce=int, validate_choice=False)


class RsvpForm(SchemaForm):
    schema = RsvpSchema

    answer = RadioField(_l("Trả lời giấy mời"), choices=[
        ("attend", _l("Tham dự")), ("absent", _l("Vắng mặt")), ("delegate", _l("Cử người dự thay"))],
        validate_choice=False)
    reason = StringField(_l("Lý do vắng mặt"), filters=[clean])
    delegate_id = SelectField(_l("Người dự thay"), coerce=optional_int, validate_choice=False)


class ItemForm(SchemaForm):
    schema = AgendaItemSchema

    title = StringField(_l("Nội dung"), filters=[clean])
    presenter_id = SelectField(_l("Người trình bày"), coerce=optional_int, validate_choice=False)
    duration_minutes = IntegerField(_l("Thời lượng (phút)"), default=15, invalid_value_message=BAD_NUMBER,
                                    validators=[Optional()])


class PaperForm(FlaskForm):
    """Họp bằng giấy: what happened, in a few lines (the operation checks and limits it)."""

    note = TextAreaField(_l("Cuộc họp đã diễn ra thế nào (thời gian, thành phần, kết luận)"),
                         filters=[clean], render_kw={"maxlength": 2000, "rows": 3})


class AttachForm(FlaskForm):
    """One of three sources: an incoming document, an outgoing one, or a PDF upload."""

    source = HiddenField()
    incoming_id = SelectField(_l("Văn bản đến"), coerce=optional_int, validate_choice=False)
    outgoing_id = SelectField(_l("Văn bản đi"), coerce=optional_int, validate_choice=False)
    file = FileField(_l("Tải lên tệp PDF"), render_kw={"accept": ".pdf,application/pdf"})


class TaskForm(SchemaForm):
    """Giao việc từ kết luận: a person ``u:ID`` or a unit ``unit:ID``."""

    schema = TaskSchema

    assignee = SelectField(_l("Giao cho"), validate_choice=False)
    deadline = VnDateField(_l("Hạn giải quyết"), validators=[Optional()])
    text = TextAreaField(_l("Nội dung công việc"), filters=[clean])

