"""The exchange's tables: correspondents, the outbox and the receipts.

- ``Correspondent``: organisations we exchange with (OrganId, name), matched or
  created when a message arrives, so the register names a sender the same way each time.
- ``OutboxMessage``: every message we owe the province, written in the same transaction
  as the domain change that caused it (issuance, recall, a status of an incoming
  document) and delivered later by the worker, with retries and backoff.
- ``ExchangeReceipt``: every message we accepted, keyed by (our organisation,
  DocumentId, BussinessDocType, status code, message hash), so a redelivered message
  changes nothing and a DocumentId is registered once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model
from ..org.models import OrgScoped


class Correspondent(OrgScoped, Model):
    """An organisation on the exchange (cơ quan liên thông), as known to one commune."""

    __tablename__ = "exchange_correspondent"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "organ_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxMessage(OrgScoped, Model):
    """One edXML message to one destination OrganId, until the transport took it."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('edoc','status')", name="kind"),
        # A status code goes back to the sender once per incoming document, ever.
        sa.UniqueConstraint("incoming_document_id", "status_code", name="uq_exchange_outbox_status"),
        sa.Index("ix_exchange_outbox_due", "delivered_at", "next_attempt_at"),
        sa.Index("ix_exchange_outbox_document", "organisation_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # edoc | status
    destination: Mapped[str] = mapped_column(sa.String(64))  # the recipient's OrganId
    document_id: Mapped[str] = mapped_column(sa.String(255))  # edXML DocumentId concerned
    bussiness_doc_type: Mapped[int | None] = mapped_column(sa.SmallInteger)  # edoc: 0-3
    status_code: Mapped[str | None] = mapped_column(sa.String(2))  # status: 01-16
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    outgoing_document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outgoing_document.id"), index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_recipient.id"))
    incoming_document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incoming_document.id"), index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    # The package's XML signature: its algorithm (ecdsa-sha256, rsa-sha1…), "" unsigned.
    signature_algorithm: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExchangeReceipt(OrgScoped, Model):
    """A message we received and what it did (outcome), never applied twice."""

    __tablename__ = "exchange_receipt"
    __table_args__ = (
        sa.UniqueConstraint(
            "organisation_id",
            "document_id",
            "bussiness_doc_type",
            "status_code",
            "message_hash",
            name="uq_exchange_receipt",
        ),
        sa.Index(
            "ix_exchange_receipt_lookup", "organisation_id", "document_id", "bussiness_doc_type", "outcome"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(sa.String(255))  # DocumentId (status: ResponseFor)
    bussiness_doc_type: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    status_code: Mapped[str] = mapped_column(sa.String(2), default="")  # "" for documents
    message_hash: Mapped[str] = mapped_column(sa.String(64))
    sender_organ_id: Mapped[str] = mapped_column(sa.String(64))
    # registered | duplicate | revoked | updated | replaced | unmatched | status | refused
    outcome: Mapped[str] = mapped_column(sa.String(16))
    incoming_document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incoming_document.id"), index=True
    )
    outgoing_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the package's XML signature said (xmlsig.STATES): unsigned, valid, invalid,
    # unknown (holds, but the signer is not trusted); who signed it, and why not valid.
    signature_state: Mapped[str] = mapped_column(sa.String(8), default="unsigned", server_default="unsigned")
    signature_signer: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    signature_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
