"""SigningIdentity: who signs, with what (a local key, or a remote provider's user id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asn1crypto import x509


@dataclass(eq=False)
class SigningIdentity:
    """The signer as the library sees it.

    Local signing needs ``certificate`` and ``private_key`` (a ``cryptography`` key);
    ``chain`` holds the issuing certificates (embedded in the signature so any
    verifier can build the path). Remote signing needs ``remote_user_id`` only: the
    provider holds the key and returns its certificate with the signature.
    """

    name: str
    certificate: x509.Certificate | None = None
    chain: tuple[x509.Certificate, ...] = ()
    private_key: Any = field(default=None, repr=False)
    remote_user_id: str | None = None
    # pyHanko signer built once per identity (identities are cached by keys.py)
    _pyhanko_signer: Any = field(default=None, init=False, repr=False)
    # fastcms.CmsTemplate once known; False when the reference did not reproduce
    _cms_template: Any = field(default=None, init=False, repr=False)
    _cms_size: int = field(default=0, init=False, repr=False)
