"""Attachments: base64 in both directions, and unzipping what senders zipped without
letting a hostile zip (bomb, traversal, symlink, encrypted) through."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from docmgmt.exchange.attachments import ZipLimits, decode_base64, encode_base64
from docmgmt.exchange.edxml import (
    Attachment,
    EdxmlError,
    expand_attachments,
    is_sender_zipped,
    unzip_attachment,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _zip(
    entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def _zip_refused(data: bytes, **kwargs) -> EdxmlError:
    with pytest.raises(EdxmlError) as caught:
        unzip_attachment(data, name="hoso.zip", **kwargs)
    assert caught.value.code == "edxml_zip"
    assert "hoso.zip" in caught.value.message_vi
    return caught.value


# --- base64 ---------------------------------------------------------------------------


def test_base64_round_trips_every_byte():
    data = bytes(range(256)) * 3
    text = encode_base64(data)
    assert "\n" not in text
    assert decode_base64(text, name="x") == data


@pytest.mark.parametrize(
    "text",
    [
        "QUJD\r\nREVG",
        " QUJDREVG ",
        "QUJDREVG",
        "QUJDREVG\n",
        "QUJD REVG",
    ],
)
def test_base64_with_whitespace_is_accepted(text):
    assert decode_base64(text, name="x") == b"ABCDEF"


def test_base64_missing_padding_and_url_safe_are_accepted():
    assert decode_base64("QUJDRA", name="x") == b"ABCD"
    assert (
        decode_base64(encode_base64(b"\xfb\xff\xfe").replace("+", "-").replace("/", "_"), name="x")
        == b"\xfb\xff\xfe"
    )


@pytest.mark.parametrize("text", ["QUJD*EVG", "QUJDR", "QU=JD", "QU=JDA", "QUJD====", "Ứng"])
def test_bad_base64_is_refused(text):
    with pytest.raises(EdxmlError) as caught:
        decode_base64(text, name="Quyết định.pdf", field="F")
    assert (caught.value.code, caught.value.field) == ("edxml_base64", "F")
    assert "Quyết định.pdf" in caught.value.message_vi


# --- unzipping ------------------------------------------------------------------------


def test_zip_with_folders_unzips_to_relative_paths():
    data = _zip([("Hồ sơ/", b""), ("Hồ sơ/Tờ trình.pdf", b"%PDF-a"), ("./b.txt", b"b")])
    assert unzip_attachment(data) == [("Hồ sơ/Tờ trình.pdf", b"%PDF-a"), ("b.txt", b"b")]


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "a/../../evil.txt", "/etc/passwd", "C:/Windows/evil.dll", "..\\evil.txt"],
)
def test_zip_with_path_traversal_is_refused(name):
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # ZipInfo would otherwise tidy some of these up
    error = _zip_refused(_zip([(info, b"x")]))
    assert "không an toàn" in error.message_vi


def test_zip_bomb_by_ratio_is_refused():
    bomb = _zip([("zeros.bin", bytes(5 * 1024 * 1024))])
    assert len(bomb) < 20_000
    _zip_refused(bomb)


def test_zip_over_total_size_is_refused():
    data = _zip([("a.bin", b"a" * 600), ("b.bin", b"b" * 600)], compression=zipfile.ZIP_STORED)
    assert len(unzip_attachment(data, limits=ZipLimits(max_total_bytes=1200))) == 2
    _zip_refused(data, limits=ZipLimits(max_total_bytes=1000))


def test_zip_with_too_many_entries_is_refused():
    data = _zip([(f"{i}.txt", b"x") for i in range(11)])
    _zip_refused(data, limits=ZipLimits(max_entries=10))


def test_zip_entry_that_expands_beyond_its_declared_size_is_refused():
    data = bytearray(_zip([("a.txt", b"A" * 1000)], compression=zipfile.ZIP_STORED))
    # Shrink the declared size in the central directory: a lying archive.
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    _zip_refused(bytes(data))


def test_zip_with_a_symlink_is_refused():
    info = zipfile.ZipInfo("link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    _zip_refused(_zip([(info, b"/etc/passwd")]))


def test_encrypted_zip_entry_is_refused():
    data = bytearray(_zip([("secret.pdf", b"x")]))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1
    _zip_refused(bytes(data))


def test_not_a_zip_is_refused():
    _zip_refused(b"PK\x03\x04 but then garbage")


# --- which attachments get unzipped ---------------------------------------------------


def test_docx_is_never_unzipped_even_if_labelled_zip():
    docx = _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")])
    for content_type in (DOCX_TYPE, "application/zip"):
        attachment = Attachment("Tờ trình.docx", docx, content_type=content_type)
        assert attachment.looks_like_zip
        assert not is_sender_zipped(attachment)
        assert expand_attachments([attachment]) == [("Tờ trình.docx", docx)]


def test_declared_zip_is_unzipped_and_plain_files_pass_through():
    zipped = Attachment("ho-so.zip", _zip([("a.pdf", b"%PDF-a"), ("b.pdf", b"%PDF-b")]))
    pdf = Attachment("c.pdf", b"%PDF-c", content_type="application/pdf")
    unlabelled = Attachment("d.bin", _zip([("e.txt", b"e")]))  # a zip nobody declared
    assert expand_attachments([zipped, pdf, unlabelled]) == [
        ("a.pdf", b"%PDF-a"),
        ("b.pdf", b"%PDF-b"),
        ("c.pdf", b"%PDF-c"),
        ("d.bin", unlabelled.data),
    ]
