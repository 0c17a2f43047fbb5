"""The child that reads untrusted files; run only through ``search.sandbox``.

It imports nothing of the application (only the standard library, pypdf,
python-docx, pyHanko and asn1crypto and, for images, Pillow) and runs under the limits
``search.sandbox`` gives it, so a hostile file can at worst make this process fail or
die. Two ways to run it:

* one job: ``python -I _worker.py MODE PATH [--text] [--max-chars N] [--out PATH]``
  prints one JSON object (a mode that reads bytes, ``verify-signatures``, reads them
  from standard input); the limits are set by the sandbox's trampoline before it starts;
* a pooled worker: ``python -I _worker.py serve --memory-cap N --file-cap N`` imports
  the parsing libraries once, says ``{"ready": PID}``, then answers jobs one after the
  other: a JSON line ``{"mode", "path", "args", "payload": bytes that follow,
  "memory", "cpu", "file"}`` on standard input, the payload's bytes, and one JSON line
  back, ``{"answer": {…}}`` or ``{"failed": "memory"}``, with ``"retire": true`` when
  this process should not take another job (it ran out of memory or recursed too deep
  on the last one). Before each job it lowers its own limits to the job's: address
  space and file size (soft limits, under the hard caps of its command line) and CPU
  time (its soft limit raised to the time used so far plus the job's seconds: beyond
  that, SIGXCPU kills it). The parent enforces the wall clock and kills the worker's
  process group when a job overruns; see ``search.sandbox``.

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
  this mode alone uses): its frames and resolution, and, when OCRmyPDF would refuse
  it as it is (transparency, a palette, CMYK without a profile, an unusual mode), a
  lossless multi-page TIFF written to ``--out`` with the pages flattened onto white.
  Answers ``{"frames", "dpi", "estimated_dpi", "flattened"}`` (``dpi`` 0 when the
  file states none worth believing) or ``{"error"}``.
* ``verify-signatures`` — every signature of a PDF, checked by pyHanko (for
  ``docmgmt.signing.verify``, which writes the reports). The bytes: one JSON line
  ``{"roots": [base64 DER, …]}`` (the trusted roots), then the PDF. Answers
  ``{"signatures": [facts, …]}`` or ``{"error": "not_a_pdf" | "unverifiable",
  "detail": …}``: a malformed PDF that makes pyHanko recurse, assert or run out of
  memory is an answer, not a failure of the caller.
* ``ping`` — ``{"pid"}``: which process answered.

A pooled worker started with ``--diagnostics`` (the pool's tests, never the app) also
takes ``sleep``, ``spin`` (burn CPU), ``allocate`` (``--bytes N``), ``crash`` and
``spawn`` (leave a grandchild running): what a hostile file could make a parser do.
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


# --- signatures (pyHanko) -------------------------------------------------------------


def _cert_name(name) -> dict[str, Any]:
    return {"native": dict(name.native), "human": name.human_friendly}


def _signature_facts(sig, context, doc_mdp, is_certification) -> dict[str, Any]:
    import asyncio

    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation import async_validate_pdf_signature

    modification = {ModificationLevel.NONE: "none", ModificationLevel.LTA_UPDATES: "none",
                    ModificationLevel.FORM_FILLING: "form_filling",
                    ModificationLevel.ANNOTATIONS: "other", ModificationLevel.OTHER: "other"}
    cert = sig.signer_cert
    try:
        status = asyncio.run(async_validate_pdf_signature(sig, signer_validation_context=context))
        intact, crypto_valid, trusted = status.intact, status.valid, bool(status.trusted)
        diff = status.diff_result
        level = getattr(diff, "modification_level", None) if diff is not None else None
        if diff is not None and level is None:  # SuspiciousModification
            level = ModificationLevel.OTHER
        docmdp_ok = status.docmdp_ok
        signing_time = status.signer_reported_dt
        coverage_full = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    except Exception as exc:  # noqa: BLE001 - a malformed signature is a report, not a failure
        if isinstance(exc, (RecursionError, MemoryError)):
            _retire()
        intact = crypto_valid = trusted = False
        level, docmdp_ok, signing_time, coverage_full = ModificationLevel.OTHER, False, None, False
    # pyHanko judges a signature by its own DocMDP only; the certification's level
    # binds every later change as well.
    not_allowed = docmdp_ok is False or (
        doc_mdp is not None and level is not None and level.value > doc_mdp.value)
    certification = is_certification(sig)
    validity = cert["tbs_certificate"]["validity"] if cert is not None else None
    native = cert.subject.native if cert is not None else {}
    reason = sig.sig_object.get("/Reason")
    return {
        "field_name": str(sig.field_name),
        "signer_name": str(native.get("common_name") or native.get("organization_name") or ""),
        "subject": _cert_name(cert.subject) if cert is not None else None,
        "issuer": _cert_name(cert.issuer) if cert is not None else None,
        "serial": format(cert.serial_number, "x") if cert is not None else "",
        "valid_from": validity["not_before"].native.isoformat() if validity is not None else None,
        "valid_to": validity["not_after"].native.isoformat() if validity is not None else None,
        "signing_time": signing_time.isoformat() if signing_time else None,
        "intact": bool(intact),
        "crypto_valid": bool(crypto_valid),
        "trusted": bool(trusted),
        "certification": bool(certification),
        "docmdp": {MDPPerm.NO_CHANGES: "no_changes", MDPPerm.FILL_FORMS: "form_filling",
                   MDPPerm.ANNOTATE: "annotations"}.get(sig.docmdp_level) if certification else None,
        "covers_whole_file": bool(coverage_full),
        "modification_level": modification.get(level, "none") if level is not None else "none",
        "modified_not_allowed": bool(not_allowed),
        "reason": str(reason) if reason is not None else None,
    }


def _verify(pdf: bytes, roots_der: list[bytes]) -> dict[str, Any]:
    import io

    from asn1crypto import x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        return {"error": "not_a_pdf", "detail": str(exc)[:300]}
    roots = [x509.Certificate.load(der) for der in roots_der]

    def is_certification(sig) -> bool:
        try:
            refs = sig.sig_object.get("/Reference", ())
            return any(ref.get_object().get("/TransformMethod") == "/DocMDP" for ref in refs)
        except (KeyError, AttributeError):
            return False

    doc_mdp = None
    for sig in signatures:
        if sig.docmdp_level is not None and is_certification(sig):
            doc_mdp = sig.docmdp_level
    facts = []
    for sig in signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        facts.append(_signature_facts(sig, context, doc_mdp, is_certification))
    return {"signatures": facts}


def verify_signatures(payload: bytes) -> dict[str, Any]:
    """``verify-signatures``: the roots' line, then the PDF."""
    import base64

    line, _, pdf = payload.partition(b"\n")
    try:
        header = json.loads(line or b"{}")
        roots = [base64.b64decode(r) for r in header.get("roots", [])]
    except (ValueError, TypeError, AttributeError):
        return {"error": "unverifiable", "detail": "bad request"}
    try:
        return _verify(pdf, roots)
    except RecursionError:
        _retire()
        return {"error": "unverifiable", "detail": "RecursionError"}
    except MemoryError:
        _retire()
        return {"error": "unverifiable", "detail": "MemoryError"}
    except Exception as exc:  # noqa: BLE001 - pyHanko on a malformed file: assertions, attributes…
        return {"error": "unverifiable", "detail": f"{type(exc).__name__}: {exc}"[:300]}


# --- the door ---------------------------------------------------------------------------


def _option(args: list[str], name: str, default: str) -> str:
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else default


MODES = {
    "inspect-pdf": lambda path, args: inspect_pdf(path, "--text" in args, int(_option(args, "--max-chars", "2000000"))),
    "inspect-docx": lambda path, _args: inspect_docx(path),
    "extract-pdf": lambda path, args: extract_pdf(path, int(_option(args, "--max-chars", "2000000"))),
    "extract-docx": lambda path, args: extract_docx(path, int(_option(args, "--max-chars", "2000000"))),
    "prepare-image": lambda path, args: prepare_image(path, _option(args, "--out", "")),
}
READS_PAYLOAD = {"verify-signatures"}
# Set when the last job ran out of memory or stack: the pooled worker then stops.
_RETIRE = [False]


def _retire() -> None:
    _RETIRE[0] = True


def run_mode(mode: str, path: str, args: list[str], payload: bytes = b"") -> dict:
    """One job; whatever the file does, an answer (MemoryError and RecursionError
    included: the process stays usable long enough to say so)."""
    import os

    if mode == "ping":
        return {"pid": os.getpid()}
    if mode == "verify-signatures":
        return verify_signatures(payload)
    TROUBLE.seen = False  # a pooled worker: what the previous file did is forgotten
    try:
        return MODES[mode](path, args)
    except KeyError as exc:
        if mode not in MODES:
            return {"ok": False, "error": "malformed", "detail": f"unknown mode {mode!r}"}
        return {"ok": False, "error": "malformed", "detail": f"KeyError: {exc}"[:300]}
    except Refused as refusal:
        return {"ok": False, "error": refusal.error}
    except RecursionError:
        _retire()
        return {"ok": False, "error": "malformed"}
    except MemoryError:
        _retire()
        return {"ok": False, "error": "memory"}
    except Exception as exc:  # noqa: BLE001 - any parse failure is "malformed" to the parent
        return {"ok": False, "error": "malformed", "detail": f"{type(exc).__name__}: {exc}"[:300]}


def _diagnostic(mode: str, args: list[str]) -> dict | None:
    """What a hostile file could make a parser do, on demand (``--diagnostics`` only)."""
    import os
    import signal
    import subprocess
    import time

    seconds = float(_option(args, "--seconds", "3600"))
    if mode == "sleep":
        time.sleep(seconds)
        return {"slept": seconds}
    if mode == "spin":
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass
        return {"spun": seconds}
    if mode == "allocate":  # MemoryError is not caught: the pool answers "memory"
        block = bytearray(int(_option(args, "--bytes", "0")))
        return {"allocated": len(block)}
    if mode == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if mode == "spawn":
        child = subprocess.Popen(["sleep", str(seconds)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        return {"pid": os.getpid(), "child": child.pid}
    return None


def _preload() -> None:
    """The libraries every job needs, imported once for all jobs of a pooled worker."""
    import asyncio  # noqa: F401
    import base64  # noqa: F401
    import io  # noqa: F401
    import zlib  # noqa: F401

    import docx  # noqa: F401
    import docx.table  # noqa: F401
    import docx.text.paragraph  # noqa: F401
    import pyhanko.pdf_utils.reader  # noqa: F401
    import pyhanko.sign.diff_analysis  # noqa: F401
    import pyhanko.sign.fields  # noqa: F401
    import pyhanko.sign.validation  # noqa: F401
    import pyhanko_certvalidator  # noqa: F401
    import pypdf  # noqa: F401
    import pypdf.errors  # noqa: F401
    import pypdf.generic  # noqa: F401
    from asn1crypto import x509  # noqa: F401

    _configure_pypdf()


def _read_exact(stream, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        part = stream.read(left)
        if not part:
            raise EOFError
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def serve(args: list[str]) -> int:
    """The pooled worker's loop: one job after the other until its standard input
    closes (or a job leaves it unfit for another)."""
    import math
    import os
    import resource

    memory_cap = int(_option(args, "--memory-cap", str(resource.RLIM_INFINITY)))
    file_cap = int(_option(args, "--file-cap", str(resource.RLIM_INFINITY)))
    diagnostics = "--diagnostics" in args
    resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_cap, file_cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The answers go through a descriptor of their own; what a library prints goes to
    # standard error and cannot be taken for an answer.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer

    def say(message: dict) -> None:
        answers.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
        answers.flush()

    _preload()
    say({"ready": os.getpid()})
    while True:
        line = requests.readline()
        if not line:
            return 0
        request = json.loads(line)
        memory = min(int(request.get("memory") or memory_cap), memory_cap)
        files = min(int(request.get("file") or file_cap), file_cap)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = math.ceil(usage.ru_utime + usage.ru_stime) + max(1, int(request.get("cpu") or 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory_cap))
        resource.setrlimit(resource.RLIMIT_FSIZE, (files, file_cap))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
        message: dict[str, Any]
        try:
            payload = _read_exact(requests, int(request.get("payload") or 0))
            mode, path, job_args = str(request.get("mode")), str(request.get("path", "")), list(request.get("args", []))
            answer = _diagnostic(mode, job_args) if diagnostics else None
            message = {"answer": answer if answer is not None else run_mode(mode, path, job_args, payload)}
        except MemoryError:
            message = {"failed": "memory"}
            _retire()
        finally:
            payload = b""
        resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))  # room to answer
        if _RETIRE[0]:
            message["retire"] = True
        say(message)
        if _RETIRE[0]:
            return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == "serve":
        return serve(argv[1:])
    mode, path = argv[0], argv[1] if len(argv) > 1 else ""
    payload = sys.stdin.buffer.read() if mode in READS_PAYLOAD else b""
    result = run_mode(mode, path, argv[2:], payload)
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
