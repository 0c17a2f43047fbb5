"""The incoming lifecycle as data: code, tests and documentation read this table."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..core.permissions import Permission


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
HANDLER = None  # the action belongs to the document's main handler, not to a role

# action: (from statuses, to status, who may: any of these permissions, or HANDLER)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status, frozenset[Permission] | None]] = {
    "submit": (frozenset({S.REGISTERED}), S.SUBMITTED, frozenset({P.REGISTER_INCOMING})),
    "direct": (frozenset({S.REGISTERED, S.SUBMITTED}), S.ASSIGNED,
               frozenset({P.DIRECT_INCOMING})),
    "reassign": (frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.ASSIGNED,
                 frozenset({P.DIRECT_INCOMING})),
    "start": (frozenset({S.ASSIGNED}), S.IN_PROGRESS, HANDLER),
    "complete": (frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.DONE, HANDLER),
    "return_to_sender": (frozenset({S.REGISTERED, S.SUBMITTED}), S.RETURNED,
                         frozenset({P.DIRECT_INCOMING, P.REGISTER_INCOMING})),
}


def allowed_from(action: str, status: Status) -> bool:
    return status in TRANSITIONS[action][0]


OPEN_STATUSES = frozenset({S.REGISTERED, S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS})
