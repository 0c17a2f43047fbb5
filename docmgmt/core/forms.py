"""Helpers for web forms: the submitted values go through the command's API schema (the
one definition of its fields and limits), and a refusal — from the schema or from the
domain — is shown next to the field it concerns.

A form keeps only what is about the page: labels, choices, widgets, the dd/mm/yyyy date
parsing and CSRF. It has no length, range or required validators of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import Schema, ValidationError, validate
from marshmallow import fields as mfields
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from .errors import DomainError
from .schemas import field_errors, length_limits, number_ranges
from .text import clean, vn_sort_key


def show_error(form, err: DomainError) -> None:
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*list(field.errors), err.message]
    else:
        flash(err.message, "danger")


def _add_errors(form, name: str | None, messages: list[str]) -> None:
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors), *messages]
    else:
        for message in messages:
            flash(message, "danger")


def load_form(form, schema_cls: type[Schema], *, fields: dict[str, str] | None = None,
              **extra: Any) -> Any | None:
    """The submitted values, loaded through ``schema_cls`` into the operation's input.

    ``form.data`` gives the values the form parsed (dates already ``date``s); ``extra``
    adds or replaces values the form shapes differently (``starts_at`` from a day and a
    time). Empty (``None``) values are left out, so the schema's defaults apply. On a
    refusal each message goes under its form field (``fields`` maps a schema name to the
    form's where they differ; a message for no field of the form is flashed) and the
    result is ``None``.
    """
    fields = fields or {}
    schema = schema_cls()
    names = {f.data_key or name for name, f in schema.load_fields.items()}
    data = {name: value for name, value in form.data.items() if name in names}
    data.update(extra)
    data = {name: value for name, value in data.items() if value is not None}
    try:
        return schema.load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        for name, problems in field_errors(messages).items():
            _add_errors(form, fields.get(name, name), problems)
        return None
    except DomainError as err:  # refused while building the input (an unknown assignee)
        if err.field in fields:
            err.field = fields[err.field]
        show_error(form, err)
        return None


# Dates are typed and shown dd/mm/yyyy whatever the browser's language (a native date field
# follows the browser: mm/dd/yyyy in an English one). WTForms shows a date in the first
# format; ISO is still accepted.
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
BAD_DATE = _l("Ngày không hợp lệ (nhập dạng ngày/tháng/năm).")
BAD_NUMBER = _l("Hãy nhập một số.")
BAD_YEAR = _l("Năm phải từ %(min)s đến %(max)s.")
# Longer limits than this get a text area rather than a line.
LINE_LIMIT = 255


class VnDateField(DateField):
    """A date entered and shown as dd/mm/yyyy (ISO accepted too) in a text input that app.js
    turns into a date picker (every input marked data-date)."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATE_FORMATS)
        kwargs.setdefault("invalid_value_message", BAD_DATE)
        kwargs["render_kw"] = {"inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off",
                               "data-date": True, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)


def date_field(label: Any, **kwargs: Any) -> DateField:
    """A date entered and shown as dd/mm/yyyy (ISO accepted too)."""
    return VnDateField(label, validators=[Optional()], **kwargs)


def optional_int(value):
    """The coercion of a select of ids: values arrive as text; "" means none chosen."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _label_of(field: mfields.Field) -> Any:
    label = field.metadata.get("label")
    if label is None:
        label = next((v.what for v in field.validators if hasattr(v, "what")), None)
    return label


def _widget_for(field: mfields.Field, label: Any) -> Any:
    """The form field a schema field gets when the form does not declare its own."""
    if isinstance(field, mfields.Date):
        return date_field(label)
    if isinstance(field, mfields.Integer):
        return IntegerField(label, validators=[Optional()], invalid_value_message=BAD_NUMBER)
    if isinstance(field, mfields.Boolean):
        return BooleanField(label)
    limit = next((v.max for v in field.validators if isinstance(v, validate.Length) and v.max), None)
    if limit is not None and limit > LINE_LIMIT:
        return TextAreaField(label, filters=[clean])
    return StringField(label, filters=[clean])


class SchemaForm(FlaskForm):
    """A form for a command whose fields and limits live in ``schema``.

    Every schema field with a label (``metadata={"label": …}``, or the name its length or
    range refusal uses) that the form does not declare itself gets a widget from its type:
    a line or a text area for text, dd/mm/yyyy for a date, a number, a tick box. A form
    declares only what the schema cannot say (choices, files, a default of today). Each
    text field gets the schema's limit as its ``maxlength`` and each number field its
    ``min``/``max``, so the page stops the typing where the schema would refuse it."""

    schema: ClassVar[type[Schema] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.schema is None:
            return
        for name, field in cls.schema._declared_fields.items():
            label = _label_of(field)
            if field.dump_only or field.metadata.get("form") is False or label is None \
                    or hasattr(cls, name):
                continue
            setattr(cls, name, _widget_for(field, label))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.schema is None:
            return
        for name, limit in length_limits(self.schema).items():
            field = self._fields.get(name)
            if field is not None and field.type in ("StringField", "TextAreaField"):
                field.render_kw = {"maxlength": limit, **(field.render_kw or {})}
        for name, (low, high) in number_ranges(self.schema).items():
            field = self._fields.get(name)
            if field is not None and field.type == "IntegerField":
                field.render_kw = {"min": low, "max": high, **(field.render_kw or {})}


def _token(person: Any) -> Any:
    return f"u:{person.id}"


def _name_and_unit(person: Any) -> str:
    return person.full_name + (f" ({person.unit.abbreviation})" if person.unit else "")


def people_by_unit(people: Iterable[Any], no_unit: str, value: Callable[[Any], Any] = _token,
                   label: Callable[[Any], str] = _name_and_unit) -> dict[str, list[tuple[Any, str]]]:
    """Choices for a people picker (optgroups): `u:<id>` grouped by unit (units in Vietnamese
    order, people in the order given, those without a unit last under `no_unit`). The label
    keeps the unit's abbreviation: a chosen name shows alone, and typing "KT" finds the unit's
    people."""
    groups: dict[str, list[tuple[Any, str]]] = {}
    for person in people:
        name = person.unit.name if person.unit else ""
        groups.setdefault(name, []).append((value(person), label(person)))
    names = sorted((n for n in groups if n), key=vn_sort_key) + ([""] if "" in groups else [])
    return {(n or no_unit): groups[n] for n in names}
