"""weekly work schedule: rooms, weeks and their published versions, entries

* ``schedule_room``: the room catalogue the administrator keeps.
* ``schedule_week``: one per commune and Monday, draft → submitted → published, with the
  number of its latest published version.
* ``schedule_entry`` (+ its leaders, people and units): what the office typed; the week's
  meetings are read from ``meeting`` when shown, never copied here.
* ``schedule_version``: each published version, as one JSON document.
* ``schedule_link``: the links that open the schedule without signing in (a person's
  calendar feed, the hall's TV screen), kept as the digest of their token.

Revision ID: 0014_schedule
Revises: 0013_report_indexes
Create Date: 2026-12-07 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_schedule"
down_revision = "0013_report_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "schedule_room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name=op.f("ck_schedule_room_capacity")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_schedule_room_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_room")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_schedule_room_organisation_id_name")),
    )
    with op.batch_alter_table("schedule_room", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_room_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "schedule_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('feed','screen')", name=op.f("ck_schedule_link_kind")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_schedule_link_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_schedule_link_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_link")),
        sa.UniqueConstraint("digest", name=op.f("uq_schedule_link_digest")),
    )
    with op.batch_alter_table("schedule_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_link_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_link_user_id"), ["user_id"], unique=False)

    op.create_table(
        "schedule_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monday", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("return_note", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('draft','submitted','published')", name=op.f("ck_schedule_week_status")),
        sa.CheckConstraint("version >= 0", name=op.f("ck_schedule_week_version")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user.id"], name=op.f("fk_schedule_week_approved_by_id_user")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_schedule_week_created_by_id_user")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_schedule_week_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user.id"], name=op.f("fk_schedule_week_submitted_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_week")),
        sa.UniqueConstraint("organisation_id", "monday", name=op.f("uq_schedule_week_organisation_id_monday")),
    )
    with op.batch_alter_table("schedule_week", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_week_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "schedule_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("chair_text", sa.String(length=255), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("preparing_unit_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("end_time IS NULL OR end_time > start_time", name=op.f("ck_schedule_entry_times")),
        sa.ForeignKeyConstraint(["chair_id"], ["user.id"], name=op.f("fk_schedule_entry_chair_id_user")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_schedule_entry_created_by_id_user")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_schedule_entry_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["preparing_unit_id"], ["unit.id"], name=op.f("fk_schedule_entry_preparing_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["schedule_room.id"], name=op.f("fk_schedule_entry_room_id_schedule_room")
        ),
        sa.ForeignKeyConstraint(
            ["week_id"], ["schedule_week.id"], name=op.f("fk_schedule_entry_week_id_schedule_week"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_entry")),
    )
    with op.batch_alter_table("schedule_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_entry_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index("ix_schedule_entry_week_day", ["week_id", "day"], unique=False)

    op.create_table(
        "schedule_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_schedule_version_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["user.id"], name=op.f("fk_schedule_version_published_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["schedule_week.id"],
            name=op.f("fk_schedule_version_week_id_schedule_week"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_version")),
        sa.UniqueConstraint("week_id", "number", name=op.f("uq_schedule_version_week_id_number")),
    )
    with op.batch_alter_table("schedule_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_version_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_version_week_id"), ["week_id"], unique=False)

    op.create_table(
        "schedule_entry_leader",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["schedule_entry.id"],
            name=op.f("fk_schedule_entry_leader_entry_id_schedule_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_schedule_entry_leader_user_id_user")),
        sa.PrimaryKeyConstraint("entry_id", "user_id", name=op.f("pk_schedule_entry_leader")),
    )
    with op.batch_alter_table("schedule_entry_leader", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_entry_leader_user_id"), ["user_id"], unique=False)

    op.create_table(
        "schedule_entry_person",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["schedule_entry.id"],
            name=op.f("fk_schedule_entry_person_entry_id_schedule_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_schedule_entry_person_user_id_user")),
        sa.PrimaryKeyConstraint("entry_id", "user_id", name=op.f("pk_schedule_entry_person")),
    )
    with op.batch_alter_table("schedule_entry_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_entry_person_user_id"), ["user_id"], unique=False)

    op.create_table(
        "schedule_entry_unit",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["schedule_entry.id"],
            name=op.f("fk_schedule_entry_unit_entry_id_schedule_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_schedule_entry_unit_unit_id_unit")),
        sa.PrimaryKeyConstraint("entry_id", "unit_id", name=op.f("pk_schedule_entry_unit")),
    )
    with op.batch_alter_table("schedule_entry_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_entry_unit_unit_id"), ["unit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("schedule_entry_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_entry_unit_unit_id"))

    op.drop_table("schedule_entry_unit")
    with op.batch_alter_table("schedule_entry_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_entry_person_user_id"))

    op.drop_table("schedule_entry_person")
    with op.batch_alter_table("schedule_entry_leader", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_entry_leader_user_id"))

    op.drop_table("schedule_entry_leader")
    with op.batch_alter_table("schedule_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_version_week_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_version_organisation_id"))

    op.drop_table("schedule_version")
    with op.batch_alter_table("schedule_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_entry_week_day")
        batch_op.drop_index(batch_op.f("ix_schedule_entry_organisation_id"))

    op.drop_table("schedule_entry")
    with op.batch_alter_table("schedule_week", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_week_organisation_id"))

    op.drop_table("schedule_week")
    with op.batch_alter_table("schedule_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_link_user_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_link_organisation_id"))

    op.drop_table("schedule_link")
    with op.batch_alter_table("schedule_room", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_room_organisation_id"))

    op.drop_table("schedule_room")
