"""The background side of the exchange: push the outbox, pull what waits for us.

At-least-once: a row is marked delivered only after the transport took it, so a crash
in between sends it again (the hub and our own receipts make that harmless). Messages
to one destination leave in the order they were queued; after a failure the rest for
that destination wait for the retry (01 must not arrive after 03). A pulled message is
acknowledged only after its effects are committed; one refused for good (malformed,
over a limit, not addressed to us: ``receive_message``) is acknowledged as rejected,
with its reason, after a rollback that leaves nothing of it behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..core.errors import DomainError
from ..core.timeutil import utcnow
from ..extensions import db
from ..org.models import Organisation
from .errors import EdxmlError
from .models import OutboxMessage
from .operations import mark_delivered, mark_failed, receive_message
from .settings import ExchangeSettings, settings
from .transport import DirectoryTransport, HttpTransport, Transport, TransportError

BATCH = 100


@dataclass
class RunReport:
    pushed: int = 0
    failed: int = 0
    received: int = 0
    rejected: int = 0
    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.pushed} sent, {self.failed} failed, {self.received} received, {self.rejected} rejected"
        return "\n".join([head, *self.lines])

    @property
    def idle(self) -> bool:
        return not (self.pushed or self.failed or self.received or self.rejected)


def organisations(cfg: ExchangeSettings) -> list[Organisation]:
    """The organisations this deployment exchanges for."""
    orgs = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id)))
    if cfg.organ_ids:
        return [o for o in orgs if o.organ_id in cfg.organ_ids]
    if cfg.tokens:
        return [o for o in orgs if o.organ_id in cfg.tokens]
    return orgs if len(orgs) == 1 else []


def transport_for(cfg: ExchangeSettings, org: Organisation) -> Transport | None:
    if cfg.url:
        token = cfg.token_for(org.organ_id)
        return HttpTransport(cfg.url, token, org.organ_id, cfg.timeout) if token else None
    if cfg.directory:
        return DirectoryTransport(cfg.directory, org.organ_id)
    return None


def push_outbox(org: Organisation, transport: Transport, cfg: ExchangeSettings, report: RunReport) -> None:
    rows = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.organisation_id == org.id, OutboxMessage.delivered_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(BATCH)
        )
    )
    now = utcnow()
    blocked: set[str] = set()
    for row in rows:
        if row.destination in blocked:
            continue
        if row.next_attempt_at > now:
            blocked.add(row.destination)  # keep the order for this destination
            continue
        try:
            transport.push(row.destination, row.payload)
        except TransportError as exc:
            mark_failed(row, str(exc), cfg.retry_base, cfg.retry_max)
            db.session.commit()
            blocked.add(row.destination)
            report.failed += 1
            report.lines.append(f"FAILED #{row.id} → {row.destination}: {exc}")
            continue
        mark_delivered(row)
        db.session.commit()
        report.pushed += 1


def pull_inbox(org: Organisation, transport: Transport, cfg: ExchangeSettings, report: RunReport) -> None:
    try:
        inbound = transport.pull()
    except TransportError as exc:
        report.lines.append(f"PULL FAILED for {org.organ_id}: {exc}")
        return
    for item in inbound:
        org = db.session.get(Organisation, org.id) or org
        try:
            result = receive_message(org, item.data, clerk=cfg.clerk)
            db.session.commit()
        except EdxmlError as exc:
            db.session.rollback()
            report.rejected += 1
            report.lines.append(f"REJECTED {item.id}: {exc.code}: {exc.message_vi}")
            _ack(transport, item.id, f"{exc.code}: {exc.message_vi}", report)
            continue
        except DomainError as exc:  # e.g. no clerk yet: keep it at the hub, try again later
            db.session.rollback()
            report.lines.append(f"KEPT {item.id}: {exc.code}: {exc.message}")
            continue
        report.received += 1
        report.lines.append(f"{result.outcome}: {result.document_id}")
        _ack(transport, item.id, None, report)


def _ack(transport: Transport, message_id: str, rejected: str | None, report: RunReport) -> None:
    try:
        transport.ack(message_id, rejected)
    except TransportError as exc:  # delivered again next time; receipt is idempotent
        report.lines.append(f"ACK FAILED {message_id}: {exc}")


def run_once(cfg: ExchangeSettings | None = None) -> RunReport:
    cfg = cfg or settings()
    report = RunReport()
    for org in organisations(cfg):
        transport = transport_for(cfg, org)
        if transport is None:
            continue
        # Pull first: the statuses an import queues (01, 03) leave in the same pass.
        pull_inbox(org, transport, cfg, report)
        push_outbox(org, transport, cfg, report)
    return report
