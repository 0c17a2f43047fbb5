"""Writing the number/symbol and the issue date into a signed document.

``fill_number`` is one incremental update that sets ``/V`` of the two text fields made
by :func:`prepare_for_issuance` and gives each a new appearance stream (white
background over the blank, the text in the embedded document font). That is form
filling, which the leader's certification (DocMDP level 2) allows: the leader's
signature stays valid. The fonts already in the form's ``/DR`` are reused when they
are the same subset (same BaseFont tag), so the update adds only two small streams.
"""

from __future__ import annotations

import io
import re
from datetime import date

from pyhanko.pdf_utils import generic

from . import fonts
from .base import DATE_FIELD, NUMBER_FIELD, PREFIX_KEY, find_field, open_writer
from .errors import SigningError

pdf_name = generic.NameObject


def nd30_date(d: date) -> str:
    """“ngày 05 tháng 02 năm 2026”: a zero before days below 10 and months 1 and 2 only."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def fill_number(pdf: bytes, number_symbol: str, issued_on: date) -> bytes:
    writer = open_writer(pdf)
    number = find_field(writer, NUMBER_FIELD)
    issued = find_field(writer, DATE_FIELD)
    if number is None or issued is None:
        raise SigningError("field_missing")
    for field, _ref in (number, issued):
        if str(field.get("/V", "")).strip():
            raise SigningError("field_filled")
    dr_fonts = _dr_fonts(writer)
    _fill(writer, number[0], fonts.nfc(number_symbol).strip(), "regular", dr_fonts)
    _fill(writer, issued[0], nd30_date(issued_on), "italic", dr_fonts)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _dr_fonts(writer) -> dict[str, generic.IndirectObject]:
    """BaseFont name → font reference, for the fonts in the form's default resources."""
    found: dict[str, generic.IndirectObject] = {}
    try:
        font_dict = writer.root["/AcroForm"]["/DR"]["/Font"]
    except KeyError:
        return found
    for key in font_dict:
        raw = font_dict.raw_get(key)
        if isinstance(raw, generic.IndirectObject):
            base = raw.get_object().get("/BaseFont")
            if base is not None:
                found[str(base)[1:] if str(base).startswith("/") else str(base)] = raw
    return found


def show_blank(writer, name: str, blank: str, face: str) -> None:
    """The empty field's appearance at prepare time: the blank the draft printed there
    (taken out of the page's text), until :func:`fill_number` draws the real value."""
    found = find_field(writer, name)
    if found is not None and blank.strip():
        _draw(writer, found[0], fonts.nfc(blank.rstrip()), face, _dr_fonts(writer))


def _fill(writer, field: generic.DictionaryObject, text: str, face: str,
          dr_fonts: dict[str, generic.IndirectObject]) -> None:
    prefix = str(field.get(PREFIX_KEY, ""))
    value = fonts.nfc(prefix + text)
    _draw(writer, field, value, face, dr_fonts)
    field[pdf_name("/V")] = generic.pdf_string(value)
    writer.update_container(field)


def _draw(writer, field: generic.DictionaryObject, value: str, face: str,
          dr_fonts: dict[str, generic.IndirectObject]) -> None:
    """A white box over the blank with ``value`` in the document font, as /AP /N."""
    rect = [float(v) for v in field["/Rect"]]
    width, height = abs(rect[2] - rect[0]), abs(rect[3] - rect[1])
    m = re.search(r"([\d.]+)\s+Tf", str(field.get("/DA", "")))
    size = float(m.group(1)) if m else 13.0
    font = fonts.font_for(face, value)
    while size > 6 and font.width(value, size) > width - 3:  # never run past the blank
        size -= 0.5
    font_ref = dr_fonts.get(font.base_font) or fonts.embed(writer, font)
    baseline = height * 0.3 / 1.35  # prepare puts the page's baseline 0.3 em above the bottom
    stream = b"/Tx BMC q 1 1 1 rg 0 0 %.2f %.2f re f BT /F0 %.2f Tf 0 g 1.5 %.2f Td %s Tj ET Q EMC" % (
        width, height, size, baseline, font.encode(value))
    ap = writer.add_object(generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(0), generic.FloatObject(0),
                                                generic.FloatObject(width), generic.FloatObject(height)]),
        pdf_name("/Resources"): generic.DictionaryObject({
            pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F0"): font_ref}),
        }),
    }, stream_data=stream))
    field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): ap})
    writer.update_container(field)
