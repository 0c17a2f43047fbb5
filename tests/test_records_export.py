"""The printed and exported forms of electronic records, read back: the Danh mục hồ sơ of a
year (DOCX, PDF, XLSX) as Phụ lục V §II draws it, a dossier's Mục lục văn bản (§IV), the
dossier package (ZIP: metadata.xml with the Phụ lục VI Part II §III field names checked
against the database, every file byte for byte in DocOrdinal order, the Mục lục as PDF),
the Mục lục hồ sơ nộp lưu (§III) and the Biên bản giao nhận (§V) of a transfer — and a
reader who may not open one of the documents gets a package and a Mục lục without it.

The commune: the clerk drafts the plan of the year (I. Văn phòng with a sub-heading, II.
Kinh tế), the chairman approves it by decision 05/QĐ-UBND; Phạm Văn Đức (KT) opens his
dossier and files a document directed to him by name, one directed to his unit, a photo
report he scanned and an outgoing document he drafted, in an order that is not their time
order; his head of unit reads his dossier but not the document given to him by name.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from lxml import etree
from pypdf import PdfReader

from docmgmt.core.timeutil import format_date, to_vn, vn_today
from docmgmt.extensions import db
from tests.commune import unit_id, user, user_id

PLAN_YEAR = 2044  # a year of its own: nothing else of the demo commune is in it
DECISION = "05/QĐ-UBND"
ORGAN_ID = "000.00.12.H42"


def _pdf(pages: int, text: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({NameObject("/Title"): TextStringObject(text)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _incoming(number: str, issued: date, subject: str, pages: int, *, to_unit: str | None = None,
              to_person: str | None = None, doc_type: str = "cong_van"):
    from docmgmt.incoming import operations as inc

    content = _pdf(pages, subject)
    doc = inc.register_incoming(user("vanthu"), inc.IncomingInput(
        sender_name="Ủy ban nhân dân tỉnh Phú Thọ", number_symbol=number, issue_date=issued, subject=subject,
        doc_type=doc_type, signer="Trần Duy Hưng", arrival_date=issued + timedelta(days=1), page_count=pages),
        [inc.Upload(content, f"{number.replace('/', '-')}.pdf")])
    main = inc.Assignee(unit_id=unit_id(to_unit)) if to_unit else inc.Assignee(user_id=user_id(to_person))
    inc.direct(user("chutich"), doc, inc.Direction_(main=main))
    db.session.commit()
    return doc, content


def _plan(approved: bool = True):
    from docmgmt.records import operations as ops
    from docmgmt.records.schemas import ApprovalInput, DossierInput, HeadingInput, PlanInput

    clerk = user("vanthu")
    plan = ops.create_plan(clerk, PlanInput(year=PLAN_YEAR, numbering="plan", copy_previous=False))
    office = ops.add_heading(clerk, plan, HeadingInput(title="Văn phòng", code="VP"))
    general = ops.add_heading(clerk, plan, HeadingInput(title="Công tác tổng hợp", parent_id=office.id))
    economy = ops.add_heading(clerk, plan, HeadingInput(title="Kinh tế", code="KT"))
    ops.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=office.id, title="Hồ sơ công tác văn thư, lưu trữ", retention_years=20,
        responsible_id=clerk.id))
    ops.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=general.id, title="Hồ sơ Hội nghị tổng kết công tác năm", permanent=True,
        responsible_id=user_id("cv.vp")))
    main = ops.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=economy.id, title="Hồ sơ chuyển đổi số của xã", permanent=True,
        responsible_id=user_id("cv.kt1"), description="Tài liệu điện tử"))
    small = ops.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=economy.id, title="Hồ sơ kiểm tra hạ tầng", retention_years=10,
        responsible_id=user_id("cv.kt1")))
    if approved:
        ops.approve_plan(user("chutich"), plan, ApprovalInput(decision_number=DECISION,
                                                             decision_date=date(PLAN_YEAR, 1, 5)))
    db.session.commit()
    return plan, main, small


def _filed():
    """Đức's dossier with four items filed out of time order, closed; and a second one
    holding one of the same documents."""
    from docmgmt.files.operations import upload
    from docmgmt.outgoing.schemas import RecipientInput
    from docmgmt.records import operations as ops
    from docmgmt.records.schemas import FileItemInput, FilingInput
    from tests.commune import issued

    today = vn_today()
    plan, main, small = _plan()
    duc = user("cv.kt1")
    out = issued([RecipientInput(token=f"unit:{unit_id('VP')}")], subject="V/v triển khai chữ ký số trong xã")
    named, named_bytes = _incoming("125/SNV-CCVC", today - timedelta(days=20),
                                   "V/v cử cán bộ dự tập huấn chuyển đổi số", 2, to_person="cv.kt1")
    unit_doc, unit_bytes = _incoming("12/QĐ-UBND", today - timedelta(days=10),
                                     "về việc ban hành kế hoạch chuyển đổi số năm 2026", 3, to_unit="KT",
                                     doc_type="quyet_dinh")
    photo_bytes = _pdf(1, "Ảnh chụp hiện trường")
    ops.open_dossier(duc, main)
    ops.open_dossier(duc, small)
    ops.file_documents(duc, main, FilingInput(outgoing_ids=[out.id]))
    ops.file_documents(duc, main, FilingInput(incoming_ids=[unit_doc.id, named.id]))
    photo = upload(duc, photo_bytes, "Biên bản kiểm tra hiện trường.pdf")
    ops.add_file(duc, main, FileItemInput(file_id=photo.id, title="Biên bản kiểm tra hiện trường",
                                          author="Tổ công tác chuyển đổi số", doc_date=today - timedelta(days=5)))
    ops.file_documents(duc, small, FilingInput(incoming_ids=[unit_doc.id]))
    ops.close_dossier(duc, main)
    ops.close_dossier(duc, small)
    db.session.commit()
    return dict(plan=plan, main=main, small=small, out=out, named=named, unit_doc=unit_doc,
                bytes={"named": named_bytes, "unit": unit_bytes, "photo": photo_bytes})


def _org():
    from docmgmt.org.models import Organisation

    return db.session.get(Organisation, user("vanthu").organisation_id)


# --- Danh mục hồ sơ -----------------------------------------------------------------------------------

def test_plan_prints_headings_dossiers_and_counts_in_every_format(ctx):
    from openpyxl import load_workbook

    from docmgmt.records import export

    plan, main, small = _plan()
    org = _org()
    notations = {d.title: d.notation for d in plan.dossiers}
    assert main.notation.endswith(".KT")
    decision = f"(Kèm theo Quyết định số {DECISION} ngày 05 tháng 01 năm {PLAN_YEAR} " \
               "của Chủ tịch Ủy ban nhân dân xã Kim Bôi)"
    expected = [
        ["(1)", "(2)", "(3)", "(4)", "(5)"],
        ["", "I. VĂN PHÒNG", "", "", ""],
        [notations["Hồ sơ công tác văn thư, lưu trữ"], "Hồ sơ công tác văn thư, lưu trữ", "20 năm",
         "Đinh Thị Thu", ""],
        ["", "1. Công tác tổng hợp", "", "", ""],
        [notations["Hồ sơ Hội nghị tổng kết công tác năm"], "Hồ sơ Hội nghị tổng kết công tác năm", "Vĩnh viễn",
         "Lê Thị Ngọc", ""],
        ["", "II. KINH TẾ", "", "", ""],
        [main.notation, "Hồ sơ chuyển đổi số của xã", "Vĩnh viễn", "Phạm Văn Đức", "Tài liệu điện tử"],
        [small.notation, "Hồ sơ kiểm tra hạ tầng", "10 năm", "Phạm Văn Đức", ""],
    ]
    closing = ["Danh mục hồ sơ này có 4 hồ sơ, bao gồm:", "2 hồ sơ bảo quản vĩnh viễn;",
               "2 hồ sơ bảo quản có thời hạn."]

    # DOCX: the heading (organisation | motto), the title lines, the table, the count.
    import docx

    document = docx.Document(io.BytesIO(export.plan_docx(plan, org)))
    heading = document.tables[0].rows[0].cells
    assert "ỦY BAN NHÂN DÂN" in heading[0].text and "XÃ KIM BÔI" in heading[0].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading[1].text
    assert "Độc lập - Tự do - Hạnh phúc" in heading[1].text
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[:3] == ["DANH MỤC HỒ SƠ", f"Năm {PLAN_YEAR}", decision]
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["Số và ký hiệu hồ sơ", "Tên đề mục và tiêu đề hồ sơ",
                                                     "Thời hạn bảo quản", "Người lập hồ sơ", "Ghi chú"]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == expected
    large = table.rows[2].cells[1].paragraphs[0].runs[0]
    assert large.bold and not table.rows[3].cells[1].paragraphs[0].runs[0].bold
    assert texts[-3:] == closing

    # XLSX: the same lines under the same headings.
    ws = load_workbook(io.BytesIO(export.plan_xlsx(plan, org))).active
    values = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(values) if row[0] == "Số và ký hiệu hồ sơ")
    assert values[start + 1:start + 1 + len(expected)] == expected
    flat = [v for row in values for v in row if v]
    assert "DANH MỤC HỒ SƠ" in flat and decision in flat and f"Năm {PLAN_YEAR}" in flat
    assert closing == [v for v in flat if str(v).startswith(("Danh mục hồ sơ này", "2 hồ sơ"))]
    row_of_large = start + 2 + 1  # 1-based row of "I. VĂN PHÒNG"
    assert ws.cell(row=row_of_large, column=2).font.bold
    assert not ws.cell(row=row_of_large + 1, column=2).font.bold

    # PDF: the text in reading order.
    text = _pdf_text(export.plan_pdf(plan, org))
    for part in ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "DANH MỤC HỒ SƠ", f"Năm {PLAN_YEAR}",
                 decision, *closing):
        assert part in text, part
    order = [text.index(t) for t in ("I. VĂN PHÒNG", "Hồ sơ công tác văn thư", "1. Công tác tổng hợp",
                                     "Hồ sơ Hội nghị tổng kết", "II. KINH TẾ", main.notation, small.notation)]
    assert order == sorted(order)
    assert export.plan_filename(plan, "xlsx") == f"Danh-muc-ho-so-{PLAN_YEAR}.xlsx"


def test_a_draft_plan_leaves_the_decision_in_dots(ctx):
    import docx

    from docmgmt.records import export
    from docmgmt.records import operations as ops
    from docmgmt.records.schemas import ApprovalInput

    dots = "(Kèm theo Quyết định số …… ngày …… tháng …… năm …… của ……)"
    plan, _main, _small = _plan(approved=False)
    document = docx.Document(io.BytesIO(export.plan_docx(plan, _org())))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[2] == dots
    assert DECISION not in _pdf_text(export.plan_pdf(plan, _org()))

    # Approved, then taken back to be changed: its former decision no longer stands.
    ops.approve_plan(user("chutich"), plan, ApprovalInput(decision_number=DECISION,
                                                         decision_date=date(PLAN_YEAR, 1, 5)))
    assert DECISION in export.plan_sheet(plan, _org()).decision_line
    ops.revise_plan(user("vanthu"), plan)
    assert export.plan_sheet(plan, _org()).decision_line == dots


# --- the dossier: Mục lục and package ---------------------------------------------------------------

def _entries(archive: zipfile.ZipFile, root: str) -> list[str]:
    return [n for n in archive.namelist() if n.startswith(f"{root}/") and n[len(root) + 1:][:3].isdigit()]


def test_package_read_back_matches_the_database(ctx):
    from docmgmt.records import access, export
    from docmgmt.records import operations as ops
    from docmgmt.records.models import DossierItem

    made = _filed()
    main, org, duc = made["main"], _org(), user("cv.kt1")
    db.session.expire_all()
    items = access.visible_items(duc, main)
    assert len(items) == 4 == len(main.items)

    # Time order, not filing order: the named document (20 days ago), the unit's (10), the photo (5),
    # the outgoing one (today).
    by_time = sorted(main.items, key=lambda i: i.doc_date)
    assert [i.kind for i in by_time] == ["incoming", "incoming", "file", "outgoing"]
    assert [i.ordinal for i in by_time] == [1, 2, 3, 4]

    spool = export.package_zip(main, items, org)
    root = f"{ORGAN_ID}.{PLAN_YEAR}.{main.notation}"
    assert export.package_filename(main, org) == f"{root}.zip"
    with zipfile.ZipFile(spool) as archive:
        names = archive.namelist()
        assert names[:2] == [f"{root}/metadata.xml", f"{root}/muc-luc.pdf"]
        xml = etree.fromstring(archive.read(f"{root}/metadata.xml"))
        contents = archive.read(f"{root}/muc-luc.pdf")
        files = _entries(archive, root)
        data = {name: archive.read(name) for name in files}
    spool.close()

    # The dossier's fields.
    def code_of(node) -> str:
        code = node.find("FileCode")
        return ".".join(code.findtext(k) for k in ("OrganId", "FileCatalog", "FileNotation"))

    assert xml.tag == "Dossier"
    assert code_of(xml) == main.file_code(org.organ_id) == root
    assert xml.findtext("Title") == "Hồ sơ chuyển đổi số của xã"
    assert xml.findtext("Maintenance") == "Vĩnh viễn"
    assert xml.findtext("Creator") == "Phạm Văn Đức"
    assert xml.findtext("Language") == "Tiếng Việt"
    assert xml.findtext("Rights") == main.rights
    assert xml.findtext("StartDate") == format_date(main.start_date) == format_date(by_time[0].doc_date)
    assert xml.findtext("EndDate") == format_date(main.end_date) == format_date(vn_today())
    assert xml.findtext("DocTotal") == "4"
    pages = [i.page_count for i in by_time]
    assert pages[:3] == [2, 3, 1]  # as registered, and the photo's PDF counted
    assert xml.findtext("PageTotal") == str(sum(pages))
    assert xml.findtext("Description") == "Tài liệu điện tử"

    # One Document per item, in DocOrdinal order, each checked against its row.
    documents = xml.findall("Document")
    assert [int(d.findtext("DocOrdinal")) for d in documents] == [1, 2, 3, 4]
    for node, item in zip(documents, by_time, strict=True):
        assert code_of(node) == root
        assert node.get("kind") == item.kind
        assert node.findtext("PageAmount") == str(item.page_count)
        assert node.findtext("Language") == "Tiếng Việt"
    named, unit_doc, out = made["named"], made["unit_doc"], made["out"]
    first, second, photo, last = documents
    assert (first.findtext("CodeNumber"), first.findtext("CodeNotation")) == ("125", "SNV-CCVC")
    assert first.findtext("IssuedDate") == format_date(named.issue_date)
    assert first.findtext("ArrivalDate") == format_date(named.arrival_date)
    assert first.findtext("ArrivalNumber") == str(named.arrival_number)
    assert first.findtext("OrganName") == "Ủy ban nhân dân tỉnh Phú Thọ"
    assert first.findtext("TypeName") == "Công văn"
    assert first.findtext("Subject") == "V/v cử cán bộ dự tập huấn chuyển đổi số"
    assert first.findtext("SignerInfo/FullName") == "Trần Duy Hưng"
    assert (second.findtext("CodeNumber"), second.findtext("CodeNotation")) == ("12", "QĐ-UBND")
    assert second.findtext("TypeName") == "Quyết định"
    assert second.findtext("IssuedDate") == format_date(unit_doc.issue_date)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", second.findtext("IssuedDate"))  # Date (10), dd/mm/yyyy
    assert photo.findtext("Subject") == "Biên bản kiểm tra hiện trường"
    assert photo.findtext("OrganName") == "Tổ công tác chuyển đổi số"
    assert photo.findtext("CodeNumber") == "" and photo.find("SignerInfo") is None
    number, _slash, notation = out.number_symbol.partition("/")
    assert (last.findtext("CodeNumber"), last.findtext("CodeNotation")) == (number, notation)
    assert last.findtext("IssuedDate") == format_date(out.issued_on)
    assert last.findtext("OrganName") == "Ủy ban nhân dân xã Kim Bôi"
    assert last.findtext("SignerInfo/Position") == "Chủ tịch"
    assert last.findtext("SignerInfo/FullName") == "Bùi Văn Khánh"
    assert last.find("ArrivalDate") is None

    # The files: in DocOrdinal order, each the stored bytes exactly, named in the XML.
    expected_files = [f for item in by_time for f in ops.item_files(item)]
    assert [n.rpartition("/")[2][:3] for n in files] == ["001", "002", "003", "004"]
    assert [hashlib.sha256(data[n]).hexdigest() for n in files] == [f.sha256 for f in expected_files]
    assert data[files[0]] == made["bytes"]["named"] and data[files[1]] == made["bytes"]["unit"]
    assert data[files[2]] == made["bytes"]["photo"]
    assert all(n.endswith(".pdf") for n in files)
    listed = [f.findtext("Path") for d in documents for f in d.findall("Files/File")]
    assert [f"{root}/{p}" for p in listed] == files
    assert [f.findtext("Sha256") for d in documents for f in d.findall("Files/File")] == \
        [f.sha256 for f in expected_files]
    manifest = [e["sha256"] for item in by_time for e in item.manifest]
    assert manifest == [f.sha256 for f in expected_files]

    # The Mục lục inside: the title and one row per document, in order, with its first page.
    text = _pdf_text(contents)
    assert "MỤC LỤC VĂN BẢN, TÀI LIỆU" in text and f"Số, ký hiệu hồ sơ: {main.notation}" in text
    assert f"Năm {PLAN_YEAR}" in text
    rows = export.contents_rows(main, items, org)
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert [r[1] for r in rows] == ["125/SNV-CCVC", "12/QĐ-UBND", "", out.number_symbol]
    assert [r[5] for r in rows] == ["1", "3", "6", "7"]  # Tờ số: running page total
    assert rows[1][3] == "Quyết định về việc ban hành kế hoạch chuyển đổi số năm 2026"
    positions = [text.index(t) for t in ("125/SNV-CCVC", "12/QĐ-UBND", "Biên bản kiểm tra hiện trường",
                                         out.number_symbol)]
    assert positions == sorted(positions)
    assert db.session.query(DossierItem).count() == 5  # the unit's document is in both dossiers


def test_contents_docx_has_the_form_columns_and_rows(ctx):
    import docx

    from docmgmt.records import access, export

    made = _filed()
    main, org = made["main"], _org()
    items = access.visible_items(user("cv.kt1"), main)
    document = docx.Document(io.BytesIO(export.contents_docx(main, items, org)))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[:3] == ["MỤC LỤC VĂN BẢN, TÀI LIỆU", f"Số, ký hiệu hồ sơ: {main.notation}", f"Năm {PLAN_YEAR}"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "STT", "Số, ký hiệu văn bản", "Ngày tháng năm văn bản", "Tên loại và trích yếu nội dung văn bản",
        "Tác giả văn bản", "Tờ số/ Trang số", "Ghi chú"]
    assert [c.text for c in table.rows[1].cells] == [f"({n})" for n in range(1, 8)]
    body = [[c.text for c in row.cells] for row in table.rows[2:]]
    assert body == export.contents_rows(main, items, org)
    assert body[0][:3] == ["1", "125/SNV-CCVC", format_date(made["named"].issue_date)]
    assert body[0][4] == "Ủy ban nhân dân tỉnh Phú Thọ"


def test_a_reader_who_may_not_open_a_document_gets_the_dossier_without_it(ctx):
    """The head of the Economics office reads Đức's dossier, but not the document the
    chairman gave Đức by name: neither the package nor the Mục lục shows it, and nothing
    counts it (ordinals, pages, totals, start date)."""
    from docmgmt.records import access, export

    made = _filed()
    main, org, head = made["main"], _org(), user("truongkt")
    assert access.can_read(head, main)
    items = access.visible_items(head, main)
    assert len(items) == 3 and made["named"].id not in {i.incoming_id for i in items}

    spool = export.package_zip(main, items, org)
    root = export.package_root(main, org)
    with zipfile.ZipFile(spool) as archive:
        xml = etree.fromstring(archive.read(f"{root}/metadata.xml"))
        contents = archive.read(f"{root}/muc-luc.pdf")
        files = _entries(archive, root)
        digests = [hashlib.sha256(archive.read(n)).hexdigest() for n in files]
    spool.close()
    hidden = hashlib.sha256(made["bytes"]["named"]).hexdigest()
    assert hidden not in digests and len(files) == 3
    assert [n.rpartition("/")[2][:3] for n in files] == ["001", "002", "003"]
    assert [d.findtext("DocOrdinal") for d in xml.findall("Document")] == ["1", "2", "3"]
    assert "125" not in [d.findtext("CodeNumber") for d in xml.findall("Document")]
    assert xml.findtext("DocTotal") == "3"
    assert xml.findtext("PageTotal") == str(3 + 1 + main.items[-1].page_count)
    assert xml.findtext("StartDate") == format_date(made["unit_doc"].issue_date)
    text = _pdf_text(contents)
    assert "125/SNV-CCVC" not in text and "tập huấn" not in text and "12/QĐ-UBND" in text
    assert [r[0] for r in export.contents_rows(main, items, org)] == ["1", "2", "3"]
    assert [r[5] for r in export.contents_rows(main, items, org)] == ["1", "4", "5"]

    # The responsible person sees all four.
    assert len(access.visible_items(user("cv.kt1"), main)) == 4


def test_package_download_is_written_to_disk_not_memory(ctx, monkeypatch):
    """The doors' call: the ZIP as a download, never cached; a package larger than the
    spool's threshold goes to a temporary file on disk and streams from there."""
    from docmgmt.records import access, export

    made = _filed()
    monkeypatch.setattr(export, "SPOOL_BYTES", 4096)
    spool = export.package_zip(made["main"], access.visible_items(user("cv.kt1"), made["main"]), _org())
    assert spool._rolled  # on disk
    spool.close()
    response = export.send_package(user("cv.kt1"), made["main"])
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.mimetype == "application/zip"
    response.direct_passthrough = False
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert len(_entries(archive, export.package_root(made["main"], _org()))) == 4
    response.close()


# --- the transfer: Mục lục hồ sơ nộp lưu and Biên bản giao nhận --------------------------------------

def _transferred():
    from docmgmt.records import operations as ops
    from docmgmt.records.schemas import TransferInput

    made = _filed()
    clerk, duc = user("vanthu"), user("cv.kt1")
    (transfer,) = ops.announce_transfer(clerk, TransferInput(year=PLAN_YEAR, due_date=vn_today() + timedelta(days=40),
                                                             title="Hồ sơ, tài liệu năm 2044 của Phòng Kinh tế"))
    ops.submit_transfer(duc, transfer)
    ops.receive_transfer(clerk, transfer, "Đầy đủ, nguyên vẹn; tệp tin mở được")
    db.session.commit()
    return made, transfer


def test_transfer_list_counts_dossiers_in_figures_and_words(ctx):
    import docx

    from docmgmt.records import export

    made, transfer = _transferred()
    main, small, org = made["main"], made["small"], _org()
    assert [d.id for d in transfer.dossiers] == [main.id, small.id]
    rows = export.transfer_rows(transfer)
    assert rows == [
        ["1", main.notation, "Hồ sơ chuyển đổi số của xã",
         f"{format_date(main.start_date)} - {format_date(main.end_date)}", "Vĩnh viễn",
         str(sum(i.page_count or 0 for i in main.items)), "Tài liệu điện tử"],
        ["2", small.notation, "Hồ sơ kiểm tra hạ tầng", format_date(made["unit_doc"].issue_date), "10 năm", "3", ""],
    ]
    document = docx.Document(io.BytesIO(export.transfer_list_docx(transfer, org)))
    heading = document.tables[0].rows[0].cells[0].text
    assert heading.split("\n")[:3] == ["ỦY BAN NHÂN DÂN", "XÃ KIM BÔI", "PHÒNG KINH TẾ"]
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU" and texts[2] == f"Năm {PLAN_YEAR}"
    assert "Mục lục này gồm: 2 hồ sơ (đơn vị bảo quản)." in texts
    assert "Viết bằng chữ: hai hồ sơ (đơn vị bảo quản)." in texts
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["Số TT", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ",
                                                     "Thời gian tài liệu", "Thời hạn bảo quản", "Số tờ/ Số trang",
                                                     "Ghi chú"]
    assert [[c.text for c in row.cells] for row in table.rows[2:]] == rows
    signature = document.tables[2].rows[0].cells[1].text
    assert "Người lập" in signature and "Phạm Văn Đức, Chuyên viên" in signature
    assert "Kim Bôi, ngày" in signature

    text = _pdf_text(export.transfer_list_pdf(transfer, org))
    for part in ("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", "Mục lục này gồm: 2 hồ sơ",
                 "Viết bằng chữ: hai hồ sơ (đơn vị bảo quản).", main.notation, small.notation, "Người lập",
                 "Phạm Văn Đức"):
        assert part in text, part


def test_handover_record_is_the_full_form_filled_from_the_transfer(ctx):
    import docx

    from docmgmt.records import export

    made, transfer = _transferred()
    main, small, org = made["main"], made["small"], _org()
    received = transfer.received_at
    document = docx.Document(io.BytesIO(export.handover_docx(transfer, org)))
    texts = [p.text for p in document.paragraphs if p.text]
    first = min(main.start_date, small.start_date)
    last = max(main.end_date, small.end_date)
    expected = [
        "BIÊN BẢN",
        "Giao nhận hồ sơ, tài liệu",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        f"Căn cứ Danh mục hồ sơ năm {PLAN_YEAR} ban hành kèm theo Quyết định số {DECISION} ngày 05 tháng 01 "
        f"năm {PLAN_YEAR} của Chủ tịch Ủy ban nhân dân xã Kim Bôi;",
        "Chúng tôi gồm:",
        "BÊN GIAO: Phạm Văn Đức, Phòng Kinh tế",
        "Ông (bà): Phạm Văn Đức",
        "Chức vụ công tác: Chuyên viên",
        "BÊN NHẬN: Lưu trữ cơ quan",
        "Ông (bà): Đinh Thị Thu",
        "Chức vụ công tác: Văn thư",
        "Thống nhất lập biên bản giao nhận tài liệu với những nội dung như sau:",
        "1. Tên khối tài liệu giao nộp: Hồ sơ, tài liệu năm 2044 của Phòng Kinh tế",
        f"2. Thời gian của hồ sơ, tài liệu: {format_date(first)} - {format_date(last)}",
        "3. Số lượng tài liệu:",
        "a) Đối với hồ sơ, tài liệu giấy",
        "- Tổng số hộp (cặp): ……",
        "- Tổng số hồ sơ (đơn vị bảo quản): …… Quy ra mét giá: …… mét.",
        "b) Đối với hồ sơ, tài liệu điện tử",
        "- Tổng số hồ sơ: 2",
        "- Tổng số tệp tin trong hồ sơ: 5",  # four in the first dossier, one in the second
        "4. Tình trạng tài liệu giao nộp: Đầy đủ, nguyên vẹn; tệp tin mở được",
        "5. Mục lục hồ sơ, tài liệu nộp lưu kèm theo.",
        "Biên bản này được lập thành hai bản; bên giao giữ một bản, bên nhận giữ một bản./.",
    ]
    assert texts == expected
    assert small.unit.name == "Phòng Kinh tế"
    header = document.tables[0].rows[0].cells[1].text
    assert f"Kim Bôi, {export.day_words(to_vn(received).date())}" in header
    sign_giver, sign_receiver = document.tables[1].rows[0].cells
    assert "ĐẠI DIỆN BÊN GIAO" in sign_giver.text and "Phạm Văn Đức" in sign_giver.text
    assert "ĐẠI DIỆN BÊN NHẬN" in sign_receiver.text and "Đinh Thị Thu" in sign_receiver.text

    text = _pdf_text(export.handover_pdf(transfer, org))
    for part in expected:
        assert part in text, part
    assert text.index("ĐẠI DIỆN BÊN GIAO") < text.index("ĐẠI DIỆN BÊN NHẬN")


@pytest.mark.parametrize(("number", "words"), [
    (1, "một"), (2, "hai"), (10, "mười"), (15, "mười lăm"), (21, "hai mươi mốt"), (24, "hai mươi tư"),
    (105, "một trăm lẻ năm"), (1234, "một nghìn hai trăm ba mươi tư"),
])
def test_counts_are_written_in_vietnamese_words(number, words):
    from docmgmt.records.export import number_words

    assert number_words(number) == words
