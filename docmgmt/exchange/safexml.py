"""A hardened lxml parse for messages that come from outside.

What it guards against, and how:

- oversized input: refused before parsing (``edxml_too_large``);
- DTDs, entity declarations and entity references (billion laughs, external entities
  pointing at local files or URLs): a DOCTYPE in the prolog is refused *before* libxml2
  sees it, because libxml2 expands internal entities in attribute values even with
  entity resolution off; the parser itself never loads DTDs, never resolves entities
  and never touches the network; and the parsed tree is checked again for any DTD or
  entity node (``edxml_entity``);
- text encodings in which that prolog check could be fooled: only ASCII-compatible
  encodings and UTF-16/32 (which are transcoded first) are accepted;
- a message small in bytes but huge as a tree (100,000 ``To``, deep nesting, a giant
  attribute or value): given a ``scan`` (``limits.Watcher``), the document is first
  read by a parser that builds no tree and hands each element start, text and end to
  the scan, which stops the read at the first limit passed; only a document within
  the limits is then built as a tree.

One leniency: undeclared namespace prefixes are namespace errors, not well-formedness
errors, and a real sender's message (the one zipped inside the reference
``edoc_new.edxml``) has two — ``xlink:href`` without ``xmlns:xlink``, and
``edXML:AttachmentEncoded`` outside the envelope that declares ``edXML``. Such a
document is re-read in libxml2's recover mode, but only when namespace errors are the
only errors: a truncated or broken document is still refused.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from lxml import etree

from .errors import ENTITY, MALFORMED, TOO_LARGE, EdxmlError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# libxml2 refuses text nodes over 10 MB unless XML_PARSE_HUGE; a base64 attachment of a
# few MB of scanned PDF exceeds that. We only lift the limit when the input is big
# enough to need it, so small inputs keep every libxml2 safety limit.
_HUGE_THRESHOLD = 9_000_000

_ASCII_COMPATIBLE = frozenset(
    {
        "utf-8",
        "utf8",
        "us-ascii",
        "ascii",
        "iso-8859-1",
        "latin-1",
        "latin1",
        "windows-1252",
        "cp1252",
        "windows-1258",
        "cp1258",
    }
)
_ENCODING_DECL = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

_ENTITY_ERRORS = frozenset(
    {
        "ERR_UNDECLARED_ENTITY",
        "WAR_UNDECLARED_ENTITY",
        "ERR_ENTITY_LOOP",
        "ERR_ENTITY_PE_INTERNAL",
        "ERR_ENTITYREF_SEMICOL_MISSING",
        "ERR_ENTITY_NOT_FINISHED",
        "ERR_ENTITY_BOUNDARY",
        "ERR_ENTITY_AMPLIFICATION",
        "ERR_UNPARSED_ENTITY",
        "ERR_EXT_ENTITY_STANDALONE",
        "ERR_ENTITY_PROCESSING",
    }
)


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, scan: object | None = None) -> etree._Element:
    """Parse untrusted XML bytes into an element tree, or raise ``EdxmlError``.

    ``scan``: an lxml parser target (``start``/``data``/``end``/``close``) that sees the
    document before any tree is built; whatever it raises refuses the document."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("edXML phải được truyền vào dưới dạng bytes")
    data = bytes(data)
    _check_size(data, max_bytes)
    if not data.strip():
        raise EdxmlError(MALFORMED, "Gói tin edXML rỗng.")
    ascii_view = _ascii_compatible_view(data)
    if _prolog_declares_dtd(ascii_view):
        raise _entity_error()
    huge = len(data) > _HUGE_THRESHOLD
    if scan is not None:
        # This pass only measures, up to the first error that breaks the document; its
        # syntax errors are left to the parse below to report, what the scan raises is not.
        with contextlib.suppress(etree.XMLSyntaxError):
            etree.fromstring(data, _new_parser(huge=huge, target=scan))
    root = _parse(data, huge=huge)
    _check_no_dtd_or_entities(root)
    return root


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise EdxmlError(
            TOO_LARGE,
            f"Gói tin edXML quá lớn ({_mib(len(data))} MiB); "
            f"giới hạn cho phép là {_mib(max_bytes)} MiB.",
        )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _ascii_compatible_view(data: bytes) -> bytes:
    """The bytes in which a ``<!DOCTYPE`` would show as ASCII, or refuse the encoding."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _transcode(data, codec)
    # UTF-16/32 without a BOM announce themselves by NUL bytes around the first "<".
    head = data[:4]
    if b"\x00" in head:
        codec = "utf-32" if head.count(b"\x00") == 3 else "utf-16"
        endian = "-le" if head[0:1] != b"\x00" else "-be"
        return _transcode(data, codec + endian)
    match = _ENCODING_DECL.match(data[:512].removeprefix(codecs.BOM_UTF8))
    if match:
        declared = match.group(1).decode("ascii").lower()
        if declared.startswith(("utf-16", "utf-32", "utf16", "utf32")):
            raise EdxmlError(MALFORMED, "Khai báo bảng mã của gói tin không khớp với nội dung.")
        if declared not in _ASCII_COMPATIBLE:
            raise EdxmlError(
                MALFORMED, f"Bảng mã “{declared}” của gói tin không được hỗ trợ; hãy dùng UTF-8."
            )
    return data


def _transcode(data: bytes, codec: str) -> bytes:
    try:
        return data.decode(codec).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise EdxmlError(MALFORMED, "Gói tin có bảng mã UTF-16/32 nhưng nội dung hỏng.") from exc


def _prolog_declares_dtd(data: bytes) -> bool:
    """Is there a ``<!DOCTYPE`` before the root element?

    A plain scan of the prolog (whitespace, the XML declaration, processing
    instructions, comments), linear in the input: no regex backtracking to abuse.
    """
    pos = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    end = len(data)
    while pos < end:
        if data[pos : pos + 1].isspace():
            pos += 1
        elif data.startswith(b"<?", pos):
            close = data.find(b"?>", pos + 2)
            if close < 0:
                return False
            pos = close + 2
        elif data.startswith(b"<!--", pos):
            close = data.find(b"-->", pos + 4)
            if close < 0:
                return False
            pos = close + 3
        else:
            return data[pos : pos + 9].upper() == b"<!DOCTYPE"
    return False


def _new_parser(*, huge: bool, recover: bool = False, target: object | None = None) -> etree.XMLParser:
    # A fresh parser per document: lxml parsers keep an error log across parses.
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=huge,
        recover=recover,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _parse(data: bytes, *, huge: bool) -> etree._Element:
    parser = _new_parser(huge=huge)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        # The parser's own log, not exc.error_log: the latter also carries errors of
        # earlier, unrelated parses in this thread.
        errors = list(parser.error_log)
        if errors and all(e.domain_name == "NAMESPACE" for e in errors):
            return _parse_recovering_namespaces(data, huge=huge, original=exc, errors=errors)
        raise _syntax_error(exc, errors) from None


def _parse_recovering_namespaces(
    data: bytes, *, huge: bool, original: etree.XMLSyntaxError, errors: list[etree._LogEntry]
) -> etree._Element:
    parser = _new_parser(huge=huge, recover=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        root = None
    if root is None or any(e.domain_name != "NAMESPACE" for e in parser.error_log):
        raise _syntax_error(original, errors) from None
    return root


def _syntax_error(exc: etree.XMLSyntaxError, errors: list[etree._LogEntry]) -> EdxmlError:
    # libxml2 has many entity-related codes (amplification is a generic resource-limit
    # code), so the message text is consulted too.
    if any(e.type_name in _ENTITY_ERRORS or "entity" in (e.message or "").lower() for e in errors):
        return _entity_error()
    line = errors[0].line if errors else None
    where = f" (dòng {line})" if line else ""
    return EdxmlError(
        MALFORMED,
        f"Gói tin edXML không đúng cú pháp XML{where}: gói tin bị cắt cụt hoặc hỏng. "
        f"Chi tiết kỹ thuật: {exc.msg}",
    )


def _check_no_dtd_or_entities(root: etree._Element) -> None:
    # Defence in depth: the prolog scan should have refused any DTD already.
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise _entity_error()
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise _entity_error()


def _entity_error() -> EdxmlError:
    return EdxmlError(
        ENTITY,
        "Gói tin edXML chứa khai báo DOCTYPE hoặc thực thể (entity). "
        "Vì lý do an toàn, hệ thống không chấp nhận loại gói tin này.",
    )
