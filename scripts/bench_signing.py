#!/usr/bin/env python3
"""Signing throughput: signatures per second for each NĐ30 issuance step.

Builds a throw-away instance (migrated, demo commune, keys), a two-page sample decision,
then times N rounds of each step on one core: prepare_for_issuance, sign_as_leader,
fill_number, sign_as_organisation, the three signing steps chained, the chain with
prepare, and verify_pdf of an issued document. The first round of each (font subsets,
drawn images, decrypted keys) is a warm-up and not counted. The last output line is
one JSON object.

    .venv/bin/python scripts/bench_signing.py --rounds 50
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, rounds: int) -> float:
    fn()  # warm-up
    started = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - started) / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xaso-bench-signing-"))
    os.environ.setdefault("XASO_SECRET_KEY", "bench-only-secret")
    os.environ["XASO_INSTANCE"] = str(folder)

    import flask_migrate
    import sqlalchemy as sa

    from docmgmt import create_app
    from docmgmt.demo import seed
    from docmgmt.extensions import db
    from docmgmt.org.models import Organisation, User
    from docmgmt.signing.keys import init_keys
    from docmgmt.signing.prepare import prepare_for_issuance
    from docmgmt.signing.sample import sample_pdf
    from docmgmt.signing.signer import fill_number, sign_as_leader, sign_as_organisation
    from docmgmt.signing.verify import verify_pdf

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'xaso.sqlite3'}",
                      "FILE_STORE_DIR": str(folder / "files"), "SEARCH_INDEX_DIR": str(folder / "index"),
                      "INSTANCE_DIR": str(folder)})
    with app.app_context():
        flask_migrate.upgrade()
        seed(with_documents=False)
        for org in db.session.scalars(sa.select(Organisation)):
            init_keys(org)
        db.session.commit()
        leader = db.session.scalar(sa.select(User).where(User.username == "chutich"))
        org = db.session.get(Organisation, leader.organisation_id)

        draft = sample_pdf()
        prepared = prepare_for_issuance(draft)
        signed = sign_as_leader(prepared, leader)
        numbered = fill_number(signed, "05/QĐ-UBND", date(2026, 3, 5))
        issued = sign_as_organisation(numbered, org, number_symbol="05/QĐ-UBND")
        assert all(r.valid for r in verify_pdf(issued))

        def chain(pdf=prepared):
            s = sign_as_leader(pdf, leader)
            n = fill_number(s, "05/QĐ-UBND", date(2026, 3, 5))
            return sign_as_organisation(n, org, number_symbol="05/QĐ-UBND")

        n = args.rounds
        t = {
            "prepare": timed(lambda: prepare_for_issuance(draft), n),
            "sign_as_leader": timed(lambda: sign_as_leader(prepared, leader), n),
            "fill_number": timed(lambda: fill_number(signed, "05/QĐ-UBND", date(2026, 3, 5)), n),
            "sign_as_organisation": timed(
                lambda: sign_as_organisation(numbered, org, number_symbol="05/QĐ-UBND"), n),
            "chain": timed(chain, n),
            "chain_with_prepare": timed(lambda: chain(prepare_for_issuance(draft)), n),
            "verify": timed(lambda: verify_pdf(issued), max(n // 5, 3)),
        }
        db.session.remove()
        db.engine.dispose()
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    for name, seconds in t.items():
        print(f"{name:<22} {seconds * 1000:8.1f} ms  {1 / seconds:8.1f} /s")
    signatures = (t["sign_as_leader"] + t["sign_as_organisation"]) / 2
    result = {
        "rounds": n,
        "pages": 2,
        "draft_bytes": len(draft),
        "issued_bytes": len(issued),
        "key_type": "ecdsa-p256",
        "signatures_per_s": round(1 / signatures, 1),
        "sign_as_leader_per_s": round(1 / t["sign_as_leader"], 1),
        "fill_number_per_s": round(1 / t["fill_number"], 1),
        "sign_as_organisation_per_s": round(1 / t["sign_as_organisation"], 1),
        "prepare_per_s": round(1 / t["prepare"], 1),
        "chain_per_s": round(1 / t["chain"], 1),
        "chain_with_prepare_per_s": round(1 / t["chain_with_prepare"], 1),
        "verify_per_s": round(1 / t["verify"], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
