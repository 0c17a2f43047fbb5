"""written consultations of the committee: questions, answers, the result

* ``consultation``: a phiếu lấy ý kiến — what is asked, the chairman who asks and the
  issuer, the deadline, its state, the chairman's conclusion, the outgoing draft of its
  result, and when the worker reminded the members;
* ``consultation_question``, ``consultation_member`` (the members asked),
  ``consultation_answer`` (one per member and question, with its time) and
  ``consultation_document`` (the files to read: uploaded, or of a registered document).

Revision ID: 0015_consultations
Revises: 0014_schedule
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_consultations"
down_revision = "0014_schedule"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("result_kind", sa.String(length=16), nullable=True),
        sa.Column("result_draft_id", sa.Integer(), nullable=True),
        sa.Column("reminded_before_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_due_at", sa.DateTime(), nullable=True),
        sa.Column("last_reminded_at", sa.DateTime(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("result_kind IN ('thong_bao','bien_ban')", name=op.f("ck_consultation_result_kind")),
        sa.CheckConstraint(
            "status IN ('draft','open','closed','decided','cancelled')", name=op.f("ck_consultation_status")
        ),
        sa.ForeignKeyConstraint(["chair_id"], ["user.id"], name=op.f("fk_consultation_chair_id_user")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user.id"], name=op.f("fk_consultation_closed_by_id_user")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_consultation_created_by_id_user")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name=op.f("fk_consultation_decided_by_id_user")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_consultation_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["result_draft_id"],
            ["outgoing_document.id"],
            name=op.f("fk_consultation_result_draft_id_outgoing_document"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation")),
    )
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index("ix_consultation_status_deadline", ["status", "deadline"], unique=False)

    op.create_table(
        "consultation_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("incoming_id", sa.Integer(), nullable=True),
        sa.Column("outgoing_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["user.id"], name=op.f("fk_consultation_document_added_by_id_user")),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_document_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incoming_id"],
            ["incoming_document.id"],
            name=op.f("fk_consultation_document_incoming_id_incoming_document"),
        ),
        sa.ForeignKeyConstraint(
            ["outgoing_id"],
            ["outgoing_document.id"],
            name=op.f("fk_consultation_document_outgoing_id_outgoing_document"),
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"], ["stored_file.id"], name=op.f("fk_consultation_document_stored_file_id_stored_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_document")),
    )
    with op.batch_alter_table("consultation_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_document_consultation_id"), ["consultation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_document_stored_file_id"), ["stored_file_id"], unique=False)

    op.create_table(
        "consultation_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_member_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_consultation_member_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_member")),
        sa.UniqueConstraint("consultation_id", "user_id", name=op.f("uq_consultation_member_consultation_id_user_id")),
    )
    with op.batch_alter_table("consultation_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_member_consultation_id"), ["consultation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "consultation_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_question_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_question")),
    )
    with op.batch_alter_table("consultation_question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_question_consultation_id"), ["consultation_id"], unique=False)

    op.create_table(
        "consultation_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("choice IN ('agree','disagree','other')", name=op.f("ck_consultation_answer_choice")),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["consultation_question.id"],
            name=op.f("fk_consultation_answer_question_id_consultation_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_consultation_answer_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_answer")),
        sa.UniqueConstraint("question_id", "user_id", name=op.f("uq_consultation_answer_question_id_user_id")),
    )
    with op.batch_alter_table("consultation_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_answer_question_id"), ["question_id"], unique=False)


def downgrade():
    with op.batch_alter_table("consultation_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_answer_question_id"))

    op.drop_table("consultation_answer")
    with op.batch_alter_table("consultation_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_question_consultation_id"))

    op.drop_table("consultation_question")
    with op.batch_alter_table("consultation_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_member_consultation_id"))

    op.drop_table("consultation_member")
    with op.batch_alter_table("consultation_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_document_stored_file_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_document_consultation_id"))

    op.drop_table("consultation_document")
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_status_deadline")
        batch_op.drop_index(batch_op.f("ix_consultation_organisation_id"))

    op.drop_table("consultation")
