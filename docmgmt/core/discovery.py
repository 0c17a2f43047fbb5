"""Finding the parts of the application instead of listing them (Indico's
``discover_blueprints`` and ``import_all_models``).

The domain packages are every subpackage of ``docmgmt`` and the ``meetings`` package.
Walking them in name order:

* a module that creates a blueprint at module level (``bp = Blueprint(...)``,
  ``bp = api_blueprint(...)``) is imported, and every blueprint it defines is returned:
  the flask ones for the web door (``docmgmt.web``), the flask-smorest ones for the API
  (``docmgmt.api``, under ``/api/v1``). A blueprint keeps the name and URL prefix it was
  created with.
* every package's ``models`` module is imported, so SQLAlchemy and Alembic know every
  table.

Modules are chosen by reading their source, not by importing everything: a module that
defines no blueprint is not loaded just to find out. The walk runs once per process;
the order (packages, then modules, by name; blueprints in definition order within a
module) is the same on every run.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
from pathlib import Path

from flask import Blueprint
from flask_smorest import Blueprint as SmorestBlueprint

ROOTS = ("docmgmt", "meetings")
_BLUEPRINT_FACTORIES = {"Blueprint", "SmorestBlueprint", "api_blueprint"}


def _root_dir(root: str) -> Path:
    spec = importlib.util.find_spec(root)
    assert spec is not None and spec.submodule_search_locations, root
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def domain_packages() -> tuple[str, ...]:
    """``docmgmt.admin`` … ``docmgmt.signing``, then ``meetings``."""
    names: list[str] = []
    for root in ROOTS:
        folder = _root_dir(root)
        if root == "docmgmt":
            names += [f"{root}.{d.name}" for d in sorted(folder.iterdir())
                      if (d / "__init__.py").is_file()]
        else:
            names.append(root)
    return tuple(names)


def _package_dir(package: str) -> Path:
    root, *inner = package.split(".")
    return _root_dir(root).joinpath(*inner)


def _modules_of(package: str) -> list[tuple[str, Path]]:
    """Every module of a package (not its subpackages' modules), in name order."""
    return [(f"{package}.{f.stem}", f) for f in sorted(_package_dir(package).glob("*.py"))
            if f.stem != "__init__"]


def _creates_blueprint(source: str) -> bool:
    """Does this module assign a Blueprint(...) / api_blueprint(...) at module level?"""
    if not any(f"{name}(" in source for name in _BLUEPRINT_FACTORIES):
        return False  # the cheap test first: most modules create none
    for node in ast.parse(source).body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Call):
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _BLUEPRINT_FACTORIES:
                return True
    return False


@functools.cache
def blueprint_modules() -> tuple[str, ...]:
    return tuple(
        name for package in domain_packages() for name, path in _modules_of(package)
        if _creates_blueprint(path.read_text(encoding="utf-8"))
    )


def blueprints() -> list[Blueprint]:
    """Every blueprint defined at module level in a domain package, in a stable order."""
    found: list[Blueprint] = []
    for name in blueprint_modules():
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if isinstance(obj, Blueprint) and obj.import_name == name and obj not in found:
                found.append(obj)
    return found


def web_blueprints() -> list[Blueprint]:
    """The page blueprints, for ``app.register_blueprint``."""
    return [bp for bp in blueprints() if not isinstance(bp, SmorestBlueprint)]


def api_blueprints() -> list[SmorestBlueprint]:
    """The API blueprints, for ``api.register_blueprint(…, url_prefix="/api/v1")``."""
    return [bp for bp in blueprints() if isinstance(bp, SmorestBlueprint)]


def import_models() -> list[str]:
    """Import every domain package's ``models``; returns their names."""
    names = [f"{package}.models" for package in domain_packages()
             if (_package_dir(package) / "models.py").is_file()
             or (_package_dir(package) / "models" / "__init__.py").is_file()]
    for name in names:
        importlib.import_module(name)
    return names
