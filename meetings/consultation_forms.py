"""Forms of the consultation pages: labels, choices, widgets, the deadline as a dd/mm/yyyy
day and a time. Fields and limits live in ``consultation_schemas``; the pages load what a
form parsed through them and the operations decide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired

from docmgmt.core.forms import SchemaForm, VnDateField
from docmgmt.core.text import clean

from .consultation_schemas import ConsultationDraftSchema, ConsultationResultSchema, ConsultationSchema
from .forms import BAD_TIME, TIME_FORMATS, optional_int


class ConsultationForm(SchemaForm):
    """Phiếu lấy ý kiến. The questions are typed one per line; the day and the time of the
    deadline become the schema's ``deadline`` (Vietnam time)."""

    schema = ConsultationSchema

    title = StringField(_l("Nội dung xin ý kiến"), filters=[clean])
    description = TextAreaField(_l("Tờ trình, thuyết minh (nếu có)"), filters=[clean])
    questions_text = TextAreaField(_l("Câu hỏi (mỗi dòng một câu hỏi)"), render_kw={"rows": 4})
    deadline_day = VnDateField(_l("Hạn trả lời: ngày"), validators=[DataRequired(_l("Hãy chọn ngày hết hạn."))])
    deadline_time = TimeField(_l("Giờ"), format=TIME_FORMATS, invalid_value_message=BAD_TIME,
                              validators=[DataRequired(_l("Hãy nhập giờ hết hạn."))])
    chair_id = SelectField(_l("Chủ tịch (người xin ý kiến)"), coerce=optional_int, validate_choice=False)
    members = SelectMultipleField(_l("Thành viên được lấy ý kiến"), coerce=int, validate_choice=False)

    def question_lines(self) -> list[str]:
        return [line for line in (clean(x) for x in (self.questions_text.data or "").splitlines()) if line]


class AnswerForm(FlaskForm):
    """The CSRF token of the answer form. Each question's answer comes in fields named after
    it (``q<id>-choice``, ``q<id>-comment``), read through ``ConsultationAnswersSchema`` by the page."""


class ResultForm(SchemaForm):
    schema = ConsultationResultSchema

    conclusion = TextAreaField(_l("Kết luận của Chủ tịch"), filters=[clean], render_kw={"rows": 3})


class DraftForm(SchemaForm):
    schema = ConsultationDraftSchema

    kind = RadioField(_l("Văn bản kết quả"), choices=[
        ("thong_bao", _l("Thông báo kết quả lấy ý kiến")), ("bien_ban", _l("Biên bản kiểm phiếu"))],
        default="thong_bao", validate_choice=False)


class DocumentForm(FlaskForm):
    """One of three sources: an incoming document, an outgoing one, or a PDF/DOCX upload."""

    source = HiddenField()
    incoming_id = SelectField(_l("Văn bản đến"), coerce=optional_int, validate_choice=False)
    outgoing_id = SelectField(_l("Văn bản đi"), coerce=optional_int, validate_choice=False)
    file = FileField(_l("Tải lên tệp PDF hoặc Word"), render_kw={
        "accept": ".pdf,.docx,application/pdf,"
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
