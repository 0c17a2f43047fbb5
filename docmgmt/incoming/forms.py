"""Forms for the incoming-document pages: labels, choices, widgets, dd/mm/yyyy dates.

Fields and limits live in ``schemas`` (each form names its command's schema); the pages
load what a form parsed through it (``core.forms.load_form``) and the operations decide.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from ..core.forms import BAD_NUMBER, BAD_YEAR, SchemaForm
from ..core.forms import date_field as _date
from ..core.schemas import value_range
from ..core.text import clean
from ..core.timeutil import vn_today
from ..documents.types import CONFIDENTIALITY_LABELS, DOC_TYPES, URGENCY_LABELS
from .models import MEDIUM_LABELS
from .schemas import (
    CHOSEN_MEDIUMS,
    CompleteSchema,
    DelegateSchema,
    IncomingCreateSchema,
    ListQuerySchema,
    ProgressSchema,
    ReassignSchema,
    ReturnSchema,
    SubmitSchema,
    TransferPaperSchema,
)

FILE_ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _type_choices():
    return [(t.code, f"{t.label} ({t.abbreviation})" if t.abbreviation else t.label)
            for t in DOC_TYPES]


def _labels(mapping):
    return [(str(k), str(v)) for k, v in mapping.items()]


class RegisterForm(SchemaForm):
    """Vào sổ đến: the fields of NĐ30 Phụ lục VI in the order a clerk reads the paper."""

    schema = IncomingCreateSchema

    # The text, number and date fields come from the schema (labels, widgets, limits).
    doc_type = SelectField(_l("Loại văn bản"), choices=_type_choices, default="cong_van")
    urgency = SelectField(_l("Độ khẩn"), choices=lambda: _labels(URGENCY_LABELS), default="thuong")
    confidentiality = SelectField(_l("Độ mật"), choices=lambda: _labels(CONFIDENTIALITY_LABELS),
                                  default="thuong")
    arrival_date = _date(_l("Ngày đến"), default=vn_today)
    files = MultipleFileField(_l("Tệp văn bản (PDF, DOCX, JPEG, PNG)"),
                              render_kw={"accept": FILE_ACCEPT})
    # Empty: the operation tells from the files (an image or a PDF without text is a scan).
    medium = SelectField(_l("Hình thức văn bản"), coerce=lambda v: v or None, default="",
                         choices=lambda: [("", str(_l("Tự nhận biết theo tệp")))]
                         + [(m, str(MEDIUM_LABELS[m])) for m in CHOSEN_MEDIUMS])
    allow_duplicate = BooleanField(_l("Vẫn đăng ký (đây là văn bản khác)"))


class SubmitForm(SchemaForm):
    schema = SubmitSchema

    leader_id = SelectField(_l("Trình lãnh đạo"),
                            coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    comment = StringField(_l("Ghi chú"), filters=[clean])


class DirectForm(SchemaForm):
    """Chỉ đạo / phân công: tokens ``u:ID`` (a person) or ``unit:ID`` (a unit)."""

    schema = ReassignSchema  # the direction, and the reason when it replaces one

    main = SelectField(_l("Chủ trì giải quyết"))
    co = SelectMultipleField(_l("Phối hợp"))
    info = SelectMultipleField(_l("Để biết"))
    deadline = _date(_l("Hạn giải quyết"))
    deadline_working_days = IntegerField(_l("hoặc sau số ngày làm việc"),
                                         invalid_value_message=BAD_NUMBER, validators=[Optional()])
    text = TextAreaField(_l("Ý kiến chỉ đạo"), filters=[clean])
    reason = StringField(_l("Lý do phân công lại"), filters=[clean])


class DelegateForm(SchemaForm):
    schema = DelegateSchema

    assignment_id = HiddenField()
    user_id = SelectField(_l("Giao cho"), coerce=lambda v: int(v) if v not in (None, "") else None)


class ProgressForm(SchemaForm):
    schema = ProgressSchema

    text = TextAreaField(_l("Tiến độ, kết quả"), filters=[clean])
    files = MultipleFileField(_l("Tệp kết quả"), render_kw={"accept": FILE_ACCEPT})


class CompleteForm(SchemaForm):
    schema = CompleteSchema

    summary = TextAreaField(_l("Kết quả giải quyết"), filters=[clean])
    files = MultipleFileField(_l("Tệp kết quả"), render_kw={"accept": FILE_ACCEPT})


class ReturnForm(SchemaForm):
    schema = ReturnSchema

    reason = TextAreaField(_l("Lý do trả lại"), filters=[clean])


class AttachForm(FlaskForm):
    files = MultipleFileField(_l("Thêm tệp"), render_kw={"accept": FILE_ACCEPT})


class PaperForm(SchemaForm):
    schema = TransferPaperSchema

    holder = StringField(_l("Người nhận bản giấy"), filters=[clean])
    comment = StringField(_l("Ghi chú"), filters=[clean])


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    # A year outside the registers kept is dropped like any unusable filter value.
    year = IntegerField(_l("Năm"), invalid_value_message=BAD_NUMBER, validators=[
        Optional(), NumberRange(*value_range(ListQuerySchema, "year"), message=BAD_YEAR)])
    status = SelectField(_l("Trạng thái"))
    overdue = BooleanField(_l("Chỉ văn bản quá hạn"))
    q = StringField(_l("Tìm"), filters=[clean])
