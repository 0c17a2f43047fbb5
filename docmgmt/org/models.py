"""Organisation, units, positions and users.

Every record in Xã Số belongs to an organisation (``organisation_id``) and every query
is scoped by it, so one deployment can host every commune of a province.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.permissions import Permission, Role, permissions_for
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model


class OrgScoped:
    """Mixin: the record belongs to one organisation."""

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )


class Organisation(Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))  # Ủy ban nhân dân xã Kim Bôi
    organ_id: Mapped[str] = mapped_column(sa.String(64), unique=True)  # edXML OrganId
    abbreviation: Mapped[str] = mapped_column(sa.String(32))  # UBND
    governing_body: Mapped[str] = mapped_column(sa.String(255), default="")  # tỉnh Phú Thọ
    place_name: Mapped[str] = mapped_column(sa.String(128), default="")  # "Kim Bôi, ngày …"
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    email: Mapped[str] = mapped_column(sa.String(255), default="")
    telephone: Mapped[str] = mapped_column(sa.String(64), default="")
    # The day the commune means to work without internal paper; None: 30 September of the
    # current year (the province's target). Set by the administrator.
    paperless_target: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    units: Mapped[list[Unit]] = relationship(back_populates="organisation", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.organ_id} {self.name!r}>"


class Unit(OrgScoped, Model):
    """A unit (phòng ban) with its abbreviation, used in công văn symbols (12/UBND-VP)."""

    __tablename__ = "unit"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "abbreviation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    abbreviation: Mapped[str] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    # Outgoing drafts of this unit go to its head before a leader (NĐ30 Điều 12); a
    # unit may skip that step (configured by the administrator).
    review_by_head: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    members: Mapped[list[User]] = relationship(back_populates="unit")


class Position(OrgScoped, Model):
    """A position (chức vụ) as printed under a signature: Chủ tịch, Phó Chủ tịch, …"""

    __tablename__ = "position"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    rank: Mapped[int] = mapped_column(default=100)  # lower ranks list first


class UserRole(Model):
    __tablename__ = "user_role"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('admin','clerk','leader','head_of_unit','staff','secretary')",
            name="known_role",
        ),
    )

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class User(OrgScoped, UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique across the deployment so one login page serves every commune of a province.
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str] = mapped_column(sa.String(255), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    position_id: Mapped[int | None] = mapped_column(sa.ForeignKey("position.id"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="vi")
    # Failed sign-ins since the last successful one, from anywhere, and the end of the
    # latest lockout of some address or device (auth.models.LoginAttempt): what the
    # administrator sees of an account under attack. The lockout itself is per source.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    unit: Mapped[Unit | None] = relationship(back_populates="members")
    position: Mapped[Position | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    # --- roles and permissions -------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if Role(r.role) in wanted]
        have = {Role(r.role) for r in self.role_rows}
        self.role_rows.extend(UserRole(role=str(r)) for r in sorted(wanted - have))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    def can(self, permission: Permission) -> bool:
        return self.active and permission in self.permissions

    # --- Flask-Login -----------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        # What Flask-Login keeps in the session and the remember-me cookie: the key of the
        # server-side session (auth.models.UserSession) this object was loaded or signed in
        # with, never the user id, so a copied cookie dies with its session (logout, end of
        # session, password change). No session (a token call): nothing to keep.
        return getattr(self, "_session_key", None) or ""

    def bind_session(self, key: str, session_id: int) -> None:
        """Mark this object as the one signed in through that server-side session."""
        self._session_key = key
        self._session_id = session_id

    @property
    def current_session_id(self) -> int | None:
        return getattr(self, "_session_id", None)

    # UserMixin compares users by get_id(), which is now a session key (two people
    # without one would compare equal): compare by the record instead.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    @property
    def role_labels(self) -> list[str]:
        order = list(Role)
        return [r.label for r in sorted(self.roles, key=order.index)]

    def __repr__(self) -> str:
        return f"<User {self.username}>"
