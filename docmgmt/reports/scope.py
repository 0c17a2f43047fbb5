"""Whose figures a person sees, decided once for the dashboard, the reports and the API.

* the commune's — who holds ``VIEW_REPORTS`` and reads every document (the chairman,
  the vice chairmen, the clerk who files the reports); they may narrow to one unit or
  one person;
* their unit's — a head of unit (trưởng bộ phận), who may narrow to a person of it;
* their own — everyone else who handles documents.

Every figure is counted over the documents its reader may open (the module's ``READ``
rule) *and* inside the scope, so the list behind a figure (its drill-down) is exactly the
documents counted. Confidential documents (paper only) are never in a figure; they are
counted apart, for those who may see the confidential register.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.sql.elements import ColumnElement

from ..core.access import get_scoped
from ..core.errors import ValidationFailed, forbidden
from ..core.permissions import Permission, Role
from ..extensions import db
from ..incoming.models import Assignment, IncomingDocument
from ..org.models import Unit, User
from ..outgoing.models import OutgoingDocument


class Level(enum.StrEnum):
    COMMUNE = "commune"
    UNIT = "unit"
    OWN = "own"


def level_of(user: User) -> Level | None:
    """The widest figures a person may see; None: no figures (an administrator's account)."""
    if user.can(Permission.VIEW_REPORTS) and user.can(Permission.VIEW_ALL_DOCUMENTS):
        return Level.COMMUNE
    if user.has_role(Role.HEAD_OF_UNIT) and user.unit_id is not None:
        return Level.UNIT
    if user.can(Permission.HANDLE_ASSIGNED):
        return Level.OWN
    return None


def main_assignment() -> ColumnElement[bool]:
    """The assignment that makes a handler: the current main one (chủ trì)."""
    return sa.and_(Assignment.role == "main", Assignment.superseded_at.is_(None))


def handler_unit_id() -> sa.ColumnElement:
    """The unit a main assignment counts for: the unit it was given to, or the unit of the
    person it was given to by name."""
    return sa.func.coalesce(
        Assignment.assignee_unit_id,
        sa.select(User.unit_id).where(User.id == Assignment.assignee_user_id).scalar_subquery(),
    )


@dataclass(frozen=True)
class Scope:
    user: User
    level: Level  # the reader's widest level
    unit_id: int | None = None  # narrowed to (or, for a head, fixed at) this unit
    person_id: int | None = None  # narrowed to (or, for staff, fixed at) this person

    @property
    def organisation_id(self) -> int:
        return self.user.organisation_id

    @classmethod
    def of(cls, user: User, args: Mapping[str, str] | None = None) -> Scope:
        """The reader's scope, narrowed by ``unit`` / ``person`` query parameters where their
        level allows; asking beyond it is refused, never silently widened."""
        level = level_of(user)
        if level is None:
            raise forbidden(_("Tài khoản này không xem báo cáo, thống kê."))
        args = args or {}
        unit_id = _id(args.get("unit"), "unit")
        person_id = _id(args.get("person"), "person")
        if level is Level.OWN:
            if unit_id is not None or (person_id is not None and person_id != user.id):
                raise forbidden(_("Bạn chỉ xem được số liệu của chính mình."))
            return cls(user, level, None, user.id)
        if level is Level.UNIT:
            if unit_id is not None and unit_id != user.unit_id:
                raise forbidden(_("Bạn chỉ xem được số liệu của bộ phận mình."))
            unit_id = user.unit_id
        if unit_id is not None:
            get_scoped(Unit, unit_id, user, _("Không tìm thấy bộ phận."))
        if person_id is not None:
            person = get_scoped(User, person_id, user, _("Không tìm thấy người này."))
            if level is Level.UNIT and person.unit_id != user.unit_id:
                raise forbidden(_("Bạn chỉ xem được số liệu của bộ phận mình."))
        return cls(user, level, unit_id, person_id)

    def query(self) -> dict[str, str]:
        """The narrowing as query parameters (only what the reader chose)."""
        out = {}
        if self.level is Level.COMMUNE and self.unit_id is not None:
            out["unit"] = str(self.unit_id)
        if self.level is not Level.OWN and self.person_id is not None:
            out["person"] = str(self.person_id)
        return out

    @property
    def title(self) -> str:
        if self.person_id is not None:
            person = db.session.get(User, self.person_id)
            return person.full_name if person else ""
        if self.unit_id is not None:
            unit = db.session.get(Unit, self.unit_id)
            return unit.name if unit else ""
        return _("Toàn xã")

    # --- the SQL each kind of record is counted under ----------------------------------

    def handled(self) -> ColumnElement[bool]:
        """Incoming documents (and tasks) inside the scope: by their main handler."""
        if self.person_id is None and self.unit_id is None:
            return sa.true()
        if self.person_id is not None:
            # A person's documents are few: a list of ids found through the assignee's index
            # (EXISTS per document would walk the person's assignments for each one).
            return IncomingDocument.id.in_(sa.select(Assignment.document_id).where(
                main_assignment(), Assignment.assignee_user_id == self.person_id))
        return IncomingDocument.assignments.any(sa.and_(main_assignment(), handler_unit_id() == self.unit_id))

    def drafted(self) -> ColumnElement[bool]:
        """Outgoing documents inside the scope: by who drafted them, and in which unit."""
        if self.person_id is not None:
            return OutgoingDocument.drafter_id == self.person_id
        if self.unit_id is not None:
            return OutgoingDocument.drafting_unit_id == self.unit_id
        return sa.true()


def _id(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isdecimal() and len(text) <= 18) or not 0 < int(text) < 2**63:
        raise ValidationFailed("invalid_id", _("Mã không hợp lệ."), field)
    return int(text)
