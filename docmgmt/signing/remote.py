"""RemoteSigner: signing by a provider that holds the user's key (VNPT SmartCA,
Viettel MySign), behind the same :class:`Signer` interface.

The provider never sees the document, only a hash:

1. ``POST {base}/signatures`` ``{user_id, hash (base64), hash_algorithm, description}``
   → ``{transaction_id}``; the provider pushes a confirmation to the user's phone.
2. ``GET {base}/signatures/{transaction_id}`` until it answers ``approved``
   (``signature`` base64, ``format`` "cms" or "raw", ``certificate_chain`` base64 DER
   list), ``refused`` or ``expired``; ``pending`` means ask again after
   ``poll_interval`` seconds, up to ``timeout``.

Two formats, as the real services differ:

* ``cms`` (default): the hash sent is the PDF byte-range digest; the provider returns a
  detached CMS SignedData, embedded as is (pyHanko's interrupted signing:
  ``PdfTBSDocument.finish_signing``).
* ``raw``: the signer's certificate is fetched first (``GET {base}/users/{id}/certificate``),
  the CAdES signed attributes are built here, their hash is sent, and the returned raw
  signature value is wrapped into the CMS here (pyHanko ``ExternalSigner``).

Errors become :class:`SigningError` codes ``remote_timeout``, ``remote_refused``,
``remote_expired``, ``remote_unavailable`` and ``remote_bad_response``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from asn1crypto import cms, x509
from pyhanko.sign.signers.pdf_cms import ExternalSigner, PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .base import MD_ALGORITHM, Signer
from .errors import SigningError
from .identity import SigningIdentity


class RemoteSigner(Signer):
    # a provider's certificate chain can be long (national root, sub-CA, user)
    bytes_reserved = 16384

    def __init__(self, base_url: str, *, poll_interval: float = 2.0, timeout: float = 120.0,
                 request_timeout: float = 10.0, mode: str = "cms", api_key: str | None = None):
        if mode not in ("cms", "raw"):
            raise ValueError("mode is 'cms' or 'raw'")
        self.base_url = base_url.rstrip("/")
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.request_timeout = request_timeout
        self.mode = mode
        self.api_key = api_key
        self._chains: dict[str, tuple[x509.Certificate, ...]] = {}

    @classmethod
    def from_config(cls, config: dict) -> RemoteSigner:
        """From SIGNING_REMOTE_URL, …_POLL_INTERVAL, …_TIMEOUT, …_MODE, …_API_KEY."""
        return cls(config["SIGNING_REMOTE_URL"],
                   poll_interval=float(config.get("SIGNING_REMOTE_POLL_INTERVAL", 2.0)),
                   timeout=float(config.get("SIGNING_REMOTE_TIMEOUT", 120.0)),
                   mode=config.get("SIGNING_REMOTE_MODE", "cms"),
                   api_key=config.get("SIGNING_REMOTE_API_KEY") or None)

    # --- HTTP -------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self.request_timeout) as response:
                payload = response.read(4 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and path.startswith("/signatures/"):
                raise SigningError("remote_expired", detail=f"{path}: 404") from None
            raise SigningError("remote_unavailable", detail=f"{method} {path}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise SigningError("remote_unavailable", detail=f"{method} {path}: {exc}") from None
        try:
            answer = json.loads(payload)
        except ValueError:
            raise SigningError("remote_bad_response", detail="not JSON") from None
        if not isinstance(answer, dict):
            raise SigningError("remote_bad_response", detail="not a JSON object")
        return answer

    async def _acall(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        # urllib blocks: keep the event loop free (several signings may wait at once)
        return await asyncio.to_thread(self._call, method, path, body)

    # --- the Signer hooks ---------------------------------------------------------------------

    def _user(self, identity: SigningIdentity) -> str:
        if not identity.remote_user_id:
            raise SigningError("user_key_missing", "Người ký chưa đăng ký dịch vụ ký số từ xa.")
        return identity.remote_user_id

    def _chain(self, identity: SigningIdentity) -> tuple[x509.Certificate, ...]:
        user = self._user(identity)
        if user not in self._chains:
            answer = self._call("GET", f"/users/{user}/certificate")
            self._chains[user] = _load_chain(answer.get("certificate_chain"))
        return self._chains[user]

    def pyhanko_signer(self, identity: SigningIdentity):
        if self.mode == "raw":
            chain = self._chain(identity)
            return ExternalSigner(chain[0], SimpleCertificateStore.from_certs(chain), signature_value=64)
        # CMS mode: the certificate comes back with the signature; nothing to know before
        return ExternalSigner(None, None, signature_value=64)

    async def container(self, document_digest: bytes, identity: SigningIdentity, when: datetime,
                        *, description: str) -> cms.ContentInfo:
        user = self._user(identity)
        if self.mode == "cms":
            answer = await self._request_signature(user, document_digest, description)
            return _check_cms(answer, document_digest)
        chain = self._chain(identity)
        builder = ExternalSigner(chain[0], SimpleCertificateStore.from_certs(chain))
        signed_attrs = await builder.signed_attrs(
            document_digest, MD_ALGORITHM, attr_settings=PdfCMSSignedAttributes(signing_time=when),
            use_pades=True)
        to_sign = hashlib.new(MD_ALGORITHM, signed_attrs.dump()).digest()
        answer = await self._request_signature(user, to_sign, description)
        value = _b64(answer.get("signature"))
        final = ExternalSigner(chain[0], SimpleCertificateStore.from_certs(chain), signature_value=value)
        return await final.async_sign_prescribed_attributes(MD_ALGORITHM, signed_attrs=signed_attrs)

    async def _request_signature(self, user: str, digest: bytes, description: str) -> dict[str, Any]:
        started = await self._acall("POST", "/signatures", {
            "user_id": user,
            "hash": base64.b64encode(digest).decode(),
            "hash_algorithm": MD_ALGORITHM,
            "description": description,
            "format": self.mode,
        })
        transaction = started.get("transaction_id")
        if not isinstance(transaction, str) or not transaction:
            raise SigningError("remote_bad_response", detail="no transaction_id")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = await self._acall("GET", f"/signatures/{transaction}")
            status = answer.get("status")
            if status == "approved":
                return answer
            if status == "refused":
                raise SigningError("remote_refused", detail=transaction)
            if status == "expired":
                raise SigningError("remote_expired", detail=transaction)
            if status != "pending":
                raise SigningError("remote_bad_response", detail=f"status {status!r}")
            if time.monotonic() + self.poll_interval > deadline:
                raise SigningError("remote_timeout", detail=transaction)
            await asyncio.sleep(self.poll_interval)


def _b64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise SigningError("remote_bad_response", detail="missing base64 field")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise SigningError("remote_bad_response", detail="bad base64") from None


def _load_chain(values: Any) -> tuple[x509.Certificate, ...]:
    if not isinstance(values, list) or not values:
        raise SigningError("remote_bad_response", detail="no certificate chain")
    try:
        chain = tuple(x509.Certificate.load(_b64(v)) for v in values)
        for cert in chain:
            cert.native  # noqa: B018 - parse now, not halfway through embedding
    except SigningError:
        raise
    except Exception:  # noqa: BLE001 - asn1crypto raises many types for bad DER
        raise SigningError("remote_bad_response", detail="bad certificate") from None
    return chain


def _check_cms(answer: dict[str, Any], document_digest: bytes) -> cms.ContentInfo:
    """The provider's CMS must be SignedData over exactly our digest (a provider bug or
    a mix-up of transactions must not produce a PDF that fails verification later)."""
    try:
        info = cms.ContentInfo.load(_b64(answer.get("signature")))
        signed = info["content"]
        signer_info = signed["signer_infos"][0]
        digests = [a["values"][0].native for a in signer_info["signed_attrs"]
                   if a["type"].native == "message_digest"]
    except SigningError:
        raise
    except Exception:  # noqa: BLE001
        raise SigningError("remote_bad_response", detail="not a CMS SignedData") from None
    if info["content_type"].native != "signed_data" or digests != [document_digest]:
        raise SigningError("remote_bad_response", detail="CMS does not sign this document")
    return info
