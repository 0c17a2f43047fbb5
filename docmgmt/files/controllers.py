"""Web door: download or preview a stored file."""

from flask import Blueprint, request
from flask_login import current_user, login_required

from . import operations as ops

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.get("/<int:file_id>")
@login_required
def download(file_id: int):
    stored = ops.get_readable(current_user, file_id)
    return ops.file_response(stored, inline=request.args.get("inline") == "1")
