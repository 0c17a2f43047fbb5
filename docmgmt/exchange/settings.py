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
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import current_app


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

    @property
    def configured(self) -> bool:
        return bool(self.url or self.directory)

    def token_for(self, organ_id: str) -> str:
        return self.tokens.get(organ_id) or self.token


def settings() -> ExchangeSettings:
    tokens = {}
    for pair in _get("TOKENS").split(","):
        organ, sep, token = pair.partition("=")
        if sep and organ.strip() and token.strip():
            tokens[organ.strip()] = token.strip()
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
    )
