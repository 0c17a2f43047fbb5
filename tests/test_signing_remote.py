"""Remote signing (VNPT SmartCA / Viettel MySign shape) against the fake provider on loopback."""

from __future__ import annotations

import base64
import importlib.util
import json
import shutil
import time
import urllib.request

import pytest
from asn1crypto import x509

from tests.conftest import ROOT, instance_config


def _load_fake():
    path = ROOT / "scripts" / "fake_remote_signer.py"
    spec = importlib.util.spec_from_file_location("fake_remote_signer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def provider():
    """The fake provider: a real HTTP server on 127.0.0.1, any free port."""
    server, state, thread = _load_fake().serve(0)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with urllib.request.urlopen(url + "/ca", timeout=5) as r:
        ca = x509.Certificate.load(base64.b64decode(json.load(r)["certificate"]))
    yield url, ca
    server.shutdown()
    server.server_close()
    thread.join(5)


def control(url: str, user_id: str, behaviour: str, pending_polls: int = 1) -> None:
    body = json.dumps({"user_id": user_id, "behaviour": behaviour, "pending_polls": pending_polls}).encode()
    request = urllib.request.Request(url + "/control", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).close()


@pytest.fixture(scope="module")
def leader(template_instance, tmp_path_factory):
    from docmgmt import create_app
    from docmgmt.extensions import db
    from tests.commune import user

    folder = tmp_path_factory.mktemp("remote") / "instance"
    shutil.copytree(template_instance, folder)
    app = create_app(instance_config(folder))
    with app.app_context():
        yield user("chutich")
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def prepared():
    from docmgmt.signing.prepare import prepare_for_issuance
    from docmgmt.signing.sample import sample_pdf

    return prepare_for_issuance(sample_pdf())


def remote(url: str, **kwargs):
    from docmgmt.signing.signer import RemoteSigner

    kwargs.setdefault("poll_interval", 0.02)
    kwargs.setdefault("timeout", 2.0)
    return RemoteSigner(url, **kwargs)


def identity(user_id: str, name: str = "Bùi Văn Khánh"):
    from docmgmt.signing.signer import SigningIdentity

    return SigningIdentity(name=name, remote_user_id=user_id)


@pytest.mark.parametrize("mode", ["cms", "raw"])
def test_leader_signs_on_the_phone_and_the_signature_verifies(provider, leader, prepared, mode):
    from datetime import date

    from docmgmt.signing.signer import fill_number, sign_as_leader
    from docmgmt.signing.verify import verify_pdf

    url, ca = provider
    user = f"leader-{mode}"
    control(url, user, "approve", pending_polls=3)  # three polls before the user taps “approve”
    signed = sign_as_leader(prepared, leader, signer=remote(url, mode=mode), identity=identity(user))
    numbered = fill_number(signed, "07/QĐ-UBND", date(2026, 3, 9))
    (report,) = verify_pdf(numbered, trust_roots=[ca])
    assert report.valid and report.certification and report.modification_level == "form_filling"
    assert report.signer_name == f"Người dùng {user}"
    (untrusted,) = verify_pdf(numbered, trust_roots=[])
    assert untrusted.crypto_valid and not untrusted.trusted


def test_refusal_on_the_phone_is_reported(provider, leader, prepared):
    from docmgmt.signing.errors import SigningError
    from docmgmt.signing.signer import sign_as_leader

    url, _ca = provider
    control(url, "refuser", "refuse")
    with pytest.raises(SigningError) as refused:
        sign_as_leader(prepared, leader, signer=remote(url), identity=identity("refuser"))
    assert refused.value.code == "remote_refused" and "từ chối" in refused.value.message_vi


def test_no_answer_times_out(provider, leader, prepared):
    from docmgmt.signing.errors import SigningError
    from docmgmt.signing.signer import sign_as_leader

    url, _ca = provider
    control(url, "sleeper", "never")
    started = time.monotonic()
    with pytest.raises(SigningError) as timeout:
        sign_as_leader(prepared, leader, signer=remote(url, timeout=0.3, poll_interval=0.05),
                       identity=identity("sleeper"))
    assert timeout.value.code == "remote_timeout" and timeout.value.status == 504
    assert 0.2 < time.monotonic() - started < 3


def test_expired_and_wrong_digest_and_unreachable(provider, leader, prepared):
    from docmgmt.signing.errors import SigningError
    from docmgmt.signing.signer import sign_as_leader

    url, _ca = provider
    control(url, "late", "expire")
    control(url, "buggy", "wrong_digest")
    cases = [(url, "late", "remote_expired"), (url, "buggy", "remote_bad_response"),
             ("http://127.0.0.1:9", "anyone", "remote_unavailable")]
    for base, user, code in cases:
        with pytest.raises(SigningError) as err:
            sign_as_leader(prepared, leader, signer=remote(base), identity=identity(user))
        assert err.value.code == code, (user, err.value)
