#!/usr/bin/env python3
"""A fake remote-signing provider (VNPT SmartCA / Viettel MySign shape) on loopback.

It issues each user a P-256 key and certificate from its own test CA on first use and
answers the RemoteSigner protocol (see docmgmt/signing/remote.py):

    POST /signatures            {user_id, hash, hash_algorithm, description, format}
                                → {transaction_id}
    GET  /signatures/{id}       → {status: pending | approved | refused | expired, …}
    GET  /users/{id}/certificate → {certificate_chain: [base64 DER, …]}
    GET  /ca                    → {certificate: base64 DER}   (for tests to trust)
    POST /control               {user_id, behaviour, pending_polls}  test hook

Behaviours per user (default ``approve``): ``approve`` after ``pending_polls`` polls
answered ``pending`` (the user looking for their phone), ``refuse``, ``never`` (the
user never answers: the client times out), ``expire``, ``wrong_digest`` (a CMS over
another hash: the client must reject it).

    python scripts/fake_remote_signer.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=not cert_sign, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
                         crl_sign=cert_sign, encipher_only=False, decipher_only=False)


class FakeProvider:
    """State of the fake provider: CA, users' keys, transactions, behaviours."""

    def __init__(self, name: str = "Fake SmartCA Test Root"):
        self.lock = threading.Lock()
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fake Provider")])
        now = datetime.now(UTC)
        self.ca_cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                        .public_key(self.ca_key.public_key()).serial_number(x509.random_serial_number())
                        .not_valid_before(now - timedelta(days=1))
                        .not_valid_after(now + timedelta(days=3650))
                        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                        .add_extension(_usage(cert_sign=True), critical=True)
                        .sign(self.ca_key, hashes.SHA256()))
        self.users: dict[str, tuple[ec.EllipticCurvePrivateKey, x509.Certificate]] = {}
        self.behaviour: dict[str, tuple[str, int]] = {}
        self.transactions: dict[str, dict] = {}

    def user(self, user_id: str):
        with self.lock:
            if user_id not in self.users:
                key = ec.generate_private_key(ec.SECP256R1())
                now = datetime.now(UTC)
                cert = (x509.CertificateBuilder()
                        .subject_name(x509.Name([
                            x509.NameAttribute(NameOID.COMMON_NAME, f"Người dùng {user_id}")]))
                        .issuer_name(self.ca_cert.subject).public_key(key.public_key())
                        .serial_number(x509.random_serial_number())
                        .not_valid_before(now - timedelta(days=1))
                        .not_valid_after(now + timedelta(days=365))
                        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                        .add_extension(_usage(cert_sign=False), critical=True)
                        .sign(self.ca_key, hashes.SHA256()))
                self.users[user_id] = (key, cert)
            return self.users[user_id]

    def chain(self, user_id: str) -> list[str]:
        _key, cert = self.user(user_id)
        return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                for c in (cert, self.ca_cert)]

    def start(self, body: dict) -> dict:
        user_id = str(body["user_id"])
        self.user(user_id)
        tid = uuid.uuid4().hex
        behaviour, pending = self.behaviour.get(user_id, ("approve", 1))
        with self.lock:
            self.transactions[tid] = {"user_id": user_id, "hash": base64.b64decode(body["hash"]),
                                      "format": body.get("format", "cms"), "behaviour": behaviour,
                                      "pending": pending, "description": body.get("description", "")}
        return {"transaction_id": tid}

    def poll(self, tid: str) -> dict | None:
        with self.lock:
            tx = self.transactions.get(tid)
            if tx is None:
                return None
            if tx["behaviour"] == "never" or tx["pending"] > 0:
                tx["pending"] -= 1
                return {"status": "pending"}
        if tx["behaviour"] in ("refuse", "expire"):
            return {"status": {"refuse": "refused", "expire": "expired"}[tx["behaviour"]]}
        digest = tx["hash"] if tx["behaviour"] != "wrong_digest" else bytes(32)
        return {"status": "approved", "format": tx["format"], "signature": self._sign(tx["user_id"], digest,
                                                                                     tx["format"]),
                "certificate_chain": self.chain(tx["user_id"])}

    def _sign(self, user_id: str, digest: bytes, fmt: str) -> str:
        key, cert = self.user(user_id)
        if fmt == "raw":  # sign the given hash as is
            return base64.b64encode(key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))).decode()
        from pyhanko.sign.signers.pdf_cms import SimpleSigner
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        der = lambda c: c.public_bytes(serialization.Encoding.DER)  # noqa: E731
        signer = SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(der(cert)),
            signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(der(self.ca_cert))]),
        )
        info = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
        return base64.b64encode(info.dump()).decode()


def make_handler(provider: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args):  # quiet
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def do_POST(self):  # noqa: N802
            if self.path == "/signatures":
                body = self._body()
                if not body.get("user_id") or not body.get("hash"):
                    return self._send(400, {"error": "user_id and hash required"})
                return self._send(201, provider.start(body))
            if self.path == "/control":
                body = self._body()
                provider.behaviour[str(body["user_id"])] = (body.get("behaviour", "approve"),
                                                            int(body.get("pending_polls", 1)))
                return self._send(200, {"ok": True})
            self._send(404, {"error": "not found"})

        def do_GET(self):  # noqa: N802
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "signatures":
                answer = provider.poll(parts[1])
                return self._send(200, answer) if answer else self._send(404, {"error": "unknown"})
            if len(parts) == 3 and parts[0] == "users" and parts[2] == "certificate":
                return self._send(200, {"certificate_chain": provider.chain(parts[1])})
            if parts == ["ca"]:
                der = provider.ca_cert.public_bytes(serialization.Encoding.DER)
                return self._send(200, {"certificate": base64.b64encode(der).decode()})
            self._send(404, {"error": "not found"})

    return Handler


def serve(port: int = 0) -> tuple[ThreadingHTTPServer, FakeProvider, threading.Thread]:
    """Start on 127.0.0.1 (port 0: any free port) in a daemon thread."""
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(provider))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, provider, thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(FakeProvider()))
    print(f"fake remote signer on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
