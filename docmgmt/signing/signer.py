"""Signers and the issuance steps the outgoing workflow calls.

* :class:`Signer` (interface, in ``base``), :class:`LocalSigner` (keys from the commune
  CA, in process) and :class:`~docmgmt.signing.remote.RemoteSigner` (VNPT SmartCA /
  Viettel MySign shape).
* The NĐ30 steps, in order: :func:`sign_as_leader` (certification, DocMDP “form
  filling”), :func:`fill_number`, :func:`sign_as_organisation` (seal); and
  :func:`sign_attachment` for a separate attachment file.

Each step takes and returns PDF bytes; each is one incremental update, so earlier
signatures keep verifying.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from ..extensions import db
from ..org.models import Organisation, User
from . import images, keys
from .appearance import (
    Appearance,
    attachment_appearance,
    attachment_box,
    attachment_size,
    leader_appearance,
    seal_appearance,
)
from .base import MD_ALGORITHM, Signer, now_vn, page_refs, page_size
from .errors import SigningError
from .fastcms import CmsTemplate
from .fill import fill_number
from .identity import SigningIdentity
from .models import SEAL, SignatureImage, user_holder
from .prepare import locate_leader, locate_seal
from .remote import RemoteSigner

__all__ = [
    "Signer", "LocalSigner", "RemoteSigner", "SigningIdentity", "Appearance", "SigningError",
    "sign_as_leader", "fill_number", "sign_as_organisation", "sign_attachment",
    "signature_png", "seal_png", "set_signature_image", "set_seal_image",
]


class _KeptKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner re-parses the private key for every signature; this one
    keeps the parsed key (ECDSA P-256 here, RSA works through the parent class)."""

    def __init__(self, identity: SigningIdentity):
        key = identity.private_key
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        super().__init__(
            signing_cert=identity.certificate,
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            # pyHanko adds the signing certificate itself; the registry holds the issuers
            cert_registry=SimpleCertificateStore.from_certs(list(identity.chain)),
        )
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        return self.sign_raw(data, digest_algorithm)


class LocalSigner(Signer):
    """PAdES baseline B-B with a key held by this server (the commune CA's)."""

    def pyhanko_signer(self, identity: SigningIdentity):
        if identity.certificate is None or identity.private_key is None:
            raise SigningError("user_key_missing", detail="identity without local key")
        if identity._pyhanko_signer is None:
            identity._pyhanko_signer = _KeptKeySigner(identity)
        return identity._pyhanko_signer

    async def container(self, document_digest: bytes, identity: SigningIdentity, when: datetime,
                        *, description: str) -> cms.ContentInfo | bytes:
        signer = self.pyhanko_signer(identity)
        template = identity._cms_template
        if template is None and isinstance(identity.private_key, ec.EllipticCurvePrivateKey):
            # one pyHanko-built reference per identity (see fastcms)
            reference = await signer.async_sign(
                document_digest, MD_ALGORITHM, use_pades=True,
                signed_attr_settings=PdfCMSSignedAttributes(signing_time=when))
            identity._cms_template = CmsTemplate.from_reference(reference) or False
            identity._cms_size = len(reference.dump())
            return reference
        if template:
            return template.sign(identity.private_key, document_digest, when)
        return await signer.async_sign(
            document_digest, MD_ALGORITHM, use_pades=True,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=when),
        )

    def reserve(self, identity: SigningIdentity) -> int:
        """Hex digits to keep for the CMS: once an identity has signed, its size (the
        ECDSA value varies by a few bytes) so later readers parse a short /Contents."""
        if identity._cms_size:
            return 2 * (identity._cms_size + 32)
        return self.bytes_reserved


_local = LocalSigner()


# --- images ------------------------------------------------------------------------------------

def _image(org_id: int, holder: str) -> bytes | None:
    return db.session.scalar(sa.select(SignatureImage.png).where(
        SignatureImage.organisation_id == org_id, SignatureImage.holder == holder))


def signature_png(user: User) -> bytes:
    """The user's uploaded signature, or one drawn from their name."""
    return _image(user.organisation_id, user_holder(user.id)) or _drawn_signature(user.full_name)


def seal_png(org: Organisation) -> bytes:
    return _image(org.id, SEAL) or _drawn_seal(org.name, org.abbreviation, org.governing_body)


def _cached(fn):
    from functools import lru_cache

    return lru_cache(maxsize=256)(fn)


_drawn_signature = _cached(images.draw_signature)


@_cached
def _drawn_seal(name: str, abbreviation: str, governing_body: str) -> bytes:
    # The name around the ring is the organisation's; “ỦY BAN NHÂN DÂN XÃ …” reads as
    # on real seals. The governing body (“Tỉnh Phú Thọ”) runs under it.
    return images.draw_seal(name, abbreviation, governing_body)


def _store_image(org_id: int, holder: str, user_id: int | None, png: bytes) -> None:
    row = db.session.scalar(sa.select(SignatureImage).where(
        SignatureImage.organisation_id == org_id, SignatureImage.holder == holder))
    if row is None:
        row = SignatureImage(organisation_id=org_id, holder=holder, user_id=user_id)
        db.session.add(row)
    row.png = png
    row.sha256 = hashlib.sha256(png).hexdigest()
    db.session.flush()


def set_signature_image(user: User, png: bytes) -> None:
    """Store an uploaded signature image, recoloured blue on transparency (§7d)."""
    _store_image(user.organisation_id, user_holder(user.id), user.id, images.normalise(png, images.BLUE))


def set_seal_image(org: Organisation, png: bytes) -> None:
    """Store an uploaded seal image, recoloured red on transparency (§8a)."""
    _store_image(org.id, SEAL, None, images.normalise(png, images.RED))


# --- the NĐ30 steps ---------------------------------------------------------------------------

def _position(user: User) -> str:
    return user.position.name if user.position else ""


def sign_as_leader(pdf: bytes, user: User, *, signer: Signer | None = None,
                   identity: SigningIdentity | None = None, authority: str = "",
                   position: str | None = None) -> bytes:
    """The leader's certification signature (DocMDP: form filling allowed), visible in
    the signature block: position (``authority`` line first, e.g. “TM. ỦY BAN NHÂN DÂN”
    or, signing under a delegation, “KT. CHỦ TỊCH”, “TUQ. CHỦ TỊCH”), blue signature
    image, name. ``position``: the line under the authority when it is not the signer's
    own position (“Q. CHỦ TỊCH” for the acting head). Extensions: ``signer``/``identity``
    for remote signing."""
    signer = signer or _local
    identity = identity or keys.identity_for_user(user)
    position = "\n".join(p for p in (authority, _position(user) if position is None else position) if p)
    appearance = leader_appearance(name=user.full_name, position=position, signature_png=signature_png(user),
                                   box=None, reason="Ký ban hành", locate=locate_leader)
    return signer.sign(pdf, identity, appearance, certify=True)


def sign_as_organisation(pdf: bytes, org: Organisation, *, number_symbol: str, seal: bool = True,
                         signer: Signer | None = None) -> bytes:
    """The organisation's approval signature, with the red seal over the left third of
    the leader's signature image (or invisible with ``seal=False``)."""
    identity = keys.identity_for_organisation(org)
    reason = f"Phát hành văn bản số {number_symbol}"
    if seal:
        appearance = seal_appearance(seal_png=seal_png(org), box=None, reason=reason, locate=locate_seal)
    else:
        appearance = Appearance("chu_ky_co_quan_an", reason=reason)
    return (signer or _local).sign(pdf, identity, appearance)


def sign_attachment(pdf: bytes, org: Organisation, number_symbol: str, *,
                    signer: Signer | None = None) -> bytes:
    """§8b: the organisation's signature on a separate attachment, top right of page 1,
    with the number/symbol and the signing time (ISO 8601, +07:00), Times 10."""
    identity = keys.identity_for_organisation(org)
    when = now_vn()
    size = attachment_size(number_symbol, when)

    def locate(writer, _pdf: bytes):
        w, h = page_size(page_refs(writer)[0].get_object())
        return 0, attachment_box(w, h, size), False

    appearance = attachment_appearance(number_symbol=number_symbol, when=when,
                                       reason=f"Văn bản kèm theo văn bản số {number_symbol}", locate=locate)
    return (signer or _local).sign(pdf, identity, appearance)
