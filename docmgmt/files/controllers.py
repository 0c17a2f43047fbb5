"""Web door: download or preview a stored file."""

from flask import Blueprint, request
from flask_login import current_user, login_required

from ..accesslog.operations import FILE
from ..accesslog.serve import door_of_request, serve_file
from . import operations as ops

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.get("/<int:file_id>")
@login_required
def download(file_id: int):
    stored = ops.get_readable(current_user, file_id)
    return serve_file(current_user, FILE, stored, stored, door=door_of_request(),
                      inline=request.args.get("inline") == "1")
