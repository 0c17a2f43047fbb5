"""API door for files: upload, metadata, content."""

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from ..accesslog.operations import FILE, Door
from ..accesslog.serve import serve_file
from ..api.blueprint import api_blueprint
from ..core.errors import ValidationFailed
from . import operations as ops
from .store import ALLOWED_MIME

bp = api_blueprint("files", __name__, "Stored files (content-addressed, typed by content).")


class FileSchema(Schema):
    id = fields.Integer()
    original_name = fields.String()
    mime = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()


class UploadSchema(Schema):
    file = Upload(required=True)


@bp.route("/files")
class Files(MethodView):
    @bp.arguments(UploadSchema, location="files")
    @bp.response(201, FileSchema)
    def post(self, data):
        """Upload one file (PDF, DOCX, JPEG, PNG, TIFF or XML, checked by content).

        A file no document refers to is removed after a grace period (24 hours by
        default), and each person may keep only a few of those at a time: above that,
        422 ``upload_quota``."""
        upload = data.get("file")
        if upload is None:
            raise ValidationFailed("required", _("Hãy chọn tệp."), "file")
        return ops.upload(current_user, upload.stream, upload.filename or "")


@bp.route("/files/<int:file_id>")
class FileItem(MethodView):
    @bp.response(200, FileSchema)
    def get(self, file_id):
        return ops.get_readable(current_user, file_id)


@bp.route("/files/<int:file_id>/content")
class FileContent(MethodView):
    # Served as what its content is (checked on upload): each type the store accepts.
    @bp.doc(responses={"200": {"description": "the file, typed by its content", "content": {
        mime: {"schema": {"type": "string", "format": "binary"}} for mime in ALLOWED_MIME}}})
    def get(self, file_id):
        """The file's bytes, with its original name."""
        stored = ops.get_readable(current_user, file_id)
        return serve_file(current_user, FILE, stored, stored, door=Door.API)
