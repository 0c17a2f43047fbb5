"""API door for the figures, under /api/v1/reports: the dashboard, the documents behind
any figure (its drill-down), the paperless progress and the two legal reports.

The same functions as the pages (:mod:`.figures`, :mod:`.listing`, :mod:`.paperless`,
:mod:`.legal`) with the same query parameters, so the API, the pages, the lists and the
XLSX give the same numbers. Every figure's ``link`` is the address of its list page; the
same query string on ``/api/v1/reports/documents`` gives that list as JSON.

Refusals: an account with no figures to see (an administrator's) and a scope beyond the
reader's (a head of unit asking for another unit) are 403 ``forbidden``; a period that
does not exist is 422 ``invalid_period`` naming the field (``month``, ``start``, …).
"""

from __future__ import annotations

from datetime import date

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from ..api.blueprint import api_blueprint
from ..core.timeutil import vn_today
from . import figures, legal, paperless, periods
from .listing import listing
from .schemas import DocumentsQuerySchema, ReportQuerySchema, as_text_args
from .scope import Scope

bp = api_blueprint(
    "reports", __name__,
    "Figures (thống kê): the dashboard, the documents behind each figure, the paperless "
    "progress, and the legal reports on handling incoming and outgoing documents "
    "(NĐ30 Phụ lục VI). Period: period=month&month=yyyy-mm | quarter&quarter=yyyy-Qn | "
    "year&year=yyyy | custom&start=…&end=…; scope: unit=, person= (within the reader's own).",
)


# --- the shapes answered -------------------------------------------------------------------

class PeriodSchema(Schema):
    kind = fields.String(metadata={"description": "month, quarter, year or custom"})
    start = fields.String(metadata={"description": "first day, yyyy-mm-dd"})
    end = fields.String(metadata={"description": "last day (inclusive), yyyy-mm-dd"})
    label = fields.String()


class ScopeSchema(Schema):
    level = fields.String(metadata={"description": "the reader's widest: commune, unit or own"})
    unit_id = fields.Integer(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    title = fields.String()


class CellSchema(Schema):
    value = fields.Integer()
    link = fields.String(metadata={"description": "the list page of the documents counted; its query "
                                   "string on /api/v1/reports/documents gives them as JSON"})


def _cell(**kwargs) -> fields.Nested:
    return fields.Nested(CellSchema, **kwargs)


class PointSchema(CellSchema):
    key = fields.String(metadata={"description": "yyyy-mm, or a stage"})
    label = fields.String()


class HeadlineSchema(CellSchema):
    key = fields.String(metadata={"description": "the figure"})
    label = fields.String()
    rate = fields.Float(allow_none=True, metadata={"description": "incoming.on_time only: the on-time rate"})


class SeriesSchema(Schema):
    received_per_month = fields.List(fields.Nested(PointSchema))
    issued_per_month = fields.List(fields.Nested(PointSchema))
    drafts_by_stage = fields.List(fields.Nested(PointSchema))


class HandlingRowSchema(Schema):
    key = fields.Integer(allow_none=True, metadata={"description": "unit or person id; null: nobody yet"})
    label = fields.String()
    received, on_time, late, no_deadline = _cell(), _cell(), _cell(), _cell()
    open_in_time, open_overdue, returned = _cell(), _cell(), _cell()
    rate = fields.Float(allow_none=True, metadata={
        "description": "done on time ÷ done with a deadline (0…1); null when none was done with one"})


class HandlingSchema(Schema):
    total = fields.Nested(HandlingRowSchema)
    by_unit = fields.List(fields.Nested(HandlingRowSchema))
    by_person = fields.List(fields.Nested(HandlingRowSchema))


class LoadTotalSchema(Schema):
    open, overdue, due_soon = _cell(), _cell(), _cell()


class LoadRowSchema(LoadTotalSchema):
    key = fields.Integer(allow_none=True)
    label = fields.String()


class LoadSchema(Schema):
    total = fields.Nested(LoadTotalSchema)
    by_unit = fields.List(fields.Nested(LoadRowSchema))
    by_person = fields.List(fields.Nested(LoadRowSchema))


class DueDocumentSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    deadline = fields.String(allow_none=True)
    deadline_label = fields.String()
    handler = fields.String()
    link = fields.String()


class OutgoingFiguresSchema(Schema):
    issued, in_flow = _cell(), _cell()
    avg_days_to_issue = fields.Float(allow_none=True, metadata={
        "description": "days from the draft's creation to its issuance, over those issued in the period"})


class TasksSchema(Schema):
    total, done, on_time, late, open_overdue = _cell(), _cell(), _cell(), _cell(), _cell()
    rate = fields.Float(allow_none=True)


class MeetingFiguresSchema(Schema):
    held, votes = _cell(), _cell()
    participants = fields.Integer()
    present = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)
    tasks = fields.Nested(TasksSchema)


class ConfidentialSchema(Schema):
    incoming = fields.Integer()
    outgoing = fields.Integer()


class DashboardSchema(Schema):
    period = fields.Nested(PeriodSchema)
    today = fields.String()
    scope = fields.Nested(ScopeSchema)
    headline = fields.List(fields.Nested(HeadlineSchema))
    series = fields.Nested(SeriesSchema)
    handling = fields.Nested(HandlingSchema)
    # (not a field named ``load``: that is the schema's own method)
    current_load = fields.Nested(LoadSchema, attribute="load", data_key="load")
    due_soon = fields.List(fields.Nested(DueDocumentSchema))
    overdue = fields.List(fields.Nested(DueDocumentSchema))
    outgoing = fields.Nested(OutgoingFiguresSchema)
    meetings = fields.Nested(MeetingFiguresSchema)
    confidential = fields.Nested(ConfidentialSchema, allow_none=True, metadata={
        "description": "confidential entries of the period, counted apart (never in a figure); "
                       "null unless the reader may see the confidential register"})


class ListedFigureSchema(Schema):
    key = fields.String()
    label = fields.String()
    cell = fields.String(metadata={"description": "the breakdown's cell in words, or empty"})
    by = fields.String(allow_none=True)
    value = fields.String(allow_none=True)


class ListedRecordSchema(Schema):
    kind = fields.String(metadata={"description": "incoming, outgoing, meeting or vote"})
    id = fields.Integer()
    title = fields.String()
    number = fields.String(allow_none=True)
    date = fields.String(allow_none=True)
    deadline = fields.String(allow_none=True)
    handler = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    link = fields.String(metadata={"description": "the record's page"})


class DocumentsSchema(Schema):
    figure = fields.Nested(ListedFigureSchema)
    period = fields.Nested(PeriodSchema)
    scope = fields.Nested(ScopeSchema)
    total = fields.Integer(metadata={"description": "the figure: every record counted, on all pages"})
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    has_more = fields.Boolean()
    items = fields.List(fields.Nested(ListedRecordSchema))


class ShareSchema(Schema):
    share = fields.Float(allow_none=True, metadata={"description": "electronic ÷ all (0…1); null: none"})


class IncomingShareSchema(ShareSchema):
    electronic = _cell(metadata={"description": "arrived through the exchange or as a born-digital file"})
    scan = _cell(metadata={"description": "a scan of a paper"})


class OutgoingShareSchema(ShareSchema):
    electronic = _cell(metadata={"description": "signed digitally, every outside recipient reached electronically"})
    paper = _cell(metadata={"description": "signed by hand, or sent by post to anyone"})


class MeetingShareSchema(ShareSchema):
    room = _cell(metadata={"description": "held in the electronic meeting room"})
    paper = _cell()


class OverallSchema(ShareSchema):
    electronic = fields.Integer()
    total = fields.Integer()


class WeekSchema(ShareSchema):
    week = fields.String(metadata={"description": "the Monday, yyyy-mm-dd"})
    electronic = fields.Integer()
    total = fields.Integer()


class ProjectionSchema(Schema):
    date = fields.String(allow_none=True, metadata={"description": "when 100 % is reached at the current pace"})
    on_track = fields.Boolean(allow_none=True, metadata={"description": "by the target date"})
    pace_per_week = fields.Float(allow_none=True, metadata={"description": "share gained per week"})
    label = fields.String()


class PaperUnitSchema(Schema):
    unit_id = fields.Integer(allow_none=True)
    unit = fields.String()
    scans_from_exchange_senders = _cell(metadata={
        "description": "incoming scans from senders that are themselves on the exchange"})
    paper_issued = _cell()


class PaperPersistsSchema(Schema):
    by_unit = fields.List(fields.Nested(PaperUnitSchema))


class PaperlessSchema(Schema):
    target = fields.String(metadata={"description": "the target date (yyyy-mm-dd; 30 September unless set)"})
    target_label = fields.String()
    incoming = fields.Nested(IncomingShareSchema)
    outgoing = fields.Nested(OutgoingShareSchema)
    meetings = fields.Nested(MeetingShareSchema)
    overall = fields.Nested(OverallSchema)
    confidential = fields.Nested(ConfidentialSchema, allow_none=True, metadata={
        "description": "confidential documents (paper by law) counted apart; null unless the reader "
                       "may see the confidential register"})
    weeks = fields.List(fields.Nested(WeekSchema), metadata={"description": "the trend: the last 12 weeks"})
    projection = fields.Nested(ProjectionSchema)
    paper_persists = fields.Nested(PaperPersistsSchema)


class SummaryLineSchema(Schema):
    key = fields.String()
    label = fields.String(metadata={"description": "as printed; a sub-line starts with \"- \""})
    value = fields.Raw(metadata={"description": "a count, or the text printed (a rate, an average)"})


class ColumnSchema(Schema):
    key = fields.String()
    label = fields.String()


class LegalReportSchema(Schema):
    kind = fields.String(metadata={"description": "incoming or outgoing"})
    title = fields.String()
    organisation = fields.String()
    period = fields.Nested(PeriodSchema)
    period_line = fields.String()
    scope = fields.String(metadata={"description": "the unit's or person's name; empty: the whole commune"})
    date = fields.String()
    summary = fields.List(fields.Nested(SummaryLineSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                         metadata={"description": "the summary's numbers by key, unrounded"})
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)), metadata={
        "description": "one per document: ``id`` and a value under each column's key"})


# --- the views ----------------------------------------------------------------------------------

def reading(args: dict) -> tuple[Scope, periods.Period, date]:
    """The reader's scope (refused first: 403 before any 422), the period, today."""
    text = as_text_args(args)
    scope = Scope.of(current_user, text)
    today = vn_today()
    return scope, periods.parse(text, today), today


@bp.route("/reports/dashboard")
class Dashboard(MethodView):
    @bp.arguments(ReportQuerySchema, location="query")
    @bp.response(200, DashboardSchema)
    def get(self, args):
        """Every dashboard figure of the period and scope, each with the link to its list."""
        scope, period, today = reading(args)
        return figures.dashboard(scope, period, today)


@bp.route("/reports/documents")
class Documents(MethodView):
    @bp.arguments(DocumentsQuerySchema, location="query")
    @bp.response(200, DocumentsSchema)
    def get(self, args):
        """The records behind a figure (or one cell of its breakdown: ``by`` and ``value``),
        paginated; ``total`` equals the figure."""
        scope, period, today = reading(args)
        return listing(scope, period, today, args["figure"], args.get("by"), args.get("value"),
                       args["page"], args["per_page"]).to_dict()


@bp.route("/reports/paperless")
class Paperless(MethodView):
    @bp.arguments(ReportQuerySchema, location="query")
    @bp.response(200, PaperlessSchema)
    def get(self, args):
        """The paperless progress: electronic shares of incoming, outgoing and meetings, the
        weekly trend, the projection toward the target date, where paper persists."""
        scope, period, today = reading(args)
        return paperless.progress(scope, period, today)


@bp.route("/reports/incoming")
class IncomingReport(MethodView):
    @bp.arguments(ReportQuerySchema, location="query")
    @bp.response(200, LegalReportSchema)
    def get(self, args):
        """Báo cáo tình hình giải quyết văn bản đến (NĐ30 Phụ lục VI §V.2): the summary and one
        row per document of the sổ đến that arrived in the period."""
        scope, period, today = reading(args)
        return legal.as_dict(legal.incoming_report(scope, period, today))


@bp.route("/reports/outgoing")
class OutgoingReport(MethodView):
    @bp.arguments(ReportQuerySchema, location="query")
    @bp.response(200, LegalReportSchema)
    def get(self, args):
        """Báo cáo tình hình giải quyết văn bản đi (NĐ30 Phụ lục VI §V.4): the summary and one
        row per document issued in the period or drafted in it and still in the flow."""
        scope, period, today = reading(args)
        return legal.as_dict(legal.outgoing_report(scope, period, today))
