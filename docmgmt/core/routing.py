"""The ``int`` of every route (``/incoming/<int:document_id>``), bounded by the database.

Werkzeug's converter takes any run of digits; an id of 2⁶⁴ would then reach a query and
end as an ``OverflowError`` (a 500), or be answered by a permission check or a body
parser first (a 403 or a 422 about something that does not exist). This one matches
only a number a database column can hold, so a longer one matches no route: "not found",
the same answer every door gives for an id that names nothing. The application factory
installs it under the name ``int``; the OpenAPI document shows its bounds.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from .schemas import MAX_INT


class BoundedIntConverter(IntegerConverter):
    regex = r"\d{1,19}"  # MAX_INT has 19 digits: no longer run is ever parsed

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_INT, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def install(app: Any) -> None:
    """Before any route is added: every ``<int:…>`` then uses the bounded converter."""
    app.url_map.converters["int"] = BoundedIntConverter
