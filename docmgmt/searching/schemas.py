"""API schemas of the search."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ..core.schemas import Between, Integer, page_number, page_size
from ..documents.types import TYPE_CODES
from ..incoming.workflow import Status
from .operations import DIRECTIONS, MAX_PER_PAGE, MAX_QUERY_CHARS, ORDERS


class SearchArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY_CHARS), metadata={
        "description": 'Words (all must match, diacritics optional), "quoted phrases", '
                       "numbers/symbols as typed (05/QĐ-UBND)."})
    type = fields.String(load_default=None, validate=validate.OneOf(TYPE_CODES),
                         metadata={"description": "document type code (NĐ30), e.g. quyet_dinh"})
    direction = fields.String(load_default=None, validate=validate.OneOf(DIRECTIONS))
    year = Integer(load_default=None, validate=Between(1945, 2200, _l("Năm")),
                   metadata={"description": "year of the register"})
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in Status]))
    unit = fields.String(load_default=None, validate=validate.Length(max=32),
                         metadata={"description": "abbreviation of the handling unit, e.g. KT"})
    order = fields.String(load_default="relevance", validate=validate.OneOf(ORDERS))
    page = page_number()
    per_page = page_size(20, MAX_PER_PAGE)


class SearchHitSchema(Schema):
    id = fields.String(metadata={"description": "index id, e.g. incoming:12"})
    kind = fields.String(metadata={"description": "incoming"})
    document_id = fields.Integer()
    url = fields.String(metadata={"description": "the document's page"})
    subject_html = fields.String(metadata={
        "description": "trích yếu, HTML-escaped, matches wrapped in <mark>"})
    number_symbol = fields.String(metadata={"description": "số, ký hiệu · số đến"})
    sender = fields.String()
    date = fields.String(metadata={"description": "arrival date, ISO 8601"})
    snippets = fields.List(fields.String(), metadata={
        "description": "fragments of the files' text, HTML-escaped, matches in <mark>"})
    score = fields.Float()
    text_searchable = fields.Boolean(metadata={
        "description": "false: the files had no text (scans without OCR); found by metadata only"})


class SearchPageSchema(Schema):
    total = fields.Integer(metadata={"description": "matches the caller may open, never more"})
    page = fields.Integer()
    per_page = fields.Integer()
    hits = fields.List(fields.Nested(SearchHitSchema))
