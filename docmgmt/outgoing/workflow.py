"""The outgoing lifecycle as data: draft → review chain → approved → signed → issued.

Code, tests and documentation read this table. Who acts at a review step is decided by
the step itself (its reviewer); the other actions need a permission.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..core.permissions import Permission


class Status(enum.StrEnum):
    DRAFT = "draft"  # dự thảo
    REVIEWING = "reviewing"  # đang trình duyệt
    RETURNED = "returned"  # trả lại để sửa
    APPROVED = "approved"  # đã duyệt, chờ ký
    SIGNED = "signed"  # lãnh đạo đã ký, chờ cấp số
    ISSUED = "issued"  # đã phát hành
    RECALLED = "recalled"  # đã thu hồi

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.DRAFT: _l("Dự thảo"),
    Status.REVIEWING: _l("Đang trình duyệt"),
    Status.RETURNED: _l("Trả lại để sửa"),
    Status.APPROVED: _l("Đã duyệt, chờ ký"),
    Status.SIGNED: _l("Đã ký, chờ phát hành"),
    Status.ISSUED: _l("Đã phát hành"),
    Status.RECALLED: _l("Đã thu hồi"),
}

S = Status
P = Permission
DRAFTER = "drafter"  # the person who drafts it
REVIEWER = "reviewer"  # the reviewer of the current step

# action: (from statuses, to status, who: a permission, DRAFTER or REVIEWER)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status, object]] = {
    "new_version": (frozenset({S.DRAFT, S.RETURNED}), S.DRAFT, DRAFTER),
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.REVIEWING, DRAFTER),
    "approve": (frozenset({S.REVIEWING}), S.REVIEWING, REVIEWER),  # last step → APPROVED
    "return": (frozenset({S.REVIEWING, S.APPROVED}), S.RETURNED, REVIEWER),
    "sign": (frozenset({S.APPROVED}), S.SIGNED, P.APPROVE_OUTGOING),
    "issue": (frozenset({S.SIGNED}), S.ISSUED, P.ISSUE_OUTGOING),
    "recall": (frozenset({S.ISSUED}), S.RECALLED, P.APPROVE_OUTGOING),
}

EDITABLE = frozenset({S.DRAFT, S.RETURNED})
