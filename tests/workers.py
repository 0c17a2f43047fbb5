"""Code that runs in separate OS processes during tests (importable under 'spawn')."""


def register_many(config: dict, count: int, tag: str) -> list[int]:
    """Log in nothing: call the domain operation as the clerk, one commit per document,
    exactly as a web worker would."""
    import sqlalchemy as sa

    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops
    from docmgmt.org.models import User

    app = create_app(config)
    numbers = []
    with app.test_request_context():
        clerk = db.session.scalar(sa.select(User).where(User.username == "vanthu"))
        for i in range(count):
            doc = ops.register_incoming(clerk, ops.IncomingInput(
                sender_name=f"Sở Nội vụ {tag}", number_symbol=f"{i + 1}/SNV-{tag}",
                subject=f"Văn bản thử {tag} số {i + 1}", doc_type="cong_van"))
            numbers.append(doc.arrival_number)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return numbers


def issue_many(config: dict, count: int, worker: int) -> list[int]:
    """Issue signed documents as the clerk, one transaction each, racing other processes.

    Each process takes the signed documents whose id falls in its share, so they never
    issue the same document; they do race for the same number series."""
    import sqlalchemy as sa

    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.org.models import User
    from docmgmt.outgoing import operations as ops
    from docmgmt.outgoing.models import OutgoingDocument

    app = create_app(config)
    numbers = []
    with app.test_request_context():
        clerk = db.session.scalar(sa.select(User).where(User.username == "vanthu"))
        ids = db.session.scalars(sa.select(OutgoingDocument.id).where(
            OutgoingDocument.status == "signed").order_by(OutgoingDocument.id)).all()
        for doc_id in ids[worker::4][:count]:
            doc = db.session.get(OutgoingDocument, doc_id)
            ops.issue(clerk, doc)
            numbers.append(doc.number)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return numbers
