"""The delegation lifecycle and the NĐ30 signing forms, as data.

A delegation's state follows from its dates (Vietnam dates, both days included) and
from an early end: scheduled → running → ended by itself after its last day, or ended
early by the delegator (cancelled, when that happens before its first day). Only the
end is an act; the rest is the calendar.

The signing forms are those of NĐ30 Điều 13 and Phụ lục I mục II.8: how a signature
block reads when someone signs in the place of the head (Chủ tịch) of a commune's
People's Committee, which decides as a collective.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..core.permissions import Permission
from ..core.workflow import Transition
from ..org.models import User


class Status(enum.StrEnum):
    SCHEDULED = "scheduled"  # chưa đến ngày bắt đầu
    RUNNING = "running"  # đang có hiệu lực
    ENDED = "ended"  # hết hạn (sau ngày cuối)
    ENDED_EARLY = "ended_early"  # người ủy quyền kết thúc sớm
    CANCELLED = "cancelled"  # kết thúc trước ngày bắt đầu

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.SCHEDULED: _l("Sắp có hiệu lực"),
    Status.RUNNING: _l("Đang có hiệu lực"),
    Status.ENDED: _l("Đã hết hạn"),
    Status.ENDED_EARLY: _l("Đã kết thúc sớm"),
    Status.CANCELLED: _l("Đã hủy"),
}


class Power(enum.StrEnum):
    """What may be delegated, and the permission the delegator and the delegate both need."""

    DIRECT = "direct"  # chỉ đạo văn bản đến (the queue "chờ chỉ đạo")
    SIGN = "sign"  # duyệt và ký văn bản đi (the review step and the signature)

    @property
    def label(self) -> str:
        return str(POWER_LABELS[self])

    @property
    def permission(self) -> Permission:
        return Permission.DIRECT_INCOMING if self is Power.DIRECT else Permission.APPROVE_OUTGOING


POWER_LABELS = {
    Power.DIRECT: _l("chỉ đạo văn bản đến"),
    Power.SIGN: _l("duyệt, ký văn bản đi"),
}


class Part(enum.StrEnum):
    DELEGATOR = "delegator"  # người ủy quyền


TRANSITIONS: dict[str, Transition[Status]] = {
    "end": Transition({Status.SCHEDULED, Status.RUNNING}, Status.ENDED_EARLY, Part.DELEGATOR),
}

# Longest span one delegation may cover: NĐ30 Điều 13 khoản 3 wants an authorisation
# limited in time; a longer absence is an acting appointment by the superior body.
MAX_DAYS = 90
# How far ahead a delegation may be given.
MAX_AHEAD_DAYS = 365


# --- the signing forms (NĐ30 Điều 13, Phụ lục I mục II.8) -------------------------------------

class SigningForm(enum.StrEnum):
    TM = "tm"  # thay mặt tập thể: the head signs for the People's Committee
    KT = "kt"  # ký thay: a deputy signs in place of the head
    TL = "tl"  # thừa lệnh: someone the head orders to sign certain documents
    TUQ = "tuq"  # thừa ủy quyền: someone not a deputy, authorised by the head for a time
    Q = "q"  # quyền: the acting head

    @property
    def prefix(self) -> str:
        return {"tm": "TM.", "kt": "KT.", "tl": "TL.", "tuq": "TUQ.", "q": "Q."}[self.value]

    @property
    def label(self) -> str:
        return str(FORM_LABELS[self])


FORM_LABELS = {
    SigningForm.TM: _l("TM. — thay mặt Ủy ban (người đứng đầu tự ký)"),
    SigningForm.KT: _l("KT. — ký thay Chủ tịch"),
    SigningForm.TL: _l("TL. — thừa lệnh Chủ tịch"),
    SigningForm.TUQ: _l("TUQ. — thừa ủy quyền Chủ tịch"),
    SigningForm.Q: _l("Q. — quyền Chủ tịch"),
}


class Standing(enum.StrEnum):
    """Where a person stands in the commune's leadership, read from their position."""

    HEAD = "head"  # Chủ tịch
    DEPUTY = "deputy"  # Phó Chủ tịch
    OTHER = "other"


HEAD_TITLE = "Chủ tịch"


def standing(user: User | None) -> Standing:
    position = (user.position.name if user is not None and user.position else "").strip().lower()
    if position.startswith("phó chủ tịch"):
        return Standing.DEPUTY
    if position.startswith("chủ tịch"):
        return Standing.HEAD
    return Standing.OTHER


def head_title(delegator: User) -> str:
    """The head's title the prefix goes before (“KT. CHỦ TỊCH”): the delegator's own
    position when they are the head, the commune's head otherwise."""
    if standing(delegator) is Standing.HEAD and delegator.position is not None:
        return delegator.position.name.strip()
    return HEAD_TITLE


def signing_forms(delegator: User, delegate: User) -> list[SigningForm]:
    """The forms a delegate may sign in for this delegator, the usual one first.

    The head authorises a deputy to sign in their place (KT.) or, for an absence that
    makes the deputy the acting head, as Q.; someone who is not a deputy signs TUQ. (the
    authorisation of Điều 13 khoản 3) or TL. Between deputies, or back to the head, each
    signs as they always do (KT., TM.): only the head may authorise someone who is not a
    deputy, and such a person may not pass it on (Điều 13 khoản 3)."""
    theirs, mine = standing(delegate), standing(delegator)
    if mine is Standing.HEAD:
        if theirs is Standing.DEPUTY:
            return [SigningForm.KT, SigningForm.Q]
        if theirs is Standing.HEAD:
            return [SigningForm.TM]
        return [SigningForm.TUQ, SigningForm.TL]
    if theirs is Standing.HEAD:
        return [SigningForm.TM]
    if theirs is Standing.DEPUTY:
        return [SigningForm.KT]
    return []
