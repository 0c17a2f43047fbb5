"""Signing keys and images, per organisation.

``signing_credential`` holds the commune CA, the organisation's certificate and one
certificate per signing user: the certificate in DER and the private key as encrypted
PKCS#8 (never the raw key). ``signature_image`` holds uploaded images: a user's
signature and the organisation's seal; without one, an image is drawn on the fly.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..org.models import OrgScoped

CA = "ca"
ORGANISATION = "organisation"


def user_holder(user_id: int) -> str:
    return f"user:{user_id}"


class SigningCredential(OrgScoped, Model):
    """A certificate and its encrypted private key; ``holder`` is ca, organisation or user:ID."""

    __tablename__ = "signing_credential"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "holder"),
        sa.CheckConstraint("kind IN ('ca','organisation','user')", name="known_kind"),
        sa.CheckConstraint("(kind = 'user') = (user_id IS NOT NULL)", name="user_iff_user_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    holder: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(512))
    serial: Mapped[str] = mapped_column(sa.String(64))  # hex
    key_type: Mapped[str] = mapped_column(sa.String(16), default="ec-p256")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    certificate: Mapped[bytes] = mapped_column(sa.LargeBinary)  # DER
    private_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  # encrypted PKCS#8 DER
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


SEAL = "seal"


class SignatureImage(OrgScoped, Model):
    """An uploaded signature (holder user:ID) or seal (holder seal), normalised PNG."""

    __tablename__ = "signature_image"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "holder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    png: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
