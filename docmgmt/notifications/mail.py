"""E-mail through SMTP, for reminders and other notifications sent outside the app.

Configured from ``app.config`` (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``,
``SMTP_PASSWORD``, ``SMTP_FROM``, ``SMTP_SECURITY``; see ``config.py`` for the
``XASO_SMTP_*`` variables). Without a host and a sender address there is no mailer and
the in-app notification is the only channel.

A mailer is a callable ``mailer(to, subject, body)``, as the operations expect. Used as a
context manager it keeps one SMTP connection for a batch. A failed delivery is logged
and counted, never raised: the in-app notification has been recorded already and the
reminder must not be rolled back (and re-sent to everyone else) because one mailbox
refused.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

log = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(self, host: str, port: int | None = None, *, sender: str, user: str = "",
                 password: str = "", security: str = "", timeout: float = 20.0):
        security = (security or "").lower()
        if security not in ("", "starttls", "ssl", "none"):
            raise ValueError(f"SMTP security must be starttls, ssl or none, not {security!r}")
        self.host = host
        self.port = port or (465 if security == "ssl" else 587 if security == "starttls" else 25)
        self.security = security or ("ssl" if self.port == 465 else "")
        self.sender = sender
        self.user = user
        self.password = password
        self.timeout = timeout
        self.sent = 0
        self.failed: list[tuple[str, str]] = []
        self._conn: smtplib.SMTP | None = None
        self._batch = False

    @classmethod
    def from_app(cls, app=None) -> SmtpMailer | None:
        config = (app or current_app).config
        if not config.get("SMTP_HOST") or not config.get("SMTP_FROM"):
            return None
        return cls(config["SMTP_HOST"], config.get("SMTP_PORT"), sender=config["SMTP_FROM"],
                   user=config.get("SMTP_USER", ""), password=config.get("SMTP_PASSWORD", ""),
                   security=config.get("SMTP_SECURITY", ""),
                   timeout=float(config.get("SMTP_TIMEOUT", 20)))

    # --- connection ---------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                  context=context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            conn.ehlo()
            if self.security == "starttls" or (self.security == "" and conn.has_extn("starttls")):
                conn.starttls(context=context)
                conn.ehlo()
            if self.user:
                conn.login(self.user, self.password)
        except BaseException:
            conn.close()
            raise
        return conn

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> SmtpMailer:
        self._batch = True
        return self

    def __exit__(self, *exc) -> None:
        self._batch = False
        self._close()

    # --- sending ------------------------------------------------------------------------

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = " ".join(subject.split())  # no header injection through newlines
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(body)
        return msg

    def __call__(self, to: str, subject: str, body: str) -> bool:
        msg = self.message(to, subject, body)
        try:
            if self._conn is None:
                self._conn = self._connect()
            self._conn.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("e-mail to %s not sent: %s", to, exc)
            self.failed.append((to, str(exc)))
            self._close()  # a broken connection is not reused; the next one reconnects
            return False
        finally:
            if not self._batch:
                self._close()
        self.sent += 1
        return True
