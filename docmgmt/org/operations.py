"""Managing the commune: units, positions and users. Admin-only, organisation-scoped."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.operations import record
from ..auth.passwords import hash_password, validate_password
from ..core import signals
from ..core.access import get_scoped, load, scoped  # noqa: F401 - the doors ask ops.get_scoped
from ..core.errors import Conflict, ValidationFailed, forbidden, not_found
from ..core.permissions import Permission, Role
from ..core.text import clean, sorted_people
from ..extensions import db
from .models import Organisation, Position, Unit, User

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
ABBREVIATION_RE = re.compile(r"^[A-ZĐ][A-ZĐ0-9]{0,15}$")
UNSET = object()  # "leave as it is", where None is a meaningful value


def require(actor: User, permission: Permission) -> None:
    if not actor.can(permission):
        raise forbidden()


def create_organisation(name: str, organ_id: str, abbreviation: str, **fields) -> Organisation:
    """Bootstrap a commune (CLI and demo seeding only: no actor exists yet)."""
    org = Organisation(
        name=clean(name), organ_id=clean(organ_id), abbreviation=clean(abbreviation),
        **{k: clean(v) for k, v in fields.items()},
    )
    db.session.add(org)
    db.session.flush()
    record(org.id, None, "org.created", org, org.name)
    return org


def create_unit(actor: User | None, org: Organisation, name: str, abbreviation: str) -> Unit:
    if actor is not None:
        require(actor, Permission.MANAGE_ORGANISATION)
    name, abbreviation = clean(name), clean(abbreviation).upper()
    if not name:
        raise ValidationFailed("required", _("Hãy nhập tên đơn vị."), "name")
    if not ABBREVIATION_RE.match(abbreviation):
        raise ValidationFailed(
            "invalid_abbreviation",
            _("Chữ viết tắt chỉ gồm chữ in hoa và chữ số, không dấu cách (ví dụ VP, KT)."),
            "abbreviation",
        )
    exists = db.session.scalar(
        sa.select(Unit.id).where(Unit.organisation_id == org.id, Unit.abbreviation == abbreviation)
    )
    if exists:
        raise Conflict("duplicate", _("Đã có đơn vị dùng chữ viết tắt %(a)s.", a=abbreviation),
                       "abbreviation")
    unit = Unit(organisation_id=org.id, name=name, abbreviation=abbreviation)
    db.session.add(unit)
    db.session.flush()
    record(org.id, actor, "unit.created", unit, f"{abbreviation} — {name}")
    return unit


def ensure_position(org: Organisation, name: str, rank: int = 100) -> Position:
    name = clean(name)
    pos = db.session.scalar(
        sa.select(Position).where(Position.organisation_id == org.id, Position.name == name)
    )
    if pos is None:
        pos = Position(organisation_id=org.id, name=name, rank=rank)
        db.session.add(pos)
        db.session.flush()
    return pos


def _check_roles(roles: Iterable[str]) -> list[Role]:
    try:
        result = [Role(r) for r in roles]
    except ValueError:
        raise ValidationFailed("invalid_role", _("Vai trò không hợp lệ."), "roles") from None
    if not result:
        raise ValidationFailed("required", _("Hãy chọn ít nhất một vai trò."), "roles")
    return result


def _check_unit(org_id: int, unit_id: int | None) -> None:
    if unit_id is None:
        return
    unit = load(Unit, unit_id)
    if unit is None or unit.organisation_id != org_id:
        raise ValidationFailed("invalid_unit", _("Đơn vị không thuộc cơ quan này."), "unit_id")


def create_user(
    actor: User | None,
    org: Organisation,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[str],
    unit_id: int | None = None,
    position: str | None = None,
    email: str = "",
) -> User:
    """Create a user. ``actor`` is None only for bootstrap (CLI, demo seeding)."""
    if actor is not None:
        require(actor, Permission.MANAGE_USERS)
        if actor.organisation_id != org.id:
            raise forbidden(_("Bạn không quản lý cơ quan này."))
    username = clean(username).lower()
    full_name = clean(full_name)
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            "invalid_username",
            _("Tên đăng nhập gồm 2–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch."),
            "username",
        )
    if not full_name:
        raise ValidationFailed("required", _("Hãy nhập họ và tên."), "full_name")
    validate_password(password)
    role_list = _check_roles(roles)
    _check_unit(org.id, unit_id)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict("duplicate", _("Tên đăng nhập %(u)s đã được dùng.", u=username), "username")
    user = User(
        organisation_id=org.id, username=username, full_name=full_name, email=clean(email),
        password_hash=hash_password(password), unit_id=unit_id,
        position_id=ensure_position(org, position).id if position else None,
    )
    user.set_roles(role_list)
    db.session.add(user)
    db.session.flush()
    record(org.id, actor, "user.created", user, f"{username} — {full_name}",
           {"roles": sorted(str(r) for r in role_list), "unit_id": unit_id})
    return user


def update_user(
    actor: User,
    user: User,
    *,
    full_name: str | None = None,
    roles: Iterable[str] | None = None,
    unit_id: int | None | object = UNSET,
    position: str | None = None,
    email: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    require(actor, Permission.MANAGE_USERS)
    if actor.organisation_id != user.organisation_id:
        raise not_found()
    changes: dict[str, object] = {}
    if full_name is not None and clean(full_name) != user.full_name:
        if not clean(full_name):
            raise ValidationFailed("required", _("Hãy nhập họ và tên."), "full_name")
        user.full_name = changes["full_name"] = clean(full_name)
    if roles is not None:
        role_list = _check_roles(roles)
        if user.id == actor.id and Role.ADMIN not in role_list:
            raise ValidationFailed(
                "self_demotion", _("Bạn không thể tự bỏ vai trò Quản trị của mình."), "roles"
            )
        if set(role_list) != set(user.roles):
            user.set_roles(role_list)
            changes["roles"] = sorted(str(r) for r in role_list)
    if unit_id is not UNSET and unit_id != user.unit_id:
        assert unit_id is None or isinstance(unit_id, int)
        _check_unit(user.organisation_id, unit_id)
        user.unit_id = changes["unit_id"] = unit_id
    if position is not None:
        pos_id = ensure_position(user.organisation, position).id if clean(position) else None
        if pos_id != user.position_id:
            user.position_id = changes["position_id"] = pos_id
    if email is not None and clean(email) != user.email:
        user.email = changes["email"] = clean(email)
    if active is not None and active != user.active:
        if user.id == actor.id and not active:
            raise ValidationFailed(
                "self_disable", _("Bạn không thể tự vô hiệu hóa tài khoản của mình."), "active"
            )
        user.active = changes["active"] = active
    if password:
        validate_password(password)
        user.password_hash = hash_password(password)
        changes["password"] = "reset"
        signals.password_reset.send(user, actor=actor)
    if changes:
        record(user.organisation_id, actor, "user.updated", user, user.username, changes)
    return user


def users_of(actor: User) -> list[User]:
    return sorted_people(db.session.scalars(scoped(User, actor)))


def units_of(actor: User) -> list[Unit]:
    return list(db.session.scalars(scoped(Unit, actor).order_by(Unit.name)))
