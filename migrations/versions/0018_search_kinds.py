"""every kind of document in the search index

The outbox (``search_job``) takes a job for every kind the index holds: incoming and
outgoing documents, a meeting's minutes, its agenda documents and the meeting itself,
dossiers. SQLite cannot alter a CHECK constraint: the table is rebuilt (batch mode);
jobs waiting in it are kept.

Revision ID: 0018_search_kinds
Revises: 0017_records
Create Date: 2026-12-07 07:00:00.000000

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_search_kinds"
down_revision = "0017_records"
branch_labels = None
depends_on = None

KINDS = "kind IN ('incoming','outgoing','minutes','agenda','meeting','dossier')"


def upgrade():
    with op.batch_alter_table("search_job", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_search_job_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_search_job_kind"), KINDS)


def downgrade():
    # Jobs of the kinds the older schema does not know are dropped: its index held
    # incoming documents only (rebuild it with `flask search reindex` after downgrading).
    op.execute("DELETE FROM search_job WHERE kind <> 'incoming'")
    with op.batch_alter_table("search_job", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_search_job_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_search_job_kind"), "kind IN ('incoming')")
