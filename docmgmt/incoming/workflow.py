"""The incoming lifecycle as data: code, tests and documentation read this table."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..core.permissions import Permission
from ..core.workflow import Transition


class Status(enum.StrEnum):
    REGISTERED = "registered"  # đã vào sổ
    SUBMITTED = "submitted"  # đã trình lãnh đạo
    ASSIGNED = "assigned"  # đã chỉ đạo, phân công
    IN_PROGRESS = "in_progress"  # đang giải quyết
    DONE = "done"  # hoàn thành
    RETURNED = "returned"  # trả lại nơi gửi
    PAPER = "paper"  # văn bản mật: chỉ theo dõi bản giấy

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.REGISTERED: _l("Đã vào sổ"),
    Status.SUBMITTED: _l("Chờ chỉ đạo"),
    Status.ASSIGNED: _l("Đã phân công"),
    Status.IN_PROGRESS: _l("Đang giải quyết"),
    Status.DONE: _l("Hoàn thành"),
    Status.RETURNED: _l("Đã trả lại"),
    Status.PAPER: _l("Bản giấy (mật)"),
}

S = Status
P = Permission


class Part(enum.StrEnum):
    """Who may act, where it is a part in the document rather than a role."""

    MAIN_HANDLER = "main_handler"  # the person (or a member of the unit) chủ trì, not yet done
    # A leader who directs — the one it was put before, if it was put before one (or
    # whoever that leader delegated direction to, while the delegation runs).
    DIRECTOR = "director"


# action → from statuses, to status, who may (any of these permissions, or a Part)
TRANSITIONS: dict[str, Transition[Status]] = {
    "submit": Transition({S.REGISTERED}, S.SUBMITTED, frozenset({P.REGISTER_INCOMING})),
    "direct": Transition({S.REGISTERED, S.SUBMITTED}, S.ASSIGNED, Part.DIRECTOR),
    "reassign": Transition({S.ASSIGNED, S.IN_PROGRESS}, S.ASSIGNED, frozenset({P.DIRECT_INCOMING})),
    "start": Transition({S.ASSIGNED}, S.IN_PROGRESS, Part.MAIN_HANDLER),
    "complete": Transition({S.ASSIGNED, S.IN_PROGRESS}, S.DONE, Part.MAIN_HANDLER),
    "return_to_sender": Transition({S.REGISTERED, S.SUBMITTED}, S.RETURNED,
                                   frozenset({P.DIRECT_INCOMING, P.REGISTER_INCOMING})),
}

OPEN_STATUSES = frozenset({S.REGISTERED, S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS})
HANDLING = frozenset({S.ASSIGNED, S.IN_PROGRESS})
