"""delegation while a leader is away: powers, dates, acts done under it

* ``delegation``: who lets whom direct incoming documents and/or approve and sign
  outgoing ones in their name, from which day to which day (Vietnam dates, both
  included), the NĐ30 signing form, how it ended and when both were told.
* ``document_event.delegation_id``: the delegation an act was done under (its
  ``data.on_behalf`` keeps whom the actor stood in for).
* ``incoming_document.submitted_to_id``: the leader a document was put before for
  direction (trình); empty: every leader, as every document submitted before this
  revision was.

Revision ID: 0016_delegation
Revises: 0015_consultations
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_delegation"
down_revision = "0015_consultations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.Column("sign", sa.Boolean(), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.Column("start_notified_at", sa.DateTime(), nullable=True),
        sa.Column("end_notified_at", sa.DateTime(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("start_date <= end_date", name=op.f("ck_delegation_dates_in_order")),
        sa.CheckConstraint("delegator_id <> delegate_id", name=op.f("ck_delegation_not_to_oneself")),
        sa.CheckConstraint("direct OR sign", name=op.f("ck_delegation_some_power")),
        sa.CheckConstraint("form IN ('tm','kt','tl','tuq','q')", name=op.f("ck_delegation_form")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_delegation_created_by_id_user")),
        sa.ForeignKeyConstraint(["delegate_id"], ["user.id"], name=op.f("fk_delegation_delegate_id_user")),
        sa.ForeignKeyConstraint(["delegator_id"], ["user.id"], name=op.f("fk_delegation_delegator_id_user")),
        sa.ForeignKeyConstraint(["ended_by_id"], ["user.id"], name=op.f("fk_delegation_ended_by_id_user")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="RESTRICT",
                                name=op.f("fk_delegation_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation")),
    )
    op.create_index("ix_delegation_delegate_days", "delegation", ["delegate_id", "start_date", "end_date"])
    op.create_index("ix_delegation_delegator_days", "delegation", ["delegator_id", "start_date", "end_date"])
    op.create_index(op.f("ix_delegation_organisation_id"), "delegation", ["organisation_id"])

    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delegation_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_document_event_delegation_id"), ["delegation_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_document_event_delegation_id_delegation"), "delegation",
                                    ["delegation_id"], ["id"])

    with op.batch_alter_table("incoming_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_incoming_document_submitted_to_id_user"), "user",
                                    ["submitted_to_id"], ["id"])


def downgrade():
    with op.batch_alter_table("incoming_document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_incoming_document_submitted_to_id_user"), type_="foreignkey")
        batch_op.drop_column("submitted_to_id")
    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_document_event_delegation_id_delegation"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_document_event_delegation_id"))
        batch_op.drop_column("delegation_id")
    op.drop_index(op.f("ix_delegation_organisation_id"), table_name="delegation")
    op.drop_index("ix_delegation_delegator_days", table_name="delegation")
    op.drop_index("ix_delegation_delegate_days", table_name="delegation")
    op.drop_table("delegation")
