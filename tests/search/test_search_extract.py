"""Text of attachments: PDFs and DOCX (including hostile ones), read in a child process
under limits, the text capped."""

from __future__ import annotations

import time
import unicodedata
import zlib
from pathlib import Path

import docx
import pytest

from search import extract as extract_module
from search import sandbox
from search.extract import PDF_TIMEOUT_S, extract, extract_docx, extract_pdf
from tests.hostile_pdfs import (
    billion_laughs_docx,
    docx_xml_bomb,
    lying_zip,
    many_entries_zip,
    zip_bomb,
)


def _pdf(objects: list[bytes]) -> bytes:
    """Assemble a PDF with a correct xref table from numbered object bodies."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def vietnamese_pdf(text: str) -> bytes:
    """One page whose text is written as 2-byte codes = Unicode code points, mapped by
    a ToUnicode CMap (how real Vietnamese PDFs carry text)."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"1 beginbfrange <0000> <FFFF> <0000> endbfrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    lines = []
    for n, line in enumerate(text.split("\n")):
        hexcodes = "".join(f"{ord(c):04X}" for c in line).encode()
        lines.append(b"BT /F1 12 Tf 50 %d Td <%s> Tj ET" % (750 - 20 * n, hexcodes))
    content = b"\n".join(lines)
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /Arial /Encoding /Identity-H "
            b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Arial "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
            _stream(cmap),
        ]
    )


def test_pdf_text_is_extracted_and_normalised(tmp_path: Path):
    text = "Quyết định về việc thành lập Tổ công tác\nỦy ban nhân dân xã Kim Bôi"
    pdf = tmp_path / "qd.pdf"
    pdf.write_bytes(vietnamese_pdf(unicodedata.normalize("NFD", text)))
    result = extract(pdf)
    assert result.text_searchable and result.reason == "ok"
    assert "Quyết định về việc thành lập" in result.text  # NFC again
    assert "Kim Bôi" in result.text


def test_decompression_bomb_is_refused_quickly(tmp_path: Path):
    comp = zlib.compressobj(9)
    chunk = b"0" * (1 << 20)
    bomb = b"".join(comp.compress(chunk) for _ in range(120)) + comp.flush()  # 120 MB
    pdf = tmp_path / "bomb.pdf"
    pdf.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                _stream(bomb, b"/Filter /FlateDecode"),
            ]
        )
    )
    started = time.monotonic()
    result = extract(pdf)
    assert time.monotonic() - started < PDF_TIMEOUT_S + 5
    assert not result.text_searchable


def test_cyclic_page_tree_fails_cleanly(tmp_path: Path):
    pdf = tmp_path / "cycle.pdf"
    pdf.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
            ]
        )
    )
    started = time.monotonic()
    result = extract(pdf)
    assert time.monotonic() - started < PDF_TIMEOUT_S + 5
    assert not result.text_searchable


def test_truncated_pdf_fails_cleanly(tmp_path: Path):
    whole = vietnamese_pdf("Thông báo kết luận giao ban")
    pdf = tmp_path / "cut.pdf"
    pdf.write_bytes(whole[: len(whole) // 3])
    result = extract(pdf)
    assert not result.text_searchable and result.reason.startswith("pdf:")


def test_parser_that_hangs_is_killed_at_the_deadline(tmp_path: Path):
    pdf = tmp_path / "slow.pdf"
    pdf.write_bytes(vietnamese_pdf("Kế hoạch"))
    started = time.monotonic()
    result = extract_pdf(pdf, timeout=0.05)  # shorter than interpreter start-up
    assert result.reason == "timeout" and not result.text_searchable
    assert time.monotonic() - started < 2


def test_image_only_pdf_is_marked_not_searchable(tmp_path: Path):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                _stream(b"q 100 0 0 100 0 0 cm Q"),
            ]
        )
    )
    result = extract(pdf)
    assert not result.text_searchable
    assert result.reason.startswith(("scan", "ocr"))


def test_docx_headers_paragraphs_and_tables_in_document_order(tmp_path: Path):
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "ỦY BAN NHÂN DÂN XÃ KIM BÔI"
    d.add_paragraph("Kính gửi: các thôn")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Thôn"
    table.cell(0, 1).text = "Số hộ"
    table.cell(1, 0).text = "Thôn Ý Yên"
    table.cell(1, 1).text = "120"
    d.add_paragraph("Đề nghị các thôn báo cáo trước ngày 30/9.")
    path = tmp_path / "cv.docx"
    d.save(str(path))
    result = extract(path)
    assert result.text_searchable
    text = result.text
    order = ["ỦY BAN NHÂN DÂN", "Kính gửi", "Thôn Ý Yên | 120", "Đề nghị các thôn"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)


def test_corrupt_docx_and_unknown_types_fail_cleanly(tmp_path: Path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert not extract(bad).text_searchable
    odd = tmp_path / "x.xyz"
    odd.write_bytes(b"\x00\x01")
    assert extract(odd).reason == "unsupported file type"


@pytest.mark.parametrize(
    "make,why",
    [
        (docx_xml_bomb, "bomb"),  # 600 KB whose body inflates to 200 MB
        (zip_bomb, "bomb"),  # a 2 GB "picture"
        (many_entries_zip, "bomb"),
        (lying_zip, "malformed"),  # a part bigger than its header says
        (billion_laughs_docx, "malformed"),  # a DTD: entity expansion
    ],
)
def test_docx_bombs_are_refused_before_they_are_unpacked(tmp_path: Path, make, why):
    path = tmp_path / "bomb.docx"
    path.write_bytes(make())
    started = time.monotonic()
    result = extract(path)
    assert time.monotonic() - started < 10
    assert result == extract_module.Extraction("", False, f"docx: {why}")


def test_docx_parser_that_hangs_is_killed_at_the_deadline(tmp_path: Path, monkeypatch):
    # A fresh interpreter for the job (no pool of started workers, whose parser would
    # answer within the deadline): its start-up is the parser that hangs.
    monkeypatch.setattr(sandbox, "_configured", 0)
    d = docx.Document()
    d.add_paragraph("Kế hoạch")
    path = tmp_path / "slow.docx"
    d.save(str(path))
    started = time.monotonic()
    result = extract_docx(path, timeout=0.05)  # shorter than interpreter start-up
    assert result.reason == "timeout" and not result.text_searchable
    assert time.monotonic() - started < 2


def test_extracted_text_is_capped(tmp_path: Path, monkeypatch):
    d = docx.Document()
    for i in range(200):
        d.add_paragraph(f"Đoạn {i}: quy định chi tiết về thủ tục hành chính cấp xã.")
    path = tmp_path / "dai.docx"
    d.save(str(path))
    assert len(extract(path).text) > 5000
    monkeypatch.setattr(extract_module, "MAX_TEXT_CHARS", 1000)
    result = extract(path)
    assert result.text_searchable and len(result.text) == 1000
    assert result.text.startswith("Đoạn 0: quy định")
