"""What is waiting for a person, gathered from every domain module.

A module registers a provider; the home page (and the API) list what the providers
return for the signed-in user. Each capability (incoming documents, drafts to review,
meetings) adds its own provider, so the home page grows with the product without
knowing about each part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _

from ..core.access import scoped
from ..core.permissions import Permission, Role
from ..core.timeutil import utcnow
from ..extensions import db
from ..notifications.operations import unread_for
from ..org.models import User


@dataclass
class Item:
    title: str
    link: str = ""
    note: str = ""
    urgent: bool = False


@dataclass
class Panel:
    key: str
    title: str
    role: Role | None
    items: list[Item] = field(default_factory=list)
    empty_text: str = ""
    more_link: str = ""


Provider = Callable[[User], Panel | None]
PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    PROVIDERS.append(fn)
    return fn


def panels_for(user: User) -> list[Panel]:
    return [p for p in (fn(user) for fn in PROVIDERS) if p is not None]


@provider
def _notifications(user: User) -> Panel:
    return Panel(
        "notifications", _("Thông báo mới"), None,
        [Item(n.title, n.link) for n in unread_for(user, limit=10)],
        empty_text=_("Không có thông báo mới."),
        more_link=url_for("home.notifications"),
    )


@provider
def _locked_accounts(user: User) -> Panel | None:
    if not user.can(Permission.MANAGE_USERS):
        return None
    locked = db.session.scalars(
        scoped(User, user).where(User.locked_until > utcnow())
    )
    return Panel(
        "locked", _("Tài khoản đang bị khóa"), Role.ADMIN,
        [Item(u.full_name, url_for("admin.edit_user", user_id=u.id), u.username, urgent=True)
         for u in locked],
        empty_text=_("Không có tài khoản nào bị khóa."),
        more_link=url_for("admin.users"),
    )
