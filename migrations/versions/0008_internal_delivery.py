"""internal delivery: the commune's own documents and tasks reach the queues outside the sổ đến

Issuing to one of the commune's own units, and a task from a meeting's conclusion, no
longer take a số đến: ``register_id`` and ``arrival_number`` may be empty, but only for the
channels ``internal`` and ``meeting``; what arrives from outside (upload, paper, edxml)
always has both. Entries already numbered keep their numbers (the register is a record).

Revision ID: 0008_internal_delivery
Revises: 0007_meetings
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_internal_delivery'
down_revision = '0007_meetings'
branch_labels = None
depends_on = None

CHECK = ("(register_id IS NOT NULL AND arrival_number IS NOT NULL) OR (register_id IS NULL"
         " AND arrival_number IS NULL AND channel IN ('internal','meeting'))")


def upgrade():
    with op.batch_alter_table('incoming_document', schema=None) as batch_op:
        batch_op.alter_column('register_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('arrival_number', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f('ck_incoming_document_arrived_has_number'), CHECK)


def downgrade():
    unnumbered = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM incoming_document WHERE arrival_number IS NULL"))
    if unnumbered:
        raise RuntimeError(f"{unnumbered} internal deliveries or tasks have no số đến; "
                           "the older schema cannot hold them.")
    with op.batch_alter_table('incoming_document', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_incoming_document_arrived_has_number'), type_='check')
        batch_op.alter_column('arrival_number', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('register_id', existing_type=sa.Integer(), nullable=False)
