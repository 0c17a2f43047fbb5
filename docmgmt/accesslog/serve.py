"""What the doors share to hand out a file or a printed copy and record it.

The page, API and file doors call these after loading the document or file and
checking access (load → check → process); the recording itself is
``operations.record_access``. A browser resuming a download or a PDF viewer fetching
the rest of a file asks for a byte range further on: that is the same read, not a new
one, and is not recorded again.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import not_found
from ..files.models import StoredFile
from ..files.operations import file_response
from ..org.models import User
from .operations import Action, Door, Target, print_copy, record_access


def _continues_a_read() -> bool:
    """A Range request that does not start at the first byte."""
    wanted = request.headers.get("Range", "").replace(" ", "")
    return bool(wanted) and not wanted.startswith("bytes=0-")


def door_of_request(default: Door = Door.WEB) -> Door:
    """The meeting room asks for its documents with ``via=meeting``: the room is the door."""
    return Door.MEETING if request.args.get("via") == Door.MEETING.value else default


def serve_file(user: User, kind: str, target: Target, stored: StoredFile, *, door: Door, inline: bool = False,
               content: StoredFile | None = None):
    """The file's bytes (``files.operations.file_response``), the read recorded: opened
    in the browser is a view, anything else a download. ``content``: the bytes handed
    out are a copy made of ``stored`` (OCR's copy with a text layer), recorded as a
    read of ``stored``."""
    if request.method != "HEAD" and not _continues_a_read():
        record_access(user, kind, target, Action.VIEW if inline else Action.DOWNLOAD, door, file=stored)
    return file_response(content if content is not None else stored, inline=inline)


def serve_print(user: User, kind: str, target: Target, stored: StoredFile, *, door: Door = Door.WEB):
    """The marked printed copy, shown in the browser's viewer to be printed from there.
    Never cached: each copy names its printer and time."""
    copy = print_copy(user, kind, target, stored, door)
    response = send_file(
        io.BytesIO(copy.data),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=copy.name,
        etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# Copies made of a stored file that a document's file door hands out in its place, by
# name ("ocr": the scan with a text layer, ``searching.scans``): given the original, the
# copy (a ``StoredFile`` not in the database), or None when there is none.
DERIVED_COPIES: dict[str, Callable[[StoredFile], StoredFile | None]] = {}


def add_file_routes(bp: Blueprint, kind: str, get_readable: Callable[[User, int], Any],
                    attached: Callable[[Any, int], StoredFile]) -> None:
    """The doors a document's page offers on each of its files, for a domain whose
    ``get_readable(user, id)`` loads a document and checks access and whose
    ``attached(doc, file_id)`` finds one of its files (or refuses): the file itself,
    downloaded or (``inline=1``) opened in the browser, its marked printed copy, and the
    copies made of it (``DERIVED_COPIES``), behind the same check, logged as its reads."""

    @bp.get("/<int:document_id>/files/<int:file_id>", endpoint="document_file")
    @login_required
    def document_file(document_id: int, file_id: int):
        doc = get_readable(current_user, document_id)
        return serve_file(current_user, kind, doc, attached(doc, file_id), door=Door.WEB,
                          inline=request.args.get("inline") == "1")

    @bp.get("/<int:document_id>/files/<int:file_id>/<copy>", endpoint="file_copy")
    @login_required
    def file_copy(document_id: int, file_id: int, copy: str):
        doc = get_readable(current_user, document_id)
        stored = attached(doc, file_id)
        make = DERIVED_COPIES.get(copy)
        content = make(stored) if make is not None else None
        if content is None:
            raise not_found(_("Không tìm thấy tệp hoặc bạn không có quyền xem."))
        return serve_file(current_user, kind, doc, stored, door=Door.WEB,
                          inline=request.args.get("inline") == "1", content=content)

    @bp.get("/<int:document_id>/files/<int:file_id>/print", endpoint="print_file")
    @login_required
    def print_file(document_id: int, file_id: int):
        doc = get_readable(current_user, document_id)
        return serve_print(current_user, kind, doc, attached(doc, file_id))
