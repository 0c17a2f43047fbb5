"""paperless progress: how each document arrived or was issued, how each meeting was held
(electronic or paper), and the commune's target date

* ``incoming_document.medium``: electronic (edXML, a born-digital file), scan (a paper
  scanned at the desk) or paper (a confidential entry). Existing rows: what came through
  the exchange, and the commune's own deliveries and tasks, are electronic; a
  confidential (paper channel) entry is paper; an upload is taken as a scan — before
  this revision nobody recorded whether the file was born digital, and a commune's
  uploads were overwhelmingly scans.
* ``outgoing_document.medium``: electronic, or paper (signed by hand, recorded with its
  scan); every existing document was signed digitally.
* ``meeting.held_on_paper`` and ``paper_note``: a meeting that happened on paper.
* ``organisation.paperless_target``: the target date (empty: 30 September).

Revision ID: 0012_paperless
Revises: 0011_access_log
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_paperless"
down_revision = "0011_access_log"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incoming_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("medium", sa.String(length=16), nullable=False,
                                      server_default="electronic"))
        batch_op.create_check_constraint(op.f("ck_incoming_document_medium"),
                                         "medium IN ('electronic','scan','paper')")
    op.execute("UPDATE incoming_document SET medium = CASE channel WHEN 'upload' THEN 'scan'"
               " WHEN 'paper' THEN 'paper' ELSE 'electronic' END")
    with op.batch_alter_table("outgoing_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("medium", sa.String(length=16), nullable=False,
                                      server_default="electronic"))
        batch_op.create_check_constraint(op.f("ck_outgoing_document_medium"),
                                         "medium IN ('electronic','paper')")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_on_paper", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("paper_note", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paperless_target", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("paperless_target")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("paper_note")
        batch_op.drop_column("held_on_paper")
    with op.batch_alter_table("outgoing_document", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outgoing_document_medium"), type_="check")
        batch_op.drop_column("medium")
    with op.batch_alter_table("incoming_document", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_incoming_document_medium"), type_="check")
        batch_op.drop_column("medium")
