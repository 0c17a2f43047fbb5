"""The home page's records panel: the dossiers I keep open (where my documents go) and
the transfers to the archive (nộp lưu) waiting for me — mine to hand over, and for the
archive role those handed over, waiting to be received. Shown only when there is one."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..core.timeutil import format_date, vn_today
from ..extensions import db
from ..home.waiting import Item, Panel, provider
from ..org.models import User
from . import operations as ops
from .access import TRANSFER_READ, is_archivist
from .models import ArchiveTransfer
from .workflow import TransferStatus

LIMIT = 10
SOON_DAYS = 30  # a transfer due within this many days is marked urgent (the reminder's 30 days)


@provider
def _records(user: User) -> Panel | None:
    today = vn_today()
    items: list[Item] = []
    mine = list(db.session.scalars(TRANSFER_READ.select(user).where(
        ArchiveTransfer.giver_id == user.id, ArchiveTransfer.status == TransferStatus.ANNOUNCED.value)
        .order_by(ArchiveTransfer.due_date, ArchiveTransfer.id).limit(LIMIT)))
    for t in mine:
        items.append(Item(_("Nộp lưu hồ sơ năm %(y)s", y=t.year),
                          url_for("records.transfer", transfer_id=t.id),
                          _("Hạn nộp %(d)s", d=format_date(t.due_date)),
                          urgent=(t.due_date - today).days <= SOON_DAYS))
    if is_archivist(user):
        waiting = list(db.session.scalars(TRANSFER_READ.select(user).where(
            ArchiveTransfer.status == TransferStatus.SUBMITTED.value)
            .order_by(ArchiveTransfer.submitted_at, ArchiveTransfer.id).limit(LIMIT)))
        for t in waiting:
            items.append(Item(_("Tiếp nhận hồ sơ nộp lưu của %(p)s", p=t.giver.full_name),
                              url_for("records.transfer", transfer_id=t.id),
                              _("Hồ sơ năm %(y)s · %(n)s hồ sơ", y=t.year, n=len(t.dossiers))))
    for d in ops.my_open_dossiers(user)[:LIMIT]:
        items.append(Item(f"{d.notation} — {d.title}", url_for("records.dossier", dossier_id=d.id),
                          _("Hồ sơ đang lập, năm %(y)s", y=d.plan.year)))
    if not items:
        return None
    return Panel("records", _("Hồ sơ"), None, items[:LIMIT * 2], more_link=url_for("records.index"))
