"""Forms of the search pages: saving the question shown and exporting its results (one form,
two buttons), renaming a saved search. Fields and limits live in ``schemas``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import SchemaForm
from .saved import COLUMNS, DEFAULT_COLUMNS
from .schemas import SavedSearchCreateSchema, SavedSearchUpdateSchema


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _empty_is_none(value):
    return value if value not in ("", None) else None


def _question_field() -> HiddenField:
    return HiddenField(filters=[_empty_is_none])


def column_choices() -> list[tuple[str, str]]:
    return [(c.code, str(c.label)) for c in COLUMNS.values()]


class ResultsForm(SchemaForm):
    """Under the results: the columns to export, the export buttons, and a name to save
    the question under. The question itself travels in hidden fields."""

    schema = SavedSearchCreateSchema

    columns = MultiCheckboxField(_l("Cột trong tệp xuất"), choices=column_choices, default=list(DEFAULT_COLUMNS))
    q = _question_field()
    type = _question_field()
    kind = _question_field()
    direction = _question_field()
    year = _question_field()
    status = _question_field()
    unit = _question_field()
    order = _question_field()


class RenameForm(SchemaForm):
    schema = SavedSearchUpdateSchema
