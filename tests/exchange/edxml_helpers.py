"""Shared helpers for the edXML tests: where the reference messages live, a sample
outgoing document from a commune, and a structural fingerprint of an XML tree."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from docmgmt.exchange.edxml import (
    VIETNAM_TZ,
    Attachment,
    Bussiness,
    BussinessDocType,
    Code,
    DocumentType,
    EdocMessage,
    Organisation,
    OtherInfo,
    PromulgationInfo,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

REFERENCE_DIR = Path(
    os.environ.get(
        "XASO_EDXML_REFERENCE",
        Path(__file__).resolve().parents[3] / "shared" / "reference" / "edxml",
    )
)


def reference(name: str) -> bytes:
    path = REFERENCE_DIR / name
    if not path.exists():
        pytest.skip(f"reference message {path} not available")
    return path.read_bytes()


def sample_pdf() -> bytes:
    # Every byte value, so any text-mode or encoding slip changes the bytes.
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def commune_document() -> EdocMessage:
    """An issued outgoing document of a commune, as the export would produce it."""
    return EdocMessage(
        from_=Organisation(
            organ_id="000.00.12.H17",
            organ_name="UBND xã Hòa Tiến",
            organization_in_charge="UBND huyện Hòa Vang",
            organ_add="Thôn La Bông, xã Hòa Tiến, huyện Hòa Vang, TP Đà Nẵng",
            email="hoatien@danang.gov.vn",
            telephone="0236 3846 123",
        ),
        to=[
            Organisation(organ_id="000.00.13.H17", organ_name="UBND xã Hòa Sơn"),
            Organisation(organ_id="000.00.00.H17", organ_name="UBND TP Đà Nẵng"),
        ],
        document_id="000.00.12.H17,2025/09/30,15/UBND-VP",
        code=Code("15", "UBND-VP"),
        promulgation_info=PromulgationInfo(date(2025, 9, 30), place="Hòa Tiến"),
        document_type=DocumentType(type=1, type_detail=0, type_name="Công văn"),
        subject="V/v triển khai văn phòng không giấy tờ",
        content="Đề nghị các đơn vị\nphối hợp thực hiện.",
        signer_info=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn Ấn"),
        due_date=date(2025, 10, 15),
        other_info=OtherInfo(
            priority=1,
            sphere_of_promulgation="Liên thông văn bản",
            typer_notation="VP",
            promulgation_amount=3,
            page_amount=2,
            direction=True,
            appendixes=["Phụ lục I", "Phụ lục II"],
        ),
        steering_type=1,
        to_places=["Như trên", "Lưu: VT"],
        trace_headers=[
            TraceHeader("000.00.12.H17", datetime(2025, 9, 30, 14, 5, 9, tzinfo=VIETNAM_TZ))
        ],
        bussiness=Bussiness(
            bussiness_doc_type=BussinessDocType.NEW,
            bussiness_doc_reason="Văn bản điện tử mới",
            document_id="000.00.12.H17,2025/09/30,15/UBND-VP",
            paper=0,
            staff_info=StaffInfo("Văn phòng", "Trần Thị Bình", "0905000001", "vt@hoatien.vn"),
        ),
        attachments=[
            Attachment(
                "15-UBND-VP.signed.pdf",
                sample_pdf(),
                content_id="cid:1",
                content_type="application/pdf",
                description="Văn bản đã ký số",
            ),
            Attachment(
                "Phụ lục kèm theo.docx",
                b"PK\x03\x04not-really-a-docx",
                content_id="cid:2",
                content_type="application/vnd.openxmlformats-"
                "officedocument.wordprocessingml.document",
            ),
        ],
    )


def structure(data: bytes) -> list[tuple[str, str | None, str | None]]:
    """(path of local names, namespace, prefix) for every element, in document order,
    leaving out the XML signature (we do not sign the XML, the PDF is signed)."""
    root = etree.fromstring(data, etree.XMLParser(recover=True, resolve_entities=False))
    rows = []
    for node in root.iter(tag=etree.Element):
        if any(etree.QName(a).localname == "Signature" for a in [node, *node.iterancestors()]):
            continue
        path = "/".join(etree.QName(n).localname for n in reversed([node, *node.iterancestors()]))
        rows.append((path, etree.QName(node).namespace, node.prefix))
    return rows
