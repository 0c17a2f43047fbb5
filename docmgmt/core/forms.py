"""Helpers for web forms: put a refusal from the domain next to the field it concerns."""

from flask import flash

from .errors import DomainError


def show_error(form, err: DomainError) -> None:
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*list(field.errors), err.message]
    else:
        flash(err.message, "danger")
