"""Taking printed text out from under the number and date fields.

The draft prints the blanks of ô 3 and ô 4 (“Số:      /UBND-KT”, “ngày … tháng … năm
20..”); at issuance the fields print the whole number and date over them. A white
field hides the blank on screen, but the glyphs would stay in the page's text layer,
so copying or indexing the issued PDF would read “Số: 01/UBND-KT /UBND-KT … năm 20..
2026”. :func:`drop_text_in` rewrites a page's content stream without the glyphs whose
middle lies in one of the given rectangles, each replaced by a ``TJ`` offset of its
width so everything else on the line stays exactly where it was.

It runs at prepare time, before anyone signs, so no signature covers the old stream.
Only fonts whose widths we can read (simple fonts, and Type0 with Identity-H) are
edited; a text operator in any other font is left as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import pypdf
from pypdf.generic import ArrayObject, ByteStringObject, ContentStream, FloatObject

from .appearance import Box

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m × n, PDF order (m applied first)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # noqa: N806 - the matrix names of the PDF reference
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _point(x: float, y: float, m: Matrix) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


class _Widths:
    """Glyph widths (thousandths of the text size) and code length of one font."""

    def __init__(self, font) -> None:
        self.two_bytes = False
        self.default = 0.0
        self.table: dict[int, float] = {}
        subtype = font.get("/Subtype")
        if subtype == "/Type0":
            if font.get("/Encoding") != "/Identity-H":
                raise ValueError("CMap")
            cid_font = font["/DescendantFonts"][0].get_object()
            self.two_bytes = True
            self.default = float(cid_font.get("/DW", 1000))
            w = list(cid_font.get("/W", []))
            i = 0
            while i < len(w):
                first = int(w[i])
                nxt = w[i + 1].get_object() if hasattr(w[i + 1], "get_object") else w[i + 1]
                if isinstance(nxt, list):
                    for k, width in enumerate(nxt):
                        self.table[first + k] = float(width)
                    i += 2
                else:
                    for cid in range(first, int(nxt) + 1):
                        self.table[cid] = float(w[i + 2])
                    i += 3
        elif "/Widths" in font:
            first = int(font.get("/FirstChar", 0))
            for k, width in enumerate(font["/Widths"]):
                self.table[first + k] = float(width)
            self.default = float(font.get("/FontDescriptor", {}).get("/MissingWidth", 0))
        else:
            raise ValueError("no widths")

    def codes(self, data: bytes) -> list[bytes]:
        step = 2 if self.two_bytes else 1
        return [data[i:i + step] for i in range(0, len(data), step)]

    def width(self, code: bytes) -> float:
        return self.table.get(int.from_bytes(code, "big"), self.default)


def _inside(x: float, y: float, boxes: Sequence[Box]) -> bool:
    return any(x1 <= x <= x2 and y1 <= y <= y2 for x1, y1, x2, y2 in boxes)


def drop_text_in(page: pypdf.PageObject, boxes: Sequence[Box]) -> bytes | None:
    """The page's content without the glyphs inside ``boxes`` (page coordinates), or
    None when nothing lies there (or the content cannot be read)."""
    if not boxes:
        return None
    try:
        return _drop(page, boxes)
    except Exception:  # noqa: BLE001 - a page we cannot rewrite keeps its text (as before)
        return None


def _drop(page: pypdf.PageObject, boxes: Sequence[Box]) -> bytes | None:
    contents = page.get_contents()
    if contents is None:
        return None
    stream = ContentStream(contents, page.pdf)
    fonts = (page.get("/Resources") or {}).get("/Font") or {}
    widths: dict[str, _Widths | None] = {}
    ctm, stack = IDENTITY, []
    tm = tlm = IDENTITY
    font: _Widths | None = None
    size = tc = tw = 0.0
    th, leading = 1.0, 0.0
    changed = False
    placed = True  # False after text in a font we cannot measure, until the next move
    out: list[tuple[list, bytes]] = []

    def show(items: list) -> list | None:
        """Advance the text matrix over ``items`` (a TJ array); the array without the
        glyphs in ``boxes``, or None if none was there."""
        nonlocal tm
        kept: list = []
        dropped = False
        for item in items:
            if isinstance(item, bytes | str):
                # pypdf decodes the strings it can; original_bytes are the codes as written
                raw = item if isinstance(item, bytes) else getattr(item, "original_bytes", b"")
                run = b""
                for code in font.codes(raw) if font else []:
                    spacing = tc + (tw if len(code) == 1 and code == b" " else 0.0)
                    advance = (font.width(code) / 1000 * size + spacing) * th if font else 0.0
                    start = _point(0, 0, _mul(tm, ctm))
                    end = _point(advance, 0, _mul(tm, ctm))
                    if _inside((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, boxes):
                        dropped = True
                        if run:
                            kept.append(ByteStringObject(run))
                            run = b""
                        kept.append(FloatObject(round(-(font.width(code) + spacing * 1000 / size), 3)
                                                if font and size else 0))
                    else:
                        run += code
                    tm = _mul((1, 0, 0, 1, advance, 0), tm)
                if run:
                    kept.append(ByteStringObject(run))
            else:
                shift = -float(item) / 1000 * size * th
                tm = _mul((1, 0, 0, 1, shift, 0), tm)
                kept.append(item)
        return kept if dropped else None

    for operands, operator in stream.operations:
        op = operator
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop() if stack else IDENTITY
        elif op == b"cm":
            ctm = _mul(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif op == b"BT":
            tm = tlm = IDENTITY
            placed = True
        elif op in (b"Td", b"TD"):
            if op == b"TD":
                leading = -float(operands[1])
            tm = tlm = _mul((1, 0, 0, 1, float(operands[0]), float(operands[1])), tlm)
            placed = True
        elif op == b"Tm":
            tm = tlm = tuple(float(v) for v in operands)  # type: ignore[assignment]
            placed = True
        elif op == b"T*":
            tm = tlm = _mul((1, 0, 0, 1, 0, -leading), tlm)
            placed = True
        elif op == b"TL":
            leading = float(operands[0])
        elif op == b"Tc":
            tc = float(operands[0])
        elif op == b"Tw":
            tw = float(operands[0])
        elif op == b"Tz":
            th = float(operands[0]) / 100
        elif op == b"Tf":
            name, size = str(operands[0]), float(operands[1])
            if name not in widths:
                try:
                    widths[name] = _Widths(fonts[name].get_object())
                except (KeyError, ValueError, TypeError, AttributeError):
                    widths[name] = None
            font = widths[name]
        elif op in (b"Tj", b"TJ", b"'", b'"'):
            if op == b'"':
                tw, tc = float(operands[0]), float(operands[1])
            if op in (b"'", b'"'):
                tm = tlm = _mul((1, 0, 0, 1, 0, -leading), tlm)
                placed = True
            items = list(operands[0]) if op == b"TJ" else [operands[-1]]
            if font is None or not placed:  # unknown widths: unplaced until the next move
                placed = False
                out.append((operands, operator))
                continue
            kept = show(items)
            if kept is not None:
                changed = True
                if op in (b"'", b'"'):
                    out.append(([], b"T*"))
                if op == b'"':
                    out[-1:-1] = [([FloatObject(tw)], b"Tw"), ([FloatObject(tc)], b"Tc")]
                out.append(([ArrayObject(kept)], b"TJ"))
                continue
        out.append((operands, operator))
    if not changed:
        return None
    stream.operations = out
    return stream.get_data()


__all__ = ["drop_text_in"]
