"""Small real files for tests: a PDF, a DOCX, a PNG, made on the fly."""

import io


def make_pdf(text: str = "Quyết định về việc giao chỉ tiêu") -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({NameObject("/Title"): TextStringObject(text)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(text: str = "Công văn về việc triển khai chuyển đổi số") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
