"""XML signatures of edXML packages (chữ ký số trên gói tin, QCVN 102:2016).

Framework-free, like ``edxml``: the worker, the web app and the tests use it alike.

- ``sign_package`` puts one enveloped XML-DSig signature at the end of
  ``edXMLHeader``, where the reference messages carry theirs: ``Reference URI=""``
  with the enveloped-signature transform, so the whole package — header, body and the
  attachments outside the envelope — is signed; inclusive C14N 1.0 as the references;
  the certificate (and its issuer) in ``KeyInfo/X509Data``. The work is signxml's; no
  canonicalisation is written here. The digest is SHA-256 unless a receiver needs SHA-1;
  the key type decides RSA or ECDSA.
- ``verify_package`` says whether a package is ``unsigned``, ``valid`` (signature
  holds and the certificate chains to a trust root), ``unknown`` (signature holds,
  signer not trusted) or ``invalid`` (anything else, with the reason). It never raises:
  a hostile or malformed signature is an answer, not a crash. The document is parsed by
  the hardened parser first; signxml re-parses without DTDs or entities.
- ``load_trust_roots`` reads a PEM bundle, or every PEM/DER certificate in a folder.

A signature found outside the XML-DSig namespace (the reference messages write an
unprefixed ``Signature`` in the edXML default namespace, and their certificates are
cut short) is read for its signer and reported invalid: no standard verifier accepts it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier
from signxml.verifier import SignatureConfiguration

from .errors import EdxmlError
from .model import NAMESPACE as EDXML_NS
from .safexml import parse_xml

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
DIGESTS = ("sha256", "sha1")

UNSIGNED, VALID, INVALID, UNKNOWN = "unsigned", "valid", "invalid", "unknown"
STATES = (UNSIGNED, VALID, INVALID, UNKNOWN)

_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_ACCEPT_ALL = SignatureConfiguration(
    # SHA-1 is what the national exchange's samples use: accepted on receipt, offered
    # on sending only where a destination is configured for it.
    signature_methods=frozenset(SignatureMethod),
    digest_algorithms=frozenset(DigestAlgorithm),
    expect_references=1,
)


@dataclass(frozen=True)
class SignatureCheck:
    """What the signature of one package says."""

    state: str
    signer: str = ""  # the certificate's subject (or the X509SubjectName given)
    issuer: str = ""
    certificate: bytes | None = None  # DER
    algorithm: str = ""  # e.g. rsa-sha1, ecdsa-sha256
    reason: str = ""  # why invalid or unknown, in Vietnamese

    @property
    def signed(self) -> bool:
        return self.state != UNSIGNED


# --- signing ------------------------------------------------------------------------


def signature_method(key: Any, digest: str) -> str:
    """The XML-DSig algorithm for this key and digest (rsa-sha256, ecdsa-sha1, …)."""
    if digest not in DIGESTS:
        raise ValueError(f"digest must be one of {DIGESTS}")
    is_ec = isinstance(key, ec.EllipticCurvePrivateKey) or getattr(key, "family", "") == "ecdsa"
    family = "ecdsa" if is_ec else "rsa"
    return f"{family}-{digest}"


def sign_package(data: bytes, key: Any, certificates: Sequence[x509.Certificate], *,
                 digest: str = "sha256") -> bytes:
    """Sign an edXML package (ours, from ``build_edoc``/``build_status``).

    ``key`` is a ``cryptography`` private key (or an object signing like one, such as
    a remote provider's proxy); ``certificates`` the signer's certificate first, then
    its issuers.
    """
    root = parse_xml(data)
    header = _header(root)
    if header is None:
        raise ValueError("not an edXML package: no edXMLHeader")
    for old in [n for n in header if _local(n) == "Signature"]:
        header.remove(old)
    placeholder = etree.SubElement(header, f"{{{DSIG_NS}}}Signature", nsmap={"ds": DSIG_NS})
    placeholder.set("Id", "placeholder")
    signer_class = _SHA1Signer if digest == "sha1" else XMLSigner
    signer = signer_class(signature_algorithm=signature_method(key, digest), digest_algorithm=digest,
                          c14n_algorithm=C14N)
    signed = signer.sign(root, key=key, cert=list(certificates))
    return _XML_DECLARATION + etree.tostring(signed, encoding="UTF-8") + b"\n"


class _SHA1Signer(XMLSigner):
    """SHA-1, refused by signxml by default, for a receiver configured to need it (the
    way signxml's documentation says to allow it)."""

    def check_deprecated_methods(self) -> None:
        pass


# --- verifying ----------------------------------------------------------------------


def read_signature(data: bytes) -> SignatureCheck:
    """The signature's signer and certificate, without judging it (``state`` is
    ``unsigned`` or ``unknown``; ``invalid`` when it cannot even be read)."""
    return _inspect(data)[0]


def verify_package(data: bytes, trust_roots: Sequence[x509.Certificate], *,
                   when: datetime | None = None) -> SignatureCheck:
    """Check a received package's signature against the trust roots. Never raises."""
    try:
        found, root, node, certs = _inspect(data)
        if found.state != UNKNOWN or root is None or node is None:
            return found
        if node.tag != f"{{{DSIG_NS}}}Signature":
            return _with(found, INVALID, "Chữ ký không thuộc không gian tên XML-DSig; "
                                         "không thể kiểm tra theo chuẩn.")
        if not certs:
            return _with(found, INVALID, "Chữ ký không kèm chứng thư số đọc được (KeyInfo/X509Data).")
        references = node.findall(f"{{{DSIG_NS}}}SignedInfo/{{{DSIG_NS}}}Reference")
        if len(references) != 1 or references[0].get("URI") != "":
            return _with(found, INVALID, "Chữ ký không phủ toàn bộ gói tin (Reference URI khác rỗng).")
        try:
            XMLVerifier().verify(etree.tostring(root), x509_cert=certs[0], expect_config=_ACCEPT_ALL)
        except Exception as exc:  # noqa: BLE001 - signxml and lxml raise many types on hostile input
            return _with(found, INVALID, f"Chữ ký không khớp với nội dung gói tin ({_short(exc)}).")
        trusted, why = _chains_to(certs[0], certs[1:], trust_roots, when or datetime.now(UTC))
        if not trusted:
            return _with(found, UNKNOWN, why)
        return _with(found, VALID, "")
    except Exception as exc:  # noqa: BLE001 - verification must never break an import
        return SignatureCheck(INVALID, reason=f"Không kiểm tra được chữ ký ({_short(exc)}).")


def _inspect(data: bytes):
    try:
        root = parse_xml(data)
    except EdxmlError as exc:
        return SignatureCheck(INVALID, reason=exc.message_vi), None, None, []
    header = _header(root)
    nodes = [n for n in header if _local(n) == "Signature"] if header is not None else []
    if not nodes:
        return SignatureCheck(UNSIGNED), root, None, []
    if len(nodes) > 1:
        return SignatureCheck(INVALID, reason="Gói tin có nhiều hơn một chữ ký."), root, None, []
    node = nodes[0]
    method = next((n.get("Algorithm") or "" for n in node.iter() if _local(n) == "SignatureMethod"), "")
    algorithm = method.rpartition("#")[2] or method.rpartition("/")[2]
    certs: list[x509.Certificate] = []
    bad_cert = False
    subject_names = []
    for item in node.iter():
        if _local(item) == "X509Certificate":
            try:
                der = base64.b64decode("".join((item.text or "").split()), validate=True)
                certs.append(x509.load_der_x509_certificate(der))
            except (ValueError, binascii.Error):
                bad_cert = True
        elif _local(item) == "X509SubjectName" and (item.text or "").strip():
            subject_names.append(item.text.strip())
    if certs:
        check = SignatureCheck(UNKNOWN, signer=_name(certs[0].subject), issuer=_name(certs[0].issuer),
                               certificate=certs[0].public_bytes(_DER), algorithm=algorithm)
    else:
        check = SignatureCheck(UNKNOWN, signer=subject_names[0] if subject_names else "", algorithm=algorithm)
    if bad_cert:
        return _with(check, INVALID, "Chứng thư số trong chữ ký không đọc được (bị cắt hoặc hỏng)."), \
            root, node, certs
    return check, root, node, certs


def _chains_to(cert: x509.Certificate, intermediates: Sequence[x509.Certificate],
               roots: Sequence[x509.Certificate], when: datetime) -> tuple[bool, str]:
    """Whether ``cert`` chains to one of ``roots`` (through the certificates the
    signature carries), every certificate in its validity period at ``when``."""
    if not roots:
        return False, "Chưa cấu hình chứng thư gốc tin cậy; không xác định được người ký."
    root_ders = {r.public_bytes(_DER) for r in roots}
    current, pool = cert, [*intermediates, *roots]
    for _ in range(8):
        if not (current.not_valid_before_utc <= when <= current.not_valid_after_utc):
            return False, f"Chứng thư số «{_name(current.subject)}» hết hạn hoặc chưa có hiệu lực."
        if current.public_bytes(_DER) in root_ders:
            return True, ""
        issuer = next((c for c in pool if c.subject == current.issuer and _issued_by(current, c)), None)
        if issuer is None or issuer.public_bytes(_DER) == current.public_bytes(_DER):
            return False, f"Người ký «{_name(cert.subject)}» không thuộc tổ chức chứng thực tin cậy."
        if issuer.public_bytes(_DER) not in root_ders and not _is_ca(issuer):
            # A leaf certificate (a user's, an organisation's) issues nothing.
            return False, f"Chứng thư «{_name(issuer.subject)}» không phải của tổ chức chứng thực."
        if issuer.public_bytes(_DER) in root_ders:
            if not (issuer.not_valid_before_utc <= when <= issuer.not_valid_after_utc):
                return False, f"Chứng thư gốc «{_name(issuer.subject)}» hết hạn."
            return True, ""
        current = issuer
    return False, "Chuỗi chứng thư số quá dài."


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # noqa: BLE001 - InvalidSignature, ValueError, TypeError
        return False
    return True


def load_trust_roots(paths: Iterable[str]) -> list[x509.Certificate]:
    """Certificates from PEM bundles, or from every file of a folder (PEM or DER)."""
    found: list[x509.Certificate] = []
    for raw in paths:
        path = Path(raw)
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in files:
            blob = file.read_bytes()
            try:
                if b"-----BEGIN CERTIFICATE-----" in blob:
                    found.extend(x509.load_pem_x509_certificates(blob))
                else:
                    found.append(x509.load_der_x509_certificate(blob))
            except ValueError:
                continue  # a README or a key in the folder is not a root
    return found


# --- helpers ------------------------------------------------------------------------

_DER = Encoding.DER


def _with(check: SignatureCheck, state: str, reason: str) -> SignatureCheck:
    return SignatureCheck(state, check.signer, check.issuer, check.certificate, check.algorithm, reason)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _name(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:
        return "?"


def _local(node: etree._Element) -> str | None:
    tag = node.tag
    if not isinstance(tag, str):
        return None
    return tag.rpartition("}")[2].rpartition(":")[2]


def _header(root: etree._Element) -> etree._Element | None:
    for envelope in root:
        if _local(envelope) == "edXMLEnvelope":
            for header in envelope:
                if _local(header) == "edXMLHeader":
                    return header
    return None


__all__ = [
    "C14N", "DIGESTS", "DSIG_NS", "EDXML_NS", "INVALID", "STATES", "UNKNOWN", "UNSIGNED", "VALID",
    "SignatureCheck", "load_trust_roots", "read_signature", "sign_package", "signature_method",
    "verify_package",
]
