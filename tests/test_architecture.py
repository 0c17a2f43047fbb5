"""The shape of the code, checked: no import circles, no domain module importing a door,
a search engine that knows nothing of the app, and parts that are found, not listed.

The import graph is read from the source with ``ast`` (nothing is imported): one node
per module of docmgmt, meetings and search, one edge per import executed when the
module loads (the module's top level, ``if``/``try`` blocks included, ``TYPE_CHECKING``
blocks not). Function-local imports are not edges: they are the documented way out of
a real circle (e.g. the application factory importing what it assembles).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("docmgmt", "meetings", "search")

# Domain modules: the rules and the data. They may be called by any door and import none.
DOMAIN_MODULES = {"operations", "models", "workflow", "access", "schemas"}
# Doors: the web pages, the JSON API, Socket.IO, the command line.
DOOR_MODULES = {"controllers", "api", "sockets", "cli", "web"}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool

    @property
    def tree(self) -> ast.Module:
        return _parse(self.path)


@cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


@cache
def modules() -> dict[str, Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            found[".".join(parts)] = Module(".".join(parts), path, is_package)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _load_time_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run when the module loads (not those inside functions or classes'
    methods, nor those only for the type checker)."""
    for node in body:
        if isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _load_time_statements(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            yield from _load_time_statements(
                node.body + [s for h in node.handlers for s in h.body] + node.orelse + node.finalbody)
        else:
            yield node


def imported_names(module: Module, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Absolute names of what an import statement loads: ``from .x import y`` is
    ``pkg.x.y`` when y is a module, else ``pkg.x``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.name.split(".")
        if not module.is_package:
            base.pop()
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    names = []
    for alias in node.names:
        candidate = f"{prefix}.{alias.name}"
        names.append(candidate if candidate in modules() else prefix)
    return names


def _known(name: str) -> str | None:
    """The module of ours that ``name`` is, or lies in (a.b.C → a.b)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def dependencies(module: Module) -> set[str]:
    """The modules of ours that loading ``module`` loads first. Importing a.b.c runs the
    packages a and a.b too, except those ``module`` itself lies in (already loading)."""
    deps = set()
    for node in _load_time_statements(module.tree.body):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        for name in imported_names(module, node):
            target = _known(name)
            if target is None or target == module.name:
                continue
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                step = ".".join(parts[:i])
                if step in modules() and not (module.name + ".").startswith(step + "."):
                    deps.add(step)
    deps.discard(module.name)
    return deps


def import_graph() -> dict[str, set[str]]:
    return {name: dependencies(m) for name, m in modules().items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def all_imports(module: Module) -> Iterator[tuple[int, str, list[str]]]:
    """Every import in the module, wherever it is: (line, module name, names taken)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            for name in imported_names(module, node):
                yield node.lineno, name, [a.name for a in node.names]


# --- the checks -----------------------------------------------------------------------------

def test_the_graph_reader_sees_the_imports_it_should():
    graph = import_graph()
    assert "docmgmt.documents.history" in graph["docmgmt.incoming.operations"]
    assert "docmgmt.api.blueprint" in graph["docmgmt.incoming.api"]
    assert "docmgmt.core.signals" in graph["docmgmt.searching"]  # from ..core import signals
    assert "docmgmt" in graph["meetings.models"]  # importing docmgmt.x runs docmgmt first
    assert "docmgmt" not in graph["docmgmt.web"]  # … but not for its own modules
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"], ["c"]]


def test_no_import_circles_between_modules():
    circles = [c for c in strongly_connected(import_graph()) if len(c) > 1]
    graph = import_graph()
    described = [
        "\n".join(f"  {m} → {', '.join(sorted(graph[m] & set(c)))}" for m in c) for c in circles
    ]
    assert not circles, "modules that import each other at load time:\n" + "\n\n".join(described)


def _domain_modules() -> list[Module]:
    return [m for name, m in modules().items()
            if name.split(".")[0] in ("docmgmt", "meetings") and name.rpartition(".")[2] in DOMAIN_MODULES]


def _is_door(name: str) -> bool:
    from docmgmt.core.discovery import blueprint_modules

    parts = name.split(".")
    return bool(DOOR_MODULES & set(parts)) or name in blueprint_modules()


@pytest.mark.parametrize("module", _domain_modules(), ids=lambda m: m.name)
def test_domain_module_imports_no_door(module: Module):
    """An operation, a model, a lifecycle table, an access rule or a schema knows no
    request, page, API or socket: every door calls it, it calls none of them."""
    problems = []
    for line, name, taken in all_imports(module):
        if name == "flask" and {"request", "session", "g"} & set(taken):
            problems.append(f"line {line}: from flask import {', '.join(taken)}")
        elif name in ("flask.request", "flask.globals"):
            problems.append(f"line {line}: {name}")
        elif (target := _known(name)) is not None and _is_door(target):
            problems.append(f"line {line}: {target}")
    assert not problems, f"{module.name} imports a door: " + "; ".join(problems)


def test_search_engine_imports_neither_flask_nor_the_app():
    """``search`` is a pure engine behind a small interface: the app feeds and asks it."""
    problems = []
    for name, module in modules().items():
        if not name.startswith("search"):
            continue
        for line, imported, _taken in all_imports(module):
            top = imported.split(".")[0]
            if top in ("flask", "docmgmt", "meetings") or top.startswith("flask_"):
                problems.append(f"{name} line {line}: {imported}")
    assert not problems, problems


def test_blueprints_and_models_are_discovered_not_listed(tmp_path):
    """Every module-level blueprint of docmgmt and meetings is registered under its own
    name; every models module is loaded. Nobody keeps a list of them."""
    from flask import Blueprint
    from flask_smorest import Blueprint as SmorestBlueprint

    from docmgmt import create_app
    from docmgmt.core import discovery
    from docmgmt.extensions import db
    from tests.conftest import instance_config

    app = create_app(instance_config(tmp_path))
    defined = []
    for name in modules():
        if not name.startswith(("docmgmt", "meetings")) or name.startswith("docmgmt.api"):
            continue
        source = modules()[name].path.read_text(encoding="utf-8")
        if "Blueprint(" in source or "api_blueprint(" in source:
            module = __import__(name, fromlist=["_"])
            defined += [bp for bp in vars(module).values()
                        if isinstance(bp, Blueprint) and bp.import_name == name]
    assert defined
    for bp in defined:
        assert app.blueprints.get(bp.name) is bp, bp.name
        if isinstance(bp, SmorestBlueprint):
            assert any(r.endpoint.startswith(f"{bp.name}.") and r.rule.startswith("/api/v1/")
                       for r in app.url_map.iter_rules()), bp.name
    assert {"docmgmt.documents.models", "meetings.models", "docmgmt.incoming.models"} <= set(
        discovery.import_models())
    assert {"document_event", "register", "holiday", "meeting", "search_job"} <= set(db.metadata.tables)


def test_timeline_words_come_from_the_module_that_records_the_event(tmp_path):
    """Incoming, outgoing and the exchange each name their own events, in one registry."""
    from docmgmt import create_app
    from docmgmt.documents.history import event_label
    from tests.conftest import instance_config

    create_app(instance_config(tmp_path))
    assert event_label("incoming", "registered") == "Vào sổ đến"
    assert event_label("incoming", "edxml_received") == "Nhận qua trục liên thông"
    assert event_label("outgoing", "issued") == "Cấp số, phát hành"
    assert event_label("outgoing", "exchange_sent") == "Đã gửi qua trục liên thông"
    assert event_label("outgoing", "something_new") == "something_new"


def test_every_signal_is_documented_and_sent():
    """A signal says who sends it with what; one nobody sends is not kept."""
    from blinker import NamedSignal

    from docmgmt.core import signals

    sources = "\n".join(m.path.read_text(encoding="utf-8") for name, m in modules().items()
                        if name != "docmgmt.core.signals")
    found = {name: s for name, s in vars(signals).items() if isinstance(s, NamedSignal)}
    assert found
    for name, signal in found.items():
        assert signal.__doc__ and "Sender:" in signal.__doc__, f"{name} is not documented"
        assert f"signals.{name}.send(" in sources, f"{name} is never sent"
