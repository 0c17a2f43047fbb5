"""The background worker that `make run` starts: reminders and search catch-up, no cron."""

from datetime import timedelta

import sqlalchemy as sa

from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.incoming import operations as ops
from docmgmt.notifications.models import Notification
from tests.commune import user


def test_worker_once_sends_due_reminders_and_applies_leftover_index_jobs(app):
    from docmgmt.searching.models import SearchJob

    with app.test_request_context():
        doc = ops.register_incoming(user("vanthu"), ops.IncomingInput(
            sender_name="Sở Tài chính", number_symbol="9/STC", subject="Về việc quyết toán ngân sách xã",
            issue_date=vn_today() - timedelta(days=1)))
        ops.direct(user("chutich"), doc, ops.Direction_(main=ops.Assignee(user_id=user("cv.kt1").id),
                                                         deadline_working_days=1))
        db.session.commit()
        # A process that died between its commit and its index write leaves a job behind.
        db.session.add(SearchJob(kind="incoming", document_id=doc.id))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "[reminders] 1 reminder(s) sent" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchJob)) == 0
        titles = db.session.scalars(sa.select(Notification.title).where(
            Notification.kind == "incoming.reminder")).all()
        assert len(titles) == 1 and titles[0].startswith("Còn 1 ngày làm việc")
