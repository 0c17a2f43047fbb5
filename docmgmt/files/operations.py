"""Uploading and reading stored files, with access decided in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from flask import send_file
from flask_babel import gettext as _

from ..core.access import load
from ..core.errors import not_found
from ..org.models import User
from .models import StoredFile
from .store import FileStore, store_file

# Domain modules that attach files (incoming documents, drafts, meetings) register a
# check here: "may this user read this file because of what it is attached to?"
ACCESS_CHECKS: list[Callable[[User, StoredFile], bool]] = []


def can_read(user: User, stored: StoredFile) -> bool:
    if stored.organisation_id != user.organisation_id or not user.active:
        return False
    if stored.uploaded_by_id == user.id:
        return True
    return any(check(user, stored) for check in ACCESS_CHECKS)


def upload(actor: User, stream: BinaryIO | bytes, name: str) -> StoredFile:
    stored = store_file(stream, name, organisation_id=actor.organisation_id,
                        uploaded_by_id=actor.id)
    return stored


def get_readable(actor: User, file_id: int) -> StoredFile:
    stored = load(StoredFile, file_id)
    # Someone else's file and a missing one look the same: no probing of ids.
    if stored is None or not can_read(actor, stored):
        raise not_found(_("Không tìm thấy tệp hoặc bạn không có quyền xem."))
    return stored


def file_response(stored: StoredFile, inline: bool = False):
    """The bytes with safe headers: the original Vietnamese name (RFC 6266 filename*),
    no sniffing, and no script execution for anything opened in the browser."""
    path = FileStore.from_app().path_for(stored.sha256)
    response = send_file(
        path, mimetype=stored.mime, as_attachment=not inline,
        download_name=stored.original_name, conditional=True, etag=stored.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0"
    if stored.mime != "application/pdf":
        # The browser's PDF viewer needs scripts; everything else gets none.
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
