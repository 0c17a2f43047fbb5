"""indexes for the dashboard and the legal reports

Measured with ``scripts/bench_dashboard.py`` (100,000 incoming documents):

* ``ix_incoming_report_arrival`` — what arrived in a period (received, handling, the
  per-month series, meeting tasks, the legal incoming report) reads that range only;
* ``ix_incoming_report_status`` — what is open now (load, overdue, due soon and their
  lists ordered by deadline) reads the open documents only;
* ``ix_incoming_report_channel`` — the tasks given from meeting conclusions (channel
  "meeting") in a period, a few per cent of the entries;
* ``ix_assignment_main`` — a document's current main handler from the index alone (the
  figures' joins and scope tests);
* ``ix_assignment_user_main`` / ``ix_assignment_unit_main`` — the documents a person or a
  unit handles, ending in ``document_id`` so that "this document's main assignment to
  this person" is an exact probe whichever index the planner picks. Without them SQLite
  (no statistics) answered that test through ``ix_assignment_user_open`` by walking every
  assignment of the person, once per document: a staff member's dashboard took 47 s.
  Partial (NOT NULL), so that ``assignee_unit_id IS NULL`` is never answered by walking
  half the table through them;
* ``ix_outgoing_report_issued`` / ``ix_outgoing_report_status`` — issued in a period,
  drafts in flow by stage;
* ``ix_review_step_document_reviewer`` — the outgoing READ rule's "put before this
  reviewer" as an exact probe (through ``ix_review_step_reviewer_id`` a head of unit's
  dashboard took 56 s).

Revision ID: 0013_report_indexes
Revises: 0012_paperless
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_report_indexes"
down_revision = "0012_paperless"
branch_labels = None
depends_on = None

USER_SET = sa.text("assignee_user_id IS NOT NULL")
UNIT_SET = sa.text("assignee_unit_id IS NOT NULL")


def upgrade():
    op.create_index("ix_incoming_report_arrival", "incoming_document", ["organisation_id", "arrival_date"])
    op.create_index("ix_incoming_report_status", "incoming_document", ["organisation_id", "status", "deadline"])
    op.create_index("ix_incoming_report_channel", "incoming_document", ["organisation_id", "channel", "arrival_date"])
    op.create_index("ix_assignment_main", "assignment",
                    ["document_id", "role", "superseded_at", "assignee_user_id", "assignee_unit_id"])
    op.create_index("ix_assignment_user_main", "assignment",
                    ["assignee_user_id", "role", "superseded_at", "document_id"],
                    sqlite_where=USER_SET, postgresql_where=USER_SET)
    op.create_index("ix_assignment_unit_main", "assignment",
                    ["assignee_unit_id", "role", "superseded_at", "document_id"],
                    sqlite_where=UNIT_SET, postgresql_where=UNIT_SET)
    op.create_index("ix_outgoing_report_issued", "outgoing_document", ["organisation_id", "issued_on"])
    op.create_index("ix_outgoing_report_status", "outgoing_document", ["organisation_id", "status"])
    op.create_index("ix_review_step_document_reviewer", "review_step", ["document_id", "reviewer_id"])


def downgrade():
    op.drop_index("ix_review_step_document_reviewer", table_name="review_step")
    op.drop_index("ix_outgoing_report_status", table_name="outgoing_document")
    op.drop_index("ix_outgoing_report_issued", table_name="outgoing_document")
    op.drop_index("ix_assignment_unit_main", table_name="assignment")
    op.drop_index("ix_assignment_user_main", table_name="assignment")
    op.drop_index("ix_assignment_main", table_name="assignment")
    op.drop_index("ix_incoming_report_channel", table_name="incoming_document")
    op.drop_index("ix_incoming_report_status", table_name="incoming_document")
    op.drop_index("ix_incoming_report_arrival", table_name="incoming_document")
