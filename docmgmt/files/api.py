"""API door for files: upload, metadata, content."""

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from ..api.blueprint import api_blueprint
from ..core.errors import ValidationFailed
from . import operations as ops

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
        """Upload one file (PDF, DOCX, JPEG, PNG, TIFF or XML, checked by content)."""
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
    @bp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
    def get(self, file_id):
        """The file's bytes, with its original name."""
        return ops.file_response(ops.get_readable(current_user, file_id))
