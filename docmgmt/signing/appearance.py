"""What a signature looks like and where it sits (Phụ lục I §7–8).

An :class:`Appearance` is plain data: the signature field's name, the page and box
(PDF points, origin bottom left), and the items drawn in the box (text lines and
images, in box coordinates). Builders here lay out the three kinds the decree names:

* the leader (§7): position above, blue signature image centred, name below, bold
  13 in the document font (Liberation Serif unless XASO_DOCUMENT_FONT says otherwise).
  When the page prints the position and name itself (our DOCX templates do), the
  field is the gap between them and the appearance is the image alone (``printed``):
  nothing the drafter wrote is painted over;
* the organisation (§8a): the red seal at its real size (35 mm), placed so that it
  covers the left third of the leader's signature image;
* the organisation on an attachment (§8b): no image, the number/symbol and the signing
  time in ISO 8601 with the Vietnam offset, Times 10, black, top right of page 1.

:func:`render` turns an appearance into a pyHanko stamp style, so the signer draws it in
the same incremental update as the signature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils import content as pdf_content
from pyhanko.pdf_utils import generic, layout
from pyhanko.stamp.base import BaseStampStyle

from ..core.timeutil import to_vn
from . import fonts, images

Box = tuple[float, float, float, float]  # x1, y1, x2, y2

MM = 72 / 25.4
SEAL_DIAMETER = 35 * MM  # a commune People's Committee seal is about 35 mm across
LEADER_BOX_SIZE = (220.0, 150.0)
SIGNER_SIZE = 14  # NĐ30: position and name 13–14, bold; our DOCX templates print 14
A4 = (595.28, 841.89)
BLACK = (0.0, 0.0, 0.0)

LEADER_FIELD = "chu_ky_lanh_dao"
ORGANISATION_FIELD = "chu_ky_co_quan"
ATTACHMENT_FIELD = "chu_ky_co_quan_kem_theo"
# In a signature field's dictionary: the page prints the signer's position above the
# field and the name below it, so the appearance draws only the signature image.
PRINTED_KEY = "/XaSoPrinted"


@dataclass(frozen=True)
class Text:
    text: str
    x: float  # anchor, box coordinates
    y: float  # baseline
    face: str = "regular"
    size: float = 13
    colour: tuple[float, float, float] = BLACK
    align: str = "center"  # left | center | right


@dataclass(frozen=True)
class Picture:
    png: bytes = field(repr=False)
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Appearance:
    """A visible (or invisible, ``box=None`` and no existing field) signature."""

    field_name: str
    page: int = -1  # -1: the last page
    box: Box | None = None  # page coordinates; None: the existing field's rectangle
    items: tuple[Text | Picture, ...] = ()
    reason: str | None = None
    location: str | None = None
    signing_time: datetime | None = None  # when text shows the time, the signer must use it
    # Paint the box first (white over a template's printed position and name, redrawn here).
    background: tuple[float, float, float] | None = None
    # Empty signature fields created in the same revision (the seal's place, decided when
    # the leader signs, so the organisation's signature only fills it in later).
    extra_fields: tuple[tuple[str, int, Box], ...] = ()
    # Whether the page prints the position and name around the box (see PRINTED_KEY).
    printed: bool = False
    # How to lay the same content out in another rectangle (an existing field's):
    # refit(page, box, printed).
    refit: Callable[[int, Box, bool], Appearance] | None = field(default=None, compare=False, repr=False)
    # Where to put it when the document has no such field and ``box`` is None:
    # locate(writer, pdf_bytes) -> (page index, box, printed).
    locate: Callable[[Any, bytes], tuple[int, Box, bool]] | None = field(default=None, compare=False,
                                                                         repr=False)


# --- layouts ------------------------------------------------------------------------

def leader_box(anchor_right: float, top: float) -> Box:
    w, h = LEADER_BOX_SIZE
    return (anchor_right - w, top - h, anchor_right, top)


def image_rect(box: Box, printed: bool = False) -> Box:
    """Where the signature image lands inside a leader box (page coordinates): between
    the position and the name we draw, or the whole gap when the page prints them."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    top_text, bottom_text = (2, 2) if printed else (2 * (SIGNER_SIZE + 2) + 2, SIGNER_SIZE + 8)
    img_h = max(h - top_text - bottom_text, 20)
    img_w = min(w * 0.8, img_h * 2.8)
    cx, cy = x1 + w / 2, y1 + bottom_text + img_h / 2
    return (cx - img_w / 2, cy - img_h / 2, cx + img_w / 2, cy + img_h / 2)


def seal_box(leader: Box, printed: bool = False) -> Box:
    """The seal covers the left third of the signature image (§8a)."""
    ix1, iy1, ix2, iy2 = image_rect(leader, printed)
    right = ix1 + (ix2 - ix1) / 3
    cy = (iy1 + iy2) / 2
    return (right - SEAL_DIAMETER, cy - SEAL_DIAMETER / 2, right, cy + SEAL_DIAMETER / 2)


def leader_appearance(*, name: str, position: str, signature_png: bytes, box: Box | None,
                      page: int = -1, reason: str | None = None, with_seal_field: bool = True,
                      printed: bool = False,
                      locate: Callable[[Any, bytes], tuple[int, Box, bool]] | None = None) -> Appearance:
    """The leader's block; with ``box=None`` it is laid out in the existing field, or
    where ``locate`` says. ``printed``: the page prints position and name around ``box``
    (Phụ lục I: the signature between them), so only the image is drawn."""

    def refit(new_page: int, new_box: Box, new_printed: bool = False) -> Appearance:
        return leader_appearance(name=name, position=position, signature_png=signature_png, box=new_box,
                                 page=new_page, reason=reason, with_seal_field=with_seal_field,
                                 printed=new_printed)

    if box is None:
        return Appearance(LEADER_FIELD, page, None, reason=reason, refit=refit, locate=locate)
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    items: list[Text | Picture] = []
    if not printed:
        lines = [ln for ln in fonts.nfc(position).upper().split("\n") if ln.strip()]
        y = h - SIGNER_SIZE
        for line in lines[:2]:
            items.append(Text(line, w / 2, y, face="bold", size=SIGNER_SIZE))
            y -= SIGNER_SIZE + 2
        items.append(Text(fonts.nfc(name), w / 2, 6, face="bold", size=SIGNER_SIZE))
    ix1, iy1, ix2, iy2 = image_rect(box, printed)
    pic = images.pdf_image(signature_png)
    # keep the image's proportions inside its rectangle
    rw, rh = ix2 - ix1, iy2 - iy1
    if pic.aspect > rw / rh:
        pw, ph = rw, rw / pic.aspect
    else:
        pw, ph = rh * pic.aspect, rh
    items.append(Picture(signature_png, ix1 - x1 + (rw - pw) / 2, iy1 - y1 + (rh - ph) / 2, pw, ph))
    extra = ((ORGANISATION_FIELD, page, seal_box(box, printed)),) if with_seal_field else ()
    # Drawing our own position and name, paint out whatever the page has there (a
    # “[chữ ký]” placeholder); around a printed block, paint nothing.
    return Appearance(LEADER_FIELD, page, box, tuple(items), reason=reason, extra_fields=extra,
                      refit=refit, background=None if printed else (1.0, 1.0, 1.0), printed=printed)


def seal_appearance(*, seal_png: bytes, box: Box | None, page: int = -1, reason: str | None = None,
                    locate: Callable[[Any, bytes], tuple[int, Box, bool]] | None = None) -> Appearance:
    size = SEAL_DIAMETER if box is None else min(box[2] - box[0], box[3] - box[1])

    def refit(new_page: int, new_box: Box, _printed: bool = False) -> Appearance:
        return seal_appearance(seal_png=seal_png, box=new_box, page=new_page, reason=reason)

    items = (Picture(seal_png, 0, 0, size, size),) if box is not None else ()
    return Appearance(ORGANISATION_FIELD, page, box, items, reason=reason, refit=refit, locate=locate)


ATTACHMENT_SIZE = 10  # Times New Roman 10 (§8b)


def attachment_lines(number_symbol: str, when: datetime) -> list[str]:
    return [f"Số, ký hiệu: {fonts.nfc(number_symbol)}", f"Thời gian ký: {iso_vn(when)}"]


def attachment_size(number_symbol: str, when: datetime) -> tuple[float, float]:
    lines = attachment_lines(number_symbol, when)
    font = fonts.font_for("regular", "".join(lines))
    return max(font.width(line, ATTACHMENT_SIZE) for line in lines) + 8, 2 * 12 + 8


def attachment_box(page_width: float, page_height: float, size: tuple[float, float]) -> Box:
    """Top right of the page, inside NĐ30's margins (top 20 mm, right 15 mm)."""
    right, top = page_width - 15 * MM, page_height - 8 * MM
    return (right - size[0], top - size[1], right, top)


def attachment_appearance(*, number_symbol: str, when: datetime, box: Box | None = None,
                          reason: str | None = None,
                          locate: Callable[[Any, bytes], tuple[int, Box, bool]] | None = None) -> Appearance:
    """§8b: number/symbol and ISO 8601 signing time, Times 10, black, no image."""

    def refit(new_page: int, new_box: Box, _printed: bool = False) -> Appearance:
        return attachment_appearance(number_symbol=number_symbol, when=when, box=new_box, reason=reason)

    items: tuple[Text | Picture, ...] = ()
    if box is not None:
        height = box[3] - box[1]
        items = tuple(
            Text(line, 4, height - 4 - 9 - i * 12, size=ATTACHMENT_SIZE, align="left")
            for i, line in enumerate(attachment_lines(number_symbol, when))
        )
    return Appearance(ATTACHMENT_FIELD, 0, box, items, reason=reason, signing_time=when, refit=refit,
                      locate=locate)


def iso_vn(when: datetime) -> str:
    """2026-03-05T09:15:30+07:00: ISO 8601 in Vietnam time, to the second."""
    return to_vn(when).replace(microsecond=0).isoformat()


# --- rendering ------------------------------------------------------------------------

class _Drawing(pdf_content.AppearanceContent):
    def __init__(self, writer, appearance: Appearance, box: layout.BoxConstraints):
        super().__init__(writer=writer, box=box)
        self.appearance = appearance

    def render(self) -> bytes:
        out: list[bytes] = [b"q"]
        if self.appearance.background is not None:
            out.append(b"%.3f %.3f %.3f rg 0 0 %.2f %.2f re f" % (
                *self.appearance.background, self.box.width, self.box.height))
        font_names: dict[int, generic.NameObject] = {}
        image_names: dict[int, generic.NameObject] = {}
        for item in self.appearance.items:
            if isinstance(item, Picture):
                pic = images.pdf_image(item.png)
                name = image_names.get(id(pic))
                if name is None:
                    name = image_names[id(pic)] = generic.NameObject(f"/Im{len(image_names)}")
                    self.set_resource(pdf_content.ResourceType.XOBJECT, name,
                                      images.embed(self._ensure_writer, pic))
                out.append(b"q %.2f 0 0 %.2f %.2f %.2f cm %s Do Q" % (
                    item.width, item.height, item.x, item.y, name.encode()))
            else:
                font = fonts.font_for(item.face, item.text)
                name = font_names.get(id(font))
                if name is None:
                    name = font_names[id(font)] = generic.NameObject(f"/F{len(font_names)}")
                    self.set_resource(pdf_content.ResourceType.FONT, name,
                                      fonts.embed(self._ensure_writer, font))
                width = font.width(item.text, item.size)
                x = item.x - {"left": 0.0, "center": width / 2, "right": width}[item.align]
                out.append(b"BT %s %.2f Tf %.3f %.3f %.3f rg %.2f %.2f Td %s Tj ET" % (
                    name.encode(), item.size, *item.colour, x, item.y, font.encode(item.text)))
        out.append(b"Q")
        return b"\n".join(out)


@dataclass(frozen=True)
class AppearanceStyle(BaseStampStyle):
    """A pyHanko stamp style that draws an :class:`Appearance` (no border, no background)."""

    appearance: Appearance | None = None
    border_width: int = 0

    def create_stamp(self, writer, box, text_params):  # type: ignore[override]
        assert self.appearance is not None
        return _Drawing(writer, self.appearance, box)


def render(appearance: Appearance) -> AppearanceStyle:
    return AppearanceStyle(appearance=appearance)
