"""CMS SignedData assembled from a per-identity template (the issuance chain's hot path).

Building a CMS with pyHanko goes through asn1crypto, which re-encodes the embedded
certificates and attributes on every signature: about 27 ms per signature, more than
half of the whole chain. For one identity everything but two signed attributes is the
same every time, so pyHanko builds one reference CMS per identity, this module keeps
its parts as DER, and each signature only encodes ``message-digest`` and
``signing-time``, signs, and concatenates (≈0.3 ms).

The template proves itself when it is made: re-assembled with the reference's own
values it must equal pyHanko's DER byte for byte, otherwise it is not used and the
caller falls back to pyHanko.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

OID_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")
OID_MESSAGE_DIGEST = bytes.fromhex("06092a864886f70d010904")
OID_SIGNING_TIME = bytes.fromhex("06092a864886f70d010905")


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + content


def _utc_time(when: datetime) -> bytes:
    # asn1crypto (hence pyHanko) writes UTCTime until 2049, GeneralizedTime after
    when = when.astimezone(UTC)
    if when.year < 2050:
        return tlv(0x17, when.strftime("%y%m%d%H%M%SZ").encode())
    return tlv(0x18, when.strftime("%Y%m%d%H%M%SZ").encode())


@dataclass(frozen=True)
class CmsTemplate:
    sd_head: bytes  # version, digestAlgorithms, encapContentInfo, [0] certificates
    si_head: bytes  # version, sid, digestAlgorithm
    si_tail_head: bytes  # signatureAlgorithm
    attrs: tuple[bytes | str, ...]  # DER of constant attributes; "md" / "time" mark the two that vary

    @classmethod
    def from_reference(cls, reference: cms.ContentInfo) -> CmsTemplate | None:
        """The template of ``reference`` (one signer, no unsigned attributes), or None
        when the reference has a shape this module does not reproduce."""
        sd = reference["content"]
        if len(sd["signer_infos"]) != 1 or sd["crls"].native:
            return None
        si = sd["signer_infos"][0]
        if si["unsigned_attrs"].native:
            return None
        attrs: list[bytes | str] = []
        for attr in si["signed_attrs"]:
            kind = attr["type"].native
            attrs.append({"message_digest": "md", "signing_time": "time"}.get(kind) or attr.dump())
        # PAdES leaves signing-time out of the CMS (the time is /M in the signature
        # dictionary); plain CMS has it. Both shapes are reproduced.
        if attrs.count("md") != 1 or attrs.count("time") > 1:
            return None
        template = cls(
            sd_head=sd["version"].dump() + sd["digest_algorithms"].dump() + sd["encap_content_info"].dump()
            + sd["certificates"].dump(),
            si_head=si["version"].dump() + si["sid"].dump() + si["digest_algorithm"].dump(),
            si_tail_head=si["signature_algorithm"].dump(),
            attrs=tuple(attrs),
        )
        values = {a["type"].native: a["values"][0].native for a in si["signed_attrs"]}
        digest, when = values["message_digest"], values.get("signing_time") or datetime.now(UTC)
        again = template.assemble(digest, when, si["signature"].native)
        return template if again == reference.dump() else None

    def signed_attributes(self, digest: bytes, when: datetime) -> bytes:
        """The content of the signed attributes (without the SET/[0] header)."""
        md = tlv(0x30, OID_MESSAGE_DIGEST + tlv(0x31, tlv(0x04, digest)))
        st = tlv(0x30, OID_SIGNING_TIME + tlv(0x31, _utc_time(when)))
        return b"".join(md if a == "md" else st if a == "time" else a for a in self.attrs)  # type: ignore[misc]

    def assemble(self, digest: bytes, when: datetime, signature: bytes, attrs: bytes | None = None) -> bytes:
        attrs = self.signed_attributes(digest, when) if attrs is None else attrs
        signer_info = tlv(0x30, self.si_head + tlv(0xA0, attrs) + self.si_tail_head + tlv(0x04, signature))
        signed_data = tlv(0x30, self.sd_head + tlv(0x31, signer_info))
        return tlv(0x30, OID_SIGNED_DATA + tlv(0xA0, signed_data))

    def sign(self, key: ec.EllipticCurvePrivateKey, digest: bytes, when: datetime) -> bytes:
        attrs = self.signed_attributes(digest, when)
        signature = key.sign(tlv(0x31, attrs), ec.ECDSA(hashes.SHA256()))
        return self.assemble(digest, when, signature, attrs)
