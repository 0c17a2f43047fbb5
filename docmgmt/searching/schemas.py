"""API schemas of the search: the question (``QuestionSchema``, the search page's words,
filters and order), a page of hits, saved searches and the export of the results."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from ..core.schemas import Between, Boolean, Filled, Integer, List, MaxLength, OneOf, Text, page_number, page_size
from ..documents.types import TYPE_CODES
from .kinds import DIRECTIONS, KINDS, STATUSES
from .operations import MAX_PER_PAGE, MAX_QUERY_CHARS, ORDERS
from .saved import COLUMN_CODES, DEFAULT_COLUMNS, MAX_NAME_CHARS

FORMATS = ("docx", "pdf")


class QuestionSchema(Schema):
    """What the search page asks (every door of the search reads it alike)."""

    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY_CHARS), metadata={
        "description": 'Words (all must match, diacritics optional), "quoted phrases", '
                       "numbers/symbols as typed (05/QĐ-UBND)."})
    type = fields.String(load_default=None, validate=validate.OneOf(TYPE_CODES),
                         metadata={"description": "document type code (NĐ30), e.g. quyet_dinh"})
    kind = fields.String(load_default=None, validate=validate.OneOf(list(KINDS)), metadata={
        "description": "one kind of record: incoming, outgoing, minutes (a meeting's biên bản), agenda "
                       "(a meeting's documents), meeting, dossier (hồ sơ)"})
    direction = fields.String(load_default=None, validate=validate.OneOf(list(DIRECTIONS)), metadata={
        "description": "incoming (văn bản đến) or outgoing (văn bản đi, minutes included)"})
    year = Integer(load_default=None, validate=Between(1945, 2200, _l("Năm")), metadata={
        "description": "incoming: of the register; outgoing: issued (drafted, if not issued); meeting and its "
                       "documents: held; dossier: of its plan"})
    status = fields.String(load_default=None, validate=validate.OneOf(sorted(STATUSES)), metadata={
        "description": "a status of any kind (each kind has its own; e.g. issued, assigned, ended, open)"})
    unit = fields.String(load_default=None, validate=validate.Length(max=32), metadata={
        "description": "abbreviation of the unit: handling an incoming document, drafting an outgoing one, "
                       "keeping a dossier; e.g. KT"})
    order = fields.String(load_default="relevance", validate=validate.OneOf(ORDERS))


class SearchArgsSchema(QuestionSchema):
    page = page_number()
    per_page = page_size(20, MAX_PER_PAGE)


class SearchHitSchema(Schema):
    id = fields.String(metadata={"description": "index id, <kind>:<id>, e.g. incoming:12"})
    kind = fields.String(metadata={"description": "incoming, outgoing, minutes, agenda, meeting or dossier"})
    kind_label = fields.String(metadata={"description": "the kind, in the caller's language"})
    document_id = fields.Integer(metadata={"description": "the record's id (of its kind)"})
    url = fields.String(metadata={"description": "the record's page"})
    subject_html = fields.String(metadata={
        "description": "trích yếu, HTML-escaped, matches wrapped in <mark>"})
    number_symbol = fields.String(metadata={"description": "số, ký hiệu · số đến"})
    sender = fields.String(metadata={"description": "incoming: the sender; outgoing: the drafting unit; "
                                                    "meeting: its chair; agenda: the meeting; dossier: its keeper"})
    date = fields.String(metadata={"description": "ISO 8601: arrival, issuance (or drafting), the meeting's, "
                                                  "the dossier's opening"})
    snippets = fields.List(fields.String(), metadata={
        "description": "fragments of the files' text, HTML-escaped, matches in <mark>"})
    score = fields.Float()
    text_searchable = fields.Boolean(metadata={
        "description": "false: the files had no text (scans without OCR); found by metadata only"})


class SearchPageSchema(Schema):
    total = fields.Integer(metadata={"description": "matches the caller may open, never more"})
    total_is_estimate = fields.Boolean(metadata={
        "description": "true: ``total`` is an estimate (PostgreSQL search, past 1,000 matches)"})
    page = fields.Integer()
    per_page = fields.Integer()
    hits = fields.List(fields.Nested(SearchHitSchema))


# --- saved searches and the export ----------------------------------------------------------------

COLUMNS_DESCRIPTION = ("the export's columns, in the table's order whatever the order given: number (số, ký "
                       "hiệu), date, kind, doc_type (loại văn bản), subject (trích yếu), sender (nơi gửi/đơn vị), "
                       "status, url (the record's page)")


def _columns(**kwargs) -> List:
    return List(Text(validate=OneOf(COLUMN_CODES, _l("Cột không hợp lệ."))),
                validate=[Filled(_l("Hãy chọn ít nhất một cột.")), validate.Length(max=len(COLUMN_CODES))],
                metadata={"description": COLUMNS_DESCRIPTION}, **kwargs)


def _name(**kwargs) -> Text:
    return Text(validate=[Filled(_l("Hãy đặt tên cho tìm kiếm.")), MaxLength(MAX_NAME_CHARS, _l("Tên tìm kiếm"))],
                error_messages={"required": _l("Hãy đặt tên cho tìm kiếm.")},
                metadata={"label": _l("Tên tìm kiếm"), "description": "unique among the caller's saved searches "
                                                                       "(letter case aside)"}, **kwargs)


class SavedSearchCreateSchema(QuestionSchema):
    """Keep a question under a name (``searching.saved.save``)."""

    name = _name(required=True)
    columns = _columns(load_default=list(DEFAULT_COLUMNS))
    overwrite = Boolean(load_default=False, metadata={
        "label": _l("Ghi đè tìm kiếm cùng tên"),
        "description": "true: a saved search of that name takes this question and these columns; "
                       "false: the name clash is refused (409 name_taken)"})


class SavedSearchUpdateSchema(Schema):
    """Rename a saved search and/or change the columns it exports."""

    name = _name(load_default=None)
    columns = _columns(load_default=None)


class SavedSearchSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    q = fields.String(attribute="text")
    kind = fields.String(allow_none=True)
    type = fields.String(attribute="doc_type", allow_none=True)
    direction = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    status = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    order = fields.String()
    columns = fields.List(fields.String())
    created_at = fields.DateTime()
    search_url = fields.String(metadata={"description": "the search page asking it again (a rerun)"})
    api_url = fields.String(metadata={"description": "GET /api/v1/search asking it again"})


class ExportArgsSchema(QuestionSchema):
    format = fields.String(required=True, validate=OneOf(FORMATS, _l("Định dạng xuất không hợp lệ.")),
                           metadata={"description": "docx (Word) or pdf"})
    columns = DelimitedList(Text(validate=OneOf(COLUMN_CODES, _l("Cột không hợp lệ."))),
                            load_default=list(DEFAULT_COLUMNS),
                            validate=[Filled(_l("Hãy chọn ít nhất một cột.")), validate.Length(max=len(COLUMN_CODES))],
                            metadata={"description": COLUMNS_DESCRIPTION + "; comma-separated",
                                      "default": list(DEFAULT_COLUMNS)})
