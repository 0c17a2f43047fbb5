"""The child that verifies the signatures of an untrusted PDF; run only by ``verify``.

``python -I _verify_worker.py`` reads from standard input one line of JSON
(``{"roots": [base64 DER, …]}``: the trusted roots) followed by the PDF's bytes, and
prints one JSON object: ``{"signatures": [facts, …]}`` or ``{"error": "not_a_pdf" |
"unverifiable", "detail": …}``. It imports only pyHanko and asn1crypto (not the app)
and runs under the limits ``search.sandbox`` gives it: a malformed PDF that makes
pyHanko recurse, assert or run out of memory costs this process, not the web server.
The parent turns the facts into reports in the reader's language.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import sys
from typing import Any


def _name(name) -> dict[str, Any]:
    return {"native": dict(name.native), "human": name.human_friendly}


def _facts(sig, context, doc_mdp, is_certification) -> dict[str, Any]:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation import async_validate_pdf_signature

    modification = {ModificationLevel.NONE: "none", ModificationLevel.LTA_UPDATES: "none",
                    ModificationLevel.FORM_FILLING: "form_filling",
                    ModificationLevel.ANNOTATIONS: "other", ModificationLevel.OTHER: "other"}
    cert = sig.signer_cert
    try:
        status = asyncio.run(async_validate_pdf_signature(sig, signer_validation_context=context))
        intact, crypto_valid, trusted = status.intact, status.valid, bool(status.trusted)
        diff = status.diff_result
        level = getattr(diff, "modification_level", None) if diff is not None else None
        if diff is not None and level is None:  # SuspiciousModification
            level = ModificationLevel.OTHER
        docmdp_ok = status.docmdp_ok
        signing_time = status.signer_reported_dt
        coverage_full = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    except Exception:  # noqa: BLE001 - a malformed signature is a report, not a failure
        intact = crypto_valid = trusted = False
        level, docmdp_ok, signing_time, coverage_full = ModificationLevel.OTHER, False, None, False
    # pyHanko judges a signature by its own DocMDP only; the certification's level
    # binds every later change as well.
    not_allowed = docmdp_ok is False or (
        doc_mdp is not None and level is not None and level.value > doc_mdp.value)
    certification = is_certification(sig)
    validity = cert["tbs_certificate"]["validity"] if cert is not None else None
    native = cert.subject.native if cert is not None else {}
    reason = sig.sig_object.get("/Reason")
    return {
        "field_name": str(sig.field_name),
        "signer_name": str(native.get("common_name") or native.get("organization_name") or ""),
        "subject": _name(cert.subject) if cert is not None else None,
        "issuer": _name(cert.issuer) if cert is not None else None,
        "serial": format(cert.serial_number, "x") if cert is not None else "",
        "valid_from": validity["not_before"].native.isoformat() if validity is not None else None,
        "valid_to": validity["not_after"].native.isoformat() if validity is not None else None,
        "signing_time": signing_time.isoformat() if signing_time else None,
        "intact": bool(intact),
        "crypto_valid": bool(crypto_valid),
        "trusted": bool(trusted),
        "certification": bool(certification),
        "docmdp": {MDPPerm.NO_CHANGES: "no_changes", MDPPerm.FILL_FORMS: "form_filling",
                   MDPPerm.ANNOTATE: "annotations"}.get(sig.docmdp_level) if certification else None,
        "covers_whole_file": bool(coverage_full),
        "modification_level": modification.get(level, "none") if level is not None else "none",
        "modified_not_allowed": bool(not_allowed),
        "reason": str(reason) if reason is not None else None,
    }


def verify(pdf: bytes, roots_der: list[bytes]) -> dict[str, Any]:
    from asn1crypto import x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        return {"error": "not_a_pdf", "detail": str(exc)[:300]}
    roots = [x509.Certificate.load(der) for der in roots_der]

    def is_certification(sig) -> bool:
        try:
            refs = sig.sig_object.get("/Reference", ())
            return any(ref.get_object().get("/TransformMethod") == "/DocMDP" for ref in refs)
        except (KeyError, AttributeError):
            return False

    doc_mdp = None
    for sig in signatures:
        if sig.docmdp_level is not None and is_certification(sig):
            doc_mdp = sig.docmdp_level
    facts = []
    for sig in signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        facts.append(_facts(sig, context, doc_mdp, is_certification))
    return {"signatures": facts}


def main() -> int:
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline() or b"{}")
    pdf = stdin.read()
    try:
        answer = verify(pdf, [base64.b64decode(r) for r in header.get("roots", [])])
    except RecursionError:
        answer = {"error": "unverifiable", "detail": "RecursionError"}
    except MemoryError:
        answer = {"error": "unverifiable", "detail": "MemoryError"}
    except Exception as exc:  # noqa: BLE001 - pyHanko on a malformed file: assertions, attributes…
        answer = {"error": "unverifiable", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
