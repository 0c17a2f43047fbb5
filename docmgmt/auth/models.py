"""Personal API tokens: shown once, stored only as a SHA-256 digest, revocable."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..org.models import OrgScoped, User


class ApiToken(OrgScoped, Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    # The first characters, kept in clear so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class UserSession(OrgScoped, Model):
    """A signed-in browser, on the server: logging out ends it wherever its cookie went.

    The signed session cookie and the remember-me cookie carry a random key; the row
    keeps only its SHA-256 (as for tokens), so reading the database gives no live
    session. ``password_stamp`` ties the session to the password it was opened with:
    any change of password, whoever makes it, ends it.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_stamp: Mapped[str] = mapped_column(sa.String(16))
    # Remembered ("Ghi nhớ đăng nhập"): lives until ``expires_at`` fixed at sign-in, as
    # the cookie does; otherwise ``expires_at`` moves with use (an idle limit).
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")
    address: Mapped[str] = mapped_column(sa.String(64), default="")

    user: Mapped[User] = relationship()

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    @property
    def device_label(self) -> str:
        """"Cốc Cốc · Windows": enough for a person to recognise their own browsers."""
        agent = self.user_agent
        browser = next((name for token, name in _BROWSERS if token in agent), "")
        system = next((name for token, name in _SYSTEMS if token in agent), "")
        return " · ".join(p for p in (browser, system) if p) or agent[:60]


# First match wins: Edge and Cốc Cốc also say "Chrome", Chrome also says "Safari".
_BROWSERS = (("coc_coc_browser", "Cốc Cốc"), ("Edg/", "Edge"), ("OPR/", "Opera"),
             ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
            ("iPad", "iPad"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


class LoginAttempt(Model):
    """Failed sign-ins on one account from one source: the lockout applies to that pair
    only, so nobody can lock a colleague out from their own machine.

    ``source`` is ``device:<id>`` for a browser where the account signed in before (its
    device cookie), else ``ip:<address>``.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (sa.UniqueConstraint("user_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(sa.String(80))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginThrottle(Model):
    """Failed sign-ins from one address, whatever the account (real or not): past a
    few, each further attempt waits longer (a progressive delay against guessing
    across many accounts). Browsers known to the account they sign in to skip it."""

    __tablename__ = "login_throttle"

    source: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
