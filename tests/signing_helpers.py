"""Helpers for the signing tests: read appearances back, render pages, count colours."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pypdf
from PIL import Image
from pypdf.generic import DictionaryObject, NameObject, StreamObject


def widget(pdf: bytes, field_name: str) -> tuple[int, DictionaryObject]:
    """(page index, widget dict) of a field."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for ix, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/T") == field_name:
                return ix, annot
    raise AssertionError(f"no widget {field_name}")


def appearance_text(pdf: bytes, field_name: str) -> str:
    """The text of a widget's normal appearance, extracted by pypdf as a viewer's
    copy/paste would: the appearance is drawn on a blank page and that page is read."""
    _ix, annot = widget(pdf, field_name)
    ap = annot["/AP"]["/N"].get_object()
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(600, 800)
    ref = writer._add_object(ap.clone(writer))
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/XObject"): DictionaryObject({NameObject("/Ap"): ref})})
    content = StreamObject()
    content.set_data(b"q /Ap Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    return page.extract_text()


def render(pdf: bytes, page_index: int, dpi: int = 72) -> Image.Image:
    """Render one page with poppler's pdftoppm (annotations included)."""
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page_index + 1), "-l",
                        str(page_index + 1), "-singlefile", str(src), str(Path(folder) / "out")],
                       check=True, timeout=60)
        return Image.open(Path(folder) / "out.png").convert("RGB")


def crop(image: Image.Image, box, page_height: float, dpi: int = 72) -> Image.Image:
    """Crop a PDF rectangle (points, origin bottom left) out of a rendered page."""
    s = dpi / 72
    x1, y1, x2, y2 = box
    return image.crop((int(x1 * s), int((page_height - y2) * s), int(x2 * s), int((page_height - y1) * s)))


def count(image: Image.Image, kind: str) -> int:
    def blue(p):
        return p[2] > 110 and p[0] < 90 and p[2] - p[1] > 50

    def red(p):
        return p[0] > 150 and p[1] < 110 and p[2] < 110

    test = blue if kind == "blue" else red
    return sum(1 for p in pixels(image) if test(p))


def pixels(image: Image.Image):
    flat = getattr(image, "get_flattened_data", None)
    return flat() if flat else image.getdata()
