"""The tables shared by incoming and outgoing documents, each defined beside the code
that reads it: ``Register`` (sổ đến, sổ đi) in ``registers``, ``DocumentEvent`` (the
timeline) in ``history``, ``Holiday`` (the working-day calendar) in ``calendar``.
Gathered here so that model discovery finds them like every module's ``models``."""

from __future__ import annotations

from .calendar import Holiday
from .history import DocumentEvent
from .registers import Register

__all__ = ["DocumentEvent", "Holiday", "Register"]
