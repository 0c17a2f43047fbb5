"""A commune with a little of everything, for the check, backup and crash tests:
incoming documents with files (one confidential paper entry), signed and issued
outgoing documents, a live meeting with a vote, an approved dossier plan with a closed
dossier holding the last incoming and the first outgoing document."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from tests.conftest import instance_config

INCOMING = 3
ISSUED = 3


def register(n: int, clerk=None, **over):
    from docmgmt.incoming import operations as ops
    from tests.commune import user
    from tests.files_helpers import make_pdf, make_png

    fields = dict(sender_name="Sở Nội vụ tỉnh Phú Thọ", number_symbol=f"{n}/SNV-CCHC",
                  subject=f"Về việc chuyển đổi số, văn bản {n}", doc_type="cong_van")
    fields.update(over)
    data = ops.IncomingInput(**fields)
    uploads = [] if data.confidentiality != "thuong" else [
        ops.Upload(io.BytesIO(make_pdf(f"Công văn số {n}")), f"cong-van-{n}.pdf"),
        ops.Upload(io.BytesIO(make_png()), "phu-luc.png")]
    return ops.register_incoming(clerk or user("vanthu"), data, uploads)


def populate() -> dict:
    """Inside an app and request context: fill the commune; returns ids of note."""
    from docmgmt.extensions import db
    from docmgmt.outgoing import operations as out
    from docmgmt.outgoing.models import OutgoingDocument
    from docmgmt.searching.indexing import settle
    from docmgmt.signing.keys import init_keys
    from meetings import operations as mops
    from meetings.models import Meeting
    from tests.commune import unit, user
    from tests.files_helpers import make_pdf
    from tests.meetings_support import MEMBERS, build_meeting

    incoming = [register(i + 1).id for i in range(INCOMING)]
    confidential = register(0, confidentiality="mat", subject="", paper_holder="Văn thư").id
    db.session.commit()
    init_keys(user("chutich").organisation)
    model = out.create_draft(user("cv.kt1"), out.DraftInput(
        doc_type="cong_van", subject="Về việc báo cáo kết quả chuyển đổi số quý IV",
        signer_id=user("chutich").id, recipients=[out.RecipientInput(token=f"unit:{unit('VHXH').id}")]),
        out.Upload(make_pdf("Báo cáo chuyển đổi số"), "du-thao.pdf"))
    out.submit(user("cv.kt1"), model)
    out.approve(user("truongkt"), model, "Đồng ý trình")
    out.approve(user("chutich"), model, "Đồng ý")
    out.sign(user("chutich"), model)
    db.session.flush()
    columns = [c.key for c in OutgoingDocument.__table__.columns if c.key != "id"]
    docs = [model] + [OutgoingDocument(**{c: getattr(model, c) for c in columns})
                      for _ in range(ISSUED - 1)]
    db.session.add_all(docs)
    db.session.commit()
    for doc in docs:
        out.issue(user("vanthu"), doc)
        db.session.commit()
    meeting_id = build_meeting(status="live")
    m = db.session.get(Meeting, meeting_id)
    items = [i.id for i in m.items]
    mops.move_item(user("chutich"), m, items[1])
    db.session.commit()
    vote = mops.open_vote(user("chutich"), m, items[1], "Thông qua kế hoạch")
    db.session.commit()
    mops.cast_ballot(user(MEMBERS[0]), m, vote.id, vote.options[0].id)
    db.session.commit()
    dossier = closed_dossier(incoming=[incoming[-1]], outgoing=[docs[0].id])
    db.session.commit()
    settle()  # what the worker does in the background: read the files, index their text
    return {"incoming": incoming, "confidential": confidential, "outgoing": [d.id for d in docs],
            "meeting": meeting_id, "dossier": dossier}


def closed_dossier(incoming: list[int], outgoing: list[int]) -> int:
    """This year's plan, approved, with dossier 01.VP of the clerk holding these documents,
    closed (its files fixed in its manifest)."""
    from docmgmt.core.timeutil import vn_today
    from docmgmt.records import operations as rec
    from docmgmt.records.schemas import ApprovalInput, DossierInput, FilingInput, HeadingInput, PlanInput
    from tests.commune import unit, user

    clerk = user("vanthu")
    plan = rec.create_plan(clerk, PlanInput(year=vn_today().year, copy_previous=False))
    heading = rec.add_heading(clerk, plan, HeadingInput(title="Văn phòng HĐND và UBND", code="VP",
                                                        unit_id=unit("VP").id))
    dossier = rec.add_planned_dossier(clerk, plan, DossierInput(
        heading_id=heading.id, title="Hồ sơ về chuyển đổi số của xã", retention_years=10,
        responsible_id=clerk.id))
    rec.approve_plan(user("chutich"), plan, ApprovalInput("01/QĐ-UBND", vn_today()))
    rec.open_dossier(clerk, dossier)
    rec.file_documents(clerk, dossier, FilingInput(incoming_ids=incoming, outgoing_ids=outgoing))
    rec.close_dossier(clerk, dossier)
    return dossier.id


def build_populated(template: Path, folder: Path) -> dict:
    """Copy the test template instance into ``folder`` and populate it."""
    from docmgmt import create_app
    from docmgmt.extensions import db

    shutil.copytree(template, folder, symlinks=True)
    app = create_app(instance_config(folder))
    with app.test_request_context():
        ids = populate()
        db.session.remove()
        db.engine.dispose()
    return ids

