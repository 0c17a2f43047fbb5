"""API door for the commune: who am I, users, units."""

from flask.views import MethodView
from flask_login import current_user

from ..api.blueprint import api_blueprint
from ..core.permissions import Permission
from . import operations as ops
from .models import Unit, User
from .schemas import MeSchema, UnitSchema, UserCreateSchema, UserSchema, UserUpdateSchema

bp = api_blueprint("org", __name__, "The commune: the current user, users and units.")


@bp.route("/me")
class Me(MethodView):
    @bp.response(200, MeSchema)
    def get(self):
        """The signed-in user, their organisation and permissions."""
        return current_user


@bp.route("/users")
class Users(MethodView):
    @bp.response(200, UserSchema(many=True))
    def get(self):
        """Users of my organisation (administrators only)."""
        ops.require(current_user, Permission.MANAGE_USERS)
        return ops.users_of(current_user)

    @bp.arguments(UserCreateSchema)
    @bp.response(201, UserSchema)
    def post(self, data):
        """Create a user."""
        return ops.create_user(current_user, current_user.organisation, **data)


@bp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @bp.response(200, UserSchema)
    def get(self, user_id):
        ops.require(current_user, Permission.MANAGE_USERS)
        return ops.get_scoped(User, user_id, current_user)

    @bp.arguments(UserUpdateSchema)
    @bp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user's name, roles, unit, position, e-mail, status or password."""
        ops.require(current_user, Permission.MANAGE_USERS)
        user = ops.get_scoped(User, user_id, current_user)
        return ops.update_user(current_user, user, **data)


@bp.route("/units")
class Units(MethodView):
    @bp.response(200, UnitSchema(many=True))
    def get(self):
        """Units (phòng ban) of my organisation; every signed-in user may list them."""
        return ops.units_of(current_user)

    @bp.arguments(UnitSchema)
    @bp.response(201, UnitSchema)
    def post(self, data):
        return ops.create_unit(current_user, current_user.organisation, **data)


@bp.route("/units/<int:unit_id>")
class UnitItem(MethodView):
    @bp.response(200, UnitSchema)
    def get(self, unit_id):
        return ops.get_scoped(Unit, unit_id, current_user)
