"""Code that runs in separate OS processes during tests (importable under 'spawn')."""


def numbers_from_processes(fn, calls: list[tuple]) -> list[int]:
    """``fn(*args)`` for each of ``calls``, each in a spawned process of its own, all at
    once; every number they return, sorted."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(len(calls)) as pool:
        results = pool.starmap(fn, calls)
    return sorted(n for chunk in results for n in chunk)


def register_many(config: dict, count: int, tag: str) -> list[int]:
    """Log in nothing: call the domain operation as the clerk, one commit per document,
    exactly as a web worker would."""
    from docmgmt import create_app
    from docmgmt.extensions import db
    from docmgmt.incoming import operations as ops
    from tests.commune import user

    app = create_app(config)
    numbers = []
    with app.test_request_context():
        clerk = user("vanthu")
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
    from docmgmt.outgoing import operations as ops
    from docmgmt.outgoing.models import OutgoingDocument
    from tests.commune import user

    app = create_app(config)
    numbers = []
    with app.test_request_context():
        clerk = user("vanthu")
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
