"""Forms for the outgoing-document pages: labels, choices, widgets, dd/mm/yyyy dates.

Fields and limits live in ``schemas`` (each form names its command's schema); the pages
load what a form parsed through it (``core.forms.load_form``) and the operations decide.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FileField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from ..core.forms import BAD_NUMBER, BAD_YEAR, SchemaForm, optional_int
from ..core.forms import date_field as _date
from ..core.schemas import value_range
from ..core.text import clean
from ..core.timeutil import vn_today
from ..documents.types import BY_CODE, DOC_TYPES, URGENCY_LABELS
from .schemas import (
    DraftCreateSchema,
    DraftSubmitSchema,
    IssueOnPaperSchema,
    IssueOutgoingSchema,
    OutgoingListQuerySchema,
    OutgoingRecallSchema,
    ReviewCommentSchema,
    VersionSchema,
)

# The NĐ30 types a clerk drafts most, each with its own template layout (Phụ lục III):
# listed first in the type choice.
TEMPLATED = ("cong_van", "quyet_dinh", "to_trinh", "thong_bao", "ke_hoach", "bao_cao",
             "giay_moi", "bien_ban")
DRAFT_ACCEPT = ".pdf,.docx,application/pdf," \
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _label(t) -> str:
    return f"{t.label} ({t.abbreviation})" if t.abbreviation else t.label


def type_choices():
    first = [(code, _label(BY_CODE[code])) for code in TEMPLATED]
    rest = [(t.code, _label(t)) for t in DOC_TYPES if t.code not in TEMPLATED]
    return {str(_l("Có mẫu NĐ30")): first, str(_l("Loại khác")): rest}


def paragraphs(text: str | None) -> list[str]:
    """Body paragraphs: one per line, blank lines ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def outside_recipients(text: str | None) -> list[str]:
    """``Sở Nội vụ tỉnh Phú Thọ | 000.00.31.H42`` — one organisation per line, the
    edXML OrganId after a bar (optional); the schema reads each line."""
    return [line for line in (text or "").splitlines() if line.partition("|")[0].strip()]


class DraftForm(SchemaForm):
    """Soạn văn bản: the metadata, and either the NĐ30 template or an uploaded file."""

    schema = DraftCreateSchema  # ``outside`` is its ``external``, one per line

    doc_type = SelectField(_l("Loại văn bản"), choices=type_choices, default="cong_van")
    subject = TextAreaField(_l("Trích yếu nội dung"), filters=[clean])
    source = RadioField(_l("Dự thảo"), default="template", choices=[
        ("template", _l("Tạo từ mẫu")), ("upload", _l("Tải lên tệp DOCX hoặc PDF"))])
    body = TextAreaField(_l("Nội dung (mỗi đoạn một dòng)"))
    file = FileField(_l("Tệp dự thảo (DOCX hoặc PDF)"), render_kw={"accept": DRAFT_ACCEPT})
    signer_id = SelectField(_l("Lãnh đạo ký"), coerce=optional_int)
    recipients = SelectMultipleField(_l("Nơi nhận trong xã (đơn vị, người)"))
    outside = TextAreaField(_l("Nơi nhận ngoài xã (mỗi cơ quan một dòng; mã định danh sau dấu |)"))
    urgency = SelectField(_l("Độ khẩn"), choices=lambda: [(str(k), str(v)) for k, v in
                                                          URGENCY_LABELS.items()], default="thuong")
    due_date = _date(_l("Hạn trả lời (nếu có)"))


class VersionForm(SchemaForm):
    schema = VersionSchema

    file = FileField(_l("Tệp mới (DOCX hoặc PDF)"), render_kw={"accept": DRAFT_ACCEPT})
    note = StringField(_l("Ghi chú phiên bản"), filters=[clean])


class SubmitForm(SchemaForm):
    schema = DraftSubmitSchema

    signer_id = SelectField(_l("Lãnh đạo ký"), coerce=optional_int)
    comment = StringField(_l("Ghi chú"), filters=[clean])


class CommentForm(SchemaForm):
    schema = ReviewCommentSchema

    comment = TextAreaField(_l("Ý kiến"), filters=[clean])


class SignForm(FlaskForm):
    """Nothing to fill in: the button is the leader's decision (and CSRF guards it)."""


class IssueForm(SchemaForm):
    schema = IssueOutgoingSchema

    issued_on = _date(_l("Ngày ban hành"), default=vn_today)


class IssueOnPaperForm(SchemaForm):
    """Phát hành bản giấy: the scan of the paper the leader signed by hand."""

    schema = IssueOnPaperSchema

    file = FileField(_l("Bản scan văn bản đã ký (PDF)"), render_kw={"accept": ".pdf,application/pdf"})
    issued_on = _date(_l("Ngày ban hành"), default=vn_today)


class RecallForm(SchemaForm):
    schema = OutgoingRecallSchema

    reason = TextAreaField(_l("Lý do thu hồi"), filters=[clean])


class VerifyForm(FlaskForm):
    file = FileField(_l("Tệp PDF cần kiểm tra"), render_kw={"accept": ".pdf,application/pdf"})


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    # A year outside the registers kept is dropped like any unusable filter value.
    year = IntegerField(_l("Năm"), invalid_value_message=BAD_NUMBER, validators=[
        Optional(), NumberRange(*value_range(OutgoingListQuerySchema, "year"), message=BAD_YEAR)])
    status = SelectField(_l("Trạng thái"))


__all__ = ["TEMPLATED", "CommentForm", "DraftForm", "IssueForm", "IssueOnPaperForm",
           "ListFilterForm", "RecallForm", "SignForm", "SubmitForm", "VerifyForm", "VersionForm",
           "outside_recipients", "paragraphs", "type_choices"]
