"""API schemas for the commune: organisation, units, users."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ..core.permissions import Role
from ..core.schemas import Integer, MaxLength, Text

ROLES = [str(r) for r in Role]


class OrganisationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    organ_id = fields.String(metadata={"description": "edXML OrganId, e.g. 000.00.12.H42"})
    abbreviation = fields.String()


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(required=True, validate=validate.Length(min=1, max=255))
    abbreviation = Text(required=True, validate=validate.Length(min=1, max=16))
    active = fields.Boolean(dump_only=True)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    full_name = fields.String()
    email = fields.String()
    roles = fields.Method("_roles", metadata={"description": "role codes"})
    unit_id = fields.Integer(allow_none=True)
    position = fields.Function(lambda u: u.position.name if u.position else None)
    active = fields.Boolean()
    locked = fields.Function(lambda u: u.locked_until is not None)

    def _roles(self, user):
        return sorted(str(r) for r in user.roles)


class MeSchema(UserSchema):
    organisation = fields.Nested(OrganisationSchema)
    permissions = fields.Function(lambda u: sorted(str(p) for p in u.permissions))


# A pass phrase may be long, not unbounded: every try is hashed with Argon2.
PASSWORD_MAX = 256


class UserCreateSchema(Schema):
    username = Text(required=True, validate=MaxLength(64, _l("Tên đăng nhập")))
    full_name = Text(required=True, validate=MaxLength(255, _l("Họ và tên")))
    password = fields.String(required=True, load_only=True,
                             validate=MaxLength(PASSWORD_MAX, _l("Mật khẩu")))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)
    unit_id = Integer(allow_none=True, load_default=None)
    position = Text(allow_none=True, load_default=None, validate=MaxLength(128, _l("Chức vụ")))
    email = Text(load_default="", validate=MaxLength(255, _l("Thư điện tử")))


class UserUpdateSchema(Schema):
    full_name = Text(validate=MaxLength(255, _l("Họ và tên")))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)))
    unit_id = Integer(allow_none=True)
    position = Text(allow_none=True, validate=MaxLength(128, _l("Chức vụ")))
    email = Text(validate=MaxLength(255, _l("Thư điện tử")))
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=MaxLength(PASSWORD_MAX, _l("Mật khẩu")))
