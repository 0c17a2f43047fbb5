"""API door: GET /api/v1/search."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from ..api.blueprint import api_blueprint
from . import operations as ops
from .schemas import SearchArgsSchema, SearchPageSchema

bp = api_blueprint("search", __name__, "Full-text search over the documents the caller may open.")


@bp.route("/search")
class Search(MethodView):
    @bp.arguments(SearchArgsSchema, location="query")
    @bp.response(200, SearchPageSchema)
    def get(self, args):
        """Documents matching q and the filters, among those the caller may open.

        Words are ANDed and found with or without diacritics (exact matches rank
        first); "quoted text" is a phrase; numbers/symbols are found as typed. Counts
        and pages are computed after the access filter."""
        filters = ops.Filters(doc_type=args["type"], direction=args["direction"],
                              year=args["year"], status=args["status"], unit=args["unit"])
        found = ops.search(current_user, args["q"], filters, order=args["order"],
                           page=args["page"], per_page=args["per_page"])
        r = found.results
        return {"total": r.total, "page": r.page, "per_page": r.per_page,
                "hits": [d.as_dict() for d in found.documents]}
