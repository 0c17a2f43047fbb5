"""Web door for signature verification: "Kiểm tra chữ ký số".

Any PDF can be checked — an uploaded one (incoming documents carry other agencies'
signatures) or a stored file the user may read (``files.operations.get_readable``
decides). ``signing.verify.verify_pdf`` does the work; this module only reads the file
and shows the reports, in Vietnamese, an invalid signature in red.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import DomainError, ValidationFailed
from ..core.forms import show_error
from ..files import operations as files_ops
from ..files.models import StoredFile
from ..files.store import FileStore
from ..signing.verify import verify_pdf
from .forms import VerifyForm

bp = Blueprint("signatures", __name__, url_prefix="/signatures")

MAX_PDF_BYTES = 50 * 1024 * 1024


def verify_bytes(pdf: bytes) -> list:
    """The reports of every signature in ``pdf``; a file that is not a PDF is refused
    with ``not_a_pdf`` (422)."""
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise ValidationFailed("not_a_pdf", _("Tệp không phải PDF hợp lệ."), "file")
    return verify_pdf(pdf)


def verify_stored(stored: StoredFile) -> list:
    return verify_bytes(FileStore.from_app().path_for(stored.sha256).read_bytes())


def read_upload(storage) -> bytes:
    if storage is None or not getattr(storage, "filename", ""):
        raise ValidationFailed("required", _("Hãy chọn tệp PDF cần kiểm tra."), "file")
    data = storage.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise ValidationFailed("too_large", _("Tệp quá lớn (tối đa 50 MB)."), "file")
    return data


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    form = VerifyForm()
    reports, name, status = None, "", 200
    if form.validate_on_submit():
        try:
            name = getattr(form.file.data, "filename", "") or ""
            reports = verify_bytes(read_upload(form.file.data))
        except DomainError as err:
            show_error(form, err)
            status = err.status
    return render_template("outgoing/verify.html", form=form, reports=reports, name=name), status


@bp.get("/files/<int:file_id>")
@login_required
def verify_file(file_id: int):
    """The signatures of a stored PDF the user may read (linked from document pages)."""
    stored = files_ops.get_readable(current_user, file_id)
    if stored.mime != "application/pdf":
        raise ValidationFailed("not_a_pdf", _("Tệp không phải PDF hợp lệ."), "file")
    return render_template("outgoing/verify.html", form=VerifyForm(), reports=verify_stored(stored),
                           name=stored.original_name, stored=stored)
