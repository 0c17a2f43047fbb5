"""Sending and reading notifications."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString

from ..core.access import load
from ..core.errors import not_found
from ..core.text import clean
from ..core.timeutil import utcnow
from ..extensions import db
from ..org.models import User
from .models import Notification


def in_language_of(user: User):
    """Render text in this person's language (their setting; Vietnamese otherwise)."""
    return force_locale(user.locale if user.locale in ("vi", "en") else "vi")


def notify(user: User, kind: str, title: str | LazyString, link: str = "") -> Notification:
    """A notification written in the recipient's language: a lazy string (``_l(…)``) is
    rendered in their locale, not in the language of whoever acted."""
    with in_language_of(user):
        text = str(title)
    note = Notification(
        organisation_id=user.organisation_id, user_id=user.id, kind=kind,
        title=clean(text)[:500], link=link,
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


def read_on_visit(user: User, path: str) -> int:
    """Opening what a notification links to reads it (the document, the meeting): the
    badge clears once the person has seen the thing announced, including when they came
    by another way than the notification."""
    # A read first: most page views match nothing, and an UPDATE would take SQLite's
    # write lock on every page view for nothing.
    ids = list(db.session.scalars(sa.select(Notification.id).where(
        Notification.user_id == user.id, Notification.read_at.is_(None), Notification.link == path)))
    if ids:
        db.session.execute(sa.update(Notification).where(Notification.id.in_(ids))
                           .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return len(ids)
