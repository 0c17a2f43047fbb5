"""The commune certificate authority and the keys it issues.

``init_keys(org)`` creates, once, per organisation: a root CA, the organisation's
signing certificate (CN and O = the organisation's name, organizationIdentifier = its
edXML OrganId) and a certificate for every active leader and clerk; ``ensure_user_key``
adds one user. Keys are ECDSA P-256: generation is instantaneous (RSA 2048 takes
tens of milliseconds per user) and signing and loading are cheaper, which the
issuance chain's throughput needs; every PDF reader that handles PAdES verifies it.

Private keys are stored as encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC).
The password is derived with scrypt (N=2^15, r=8) from ``SIGNING_KEY_PASSPHRASE``
(``XASO_KEY_PASSPHRASE``) or, when that is unset, from the app's ``SECRET_KEY``: a
copied database alone does not sign anything. Decrypted identities are cached per
process, keyed by the stored blob, so a key is decrypted once and not per signature.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.x509.oid import NameOID
from flask import current_app, has_app_context

from ..core.permissions import Role
from ..extensions import db
from ..org.models import Organisation, User
from .errors import SigningError
from .identity import SigningIdentity
from .models import CA, ORGANISATION, SigningCredential, user_holder

KEY_TYPE = "ec-p256"
CA_YEARS = 20
LEAF_YEARS = 5
SIGNING_ROLES = (Role.LEADER, Role.CLERK)


# --- passphrase and key encryption ------------------------------------------------

def _passphrase_bytes(passphrase: str | None) -> bytes:
    """The PKCS#8 password: scrypt of the configured passphrase (or SECRET_KEY)."""
    if passphrase is None:
        if not has_app_context():
            raise SigningError("key_decrypt_failed", detail="no app context and no passphrase")
        passphrase = current_app.config.get("SIGNING_KEY_PASSPHRASE") or current_app.config["SECRET_KEY"]
    return _stretch(str(passphrase))


@functools.lru_cache(maxsize=8)
def _stretch(passphrase: str) -> bytes:
    # scrypt makes a guessed human passphrase expensive to try; done once per process.
    derived = Scrypt(salt=b"xaso-signing-key-v1", length=32, n=2**15, r=8, p=1).derive(passphrase.encode())
    return base64.urlsafe_b64encode(derived)


def encrypt_key(key: ec.EllipticCurvePrivateKey, passphrase: str | None = None) -> bytes:
    # cryptography writes PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for PKCS#8
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(_passphrase_bytes(passphrase)))


def decrypt_key(blob: bytes, passphrase: str | None = None):
    try:
        return serialization.load_der_private_key(blob, password=_passphrase_bytes(passphrase))
    except (ValueError, TypeError) as exc:
        raise SigningError("key_decrypt_failed", detail=str(exc)) from None


# --- certificates -------------------------------------------------------------------

def _name(*attrs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs if value])


def _issue(subject: x509.Name, public_key, issuer: x509.Name, issuer_key, *, ca: bool,
           years: int, issuer_cert: x509.Certificate | None = None) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5))  # clocks of verifiers drift
               .not_valid_after(now + timedelta(days=365 * years))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),  # type: ignore[arg-type]
            critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _store(org: Organisation, kind: str, holder: str, cert: x509.Certificate, key,
           passphrase: str | None, user: User | None = None) -> SigningCredential:
    cred = SigningCredential(
        organisation_id=org.id, kind=kind, holder=holder, user_id=user.id if user else None,
        subject=cert.subject.rfc4514_string()[:512], serial=format(cert.serial_number, "x"),
        key_type=KEY_TYPE, not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        certificate=cert.public_bytes(serialization.Encoding.DER),
        private_key=encrypt_key(key, passphrase),
    )
    db.session.add(cred)
    db.session.flush()
    return cred


def _credential(org_id: int, holder: str) -> SigningCredential | None:
    return db.session.scalar(sa.select(SigningCredential).where(
        SigningCredential.organisation_id == org_id, SigningCredential.holder == holder))


def _ca(org: Organisation, passphrase: str | None):
    cred = _credential(org.id, CA)
    if cred is None:
        raise SigningError("keys_missing")
    return x509.load_der_x509_certificate(cred.certificate), decrypt_key(cred.private_key, passphrase)


def init_keys(org: Organisation, passphrase: str | None = None) -> None:
    """Create what is missing (CA, organisation certificate, leaders' and clerks'
    certificates); running it again changes nothing. The caller commits."""
    if _credential(org.id, CA) is None:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name((NameOID.COUNTRY_NAME, "VN"),
                        (NameOID.STATE_OR_PROVINCE_NAME, org.governing_body),
                        (NameOID.ORGANIZATION_NAME, org.name),
                        (NameOID.ORGANIZATION_IDENTIFIER, org.organ_id),
                        (NameOID.COMMON_NAME, f"CA ký số {org.name}"[:64]))
        cert = _issue(subject, key.public_key(), subject, key, ca=True, years=CA_YEARS)
        _store(org, "ca", CA, cert, key, passphrase)
    ca_cert, ca_key = _ca(org, passphrase)
    if _credential(org.id, ORGANISATION) is None:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name((NameOID.COUNTRY_NAME, "VN"),
                        (NameOID.STATE_OR_PROVINCE_NAME, org.governing_body),
                        (NameOID.ORGANIZATION_NAME, org.name[:64]),
                        (NameOID.ORGANIZATION_IDENTIFIER, org.organ_id),
                        (NameOID.COMMON_NAME, org.name[:64]))
        cert = _issue(subject, key.public_key(), ca_cert.subject, ca_key, ca=False,
                      years=LEAF_YEARS, issuer_cert=ca_cert)
        _store(org, "organisation", ORGANISATION, cert, key, passphrase)
    users = db.session.scalars(sa.select(User).where(
        User.organisation_id == org.id, User.active.is_(True)).order_by(User.id))
    for user in users:
        if any(user.has_role(role) for role in SIGNING_ROLES):
            _ensure_user_key(user, ca_cert, ca_key, passphrase)


def ensure_user_key(user: User, passphrase: str | None = None) -> None:
    """Give ``user`` a certificate from their commune's CA, unless they have one."""
    if _credential(user.organisation_id, user_holder(user.id)) is not None:
        return
    org = db.session.get(Organisation, user.organisation_id)
    assert org is not None
    ca_cert, ca_key = _ca(org, passphrase)
    _ensure_user_key(user, ca_cert, ca_key, passphrase)


def _ensure_user_key(user: User, ca_cert, ca_key, passphrase: str | None) -> None:
    if _credential(user.organisation_id, user_holder(user.id)) is not None:
        return
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name((NameOID.COUNTRY_NAME, "VN"),
                    (NameOID.ORGANIZATION_NAME, user.organisation.name[:64]),
                    (NameOID.TITLE, user.position.name if user.position else ""),
                    (NameOID.USER_ID, user.username),
                    (NameOID.COMMON_NAME, user.full_name[:64]))
    cert = _issue(subject, key.public_key(), ca_cert.subject, ca_key, ca=False,
                  years=LEAF_YEARS, issuer_cert=ca_cert)
    _store(user.organisation, "user", user_holder(user.id), cert, key, passphrase, user=user)


# --- loading identities ------------------------------------------------------------

_cache: dict[tuple[int, str], SigningIdentity] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 512


def _identity(cred: SigningCredential, ca_cred: SigningCredential, name: str,
              passphrase: str | None) -> SigningIdentity:
    key = (cred.id, hashlib.sha256(cred.private_key + ca_cred.certificate).hexdigest())
    with _cache_lock:
        if (hit := _cache.get(key)) is not None:
            return hit
    identity = SigningIdentity(
        name=name,
        certificate=asn1_x509.Certificate.load(cred.certificate),
        chain=(asn1_x509.Certificate.load(ca_cred.certificate),),
        private_key=decrypt_key(cred.private_key, passphrase),
    )
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = identity
    return identity


def _pair(org_id: int, holder: str) -> tuple[SigningCredential | None, SigningCredential | None]:
    """The holder's credential and the CA's, in one query (this runs on every signature)."""
    rows = db.session.scalars(sa.select(SigningCredential).where(
        SigningCredential.organisation_id == org_id, SigningCredential.holder.in_((holder, CA))))
    found = {row.holder: row for row in rows}
    return found.get(holder), found.get(CA)


def identity_for_user(user: User, passphrase: str | None = None) -> SigningIdentity:
    cred, ca_cred = _pair(user.organisation_id, user_holder(user.id))
    if cred is None or ca_cred is None:
        raise SigningError("user_key_missing" if ca_cred else "keys_missing")
    return _identity(cred, ca_cred, user.full_name, passphrase)


def identity_for_organisation(org: Organisation, passphrase: str | None = None) -> SigningIdentity:
    cred, ca_cred = _pair(org.id, ORGANISATION)
    if cred is None or ca_cred is None:
        raise SigningError("keys_missing")
    return _identity(cred, ca_cred, org.name, passphrase)


def commune_roots() -> list[asn1_x509.Certificate]:
    """Every commune CA in this deployment: the trust roots verification starts from."""
    blobs = db.session.scalars(sa.select(SigningCredential.certificate).where(SigningCredential.kind == "ca"))
    return [_load_cert(bytes(b)) for b in blobs]


_cert_cache: dict[bytes, asn1_x509.Certificate] = {}


def _load_cert(der: bytes) -> asn1_x509.Certificate:
    cert = _cert_cache.get(der)
    if cert is None:
        if len(_cert_cache) > 1024:
            _cert_cache.clear()
        cert = _cert_cache[der] = asn1_x509.Certificate.load(der)
    return cert


def credentials(org: Organisation) -> list[SigningCredential]:
    return list(db.session.scalars(sa.select(SigningCredential).where(
        SigningCredential.organisation_id == org.id).order_by(SigningCredential.id)))
