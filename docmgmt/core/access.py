"""Who may see what, written once: one rule gives the Python predicate, the SQL clause
and the search-index tokens.

A person holds *principal tokens* (:func:`principals_of`): ``u:<id>`` (themselves),
``unit:<id>`` (a member of that unit who handles documents), ``head:<id>`` (head of
that unit) and ``perm:<name>`` for each permission their roles grant. A rule is a small tree of
*terms* built from the model's own columns; each term answers three questions:

* ``tokens(obj)``     — which principals it opens ``obj`` to (stored in the search index),
* ``clause(tokens)``  — the SQL condition, for a person holding those principals,
* and so the predicate: ``principals_of(user) ∩ rule.tokens(obj) ≠ ∅``.

Because lists, counts, queues, search and pages all ask the same tree, a person is
shown exactly what they may open, page by page. ``tests/test_access_property.py``
checks that the predicate and the SQL agree over generated people and documents.

Organisation scoping is not a term: every rule (and :func:`get_scoped`) adds it, so
another commune's record is always "not found".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from .errors import not_found
from .permissions import Permission, Role

if TYPE_CHECKING:
    from ..org.models import User

T = TypeVar("T")

# The largest id a database column holds; a larger one cannot name a record.
MAX_ID = 2**63 - 1

# Search indexes written before this module stored "perm:all" for VIEW_ALL_DOCUMENTS.
_PERMISSION_TOKENS = {Permission.VIEW_ALL_DOCUMENTS: "perm:all"}


def permission_token(permission: Permission) -> str:
    return _PERMISSION_TOKENS.get(permission, f"perm:{permission.value}")


def principals_of(user: User | None) -> frozenset[str]:
    """The tokens a person holds; nobody (signed out, deactivated) holds none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return frozenset()
    tokens = {f"u:{user.id}"}
    # What is given or sent to a unit as a whole concerns the people of the unit who handle
    # documents: not an account that only administers (nobody directs or sends to it).
    if user.unit_id is not None and user.can(Permission.HANDLE_ASSIGNED):
        tokens.add(f"unit:{user.unit_id}")
        if user.has_role(Role.HEAD_OF_UNIT):
            tokens.add(f"head:{user.unit_id}")
    tokens.update(permission_token(p) for p in Permission if user.can(p))
    return frozenset(tokens)


def _ids(principals: Iterable[str], kind: str) -> list[int]:
    prefix = f"{kind}:"
    return sorted(int(t[len(prefix):]) for t in principals if t.startswith(prefix))


def _value(obj: Any, column: InstrumentedAttribute) -> Any:
    return getattr(obj, column.key)


# --- conditions on the record alone ------------------------------------------------------------

class Condition:
    """A test on the record itself (its state, a column), true or false for everyone."""

    def test(self, obj: Any) -> bool:
        raise NotImplementedError

    def clause(self) -> ColumnElement[bool]:
        raise NotImplementedError

    def __and__(self, other: Condition) -> Condition:
        return AllOf(self, other)

    def __invert__(self) -> Condition:
        return Not(self)


@dataclass(frozen=True)
class Is(Condition):
    """The column holds one of these values."""

    column: InstrumentedAttribute
    values: tuple

    def __init__(self, column: InstrumentedAttribute, *values: Any):
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "values", tuple(str(v) if isinstance(v, str) else v for v in values))

    def test(self, obj: Any) -> bool:
        return _value(obj, self.column) in self.values

    def clause(self) -> ColumnElement[bool]:
        return self.column.in_(self.values)


@dataclass(frozen=True)
class IsNone(Condition):
    column: InstrumentedAttribute

    def test(self, obj: Any) -> bool:
        return _value(obj, self.column) is None

    def clause(self) -> ColumnElement[bool]:
        return self.column.is_(None)


@dataclass(frozen=True)
class Not(Condition):
    inner: Condition

    def test(self, obj: Any) -> bool:
        return not self.inner.test(obj)

    def clause(self) -> ColumnElement[bool]:
        return sa.not_(self.inner.clause())


@dataclass(frozen=True)
class AllOf(Condition):
    left: Condition
    right: Condition

    def test(self, obj: Any) -> bool:
        return self.left.test(obj) and self.right.test(obj)

    def clause(self) -> ColumnElement[bool]:
        return sa.and_(self.left.clause(), self.right.clause())


# --- terms: who a record is open to --------------------------------------------------------------

class Term:
    def tokens(self, obj: Any) -> set[str]:
        raise NotImplementedError

    def clause(self, principals: frozenset[str]) -> ColumnElement[bool]:
        raise NotImplementedError

    def allows(self, user: User, obj: Any) -> bool:
        return not principals_of(user).isdisjoint(self.tokens(obj))

    def __or__(self, other: Term) -> Term:
        return AnyOf(self, other)


@dataclass(frozen=True)
class Perm(Term):
    """Everyone whose roles grant this permission."""

    permission: Permission

    def tokens(self, obj: Any) -> set[str]:
        return {permission_token(self.permission)}

    def clause(self, principals: frozenset[str]) -> ColumnElement[bool]:
        return sa.true() if permission_token(self.permission) in principals else sa.false()


@dataclass(frozen=True)
class _Principal(Term):
    column: InstrumentedAttribute
    kind = ""

    def tokens(self, obj: Any) -> set[str]:
        value = _value(obj, self.column)
        return set() if value is None else {f"{self.kind}:{value}"}

    def clause(self, principals: frozenset[str]) -> ColumnElement[bool]:
        ids = _ids(principals, self.kind)
        return self.column.in_(ids) if ids else sa.false()


class Person(_Principal):
    """The person this column names."""

    kind = "u"


class MemberOf(_Principal):
    """Every member of the unit this column names."""

    kind = "unit"


class HeadOf(_Principal):
    """The head of the unit this column names."""

    kind = "head"


@dataclass(frozen=True)
class AnyOf(Term):
    terms: tuple[Term, ...]

    def __init__(self, *terms: Term):
        object.__setattr__(self, "terms", terms)

    def tokens(self, obj: Any) -> set[str]:
        return set().union(*(t.tokens(obj) for t in self.terms))

    def clause(self, principals: frozenset[str]) -> ColumnElement[bool]:
        return sa.or_(*(t.clause(principals) for t in self.terms))


@dataclass(frozen=True)
class When(Term):
    """The term applies only while the record meets the condition."""

    condition: Condition
    term: Term

    def tokens(self, obj: Any) -> set[str]:
        return self.term.tokens(obj) if self.condition.test(obj) else set()

    def clause(self, principals: frozenset[str]) -> ColumnElement[bool]:
        return sa.and_(self.condition.clause(), self.term.clause(principals))


@dataclass(frozen=True)
class Each(Term):
    """Through any of the related records (``relationship.any(…)`` in SQL)."""

    relationship: InstrumentedAttribute
    term: Term

    def tokens(self, obj: Any) -> set[str]:
        return set().union(*(self.term.tokens(child) for child in _value(obj, self.relationship)))

    def clause(self, principals: frozenset[str]) -> ColumnElement[bool]:
        return self.relationship.any(self.term.clause(principals))


@dataclass(frozen=True)
class Anyone(Term):
    """Every person of the organisation who holds a role (the rule adds the organisation):
    a published week's schedule, an approved dossier plan."""

    def tokens(self, obj: Any) -> set[str]:
        return {permission_token(p) for p in Permission}

    def clause(self, principals: frozenset[str]) -> ColumnElement[bool]:
        tokens = self.tokens(None)
        return sa.true() if not principals.isdisjoint(tokens) else sa.false()


# --- a rule: the organisation, paper-only records, and the term ----------------------------------

@dataclass(frozen=True)
class Rule(Generic[T]):
    """Who may open records of ``model``: people of its organisation the term opens it to.

    ``paper_only`` marks records that exist only as a paper-tracking entry (văn bản mật):
    those are open to whoever holds ``Permission.VIEW_CONFIDENTIAL`` and to nobody else,
    and never reach the search index.
    """

    model: type[T]
    term: Term
    paper_only: Condition | None = None

    def tokens(self, obj: T) -> list[str]:
        """The principals a record is open to, as the search index stores them."""
        if self.paper_only is not None and self.paper_only.test(obj):
            return [permission_token(Permission.VIEW_CONFIDENTIAL)]
        return sorted(self.term.tokens(obj))

    def allows(self, user: User | None, obj: T) -> bool:
        if user is None or not user.active or _value(obj, self._org) != user.organisation_id:
            return False
        return not principals_of(user).isdisjoint(self.tokens(obj))

    def clause(self, user: User | None) -> ColumnElement[bool]:
        principals = principals_of(user)
        if user is None or not principals:
            return sa.false()
        opened = self.term.clause(principals)
        if self.paper_only is not None:
            paper = self.paper_only.clause()
            may_see_paper = permission_token(Permission.VIEW_CONFIDENTIAL) in principals
            opened = sa.or_(paper, opened) if may_see_paper else sa.and_(sa.not_(paper), opened)
        return sa.and_(self._org == user.organisation_id, opened)

    def select(self, user: User | None) -> sa.Select:
        """``SELECT model WHERE <may open>``: add filters, order and paging to it."""
        return sa.select(self.model).where(self.clause(user))

    def count(self, user: User | None, *where: ColumnElement[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(self.model).where(self.clause(user), *where)
        return int(db.session.scalar(query) or 0)

    def get(self, user: User, object_id: Any, message: str | None = None) -> T:
        """The record, or "not found" — also when it exists but may not be opened, so
        nobody learns that a number exists."""
        obj = load(self.model, object_id)
        if obj is None or not self.allows(user, obj):
            raise not_found(message)
        return obj

    @property
    def _org(self) -> InstrumentedAttribute:
        return self.model.organisation_id  # type: ignore[attr-defined]


def load(model: type[T], object_id: Any) -> T | None:
    """``session.get`` for an id from outside: anything that is not a whole number a
    database column can hold names nothing (no OverflowError reaches the user)."""
    if isinstance(object_id, bool):
        return None
    try:
        ident = int(object_id)
    except (TypeError, ValueError):
        return None
    if not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)


def find_scoped(model: type[T], object_id: Any, actor: User) -> T | None:
    """A record of the actor's organisation, or None (missing, or another commune's)."""
    obj = load(model, object_id)
    if obj is None or getattr(obj, "organisation_id", None) != actor.organisation_id:
        return None
    return obj


def get_scoped(model: type[T], object_id: Any, actor: User, message: str | None = None) -> T:
    """A record of the actor's organisation; another commune's record is "not found"."""
    obj = find_scoped(model, object_id, actor)
    if obj is None:
        raise not_found(message)
    return obj


def scoped(model: type[T], actor: User) -> sa.Select:
    """``SELECT model`` of the actor's organisation."""
    return sa.select(model).where(model.organisation_id == actor.organisation_id)  # type: ignore[attr-defined]
