"""Schemas of records: the one definition of each command's fields and limits (the API
loads requests through them, the pages pass what their forms parsed through them with
``core.forms.load_form``) and the shapes the API answers with.

``@post_load`` hands the operations their input (the dataclasses below). Limits are the
NĐ30 Phụ lục VI Part II §III lengths where the decree gives one (Title 500, FileNotation
20, Description 500), never more than the column. Every rule beyond shape and limits —
who may act and when, a heading of the plan, a person of the commune, a document one may
open — is decided by ``operations``, with a stable code and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..core.schemas import (
    MAX_INT,
    Between,
    Boolean,
    Date,
    Filled,
    Integer,
    List,
    MaxLength,
    OneOf,
    Text,
    page_number,
    page_size,
)
from .workflow import EVENT_LABELS, DossierStatus, TransferStatus

# --- the operations' input ------------------------------------------------------------------

NUMBERINGS = ("plan", "heading")  # số hồ sơ liên tục trong toàn Danh mục / trong từng đề mục lớn


@dataclass
class PlanInput:
    year: int | None = None
    numbering: str = "plan"
    copy_previous: bool = True  # start from last year's plan (its headings and dossiers)


@dataclass
class HeadingInput:
    title: str = ""
    code: str = ""  # large headings: the abbreviation of the dossiers' ký hiệu ("VP")
    parent_id: int | None = None  # a sub-heading of this large heading
    unit_id: int | None = None  # headings by unit (theo cơ cấu tổ chức)
    position: int | None = None  # None: last


@dataclass
class DossierInput:
    heading_id: int | None = None
    title: str = ""
    retention_years: int | None = None  # None with permanent=True: vĩnh viễn
    permanent: bool = False
    responsible_id: int | None = None  # người lập hồ sơ (opening outside the plan: oneself)
    description: str = ""
    position: int | None = None  # under its heading; None: last


@dataclass
class ApprovalInput:
    decision_number: str = ""  # Quyết định số …
    decision_date: date | None = None


@dataclass
class FileItemInput:
    """Another file filed in a dossier (not an incoming or outgoing document)."""

    file_id: int | None = None  # an upload of the person (POST /api/v1/files, or the page's form)
    title: str = ""
    author: str = ""  # tác giả
    doc_date: date | None = None
    page_count: int | None = None


@dataclass
class FilingInput:
    """Documents to file, in one act (the document page's button, or a list's selection)."""

    incoming_ids: list[int] | None = None
    outgoing_ids: list[int] | None = None


@dataclass
class TransferInput:
    year: int | None = None  # the year of the dossiers due
    due_date: date | None = None  # hạn nộp lưu
    title: str = ""  # tên khối tài liệu giao nộp (default: "Hồ sơ, tài liệu năm …")


@dataclass
class LoanInput:
    borrower_id: int | None = None
    purpose: str = ""
    due_date: date | None = None


# --- input schemas --------------------------------------------------------------------------
# (the dataclasses above are what ``@post_load`` hands the operations)

# Lengths: the decree's (Phụ lục VI Part II §III) where it gives one, never more than the column.
TITLE = 500  # Dossier.title, DossierItem.title (Title)
HEADING_TITLE = 255  # PlanHeading.title
CODE = 16  # PlanHeading.code: the abbreviation in the ký hiệu ("VP")
DESCRIPTION = 500  # Dossier.description (Ghi chú)
DECISION_NUMBER = 64  # FilePlan.decision_number
AUTHOR = 200  # DossierItem.author
TRANSFER_TITLE = 255  # ArchiveTransfer.title
PURPOSE = 500  # DossierLoan.purpose
REASON = 1000  # DossierEvent.reason (TEXT): why a closed dossier is reopened
CONDITION = 2000  # ArchiveTransfer.condition (TEXT): tình trạng tài liệu giao nộp
QUERY = 200
# The most documents filed in one act (a list's selection).
MAX_FILED = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_RETENTION = 200  # years (the column's check); vĩnh viễn is ``permanent``
MAX_POSITION = 9999
MAX_PAGES = 100_000

DOSSIER_STATUSES = [s.value for s in DossierStatus]
TRANSFER_STATUSES = [s.value for s in TransferStatus]


class LettersAndDigits(validate.Validator):
    """The abbreviation of a large heading: letters and digits only ("VP", "TCCB", "ĐU")."""

    def __call__(self, value):
        if value and not all(c.isalnum() for c in value):
            raise ValidationError(_("Ký hiệu chỉ gồm chữ và số, không có dấu cách hay ký tự khác."))
        return value


class AtMostIds(validate.Validator):
    """A list of at most ``MAX_FILED`` ids."""

    def __call__(self, value):
        if len(value) > MAX_FILED:
            raise ValidationError(_("Chọn tối đa %(n)s văn bản mỗi lần.", n=MAX_FILED))
        return value


def _year(description: str, *, required: bool) -> Integer:
    kwargs: dict = {"required": True, "error_messages": {"required": _l("Hãy nhập năm.")}} if required \
        else {"load_default": None, "allow_none": True}
    return Integer(validate=Between(FIRST_YEAR, LAST_YEAR, _l("Năm")),
                   metadata={"label": _l("Năm"), "description": description}, **kwargs)


def _ids(description: str) -> List:
    return List(Integer(), load_default=list, validate=AtMostIds(),
                metadata={"form": False, "description": description})


class PlanCreateSchema(Schema):
    """Lập Danh mục hồ sơ of a year (the archive role)."""

    year = _year("the plan's year", required=True)
    numbering = Text(load_default="plan", validate=OneOf(NUMBERINGS, _l("Cách đánh số hồ sơ không hợp lệ.")),
                     metadata={"description": "plan: dossiers numbered 01, 02, … through the whole plan; "
                                              "heading: from 01 within each large heading"})
    copy_previous = Boolean(load_default=True, metadata={
        "label": _l("Sao chép từ Danh mục năm trước"),
        "description": "start from last year's plan (its headings and dossiers, as planned rows)"})

    @post_load
    def _input(self, data: dict, **kwargs) -> PlanInput:
        return PlanInput(**data)


class NumberingSchema(Schema):
    """How the plan's dossiers are numbered (every dossier is renumbered)."""

    numbering = Text(required=True, validate=OneOf(NUMBERINGS, _l("Cách đánh số hồ sơ không hợp lệ.")),
                     error_messages={"required": _l("Hãy chọn cách đánh số hồ sơ.")},
                     metadata={"description": "plan (through the whole plan) or heading (within each "
                                              "large heading)"})


class HeadingSchema(Schema):
    """Đề mục: a large heading (no ``parent_id``; Roman numeral; ``code`` is the ký hiệu of
    its dossiers) or a sub-heading of one (Arabic numeral)."""

    title = Text(required=True, validate=[Filled(_l("Hãy nhập tên đề mục.")),
                                          MaxLength(HEADING_TITLE, _l("Tên đề mục"))],
                 error_messages={"required": _l("Hãy nhập tên đề mục.")}, metadata={"label": _l("Tên đề mục")})
    code = Text(load_default="", validate=[MaxLength(CODE, _l("Ký hiệu")), LettersAndDigits()],
                metadata={"label": _l("Ký hiệu"),
                          "description": "large headings: the abbreviation in the dossiers' số và ký hiệu "
                                         "(VP → 01.VP); letters and digits"})
    parent_id = Integer(load_default=None, allow_none=True,
                        metadata={"description": "the large heading this is a sub-heading of"})
    unit_id = Integer(load_default=None, allow_none=True,
                      metadata={"description": "the unit of the commune the heading stands for (optional)"})
    position = Integer(load_default=None, allow_none=True,
                       validate=Between(1, MAX_POSITION, _l("Thứ tự")),
                       metadata={"label": _l("Thứ tự"), "description": "its place among its siblings; "
                                 "none: last"})

    @post_load
    def _input(self, data: dict, **kwargs) -> HeadingInput:
        return HeadingInput(**data)


class DossierSchema(Schema):
    """A dossier of the plan (tiêu đề hồ sơ, thời hạn bảo quản, người lập), or one opened
    outside the plan."""

    heading_id = Integer(load_default=None, allow_none=True,
                         metadata={"description": "the heading (large or sub-) it is listed under"})
    title = Text(required=True, validate=[Filled(_l("Hãy nhập tiêu đề hồ sơ.")),
                                          MaxLength(TITLE, _l("Tiêu đề hồ sơ"))],
                 error_messages={"required": _l("Hãy nhập tiêu đề hồ sơ.")},
                 metadata={"label": _l("Tiêu đề hồ sơ")})
    retention_years = Integer(load_default=None, allow_none=True,
                              validate=Between(1, MAX_RETENTION, _l("Thời hạn bảo quản"), _l("năm")),
                              metadata={"label": _l("Thời hạn bảo quản (năm)"),
                                        "description": "years; none with permanent=true: vĩnh viễn"})
    permanent = Boolean(load_default=False, metadata={"label": _l("Bảo quản vĩnh viễn")})
    responsible_id = Integer(load_default=None, allow_none=True,
                             metadata={"description": "người lập hồ sơ: a person of the commune "
                                                      "(opening outside the plan: oneself)"})
    description = Text(load_default="", validate=MaxLength(DESCRIPTION, _l("Ghi chú")),
                       metadata={"label": _l("Ghi chú")})
    position = Integer(load_default=None, allow_none=True, validate=Between(1, MAX_POSITION, _l("Thứ tự")),
                       metadata={"description": "its place under its heading; none: last"})

    @post_load
    def _input(self, data: dict, **kwargs) -> DossierInput:
        return DossierInput(**data)


class ApprovalSchema(Schema):
    """Phê duyệt: the head of the commune approves the plan by a decision (Quyết định số … ngày …)."""

    decision_number = Text(required=True, validate=[Filled(_l("Hãy nhập số quyết định phê duyệt.")),
                                                    MaxLength(DECISION_NUMBER, _l("Số quyết định"))],
                           error_messages={"required": _l("Hãy nhập số quyết định phê duyệt.")},
                           metadata={"label": _l("Số quyết định"), "description": "e.g. 12/QĐ-UBND"})
    decision_date = Date(required=True, error_messages={"required": _l("Hãy nhập ngày quyết định.")},
                         metadata={"label": _l("Ngày quyết định")})

    @post_load
    def _input(self, data: dict, **kwargs) -> ApprovalInput:
        return ApprovalInput(**data)


class FileItemSchema(Schema):
    """Another file filed in the dossier (not an incoming or outgoing document)."""

    file_id = Integer(required=True, error_messages={"required": _l("Hãy chọn tệp.")},
                      metadata={"form": False, "description": "an upload of mine (POST /api/v1/files)"})
    title = Text(required=True, validate=[Filled(_l("Hãy nhập tên tài liệu.")),
                                          MaxLength(TITLE, _l("Tên tài liệu"))],
                 error_messages={"required": _l("Hãy nhập tên tài liệu.")}, metadata={"label": _l("Tên tài liệu")})
    author = Text(load_default="", validate=MaxLength(AUTHOR, _l("Tác giả")), metadata={"label": _l("Tác giả")})
    doc_date = Date(load_default=None, allow_none=True,
                    metadata={"label": _l("Ngày tài liệu"), "description": "orders the dossier; none: today"})
    page_count = Integer(load_default=None, allow_none=True, validate=Between(1, MAX_PAGES, _l("Số trang")),
                         metadata={"label": _l("Số trang")})

    @post_load
    def _input(self, data: dict, **kwargs) -> FileItemInput:
        return FileItemInput(**data)


class FilingSchema(Schema):
    """Documents to file in the dossier in one act (all or nothing)."""

    incoming_ids = _ids(f"incoming documents (at most {MAX_FILED})")
    outgoing_ids = _ids(f"outgoing documents, meeting minutes included (at most {MAX_FILED})")

    @post_load
    def _input(self, data: dict, **kwargs) -> FilingInput:
        return FilingInput(**data)


class TransferSchema(Schema):
    """Thông báo nộp lưu: the year whose closed dossiers are due, and by when."""

    year = _year("the year of the dossiers due (the plan's year)", required=True)
    due_date = Date(required=True, error_messages={"required": _l("Hãy nhập hạn nộp lưu.")},
                    metadata={"label": _l("Hạn nộp lưu")})
    title = Text(load_default="", validate=MaxLength(TRANSFER_TITLE, _l("Tên khối tài liệu")),
                 metadata={"label": _l("Tên khối tài liệu"),
                           "description": "tên khối tài liệu giao nộp (none: “Hồ sơ, tài liệu năm …”)"})

    @post_load
    def _input(self, data: dict, **kwargs) -> TransferInput:
        return TransferInput(**data)


class TransferReceiveSchema(Schema):
    """Tiếp nhận: the archive receives what was handed over."""

    condition = Text(load_default="", validate=MaxLength(CONDITION, _l("Tình trạng tài liệu")),
                     metadata={"label": _l("Tình trạng tài liệu giao nộp")})


class LoanSchema(Schema):
    """Cho mượn: an archived dossier lent to a person of the commune."""

    borrower_id = Integer(required=True, error_messages={"required": _l("Hãy chọn người mượn.")},
                          metadata={"form": False, "description": "a person of the commune"})
    purpose = Text(load_default="", validate=MaxLength(PURPOSE, _l("Mục đích mượn")),
                   metadata={"label": _l("Mục đích mượn")})
    due_date = Date(load_default=None, allow_none=True, metadata={"label": _l("Hạn trả")})

    @post_load
    def _input(self, data: dict, **kwargs) -> LoanInput:
        return LoanInput(**data)


class ReopenSchema(Schema):
    """Mở lại: the head of the commune reopens a closed dossier, saying why."""

    reason = Text(required=True, validate=[Filled(_l("Hãy ghi lý do mở lại hồ sơ.")),
                                           MaxLength(REASON, _l("Lý do mở lại"))],
                  error_messages={"required": _l("Hãy ghi lý do mở lại hồ sơ.")},
                  metadata={"label": _l("Lý do mở lại")})


class DossierListQuerySchema(Schema):
    year = _year("the plan's year", required=False)
    status = Text(load_default=None, allow_none=True,
                  validate=OneOf(DOSSIER_STATUSES, _l("Trạng thái không hợp lệ.")),
                  metadata={"description": ", ".join(DOSSIER_STATUSES)})
    mine = Boolean(load_default=False, metadata={"description": "only those I am responsible for"})
    q = Text(load_default="", validate=MaxLength(QUERY, _l("Nội dung tìm")),
             metadata={"description": "in the title and the số và ký hiệu"})
    page = page_number()
    per_page = page_size(50, 200)


class TransferListQuerySchema(Schema):
    year = _year("the year of the dossiers", required=False)


class SuggestionQuerySchema(Schema):
    incoming_id = Integer(load_default=None, allow_none=True, validate=Between(1, MAX_INT, _l("Văn bản đến")),
                          metadata={"description": "an incoming document"})
    outgoing_id = Integer(load_default=None, allow_none=True, validate=Between(1, MAX_INT, _l("Văn bản đi")),
                          metadata={"description": "an outgoing document"})
    limit = Integer(load_default=5, validate=Between(1, 50, _l("Số hồ sơ gợi ý")))


# --- output ---------------------------------------------------------------------------------

def organ_id_of(record) -> str:
    """The commune's OrganId (the first part of a FileCode)."""
    from ..extensions import db
    from ..org.models import Organisation

    organisation = db.session.get(Organisation, record.organisation_id)
    return organisation.organ_id if organisation is not None else ""


def retention_label(dossier) -> str:
    if dossier.retention_years is None:
        return _("Vĩnh viễn")
    return _("%(n)s năm", n=dossier.retention_years)


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.full_name} if user is not None else None


def _dates(dossier) -> tuple[str | None, str | None]:
    """StartDate, EndDate as the API shapes them (``dates`` when the door worked them out
    for its reader: the items they may open), ISO 8601."""
    first, last = getattr(dossier, "dates", (dossier.start_date, dossier.end_date))
    return (first.isoformat() if first else None, last.isoformat() if last else None)


def _actions(obj) -> list[str]:
    return sorted(getattr(obj, "actions", ()))


class RecordsPersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class HeadingOutSchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    parent_id = fields.Integer(allow_none=True, metadata={"description": "null: a large heading"})
    position = fields.Integer()
    numeral = fields.String(metadata={"description": "I, II, … (large headings); 1, 2, … (sub-headings)"})
    title = fields.String()
    code = fields.String(metadata={"description": "the abbreviation in the dossiers' số và ký hiệu"})
    abbreviation = fields.String(metadata={"description": "the code of its large heading"})
    unit_id = fields.Integer(allow_none=True)
    unit = fields.Function(lambda h: h.unit.name if h.unit is not None else "")


class DossierSummarySchema(Schema):
    id = fields.Integer()
    plan_id = fields.Integer()
    year = fields.Function(lambda d: d.plan.year)
    heading_id = fields.Integer()
    position = fields.Integer()
    number = fields.Integer(metadata={"description": "số thứ tự"})
    notation = fields.String(metadata={"description": "FileNotation: số và ký hiệu, e.g. 01.VP"})
    file_code = fields.Function(lambda d: d.file_code(organ_id_of(d)),
                                metadata={"description": "FileCode: OrganId.year.notation"})
    title = fields.String()
    retention_years = fields.Integer(allow_none=True, metadata={"description": "null: vĩnh viễn"})
    permanent = fields.Boolean()
    retention = fields.Function(retention_label, metadata={"description": "“Vĩnh viễn” or “N năm”"})
    description = fields.String()
    responsible = fields.Function(lambda d: _person(d.responsible), metadata={"description": "người lập hồ sơ"})
    responsible_id = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    in_plan = fields.Boolean(metadata={"description": "false: opened outside the plan (Điều 29.2.c)"})
    status = fields.String(metadata={"description": ", ".join(DOSSIER_STATUSES)})
    status_label = fields.Function(lambda d: d.status_enum.label)
    start_date = fields.Function(lambda d: _dates(d)[0], metadata={
        "type": "string", "format": "date", "nullable": True,
        "description": "StartDate: the earliest document's date (of those the caller may open; null to whom "
                       "may not open the dossier)"})
    end_date = fields.Function(lambda d: _dates(d)[1], metadata={
        "type": "string", "format": "date", "nullable": True,
        "description": "EndDate: the latest document's date (likewise)"})
    transfer_id = fields.Integer(allow_none=True)
    actions = fields.Function(_actions, metadata={
        "description": "what the caller may do now: open, edit, file, close, reopen, lend, take_back"})


class ItemOutSchema(Schema):
    """A filed document as the dossier lists it (Mục lục văn bản)."""

    id = fields.Integer()
    ordinal = fields.Integer(metadata={"description": "DocOrdinal: in time order"})
    kind = fields.String(metadata={"description": "incoming | outgoing | file"})
    incoming_id = fields.Integer(allow_none=True)
    outgoing_id = fields.Integer(allow_none=True)
    file_id = fields.Integer(allow_none=True)
    number_symbol = fields.String(metadata={"description": "số, ký hiệu of the document (empty for a file)"})
    doc_date = fields.Date()
    author = fields.String(metadata={"description": "tác giả: the issuing body, or the file's author"})
    title = fields.String(metadata={"description": "trích yếu, or the file's title"})
    page_count = fields.Integer(allow_none=True)
    added_at = fields.DateTime()
    added_by = fields.Nested(RecordsPersonSchema, allow_none=True)


class LoanOutSchema(Schema):
    id = fields.Integer()
    dossier_id = fields.Integer()
    borrower = fields.Function(lambda loan: _person(loan.borrower))
    purpose = fields.String()
    due_date = fields.Date(allow_none=True)
    lent_by = fields.Function(lambda loan: _person(loan.lent_by))
    lent_at = fields.DateTime()
    returned_at = fields.DateTime(allow_none=True)
    received_by = fields.Function(lambda loan: _person(loan.received_by))


class DossierDetailSchema(DossierSummarySchema):
    """A dossier as this person reads it: only the items they may open are listed (and counted)."""

    items = fields.List(fields.Nested(ItemOutSchema), attribute="visible",
                        metadata={"description": "Mục lục văn bản: the items the caller may open, in order"})
    page_total = fields.Function(lambda d: sum(i["page_count"] or 0 for i in d.visible),
                                 metadata={"description": "pages of the items listed"})
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.Function(lambda d: _person(d.closed_by))
    archived_at = fields.DateTime(allow_none=True)
    manifest_sha256 = fields.String(metadata={"description": "closed: SHA-256 of the manifest of its files"})
    loan = fields.Function(lambda d: LoanOutSchema().dump(d.open_loan) if d.open_loan is not None else None,
                           metadata={"description": "the loan under way, if any"})


class DossierPageSchema(Schema):
    items = fields.List(fields.Nested(DossierSummarySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class PlanSummarySchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    status = fields.String(metadata={"description": "draft | approved"})
    status_label = fields.Function(lambda p: p.status_enum.label)
    numbering = fields.String(metadata={"description": "plan | heading"})
    decision_number = fields.String()
    decision_date = fields.Date(allow_none=True)
    approved_by = fields.Function(lambda p: _person(p.approved_by))
    approved_at = fields.DateTime(allow_none=True)
    copied_from_id = fields.Integer(allow_none=True)
    actions = fields.Function(_actions, metadata={"description": "edit, approve, revise"})


class PlanDetailSchema(PlanSummarySchema):
    headings = fields.List(fields.Nested(HeadingOutSchema),
                           metadata={"description": "large headings first, then sub-headings, by position"})
    dossiers = fields.List(fields.Nested(DossierSummarySchema), metadata={"description": "by heading and position"})


class EventDetailSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": ", ".join(EVENT_LABELS)})
    kind_label = fields.Function(lambda e: str(EVENT_LABELS.get(e.kind, e.kind)))
    actor = fields.Function(lambda e: _person(e.actor))
    at = fields.DateTime()
    reason = fields.String()
    data = fields.Dict(allow_none=True)


class TransferOutSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    title = fields.String()
    giver = fields.Function(lambda t: _person(t.giver), metadata={"description": "bên giao"})
    unit_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": ", ".join(TRANSFER_STATUSES)})
    status_label = fields.Function(lambda t: t.status_enum.label)
    due_date = fields.Date()
    announced_at = fields.DateTime()
    reminded_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    received_by = fields.Function(lambda t: _person(t.received_by), metadata={"description": "bên nhận"})
    dossier_count = fields.Function(lambda t: len(t.dossiers))
    actions = fields.Function(_actions, metadata={"description": "submit, receive"})


class TransferDetailSchema(TransferOutSchema):
    condition = fields.String(metadata={"description": "tình trạng tài liệu giao nộp"})
    dossiers = fields.List(fields.Nested(DossierSummarySchema))


LoanDetailSchema = LoanOutSchema
