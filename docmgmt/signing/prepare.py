"""Getting a document ready for issuance, and finding the places on its pages.

``prepare_for_issuance(pdf)`` adds, before anyone signs (so every later step is a
change the leader's certification allows):

* two empty text fields, ``so_ky_hieu`` after “Số:” and ``ngay_ban_hanh`` over
  “ngày … tháng … năm …” on page 1, found by text position (NĐ30 ô 3 and ô 4), with a
  white background that hides the dots of the blank; fallback positions (the NĐ30
  layout on A4) for documents without those lines. The blank's glyphs found there are
  taken out of the page's text (:mod:`.redact`): the filled fields print the whole
  number and date, and the issued PDF's text must read them once;
* the empty signature fields: the leader's (NĐ30 ô 7) and the seal's place over the
  left third of the signature image (ô 8). Where the page prints the authority and
  position lines and, a few empty lines lower, the name (our DOCX templates do), the
  leader's field is the gap between them (Phụ lục I: the signature between position
  and name) and is marked so the appearance draws the image alone.

The signature block is found on the last page: at a placeholder (``[[CHU_KY]]``,
``{{chu_ky}}``, ``[chữ ký]`` or ``(Chữ ký số)``) if the template has one, else on the
right at the height of “Nơi nhận”, else below the last line of text (bottom right).

The block a page prints was written for the signer named when it was drafted. Someone
else may sign it: the leader the signer delegated signature to while away (“KT. CHỦ
TỊCH / PHÓ CHỦ TỊCH” and their own name), or the signer back from a mission on a draft
made meanwhile. ``block`` (a :class:`SignatureBlock`) says how the block must read; when
the printed one reads otherwise, its lines are taken out of the page's text (as the
blanks are) and the leader's field covers the whole block, so the signature's
appearance draws the right lines, the image and the name there.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import pypdf
from pyhanko.pdf_utils import generic

from . import fonts
from .appearance import LEADER_FIELD, MM, ORGANISATION_FIELD, PRINTED_KEY, Box, leader_box, seal_box
from .base import (
    DATE_FIELD,
    NUMBER_FIELD,
    PREFIX_KEY,
    create_signature_field,
    field_place,
    find_field,
    mark_printed,
    open_writer,
    page_refs,
    page_size,
)
from .errors import SigningError
from .fill import show_blank
from .redact import drop_text_in

pdf_name = generic.NameObject


@dataclass(frozen=True)
class SignatureBlock:
    """How the signature block must read: its heading lines (authority, position) and the
    signer's name. ``exact``: a printed heading that differs is replaced even under the
    right name (signing in someone else's name); otherwise only another name is."""

    heading: tuple[str, ...]
    name: str
    exact: bool = False

PLACEHOLDERS = ("[[chu_ky]]", "{{chu_ky}}", "[chữ ký]", "(chữ ký số)")
FIELD_SIZE = 13  # NĐ30: “Số” 13; place and date 13–14
RIGHT_MARGIN = 15 * MM
BOTTOM_MARGIN = 20 * MM
HEADER_BAND = 260  # points from the top of page 1 where ô 3 and ô 4 sit


@dataclass(frozen=True)
class Run:
    text: str
    x: float
    y: float  # baseline
    size: float

    def width(self, face: str = "regular", upto: int | None = None) -> float:
        text = self.text if upto is None else self.text[:upto]
        return fonts.font_for(face, text).width(text, self.size)


def text_runs(page: pypdf.PageObject) -> list[Run]:
    """Text pieces with their start position and size (first line of each piece)."""
    runs: list[Run] = []

    def visit(text, cm, tm, _font, size):
        line = fonts.nfc(text).split("\n")[0].lstrip()
        if not line.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
        runs.append(Run(line, x, y, float(size or 12) * (scale or 1)))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # noqa: BLE001 - a page we cannot read falls back to fixed positions
        return []
    return runs


def _reader(pdf: bytes) -> pypdf.PdfReader:
    try:
        return pypdf.PdfReader(io.BytesIO(pdf), strict=False)
    except Exception as exc:  # noqa: BLE001
        raise SigningError("not_a_pdf", detail=str(exc)) from None


# --- where things go ---------------------------------------------------------------------

@dataclass(frozen=True)
class FieldPlace:
    box: Box
    size: float
    prefix: str  # what the field's text must start with (the page does not print it)
    found: bool = False  # over the page's own blank (not a fallback position)
    blank: str = ""  # the page's text under the field (“   /UBND-KT”, “ngày … năm 20..”)


def locate_number(runs: list[Run], page_w: float, page_h: float) -> FieldPlace:
    for run in sorted(runs, key=lambda r: -r.y):
        m = re.match(r"\s*Số\s*:", run.text)
        if m and run.y > page_h - HEADER_BAND:
            size = min(max(run.size, 11), 14)
            # from just after the colon: the blank and any “/QĐ-UBND” printed after it
            # are covered, the field prints the whole number and symbol
            x1 = run.x + run.width("regular", m.end()) + 2
            x2 = max(run.x + run.width(), x1 + 120)
            if run.x < page_w / 2:
                x2 = min(x2, page_w / 2 - 2)
            return FieldPlace((x1, run.y - size * 0.3, x2, run.y + size * 1.05), size, "", found=True,
                              blank=run.text[m.end():])
    # NĐ30 layout on A4: left column, under the issuing body's name
    top = page_h - 20 * MM - 3 * 16 - 14
    return FieldPlace((30 * MM, top - 4, page_w / 2 - 10, top + 14), FIELD_SIZE, "Số: ")


def locate_date(runs: list[Run], page_w: float, page_h: float, place_name: str = "") -> FieldPlace:
    # “Kim Bôi, ngày …” in the header band; a “ngày 05 tháng 3 năm 2020” quoted in the
    # body has no comma before it
    for run in sorted(runs, key=lambda r: -r.y):
        m = re.search(r"(?:^|,)\s*(ngày)\b", run.text)
        if m and run.y > page_h - HEADER_BAND:
            size = min(max(run.size, 11), 14)
            x1 = run.x + run.width("italic", m.start(1))
            x2 = min(max(run.x + run.width("italic"), x1 + 175), page_w - 10 * MM)
            return FieldPlace((x1 - 1, run.y - size * 0.3, x2, run.y + size * 1.05), size, "", found=True,
                              blank=run.text[m.start(1):])
    top = page_h - 20 * MM - 3 * 16 - 14
    prefix = f"{fonts.nfc(place_name)}, " if place_name else ""
    return FieldPlace((page_w / 2 + 10, top - 4, page_w - RIGHT_MARGIN, top + 14), FIELD_SIZE, prefix)


def locate_signature_block(runs: list[Run], page_w: float, page_h: float) -> tuple[Box, bool]:
    """The leader's box, and whether the page prints position and name around it."""
    right = page_w - RIGHT_MARGIN
    w, h = 220.0, 150.0
    for run in runs:
        low = run.text.lower()
        for marker in PLACEHOLDERS:
            if (i := low.find(marker)) >= 0:
                cx = run.x + run.width("regular", i) + Run(marker, 0, 0, run.size).width() / 2
                cx = min(max(cx, w / 2 + 10), page_w - w / 2 - 10)
                return (cx - w / 2, run.y - h / 2, cx + w / 2, run.y + h / 2), False
    for run in runs:
        if run.text.strip().startswith("Nơi nhận"):
            gap = _template_block(runs, run, page_w)
            return (gap, True) if gap else (leader_box(right, run.y + run.size + 2), False)
    lowest = min((r.y for r in runs), default=page_h / 2)
    top = max(lowest - 16, BOTTOM_MARGIN + h)
    return leader_box(right, top), False


@dataclass(frozen=True)
class PrintedBlock:
    """The block our DOCX templates print (ô 7), as found on the page."""

    heading: tuple[Run, ...]  # authority and position lines, top down
    name: Run
    gap: Box  # between the position and the name: where the signature image goes
    area: Box  # the whole block, lines included

    @property
    def heading_text(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.heading)


def _template_block(runs: list[Run], noi_nhan: Run, page_w: float) -> Box | None:
    """The gap in the block our DOCX templates print (ô 7); the printed lines stay as
    they are."""
    block = printed_block(runs, noi_nhan, page_w)
    return block.gap if block is not None else None


def printed_block(runs: list[Run], noi_nhan: Run, page_w: float) -> PrintedBlock | None:
    """The block our DOCX templates print (ô 7): authority/position lines level with
    “Nơi nhận”, empty lines, then the name. The signature image goes in the gap, below
    the position's descenders and above the name's accents."""
    column = sorted((r for r in runs if r.x > page_w * 0.45 and r.y <= noi_nhan.y + 3
                     and r.y > noi_nhan.y - 260), key=lambda r: -r.y)
    if not column:
        return None
    heading = [column[0]]
    for run in column[1:]:
        gap = heading[-1].y - run.y
        if gap <= heading[-1].size * 1.8:
            heading.append(run)
            continue
        if gap >= heading[-1].size * 3:
            name = run
            left = min(r.x for r in (*heading, name))
            right = max(r.x + r.width("bold") for r in (*heading, name))
            cx, w = (left + right) / 2, max(right - left + 12, 220.0)
            cx = min(max(cx, w / 2 + 5), page_w - w / 2 - 5)
            top = heading[-1].y - heading[-1].size * 0.3 - 1  # under “Ị” of CHỦ TỊCH
            bottom = name.y + name.size * 0.95 + 1  # over “Á” of the name
            area = (cx - w / 2, name.y - name.size * 0.35, cx + w / 2, heading[0].y + heading[0].size * 1.05)
            return PrintedBlock(tuple(heading), name, (cx - w / 2, bottom, cx + w / 2, top), area)
        break
    return None


def _squeezed(text: str) -> str:
    return "".join(fonts.nfc(text).split()).casefold()


def reads_as(found: PrintedBlock, block: SignatureBlock) -> bool:
    """Does the printed block say what ``block`` says (spacing and case aside)? Under
    the signer's own name, a heading the drafter worded otherwise is theirs to keep,
    unless ``block.exact``."""
    if _squeezed(found.name.text) != _squeezed(block.name):
        return False
    return not block.exact or _squeezed("".join(found.heading_text)) == _squeezed(
        "".join(line for line in block.heading if line))


def _block_to_redraw(runs: list[Run], page_w: float, block: SignatureBlock | None) -> PrintedBlock | None:
    """The printed block, when it must be redrawn to read as ``block``."""
    if block is None:
        return None
    noi_nhan = next((r for r in runs if r.text.strip().startswith("Nơi nhận")), None)
    found = printed_block(runs, noi_nhan, page_w) if noi_nhan is not None else None
    if found is None or reads_as(found, block):
        return None
    return found


def signature_place(pdf: bytes) -> tuple[int, Box, bool]:
    """Page index and box of the leader's signature, and whether the page prints the
    position and name around it."""
    reader = _reader(pdf)
    if not reader.pages:
        raise SigningError("not_a_pdf", detail="no pages")
    page = reader.pages[-1]
    w, h = float(page.mediabox.width), float(page.mediabox.height)
    box, printed = locate_signature_block(text_runs(page), w, h)
    return len(reader.pages) - 1, box, printed


def locate_leader(_writer, pdf: bytes) -> tuple[int, Box, bool]:
    """Appearance.locate for a document that was not prepared."""
    return signature_place(pdf)


def locate_seal(writer, pdf: bytes) -> tuple[int, Box, bool]:
    """Appearance.locate for the seal: over the leader's image, wherever it is."""
    found = find_field(writer, LEADER_FIELD)
    if found is not None and (place := field_place(writer, found[0])) is not None:
        page, box = place
        return page, seal_box(box, bool(found[0].get(PRINTED_KEY, False))), False
    page, box, printed = signature_place(pdf)
    return page, seal_box(box, printed), False


# --- prepare ------------------------------------------------------------------------------------

def prepare_for_issuance(pdf: bytes, *, place_name: str = "", block: SignatureBlock | None = None) -> bytes:
    """Add the number/date text fields and the two signature fields (see module doc).

    Idempotent: a document that already has the fields comes back unchanged.
    ``place_name`` (extension) is printed before the date when the page has no
    “…, ngày … tháng … năm …” line of its own. ``block``: how the signature block must
    read; a printed block that reads otherwise is taken out, and the leader's field
    covers its place so the signature draws it anew."""
    writer = open_writer(pdf)
    if find_field(writer, NUMBER_FIELD) is not None:
        return bytes(pdf)
    reader = _reader(pdf)
    first, last = reader.pages[0], reader.pages[-1]
    w1, h1 = float(first.mediabox.width), float(first.mediabox.height)
    runs1 = text_runs(first)
    number = locate_number(runs1, w1, h1)
    date = locate_date(runs1, w1, h1, place_name)
    wl, hl = float(last.mediabox.width), float(last.mediabox.height)
    runs_last = runs1 if len(reader.pages) == 1 else text_runs(last)
    leader, printed = locate_signature_block(runs_last, wl, hl)

    pages = page_refs(writer)
    last_ix = len(pages) - 1
    drops: dict[int, list[Box]] = {0: [p.box for p in (number, date) if p.found]}
    if printed and (redraw := _block_to_redraw(runs_last, wl, block)) is not None:
        # The signature draws the block anew, where the printed one was.
        x1, y1, x2, y2 = redraw.area
        leader, printed = (x1, min(y1, y2 - 120), x2, y2), False
        drops.setdefault(last_ix, []).append(redraw.area)
    for ix, boxes in drops.items():
        if (content := drop_text_in(reader.pages[ix], boxes)) is not None:
            stream = generic.StreamObject(stream_data=content)
            stream.compress()
            page = pages[ix].get_object()
            page[pdf_name("/Contents")] = writer.add_object(stream)
            writer.update_container(page)
    regular = fonts.embed(writer, fonts.font_for("regular"))
    italic = fonts.embed(writer, fonts.font_for("italic"))
    form = _acroform(writer)
    dr = form.get("/DR")
    if not isinstance(dr, generic.DictionaryObject):
        dr = generic.DictionaryObject()
    font_dict = dr.get("/Font")
    if isinstance(font_dict, generic.DictionaryObject):
        font_dict = generic.DictionaryObject(dict(font_dict))
    else:
        font_dict = generic.DictionaryObject()
    font_dict[pdf_name("/XaSoR")] = regular
    font_dict[pdf_name("/XaSoI")] = italic
    dr[pdf_name("/Font")] = font_dict
    form[pdf_name("/DR")] = dr
    for name, place, font_name in ((NUMBER_FIELD, number, "/XaSoR"), (DATE_FIELD, date, "/XaSoI")):
        _add_text_field(writer, form, pages[0], name, place, font_name)
        if place.found:  # the blank, now out of the page's text, shows in the empty field
            show_blank(writer, name, place.blank, "italic" if name == DATE_FIELD else "regular")
    if find_field(writer, LEADER_FIELD) is None:
        create_signature_field(writer, LEADER_FIELD, last_ix, leader)
        if printed:
            mark_printed(writer, LEADER_FIELD)
    if find_field(writer, ORGANISATION_FIELD) is None:
        create_signature_field(writer, ORGANISATION_FIELD, last_ix, seal_box(leader, printed))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _acroform(writer) -> generic.DictionaryObject:
    root = writer.root
    raw = root.raw_get("/AcroForm") if "/AcroForm" in root else None
    if raw is None:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
        return form
    form = raw.get_object()
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    else:
        writer.update_root()
    if "/Fields" not in form:
        form[pdf_name("/Fields")] = generic.ArrayObject()
    fields_raw = form.raw_get("/Fields")
    if isinstance(fields_raw, generic.IndirectObject):
        writer.mark_update(fields_raw)
    return form


def _add_text_field(writer, form, page_ref, name: str, place: FieldPlace, font_name: str) -> None:
    x1, y1, x2, y2 = place.box
    field = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): generic.pdf_string(name),
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(round(v, 2)) for v in (x1, y1, x2, y2)),
        pdf_name("/F"): generic.NumberObject(4),  # print
        pdf_name("/P"): page_ref,
        pdf_name("/DA"): generic.pdf_string(f"{font_name} {place.size:g} Tf 0 g"),
        pdf_name("/MK"): generic.DictionaryObject(
            {pdf_name("/BG"): generic.ArrayObject([generic.FloatObject(1)])}),
    })
    if place.prefix:
        field[pdf_name(PREFIX_KEY)] = generic.pdf_string(place.prefix)
    ref = writer.add_object(field)
    form["/Fields"].append(ref)
    page = page_ref.get_object()
    annots_raw = page.raw_get("/Annots") if "/Annots" in page else None
    if annots_raw is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([ref])
        writer.update_container(page)
    else:
        annots_raw.get_object().append(ref)
        if isinstance(annots_raw, generic.IndirectObject):
            writer.mark_update(annots_raw)
        else:
            writer.update_container(page)


__all__ = ["prepare_for_issuance", "signature_place", "locate_leader", "locate_seal", "PLACEHOLDERS",
           "page_size", "SignatureBlock"]
