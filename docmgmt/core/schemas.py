"""Marshmallow fields shared by every API schema."""

from __future__ import annotations

from marshmallow import fields

from .text import clean


class Text(fields.String):
    """A string normalised to NFC and trimmed on the way in."""

    def _deserialize(self, value, attr, data, **kwargs):
        return clean(super()._deserialize(value, attr, data, **kwargs))
