"""The signed and issued PDF keeps the NĐ30 form of the draft: the whole signature block
(“TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH”, the signature between them and the name, the seal
over its left third) and a text layer that reads the number and date once.

A real issue: a draft from the DOCX template (LibreOffice renders it), submitted,
approved, signed by the chairman and issued by the clerk; the pages are read back with
poppler (pdftotext, pdftoppm) as a reader or the search index would.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from docmgmt.extensions import db
from docmgmt.files.store import FileStore
from docmgmt.outgoing import operations as ops
from docmgmt.outgoing.models import OutgoingDocument
from docmgmt.outgoing.render import libreoffice_available
from tests.commune import user
from tests.conftest import IN_CI
from tests.signing_helpers import count, crop, pixels, render, widget
from tests.test_outgoing_flow import draft

AUTHORITY, POSITION = "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
DPI = 100


@pytest.fixture
def soffice() -> None:
    if libreoffice_available():
        return
    if IN_CI:
        pytest.fail("LibreOffice (soffice) missing under CI=true: scripts/test installs libreoffice-writer-nogui")
    pytest.skip("LibreOffice not installed (apt-get install -y libreoffice-writer-nogui)")


@dataclass
class Issued:
    doc: OutgoingDocument
    draft: bytes
    signed: bytes
    issued: bytes


def issue_from_template() -> Issued:
    doc = draft(pdf=False, body=["Ủy ban nhân dân xã Kim Bôi báo cáo kết quả như sau."])
    ops.submit(user("cv.kt1"), doc)
    ops.approve(user("truongkt"), doc, "Đồng ý trình")
    ops.approve(user("chutich"), doc, "Đồng ý")
    db.session.commit()
    store = FileStore.from_app()
    assert doc.current_version is not None and doc.current_version.pdf_file is not None
    rendered = store.path_for(doc.current_version.pdf_file.sha256).read_bytes()
    ops.sign(user("chutich"), doc)
    ops.issue(user("vanthu"), doc)
    db.session.commit()
    assert doc.signed_file is not None and doc.issued_file is not None
    return Issued(doc, rendered, store.path_for(doc.signed_file.sha256).read_bytes(),
                  store.path_for(doc.issued_file.sha256).read_bytes())


def pdftotext(pdf: bytes, *args: str) -> str:
    """Page 1's text as poppler reads it (form fields' appearances included)."""
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "in.pdf"
        src.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-f", "1", "-l", "1", *args, str(src), "-"],
                              check=True, capture_output=True, text=True, timeout=60).stdout


def line_boxes(pdf: bytes, page_height: float) -> dict[str, tuple[float, float, float, float]]:
    """PDF rectangles (origin bottom left) of page 1's text lines, by their text."""
    xml = pdftotext(pdf, "-bbox-layout")
    boxes = {}
    for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                         xml, re.S):
        text = " ".join(re.findall(r">([^<]+)</word>", m.group(5)))
        x1, top, x2, bottom = (float(v) for v in m.group(1, 2, 3, 4))
        boxes[text] = (x1, page_height - bottom, x2, page_height - top)
    return boxes


def dark(image) -> int:
    return sum(1 for p in pixels(image) if max(p) < 90)


def test_issued_page_one_reads_the_number_and_date_once_and_verifies(ctx, soffice):
    from docmgmt.signing.fill import nd30_date
    from docmgmt.signing.verify import verify_pdf

    done = issue_from_template()
    text = pdftotext(done.issued, "-layout")
    assert done.doc.number_symbol == "01/UBND-KT"
    assert re.search(r"Số: 01/UBND-KT\s", text), text
    assert text.count("/UBND-KT") == 1  # the draft's “Số:      /UBND-KT” is gone from underneath
    assert done.doc.issued_on is not None
    assert text.count(f"Kim Bôi, {nd30_date(done.doc.issued_on)}") == 1, text
    assert text.count("ngày") == 1 and text.count("năm") == 1
    assert "…" not in text and "20.." not in text
    reports = verify_pdf(done.issued)
    assert len(reports) == 2 and all(r.intact and r.valid for r in reports)


def test_leader_signed_pdf_still_shows_the_blanks_the_clerk_fills(ctx, soffice):
    done = issue_from_template()
    drafted = " ".join(pdftotext(done.draft, "-layout").split())
    signed = " ".join(pdftotext(done.signed, "-layout").split())
    assert "Số: /UBND-KT" in drafted and "Số: /UBND-KT" in signed
    assert "năm 20.." in drafted and "năm 20.." in signed


def test_signature_sits_between_the_printed_position_and_name_and_hides_nothing(ctx, soffice):
    import pypdf

    from docmgmt.signing.appearance import image_rect

    done = issue_from_template()
    page = pypdf.PdfReader(io.BytesIO(done.issued)).pages[0]
    page_height = float(page.mediabox.height)
    name = user("chutich").full_name

    # The words, read back from the issued page: the whole block, once, in order.
    lines = [ln.strip() for ln in pdftotext(done.issued, "-layout").splitlines()]
    block = [ln for ln in lines if ln.endswith((AUTHORITY, POSITION, name))]
    assert [ln[-len(w):] for ln, w in zip(block, (AUTHORITY, POSITION, name), strict=False)] == \
        [AUTHORITY, POSITION, name], block
    assert len(block) == 3

    # Where the draft printed them, and where the leader's field is: in the gap.
    printed = line_boxes(done.draft, page_height)
    heading = next(b for t, b in printed.items() if t.endswith(AUTHORITY))
    position = next(b for t, b in printed.items() if t.endswith(POSITION))
    name_box = printed[name]
    assert heading[1] > position[1] > name_box[1]
    page_ix, annot = widget(done.issued, "chu_ky_lanh_dao")
    assert page_ix == 0
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    assert y2 <= position[1] + 1 and y1 >= name_box[3] - 1, ((x1, y1, x2, y2), position, name_box)

    # Rendered: each printed line keeps its ink, the blue signature is in the gap and
    # the red seal over its left third.
    before, after = render(done.draft, 0, DPI), render(done.issued, 0, DPI)
    for box in (heading, position, name_box):
        ink = dark(crop(before, box, page_height, DPI))
        assert ink > 50 and dark(crop(after, box, page_height, DPI)) >= 0.7 * ink, box
        assert count(crop(after, box, page_height, DPI), "blue") < 0.1 * ink
    gap = (min(heading[0], name_box[0]), name_box[3], max(heading[2], name_box[2]), position[1])
    assert count(crop(after, gap, page_height, DPI), "blue") > 300
    assert count(crop(after, gap, page_height, DPI), "red") > 300
    _ix, seal = widget(done.issued, "chu_ky_co_quan")
    sx2 = float(seal["/Rect"][2])
    ix1, _iy1, ix2, _iy2 = image_rect((x1, y1, x2, y2), printed=True)
    assert sx2 == pytest.approx(ix1 + (ix2 - ix1) / 3, abs=1)  # over the left third
