"""The printed copy of a PDF: a new byte stream, marked on every page with who printed
it and when (NĐ30 Phụ lục VI §III.6.k "đánh dấu vào văn bản … được in ra từ Hệ thống").

The stored original is only read. The copy is written afresh (not as an incremental
update), so nothing of a signed original's byte ranges survives: its signature fields
are taken out and their visible appearance (the leader's signature image, the seal) is
drawn as ordinary page content. A viewer or validator therefore sees a plain PDF, never
"a signed document modified after signing", and the mark says it is a printed copy.

Cheap and safe on any stored PDF: page contents are never decoded or parsed. Each page
gets two small content streams around its own (``q`` … ``Q`` then the additions), the
mark is one Form XObject (drawn with fpdf2 in the document font, which has every
Vietnamese letter) shared by all pages, and every other object is copied as it is.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)

MARK_SIZE = 8.0  # pt, the mark's type size (scaled down to fit a narrow page)
MARK_BOTTOM = 12.0  # pt between the displayed page's bottom edge and the mark
SIDE_MARGIN = 18.0  # pt kept free on each side of the mark

_PRINT_FLAG = 4  # annotation flags (PDF 32000 §12.5.3): printed by viewers
_HIDDEN_FLAG = 2

Matrix = tuple[float, float, float, float, float, float]


class NotPrintable(Exception):
    """The stored file cannot be read as a PDF (the caller refuses in Vietnamese)."""


def marked_copy(source: Path | bytes, mark: str, *, signed_note: str = "", title: str = "") -> tuple[bytes, bool]:
    """A copy of the PDF ``source`` with ``mark`` on the bottom margin of every page
    (followed by ``signed_note`` when the original carried digital signatures, which the
    copy does not: their appearance is kept, the signatures are not).

    Returns the bytes and whether the original was signed."""
    try:
        reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else str(source))
        if reader.is_encrypted and not reader.decrypt(""):
            raise NotPrintable("encrypted")
        pages = list(reader.pages)
        appearances = [_take_signatures(page) for page in pages]
        signed = any(appearances) or _has_signature_fields(reader)
        if signed and signed_note:
            mark = f"{mark} — {signed_note}"
        writer = PdfWriter()
        stamp = _stamp(writer, mark)
        for page, drawn in zip(pages, appearances, strict=True):
            written = writer.add_page(page)
            draws = [(_clone(writer, ref), m) for ref, m in drawn]
            draws.append((stamp[0], _placement(written, stamp[1], stamp[2])))
            _draw(writer, written, draws)
        writer.add_metadata({"/Producer": "Xã Số", "/Title": title or mark, "/Subject": mark})
        out = io.BytesIO()
        writer.write(out)
    except NotPrintable:
        raise
    except Exception as exc:  # noqa: BLE001 - any reading failure is "cannot print this file"
        raise NotPrintable(type(exc).__name__) from exc
    return out.getvalue(), signed


# --- the mark -------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _mark_pdf(mark: str, font_file: str) -> tuple[bytes, float, float]:
    """One page exactly the size of ``mark`` set in the document font: (pdf, w, h)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt")
    pdf.set_creator("Xã Số")
    pdf.add_font("mark", "", font_file)
    pdf.set_font("mark", size=MARK_SIZE)
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    width = pdf.get_string_width(mark) + 2
    height = MARK_SIZE * 1.4
    pdf.add_page(format=(width, height))
    pdf.set_text_color(40, 40, 40)
    pdf.text(1, MARK_SIZE * 1.05, mark)  # baseline, measured from the top
    return bytes(pdf.output()), width, height


def _stamp(writer: PdfWriter, mark: str) -> tuple[IndirectObject, float, float]:
    """The mark as a Form XObject in ``writer``: (reference, width, height)."""
    from ..signing.fonts import face_file

    data, width, height = _mark_pdf(mark, str(face_file("regular")))
    page = PdfReader(io.BytesIO(data)).pages[0]
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())  # type: ignore[union-attr]
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form), width, height


def _placement(page, width: float, height: float) -> Matrix:
    """Where the mark goes: centred on the bottom margin of the page as displayed (its
    /Rotate taken into account), scaled down if the page is narrower than the mark."""
    box = page.cropbox
    x0, y0, x1, y1 = float(box.left), float(box.bottom), float(box.right), float(box.top)
    rotation = int(page.get("/Rotate", 0) or 0) % 360
    shown_width = (y1 - y0) if rotation in (90, 270) else (x1 - x0)
    s = min(1.0, max(shown_width - 2 * SIDE_MARGIN, 1.0) / width)
    dx, dy = (shown_width - s * width) / 2, MARK_BOTTOM
    if rotation == 90:
        return (0, s, -s, 0, x1 - dy, y0 + dx)
    if rotation == 180:
        return (-s, 0, 0, -s, x1 - dx, y1 - dy)
    if rotation == 270:
        return (0, -s, s, 0, x0 + dy, y1 - dx)
    return (s, 0, 0, s, x0 + dx, y0 + dy)


# --- signatures: appearance kept, field taken out ---------------------------------------------


def _is_signature(annot: DictionaryObject) -> bool:
    node: object = annot
    for _depth in range(32):
        if not isinstance(node, DictionaryObject):
            return False
        if node.get("/FT") == "/Sig":
            return True
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return False


def _has_signature_fields(reader: PdfReader) -> bool:
    """Signature fields without a widget on any page (invisible signatures) count too."""
    root = reader.trailer["/Root"].get_object()
    form = root.get("/AcroForm") if isinstance(root, DictionaryObject) else None
    form = form.get_object() if form is not None else None
    fields = form.get("/Fields") if isinstance(form, DictionaryObject) else None
    if fields is None:
        return False
    return any(_is_signature(f.get_object()) for f in list(fields.get_object())[:1000])


def _take_signatures(page) -> list[tuple[IndirectObject, Matrix]]:
    """Remove the signature widgets from the (in-memory) page; return the appearances a
    printer would have drawn, each with the matrix that puts it on its rectangle."""
    annots = page.get("/Annots")
    if annots is None:
        return []
    kept, drawn = ArrayObject(), []
    for ref in annots.get_object():
        annot = ref.get_object()
        if not isinstance(annot, DictionaryObject) or not _is_signature(annot):
            kept.append(ref)
            continue
        flags = int(annot.get("/F", 0) or 0)
        ap = annot.get("/AP")
        normal = ap.get_object().raw_get("/N") if ap is not None and "/N" in ap.get_object() else None
        if normal is not None and flags & _PRINT_FLAG and not flags & _HIDDEN_FLAG:
            matrix = _onto_rect(normal.get_object(), annot.get("/Rect"))
            if matrix is not None and isinstance(normal, IndirectObject):
                drawn.append((normal, matrix))
    page[NameObject("/Annots")] = kept
    return drawn


def _onto_rect(form, rect) -> Matrix | None:
    """PDF 32000 §12.5.5: the form's BBox, transformed by its Matrix, mapped onto Rect."""
    try:
        bx0, by0, bx1, by1 = (float(v) for v in form["/BBox"])
        a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", (1, 0, 0, 1, 0, 0)))
        rx0, ry0, rx1, ry1 = (float(v) for v in rect)
    except (KeyError, TypeError, ValueError):
        return None
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (bx0, bx1) for y in (by0, by1)]
    tx0, tx1 = min(p[0] for p in corners), max(p[0] for p in corners)
    ty0, ty1 = min(p[1] for p in corners), max(p[1] for p in corners)
    rx0, rx1 = min(rx0, rx1), max(rx0, rx1)
    ry0, ry1 = min(ry0, ry1), max(ry0, ry1)
    if tx1 - tx0 <= 0 or ty1 - ty0 <= 0:
        return None
    sx, sy = (rx1 - rx0) / (tx1 - tx0), (ry1 - ry0) / (ty1 - ty0)
    return (sx, 0, 0, sy, rx0 - sx * tx0, ry0 - sy * ty0)


def _clone(writer: PdfWriter, ref: IndirectObject) -> IndirectObject:
    return ref.clone(writer)  # type: ignore[return-value]


# --- drawing onto a page without touching its content --------------------------------------------


def _draw(writer: PdfWriter, page, draws: list[tuple[IndirectObject, Matrix]]) -> None:
    """Wrap the page's own content in q … Q, then draw each form with its matrix. The
    page's resources are copied (not changed in place: other pages may share them)."""
    resources = page.get("/Resources")
    resources = DictionaryObject(resources.get_object()) if resources is not None else DictionaryObject()
    xobjects = resources.get("/XObject")
    xobjects = DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
    ops = [b"Q"]
    for i, (ref, (a, b, c, d, e, f)) in enumerate(draws):
        name = f"/XaSoPrint{i}"
        xobjects[NameObject(name)] = ref
        ops.append(f"q {a:.4f} {b:.4f} {c:.4f} {d:.4f} {e:.3f} {f:.3f} cm {name} Do Q".encode())
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources

    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\n" + b"\n".join(ops) + b"\n")
    contents = page.get("/Contents")
    own: list = []
    if contents is not None:
        raw = page.raw_get("/Contents")
        resolved = contents.get_object()
        own = list(resolved) if isinstance(resolved, ArrayObject) else [raw]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *own, writer._add_object(after)])
