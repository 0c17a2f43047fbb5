"""The document font for signature appearances and the number/date fields.

Liberation Serif by default (Debian ``fonts-liberation2``): it has the metrics of Times
New Roman, which Phụ lục I asks for, and every precomposed Vietnamese letter; a commune
with Times New Roman installed may name it instead (see :mod:`.typeface`). Text is written as
NFC code points mapped straight to glyphs (Identity-H, one CID per glyph): Vietnamese in
NFC needs no shaping, so no HarfBuzz.

Speed matters (the issuance chain signs several times per document): each face is
subset once per process to ASCII + the Vietnamese alphabet (≈250 glyphs, ≈10 kB
compressed); only text with other characters (a rare name) costs another subset, and
that is cached too. Embedding in a document then copies ready-made bytes.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from .typeface import current as document_font

_VI_LOWER = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợ"
    "pqrstuùủũúụưừửữứựvwxyỳỷỹýỵzfj"
)
BASE_CHARSET = frozenset(
    {chr(c) for c in range(32, 127)} | set(_VI_LOWER) | set(_VI_LOWER.upper()) | set("–—…“”‘’°№·")
)

pdf_name = generic.NameObject


def face_file(face: str) -> Path:
    """The TrueType file of ``face`` ("regular", "bold", "italic") of the document font."""
    return document_font().file(face)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, eq=False)
class SubsetFont:
    """One face subset to a character set, ready to embed and to measure text with."""

    face: str
    base_font: str  # ABCDEF+LiberationSerif-Bold
    font_file: bytes  # zlib-compressed TrueType
    length1: int
    gids: dict[str, int]
    widths: dict[int, int]  # glyph id -> advance, 1/1000 em
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    flags: int
    to_unicode: bytes  # zlib-compressed CMap

    def encode(self, text: str) -> bytes:
        """The text as a PDF hex string of glyph ids (missing characters → .notdef)."""
        return b"<" + "".join(f"{self.gids.get(ch, 0):04x}" for ch in nfc(text)).encode() + b">"

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.gids.get(ch, 0), 0) for ch in nfc(text)) * size / 1000.0


def font_for(face: str, text: str = "") -> SubsetFont:
    """The cached subset of ``face`` that covers ``text`` (and always the base charset)."""
    extra = frozenset(nfc(text)) - BASE_CHARSET
    return _subset(face, str(face_file(face)), extra)


@lru_cache(maxsize=64)
def _subset(face: str, path: str, extra: frozenset[str]) -> SubsetFont:
    from fontTools import subset, ttLib

    font = ttLib.TTFont(path)
    ps_name = "".join(Path(path).stem.split())  # LiberationSerif-Bold, as before the setting
    chars = BASE_CHARSET | extra
    cmap = font.getBestCmap()
    wanted = sorted(ord(c) for c in chars if ord(c) in cmap)
    opts = subset.Options()
    opts.hinting = False  # screen/print renderers do fine without; halves the size
    opts.layout_features = []
    opts.name_IDs = [1, 2]
    opts.name_languages = [0x409]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "FFTM", "gasp", "prep", "fpgm", "cvt "]
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    raw = out.getvalue()

    order = font.getGlyphOrder()
    gid_of = {name: i for i, name in enumerate(order)}
    best = font.getBestCmap()
    gids = {chr(cp): gid_of[name] for cp, name in best.items()}
    upem = font["head"].unitsPerEm
    scale = 1000.0 / upem
    hmtx = font["hmtx"]
    widths = {gid_of[name]: round(hmtx[name][0] * scale) for name in order}
    os2 = font["OS/2"]
    head = font["head"]
    post = font["post"]
    bbox = tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    flags = 2 | 32  # serif, non-symbolic
    if post.italicAngle:
        flags |= 64
    # The tag names the exact subset (face, characters, font file): a document that
    # already carries a font with this BaseFont can reuse it with the same glyph ids.
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(
        (face + "".join(sorted(chars))).encode() + raw).digest()[:6])
    return SubsetFont(
        face=face,
        base_font=f"{tag}+{ps_name}",
        font_file=zlib.compress(raw, 9),
        length1=len(raw),
        gids=gids,
        widths=widths,
        ascent=round((os2.sTypoAscender or font["hhea"].ascent) * scale),
        descent=round((os2.sTypoDescender or font["hhea"].descent) * scale),
        cap_height=round(getattr(os2, "sCapHeight", 0) * scale) or 660,
        bbox=bbox,  # type: ignore[arg-type]
        italic_angle=float(post.italicAngle),
        flags=flags,
        to_unicode=zlib.compress(_to_unicode_cmap(gids), 9),
    )


def _to_unicode_cmap(gids: dict[str, int]) -> bytes:
    """A ToUnicode CMap so copy/paste and text extraction give back the Vietnamese text."""
    pairs = sorted((gid, ch) for ch, gid in gids.items() if gid)
    seen: set[int] = set()
    lines = []
    for gid, ch in pairs:
        if gid in seen:
            continue
        seen.add(gid)
        lines.append(f"<{gid:04x}> <{ch.encode('utf-16-be').hex()}>")
    chunks = [lines[i:i + 100] for i in range(0, len(lines), 100)]
    body = "".join(f"{len(c)} beginbfchar\n" + "\n".join(c) + "\nendbfchar\n" for c in chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
        f"{body}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


# Fonts already written into a writer: one object per face per document revision.
_embedded: WeakKeyDictionary[BasePdfFileWriter, dict[int, generic.IndirectObject]] = WeakKeyDictionary()


def embed(writer: BasePdfFileWriter, font: SubsetFont) -> generic.IndirectObject:
    """Write ``font`` into ``writer`` once (Type0/CIDFontType2, Identity-H) and return it."""
    per_writer = _embedded.setdefault(writer, {})
    if (ref := per_writer.get(id(font))) is not None:
        return ref
    flate = pdf_name("/FlateDecode")
    font_file = writer.add_object(generic.StreamObject(
        {pdf_name("/Filter"): flate, pdf_name("/Length1"): generic.NumberObject(font.length1)},
        encoded_data=font.font_file,
    ))
    descriptor = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/FontDescriptor"),
        pdf_name("/FontName"): pdf_name("/" + font.base_font),
        pdf_name("/Flags"): generic.NumberObject(font.flags),
        pdf_name("/FontBBox"): generic.ArrayObject(generic.NumberObject(v) for v in font.bbox),
        pdf_name("/ItalicAngle"): generic.FloatObject(font.italic_angle),
        pdf_name("/Ascent"): generic.NumberObject(font.ascent),
        pdf_name("/Descent"): generic.NumberObject(font.descent),
        pdf_name("/CapHeight"): generic.NumberObject(font.cap_height),
        pdf_name("/StemV"): generic.NumberObject(80),
        pdf_name("/FontFile2"): font_file,
    }))
    widths = generic.ArrayObject()
    for gid in sorted(font.widths):
        widths.append(generic.NumberObject(gid))
        widths.append(generic.ArrayObject([generic.NumberObject(font.widths[gid])]))
    cid_font = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"),
        pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
        pdf_name("/BaseFont"): pdf_name("/" + font.base_font),
        pdf_name("/CIDSystemInfo"): generic.DictionaryObject({
            pdf_name("/Registry"): generic.pdf_string("Adobe"),
            pdf_name("/Ordering"): generic.pdf_string("Identity"),
            pdf_name("/Supplement"): generic.NumberObject(0),
        }),
        pdf_name("/FontDescriptor"): descriptor,
        pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
        pdf_name("/DW"): generic.NumberObject(500),
        pdf_name("/W"): widths,
    }))
    to_unicode = writer.add_object(generic.StreamObject(
        {pdf_name("/Filter"): flate}, encoded_data=font.to_unicode,
    ))
    ref = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"),
        pdf_name("/Subtype"): pdf_name("/Type0"),
        pdf_name("/BaseFont"): pdf_name("/" + font.base_font),
        pdf_name("/Encoding"): pdf_name("/Identity-H"),
        pdf_name("/DescendantFonts"): generic.ArrayObject([cid_font]),
        pdf_name("/ToUnicode"): to_unicode,
    }))
    per_writer[id(font)] = ref
    return ref
