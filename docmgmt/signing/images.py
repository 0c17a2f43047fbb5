"""Signature and seal images (Phụ lục I §7d, §8a) and their PDF image objects.

* A leader's signature image is blue on a transparent background. An uploaded image is
  normalised to that (ink recoloured blue; a white background made transparent); with
  no upload, one is drawn from the person's name in a slanted, handwriting-like style.
* The organisation's seal is red: double ring, the organisation's name around the top,
  the governing body around the bottom, a star and the abbreviation in the middle.

PNG decoding and compression happen once per image per process (cached by content
hash); embedding in a document copies the compressed bytes.
"""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from weakref import WeakKeyDictionary

from PIL import Image, ImageDraw, ImageFont, ImageOps
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from .errors import SigningError
from .fonts import face_file, nfc

BLUE = (0, 45, 170)
RED = (218, 18, 26)

pdf_name = generic.NameObject


# --- drawing ---------------------------------------------------------------------

def _font(face: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(face_file(face)), size)


def draw_signature(name: str) -> bytes:
    """A blue, slanted rendering of ``name`` with an underline flourish, as PNG."""
    name = nfc(name).strip() or "?"
    font = _font("italic", 96)
    left, top, right, bottom = font.getbbox(name)
    width, height = int(right - left + 120), int(bottom - top + 90)
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    draw.text((40 - left, 20 - top), name, font=font, fill=255)
    # a flourish under the name, as people do when they sign
    y = height - 40
    points = [(30 + t * (width - 60) / 40, y + 10 * math.sin(t / 40 * math.pi * 1.5)) for t in range(41)]
    draw.line(points, fill=255, width=5, joint="curve")
    # more slant than the italic face gives: a handwriting look
    shear = 0.18
    img = img.transform((width + int(height * shear), height), Image.Transform.AFFINE,
                        (1, shear, -height * shear, 0, 1, 0), resample=Image.Resampling.BICUBIC)
    return _png(_tinted(img, BLUE))


def draw_seal(name: str, abbreviation: str, governing_body: str = "", size: int = 420) -> bytes:
    """A red round seal as PNG (transparent background): the name (and governing body)
    clockwise around the ring, a star and the abbreviation in the middle."""
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    draw.ellipse((6, 6, size - 6, size - 6), outline=255, width=10)
    draw.ellipse((size * 0.2, size * 0.2, size * 0.8, size * 0.8), outline=255, width=4)
    ring = nfc(name).upper()
    if governing_body:
        ring += " ★ " + nfc(governing_body).upper()
    _ring_text(mask, ring, c, size * 0.4, size=int(size * 0.075))
    star_r = size * 0.075
    star = [(c + (star_r if i % 2 == 0 else star_r * 0.4) * math.sin(i * math.pi / 5),
             c - size * 0.1 - (star_r if i % 2 == 0 else star_r * 0.4) * math.cos(i * math.pi / 5))
            for i in range(10)]
    draw.polygon(star, fill=255)
    draw.text((c, c + size * 0.07), nfc(abbreviation).upper(), font=_font("bold", int(size * 0.11)),
              fill=255, anchor="mm")
    return _png(_tinted(mask, RED))


def _ring_text(mask: Image.Image, text: str, c: float, radius: float, *, size: int) -> None:
    """Letters clockwise around a circle, centred on the top, tops facing outwards."""
    font = _font("bold", size)
    symbol_font = _font("regular", size)  # ★ is not in the bold face of every version
    widths = [(symbol_font if ch == "★" else font).getlength(ch) for ch in text]
    spacing = size * 0.12
    room = 2 * math.pi * radius * 0.93  # leave a gap at the bottom
    total = sum(widths) + spacing * (len(text) - 1)
    if total > room:  # long names: tighter letters rather than an overflowing ring
        shrink = room / total
        font, symbol_font = _font("bold", int(size * shrink)), _font("regular", int(size * shrink))
        widths = [w * shrink for w in widths]
        spacing *= shrink
        total = room
    angle = -total / radius / 2
    for ch, w in zip(text, widths, strict=True):
        mid = angle + w / 2 / radius
        tile = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(tile).text((size, size), ch, font=symbol_font if ch == "★" else font,
                                  fill=255, anchor="mm")
        x, y = c + radius * math.sin(mid), c - radius * math.cos(mid)
        rotated = tile.rotate(-math.degrees(mid), resample=Image.Resampling.BICUBIC)
        mask.paste(255, (int(x - size), int(y - size)), rotated)
        angle += (w + spacing) / radius


def normalise(png: bytes, colour: tuple[int, int, int]) -> bytes:
    """An uploaded image as ``colour`` ink on transparency (what Phụ lục I asks for)."""
    try:
        img = Image.open(io.BytesIO(png))
        img.load()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for bad input
        raise SigningError("bad_image", detail=str(exc)) from exc
    if img.width * img.height > 4_000_000:
        raise SigningError("bad_image", "Ảnh chữ ký quá lớn.")
    rgba = img.convert("RGBA")
    alpha = rgba.getchannel("A")
    if alpha.getextrema()[0] == 255:  # opaque (a scan): ink is what is darker than paper
        alpha = ImageOps.invert(rgba.convert("L"))
        alpha = alpha.point(lambda v: 0 if v < 40 else min(255, int(v * 1.4)))
    else:  # transparent background: keep the shape, drop pale pixels' colour
        ink = ImageOps.invert(rgba.convert("L")).point(lambda v: min(255, v * 3))
        alpha = Image.composite(alpha, Image.new("L", alpha.size, 0), ink)
    bbox = alpha.getbbox()
    if bbox:
        alpha = alpha.crop(bbox)
    return _png(_tinted(alpha, colour))


def _tinted(mask: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    img = Image.new("RGBA", mask.size, (*colour, 0))
    img.putalpha(mask)
    return img


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()


# --- PDF image objects ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class PdfImage:
    width: int
    height: int
    rgb: bytes  # Flate-compressed samples
    alpha: bytes  # Flate-compressed soft mask

    @property
    def aspect(self) -> float:
        return self.width / self.height


@lru_cache(maxsize=256)
def _decode(digest: str, png: bytes) -> PdfImage:
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    return PdfImage(
        width=img.width,
        height=img.height,
        rgb=zlib.compress(img.convert("RGB").tobytes(), 6),
        alpha=zlib.compress(img.getchannel("A").tobytes(), 6),
    )


def pdf_image(png: bytes) -> PdfImage:
    return _decode(hashlib.sha256(png).hexdigest(), png)


_embedded: WeakKeyDictionary[BasePdfFileWriter, dict[int, generic.IndirectObject]] = WeakKeyDictionary()


def embed(writer: BasePdfFileWriter, image: PdfImage) -> generic.IndirectObject:
    """Write ``image`` (with its soft mask) into ``writer`` once; return the XObject."""
    per_writer = _embedded.setdefault(writer, {})
    if (ref := per_writer.get(id(image))) is not None:
        return ref
    common = {
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Image"),
        pdf_name("/Width"): generic.NumberObject(image.width),
        pdf_name("/Height"): generic.NumberObject(image.height),
        pdf_name("/BitsPerComponent"): generic.NumberObject(8),
        pdf_name("/Filter"): pdf_name("/FlateDecode"),
    }
    smask = writer.add_object(generic.StreamObject(
        {**common, pdf_name("/ColorSpace"): pdf_name("/DeviceGray")}, encoded_data=image.alpha))
    ref = writer.add_object(generic.StreamObject(
        {**common, pdf_name("/ColorSpace"): pdf_name("/DeviceRGB"), pdf_name("/SMask"): smask},
        encoded_data=image.rgb))
    per_writer[id(image)] = ref
    return ref
