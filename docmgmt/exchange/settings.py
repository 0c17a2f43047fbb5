"""Where and how this deployment reaches the province: read from the app config, then
from the environment (``XASO_EXCHANGE_*``), so nothing needs configuring for a commune
that does not exchange yet.

- ``XASO_EXCHANGE_URL``      the hub (HTTP transport), e.g. https://lienthong.phutho.gov.vn
- ``XASO_EXCHANGE_TOKEN``    our bearer token at the hub
- ``XASO_EXCHANGE_TOKENS``   per organisation, when several communes share a deployment:
                             ``000.00.12.H42=tokA,000.00.13.H42=tokB``
- ``XASO_EXCHANGE_ORGAN_ID`` the organisation(s) this deployment exchanges for
                             (comma-separated; default: every organisation with a token,
                             or the only one)
- ``XASO_EXCHANGE_DIR``      a drop folder instead of a hub (directory transport);
                             ``{organ_id}`` in it is replaced per organisation
- ``XASO_EXCHANGE_CLERK``    who registers received documents (default: the first
                             active clerk of the organisation)
- ``XASO_EXCHANGE_RETRY_BASE`` / ``_RETRY_MAX`` backoff in seconds (30 / 3600)
- ``XASO_EXCHANGE_TIMEOUT``  seconds per HTTP request (15)
- ``XASO_EXCHANGE_SIGN``     sign every package we send with the organisation's
                             certificate (``on``, default; ``off`` only for tests)
- ``XASO_EXCHANGE_SIGN_DIGEST`` the signature's digest: ``sha256`` (default) or ``sha1``
- ``XASO_EXCHANGE_SIGN_DIGESTS`` per destination, for receivers that need SHA-1:
                             ``000.00.00.H41=sha1,000.00.12.H42=sha1``
- ``XASO_EXCHANGE_SIGN_REMOTE_USER`` the organisation's user id at the remote signing
                             provider (``XASO_SIGNING_REMOTE_URL``): packages are then
                             signed there (SHA-256), not with the key kept here
- ``XASO_EXCHANGE_TRUST_ROOTS`` the trust roots received signatures are checked
                             against: PEM bundles or folders of certificates (the
                             province's CA, the national CA list), separated by ``:``;
                             the commune CAs of this deployment are always trusted
- ``XASO_EXCHANGE_SIGNATURE_POLICY`` ``warn`` (default: register, with a visible
                             warning, a package whose signature is missing, invalid or
                             from an unknown signer) or ``refuse`` (answer it with
                             status 02 and the reason, register nothing)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from flask import current_app

from .xmlsig import DIGESTS

POLICIES = ("warn", "refuse")


def _get(key: str, default: str = "") -> str:
    value = current_app.config.get(f"EXCHANGE_{key}")
    if value is None or value == "":
        value = os.environ.get(f"XASO_EXCHANGE_{key}", default)
    return str(value).strip()


@dataclass(frozen=True)
class ExchangeSettings:
    url: str
    token: str
    tokens: dict[str, str]
    organ_ids: tuple[str, ...]
    directory: str
    clerk: str
    retry_base: float
    retry_max: float
    timeout: float
    sign: bool = True
    sign_digest: str = "sha256"
    sign_digests: dict[str, str] = field(default_factory=dict)
    sign_remote_user: str = ""
    trust_roots: tuple[str, ...] = ()
    signature_policy: str = "warn"

    @property
    def configured(self) -> bool:
        return bool(self.url or self.directory)

    def token_for(self, organ_id: str) -> str:
        return self.tokens.get(organ_id) or self.token

    def digest_for(self, organ_id: str) -> str:
        """The signature digest a destination gets (SHA-1 only where configured)."""
        return self.sign_digests.get(organ_id) or self.sign_digest


def settings() -> ExchangeSettings:
    tokens = {}
    for pair in _get("TOKENS").split(","):
        organ, sep, token = pair.partition("=")
        if sep and organ.strip() and token.strip():
            tokens[organ.strip()] = token.strip()
    digests = {}
    for pair in _get("SIGN_DIGESTS").split(","):
        organ, sep, digest = pair.partition("=")
        if sep and organ.strip():
            digests[organ.strip()] = _digest(digest, "XASO_EXCHANGE_SIGN_DIGESTS")
    policy = _get("SIGNATURE_POLICY", "warn").lower()
    if policy not in POLICIES:
        raise ValueError(f"XASO_EXCHANGE_SIGNATURE_POLICY: {policy!r} is not one of {', '.join(POLICIES)}")
    return ExchangeSettings(
        url=_get("URL").rstrip("/"),
        token=_get("TOKEN"),
        tokens=tokens,
        organ_ids=tuple(o.strip() for o in _get("ORGAN_ID").split(",") if o.strip()),
        directory=_get("DIR"),
        clerk=_get("CLERK"),
        retry_base=float(_get("RETRY_BASE", "30")),
        retry_max=float(_get("RETRY_MAX", "3600")),
        timeout=float(_get("TIMEOUT", "15")),
        sign=_get("SIGN", "on").lower() not in ("off", "0", "false", "no"),
        sign_digest=_digest(_get("SIGN_DIGEST", "sha256"), "XASO_EXCHANGE_SIGN_DIGEST"),
        sign_digests=digests,
        sign_remote_user=_get("SIGN_REMOTE_USER"),
        trust_roots=tuple(p.strip() for p in _get("TRUST_ROOTS").split(os.pathsep) if p.strip()),
        signature_policy=policy,
    )


def _digest(value: str, name: str) -> str:
    value = value.strip().lower().replace("-", "")
    if value not in DIGESTS:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(DIGESTS)}")
    return value
