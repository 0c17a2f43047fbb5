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

The PDF comes from anywhere, and pyHanko on a malformed file can recurse, assert or
exhaust memory: it runs in a child process with CPU, memory and time limits (the
``verify-signatures`` mode of ``search/_worker.py``, in a worker of ``search.sandbox``'s
pool: the same sandboxed reader as the upload check and the index), which answers
facts; the reports are written here, in the reader's language. A file that cannot be
verified is refused with ``signature_unverifiable`` (422) and a message the page shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import pem, x509
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from search.sandbox import Limits

from ..core.errors import ValidationFailed
from ..core.timeutil import to_vn
from ..files.sandbox import run_worker
from .errors import SigningError
from .keys import commune_roots

# pyHanko reads the whole file and may analyse every revision: generous, but bounded.
VERIFY_LIMITS = Limits(memory_bytes=1536 * 1024 * 1024, cpu_seconds=30, wall_seconds=45)
# The reports of a file are kept a while: an issued document's page verifies its PDF
# on every view, and pyHanko's analysis of every revision takes a while.
CACHE_SIZE = 128
CACHE_SECONDS = 600.0


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


def readable_name(native: dict, human: str = "") -> str:
    """A certificate's subject or issuer in the reader's words ("Tên: …; Tổ chức: …"),
    not X.500 attribute names ("Common Name: …, Organization: …")."""
    parts = []
    for key, label in NAME_PARTS.items():
        value = native.get(key)
        if value:
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            parts.append(f"{label}: {shown}")
    return "; ".join(parts) or human


def unverifiable() -> ValidationFailed:
    return ValidationFailed("signature_unverifiable", _(
        "Không kiểm tra được chữ ký số của tệp này: tệp PDF hỏng hoặc có cấu trúc bất "
        "thường."), "file")


def verify_pdf(pdf: bytes, *, trust_roots: list[x509.Certificate] | None = None) -> list[SignatureReport]:
    """One report per signature, in document order. ``trust_roots`` (extension)
    replaces the default roots: every commune CA in the database (when called in an
    app context) plus the certificates in ``SIGNING_TRUST_ROOTS``.

    pyHanko reads the file in a child process with limits (``verify-signatures``): a file
    it cannot read is refused with ``not_a_pdf``, one that makes it fail (recursion,
    assertions, memory, time) with ``signature_unverifiable`` (422), never a crash."""
    roots = default_roots() if trust_roots is None else list(trust_roots)
    roots_der = [root.dump() for root in roots]
    key = hashlib.sha256(pdf).hexdigest() + ":" + hashlib.sha256(b"".join(sorted(roots_der))).hexdigest()
    cached = _cache.get(key)
    if cached is not None:
        return cached
    header = json.dumps({"roots": [base64.b64encode(der).decode() for der in roots_der]})
    outcome = run_worker("verify-signatures", "", VERIFY_LIMITS, payload=header.encode() + b"\n" + pdf)
    if not outcome.ok:
        raise unverifiable()
    answer = outcome.answer
    if answer.get("error") == "not_a_pdf":
        raise SigningError("not_a_pdf", detail=str(answer.get("detail", "")))
    if "signatures" not in answer:
        raise unverifiable()
    try:
        reports = [_report(facts) for facts in answer["signatures"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise unverifiable() from None
    _cache.put(key, reports)
    return reports


def _when(value: str | None) -> datetime | None:
    return to_vn(datetime.fromisoformat(value)) if value else None


def _report(facts: dict) -> SignatureReport:
    intact, crypto_valid, trusted = facts["intact"], facts["crypto_valid"], facts["trusted"]
    not_allowed, mod = facts["modified_not_allowed"], facts["modification_level"]
    subject, issuer = facts.get("subject"), facts.get("issuer")
    return SignatureReport(
        field_name=facts["field_name"],
        signer_name=facts["signer_name"],
        subject=readable_name(subject["native"], subject["human"]) if subject else "",
        issuer=readable_name(issuer["native"], issuer["human"]) if issuer else "",
        serial=facts["serial"],
        valid_from=_when(facts["valid_from"]),
        valid_to=_when(facts["valid_to"]),
        signing_time=_when(facts["signing_time"]),
        intact=intact,
        crypto_valid=crypto_valid,
        trusted=trusted,
        valid=intact and crypto_valid and trusted and not not_allowed,
        certification=facts["certification"],
        docmdp=facts["docmdp"],
        covers_whole_file=facts["covers_whole_file"],
        modification_level=mod,
        modified_not_allowed=not_allowed,
        reason=facts["reason"],
        summary_vi=_summary(intact, crypto_valid, trusted, not_allowed, mod),
    )


class _Reports:
    """A small cache of reports per (file content, trusted roots), for a while."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, list[SignatureReport]]] = OrderedDict()

    def get(self, key: str) -> list[SignatureReport] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > CACHE_SECONDS:
                return None
            self._items.move_to_end(key)
            return list(item[1])

    def put(self, key: str, reports: list[SignatureReport]) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), list(reports))
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)


_cache = _Reports()


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
