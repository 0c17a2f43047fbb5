"""Attachment bytes: base64 in and out, and safe unzipping of zipped attachments.

Senders sometimes zip what they attach (the reference message carries a zip named
``….doc``), so the importer unzips — but a zip from outside is treated as hostile:
limits on entry count, total size and compression ratio (zip bombs), no absolute or
``..`` paths, no symlinks, no encrypted entries; sizes are enforced while reading, not
only trusted from the zip's own directory.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import BASE64, ZIP, EdxmlError
from .limits import DEFAULT_LIMITS, MessageLimits, too_many_files
from .model import Attachment

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_WHITESPACE = re.compile(rb"\s+")
_READ_CHUNK = 1024 * 1024


def decode_base64(text: str | bytes, *, name: str, field: str | None = None) -> bytes:
    """Decode an attachment's ``ContentTransferEncoded``, or raise ``edxml_base64``.

    Liberal: line breaks and spaces anywhere, missing ``=`` padding, the URL-safe
    alphabet (``-_``, never valid in standard base64, so unambiguous). Strict: any
    other character, or a length no base64 can have.
    """
    raw = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text)
    raw = _WHITESPACE.sub(b"", raw).translate(bytes.maketrans(b"-_", b"+/"))
    body = raw.rstrip(b"=")
    if _NOT_BASE64.search(body) or len(raw) - len(body) > 2 or len(body) % 4 == 1:
        raise _base64_error(name, field)
    try:
        return base64.b64decode(body + b"=" * (-len(body) % 4), validate=True)
    except binascii.Error:
        raise _base64_error(name, field) from None


def encode_base64(data: bytes) -> str:
    """One unbroken line, as the reference messages carry it."""
    return base64.b64encode(data).decode("ascii")


def _base64_error(name: str, field: str | None) -> EdxmlError:
    return EdxmlError(
        BASE64,
        f"Không giải mã được nội dung tệp đính kèm “{name}”: dữ liệu Base64 không hợp lệ.",
        field,
    )


# --- zip ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """How much a zipped attachment may expand to. Generous for real documents."""

    max_entries: int = 500
    max_total_bytes: int = 200 * 1024 * 1024
    max_entry_bytes: int = 100 * 1024 * 1024
    # Scanned PDFs and Word files compress 1-10x; text maybe 20x. A bomb is 1000x+.
    max_ratio: float = 100.0
    # Below this, ratios mean nothing (a 1 KB file of spaces compresses 100x).
    ratio_floor_bytes: int = 1024 * 1024


DEFAULT_ZIP_LIMITS = ZipLimits()


def unzip_attachment(
    data: bytes, *, name: str = "tệp nén", limits: ZipLimits = DEFAULT_ZIP_LIMITS
) -> list[tuple[str, bytes]]:
    """Unzip into ``(path, bytes)`` pairs in archive order; directories are skipped.

    Paths are NFC, use ``/``, and are guaranteed relative without ``..``.
    Raises ``EdxmlError`` (``edxml_zip``) on anything unsafe or broken.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _zip_error(name, "tệp không phải là tệp ZIP hợp lệ") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > limits.max_entries:
            raise _zip_error(name, f"có quá nhiều tệp ({len(infos)} > {limits.max_entries})")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_total_bytes:
            raise _zip_error(name, "dung lượng sau khi giải nén vượt giới hạn")
        out: list[tuple[str, bytes]] = []
        total = 0
        for info in infos:
            _check_entry(info, name, limits)
            content = _read_entry(archive, info, name, limits, limits.max_total_bytes - total)
            total += len(content)
            out.append((_safe_path(info.filename, name), content))
        return out


def _check_entry(info: zipfile.ZipInfo, name: str, limits: ZipLimits) -> None:
    if info.flag_bits & 0x1:
        raise _zip_error(name, f"tệp “{info.filename}” được mã hóa bằng mật khẩu")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _zip_error(name, f"“{info.filename}” là liên kết tượng trưng (symlink)")
    if info.file_size > limits.max_entry_bytes:
        raise _zip_error(name, f"tệp “{info.filename}” quá lớn sau khi giải nén")
    if info.file_size > limits.ratio_floor_bytes and (
        info.file_size > limits.max_ratio * max(info.compress_size, 1)
    ):
        raise _zip_error(name, f"tỷ lệ nén của “{info.filename}” bất thường (nghi zip bomb)")


def _read_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    limits: ZipLimits,
    budget: int,
) -> bytes:
    # The directory's sizes are the sender's claim; count what actually comes out.
    cap = min(limits.max_entry_bytes, budget, info.file_size)
    buffer = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                buffer += chunk
                if len(buffer) > cap:
                    raise _zip_error(name, f"“{info.filename}” giải nén ra nhiều hơn khai báo")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise _zip_error(name, f"không đọc được “{info.filename}” ({exc})") from exc
    return bytes(buffer)


def _safe_path(filename: str, name: str) -> str:
    path = unicodedata.normalize("NFC", filename.replace("\\", "/"))
    parts = path.split("/")
    if (
        not path
        or "\x00" in path
        or path.startswith("/")
        or re.match(r"^[A-Za-z]:", path)
        or any(part in ("..",) for part in parts)
    ):
        raise _zip_error(name, f"đường dẫn “{filename}” không an toàn")
    clean = "/".join(p for p in parts if p not in ("", "."))
    if not clean:
        raise _zip_error(name, f"đường dẫn “{filename}” không an toàn")
    if len(clean.rpartition("/")[2]) > DEFAULT_LIMITS.length_limit("AttachmentName"):
        raise _zip_error(name, f"tên tệp “{clean[:60]}…” quá dài")
    return clean


def _zip_error(name: str, reason: str) -> EdxmlError:
    return EdxmlError(
        ZIP, f"Không giải nén được tệp đính kèm “{name}”: {reason}.", "AttachmentEncoded/Attachment"
    )


_ZIP_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/x-zip", "multipart/x-zip"}
)
# Office and OpenDocument files are ZIP containers too; unzipping them would store
# their XML parts instead of the document.
_CONTAINER_MARKERS = ("[Content_Types].xml", "mimetype", "META-INF/manifest.xml")


def is_sender_zipped(attachment: Attachment) -> bool:
    """Did the sender zip this attachment for transport (so we should unzip it)?

    The bytes must be a ZIP, declared as one (content type or ``.zip`` name — the
    reference message declares application/zip on a file it names ``….doc``), and not
    be an Office/OpenDocument file that merely happens to be a ZIP container.
    """
    if not attachment.looks_like_zip:
        return False
    content_type = (attachment.content_type or "").split(";")[0].strip().lower()
    declared = content_type in _ZIP_TYPES or attachment.attachment_name.lower().endswith(".zip")
    if not declared:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(attachment.data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return True  # declared a zip: let unzip_attachment report it as broken
    return not any(marker in names for marker in _CONTAINER_MARKERS)


def expand_attachments(
    attachments: Iterable[Attachment],
    *,
    limits: ZipLimits = DEFAULT_ZIP_LIMITS,
    message_limits: MessageLimits = DEFAULT_LIMITS,
) -> list[tuple[str, bytes]]:
    """The files to store: zipped attachments unzipped, the others as they are.

    At most ``message_limits.max_attachments`` files in all, counted from each zip's
    directory before anything in it is inflated (``edxml_too_many``)."""
    files: list[tuple[str, bytes]] = []
    for attachment in attachments:
        if is_sender_zipped(attachment):
            count = len(files) + _entry_count(attachment.data)
            if count > message_limits.max_attachments:
                raise too_many_files(count, message_limits)
            files.extend(
                unzip_attachment(attachment.data, name=attachment.attachment_name, limits=limits)
            )
        else:
            files.append((attachment.attachment_name, attachment.data))
        if len(files) > message_limits.max_attachments:
            raise too_many_files(len(files), message_limits)
    return files


def _entry_count(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(1 for info in archive.infolist() if not info.is_dir())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # unzip_attachment names what is wrong with it
