"""The organisation's signature on the packages it sends, and the check of those it
receives — ``xmlsig`` bound to the commune's keys and settings.

- ``sign_outgoing``: every package leaving through the outbox (documents, revocations,
  updates, replacements, statuses) is signed with the organisation's certificate
  (``signing.keys``), or by the remote signing provider when
  ``XASO_EXCHANGE_SIGN_REMOTE_USER`` and ``XASO_SIGNING_REMOTE_URL`` are set. A commune
  without keys yet sends unsigned, as before, rather than not at all.
- ``check_incoming``: the signature of a received package against the trust roots:
  the configured ones (``XASO_EXCHANGE_TRUST_ROOTS``) and every commune CA of this
  deployment.
- ``state_label``: the words the pages show for a signature state.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, utils
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..org.models import Organisation
from ..signing import keys
from ..signing.base import run
from ..signing.errors import SigningError
from .settings import ExchangeSettings, settings
from .xmlsig import (
    INVALID,
    UNKNOWN,
    UNSIGNED,
    VALID,
    SignatureCheck,
    load_trust_roots,
    sign_package,
    signature_method,
    verify_package,
)

log = logging.getLogger(__name__)

STATE_LABELS = {
    UNSIGNED: _l("Không có chữ ký số"),
    VALID: _l("Chữ ký số hợp lệ"),
    INVALID: _l("Chữ ký số không hợp lệ"),
    UNKNOWN: _l("Chữ ký số của người ký không xác định"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


# --- sending --------------------------------------------------------------------------


def sign_outgoing(org_id: int, destination: str, payload: bytes,
                  cfg: ExchangeSettings | None = None) -> tuple[bytes, str]:
    """``(signed payload, signature algorithm)``; ``(payload, "")`` when not signed."""
    cfg = cfg or settings()
    if not cfg.sign:
        return payload, ""
    org = db.session.get(Organisation, org_id)
    if org is None:
        return payload, ""
    remote_url = current_app.config.get("SIGNING_REMOTE_URL", "")
    try:
        if cfg.sign_remote_user and remote_url:
            key, certs = _remote_key(cfg.sign_remote_user)
            digest = "sha256"  # what the provider signs
        else:
            identity = keys.identity_for_organisation(org)
            key = identity.private_key
            certs = [x509.load_der_x509_certificate(c.dump()) for c in (identity.certificate, *identity.chain)
                     if c is not None]
            digest = cfg.digest_for(destination)
    except SigningError as exc:
        log.warning("exchange: package to %s sent unsigned: %s", destination, exc)
        return payload, ""
    return sign_package(payload, key, certs, digest=digest), signature_method(key, digest)


class _RemoteKey:
    """Signs like a ``cryptography`` private key, by asking the remote provider (raw
    mode: it signs the hash we send and returns the signature value)."""

    def __init__(self, signer: Any, user: str, certificate: x509.Certificate):
        self.signer, self.user, self.certificate = signer, user, certificate
        public = certificate.public_key()
        self.family = "ecdsa" if isinstance(public, ec.EllipticCurvePublicKey) else "rsa"
        self.key_size = getattr(public, "key_size", 256)

    def sign(self, data: bytes, *args: Any, **kwargs: Any) -> bytes:
        digest = hashlib.sha256(data).digest()
        answer = run(self.signer._request_signature(self.user, digest, "edXML"))
        value = base64.b64decode(answer.get("signature") or "")
        if self.family == "ecdsa" and not value.startswith(b"\x30"):
            half = len(value) // 2  # r || s, as some providers answer: signxml expects DER
            value = utils.encode_dss_signature(int.from_bytes(value[:half]), int.from_bytes(value[half:]))
        return value

    def public_key(self) -> Any:
        return self.certificate.public_key()


def _remote_key(user: str) -> tuple[_RemoteKey, list[x509.Certificate]]:
    from ..signing.identity import SigningIdentity
    from ..signing.remote import RemoteSigner

    signer = RemoteSigner.from_config({**current_app.config, "SIGNING_REMOTE_MODE": "raw"})
    chain = signer._chain(SigningIdentity(name=user, remote_user_id=user))
    certs = [x509.load_der_x509_certificate(c.dump()) for c in chain]
    return _RemoteKey(signer, user, certs[0]), certs


# --- receiving ------------------------------------------------------------------------


def trust_roots(cfg: ExchangeSettings | None = None) -> list[x509.Certificate]:
    cfg = cfg or settings()
    roots = [x509.load_der_x509_certificate(c.dump()) for c in keys.commune_roots()]
    try:
        roots.extend(load_trust_roots(cfg.trust_roots))
    except OSError as exc:
        log.error("exchange: trust roots unreadable: %s", exc)
    return roots


def check_incoming(data: bytes, cfg: ExchangeSettings | None = None) -> SignatureCheck:
    """What the package's signature says. Never raises."""
    try:
        roots = trust_roots(cfg)
    except Exception as exc:  # noqa: BLE001 - a broken trust store must not stop imports
        log.error("exchange: trust roots unavailable: %s", exc)
        roots = []
    return verify_package(data, roots)


__all__ = ["STATE_LABELS", "check_incoming", "sign_outgoing", "state_label", "trust_roots"]
