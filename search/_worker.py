"""The child that reads untrusted files; run only through ``search.sandbox``.

``python -I _worker.py MODE PATH [--text] [--max-chars N]`` prints one JSON object.
It imports nothing of the application (only the standard library, pypdf,
python-docx and, for images, Pillow) and runs under the limits ``search.sandbox``
gives it, so a hostile file can at worst make this process fail or die.

Modes:

* ``inspect-pdf`` — the upload check: the page tree, then every stream a viewer will
  decode for each page (contents, and everything its resources and annotations reach:
  Form XObjects, images and their masks, patterns, shadings, fonts…), decoded size
  counted once per page that uses it; images judged also by their declared size.
  Answers ``{"ok", "pages", "encrypted", "error", "text"}``; ``error`` is "bomb",
  "malformed", "encrypted" or "memory".
* ``inspect-docx`` — the upload check of a DOCX: the zip guard below.
* ``extract-pdf``, ``extract-docx`` — text for the index: ``{"text", "pages"}`` or
  ``{"error"}``, the text cut at ``--max-chars``.
* ``prepare-image`` — a scan sent as an image, before OCRmyPDF reads it (Pillow, which
  this mode alone imports): its frames and resolution, and, when OCRmyPDF would refuse
  it as it is (transparency, a palette, CMYK without a profile, an unusual mode), a
  lossless multi-page TIFF written to ``--out`` with the pages flattened onto white.
  Answers ``{"frames", "dpi", "estimated_dpi", "flattened"}`` (``dpi`` 0 when the
  file states none worth believing) or ``{"error"}``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import zipfile
from collections.abc import Iterator
from typing import Any

MiB = 1024 * 1024

# --- limits of a PDF (what a viewer would have to decode) ----------------------------
MAX_STREAM_DECODED = 64 * MiB  # one content stream, font, form…
MAX_IMAGE_DECODED = 256 * MiB  # one image: a 600 dpi A3 colour scan is ~210 MB
MAX_DOCUMENT_DECODED = 2048 * MiB  # all pages together, a stream counted per page using it
MAX_WALK_STEPS = 5_000_000  # objects visited: a structure too big to look at is refused too
PYPDF_LIMITS = {
    "maximum_declared_stream_length": MAX_IMAGE_DECODED,
    "lzw_maximum_output_length": MAX_IMAGE_DECODED,
    "run_length_maximum_output_length": MAX_IMAGE_DECODED,
    "array_based_stream_maximum_output_length": MAX_STREAM_DECODED,
    "zlib_maximum_output_length": MAX_STREAM_DECODED,
    "image_maximum_buffer_size": MAX_IMAGE_DECODED,
    "page_tree_maximum_entries": 50_000,
    "page_tree_maximum_depth": 64,
}
MAX_EXTRACT_PAGES = 2000
# The upload check reads the text too (so that the index need not read the file again),
# but only within this much CPU time: a long PDF is left to the background extraction
# rather than refused for being slow.
INSPECT_TEXT_CPU_S = 4.0

# --- limits of a DOCX (a zip of XML parts and media) ---------------------------------
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_TOTAL = 512 * MiB  # declared uncompressed size of all parts
MAX_XML_PART = 64 * MiB  # one XML part (the body of a 300-page document is ~10 MB)
MAX_RATIO = 100  # uncompressed / compressed, for parts above RATIO_FROM
RATIO_FROM = 1 * MiB

IMAGE_CODECS = {"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode"}
FLATE = {"/FlateDecode", "/Fl"}
# Links that lead away from what a page shows (other pages, the document's outline…);
# not followed, except inside a table of named resources, whose keys are free names.
NAME_TABLES = {"/XObject", "/Font", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/Properties", "/CharProcs"}
NOT_SHOWN = {
    "/Parent",
    "/P",
    "/Pg",
    "/Dest",
    "/D",
    "/A",
    "/AA",
    "/Next",
    "/Prev",
    "/First",
    "/Last",
    "/Popup",
    "/IRT",
    "/StructParent",
    "/StructParents",
    "/PieceInfo",
}
# ``/Name Do``: a content stream drawing an XObject.
DO = re.compile(rb"/([^\s/\[\]()<>{}%]{1,127})\s*Do(?![^\s/\[\]()<>{}%])")
CHUNK = 1 * MiB


class Refused(Exception):
    def __init__(self, error: str, why: str = ""):
        super().__init__(why or error)
        self.error = error


# --- PDF -------------------------------------------------------------------------------


class _ParseTrouble(logging.Handler):
    """pypdf, when not strict, turns a recursion or memory failure inside an object into
    the warning "Error reading PDF file." and goes on with part of the object. For us
    such a file is malformed: nesting that deep is an attack on recursive parsers."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        if "Error reading PDF file" in record.getMessage():
            self.seen = True


TROUBLE = _ParseTrouble()


def _configure_pypdf() -> None:
    from pypdf import overwrite_configuration

    overwrite_configuration(None, **PYPDF_LIMITS)
    logging.getLogger("pypdf").addHandler(TROUBLE)


def _open_pdf(path: str):
    from pypdf import PdfReader

    _configure_pypdf()
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise Refused("encrypted")
        except Refused:
            raise
        except Exception:  # noqa: BLE001 - an unknown or broken encryption
            raise Refused("encrypted") from None
    return reader


def _names(value: Any) -> list[str]:
    from pypdf.generic import ArrayObject

    value = value.get_object() if value is not None else None
    if value is None:
        return []
    if isinstance(value, ArrayObject):
        return [str(v.get_object()) for v in value]
    return [str(value)]


def _declared_image_bytes(image) -> int:
    """Width × height × components × bits per component, as the image dictionary says."""

    def number(key: str, default: int) -> int:
        try:
            return max(0, int(image.get(key, default)))
        except (TypeError, ValueError):
            return default

    width, height = number("/Width", 0), number("/Height", 0)
    if image.get("/ImageMask"):
        return width * height // 8
    bits = number("/BitsPerComponent", 8) or 8
    components = 1
    space = image.get("/ColorSpace")
    try:
        space = space.get_object() if space is not None else None
        name = str(space[0].get_object()) if isinstance(space, list) and space else str(space)
        if isinstance(space, list) and name == "/ICCBased" and len(space) > 1:
            components = int(space[1].get_object().get("/N", 3))
        else:
            components = {
                "/DeviceRGB": 3,
                "/RGB": 3,
                "/CalRGB": 3,
                "/Lab": 3,
                "/DeviceCMYK": 4,
                "/CMYK": 4,
                "/DeviceN": 4,
            }.get(name, 1)
    except Exception:  # noqa: BLE001 - a broken colour space: count one component
        components = 1
    return width * height * max(1, min(components, 32)) * max(1, min(bits, 16)) // 8


class _Names:
    """Collects ``/Name Do`` from chunks of a content stream (a name may straddle two)."""

    def __init__(self) -> None:
        self.found: set[str] = set()
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        if len(self.found) < 10_000:
            self.found.update(m.group(1).decode("latin-1") for m in DO.finditer(data))
        self._tail = data[-256:]


class PdfWalk:
    """What a viewer would decode, page by page."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.sizes: dict[tuple[int, int], int] = {}
        self.invoked: dict[tuple[int, int], set[str]] = {}
        self.forms_done: set[tuple[int, int]] = set()
        self.total = 0
        self.steps = 0

    def run(self) -> int:
        pages = 0
        for page in self.reader.pages:
            pages += 1
            self.page(page)
        return pages

    # Streams reachable from one page, each counted once for this page.
    def page(self, page) -> None:
        from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

        seen: set[tuple[int, int]] = set()
        raw = dict.get(page, "/Contents")  # the drawing of the page itself
        contents = raw.get_object() if raw is not None else None
        refs = list(contents) if isinstance(contents, ArrayObject) else [raw]
        drawn: set[str] = set()
        for ref in refs:
            key = _key(ref)
            if key is not None and key in seen:
                continue
            if key is not None:
                seen.add(key)
            obj = ref.get_object() if ref is not None else None
            if isinstance(obj, StreamObject):
                drawn |= self.stream(key, obj, content=True)
        # (object, the key it was found under)
        stack: list[tuple[Any, str]] = [
            (dict.get(page, key), key) for key in ("/Resources", "/Annots", "/Thumb", "/Group")
        ]
        while stack:
            item, found_under = stack.pop()
            if item is None:
                continue
            self.step()
            key = _key(item)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
                try:
                    item = item.get_object()
                except (RecursionError, MemoryError):
                    raise
                except Exception:  # noqa: BLE001 - a dangling reference: nothing to decode
                    continue
            if isinstance(item, StreamObject):
                self.stream(key, item, content=item.get("/Subtype") == "/Form")
            if isinstance(item, DictionaryObject):
                every = found_under in NAME_TABLES
                stack.extend((v, k) for k, v in item.items() if every or k not in NOT_SHOWN)
            elif isinstance(item, ArrayObject):
                stack.extend((v, found_under) for v in item)
        self.forms_drawn(page, drawn)

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_WALK_STEPS:
            raise Refused("bomb", "too many objects")

    def stream(self, key: tuple[int, int] | None, obj, *, content: bool) -> set[str]:
        """Count the decoded size of a stream for one more page; the XObject names it
        draws (content streams and forms)."""
        size = self.sizes.get(key) if key is not None else None
        found: set[str] = self.invoked.get(key, set()) if key is not None else set()
        if size is None:
            names = _Names() if content else None
            size = self.decoded_size(obj, names)
            found = names.found if names is not None else set()
            if key is not None:
                self.sizes[key] = size
                self.invoked[key] = found
        self.total += size
        if self.total > MAX_DOCUMENT_DECODED:
            raise Refused("bomb", "document decodes to too much")
        return found

    def decoded_size(self, obj, names: _Names | None) -> int:
        is_image = obj.get("/Subtype") == "/Image"
        declared = _declared_image_bytes(obj) if is_image else 0
        if declared > MAX_IMAGE_DECODED:
            raise Refused("bomb", "image too large")
        limit = MAX_IMAGE_DECODED if is_image else MAX_STREAM_DECODED
        filters = _names(obj.get("/Filter"))
        data: bytes = obj._data  # as stored (decrypted), not yet decoded
        if all(f in FLATE or f in IMAGE_CODECS for f in filters):
            for i, name in enumerate(filters):
                if name in IMAGE_CODECS:  # a viewer decodes it to the image's size
                    return declared if is_image else len(data)
                if i == len(filters) - 1:
                    return _inflate(data, limit, names)
                data = _inflate_bytes(data, limit)
            if names is not None:
                names.feed(data)
            return len(data)
        from pypdf.errors import LimitReachedError

        try:  # rarer filters (LZW, RunLength, ASCII85…): pypdf, under the limits above
            data = obj.get_data()
        except LimitReachedError:
            raise Refused("bomb", "stream limit") from None
        finally:
            obj.decoded_self = None  # do not keep decoded data for the whole walk
        if len(data) > limit:
            raise Refused("bomb", "stream too large")
        if names is not None:
            names.feed(data)
        return len(data)

    def forms_drawn(self, page, drawn: set[str]) -> None:
        """A Form XObject that draws itself (directly or through others) would make a
        viewer recurse forever: refused. Depth-first over what the page draws, with the
        forms being drawn on ``path``."""
        from pypdf.generic import StreamObject

        def xobjects(resources) -> dict[str, Any]:
            try:
                res = resources.get_object() if resources is not None else None
                table = res.get("/XObject") if res is not None else None
                return dict(table.items()) if table is not None else {}
            except Exception:  # noqa: BLE001 - broken resources draw nothing
                return {}

        path: set[tuple[int, int]] = set()
        # (the XObject table in force, the names still to follow, the form drawing them)
        stack: list[tuple[dict[str, Any], Iterator[str], tuple[int, int] | None]] = [
            (xobjects(dict.get(page, "/Resources")), iter(sorted(drawn)), None)
        ]
        while stack:
            table, names, owner = stack[-1]
            name = next(names, None)
            if name is None:
                stack.pop()
                if owner is not None:
                    path.discard(owner)
                    self.forms_done.add(owner)
                continue
            ref = table.get("/" + name)
            key = _key(ref)
            if ref is None or key is None or key in self.forms_done:
                continue
            if key in path:
                raise Refused("malformed", "a form draws itself")
            self.step()
            form = ref.get_object()
            if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
                continue
            inner = self.invoked.get(key, set())
            if not inner:
                self.forms_done.add(key)
                continue
            path.add(key)
            stack.append((xobjects(dict.get(form, "/Resources")) or table, iter(sorted(inner)), key))


def _key(ref: Any) -> tuple[int, int] | None:
    from pypdf.generic import IndirectObject

    if isinstance(ref, IndirectObject):
        return (ref.idnum, ref.generation)
    return None


def _inflate(data: bytes, limit: int, names: _Names | None) -> int:
    """Size of the Flate stream ``data`` once inflated, counted chunk by chunk, never
    held whole. A stream without its zlib header is read as raw deflate, as lenient
    readers do."""
    import zlib

    total = 0
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        inflater = zlib.decompressobj(wbits)
        pending = data
        try:
            while pending:
                out = inflater.decompress(pending, CHUNK)
                total += len(out)
                if total > limit:
                    raise Refused("bomb", "stream too large")
                if names is not None and out:
                    names.feed(out)
                if inflater.eof or not out:
                    break
                pending = inflater.unconsumed_tail
        except zlib.error:
            if total == 0:
                continue  # not zlib: try raw deflate
        return total  # a damaged stream stops where a viewer would stop too
    return total


def _inflate_bytes(data: bytes, limit: int) -> bytes:
    import zlib

    try:
        out = zlib.decompressobj().decompress(data, limit + 1)
    except zlib.error:
        return b""
    if len(out) > limit:
        raise Refused("bomb", "stream too large")
    return out


def inspect_pdf(path: str, want_text: bool, max_chars: int) -> dict:
    try:
        reader = _open_pdf(path)
    except Refused as refusal:
        return {"ok": False, "encrypted": refusal.error == "encrypted", "error": refusal.error}
    from pypdf.errors import LimitReachedError

    try:
        walk = PdfWalk(reader)
        pages = walk.run()
    except Refused as refusal:
        return {"ok": False, "error": refusal.error}
    except LimitReachedError:
        return {"ok": False, "error": "bomb"}
    if pages == 0 or TROUBLE.seen:
        return {"ok": False, "error": "malformed"}
    text = _pdf_text(reader, max_chars, cpu_budget=INSPECT_TEXT_CPU_S) if want_text else ""
    if TROUBLE.seen:
        return {"ok": False, "error": "malformed"}
    return {"ok": True, "pages": pages, "text": text or ""}


def _pdf_text(reader, max_chars: int, cpu_budget: float | None = None) -> str | None:
    """The text of the pages, cut at ``max_chars``; None when ``cpu_budget`` seconds
    were not enough (the caller then leaves the text to the background step)."""
    import time

    started = time.process_time()
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_EXTRACT_PAGES or size > max_chars:
            break
        if cpu_budget is not None and time.process_time() - started > cpu_budget:
            return None
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text) + 1
    return "\n".join(parts)[:max_chars]


def extract_pdf(path: str, max_chars: int) -> dict:
    try:
        reader = _open_pdf(path)
    except Refused as refusal:
        return {"error": refusal.error}
    pages = len(reader.pages)
    return {"text": _pdf_text(reader, max_chars) or "", "pages": pages}


# --- DOCX ------------------------------------------------------------------------------


def docx_problem(path: str) -> str | None:
    """Why this zip must not be unpacked ("bomb", "malformed"), or None.

    Looks at the central directory first (entry count, declared sizes and ratios), then
    inflates every part once, counting, without keeping it: a part whose header lies
    about its size stops at the declared size and fails its checksum."""
    try:
        with open(path, "rb") as f:
            end = zipfile._EndRecData(f)  # type: ignore[attr-defined]
        if not end:
            return "malformed"
        if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ZIP_ENTRIES:  # type: ignore[attr-defined]
            return "bomb"
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(1, info.compress_size)
                if info.file_size > RATIO_FROM and ratio > MAX_RATIO:
                    return "bomb"
                if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART:
                    return "bomb"
            if total > MAX_ZIP_TOTAL:
                return "bomb"
            inflated = 0
            for info in infos:
                first_xml = info.filename.endswith((".xml", ".rels"))
                with zf.open(info) as member:
                    while chunk := member.read(CHUNK):
                        if first_xml and b"<!DOCTYPE" in chunk[:4096]:
                            return "malformed"  # OPC forbids DTDs: entity expansion bombs
                        first_xml = False
                        inflated += len(chunk)
                        if inflated > MAX_ZIP_TOTAL:
                            return "bomb"
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,
    ):  # RuntimeError: an encrypted member
        return "malformed"
    return None


def inspect_docx(path: str) -> dict:
    problem = docx_problem(path)
    if problem:
        return {"ok": False, "error": problem}
    return {"ok": True}


def extract_docx(path: str, max_chars: int) -> dict:
    """Headers, then body paragraphs and tables in document order, then footers."""
    problem = docx_problem(path)
    if problem:
        return {"error": problem}
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(path)
    except Exception as exc:  # noqa: BLE001 - corrupt zip/XML: python-docx raises many kinds
        return {"error": type(exc).__name__}
    lines: list[str] = []
    size = [0]

    def add(line: str) -> None:
        lines.append(line)
        size[0] += len(line) + 1
        if size[0] > max_chars:
            raise _Full

    def table_lines(table: Table) -> None:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = cell.text.strip()
                if text and (not cells or cells[-1] != text):  # merged cells repeat
                    cells.append(text)
            if cells:
                add(" | ".join(cells))

    try:
        seen_headers: set[str] = set()
        for section in document.sections:
            header = section.header
            text = "\n".join(p.text for p in header.paragraphs if p.text.strip())
            if text and text not in seen_headers:
                seen_headers.add(text)
                add(text)
            for table in header.tables:
                table_lines(table)
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                if block.text.strip():
                    add(block.text)
            else:
                table_lines(block)
        for section in document.sections:
            text = "\n".join(p.text for p in section.footer.paragraphs if p.text.strip())
            if text and text not in seen_headers:
                seen_headers.add(text)
                add(text)
    except _Full:
        pass
    return {"text": "\n".join(lines)[:max_chars], "pages": 1}


class _Full(Exception):
    """The text cap is reached: stop reading."""


# --- images ----------------------------------------------------------------------------

MAX_IMAGE_PIXELS = 150_000_000  # one page: a 600 dpi A3 colour scan is ~70 M pixels
MAX_IMAGE_FRAMES = 1000
# OCRmyPDF refuses an image whose stated resolution is at or below this ("not credible").
CREDIBLE_DPI = 96
# Modes OCRmyPDF (img2pdf) takes as they are; CMYK only with its colour profile.
PLAIN_MODES = {"1", "L", "RGB"}


def prepare_image(path: str, out: str) -> dict:
    import warnings

    from PIL import Image, TiffImagePlugin

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1)
            if frames > MAX_IMAGE_FRAMES:
                return {"error": "bomb"}
            stated = im.info.get("dpi")
            try:
                dpi = min(float(stated[0]), float(stated[1])) if stated else 0.0
            except (TypeError, ValueError, IndexError, ZeroDivisionError):
                dpi = 0.0
            flatten = False
            for number in range(frames):
                im.seek(number)
                if im.width * im.height > MAX_IMAGE_PIXELS:
                    return {"error": "bomb"}
                plain = im.mode in PLAIN_MODES or (im.mode == "CMYK" and "icc_profile" in im.info)
                flatten = flatten or not plain or "transparency" in im.info
            dpi = round(dpi) if dpi > CREDIBLE_DPI else 0
            im.seek(0)
            estimated = _estimated_dpi(im.width, im.height)
            if not flatten:
                return {"frames": frames, "dpi": dpi, "estimated_dpi": estimated, "flattened": False}
            resolution = dpi or estimated
            with TiffImagePlugin.AppendingTiffWriter(out, new=True) as tiff:
                for number in range(frames):
                    im.seek(number)
                    _flattened(im).save(tiff, format="TIFF", compression="tiff_deflate",
                                        dpi=(resolution, resolution))
                    tiff.newFrame()
            return {"frames": frames, "dpi": resolution, "estimated_dpi": estimated, "flattened": True}
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return {"error": "bomb"}
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # Pillow's ways of saying "not an image"
        return {"error": "malformed", "detail": f"{type(exc).__name__}: {exc}"[:300]}


def _estimated_dpi(width: int, height: int) -> int:
    """The resolution of a page scanned or photographed whole, taken to be A4 (11.69 in
    on its long side), within what a scanner offers."""
    return max(100, min(600, round(max(width, height) / 11.69)))


def _flattened(im):
    """The frame in a mode OCRmyPDF takes: transparency composited onto white paper."""
    from PIL import Image

    if im.mode in ("1", "L", "RGB") and "transparency" not in im.info:
        return im.copy()
    if im.mode.startswith("I;16"):  # 16-bit grey: keep the high byte
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode in ("I", "F"):
        return im.convert("L")
    rgba = im.convert("RGBA")
    paper = Image.new("RGB", rgba.size, "white")
    paper.paste(rgba, mask=rgba.getchannel("A"))
    return paper


# --- the door ---------------------------------------------------------------------------

MODES = {
    "inspect-pdf": lambda path, text, cap, _out: inspect_pdf(path, text, cap),
    "inspect-docx": lambda path, _text, _cap, _out: inspect_docx(path),
    "extract-pdf": lambda path, _text, cap, _out: extract_pdf(path, cap),
    "extract-docx": lambda path, _text, cap, _out: extract_docx(path, cap),
    "prepare-image": lambda path, _text, _cap, out: prepare_image(path, out),
}


def main(argv: list[str]) -> int:
    mode, path = argv[0], argv[1]
    want_text = "--text" in argv
    max_chars = int(argv[argv.index("--max-chars") + 1]) if "--max-chars" in argv else 2_000_000
    out = argv[argv.index("--out") + 1] if "--out" in argv else ""
    failure = "error"
    try:
        result = MODES[mode](path, want_text, max_chars, out)
    except Refused as refusal:
        result = {"ok": False, failure: refusal.error}
    except RecursionError:
        result = {"ok": False, failure: "malformed"}
    except MemoryError:
        result = {"ok": False, failure: "memory"}
    except Exception as exc:  # noqa: BLE001 - any parse failure is "malformed" to the parent
        result = {"ok": False, failure: "malformed", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
