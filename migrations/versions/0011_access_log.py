"""access log: every view, download and print of a document or file

Revision ID: 0011_access_log
Revises: 0010_auth_sessions
Create Date: 2026-12-07 00:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_access_log"
down_revision = "0010_auth_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_event",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("door", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.CheckConstraint("action IN ('view','download','print')", name=op.f("ck_access_event_action")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_access_event_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_access_event_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_event")),
    )
    op.create_index("ix_access_event_target", "access_event", ["target_kind", "target_id", "at"])
    op.create_index("ix_access_event_file", "access_event", ["file_id", "target_kind"])
    op.create_index("ix_access_event_month", "access_event", ["organisation_id", "month", "target_kind", "action"])


def downgrade():
    op.drop_index("ix_access_event_month", table_name="access_event")
    op.drop_index("ix_access_event_file", table_name="access_event")
    op.drop_index("ix_access_event_target", table_name="access_event")
    op.drop_table("access_event")
