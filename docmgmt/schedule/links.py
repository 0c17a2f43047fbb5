"""Links that open the schedule without signing in: a person's calendar feed (iCalendar, for
the phone) and the screen of the hall's TV.

A link is a random token in a URL. Only its SHA-256 digest is stored (the clear token is
shown once, when it is made), with its first characters to tell links apart. A link reads
as its person: the feed lists that person's published entries and meetings; a screen shows
the published week as its creator reads it (the meetings that person may see) — like the
copy the office prints and pins up. Nothing drafted is ever reached through a link.

Who makes them: anyone their own feed; the office (``MANAGE_SCHEDULE``) and the leaders a
screen. A link stops working when it is revoked or its person's account is deactivated.
"""

from __future__ import annotations

import enum
import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.operations import record
from ..core.access import get_scoped
from ..core.errors import ValidationFailed, forbidden
from ..core.text import clean
from ..core.timeutil import utcnow
from ..extensions import db
from ..org.models import User
from . import access
from .models import ScheduleLink

NAME_LIMIT = 128
LINKS_PER_PERSON = 20  # of one kind, not revoked: a phone, a tablet, a TV or two


class Kind(enum.StrEnum):
    FEED = "feed"
    SCREEN = "screen"

    @property
    def prefix(self) -> str:
        return {Kind.FEED: "xscal_", Kind.SCREEN: "xstv_"}[self]

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {Kind.FEED: _l("Lịch trên điện thoại (iCalendar)"), Kind.SCREEN: _l("Màn hình lớn")}


def digest(token: str) -> str:
    # 256 random bits: a plain SHA-256 is enough at rest (nothing to guess).
    return hashlib.sha256(token.encode()).hexdigest()


def may_create(user: User, kind: Kind) -> bool:
    if kind is Kind.FEED:
        return bool(user.active)
    return access.can_edit(user) or access.can_approve(user)


def links_of(user: User, kind: Kind) -> list[ScheduleLink]:
    """The person's links of that kind, newest first, revoked ones included (greyed)."""
    return list(db.session.scalars(
        sa.select(ScheduleLink).where(ScheduleLink.organisation_id == user.organisation_id,
                                      ScheduleLink.user_id == user.id, ScheduleLink.kind == kind.value)
        .order_by(ScheduleLink.created_at.desc(), ScheduleLink.id.desc())))


def create_link(actor: User, kind: Kind, name: str) -> tuple[ScheduleLink, str]:
    """A new link; the clear token is returned once and never stored."""
    if not may_create(actor, kind):
        raise forbidden(_("Chỉ Văn phòng và lãnh đạo tạo được đường dẫn màn hình lớn."))
    name = clean(name or "")
    if not name:
        raise ValidationFailed("required", _("Hãy đặt tên cho đường dẫn (ví dụ: Điện thoại, TV hội trường)."),
                               "name")
    if len(name) > NAME_LIMIT:
        raise ValidationFailed("too_long", _("Tên dài quá %(n)s ký tự.", n=NAME_LIMIT), "name")
    live = sum(1 for link in links_of(actor, kind) if link.revoked_at is None)
    if live >= LINKS_PER_PERSON:
        raise ValidationFailed("too_many", _("Bạn đã có %(n)s đường dẫn đang dùng: hãy thu hồi bớt.",
                                             n=LINKS_PER_PERSON), "name")
    clear = kind.prefix + secrets.token_urlsafe(32)
    link = ScheduleLink(organisation_id=actor.organisation_id, kind=kind.value, user_id=actor.id, name=name,
                        prefix=clear[: len(kind.prefix) + 6], digest=digest(clear), state={})
    db.session.add(link)
    db.session.flush()
    record(actor.organisation_id, actor, f"schedule.{kind.value}_link_created", link, name)
    return link, clear


def revoke_link(actor: User, link_id: int) -> ScheduleLink:
    """The person revokes their own link; the office or a leader, any screen of the commune."""
    link = get_scoped(ScheduleLink, link_id, actor, _("Không tìm thấy đường dẫn."))
    if link.user_id != actor.id and not (link.kind == Kind.SCREEN.value and may_create(actor, Kind.SCREEN)):
        raise forbidden(_("Bạn chỉ thu hồi được đường dẫn của mình."))
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record(actor.organisation_id, actor, f"schedule.{link.kind}_link_revoked", link, link.name)
    return link


def resolve(token: str, kind: Kind) -> ScheduleLink | None:
    """The live link of that token, or None (unknown, revoked, its person gone): the door
    answers 404 alike, so nobody learns which."""
    if not token.startswith(kind.prefix) or len(token) > 128:
        return None
    link = db.session.scalar(sa.select(ScheduleLink).where(ScheduleLink.digest == digest(token),
                                                          ScheduleLink.kind == kind.value))
    if link is None or link.revoked_at is not None or not link.user.active:
        return None
    return link


def screens_of(actor: User) -> list[ScheduleLink]:
    """Every screen link of the commune (the office and the leaders manage them together)."""
    return list(db.session.scalars(
        sa.select(ScheduleLink).where(ScheduleLink.organisation_id == actor.organisation_id,
                                      ScheduleLink.kind == Kind.SCREEN.value)
        .order_by(ScheduleLink.revoked_at.is_not(None), ScheduleLink.created_at.desc(), ScheduleLink.id.desc())))


def touch(link: ScheduleLink) -> None:
    """Note the use (shown on the links page), at most once a minute: a TV asks every minute."""
    now = utcnow()
    if link.last_used_at is None or (now - link.last_used_at).total_seconds() >= 60:
        link.last_used_at = now
