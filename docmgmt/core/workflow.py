"""Lifecycles as data: one transition type for every module.

A module declares its table — action → :class:`Transition` (from which states, to
which state, who may) — and a :class:`Lifecycle` over it with the module's way of
answering "is this person one of *who*" (a permission, or a part such as the drafter,
the current reviewer, the main handler, the chair). The operations call
:meth:`Lifecycle.check`; pages, the API's ``actions`` list and the meeting room's
``may`` set call :meth:`Lifecycle.allowed` through the module's
``available_actions``: a button is shown exactly when the operation would accept it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask_babel import gettext as _

from .errors import Conflict, forbidden
from .permissions import Permission

S = TypeVar("S")  # a module's Status enum
Who = Any  # a Permission, a set of Permissions (any of them), or a module's own part


@dataclass(frozen=True)
class Transition(Generic[S]):
    """``sources`` → ``target`` (``None``: the state stays, e.g. a vote in a live meeting)."""

    sources: frozenset[S]
    target: S | None
    who: Who

    def __init__(self, sources: Iterable[S], target: S | None, who: Who):
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "who", who)


class Lifecycle(Generic[S]):
    """A table of transitions and how to tell who a person is for a record.

    ``is_who(user, obj, who)`` answers for the module's own parts; permissions (one, or
    a set meaning any of them) are answered here. ``state_of(obj)`` reads the state.
    ``refusal(obj)`` words the "not in this state" refusal where the module's differs
    from a document's.
    """

    def __init__(self, transitions: Mapping[str, Transition[S]], *,
                 state_of: Callable[[Any], S],
                 is_who: Callable[[Any, Any, Who], bool] | None = None,
                 refusal: Callable[[Any], Exception] | None = None):
        self.transitions = dict(transitions)
        self.state_of = state_of
        self._is_who = is_who
        self._refusal = refusal

    def __getitem__(self, action: str) -> Transition[S]:
        return self.transitions[action]

    def __iter__(self):
        return iter(self.transitions)

    def is_who(self, user: Any, obj: Any, who: Who) -> bool:
        """Nobody acts on another commune's record, whatever their roles."""
        if getattr(obj, "organisation_id", None) != user.organisation_id or not user.active:
            return False
        if isinstance(who, Permission):
            return bool(user.can(who))
        if isinstance(who, frozenset | set | tuple) and all(isinstance(w, Permission) for w in who):
            return any(user.can(p) for p in who)
        if self._is_who is None:
            raise ValueError(f"no rule for {who!r}")
        return self._is_who(user, obj, who)

    def in_state(self, obj: Any, action: str) -> bool:
        return self.state_of(obj) in self.transitions[action].sources

    def allowed(self, user: Any, obj: Any, action: str) -> bool:
        """Would :meth:`check` accept this action from this person now?"""
        return self.in_state(obj, action) and self.is_who(user, obj, self.transitions[action].who)

    def check(self, user: Any, obj: Any, action: str) -> S:
        """Refuse (forbidden, then wrong state) or give the state the action leads to
        (the same state, for an action that changes none)."""
        transition = self.transitions[action]
        if not self.is_who(user, obj, transition.who):
            raise forbidden()
        if self.state_of(obj) not in transition.sources:
            raise self.refusal(obj)
        return transition.target if transition.target is not None else self.state_of(obj)

    def refusal(self, obj: Any) -> Exception:
        if self._refusal is not None:
            return self._refusal(obj)
        state = self.state_of(obj)
        return Conflict("invalid_state",
                        _("Văn bản đang ở trạng thái “%(s)s”, không thể thực hiện thao tác này.",
                          s=getattr(state, "label", state)))

    def available(self, user: Any, obj: Any, actions: Iterable[str] | None = None) -> set[str]:
        """The actions of this table the person may take now."""
        return {a for a in (actions if actions is not None else self.transitions)
                if self.allowed(user, obj, a)}
