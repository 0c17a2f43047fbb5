"""Hand-built hostile files: PDF and DOCX bombs, cycles, deep nesting, broken files.

Every bomb is built from small pieces in milliseconds: deflate output of a block of
zeros, flushed so that the next copy does not refer back to it, is simply repeated
(``zeros_deflated``), so a stream that inflates to a gigabyte costs about a megabyte
and no gigabyte is ever written or held. The sizes say what a reader would have to
inflate."""

from __future__ import annotations

import io
import struct
import zlib

MB = 1_000_000
_BLOCK = 1 << 20  # one deflate block of zeros per MiB


def _repeatable(unit: bytes) -> tuple[bytes, bytes]:
    """Raw deflate of ``unit`` flushed so that it can be repeated (each copy refers to
    nothing before it), and the end of stream to put after the last copy."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(unit) + comp.flush(zlib.Z_FULL_FLUSH)
    return block, comp.flush(zlib.Z_FINISH)


def zeros_deflated(size: int) -> bytes:
    """A zlib stream (as /FlateDecode wants it) inflating to ``size`` zero bytes, size
    rounded up to a whole MiB."""
    blocks = max(1, -(-size // _BLOCK))
    block, end = _repeatable(b"\0" * _BLOCK)
    total = blocks * _BLOCK
    adler = ((total % 65521) << 16) | 1  # Adler-32 of zeros: a = 1, b = n mod 65521
    return b"\x78\xda" + block * blocks + end + struct.pack(">I", adler)


def build_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Assemble numbered objects (1-based) into a PDF with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def flate(data: bytes, extra: bytes = b"") -> bytes:
    return stream(data, b"/Filter /FlateDecode " + extra)


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "


def one_page(page_extra: bytes, *more: bytes) -> bytes:
    """Catalog (1), pages (2), the page (3) with ``page_extra``, then ``more`` from 4."""
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE + page_extra + b" >>",
        *more,
    ])


def decompression_bomb(megabytes: int = 400) -> bytes:
    """A page whose content stream inflates to hundreds of megabytes of zeros."""
    return one_page(b"/Contents 4 0 R", flate(zeros_deflated(megabytes * MB)))


def form_xobject_bomb(megabytes: int = 1100) -> bytes:
    """A small page drawing a Form XObject whose stream inflates to 1.1 GB."""
    return one_page(
        b"/Contents 4 0 R /Resources << /XObject << /X0 5 0 R >> >>",
        stream(b"q /X0 Do Q"),
        flate(zeros_deflated(megabytes * MB), b"/Type /XObject /Subtype /Form /BBox [0 0 595 842]"),
    )


def image_bomb() -> bytes:
    """A 20 000 × 20 000 RGB image: 1.2 GB once decoded, about 1 MB stored."""
    size = 20_000 * 20_000 * 3
    return one_page(
        b"/Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >>",
        stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
        flate(zeros_deflated(size), b"/Type /XObject /Subtype /Image /Width 20000 /Height 20000 "
              b"/ColorSpace /DeviceRGB /BitsPerComponent 8"),
    )


def declared_image_bomb() -> bytes:
    """An image that claims 1.2 GB of pixels with a stream of a few bytes: a viewer
    allocates by what is declared."""
    return one_page(
        b"/Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >>",
        stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
        flate(zlib.compress(b"\0" * 1024), b"/Type /XObject /Subtype /Image /Width 20000 "
              b"/Height 20000 /ColorSpace /DeviceRGB /BitsPerComponent 8"),
    )


def shared_stream_bomb(pages: int = 50, megabytes: int = 60) -> bytes:
    """``pages`` pages sharing one content stream of ``megabytes``: each is small, but a
    viewer inflates it for every page (50 × 60 MB = 3 GB)."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        flate(zeros_deflated(megabytes * MB)),
    ]
    objects += [PAGE + b"/Contents 3 0 R >>" for _ in range(pages)]
    return build_pdf(objects)


def cyclic_xobjects() -> bytes:
    """Two Form XObjects that draw each other: a viewer following them never ends."""
    form = b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << %s >> >>"
    return one_page(
        b"/Contents 4 0 R /Resources << /XObject << /A 5 0 R >> >>",
        stream(b"/A Do"),
        stream(b"/B Do", form % b"/B 6 0 R"),
        stream(b"/A Do", form % b"/A 5 0 R"),
    )


def shared_resources_form() -> bytes:
    """A legitimate pattern some producers use: a form whose resources are the page's
    own (so the form appears inside its own resources) but which draws only an image."""
    return one_page(
        b"/Contents 4 0 R /Resources 5 0 R",
        stream(b"q /F Do Q"),
        b"<< /XObject << /F 6 0 R /I 7 0 R >> >>",
        stream(b"q 10 0 0 10 0 0 cm /I Do Q",
               b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources 5 0 R"),
        stream(b"\xff\x00\x00", b"/Type /XObject /Subtype /Image /Width 1 /Height 1 "
               b"/ColorSpace /DeviceRGB /BitsPerComponent 8"),
    )


def cyclic_page_tree() -> bytes:
    """Two page-tree nodes that are each other's kid."""
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
    ])


def deep_page_tree(depth: int = 3000) -> bytes:
    """A page tree ``depth`` levels deep with one page at the bottom."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (number + 1))
    objects.append(PAGE.replace(b"2 0 R", b"%d 0 R" % (depth + 1)) + b">>")
    return build_pdf(objects)


def deeply_nested_arrays(depth: int = 100_000) -> bytes:
    """Page resources holding an array nested ``depth`` deep: recursive parsers overflow."""
    return one_page(b"/Contents 4 0 R /Resources << /Deep " + b"[" * depth + b"]" * depth + b" >>",
                    stream(b"q Q"))


def truncated(pdf: bytes) -> bytes:
    return pdf[: len(pdf) // 3]


def garbage_pdf() -> bytes:
    """A PDF header followed by noise."""
    return b"%PDF-1.7\n" + bytes((i * 7919) % 251 for i in range(20_000))


# --- PDFs that break a signature verifier (pyHanko, in the web process before) -------------

def _with_signature_fields(*objects: bytes, fields: bytes = b"[4 0 R]") -> bytes:
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields %s /SigFlags 3 >> >>" % fields,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ])


SIG_WIDGET = b"/FT /Sig /T (chu_ky) /Type /Annot /Subtype /Widget /Rect [0 0 0 0]"


def signature_value_not_a_dictionary() -> bytes:
    """A signature field whose value is a number (AttributeError inside pyHanko)."""
    return _with_signature_fields(b"<< %s /V 7 >>" % SIG_WIDGET)


def signature_value_refers_to_itself() -> bytes:
    """A signature value that is a reference to itself (RecursionError)."""
    return _with_signature_fields(b"<< %s /V 5 0 R >>" % SIG_WIDGET, b"5 0 R")


def signature_field_tree_too_deep(depth: int = 3000) -> bytes:
    """Signature fields nested 3000 deep (RecursionError)."""
    kids = [b"<< /FT /Sig /T (k%d) /Kids [%d 0 R] >>" % (i, 5 + i) for i in range(depth)]
    return _with_signature_fields(*kids, b"<< /FT /Sig /T (cuoi) >>")


# --- DOCX ---------------------------------------------------------------------------------

def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from (name, raw deflate data, crc, declared size) written by hand,
    so that a member can be bigger (or claim another size) than anything held here."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                           len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                       start, 0)
    return bytes(out)


def _member(name: str, content: bytes) -> tuple[str, bytes, int, int]:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, comp.compress(content) + comp.flush(), zlib.crc32(content), len(content)


def _template_parts() -> dict[str, bytes]:
    import zipfile

    from tests.files_helpers import make_docx

    with zipfile.ZipFile(io.BytesIO(make_docx("Mẫu"))) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


BODY_START = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document '
              b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
BODY_END = b"<w:sectPr/></w:body></w:document>"


def docx_xml_bomb(megabytes: int = 200) -> bytes:
    """A DOCX of about 600 KB whose word/document.xml inflates to ``megabytes`` of
    paragraphs (200 MB: the case that held a web worker for 8.5 minutes)."""
    unit = b"<w:p><w:r><w:t>Ky luat can bo dia chinh</w:t></w:r></w:p>" * 16384
    times = max(1, megabytes * MB // len(unit))
    block, _end = _repeatable(unit)
    data = _deflate_raw(BODY_START) + block * times + _deflate_raw(BODY_END, final=True)
    crc = zlib.crc32(BODY_START)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(BODY_END, crc)
    size = len(BODY_START) + times * len(unit) + len(BODY_END)
    members = [_member(n, c) for n, c in _template_parts().items() if n != "word/document.xml"]
    members.append(("word/document.xml", data, crc, size))
    return _zip(members)


def _deflate_raw(content: bytes, final: bool = False) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(content) + comp.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def zip_bomb(megabytes: int = 2000) -> bytes:
    """A well-formed DOCX carrying a 'picture' that inflates to 2 GB of zeros."""
    blocks = megabytes * MB // _BLOCK
    block, end = _repeatable(b"\0" * _BLOCK)
    crc = 0
    zero_block = b"\0" * _BLOCK
    for _ in range(blocks):
        crc = zlib.crc32(zero_block, crc)
    members = [_member(n, c) for n, c in _template_parts().items()]
    members.append(("word/media/image1.png", block * blocks + end, crc, blocks * _BLOCK))
    return _zip(members)


def lying_zip() -> bytes:
    """A DOCX whose body part claims 2 KB but inflates to 500 MB: only a reader that
    trusts the header would stop at 2 KB."""
    parts = _template_parts()
    blocks = 500
    block, end = _repeatable(b"\0" * _BLOCK)
    members = [_member(n, c) for n, c in parts.items() if n != "word/document.xml"]
    members.append(("word/document.xml", block * blocks + end, 0, 2048))
    return _zip(members)


def many_entries_zip(entries: int = 60_000) -> bytes:
    """A DOCX with tens of thousands of empty parts."""
    members = [_member(n, c) for n, c in _template_parts().items()]
    empty = _member("x", b"")
    members += [(f"customXml/item{i}.xml", empty[1], empty[2], 0) for i in range(entries)]
    return _zip(members)


def docx_with_body(body_xml: bytes) -> bytes:
    """A DOCX whose word/document.xml is ``body_xml`` (entity tricks, deep nesting…)."""
    parts = _template_parts()
    parts["word/document.xml"] = body_xml
    return _zip([_member(n, c) for n, c in parts.items()])


def billion_laughs_docx() -> bytes:
    entities = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">'
                        % ((i,) + (i - 1,) * 10) for i in range(1, 10))
    return docx_with_body(
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "ha">' + entities + b"]>"
        + BODY_START.split(b"\n", 1)[1] + b"<w:p><w:r><w:t>&l9;</w:t></w:r></w:p>" + BODY_END)


def deeply_nested_docx(depth: int = 100_000) -> bytes:
    return docx_with_body(BODY_START + b"<w:p>" + b"<w:r>" * depth + b"</w:r>" * depth + b"</w:p>"
                          + BODY_END)
