"""Sending and reading notifications."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.access import load
from ..core.errors import not_found
from ..core.text import clean
from ..core.timeutil import utcnow
from ..extensions import db
from ..org.models import User
from .models import Notification


def notify(user: User, kind: str, title: str, link: str = "") -> Notification:
    note = Notification(
        organisation_id=user.organisation_id, user_id=user.id, kind=kind,
        title=clean(title)[:500], link=link,
    )
    db.session.add(note)
    return note


def unread_for(user: User, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_read(user: User, notification_id: int) -> Notification:
    note = load(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise not_found(_("Không tìm thấy thông báo."))
    if note.read_at is None:
        note.read_at = utcnow()
    return note
