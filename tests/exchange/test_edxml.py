"""edXML (QCVN 102:2016/BTTTT): the real reference messages read correctly, our own
messages round-trip without loss and have the reference structure."""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from edxml_helpers import NS, commune_document, reference, sample_pdf, structure

from docmgmt.exchange.edxml import (
    VIETNAM_TZ,
    Attachment,
    BussinessDocType,
    Code,
    EdocMessage,
    EdxmlError,
    Organisation,
    PromulgationInfo,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusMessage,
    build_edoc,
    build_status,
    expand_attachments,
    is_sender_zipped,
    make_document_id,
    parse_date,
    parse_datetime,
    parse_document_id,
    parse_edxml,
)

VPCP_DOCUMENT_ID = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"


def _edoc(name: str) -> EdocMessage:
    message = parse_edxml(reference(name))
    assert isinstance(message, EdocMessage)
    return message


def _status(name: str) -> StatusMessage:
    message = parse_edxml(reference(name))
    assert isinstance(message, StatusMessage)
    return message


def _inner_message() -> tuple[str, bytes]:
    [(name, data)] = expand_attachments(_edoc("edoc_new.edxml").attachments)
    return name, data


# --- the new document -----------------------------------------------------------------


def test_new_document_reads_sender_and_recipient():
    msg = _edoc("edoc_new.edxml")
    assert msg.from_.organ_id == "000.00.00.A80"
    assert msg.from_.organ_name == "UBND xã Hòa Tiến - UBND huyện Hòa Vang - Thành phố Đà Nẵng"
    assert msg.from_.organization_in_charge == msg.from_.organ_name
    assert msg.from_.organ_add == "Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội"
    assert (msg.from_.email, msg.from_.telephone, msg.from_.fax, msg.from_.website) == (
        "vpcp@gov.vn",
        "8043100",
        "048989898789",
        "vpcp.vn",
    )
    assert [o.organ_id for o in msg.to] == ["28.22.H17"]  # not the usual OrganId shape
    assert msg.to[0].organ_name == "UBND xã Hòa Sơn - UBND huyện Hòa Vang - Thành phố Đà Nẵng"
    assert msg.to[0].telephone == "(84-4) 3821 5137"


def test_new_document_keeps_non_numeric_code_number_and_its_own_document_id():
    msg = _edoc("edoc_new.edxml")
    assert msg.code == Code("74fass22", "VPCP-TTĐT")
    assert str(msg.code) == "74fass22/VPCP-TTĐT"
    # The sender's DocumentId disagrees with its own header; it is the identity anyway.
    assert msg.document_id == VPCP_DOCUMENT_ID
    assert msg.identity == VPCP_DOCUMENT_ID


def test_new_document_reads_the_rest_of_the_header():
    msg = _edoc("edoc_new.edxml")
    assert msg.promulgation_info == PromulgationInfo(date(2019, 1, 16), place="Hà Nội")
    assert msg.document_type is not None
    assert (msg.document_type.type, msg.document_type.type_detail, msg.document_type.type_name) == (
        1,
        0,
        "Công văn",
    )
    assert msg.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert msg.content == msg.subject
    assert msg.signer_info is not None
    assert msg.signer_info.competence == "TL. BO TRUONG"
    assert msg.signer_info.position == "Cuc truong cuc ung dung cong nghe thong tin"
    assert msg.signer_info.full_name == "Nguyen Thanh Phuc"
    assert msg.due_date == date(2018, 9, 28)
    other = msg.other_info
    assert other is not None
    assert (
        other.priority,
        other.sphere_of_promulgation,
        other.typer_notation,
        other.promulgation_amount,
        other.page_amount,
        other.direction,
    ) == (0, "Liên thông văn bản quốc gia", "TVC", 2, 22, False)
    assert other.appendixes == ["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"]
    assert msg.steering_type == 1
    assert msg.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert msg.response_for == []
    assert msg.signed is True


def test_new_document_trace_and_bussiness():
    msg = _edoc("edoc_new.edxml")
    [trace] = msg.trace_headers
    assert trace.organ_id == "000.00.00.G22"
    assert trace.timestamp == datetime(2018, 9, 28, 0, 0, 0, tzinfo=VIETNAM_TZ)
    assert trace.timestamp.utcoffset() == timedelta(hours=7)
    assert msg.bussiness is not None
    assert msg.doc_type is BussinessDocType.NEW
    assert msg.bussiness.bussiness_doc_reason == "Văn bản điện tử mới"
    assert msg.bussiness.paper == 0
    assert msg.bussiness.staff_info == StaffInfo(
        department="Văn thư văn phòng",
        staff="Nguyễn Thị Ngọc Trâm",
        mobile="84912000001",
        email="vanthuvanphong@gov.vn",
    )
    # 30 February: kept as sent, its date part simply does not parse.
    assert msg.bussiness.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    parts = parse_document_id(msg.bussiness.document_id)
    assert parts is not None
    assert parts.promulgation_date_text == "2014/02/30"
    assert parts.promulgation_date is None
    assert msg.affected_document_ids() == []


def test_new_document_attachment_is_a_zip_named_doc():
    msg = _edoc("edoc_new.edxml")
    [attachment] = msg.attachments
    assert attachment.attachment_name == "1896_QD-TTg_m_294779.doc"
    assert attachment.description == "1896_QD-TTg_m_294779.doc"
    assert attachment.content_id == "cid:209"
    assert attachment.content_type == "application/zip"
    assert attachment.size == 270823
    assert attachment.data.startswith(b"PK\x03\x04")
    assert is_sender_zipped(attachment)


def test_zipped_attachment_unzips_to_the_inner_message():
    name, data = _inner_message()
    assert name == "32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml"
    assert len(data) == 388347
    assert hashlib.sha256(data).hexdigest() == (
        "8385739ec4a4ed36d71eabcaead629641ffc5ffff3d487ff5c34d2f821c9f36e"
    )


def test_inner_message_with_undeclared_prefixes_still_parses():
    # This real message uses xlink:href and edXML:AttachmentEncoded without declaring
    # either prefix; it is still a message a clerk must be able to read.
    _, data = _inner_message()
    assert b'xlink:href=""' in data and b"<edXML:AttachmentEncoded>" in data
    msg = parse_edxml(data)
    assert isinstance(msg, EdocMessage)
    assert msg.from_.organ_id == "14.00.W00"
    assert msg.from_.organ_name == "Trung tâm test production 01"
    assert msg.to[0].organ_name == "Đơn vị nội bộ chuẩn 2803 04"
    assert msg.to[0].organization_in_charge is None
    assert msg.code == Code("34E31", "PRO-TEST-CASE1")
    assert msg.document_id == "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"
    assert parse_document_id(msg.document_id) is None
    assert msg.response_for == []  # it sends an all-empty ResponseFor
    assert msg.document_type is not None and msg.document_type.type_detail is None
    assert msg.document_type.type_name == "Thông tư"
    assert msg.signer_info is not None and msg.signer_info.full_name == "Trương Minh Tuấn"
    assert msg.to_places == ["Các bộ"]
    assert msg.bussiness is None and msg.doc_type is BussinessDocType.NEW
    assert msg.trace_headers[0].timestamp == datetime(2018, 6, 20, 16, 35, 56, tzinfo=VIETNAM_TZ)
    [pdf] = msg.attachments
    assert pdf.attachment_name == "GUIDE_INSTALL OPENVPN.SIGNED.PDF"
    assert pdf.content_type == "application/pdf"  # only on Attachment, not in manifest
    assert pdf.description == "Description 1"  # only in manifest
    assert pdf.size == 284937
    assert pdf.data.startswith(b"%PDF-1.5") and pdf.data.rstrip().endswith(b"%%EOF")
    assert not is_sender_zipped(pdf)


# --- the revocation -------------------------------------------------------------------


def test_revocation_reads_type_recipients_and_target():
    msg = _edoc("edoc_revocation.edxml")
    assert msg.doc_type is BussinessDocType.REVOKE
    assert msg.bussiness is not None
    assert msg.bussiness.bussiness_doc_reason == "Thu hồi văn bản điện tử"
    assert msg.bussiness.document_id is None
    assert msg.from_.organ_id == "000.00.00.G22"
    assert msg.from_.organ_name == "Văn phòng Chính phủ"
    assert [(o.organ_id, o.organ_name) for o in msg.to] == [
        ("000.00.00.H41", "UBND Tỉnh Nghệ An"),
        ("000.00.00.H14", "UBND Tỉnh Cao Bằng"),
        ("000.00.00.G17", "Sở Thông tin truyền thông Hải Phòng"),
    ]
    assert msg.code == Code("7816", "VPCP-TTĐT")
    assert msg.promulgation_info.promulgation_date == date(2018, 9, 28)
    assert msg.response_for == [
        ResponseFor(
            organ_id="000.00.00.H14",
            code="267/VPCP-TTĐT",
            promulgation_date=date(2018, 9, 28),
            document_id="000.00.04.G14,2012/08/06,267/VPCP-TTĐT",
        )
    ]
    # It names the revoked document by repeating the new document's DocumentId.
    assert msg.affected_document_ids() == [VPCP_DOCUMENT_ID]
    assert msg.affected_document_ids() == [_edoc("edoc_new.edxml").identity]
    [attachment] = msg.attachments
    assert attachment.size == 270823
    [(inner_name, _)] = expand_attachments(msg.attachments)
    assert inner_name == "a3661564-bcbb-4406-a6a9-ceddbc8f4e17.edxml"


# --- status messages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "description"),
    [
        (
            "status_inbox_01.edxml",
            StatusCode.ARRIVED,
            "Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư "
            "chưa xử lý",
        ),
        (
            "status_acceptance_03.edxml",
            StatusCode.ACCEPTED,
            "Văn thư cơ - Phòng Văn thư - Lưu trữ: Tiếp nhận văn bản điện tử, vào sổ văn bản "
            "đến của đơn vị",
        ),
        (
            "status_finish_06.edxml",
            StatusCode.DONE,
            "Văn thư: Ban hành văn bản đến, hoàn thành xử lý",
        ),
    ],
)
def test_status_messages_read(name, code, description):
    msg = _status(name)
    assert msg.status_code is code
    assert msg.description == description
    assert msg.timestamp == datetime(2015, 9, 20, 11, 8, 36, tzinfo=VIETNAM_TZ)
    assert msg.from_.organ_id == "000.00.00.H41"
    assert msg.from_.organ_name == "UBND Tỉnh Nghệ An"
    assert msg.from_.organ_add == (
        "Số 03, đường Trường Thi, Thành phố Vinh, Tỉnh Nghệ An, Việt Nam"
    )
    assert msg.response_for == ResponseFor(
        organ_id="000.00.00.G22",
        code="7816/VPCP-TTĐT",
        promulgation_date=date(2015, 9, 30),
        document_id=VPCP_DOCUMENT_ID,
    )
    # Values padded with tabs, trailing spaces and CRLF come out clean.
    assert msg.staff_info == StaffInfo(
        department="Phong hanh chinh",
        staff="Nguyen thi ngoc tram",
        mobile="84912000001",
        email="ngoctram@nghean.vn",
    )


def test_status_labels_are_vietnamese():
    assert StatusCode("01").label_vi == "Đã đến"
    assert StatusCode.REFUSED.label_vi == "Từ chối tiếp nhận"
    assert StatusCode.RECALL_REFUSED.label_vi == "Từ chối lấy lại/cập nhật"
    assert [c.value for c in StatusCode] == ["01", "02", "03", "04", "05", "06", "13", "15", "16"]


# --- round trips ----------------------------------------------------------------------


def test_our_document_round_trips_with_identical_metadata_and_bytes():
    original = commune_document()
    data = build_edoc(original)
    again = parse_edxml(data)
    assert again == original
    assert isinstance(again, EdocMessage)
    assert [a.data for a in again.attachments] == [a.data for a in original.attachments]
    assert (
        hashlib.sha256(again.attachments[0].data).digest() == hashlib.sha256(sample_pdf()).digest()
    )
    assert build_edoc(again) == data  # stable: building is deterministic


@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_revocation.edxml"])
def test_reference_documents_round_trip(name):
    original = _edoc(name)
    again = parse_edxml(build_edoc(original))
    # Only the (unverified, placeholder) XML signature is not re-emitted.
    assert again == dataclasses.replace(original, signed=False)


@pytest.mark.parametrize(
    "name", ["status_inbox_01.edxml", "status_acceptance_03.edxml", "status_finish_06.edxml"]
)
def test_reference_statuses_round_trip(name):
    original = _status(name)
    assert parse_edxml(build_status(original)) == original


def test_our_status_round_trips():
    status = StatusMessage(
        from_=Organisation("000.00.13.H17", organ_name="UBND xã Hòa Sơn"),
        response_for=ResponseFor(
            organ_id="000.00.12.H17",
            code="15/UBND-VP",
            promulgation_date=date(2025, 9, 30),
            document_id="000.00.12.H17,2025/09/30,15/UBND-VP",
        ),
        status_code=StatusCode.ASSIGNED,
        timestamp=datetime(2025, 10, 1, 8, 30, tzinfo=VIETNAM_TZ),
        description="Phân công ông Lê Văn Cường xử lý",
        staff_info=StaffInfo(department="Văn phòng", staff="Trần Thị Bình"),
    )
    assert parse_edxml(build_status(status)) == status


# --- structure of what we send --------------------------------------------------------


@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_revocation.edxml"])
def test_built_document_has_the_reference_structure(name):
    data = reference(name)
    built = build_edoc(_edoc(name))
    assert structure(built) == structure(data)


@pytest.mark.parametrize(
    "name", ["status_inbox_01.edxml", "status_acceptance_03.edxml", "status_finish_06.edxml"]
)
def test_built_status_has_the_reference_structure(name):
    assert structure(build_status(_status(name))) == structure(reference(name))


def test_built_document_spells_the_standard_names():
    built = build_edoc(commune_document())
    assert built.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="' + NS.encode() + b'">'
    )
    assert b'<edXML:edXMLEnvelope xmlns:edXML="' + NS.encode() + b'">' in built
    assert b"<edXML:Bussiness>" in built and b"Business" not in built
    assert b"<edXML:BussinessDocType>0</edXML:BussinessDocType>" in built
    assert b"<edXML:PromulgationDate>2025/09/30</edXML:PromulgationDate>" in built
    assert b"<edXML:Timestamp>2025/09/30 14:05:09</edXML:Timestamp>" in built
    assert b"<edXML:Direction>true</edXML:Direction>" in built
    # Attachments outside the envelope, as the references.
    envelope_end = built.index(b"</edXML:edXMLEnvelope>")
    assert built.index(b"<AttachmentEncoded>") > envelope_end
    assert b"<Signature" not in built
    assert "Nguyễn Văn Ấn".encode() in built  # UTF-8, not character references


def test_build_fills_what_the_standard_requires():
    msg = dataclasses.replace(
        commune_document(), document_id=None, trace_headers=[], bussiness=None
    )
    again = parse_edxml(build_edoc(msg))
    assert isinstance(again, EdocMessage)
    assert again.document_id == "000.00.12.H17,2025/09/30,15/UBND-VP"
    assert again.bussiness is not None
    assert again.bussiness.bussiness_doc_type is BussinessDocType.NEW
    assert again.bussiness.document_id == again.document_id
    [trace] = again.trace_headers
    assert trace.organ_id == "000.00.12.H17"
    assert abs(trace.timestamp - datetime.now(VIETNAM_TZ)) < timedelta(minutes=1)


def test_build_writes_vietnam_time_and_nfc_without_control_characters():
    msg = commune_document()
    decomposed = unicodedata.normalize("NFD", "Về việc họp")
    msg.subject = decomposed + "\x0b\x01"
    # Given in UTC (00:05 UTC), written in Vietnam time (07:05).
    msg.trace_headers[0].timestamp = datetime(2025, 9, 30, 0, 5, 9, tzinfo=UTC)
    built = build_edoc(msg)
    assert b"<edXML:Timestamp>2025/09/30 07:05:09</edXML:Timestamp>" in built
    again = parse_edxml(built)
    assert isinstance(again, EdocMessage)
    assert again.subject == unicodedata.normalize("NFC", "Về việc họp")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "  "}, "MessageHeader/Subject"),
        ({"to": []}, "MessageHeader/To"),
        ({"code": Code("", "UBND-VP")}, "MessageHeader/Code/CodeNumber"),
        ({"from_": Organisation("")}, "MessageHeader/From/OrganId"),
    ],
)
def test_build_refuses_a_document_missing_required_parts(change, field):
    with pytest.raises(EdxmlError) as caught:
        build_edoc(dataclasses.replace(commune_document(), **change))
    assert (caught.value.code, caught.value.field) == ("edxml_missing", field)


def test_build_refuses_a_status_about_nothing():
    status = _status("status_finish_06.edxml")
    status.response_for = ResponseFor(organ_id="000.00.00.G22")
    with pytest.raises(EdxmlError) as caught:
        build_status(status)
    assert caught.value.code == "edxml_missing"


# --- being liberal in what we accept --------------------------------------------------


def _minimal(header: str, *, root_extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">{root_extra}
 <edXMLEnvelope><edXMLHeader><MessageHeader>{header}</MessageHeader></edXMLHeader>
 </edXMLEnvelope>
</edXML>""".encode()


MINIMAL_EDOC = """
  <From><OrganId>  000.00.12.H17 </OrganId></From>
  <To><OrganId>000.00.13.H17</OrganId></To>
  <Code><CodeNumber>\t12a\r\n</CodeNumber></Code>
  <PromulgationInfo><PromulgationDate>30/09/2025</PromulgationDate></PromulgationInfo>
  <Subject>
     Kế hoạch   tháng 10
  </Subject>
"""


def test_minimal_unprefixed_document_with_messy_values_is_accepted():
    msg = parse_edxml(_minimal(MINIMAL_EDOC))
    assert isinstance(msg, EdocMessage)
    assert msg.from_ == Organisation("000.00.12.H17")
    assert msg.code == Code("12a", "")
    assert msg.promulgation_info.promulgation_date == date(2025, 9, 30)
    assert msg.subject == "Kế hoạch   tháng 10"
    assert (msg.document_id, msg.document_type, msg.signer_info, msg.other_info) == (
        None,
        None,
        None,
        None,
    )
    assert msg.attachments == [] and msg.trace_headers == []
    assert msg.identity == "000.00.12.H17,2025/09/30,12a"


def test_decomposed_vietnamese_is_normalised_to_nfc():
    header = MINIMAL_EDOC.replace("Kế hoạch", unicodedata.normalize("NFD", "Kế hoạch"))
    assert unicodedata.normalize("NFD", "Kế") in header
    msg = parse_edxml(_minimal(header))
    assert isinstance(msg, EdocMessage)
    assert msg.subject.startswith("Kế hoạch") and unicodedata.is_normalized("NFC", msg.subject)


def test_status_code_without_leading_zero_is_accepted():
    header = """<From><OrganId>X</OrganId></From>
      <ResponseFor><DocumentId>A,2025/01/02,1/UBND</DocumentId></ResponseFor>
      <StatusCode>3</StatusCode><Timestamp>2025-01-03T10:00:00</Timestamp>"""
    msg = parse_edxml(_minimal(header))
    assert isinstance(msg, StatusMessage)
    assert msg.status_code is StatusCode.ACCEPTED
    assert msg.timestamp == datetime(2025, 1, 3, 10, 0, tzinfo=VIETNAM_TZ)
    assert msg.response_for.organ_id is None


def test_attachment_base64_with_line_breaks_and_no_padding_is_accepted():
    payload = b"abcde"  # base64 YWJjZGU= ; sent wrapped and without padding
    attachment = """<AttachmentEncoded><Attachment><ContentId>cid:1</ContentId>
      <AttachmentName>a.txt</AttachmentName>
      <ContentTransferEncoded>
        YWJj
        ZGU
      </ContentTransferEncoded></Attachment></AttachmentEncoded>"""
    msg = parse_edxml(
        _minimal(MINIMAL_EDOC).replace(b"</edXML>", attachment.encode() + b"</edXML>")
    )
    assert isinstance(msg, EdocMessage)
    assert msg.attachments == [Attachment("a.txt", payload, content_id="cid:1")]


# --- DocumentId and dates -------------------------------------------------------------


def test_document_id_is_built_and_split():
    built = make_document_id("000.00.00.G22", date(2015, 9, 30), Code("7816", "VPCP-TTĐT"))
    assert built == VPCP_DOCUMENT_ID
    parts = parse_document_id(built)
    assert parts is not None
    assert (parts.organ_id, parts.promulgation_date, parts.code) == (
        "000.00.00.G22",
        date(2015, 9, 30),
        "7816/VPCP-TTĐT",
    )
    assert parts.code_parts == Code("7816", "VPCP-TTĐT")


def test_document_id_edge_cases():
    assert Code.from_text("33/2015/QĐ-UBND") == Code("33", "2015/QĐ-UBND")
    assert make_document_id("H17", date(2025, 1, 2), "33/2015/QĐ-UBND") == (
        "H17,2025/01/02,33/2015/QĐ-UBND"
    )
    assert parse_document_id("9fbfbad2-f1f8-4256-a2eb-50fb1061cddb") is None
    assert parse_document_id("a,b,c") is None
    assert parse_document_id(None) is None
    with pytest.raises(ValueError):
        make_document_id("A,B", date(2025, 1, 2), "1/UBND")
    with pytest.raises(ValueError):
        make_document_id("H17", date(2025, 1, 2), "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015/09/30", date(2015, 9, 30)),
        ("2015-09-30", date(2015, 9, 30)),
        ("30/09/2015", date(2015, 9, 30)),
        ("2015/9/3", date(2015, 9, 3)),
        ("2015/09/30 23:59:59", date(2015, 9, 30)),
        ("2014/02/30", None),
        ("hôm qua", None),
        ("", None),
    ],
)
def test_dates_are_read_liberally(text, expected):
    assert parse_date(text) == expected


def test_times_are_vietnam_time():
    assert parse_datetime("2015/09/20 11:08:36") == datetime(
        2015, 9, 20, 11, 8, 36, tzinfo=VIETNAM_TZ
    )
    utc = parse_datetime("2015-09-20T04:08:36Z")
    assert utc == datetime(2015, 9, 20, 11, 8, 36, tzinfo=VIETNAM_TZ)
    assert utc is not None and utc.utcoffset() == timedelta(hours=7)
    assert parse_datetime("2015/09/20 25:00:00") is None
