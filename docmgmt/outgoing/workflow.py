"""The outgoing lifecycle as data: draft → review chain → approved → signed → issued
(or approved → issued on paper, when the leader signed the paper by hand).

Code, tests and documentation read this table. Who acts at a review step is decided by
the step itself (its reviewer), signing by the document (its signer); the other actions
need a permission.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..core.permissions import Permission
from ..core.workflow import Transition


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


class Part(enum.StrEnum):
    """Who may act, where it is a part in the document rather than a role."""

    DRAFTER = "drafter"  # the person who drafts it
    REVIEWER = "reviewer"  # the reviewer of the current step (after approval: the signer)
    SIGNER = "signer"  # the leader it was put before for signature (người ký)


DRAFTER, REVIEWER, SIGNER = Part.DRAFTER, Part.REVIEWER, Part.SIGNER

# action → from statuses, to status, who may (a permission or a Part)
TRANSITIONS: dict[str, Transition[Status]] = {
    "new_version": Transition({S.DRAFT, S.RETURNED}, S.DRAFT, DRAFTER),
    "submit": Transition({S.DRAFT, S.RETURNED}, S.REVIEWING, DRAFTER),
    "approve": Transition({S.REVIEWING}, S.REVIEWING, REVIEWER),  # the last step → APPROVED
    "return": Transition({S.REVIEWING, S.APPROVED}, S.RETURNED, REVIEWER),
    "sign": Transition({S.APPROVED}, S.SIGNED, SIGNER),
    "issue": Transition({S.SIGNED}, S.ISSUED, P.ISSUE_OUTGOING),
    # The leader signed the paper by hand: the clerk numbers it and records its scan.
    "issue_on_paper": Transition({S.APPROVED}, S.ISSUED, P.ISSUE_OUTGOING),
    "recall": Transition({S.ISSUED}, S.RECALLED, P.APPROVE_OUTGOING),
}

EDITABLE = frozenset({S.DRAFT, S.RETURNED})
