"""Forms for the administration pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import date_field
from ..core.permissions import ROLE_LABELS
from ..core.text import clean


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices():
    return [(str(r), str(label)) for r, label in ROLE_LABELS.items()]


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=64)],
                           filters=[clean])
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=255)],
                            filters=[clean])
    email = StringField(_l("Thư điện tử"), validators=[Optional(), Length(max=255)],
                        filters=[clean])
    position = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=128)],
                           filters=[clean])
    unit_id = SelectField(_l("Đơn vị"), coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    roles = MultiCheckboxField(_l("Vai trò"), choices=role_choices)
    password = PasswordField(_l("Mật khẩu"), render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("Đang hoạt động"), default=True)


class PaperlessTargetForm(FlaskForm):
    """The day the commune means to drop internal paper (dd/mm/yyyy); empty: 30 September."""

    target = date_field(_l("Mục tiêu không dùng văn bản giấy (để trống: 30/9 năm nay)"))


class UnitForm(FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(), Length(max=255)],
                       filters=[clean])
    abbreviation = StringField(_l("Chữ viết tắt"), validators=[DataRequired(), Length(max=16)],
                               filters=[clean])
