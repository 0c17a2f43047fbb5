"""Signal receivers: the exchange hangs off domain events, the domain never calls it.

"document issued" → queue it for each outside recipient; "recalled" → queue the
revocation; "incoming document changed" → queue the statuses its sender has not had.
Each runs inside the transaction of the operation that sent the signal.
"""

from __future__ import annotations

from ..core import signals
from . import operations as ops


def _issued(doc, **_kw) -> None:
    ops.queue_issued(doc)


def _recalled(doc, **_kw) -> None:
    ops.queue_revocation(doc)


def _incoming(doc, **_kw) -> None:
    ops.queue_statuses(doc)


def connect() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    signals.outgoing_issued.connect(_issued, weak=False)
    signals.outgoing_recalled.connect(_recalled, weak=False)
    signals.incoming_registered.connect(_incoming, weak=False)
    signals.incoming_changed.connect(_incoming, weak=False)
