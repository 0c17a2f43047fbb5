"""Verification of every signature in a PDF, ours or another agency's.

For each signature: who (certificate subject, issuer, serial, validity), when (the
signing time the signer put in the signature, in Vietnam time: there is no time-stamp
authority), and three questions:

* ``intact`` — are the bytes the signature covers unchanged (a flipped byte: no);
* ``valid`` — is the cryptography right and does the certificate chain to a trusted
  root: the communes' CAs in this deployment plus any ``SIGNING_TRUST_ROOTS`` file.
  A correct signature from a CA we do not know is ``crypto_valid`` but not
  ``trusted``: “chữ ký hợp lệ, chứng thư chưa được tin cậy”, not an error;
* what changed after it — ``modification_level`` (none / form_filling / other) from
  pyHanko's difference analysis of later incremental updates, and
  ``modified_not_allowed`` when the change exceeds what the signature (or the
  document's certification) permits: filling the number fields after the leader's
  certification is allowed; adding a page or changing content is not.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import pem, x509
from flask_babel import lazy_gettext as _l
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from ..core.timeutil import to_vn
from .base import run
from .errors import SigningError
from .keys import commune_roots

MODIFICATION = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "none",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "other",
    ModificationLevel.OTHER: "other",
}


@dataclass(frozen=True)
class SignatureReport:
    field_name: str
    signer_name: str
    subject: str
    issuer: str
    serial: str  # hex
    valid_from: datetime | None
    valid_to: datetime | None
    signing_time: datetime | None  # Vietnam time, as claimed by the signer
    intact: bool
    crypto_valid: bool
    trusted: bool
    valid: bool  # intact and crypto_valid and trusted
    certification: bool  # the document's certification (author) signature
    docmdp: str | None  # certification level: no_changes | form_filling | annotations
    covers_whole_file: bool
    modification_level: str  # none | form_filling | other
    modified_not_allowed: bool
    reason: str | None
    summary_vi: str

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        for key in ("valid_from", "valid_to", "signing_time"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return out


# The parts of a certificate's name a clerk reads, in the order they read them.
NAME_PARTS = {
    "common_name": _l("Tên"),
    "organizational_unit_name": _l("Đơn vị"),
    "organization_name": _l("Tổ chức"),
    "locality_name": _l("Địa phương"),
    "state_or_province_name": _l("Tỉnh, thành phố"),
    "country_name": _l("Quốc gia"),
    "email_address": _l("Thư điện tử"),
}


def readable_name(name: x509.Name) -> str:
    """A certificate's subject or issuer in the reader's words ("Tên: …; Tổ chức: …"),
    not X.500 attribute names ("Common Name: …, Organization: …")."""
    native = name.native
    parts = []
    for key, label in NAME_PARTS.items():
        value = native.get(key)
        if value:
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            parts.append(f"{label}: {shown}")
    return "; ".join(parts) or name.human_friendly


def verify_pdf(pdf: bytes, *, trust_roots: list[x509.Certificate] | None = None) -> list[SignatureReport]:
    """One report per signature, in document order. ``trust_roots`` (extension)
    replaces the default roots: every commune CA in the database (when called in an
    app context) plus the certificates in ``SIGNING_TRUST_ROOTS``."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SigningError("not_a_pdf", detail=str(exc)) from None
    roots = default_roots() if trust_roots is None else list(trust_roots)
    doc_mdp = None
    for sig in signatures:
        if sig.docmdp_level is not None and _is_certification(sig):
            doc_mdp = sig.docmdp_level
    reports = []
    for sig in signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        reports.append(_report(sig, context, doc_mdp))
    return reports


def _is_certification(sig) -> bool:
    try:
        refs = sig.sig_object.get("/Reference", ())
        return any(ref.get_object().get("/TransformMethod") == "/DocMDP" for ref in refs)
    except (KeyError, AttributeError):
        return False


def _report(sig, context: ValidationContext, doc_mdp: MDPPerm | None) -> SignatureReport:
    cert = sig.signer_cert
    try:
        # pyHanko's synchronous wrapper calls asyncio.run(), which fails inside a running
        # event loop (gevent/eventlet servers, Playwright in tests); base.run copes.
        status = run(async_validate_pdf_signature(sig, signer_validation_context=context))
        intact, crypto_valid, trusted = status.intact, status.valid, bool(status.trusted)
        diff = status.diff_result
        level = getattr(diff, "modification_level", None) if diff is not None else None
        if diff is not None and level is None:  # SuspiciousModification
            level = ModificationLevel.OTHER
        docmdp_ok = status.docmdp_ok
        signing_time = status.signer_reported_dt
        coverage_full = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    except RuntimeError:
        raise  # our own machinery failing is not the document's fault
    except Exception:  # noqa: BLE001 - a malformed signature is a report, not a crash
        intact = crypto_valid = trusted = False
        level, docmdp_ok, signing_time, coverage_full = ModificationLevel.OTHER, False, None, False
    mod = MODIFICATION.get(level, "none") if level is not None else "none"
    # pyHanko judges a signature by its own DocMDP only; the certification's level
    # binds every later change as well.
    not_allowed = docmdp_ok is False or (
        doc_mdp is not None and level is not None and level.value > doc_mdp.value)
    certification = _is_certification(sig)
    valid = intact and crypto_valid and trusted and not not_allowed
    subject = readable_name(cert.subject) if cert is not None else ""
    native = cert.subject.native if cert is not None else {}
    name = native.get("common_name") or native.get("organization_name") or ""
    validity = cert["tbs_certificate"]["validity"] if cert is not None else None
    reason = sig.sig_object.get("/Reason")
    return SignatureReport(
        field_name=sig.field_name,
        signer_name=str(name),
        subject=subject,
        issuer=readable_name(cert.issuer) if cert is not None else "",
        serial=format(cert.serial_number, "x") if cert is not None else "",
        valid_from=to_vn(validity["not_before"].native) if validity is not None else None,
        valid_to=to_vn(validity["not_after"].native) if validity is not None else None,
        signing_time=to_vn(signing_time) if signing_time else None,
        intact=intact,
        crypto_valid=crypto_valid,
        trusted=trusted,
        valid=valid,
        certification=certification,
        docmdp={MDPPerm.NO_CHANGES: "no_changes", MDPPerm.FILL_FORMS: "form_filling",
                MDPPerm.ANNOTATE: "annotations"}.get(sig.docmdp_level) if certification else None,
        covers_whole_file=coverage_full,
        modification_level=mod,
        modified_not_allowed=not_allowed,
        reason=str(reason) if reason is not None else None,
        summary_vi=_summary(intact, crypto_valid, trusted, not_allowed, mod),
    )


def N_(text: str) -> str:
    """Marks a verdict for the catalogue (scripts/i18n.sh extracts ``N_``); the pages say
    it in the reader's language with ``_(report.summary_vi)``."""
    return text


def _summary(intact: bool, crypto_valid: bool, trusted: bool, not_allowed: bool, mod: str) -> str:
    """The verdict in one sentence, in Vietnamese as recorded (a msgid of the catalogue)."""
    if not intact:
        return N_("Chữ ký không hợp lệ: nội dung đã bị thay đổi sau khi ký.")
    if not crypto_valid:
        return N_("Chữ ký không hợp lệ.")
    if not_allowed:
        return N_("Văn bản đã bị sửa đổi sau khi ký theo cách không được phép.")
    if mod == "form_filling":
        if trusted:
            return N_("Chữ ký hợp lệ; sau khi ký chỉ điền số, ký hiệu và ngày ban hành (được phép).")
        return N_("Chữ ký hợp lệ, chứng thư số chưa được tin cậy; sau khi ký chỉ điền số, ký hiệu và "
                  "ngày ban hành (được phép).")
    return N_("Chữ ký hợp lệ.") if trusted else N_("Chữ ký hợp lệ, chứng thư số chưa được tin cậy.")


def default_roots() -> list[x509.Certificate]:
    roots: list[x509.Certificate] = []
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            roots.extend(commune_roots())
            paths = current_app.config.get("SIGNING_TRUST_ROOTS") or ""
        else:
            paths = os.environ.get("XASO_SIGNING_TRUST_ROOTS", "")
    except RuntimeError:
        paths = ""
    for path in filter(None, paths.split(os.pathsep)):
        roots.extend(_load_pem_file(Path(path)))
    return roots


def _load_pem_file(path: Path) -> list[x509.Certificate]:
    files = sorted(path.glob("*.pem")) + sorted(path.glob("*.crt")) if path.is_dir() else [path]
    out: list[x509.Certificate] = []
    for file in files:
        data = file.read_bytes()
        if pem.detect(data):
            out.extend(x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True))
        else:
            out.append(x509.Certificate.load(data))
    return out
