"""Forms of the records pages: labels, choices, widgets, dd/mm/yyyy dates.

Fields and limits live in ``schemas`` (each form names its command's schema; a schema
field with a label gets its widget from ``SchemaForm``); the pages load what a form
parsed through it (``core.forms.load_form``) and the operations decide. The choices (a
plan's headings, the commune's people and units) are filled by the controllers.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField

from ..core.forms import SchemaForm, optional_int
from ..core.forms import date_field as _date
from ..core.timeutil import vn_today
from .schemas import (
    ApprovalSchema,
    DossierSchema,
    FileItemSchema,
    HeadingSchema,
    LoanSchema,
    NumberingSchema,
    PlanCreateSchema,
    ReopenSchema,
    TransferReceiveSchema,
    TransferSchema,
)

NUMBERING_CHOICES = [
    ("plan", _l("Đánh số liên tục trong toàn Danh mục (01, 02, … đến hết)")),
    ("heading", _l("Đánh số từ 01 trong từng đề mục lớn")),
]


class PlanForm(SchemaForm):
    """Lập Danh mục hồ sơ of a year (the archive role)."""

    schema = PlanCreateSchema

    numbering = SelectField(_l("Cách đánh số hồ sơ"), choices=NUMBERING_CHOICES, default="plan")
    copy_previous = BooleanField(_l("Sao chép từ Danh mục năm trước"), default=True)


class NumberingForm(SchemaForm):
    schema = NumberingSchema

    numbering = SelectField(_l("Cách đánh số hồ sơ"), choices=NUMBERING_CHOICES)


class HeadingForm(SchemaForm):
    """Đề mục: a large heading (Roman numeral, with the ký hiệu of its dossiers) or a
    sub-heading of one."""

    schema = HeadingSchema

    parent_id = SelectField(_l("Thuộc đề mục lớn"), coerce=optional_int, validate_choice=False)
    unit_id = SelectField(_l("Đơn vị"), coerce=optional_int, validate_choice=False)


class DossierForm(SchemaForm):
    """A row of the plan (the archive role), a dossier opened outside the plan (its person
    responsible), or an open dossier's title, retention and notes."""

    schema = DossierSchema

    heading_id = SelectField(_l("Đề mục"), coerce=optional_int, validate_choice=False)
    responsible_id = SelectField(_l("Người lập hồ sơ"), coerce=optional_int, validate_choice=False)


class ApprovalForm(SchemaForm):
    schema = ApprovalSchema

    decision_date = _date(_l("Ngày quyết định"), default=vn_today)


class FilingForm(FlaskForm):
    """Documents to file in a dossier (``FilingSchema``): the document page's suggestion
    (one document, the dossier named by the button pressed) or a list's ticked rows (the
    dossier chosen in a select). The ticked ids are plain inputs (``incoming_ids``,
    ``outgoing_ids``) the page reads itself; where to go back is ``next``."""

    dossier_id = SelectField(_l("Hồ sơ"), coerce=optional_int, validate_choice=False)
    next = HiddenField()


class FileItemForm(SchemaForm):
    """Another file (not an incoming or outgoing document) uploaded into the dossier."""

    schema = FileItemSchema

    file = FileField(_l("Tệp (PDF, DOCX, JPEG, PNG)"),
                     render_kw={"accept": ".pdf,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})
    doc_date = _date(_l("Ngày tài liệu"), default=vn_today)


class ReopenForm(SchemaForm):
    schema = ReopenSchema


class LoanForm(SchemaForm):
    schema = LoanSchema

    borrower_id = SelectField(_l("Người mượn"), coerce=optional_int, validate_choice=False)


class TransferForm(SchemaForm):
    schema = TransferSchema


class ReceiveForm(SchemaForm):
    schema = TransferReceiveSchema
