"""scanned files read by OCR: the searchable copy

``ocr_copy`` names, for a scanned file's content hash, the blob of its copy with a text
layer (made by OCRmyPDF; the original is never changed). ``blob_text.reason`` gets an
index: the scans waiting for OCR are found and counted by it. The reason the older
code gave a scan it could not read ("scan-no-ocr") becomes "ocr-unavailable", so that
those scans are read as soon as the tools are installed.

Revision ID: 0019_ocr
Revises: 0018_search_kinds
Create Date: 2026-12-07 07:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_ocr"
down_revision = "0018_search_kinds"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ocr_copy",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("searchable_sha256", sa.String(length=64), nullable=False),
        sa.Column("made_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["searchable_sha256"], ["blob.sha256"],
                                name=op.f("fk_ocr_copy_searchable_sha256_blob")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_ocr_copy")),
    )
    with op.batch_alter_table("ocr_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocr_copy_searchable_sha256"), ["searchable_sha256"], unique=False)
    with op.batch_alter_table("blob_text", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blob_text_reason"), ["reason"], unique=False)
    op.execute("UPDATE blob_text SET reason = 'ocr-unavailable' WHERE reason = 'scan-no-ocr'")


def downgrade():
    # The copies' blobs stay in the store, named by nothing: `flask check --repair` (or the
    # worker's hourly sweep) removes them.
    op.execute("UPDATE blob_text SET reason = 'scan-no-ocr' WHERE reason LIKE 'ocr-%'")
    with op.batch_alter_table("blob_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blob_text_reason"))
    with op.batch_alter_table("ocr_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocr_copy_searchable_sha256"))
    op.drop_table("ocr_copy")
