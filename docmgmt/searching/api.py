"""API door: GET /api/v1/search, the saved searches (/api/v1/search/saved) and the export of
the results (GET /api/v1/search/export)."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_login import current_user

from ..api.blueprint import api_blueprint
from ..records.export import DOCX_MIME, PDF_MIME
from . import export
from . import operations as ops
from . import saved as saved_ops
from .models import SavedSearch
from .schemas import (
    ExportArgsSchema,
    SavedSearchCreateSchema,
    SavedSearchSchema,
    SavedSearchUpdateSchema,
    SearchArgsSchema,
    SearchPageSchema,
)

bp = api_blueprint("search", __name__, "Full-text search over every record the caller may open.")


@bp.route("/search")
class Search(MethodView):
    @bp.arguments(SearchArgsSchema, location="query")
    @bp.response(200, SearchPageSchema)
    def get(self, args):
        """Records of every kind matching q and the filters, among those the caller may open:
        incoming and outgoing documents, meetings' minutes and agenda documents, meetings,
        dossiers (hồ sơ); each hit says its ``kind``.

        Words are ANDed and found with or without diacritics (exact matches rank
        first); "quoted text" is a phrase; numbers/symbols are found as typed. Counts
        and pages are computed after the access filter."""
        filters = ops.Filters(doc_type=args["type"], direction=args["direction"], kind=args["kind"],
                              year=args["year"], status=args["status"], unit=args["unit"])
        found = ops.search(current_user, args["q"], filters, order=args["order"],
                           page=args["page"], per_page=args["per_page"])
        r = found.results
        return {"total": r.total, "total_is_estimate": r.total_is_estimate, "page": r.page, "per_page": r.per_page,
                "hits": [d.as_dict() for d in found.documents]}


# --- saved searches and the export -----------------------------------------------------------------

def _out(saved: SavedSearch) -> dict:
    params = saved_ops.question_of(saved).params()
    return {**{c: getattr(saved, c) for c in ("id", "name", "text", "kind", "doc_type", "direction", "year",
                                              "status", "unit", "order", "columns", "created_at")},
            "search_url": url_for("search.results", **params, saved=saved.id),
            "api_url": url_for("api-search.Search", **params)}


@bp.route("/search/saved")
class SavedSearches(MethodView):
    @bp.response(200, SavedSearchSchema(many=True))
    def get(self):
        """My saved searches, by name (Vietnamese order). Only their owner ever sees them;
        ``api_url`` asks the question again (what the caller may open today)."""
        return [_out(s) for s in saved_ops.list_mine(current_user)]

    @bp.arguments(SavedSearchCreateSchema)
    @bp.response(201, SavedSearchSchema)
    @bp.alt_response(409, description="name_taken (a saved search of mine has that name, letter case aside: "
                     "send overwrite=true to replace it), too_many_saved (at most 50 per person)")
    @bp.alt_response(422, description="validation_error, name_required, too_long, empty_search (no words and no "
                     "filter), columns_required, invalid_column, and the search's own (invalid_type …)")
    def post(self, data):
        """Lưu tìm kiếm: keep a question (words, filters, order) under a name, with the
        columns its results are exported with."""
        saved = saved_ops.save(current_user, data["name"], saved_ops.Question.of(data), data["columns"],
                               overwrite=data["overwrite"])
        return _out(saved)


@bp.route("/search/saved/<int:saved_id>")
class SavedSearchItem(MethodView):
    @bp.arguments(SavedSearchUpdateSchema)
    @bp.response(200, SavedSearchSchema)
    @bp.alt_response(404, description="not_found: no saved search of mine (another person's is never shown)")
    @bp.alt_response(409, description="name_taken")
    @bp.alt_response(422, description="validation_error, name_required, too_long, columns_required")
    def patch(self, data, saved_id):
        """Rename a saved search of mine and/or change its export columns."""
        saved = saved_ops.get_mine(current_user, saved_id)
        return _out(saved_ops.update(current_user, saved, name=data["name"], columns=data["columns"]))

    @bp.response(204)
    @bp.alt_response(404, description="not_found: no saved search of mine")
    def delete(self, saved_id):
        """Forget a saved search of mine."""
        saved_ops.delete(current_user, saved_ops.get_mine(current_user, saved_id))


@bp.route("/search/export")
class Export(MethodView):
    @bp.arguments(ExportArgsSchema, location="query")
    @bp.doc(responses={"200": {"description": "the file (format=docx: Word, format=pdf: PDF)", "content": {
        mime: {"schema": {"type": "string", "format": "binary"}} for mime in (DOCX_MIME, PDF_MIME)}}})
    @bp.alt_response(422, description="validation_error, empty_search (no words and no filter), and the "
                     "search's own (invalid_type …)")
    @bp.alt_response(503, description="search_unavailable: the index is being rebuilt")
    def get(self, args):
        """The results of a question (every page, at most 1000 rows, the cap stated in the
        file) as a DOCX or PDF table with the chosen columns: the title KẾT QUẢ TÌM KIẾM, the
        question and its filters, who exported it and when, STT. Only what the caller may
        open, as GET /search would list it."""
        return export.send_results(current_user, saved_ops.Question.of(args), args["columns"], args["format"],
                                   request.host_url)
