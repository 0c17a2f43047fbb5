"""exchange: XML signatures of packages (the algorithm we signed with, what a received one said)

Revision ID: 0009_exchange_signatures
Revises: 0008_internal_delivery
Create Date: 2026-12-06 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_exchange_signatures'
down_revision = '0008_internal_delivery'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exchange_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature_algorithm', sa.String(length=32), server_default='', nullable=False))
    with op.batch_alter_table('exchange_receipt', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('signature_state', sa.String(length=8), server_default='unsigned', nullable=False))
        batch_op.add_column(sa.Column('signature_signer', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('signature_reason', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('exchange_receipt', schema=None) as batch_op:
        batch_op.drop_column('signature_reason')
        batch_op.drop_column('signature_signer')
        batch_op.drop_column('signature_state')
    with op.batch_alter_table('exchange_outbox', schema=None) as batch_op:
        batch_op.drop_column('signature_algorithm')
