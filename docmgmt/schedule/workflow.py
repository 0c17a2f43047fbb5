"""The weekly schedule's lifecycle, as data: draft → submitted → published, sent back to
draft by the approver, reopened ("Điều chỉnh") by the office to change a published week.

Publishing makes the next version (1, 2, …); while a published week is being changed,
those who may not read drafts keep reading its latest published version.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from docmgmt.core.workflow import Transition


class Status(enum.StrEnum):
    DRAFT = "draft"  # đang soạn (or đang điều chỉnh, once published before)
    SUBMITTED = "submitted"  # đã trình duyệt
    PUBLISHED = "published"  # đã ban hành

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.DRAFT: _l("Đang soạn"),
    Status.SUBMITTED: _l("Chờ duyệt"),
    Status.PUBLISHED: _l("Đã ban hành"),
}


class Who(enum.StrEnum):
    OFFICE = "office"  # Văn phòng: văn thư, thư ký (Permission.MANAGE_SCHEDULE)
    APPROVER = "approver"  # the leaders (Permission.CHAIR_MEETINGS): the chairman, a vice chairman


S = Status
W = Who

# action → from statuses, to status, who
TRANSITIONS: dict[str, Transition[Status]] = {
    "edit": Transition({S.DRAFT}, None, W.OFFICE),  # add, change or remove entries
    "submit": Transition({S.DRAFT}, S.SUBMITTED, W.OFFICE),
    "return": Transition({S.SUBMITTED}, S.DRAFT, W.APPROVER),  # with the reason
    "publish": Transition({S.SUBMITTED}, S.PUBLISHED, W.APPROVER),
    "revise": Transition({S.PUBLISHED}, S.DRAFT, W.OFFICE),  # to change a published week
}
