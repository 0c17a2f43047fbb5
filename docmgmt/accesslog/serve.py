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
from flask_login import current_user, login_required

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


def serve_file(user: User, kind: str, target: Target, stored: StoredFile, *, door: Door, inline: bool = False):
    """The file's bytes (``files.operations.file_response``), the read recorded: opened
    in the browser is a view, anything else a download."""
    if request.method != "HEAD" and not _continues_a_read():
        record_access(user, kind, target, Action.VIEW if inline else Action.DOWNLOAD, door, file=stored)
    return file_response(stored, inline=inline)


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


def add_file_routes(bp: Blueprint, kind: str, get_readable: Callable[[User, int], Any],
                    attached: Callable[[Any, int], StoredFile]) -> None:
    """The two doors a document's page offers on each of its files, for a domain whose
    ``get_readable(user, id)`` loads a document and checks access and whose
    ``attached(doc, file_id)`` finds one of its files (or refuses): the file itself,
    downloaded or (``inline=1``) opened in the browser, and its marked printed copy."""

    @bp.get("/<int:document_id>/files/<int:file_id>", endpoint="document_file")
    @login_required
    def document_file(document_id: int, file_id: int):
        doc = get_readable(current_user, document_id)
        return serve_file(current_user, kind, doc, attached(doc, file_id), door=Door.WEB,
                          inline=request.args.get("inline") == "1")

    @bp.get("/<int:document_id>/files/<int:file_id>/print", endpoint="print_file")
    @login_required
    def print_file(document_id: int, file_id: int):
        doc = get_readable(current_user, document_id)
        return serve_print(current_user, kind, doc, attached(doc, file_id))
