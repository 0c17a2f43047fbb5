"""What the pages show of scans and their OCR (``searching.ocr``).

* A document's page offers, beside a scan that OCR has read, its copy with a text layer
  ("Bản có lớp chữ (OCR)"): the file doors of every document kind
  (``accesslog.serve.add_file_routes``, ``<blueprint>.file_copy`` with ``copy="ocr"``)
  hand it out after the same access check as the original, and record the read in the
  access log as a read of the original. A scan still waiting says so ("chờ nhận dạng
  chữ (OCR)"); one OCR could not read says why.
* The search page marks the hits whose files wait for OCR, and says how far the
  organisation's scans are read.
* The administrator's home page shows the backlog while there is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_login import current_user

from ..accesslog.serve import DERIVED_COPIES
from ..core.permissions import Permission, Role
from ..extensions import db
from ..files.models import StoredFile
from ..home.waiting import Item, Panel, provider
from ..org.models import User
from . import ocr
from .models import OcrCopy

COPY = "ocr"  # the name of the copy in the file doors' URLs: /incoming/5/files/7/ocr


def searchable_copy(stored: StoredFile) -> StoredFile | None:
    """OCR's copy of ``stored`` as a file to hand out (not a record: it has none), or None."""
    copy = db.session.get(OcrCopy, stored.sha256)
    if copy is None:
        return None
    blob = copy.searchable_sha256
    stem = Path(stored.original_name).stem or "van-ban"
    return StoredFile(sha256=blob, mime=ocr.PDF, original_name=f"{stem} (OCR).pdf"[:255],
                      organisation_id=stored.organisation_id)


def _search_notes(found: Any) -> dict[str, Any]:
    """For the search page: the hits (index ids) waiting for OCR, and the organisation's
    backlog when there is one."""
    if not current_user.is_authenticated:
        return {"waiting": set(), "backlog": None}
    documents = getattr(found, "documents", None) or []
    ids = [d.hit.id for d in documents if not d.hit.text_searchable]
    # The commune's figure counts scans of every record: only for those who see them all.
    sees_all = current_user.can(Permission.VIEW_ALL_DOCUMENTS) or current_user.can(Permission.MANAGE_ORGANISATION)
    figure = ocr.backlog(current_user.organisation_id) if sees_all and not getattr(found, "asked", False) else None
    return {"waiting": ocr.waiting_records(ids) if ids else set(),
            "backlog": figure if figure is not None and figure.total else None}


@provider
def _ocr_backlog(user: User) -> Panel | None:
    """The administrator's figure while scans wait for OCR or could not be read."""
    if not user.can(Permission.MANAGE_ORGANISATION):
        return None
    figure = ocr.backlog(user.organisation_id)
    if not figure.waiting and not figure.failed:
        return None
    items = [Item(_("Đã nhận dạng chữ %(read)s/%(total)s tệp quét (%(pct)s%%)", read=figure.read,
                    total=figure.total, pct=figure.read * 100 // max(1, figure.total)))]
    if figure.waiting:
        note = (_("Máy chủ chưa cài công cụ nhận dạng chữ (OCRmyPDF, tesseract-ocr-vie): chạy "
                  "scripts/setup.sh với quyền quản trị máy chủ.") if figure.missing_tools
                else _("Tiến trình nền (flask worker) đang đọc lần lượt."))
        items.append(Item(_("Chờ nhận dạng chữ (OCR): %(n)s tệp", n=figure.waiting), note=note,
                          urgent=figure.missing_tools is not None))
    if figure.failed:
        items.append(Item(_("Không nhận dạng được: %(n)s tệp", n=figure.failed),
                          note=_("Thử lại: flask search ocr --retry-failed"), urgent=True))
    return Panel("ocr", _("Nhận dạng chữ tệp quét (OCR)"), Role.ADMIN, items)


def init_app(app: Flask) -> None:
    DERIVED_COPIES[COPY] = searchable_copy
    app.jinja_env.globals.update(ocr_state=ocr.state_of, ocr_search_notes=_search_notes)
