#!/usr/bin/env python3
"""A small province hub (trục liên thông) for demos and tests: routes edXML messages
between registered communes by ``To/OrganId``.

    python scripts/province_hub.py --db hub.sqlite3 --port 8765 \\
        --commune 000.00.12.H42=token-kimboi --commune 000.00.13.H42=token-lacson

API (every call: ``Authorization: Bearer <the commune's token>``):

- ``POST /messages[?to=OrganId]``  body: the edXML. The sender must be the commune of
  the token (``From/OrganId``). Queued for every registered ``To`` (or only ``to``).
  Idempotent: the same bytes to the same destination are queued once, ever.
  → ``201 {"ids": [...], "queued": n}``; malformed edXML → ``400 {"error": {code,
  message, field}}`` (the codes of docmgmt.exchange.errors).
- ``GET /messages?organ_id=…``  what waits for that commune, oldest first:
  ``{"messages": [{"id", "from", "data" (base64)}]}``.
- ``POST /messages/<id>/ack``  taken (optionally ``{"rejected": "reason"}``).
- ``GET /healthz``.

Everything is kept in one SQLite file, committed before answering, so a restart (or a
crash) loses nothing. Listens on loopback unless told otherwise. Not a production hub:
no TLS, tokens on the command line; the national/provincial platform plays this part.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docmgmt.exchange.edxml import (  # noqa: E402
    EdxmlError,
    StatusMessage,
    addressees,
    parse_edxml,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS commune (
    organ_id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender TEXT NOT NULL,
    destination TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    acked_at TEXT,
    rejected TEXT,
    UNIQUE (destination, sha256)
);
CREATE INDEX IF NOT EXISTS ix_message_pending ON message (destination, acked_at, id);
"""
MAX_BYTES = 60 * 1024 * 1024


class Hub:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()

    def register(self, organ_id: str, token: str, name: str = "") -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO commune (organ_id, token, name) VALUES (?, ?, ?) "
                "ON CONFLICT (organ_id) DO UPDATE SET token = excluded.token",
                (organ_id, token, name))

    def commune_of(self, token: str) -> str | None:
        row = self.db.execute("SELECT organ_id FROM commune WHERE token = ?", (token,)).fetchone()
        return row[0] if row else None

    def known(self, organ_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM commune WHERE organ_id = ?", (organ_id,)).fetchone() is not None

    def queue(self, sender: str, destinations: list[str], data: bytes) -> tuple[list[int], int]:
        digest = hashlib.sha256(data).hexdigest()
        ids, new = [], 0
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for destination in destinations:
                    cursor = self.db.execute(
                        "INSERT INTO message (sender, destination, sha256, data) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (destination, sha256) DO NOTHING",
                        (sender, destination, digest, data))
                    new += cursor.rowcount
                    ids.append(self.db.execute(
                        "SELECT id FROM message WHERE destination = ? AND sha256 = ?",
                        (destination, digest)).fetchone()[0])
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return ids, new

    def pending(self, organ_id: str, limit: int = 50) -> list[tuple[int, str, bytes]]:
        return self.db.execute(
            "SELECT id, sender, data FROM message WHERE destination = ? AND acked_at IS NULL "
            "ORDER BY id LIMIT ?", (organ_id, limit)).fetchall()

    def ack(self, message_id: int, organ_id: str, rejected: str | None) -> bool:
        with self.lock:
            cursor = self.db.execute(
                "UPDATE message SET acked_at = COALESCE(acked_at, datetime('now')), rejected = ? "
                "WHERE id = ? AND destination = ?", (rejected, message_id, organ_id))
        return cursor.rowcount == 1


def _error(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def make_handler(hub: Hub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "XaSoProvinceHub/1"

        def log_message(self, fmt, *args):  # quiet unless asked
            if getattr(self.server, "verbose", False):
                super().log_message(fmt, *args)

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _commune(self) -> str | None:
            auth = self.headers.get("Authorization", "")
            if not auth.lower().startswith("bearer "):
                return None
            return hub.commune_of(auth[7:].strip())

        def _body(self) -> bytes | None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BYTES:
                return None
            return self.rfile.read(length) if length else b""

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/healthz":
                return self._send(200, {"ok": True})
            if url.path != "/messages":
                return self._send(404, _error("not_found", "Không có địa chỉ này."))
            commune = self._commune()
            if commune is None:
                return self._send(401, _error("unauthenticated", "Mã truy cập không hợp lệ."))
            organ_id = (parse_qs(url.query).get("organ_id") or [commune])[0]
            if organ_id != commune:
                return self._send(403, _error("forbidden", "Chỉ nhận được gói tin gửi cho chính mình."))
            rows = hub.pending(organ_id)
            return self._send(200, {"messages": [
                {"id": str(i), "from": sender, "data": base64.b64encode(data).decode()}
                for i, sender, data in rows]})

        def do_POST(self):
            url = urlparse(self.path)
            commune = self._commune()
            if commune is None:
                self._body()
                return self._send(401, _error("unauthenticated", "Mã truy cập không hợp lệ."))
            parts = url.path.strip("/").split("/")
            if parts == ["messages"]:
                return self._post_message(commune, parse_qs(url.query).get("to", [None])[0])
            if len(parts) == 3 and parts[0] == "messages" and parts[2] == "ack" and parts[1].isdigit():
                body = self._body() or b"{}"
                try:
                    rejected = (json.loads(body) or {}).get("rejected")
                except ValueError:
                    rejected = None
                if not hub.ack(int(parts[1]), commune, rejected):
                    return self._send(404, _error("not_found", "Không có gói tin này trong hàng đợi."))
                return self._send(200, {"ok": True})
            self._body()
            return self._send(404, _error("not_found", "Không có địa chỉ này."))

        def _post_message(self, commune: str, only_to: str | None):
            data = self._body()
            if data is None:
                return self._send(413, _error("edxml_too_large", "Gói tin quá lớn."))
            try:
                msg = parse_edxml(data)
            except EdxmlError as exc:
                return self._send(400, {"error": exc.as_dict()})
            if msg.from_.organ_id != commune:
                return self._send(403, _error(
                    "forbidden", f"Gói tin ghi nơi gửi {msg.from_.organ_id}, "
                    f"nhưng mã truy cập là của {commune}.", "MessageHeader/From/OrganId"))
            # Who it is for: the rule every receiver applies again (edxml.addressees).
            addressed = addressees(msg)
            if isinstance(msg, StatusMessage):
                # A status goes back to the organisation of the document it reports on.
                if only_to:
                    addressed = [only_to]
            else:
                if only_to:
                    if only_to not in addressed:
                        return self._send(400, _error(
                            "not_addressed", f"{only_to} không có trong danh sách nơi nhận (To).",
                            "to"))
                    addressed = [only_to]
            destinations = [d for d in dict.fromkeys(addressed) if d and hub.known(d)]
            if not destinations:
                return self._send(422, _error(
                    "unknown_recipient", "Không nơi nhận nào của gói tin có kết nối với trục: "
                    + ", ".join(addressed), "MessageHeader/To/OrganId"))
            ids, new = hub.queue(commune, destinations, data)
            return self._send(201, {"ids": [str(i) for i in ids], "queued": new})

    return Handler


def serve(db_path: str, host: str, port: int, communes: list[str], verbose: bool = False) -> None:
    hub = Hub(db_path)
    for spec in communes:
        organ_id, sep, token = spec.partition("=")
        if not sep or not organ_id or not token:
            raise SystemExit(f"--commune wants ORGANID=TOKEN, got {spec!r}")
        hub.register(organ_id.strip(), token.strip())
    server = ThreadingHTTPServer((host, port), make_handler(hub))
    server.daemon_threads = True
    server.verbose = verbose
    print(f"province hub on http://{host}:{server.server_port} (db {db_path})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="province_hub.sqlite3", help="SQLite file (kept across restarts)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--commune", action="append", default=[], metavar="ORGANID=TOKEN",
                        help="register a commune (repeatable; kept in the database)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    serve(args.db, args.host, args.port, args.commune, args.verbose)


if __name__ == "__main__":
    main()
