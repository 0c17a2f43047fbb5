"""XML signatures of edXML packages (``xmlsig``): ours verify with signxml and with
Debian's ``xmlsec1``; one byte changed in the subject or an attachment is caught; the
reference messages' signatures are read and honestly reported; a hostile signature is
an answer ("invalid", with the reason), never a crash."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from docmgmt.exchange import xmlsig
from docmgmt.exchange.edxml import (
    Organisation,
    ResponseFor,
    StatusCode,
    StatusMessage,
    build_edoc,
    build_status,
    parse_edxml,
)
from tests.exchange.edxml_helpers import NS, commune_document, reference, sample_pdf

DS = xmlsig.DSIG_NS


def _cert(name: str, key, issuer: x509.Certificate | None = None, issuer_key=None, *, ca: bool = False,
          days: int = 365) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "000.00.12.H17"),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(subject)
            .issuer_name(issuer.subject if issuer else subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key or key, hashes.SHA256()))


class Commune:
    """A commune CA and the organisation's certificate it issued (EC or RSA)."""

    def __init__(self, name: str, kind: str = "ec"):
        def new_key():
            return ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else \
                rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ca_key = new_key()
        self.ca = _cert(f"CA ký số {name}", self.ca_key, ca=True)
        self.key = new_key()
        self.cert = _cert(name, self.key, self.ca, self.ca_key)

    def sign(self, data: bytes, digest: str = "sha256") -> bytes:
        return xmlsig.sign_package(data, self.key, [self.cert, self.ca], digest=digest)

    def ca_pem(self, folder) -> str:
        path = folder / "ca.pem"
        path.write_bytes(self.ca.public_bytes(Encoding.PEM))
        return str(path)


@pytest.fixture(scope="module")
def hoa_tien() -> Commune:
    return Commune("UBND xã Hòa Tiến")


def xmlsec1_verify(data: bytes, trusted_pem: str, folder) -> subprocess.CompletedProcess:
    if shutil.which("xmlsec1") is None:
        if os.environ.get("CI"):
            pytest.fail("xmlsec1 is not installed (scripts/test installs it: apt-get install xmlsec1)")
        pytest.skip("xmlsec1 is not installed")
    path = folder / "package.edxml"
    path.write_bytes(data)
    return subprocess.run(["xmlsec1", "--verify", "--trusted-pem", trusted_pem, str(path)],
                          capture_output=True, text=True, timeout=60)


def status_message() -> StatusMessage:
    return StatusMessage(
        from_=Organisation(organ_id="000.00.12.H17", organ_name="UBND xã Hòa Tiến"),
        response_for=ResponseFor(organ_id="000.00.00.G22", code="7816/VPCP-TTĐT",
                                 document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
        status_code=StatusCode.ACCEPTED,
        timestamp=datetime(2026, 12, 6, 9, 30, tzinfo=UTC),
        description="Văn thư tiếp nhận, vào sổ văn bản đến số 12",
    )


# --- ours, signed ---------------------------------------------------------------------------

def test_our_signed_document_verifies_with_the_library_and_with_xmlsec1(hoa_tien, tmp_path):
    signed = hoa_tien.sign(build_edoc(commune_document()))
    check = xmlsig.verify_package(signed, [hoa_tien.ca])
    assert (check.state, check.algorithm) == ("valid", "ecdsa-sha256")
    assert "CN=UBND xã Hòa Tiến" in check.signer and "CA ký số" in check.issuer
    run = xmlsec1_verify(signed, hoa_tien.ca_pem(tmp_path), tmp_path)
    assert run.returncode == 0 and "OK" in run.stdout + run.stderr, run.stderr


def test_the_signature_is_enveloped_at_the_end_of_the_header_as_the_references_place_it(hoa_tien):
    signed = hoa_tien.sign(build_edoc(commune_document()))
    root = etree.fromstring(signed)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert [etree.QName(n).localname for n in header] == ["MessageHeader", "TraceHeaderList", "Signature"]
    signature = header[-1]
    assert signature.tag == f"{{{DS}}}Signature" and signature.get("Id") is None
    [reference_node] = signature.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    assert reference_node.get("URI") == ""  # the whole package, attachments included
    transforms = [t.get("Algorithm") for t in reference_node.iter(f"{{{DS}}}Transform")]
    assert transforms[0] == "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    assert signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}CanonicalizationMethod").get("Algorithm") == xmlsig.C14N
    certs = signature.findall(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    first = x509.load_der_x509_certificate(base64.b64decode("".join(certs[0].text.split())))
    assert first == hoa_tien.cert and len(certs) == 2
    # … and the package reads as before.
    assert parse_edxml(signed).subject == commune_document().subject
    assert parse_edxml(signed).signed is True


def test_rsa_sha1_as_the_reference_messages_for_a_receiver_that_needs_it(tmp_path):
    old_school = Commune("UBND xã Hòa Tiến", kind="rsa")
    signed = old_school.sign(build_edoc(commune_document()), digest="sha1")
    assert b"http://www.w3.org/2000/09/xmldsig#rsa-sha1" in signed
    assert b"http://www.w3.org/2000/09/xmldsig#sha1" in signed
    assert xmlsig.verify_package(signed, [old_school.ca]).state == "valid"
    assert xmlsec1_verify(signed, old_school.ca_pem(tmp_path), tmp_path).returncode == 0


def test_statuses_are_signed_too(hoa_tien, tmp_path):
    signed = hoa_tien.sign(build_status(status_message()))
    assert xmlsig.verify_package(signed, [hoa_tien.ca]).state == "valid"
    assert xmlsec1_verify(signed, hoa_tien.ca_pem(tmp_path), tmp_path).returncode == 0
    assert parse_edxml(signed).status_code == StatusCode.ACCEPTED


# --- tampering ------------------------------------------------------------------------------

def _flip_base64(data: bytes) -> bytes:
    match = re.search(rb"<edXML:ContentTransferEncoded[^>]*>([^<]+)<", data)
    assert match
    at = match.start(1) + len(match.group(1)) // 2
    return data[:at] + (b"B" if data[at:at + 1] != b"B" else b"C") + data[at + 1:]


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda d: d.replace("triển khai".encode(), "triễn khai".encode(), 1), id="subject"),
    pytest.param(_flip_base64, id="attachment"),
])
def test_one_byte_changed_in_the_subject_or_an_attachment_is_detected(hoa_tien, tmp_path, tamper):
    signed = hoa_tien.sign(build_edoc(commune_document()))
    tampered = tamper(signed)
    assert tampered != signed and len(tampered) == len(signed)
    check = xmlsig.verify_package(tampered, [hoa_tien.ca])
    assert check.state == "invalid" and "không khớp" in check.reason
    assert xmlsec1_verify(tampered, hoa_tien.ca_pem(tmp_path), tmp_path).returncode != 0


def test_a_stranger_with_a_sound_signature_is_an_unknown_signer(hoa_tien):
    stranger = Commune("UBND xã Lạ")
    check = xmlsig.verify_package(stranger.sign(build_edoc(commune_document())), [hoa_tien.ca])
    assert check.state == "unknown" and "không thuộc tổ chức chứng thực tin cậy" in check.reason
    assert xmlsig.verify_package(build_edoc(commune_document()), [hoa_tien.ca]).state == "unsigned"


def test_a_certificate_the_signature_carries_but_our_roots_did_not_issue_cannot_pose_as_trusted(hoa_tien):
    # The stranger puts our CA's certificate in KeyInfo after its own: still unknown.
    stranger = Commune("UBND xã Lạ")
    signed = xmlsig.sign_package(build_edoc(commune_document()), stranger.key, [stranger.cert, hoa_tien.ca])
    assert xmlsig.verify_package(signed, [hoa_tien.ca]).state == "unknown"


def test_a_certificate_minted_by_a_trusted_leaf_is_not_trusted(hoa_tien):
    # Whoever holds the organisation's key cannot act as a CA: its certificate is a leaf.
    forger_key = ec.generate_private_key(ec.SECP256R1())
    forged = _cert("UBND tỉnh", forger_key, hoa_tien.cert, hoa_tien.key)
    signed = xmlsig.sign_package(build_edoc(commune_document()), forger_key, [forged, hoa_tien.cert, hoa_tien.ca])
    check = xmlsig.verify_package(signed, [hoa_tien.ca])
    assert check.state == "unknown" and "không phải của tổ chức chứng thực" in check.reason


# --- the reference messages -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_revocation.edxml"])
def test_the_reference_signatures_are_read_and_reported_honestly(name, hoa_tien):
    data = reference(name)
    read = xmlsig.read_signature(data)
    assert (read.signer, read.algorithm) == ("CN=user05", "rsa-sha1")
    check = xmlsig.verify_package(data, [hoa_tien.ca])
    # Samples: the certificate in them is cut short, so nobody can check them.
    assert check.state == "invalid" and "không đọc được" in check.reason
    assert check.signer == "CN=user05" and check.certificate is None


def test_the_reference_statuses_are_unsigned():
    assert xmlsig.verify_package(reference("status_inbox_01.edxml"), []).state == "unsigned"


# --- hostile signatures ------------------------------------------------------------------------

def _mangle(signed: bytes, pattern: bytes, replacement: bytes) -> bytes:
    out = re.sub(pattern, replacement, signed, count=1, flags=re.S)
    assert out != signed
    return out


@pytest.mark.parametrize("mangle, reason", [
    (lambda s: _mangle(s, rb"<ds:SignatureValue>[^<]*", b"<ds:SignatureValue>AAAA"), "không khớp"),
    (lambda s: _mangle(s, rb"<ds:SignatureValue>[^<]*", b"<ds:SignatureValue>%%%"), "không khớp"),
    (lambda s: _mangle(s, rb"<ds:SignedInfo>.*?</ds:SignedInfo>", b""), "không phủ toàn bộ"),
    (lambda s: _mangle(s, rb'URI=""', b'URI="#header"'), "không phủ toàn bộ"),
    (lambda s: _mangle(s, rb"<ds:X509Certificate>[^<]*", b"<ds:X509Certificate>bm90IGEgY2VydA=="),
     "không đọc được"),
    (lambda s: _mangle(s, rb"(<ds:Signature .*?</ds:Signature>)", rb"\1\1"), "nhiều hơn một"),
    (lambda s: _mangle(s, rb"<ds:DigestMethod Algorithm=\"[^\"]*\"", b'<ds:DigestMethod Algorithm="urn:x"'),
     "không khớp"),
], ids=["bad-value", "not-base64", "no-signedinfo", "partial", "bad-cert", "two", "unknown-digest"])
def test_a_malformed_signature_is_invalid_with_a_reason_never_a_crash(hoa_tien, mangle, reason):
    check = xmlsig.verify_package(mangle(hoa_tien.sign(build_edoc(commune_document()))), [hoa_tien.ca])
    assert check.state == "invalid" and reason in check.reason


def test_a_package_with_entities_is_refused_by_the_hardened_parser_before_any_check(hoa_tien):
    signed = hoa_tien.sign(build_edoc(commune_document()))
    hostile = signed.replace(b"?>\n", b'?>\n<!DOCTYPE edXML [<!ENTITY x "y">]>\n', 1)
    assert xmlsig.verify_package(hostile, [hoa_tien.ca]).state == "invalid"


def test_trust_roots_from_a_bundle_or_a_folder(hoa_tien, tmp_path):
    other = Commune("UBND xã Khác")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(hoa_tien.ca.public_bytes(Encoding.PEM) + other.ca.public_bytes(Encoding.PEM))
    folder = tmp_path / "roots"
    folder.mkdir()
    (folder / "province.der").write_bytes(other.ca.public_bytes(Encoding.DER))
    (folder / "README").write_text("the province's CA and the national list")
    assert xmlsig.load_trust_roots([str(bundle)]) == [hoa_tien.ca, other.ca]
    assert xmlsig.load_trust_roots([str(folder)]) == [other.ca]


def test_sample_pdf_survives_signing(hoa_tien):
    signed = hoa_tien.sign(build_edoc(commune_document()))
    assert parse_edxml(signed).attachments[0].data == sample_pdf()
