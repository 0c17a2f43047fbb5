"""Every marshmallow schema that reads input, found from the doors rather than listed by hand:

* the API: each operation's ``@bp.arguments`` and its documented request bodies
  (``@bp.doc(requestBody=…)`` for the views that parse the body themselves);
* the pages: every :class:`~docmgmt.core.forms.SchemaForm`'s ``schema``;
* the doors that load by hand: ``load_form(form, X…)``, ``parse_body(X…)``, ``_parse(X)``
  and ``X().load(…)`` anywhere in a domain package (the edXML import, the meeting
  documents, a field that loads a nested schema);
* and, inside each of those, the schemas of their nested fields.

A new door built on the usual helpers is found without touching this file.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator

from marshmallow import Schema, fields

from docmgmt.core.discovery import domain_packages

LOADERS = {"load_form", "parse_body", "_parse"}


def _schema_class(obj) -> type[Schema] | None:
    if isinstance(obj, Schema):
        return type(obj)
    if isinstance(obj, type) and issubclass(obj, Schema):
        return obj
    return None


def _api_schemas(app) -> Iterator[type[Schema]]:
    for view in app.view_functions.values():
        cls = getattr(view, "view_class", None)
        funcs = [getattr(cls, m) for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)] \
            if cls is not None else [view]
        for func in funcs:
            doc = getattr(func, "_apidoc", {})
            for param in doc.get("arguments", {}).get("parameters", []):
                if (found := _schema_class(param["schema"])) is not None:
                    yield found
            body = doc.get("manual_doc", {}).get("requestBody", {})
            for content in body.get("content", {}).values():
                if (found := _schema_class(content.get("schema"))) is not None:
                    yield found


def _form_schemas() -> Iterator[type[Schema]]:
    from docmgmt.core.forms import SchemaForm

    todo = list(SchemaForm.__subclasses__())
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        if form.schema is not None:
            yield form.schema


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _names_loaded_by_hand(source: str) -> set[str]:
    """``X`` in ``load_form(form, X)``, ``parse_body(X)``, ``X().load(…)``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        if _called_name(node) in LOADERS:
            names.update(a.id for a in node.args if isinstance(a, ast.Name))
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "load" and isinstance(func.value, ast.Call) \
                and isinstance(func.value.func, ast.Name):
            names.add(func.value.func.id)
    return names


def _hand_loaded_schemas() -> Iterator[type[Schema]]:
    from docmgmt.core.discovery import _modules_of

    for package in domain_packages():
        for name, path in _modules_of(package):
            wanted = _names_loaded_by_hand(path.read_text(encoding="utf-8"))
            if not wanted:
                continue
            module = importlib.import_module(name)
            for attr in wanted:
                if (found := _schema_class(getattr(module, attr, None))) is not None:
                    yield found


def _nested(schema_cls: type[Schema]) -> Iterator[type[Schema]]:
    for field in schema_cls().load_fields.values():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and (found := _schema_class(inner.nested)) is not None:
            yield found


def input_schemas(app) -> list[type[Schema]]:
    """Every schema some door loads input through, nested ones included, by name."""
    found: dict[str, type[Schema]] = {}
    todo = [*_api_schemas(app), *_form_schemas(), *_hand_loaded_schemas()]
    while todo:
        schema_cls = todo.pop()
        key = f"{schema_cls.__module__}.{schema_cls.__qualname__}"
        if key not in found:
            found[key] = schema_cls
            todo.extend(_nested(schema_cls))
    return [found[k] for k in sorted(found)]
