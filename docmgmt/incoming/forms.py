"""Forms for the incoming-document pages. They parse input; the operations decide."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..core.text import clean
from ..core.timeutil import vn_today
from ..documents.types import CONFIDENTIALITY_LABELS, DOC_TYPES, URGENCY_LABELS

# A date typed by hand in Vietnamese order is accepted too (some tablets lack a picker).
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
FILE_ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


BAD_DATE = _l("Ngày không hợp lệ (nhập dạng ngày/tháng/năm).")
BAD_NUMBER = _l("Hãy nhập một số.")


def _date(label, **kwargs):
    return DateField(label, validators=[Optional()], format=DATE_FORMATS,
                     invalid_value_message=BAD_DATE, **kwargs)


def _type_choices():
    return [(t.code, f"{t.name} ({t.abbreviation})" if t.abbreviation else t.name)
            for t in DOC_TYPES]


def _labels(mapping):
    return [(str(k), str(v)) for k, v in mapping.items()]


class RegisterForm(FlaskForm):
    """Vào sổ đến: the fields of NĐ30 Phụ lục VI in the order a clerk reads the paper."""

    sender_name = StringField(
        _l("Cơ quan, tổ chức gửi"), filters=[clean],
        validators=[DataRequired(_l("Hãy nhập cơ quan, tổ chức gửi văn bản.")), Length(max=255)])
    number_symbol = StringField(_l("Số, ký hiệu"), validators=[Optional(), Length(max=64)],
                                filters=[clean])
    issue_date = _date(_l("Ngày văn bản"))
    doc_type = SelectField(_l("Loại văn bản"), choices=_type_choices, default="cong_van")
    urgency = SelectField(_l("Độ khẩn"), choices=lambda: _labels(URGENCY_LABELS), default="thuong")
    confidentiality = SelectField(_l("Độ mật"), choices=lambda: _labels(CONFIDENTIALITY_LABELS),
                                  default="thuong")
    subject = TextAreaField(_l("Trích yếu nội dung"), validators=[Length(max=2000)],
                            filters=[clean])
    signer = StringField(_l("Người ký"), validators=[Length(max=255)], filters=[clean])
    field = StringField(_l("Lĩnh vực"), validators=[Length(max=128)], filters=[clean])
    page_count = IntegerField(_l("Số trang"), invalid_value_message=BAD_NUMBER,
                              validators=[Optional(), NumberRange(
                                  1, 10000, message=_l("Số trang phải từ 1 đến 10000."))])
    sender_due_date = _date(_l("Hạn trả lời (nếu có)"))
    arrival_date = _date(_l("Ngày đến"), default=vn_today)
    paper_holder = StringField(_l("Người giữ bản giấy"), validators=[Length(max=255)],
                               filters=[clean])
    files = MultipleFileField(_l("Tệp văn bản (PDF, DOCX, JPEG, PNG)"),
                              render_kw={"accept": FILE_ACCEPT})
    allow_duplicate = BooleanField(_l("Vẫn đăng ký (đây là văn bản khác)"))


class SubmitForm(FlaskForm):
    leader_id = SelectField(_l("Trình lãnh đạo"),
                            coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    comment = StringField(_l("Ghi chú"), validators=[Length(max=2000)], filters=[clean])


class DirectForm(FlaskForm):
    """Chỉ đạo / phân công: tokens ``u:ID`` (a person) or ``unit:ID`` (a unit)."""

    main = SelectField(_l("Chủ trì giải quyết"))
    co = SelectMultipleField(_l("Phối hợp"))
    info = SelectMultipleField(_l("Để biết"))
    deadline = _date(_l("Hạn giải quyết"))
    deadline_days = IntegerField(_l("hoặc sau số ngày làm việc"), invalid_value_message=BAD_NUMBER,
                                 validators=[Optional()])
    text = TextAreaField(_l("Ý kiến chỉ đạo"), validators=[Length(max=4000)], filters=[clean])
    reason = StringField(_l("Lý do phân công lại"), validators=[Length(max=2000)],
                         filters=[clean])


class DelegateForm(FlaskForm):
    assignment_id = HiddenField()
    user_id = SelectField(_l("Giao cho"), coerce=lambda v: int(v) if v not in (None, "") else None)


class ProgressForm(FlaskForm):
    text = TextAreaField(_l("Tiến độ, kết quả"), filters=[clean])
    files = MultipleFileField(_l("Tệp kết quả"), render_kw={"accept": FILE_ACCEPT})


class CompleteForm(FlaskForm):
    summary = TextAreaField(_l("Kết quả giải quyết"), filters=[clean])
    files = MultipleFileField(_l("Tệp kết quả"), render_kw={"accept": FILE_ACCEPT})


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Lý do trả lại"), filters=[clean])


class AttachForm(FlaskForm):
    files = MultipleFileField(_l("Thêm tệp"), render_kw={"accept": FILE_ACCEPT})


class PaperForm(FlaskForm):
    holder = StringField(_l("Người nhận bản giấy"), validators=[Length(max=255)], filters=[clean])
    comment = StringField(_l("Ghi chú"), validators=[Length(max=2000)], filters=[clean])


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    year = IntegerField(_l("Năm"), invalid_value_message=BAD_NUMBER, validators=[Optional()])
    status = SelectField(_l("Trạng thái"))
    overdue = BooleanField(_l("Chỉ văn bản quá hạn"))
    q = StringField(_l("Tìm"), filters=[clean])
