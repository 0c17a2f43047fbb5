"""Malformed and hostile edXML: each gets a clear, coded EdxmlError and nothing else
happens — no file read, no network connection, no expansion, nothing written."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
import unicodedata

import pytest
from edxml_helpers import NS, reference

from docmgmt.exchange import safexml
from docmgmt.exchange.edxml import DEFAULT_MAX_BYTES, EdxmlError, parse_edxml


def _refused(data: bytes, **kwargs) -> EdxmlError:
    with pytest.raises(EdxmlError) as caught:
        parse_edxml(data, **kwargs)
    error = caught.value
    # Every refusal is a sentence a clerk can read: Vietnamese, NFC, non-empty.
    assert error.message_vi and unicodedata.is_normalized("NFC", error.message_vi)
    assert str(error) == error.message_vi
    return error


def _without(data: bytes, element: str) -> bytes:
    """The message with one element (and its content) removed."""
    pattern = rf"<edXML:{element}>.*?</edXML:{element}>".encode()
    stripped, count = re.subn(pattern, b"", data, count=1, flags=re.S)
    assert count == 1, element
    return stripped


@pytest.fixture(autouse=True)
def _nothing_written(tmp_path, monkeypatch):
    """Parsing must not leave files behind, even when it fails."""
    monkeypatch.chdir(tmp_path)
    yield
    assert list(tmp_path.iterdir()) == []


# --- truncated / not well-formed ------------------------------------------------------


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.99])
def test_truncated_message_is_malformed(cut):
    data = reference("edoc_new.edxml")
    error = _refused(data[: int(len(data) * cut)])
    assert error.code == "edxml_malformed"
    assert "cắt cụt" in error.message_vi


def test_empty_and_non_xml_are_malformed():
    assert _refused(b"").code == "edxml_malformed"
    assert _refused(b"   \r\n").code == "edxml_malformed"
    assert _refused(b"%PDF-1.5 not xml").code == "edxml_malformed"
    assert _refused(b"<edXML><a></b></edXML>").code == "edxml_malformed"


def test_truncated_message_with_a_namespace_error_is_still_malformed():
    # The namespace leniency must not turn into recover mode for broken documents.
    data = f'<edXML xmlns="{NS}"><edXMLEnvelope a:b="1"><edXMLHeader>'.encode()
    assert _refused(data).code == "edxml_malformed"


def test_unsupported_encodings_are_refused():
    for encoding in ("UTF-7", "EBCDIC-US"):
        data = f'<?xml version="1.0" encoding="{encoding}"?><edXML xmlns="{NS}"/>'.encode()
        error = _refused(data)
        assert error.code == "edxml_malformed"
        assert "bảng mã" in error.message_vi.lower()


# --- namespace ------------------------------------------------------------------------


def test_wrong_namespace_is_refused():
    data = reference("status_finish_06.edxml").replace(NS.encode(), b"http://example.org/not-edxml")
    error = _refused(data)
    assert (error.code, error.field) == ("edxml_namespace", "edXML")
    assert "http://example.org/not-edxml" in error.message_vi


def test_no_namespace_is_refused():
    data = reference("status_finish_06.edxml")
    data = data.replace(f' xmlns="{NS}"'.encode(), b"", 1).replace(
        f' xmlns:edXML="{NS}"'.encode(), b' xmlns:edXML=""', 1
    )
    assert b'xmlns="' not in data
    assert _refused(data).code in ("edxml_namespace", "edxml_malformed")
    plain = b"<edXML><edXMLEnvelope/></edXML>"
    assert _refused(plain).code == "edxml_namespace"


def test_root_with_an_undeclared_prefix_is_refused():
    assert _refused(b"<edXML:edXML><edXML:edXMLEnvelope/></edXML:edXML>").code == (
        "edxml_namespace"
    )


def test_envelope_in_a_foreign_namespace_is_refused():
    data = reference("status_inbox_01.edxml").replace(
        f'<edXML:edXMLEnvelope xmlns:edXML="{NS}">'.encode(),
        b'<edXML:edXMLEnvelope xmlns:edXML="http://example.org/x">',
    )
    error = _refused(data)
    assert (error.code, error.field) == ("edxml_namespace", "edXML/edXMLEnvelope")


def test_other_root_element_is_refused():
    error = _refused(f'<Envelope xmlns="{NS}"/>'.encode())
    assert (error.code, error.field) == ("edxml_missing", "edXML")


# --- missing required parts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "field"),
    [
        ("edXMLHeader", "edXMLEnvelope/edXMLHeader"),
        ("MessageHeader", "edXMLHeader/MessageHeader"),
        ("From", "MessageHeader/From"),
        ("OrganId", "MessageHeader/From/OrganId"),
        ("Code", "MessageHeader/Code"),
        ("CodeNumber", "MessageHeader/Code/CodeNumber"),
        ("PromulgationInfo", "MessageHeader/PromulgationInfo"),
        ("PromulgationDate", "MessageHeader/PromulgationInfo/PromulgationDate"),
        ("Subject", "MessageHeader/Subject"),
    ],
)
def test_document_missing_a_required_part_says_which(element, field):
    error = _refused(_without(reference("edoc_revocation.edxml"), element))
    assert (error.code, error.field) == ("edxml_missing", field)
    assert field in error.message_vi and "thiếu" in error.message_vi


def test_document_without_recipients_is_refused():
    data = reference("edoc_new.edxml")
    error = _refused(_without(data, "To"))
    assert (error.code, error.field) == ("edxml_missing", "MessageHeader/To")


def test_empty_required_value_counts_as_missing():
    data = re.sub(
        rb"<edXML:Subject>[^<]*<", b"<edXML:Subject> \t\r\n <", reference("edoc_new.edxml")
    )
    error = _refused(data)
    assert (error.code, error.field) == ("edxml_missing", "MessageHeader/Subject")


def test_missing_envelope_is_refused():
    error = _refused(f'<edXML xmlns="{NS}"><AttachmentEncoded/></edXML>'.encode())
    assert (error.code, error.field) == ("edxml_missing", "edXML/edXMLEnvelope")


@pytest.mark.parametrize(
    ("element", "field"),
    [
        ("Timestamp", "MessageHeader/Timestamp"),
        ("ResponseFor", "MessageHeader/ResponseFor"),
        ("From", "MessageHeader/From"),
    ],
)
def test_status_missing_a_required_part_says_which(element, field):
    error = _refused(_without(reference("status_acceptance_03.edxml"), element))
    assert (error.code, error.field) == ("edxml_missing", field)


def test_attachment_listed_but_not_sent_is_refused():
    data = reference("edoc_new.edxml")
    data = re.sub(rb"<AttachmentEncoded>.*</AttachmentEncoded>", b"", data, flags=re.S)
    error = _refused(data)
    assert error.code == "edxml_missing"
    assert "1896_QD-TTg_m_294779.doc" in error.message_vi


# --- values that cannot be understood -------------------------------------------------


def test_impossible_promulgation_date_is_invalid():
    data, count = re.subn(
        rb"(<edXML:PromulgationInfo>\s*<edXML:Place>[^<]*</edXML:Place>\s*"
        rb"<edXML:PromulgationDate>)[^<]*",
        rb"\g<1>2018/02/30",
        reference("edoc_revocation.edxml"),
    )
    assert count == 1
    error = _refused(data)
    assert (error.code, error.field) == (
        "edxml_invalid",
        "MessageHeader/PromulgationInfo/PromulgationDate",
    )
    assert "2018/02/30" in error.message_vi


def test_unknown_bussiness_doc_type_is_invalid():
    data = reference("edoc_revocation.edxml").replace(
        b"<edXML:BussinessDocType>1<", b"<edXML:BussinessDocType>7<"
    )
    error = _refused(data)
    assert (error.code, error.field) == (
        "edxml_invalid",
        "TraceHeaderList/Bussiness/BussinessDocType",
    )


def test_unknown_status_code_is_invalid():
    data = reference("status_finish_06.edxml").replace(b">06<", b">99<")
    error = _refused(data)
    assert (error.code, error.field) == ("edxml_invalid", "MessageHeader/StatusCode")


# --- base64 ---------------------------------------------------------------------------


def _with_payload(payload: bytes) -> bytes:
    data = reference("edoc_new.edxml")
    return re.sub(
        rb"(<edXML:ContentTransferEncoded[^>]*>)[^<]*(<)",
        lambda m: m.group(1) + payload + m.group(2),
        data,
    )


@pytest.mark.parametrize("payload", [b"UEsDBB!!QACAgI", b"UEsDB", b"%%%%", b"QUJD===="])
def test_bad_base64_attachment_is_refused(payload):
    error = _refused(_with_payload(payload))
    assert error.code == "edxml_base64"
    assert error.field == "AttachmentEncoded/Attachment/ContentTransferEncoded"
    assert "1896_QD-TTg_m_294779.doc" in error.message_vi


def test_attachment_without_content_is_refused():
    data = re.sub(
        rb"<edXML:ContentTransferEncoded[^>]*>[^<]*</edXML:ContentTransferEncoded>",
        b"",
        reference("edoc_new.edxml"),
    )
    error = _refused(data)
    assert error.code == "edxml_missing"


# --- entities and DTDs ----------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE edXML [\n <!ENTITY lol0 "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + f']>\n<edXML xmlns="{NS}" a="&lol9;"><edXMLEnvelope>&lol9;</edXMLEnvelope></edXML>\n'
).encode()


def _xxe(target: str, *, in_attribute: bool = False) -> bytes:
    use = (
        f'<edXML xmlns="{NS}" a="&x;"/>'
        if in_attribute
        else (f'<edXML xmlns="{NS}"><edXMLEnvelope>&x;</edXMLEnvelope></edXML>')
    )
    doctype = f'<!DOCTYPE edXML [<!ENTITY x SYSTEM "{target}">]>'
    return f'<?xml version="1.0"?>\n{doctype}\n{use}'.encode()


@pytest.fixture()
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "passwd"
    path.write_text("root:x:0:0:SECRET-MARKER-7f3a:/root:/bin/sh\n")
    return path


def test_billion_laughs_is_refused_quickly():
    started = time.perf_counter()
    error = _refused(BILLION_LAUGHS)
    assert error.code == "edxml_entity"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("in_attribute", [False, True])
def test_external_entity_to_a_local_file_is_refused_without_reading_it(secret_file, in_attribute):
    error = _refused(_xxe(secret_file.as_uri(), in_attribute=in_attribute))
    assert error.code == "edxml_entity"
    assert "SECRET-MARKER" not in repr(error)


def test_external_entity_to_etc_passwd_is_refused():
    error = _refused(_xxe("file:///etc/passwd"))
    assert error.code == "edxml_entity"
    assert "root:" not in repr(error)


def test_external_entity_over_http_makes_no_connection():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.3)
    port = server.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # the timeout: nobody connected, as hoped
            connections.append(server.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        for data in (
            _xxe(f"http://127.0.0.1:{port}/x"),
            f'<!DOCTYPE edXML SYSTEM "http://127.0.0.1:{port}/d.dtd">'
            f'<edXML xmlns="{NS}"/>'.encode(),
        ):
            assert _refused(data).code == "edxml_entity"
    finally:
        thread.join()
        server.close()
    assert connections == []


@pytest.mark.parametrize(
    "prolog",
    [
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<?pi x?>\n',
        "\ufeff",
        "   \n\t",
    ],
)
def test_doctype_after_comments_and_pis_is_refused(prolog):
    data = (prolog + f'<!DOCTYPE edXML><edXML xmlns="{NS}"/>').encode()
    assert _refused(data).code == "edxml_entity"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_doctype_in_utf16_or_utf32_is_refused(encoding):
    text = f'<!DOCTYPE edXML [<!ENTITY x "y">]><edXML xmlns="{NS}" a="&x;"/>'
    assert _refused(text.encode(encoding)).code == "edxml_entity"


def test_undeclared_entity_reference_is_refused():
    data = f'<edXML xmlns="{NS}"><edXMLEnvelope>&xxe;</edXMLEnvelope></edXML>'.encode()
    assert _refused(data).code == "edxml_entity"


@pytest.mark.parametrize("name", ["billion_laughs", "file", "file_attr"])
def test_parser_itself_refuses_entities_if_the_prolog_check_were_bypassed(
    monkeypatch, secret_file, name
):
    # Defence in depth: even without the DOCTYPE pre-check, the lxml parser settings
    # (no entity resolution, no DTD loading, no network) and the post-parse checks hold.
    monkeypatch.setattr(safexml, "_prolog_declares_dtd", lambda data: False)
    data = {
        "billion_laughs": BILLION_LAUGHS,
        "file": _xxe(secret_file.as_uri()),
        "file_attr": _xxe(secret_file.as_uri(), in_attribute=True),
    }[name]
    error = _refused(data)
    assert error.code == "edxml_entity"
    assert "SECRET-MARKER" not in repr(error)


# --- size -----------------------------------------------------------------------------


def test_message_over_the_configured_limit_is_refused_before_parsing():
    data = reference("edoc_new.edxml")
    error = _refused(data, max_bytes=100_000)
    assert error.code == "edxml_too_large"
    assert "0.1 MiB" in error.message_vi or "0,1" in error.message_vi
    # the same message under a larger limit is fine
    parse_edxml(data, max_bytes=len(data))


def test_default_limit_is_50_mib():
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024
    error = _refused(b" " * (DEFAULT_MAX_BYTES + 1))
    assert error.code == "edxml_too_large"


def test_large_attachment_under_the_limit_is_accepted():
    # 12 MB of base64 in one text node: over libxml2's default 10 MB node limit.
    payload = b"A" * 12_000_000
    data = _with_payload(payload)
    msg = parse_edxml(data)
    assert msg.attachments[0].size == 9_000_000  # type: ignore[union-attr]


def test_classification_does_not_depend_on_earlier_messages():
    # lxml's exception error_log accumulates across parses in a thread; an entity error
    # in one message must not turn the next, merely broken, message into one.
    assert _refused(BILLION_LAUGHS).code == "edxml_entity"
    assert _refused(b"<edXML><a></b></edXML>").code == "edxml_malformed"
    assert _refused(b"<broken").code == "edxml_malformed"


def test_error_is_serialisable_for_the_api():
    error = _refused(b"<broken")
    assert error.as_dict() == {
        "code": "edxml_malformed",
        "message": error.message_vi,
        "field": None,
    }
    assert "Gói tin edXML không đúng cú pháp XML" in error.message_vi
