"""How messages travel: one interface, two transports.

- ``HttpTransport``: the provincial hub (or ``scripts/province_hub.py`` for demos).
  Push: ``POST {url}/messages?to=OrganId`` with the edXML as the body and
  ``Authorization: Bearer <token>``. Pull: ``GET {url}/messages?organ_id=…`` lists what
  waits for us (JSON, base64 bodies), and ``POST {url}/messages/<id>/ack`` takes a
  message off the queue once we have committed it (or refused it for good).
- ``DirectoryTransport``: a drop folder for offline exchange (a USB stick, a shared
  folder): we write ``out/<destination>/<sha>.edxml`` and read ``in/*.edxml``, always
  through a temporary name and an atomic rename, so a half-copied file is never read;
  an acknowledged file moves to ``in/done/`` (``in/rejected/`` if refused).

Transports know nothing of the database. Failures are ``TransportError``: the worker
retries them with backoff. The hub is idempotent on (destination, message hash), so a
push repeated after a crash delivers once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests


class TransportError(Exception):
    """The message did not get through (network, hub refused, folder unwritable)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Inbound:
    id: str
    data: bytes


class Transport(Protocol):
    def push(self, destination: str, data: bytes) -> None: ...

    def pull(self) -> list[Inbound]: ...

    def ack(self, message_id: str, rejected: str | None = None) -> None: ...


class HttpTransport:
    def __init__(self, url: str, token: str, organ_id: str, timeout: float = 15.0) -> None:
        self.url, self.token, self.organ_id, self.timeout = url.rstrip("/"), token, organ_id, timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, self.url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise TransportError(
                f"không kết nối được trục liên thông {self.url}: {type(exc).__name__}"
            ) from exc
        if response.status_code >= 400:
            try:
                error = response.json().get("error", {})
                detail = f"{error.get('code')}: {error.get('message')}"
            except ValueError:
                detail = response.text[:300]
            # 4xx other than auth/rate: the hub will never take this message as it is.
            permanent = 400 <= response.status_code < 500 and response.status_code not in (401, 403, 408, 429)
            raise TransportError(
                f"trục liên thông trả lỗi {response.status_code} ({detail})", permanent=permanent
            )
        return response

    def push(self, destination: str, data: bytes) -> None:
        self._call(
            "POST",
            "/messages",
            params={"to": destination},
            data=data,
            headers={"Content-Type": "application/xml"},
        )

    def pull(self) -> list[Inbound]:
        body = self._call("GET", "/messages", params={"organ_id": self.organ_id}).json()
        return [Inbound(str(m["id"]), base64.b64decode(m["data"])) for m in body.get("messages", [])]

    def ack(self, message_id: str, rejected: str | None = None) -> None:
        self._call("POST", f"/messages/{message_id}/ack", json={"rejected": rejected} if rejected else {})


class DirectoryTransport:
    def __init__(self, root: str | Path, organ_id: str) -> None:
        self.root = Path(str(root).replace("{organ_id}", organ_id))
        self.organ_id = organ_id

    @staticmethod
    def _atomic_write(folder: Path, name: str, data: bytes) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            final = folder / name
            os.replace(tmp, final)
            return final
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def push(self, destination: str, data: bytes) -> None:
        name = f"{hashlib.sha256(data).hexdigest()}.edxml"  # same message, same file: once
        try:
            self._atomic_write(self.root / "out" / destination, name, data)
        except OSError as exc:
            raise TransportError(f"không ghi được vào thư mục trao đổi {self.root}: {exc}") from exc

    def pull(self) -> list[Inbound]:
        inbox = self.root / "in"
        if not inbox.is_dir():
            return []
        files = sorted(
            (
                p
                for p in inbox.iterdir()
                if p.is_file() and p.suffix in (".edxml", ".xml") and not p.name.startswith(".")
            ),
            key=lambda p: (p.stat().st_mtime, p.name),
        )
        return [Inbound(p.name, p.read_bytes()) for p in files]

    def ack(self, message_id: str, rejected: str | None = None) -> None:
        inbox = self.root / "in"
        source = inbox / Path(message_id).name
        target_dir = inbox / ("rejected" if rejected else "done")
        target_dir.mkdir(parents=True, exist_ok=True)
        if source.exists():
            os.replace(source, target_dir / source.name)
        if rejected:
            (target_dir / f"{source.name}.error.txt").write_text(rejected, encoding="utf-8")


def to_json(messages: list[Inbound]) -> str:
    """The hub's pull format (used by the hub and its tests)."""
    return json.dumps(
        {"messages": [{"id": m.id, "data": base64.b64encode(m.data).decode()} for m in messages]}
    )
