"""Marshmallow fields shared by every API schema, and the limits every door reads.

A command's schema (``<module>/schemas.py``) is the one definition of its fields and
limits: the API loads requests through it, the web forms pass what they parsed through
it (:func:`docmgmt.core.forms.load_form`), the edXML import builds its input through it.
Refusals are worded in the user's language (Vietnamese by default) at the moment they
are made, and keyed by the field they concern.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from .text import clean

# marshmallow's own messages are English; these are the ones a clerk reads.
_COMMON = {
    "required": _l("Thiếu thông tin bắt buộc."),
    "null": _l("Không được để trống."),
    "validator_failed": _l("Giá trị không hợp lệ."),
}


def _error(messages: Mapping[str, Any], key: str, kwargs: dict[str, Any]) -> ValidationError | None:
    """A message given lazily (to be translated now), formatted like marshmallow's own."""
    message = messages.get(key)
    if message is None or isinstance(message, str | bytes):
        return None
    return ValidationError(str(message).format(**kwargs))


class Text(fields.String):
    """A string normalised to NFC and trimmed on the way in."""

    default_error_messages = {**_COMMON, "invalid": _l("Cần một chuỗi ký tự.")}

    def _deserialize(self, value, attr, data, **kwargs):
        return clean(super()._deserialize(value, attr, data, **kwargs))

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        return _error(self.error_messages, key, kwargs) or super().make_error(key, **kwargs)


class Date(fields.Date):
    """A date: ISO 8601 (yyyy-mm-dd) from the API, a ``date`` already parsed (dd/mm/yyyy)
    by a web form."""

    default_error_messages = {**_COMMON, "invalid": _l("Ngày không hợp lệ (dạng năm-tháng-ngày).")}

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        return _error(self.error_messages, key, kwargs) or super().make_error(key, **kwargs)


class DateTime(fields.DateTime):
    """A moment: ISO 8601 from the API, a ``datetime`` already parsed by a web form."""

    default_error_messages = {**_COMMON, "invalid": _l("Thời gian không hợp lệ.")}

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        return _error(self.error_messages, key, kwargs) or super().make_error(key, **kwargs)


class Integer(fields.Integer):
    """A whole number a database column can hold. Unless the schema gives the field a range
    of its own, anything beyond ±(2⁶³−1) is refused like any wrong number, under the field's
    name: it never reaches a query (where it would be an ``OverflowError``, a 500)."""

    default_error_messages = {**_COMMON, "invalid": _l("Hãy nhập một số.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(_bounded(v) for v in self.validators):
            self.validators.append(InColumn())

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        return _error(self.error_messages, key, kwargs) or super().make_error(key, **kwargs)


class Boolean(fields.Boolean):
    default_error_messages = {**_COMMON, "invalid": _l("Giá trị đúng/sai không hợp lệ.")}

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        return _error(self.error_messages, key, kwargs) or super().make_error(key, **kwargs)


class List(fields.List):
    default_error_messages = {**_COMMON, "invalid": _l("Cần một danh sách.")}

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        return _error(self.error_messages, key, kwargs) or super().make_error(key, **kwargs)


# --- limits ----------------------------------------------------------------------------------

# The largest whole number a database column holds (SQLite INTEGER, PostgreSQL BIGINT).
MAX_INT = 2**63 - 1


class MaxLength(validate.Length):
    """At most ``max`` characters: "Trích yếu quá dài (tối đa 500 ký tự)."."""

    def __init__(self, max: int, what: str) -> None:  # noqa: A002 - marshmallow's own name
        super().__init__(max=max)
        self.what = what

    def _format_error(self, value, message) -> str:
        return _("%(what)s quá dài (tối đa %(max)s ký tự).", what=self.what, max=self.max)


class MaxTotalLength(MaxLength):
    """At most ``max`` characters in all the items of a list together (paragraphs)."""

    def __call__(self, value):
        if sum(len(item) for item in value) > (self.max or 0):
            raise ValidationError(self._format_error(value, ""))
        return value


class InColumn(validate.Range):
    """The range of a database integer column: the bound every :class:`Integer` has."""

    def __init__(self) -> None:
        super().__init__(min=-MAX_INT, max=MAX_INT)

    def _format_error(self, value, message) -> str:
        return _("Số nằm ngoài giới hạn cho phép.")


def _bounded(validator: Any) -> bool:
    return isinstance(validator, validate.Range) and validator.min is not None \
        and validator.max is not None and validator.min >= -MAX_INT and validator.max <= MAX_INT


class Between(validate.Range):
    """A whole number in a range: "Số trang phải từ 1 đến 999."."""

    def __init__(self, min: int, max: int, what: str, unit: str = "") -> None:  # noqa: A002
        super().__init__(min=min, max=max)
        self.what, self.unit = what, unit

    def _format_error(self, value, message) -> str:
        if self.unit:
            return _("%(what)s phải từ %(min)s đến %(max)s %(unit)s.", what=self.what,
                     min=self.min, max=self.max, unit=self.unit)
        return _("%(what)s phải từ %(min)s đến %(max)s.", what=self.what, min=self.min, max=self.max)


# A list's pages: a page past the last is empty; one past MAX_PAGE is refused (its offset
# would not fit a query).
MAX_PAGE = 100_000


def page_number() -> Integer:
    """``?page=`` of a list, from 1."""
    return Integer(load_default=1, validate=Between(1, MAX_PAGE, _l("Trang")),
                   metadata={"description": "from 1; past the last page, an empty page"})


def page_size(default: int, most: int) -> Integer:
    """``?per_page=`` of a list."""
    return Integer(load_default=default, validate=Between(1, most, _l("Số mục mỗi trang")))


class OneOf(validate.OneOf):
    """One of the listed codes, refused with the caller's sentence."""

    def __init__(self, choices, message: str) -> None:
        super().__init__(choices)
        self.message = message

    def _format_error(self, value) -> str:
        return str(self.message)


class Filled(validate.Validator):
    """Not empty, refused with the caller's sentence ("Hãy chọn …")."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, value):
        if not value:
            raise ValidationError(str(self.message))
        return value


def _fields(schema_cls: type[Schema]) -> Mapping[str, fields.Field]:
    return schema_cls().load_fields


def max_length(schema_cls: type[Schema], name: str) -> int:
    """The character limit ``schema_cls`` sets on field ``name`` (for a door that must
    cut what it receives to fit, such as the edXML import)."""
    for validator in _fields(schema_cls)[name].validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
    raise LookupError(f"{schema_cls.__name__}.{name} has no length limit")


def value_range(schema_cls: type[Schema], name: str) -> tuple[int, int]:
    """The (min, max) ``schema_cls`` sets on the number field ``name``."""
    for validator in _fields(schema_cls)[name].validators:
        if isinstance(validator, validate.Range) and not isinstance(validator, InColumn) \
                and validator.min is not None and validator.max is not None:
            return int(validator.min), int(validator.max)
    raise LookupError(f"{schema_cls.__name__}.{name} has no range")


def length_limits(schema_cls: type[Schema]) -> dict[str, int]:
    """Every text field's character limit, by field name (the pages' ``maxlength``)."""
    limits = {}
    for name, field in _fields(schema_cls).items():
        for validator in field.validators:
            if isinstance(validator, validate.Length) and validator.max is not None:
                limits[field.data_key or name] = validator.max
    return limits


def number_ranges(schema_cls: type[Schema]) -> dict[str, tuple[int, int]]:
    """Every number field's (min, max), by field name (the pages' ``min``/``max``)."""
    ranges = {}
    for name, field in _fields(schema_cls).items():
        for validator in field.validators:
            if isinstance(validator, validate.Range) and not isinstance(validator, InColumn) \
                    and validator.min is not None and validator.max is not None:
                ranges[field.data_key or name] = (int(validator.min), int(validator.max))
    return ranges


# --- refusals ---------------------------------------------------------------------------------

def _leaves(problems: Any) -> Iterator[str]:
    if isinstance(problems, Mapping):
        for value in problems.values():
            yield from _leaves(value)
    elif isinstance(problems, list | tuple):
        for value in problems:
            yield from _leaves(value)
    else:
        yield str(problems)


def field_errors(messages: Mapping[Any, Any]) -> dict[str, list[str]]:
    """marshmallow's (possibly nested) messages as sentences per top-level input field:
    ``{"external": {0: {"organ_name": ["…"]}}}`` → ``{"external": ["…"]}``."""
    return {str(name): list(_leaves(problems)) for name, problems in messages.items()}
