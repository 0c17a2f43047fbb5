"""Forms for signing in, passwords and tokens (CSRF-protected by Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from ..core.text import clean


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(_l("Hãy nhập tên đăng nhập."))],
                           filters=[clean], render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Hãy nhập mật khẩu."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=8)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[EqualTo("new", _l("Hai mật khẩu không khớp."))])


class TokenForm(FlaskForm):
    name = StringField(_l("Tên mã truy cập"), validators=[DataRequired(), Length(max=128)],
                       filters=[clean])
    days = IntegerField(_l("Thời hạn (ngày, để trống nếu không hết hạn)"),
                        validators=[Optional(), NumberRange(1, 3650)])
