#!/usr/bin/env python3
"""Issuances per second, end to end, without LibreOffice in the loop.

Builds a throw-away instance (SQLite by default, or --database-url), loads the demo
commune, then measures:

- ``full_flow_per_s``: a draft uploaded as PDF → head of unit approves → leader approves
  → leader signs → clerk issues (number, number filled into the PDF, organisation
  seal signature, sổ đi, internal distribution, exchange queue), one after another;
- ``issuance_per_s``: issuance alone (the step that holds the number lock), over N
  leader-signed documents, in one process and with ``--processes`` racing processes.

The last line is one JSON object.
Usage: .venv/bin/python scripts/bench_issuance.py [--docs 200] [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("XASO_SECRET_KEY", "bench-secret-key")


def _config(folder: Path, url: str | None) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder / 'xaso.sqlite3'}",
        "FILE_STORE_DIR": str(folder / "files"), "SEARCH_INDEX_DIR": str(folder / "index"),
        "INSTANCE_DIR": str(folder), "RATELIMIT_ENABLED": False,
    }


def _pdf(text: str) -> bytes:
    from docmgmt.signing.sample import sample_pdf

    return sample_pdf()


def _users():
    import sqlalchemy as sa

    from docmgmt.extensions import db
    from docmgmt.org.models import Unit, User

    def user(name):
        return db.session.scalar(sa.select(User).where(User.username == name))

    vhxh = db.session.scalar(sa.select(Unit).where(Unit.abbreviation == "VHXH"))
    return user, vhxh


def full_flow(config: dict, count: int) -> float:
    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.outgoing import operations as ops

    app = create_app(config)
    with app.test_request_context():
        user, vhxh = _users()
        pdf = _pdf("Báo cáo")
        started = time.perf_counter()
        for i in range(count):
            doc = ops.create_draft(user("cv.kt1"), ops.DraftInput(
                doc_type="bao_cao", subject=f"Báo cáo kết quả chuyển đổi số số {i}",
                signer_id=user("chutich").id,
                recipients=[ops.RecipientInput(token=f"unit:{vhxh.id}"),
                            ops.RecipientInput(organ_name="Sở Nội vụ tỉnh Phú Thọ", organ_id="000.00.31.H42")]),
                ops.Upload(pdf, "bao-cao.pdf"))
            ops.submit(user("cv.kt1"), doc)
            ops.approve(user("truongkt"), doc)
            ops.approve(user("chutich"), doc)
            ops.sign(user("chutich"), doc)
            ops.issue(user("vanthu"), doc)
            db.session.commit()
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return count / elapsed


def prepare_signed(config: dict, count: int) -> None:
    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.outgoing import operations as ops
    from docmgmt.outgoing.models import OutgoingDocument

    app = create_app(config)
    with app.test_request_context():
        user, _vhxh = _users()
        doc = ops.create_draft(user("cv.kt1"), ops.DraftInput(
            doc_type="quyet_dinh", subject="Quyết định thử hiệu năng", signer_id=user("chutich").id),
            ops.Upload(_pdf("Quyết định"), "qd.pdf"))
        ops.submit(user("cv.kt1"), doc)
        ops.approve(user("truongkt"), doc)
        ops.approve(user("chutich"), doc)
        ops.sign(user("chutich"), doc)
        db.session.flush()
        columns = [c.key for c in OutgoingDocument.__table__.columns if c.key != "id"]
        for _ in range(count - 1):
            db.session.add(OutgoingDocument(**{c: getattr(doc, c) for c in columns}))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def issue_share(config: dict, worker: int, workers: int) -> tuple[int, float]:
    import sqlalchemy as sa

    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.outgoing import operations as ops
    from docmgmt.outgoing.models import OutgoingDocument

    app = create_app(config)
    with app.test_request_context():
        user, _vhxh = _users()
        clerk = user("vanthu")
        ids = db.session.scalars(sa.select(OutgoingDocument.id).where(
            OutgoingDocument.status == "signed").order_by(OutgoingDocument.id)).all()[worker::workers]
        started = time.perf_counter()
        for doc_id in ids:
            ops.issue(clerk, db.session.get(OutgoingDocument, doc_id))
            db.session.commit()
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return len(ids), elapsed


def fresh_instance(url: str | None) -> tuple[dict, tempfile.TemporaryDirectory]:
    import flask_migrate

    from docmgmt import create_app
    from docmgmt.demo import seed
    from docmgmt.extensions import db

    tmp = tempfile.TemporaryDirectory(prefix="xaso-bench-")
    config = _config(Path(tmp.name), url)
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        seed(with_documents=False)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return config, tmp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="documents issued in the issuance runs")
    parser.add_argument("--flow-docs", type=int, default=30, help="documents taken through the full flow")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--database-url", help="PostgreSQL URL of an EMPTY database (default: SQLite)")
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)

    config, tmp = fresh_instance(args.database_url)
    with tmp:
        flow = full_flow(config, args.flow_docs)
        print(f"full flow (draft → review → sign → issue): {flow:.1f} documents/s", flush=True)
        prepare_signed(config, args.docs)
        n, elapsed = issue_share(config, 0, 1)
        single = n / elapsed
        print(f"issuance, 1 process: {single:.1f} issuances/s over {n}", flush=True)
        prepare_signed(config, args.docs)
        spawn = multiprocessing.get_context("spawn")
        started = time.perf_counter()
        with spawn.Pool(args.processes) as pool:
            results = pool.starmap(issue_share, [(config, w, args.processes) for w in range(args.processes)])
        wall = time.perf_counter() - started
        total = sum(n for n, _ in results)
        busy = max(e for _, e in results)
        multi = total / busy
        print(f"issuance, {args.processes} processes: {multi:.1f} issuances/s over {total} "
              f"(wall incl. start-up {wall:.1f} s)", flush=True)
    print(json.dumps({
        "database": "postgresql" if args.database_url else "sqlite", "docs": args.docs,
        "full_flow_per_s": round(flow, 1), "issuance_per_s": round(single, 1),
        "issuance_parallel_per_s": round(multi, 1), "processes": args.processes,
        "cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
