"""The lifecycles of records, as data.

* The plan (Danh mục hồ sơ): draft → approved by the head of the commune; the archive
  role may take an approved plan back to draft to change it (it is approved again).
* A dossier: planned (a row of the plan) → open (its person responsible opened it and
  files documents) → closed (frozen; a manifest fixes its files) → archived (received by
  the archive). Reopening a closed dossier is an act of the head of the commune, with a
  reason. Lending an archived dossier out and back changes no state (``DossierLoan``).
* A transfer (nộp lưu): announced by the archive → submitted by the person handing over
  → received by the archive, whose receipt archives the dossiers.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from docmgmt.core.workflow import Transition


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return str(PLAN_LABELS[self])


PLAN_LABELS = {PlanStatus.DRAFT: _l("Đang soạn"), PlanStatus.APPROVED: _l("Đã phê duyệt")}


class DossierStatus(enum.StrEnum):
    PLANNED = "planned"  # trong Danh mục, chưa mở
    OPEN = "open"  # đang lập
    CLOSED = "closed"  # đã kết thúc
    ARCHIVED = "archived"  # đã nộp lưu

    @property
    def label(self) -> str:
        return str(DOSSIER_LABELS[self])


DOSSIER_LABELS = {
    DossierStatus.PLANNED: _l("Chưa mở"),
    DossierStatus.OPEN: _l("Đang lập"),
    DossierStatus.CLOSED: _l("Đã kết thúc"),
    DossierStatus.ARCHIVED: _l("Đã nộp lưu"),
}


class TransferStatus(enum.StrEnum):
    ANNOUNCED = "announced"  # Lưu trữ đã thông báo
    SUBMITTED = "submitted"  # người lập đã nộp
    RECEIVED = "received"  # Lưu trữ đã tiếp nhận

    @property
    def label(self) -> str:
        return str(TRANSFER_LABELS[self])


TRANSFER_LABELS = {
    TransferStatus.ANNOUNCED: _l("Chờ nộp lưu"),
    TransferStatus.SUBMITTED: _l("Đã nộp, chờ tiếp nhận"),
    TransferStatus.RECEIVED: _l("Đã tiếp nhận"),
}


class Who(enum.StrEnum):
    ARCHIVIST = "archivist"  # Lưu trữ cơ quan (Permission.MANAGE_RECORDS: the clerk by default)
    APPROVER = "approver"  # the head of the commune (Permission.APPROVE_RECORDS)
    RESPONSIBLE = "responsible"  # the dossier's person responsible (người lập hồ sơ)
    GIVER = "giver"  # the person handing the transfer's dossiers over


P, D, T, W = PlanStatus, DossierStatus, TransferStatus, Who

# action → from statuses, to status, who
PLAN_TRANSITIONS: dict[str, Transition[PlanStatus]] = {
    "edit": Transition({P.DRAFT}, None, W.ARCHIVIST),  # headings, dossiers, numbering
    "approve": Transition({P.DRAFT}, P.APPROVED, W.APPROVER),  # with the decision's number and date
    "revise": Transition({P.APPROVED}, P.DRAFT, W.ARCHIVIST),
}

DOSSIER_TRANSITIONS: dict[str, Transition[DossierStatus]] = {
    "open": Transition({D.PLANNED}, D.OPEN, W.RESPONSIBLE),
    "edit": Transition({D.OPEN}, None, W.RESPONSIBLE),  # title, retention, notes (Điều 29.4.b)
    "file": Transition({D.OPEN}, None, W.RESPONSIBLE),  # add or remove documents
    "close": Transition({D.OPEN}, D.CLOSED, W.RESPONSIBLE),
    "reopen": Transition({D.CLOSED}, D.OPEN, W.APPROVER),  # with the reason
    "archive": Transition({D.CLOSED}, D.ARCHIVED, W.ARCHIVIST),  # received with its transfer
    "lend": Transition({D.ARCHIVED}, None, W.ARCHIVIST),
    "take_back": Transition({D.ARCHIVED}, None, W.ARCHIVIST),
}

TRANSFER_TRANSITIONS: dict[str, Transition[TransferStatus]] = {
    "submit": Transition({T.ANNOUNCED}, T.SUBMITTED, W.GIVER),
    "receive": Transition({T.SUBMITTED}, T.RECEIVED, W.ARCHIVIST),
}


# The dossier's history (``DossierEvent.kind``), as the pages name each act.
EVENT_LABELS = {
    "planned": _l("Đưa vào Danh mục hồ sơ"),
    "opened": _l("Mở hồ sơ"),
    "edited": _l("Sửa thông tin hồ sơ"),
    "filed": _l("Đưa văn bản vào hồ sơ"),
    "removed": _l("Đưa văn bản ra khỏi hồ sơ"),
    "closed": _l("Kết thúc hồ sơ"),
    "reopened": _l("Mở lại hồ sơ"),
    "announced": _l("Thông báo nộp lưu"),
    "submitted": _l("Nộp lưu"),
    "received": _l("Lưu trữ cơ quan tiếp nhận"),
    "lent": _l("Cho mượn"),
    "returned": _l("Nhận lại hồ sơ cho mượn"),
}
