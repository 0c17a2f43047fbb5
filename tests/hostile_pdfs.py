"""Hand-built hostile PDFs: a decompression bomb, a cyclic page tree, a truncated file."""

import zlib


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


def decompression_bomb(megabytes: int = 400) -> bytes:
    """A page whose content stream inflates to hundreds of megabytes of zeros."""
    comp = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    data = b"".join(comp.compress(chunk) for _ in range(megabytes)) + comp.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream,
    ])


def cyclic_page_tree() -> bytes:
    """Two page-tree nodes that are each other's kid."""
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
    ])


def truncated(pdf: bytes) -> bytes:
    return pdf[: len(pdf) // 3]
