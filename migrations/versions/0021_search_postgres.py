"""search in PostgreSQL

``search_entries`` (one row per indexed document: the fields of ``IndexedDoc`` and a
``tsvector`` of its terms, GIN-indexed, as is its ACL) and ``search_terms`` (the
dictionary of the words indexed, with their document counts) for the PostgreSQL
search backend (``XASO_SEARCH_BACKEND=postgresql``, ``search.postgres_backend``).
Created on every PostgreSQL database (empty while the Whoosh backend is used, so that
switching needs no migration, only ``flask search rebuild``); nothing on SQLite,
where only Whoosh is offered. No extension is needed: the text is folded by the
application (``search.analysis``), as for Whoosh.

Revision ID: 0021_search_postgres
Revises: 0020_saved_searches
Create Date: 2026-12-07 15:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_search_postgres"
down_revision = "0020_saved_searches"
branch_labels = None
depends_on = None

# A frozen copy of search.postgres_backend.SCHEMA_SQL at this revision.
STATEMENTS = (
    """CREATE TABLE search_entries (
        id text PRIMARY KEY,
        org_id integer NOT NULL,
        direction text NOT NULL,
        doc_type text NOT NULL,
        year integer NOT NULL,
        unit text,
        status text NOT NULL,
        date_key bigint NOT NULL,
        date_iso text NOT NULL,
        number_symbol text NOT NULL,
        subject text NOT NULL,
        sender text NOT NULL,
        content text NOT NULL,
        acl text[] NOT NULL,
        text_searchable boolean NOT NULL,
        terms tsvector NOT NULL)""",
    # Rows up to a page stay whole, the tsvector uncompressed: a query reads it once per
    # reference (match, rank, tiers) and would otherwise fetch and inflate it each time.
    "ALTER TABLE search_entries SET (toast_tuple_target = 8160)",
    "ALTER TABLE search_entries ALTER COLUMN terms SET STORAGE EXTERNAL",
    "CREATE INDEX ix_search_entries_terms ON search_entries USING gin (terms)",
    "CREATE INDEX ix_search_entries_acl ON search_entries USING gin (acl)",
    "CREATE INDEX ix_search_entries_org_date ON search_entries (org_id, date_key)",
    """CREATE TABLE search_terms (
        field char(1) NOT NULL,
        term text COLLATE "C" NOT NULL,
        folded text COLLATE "C" NOT NULL,
        df integer NOT NULL,
        PRIMARY KEY (field, term))""",
    "CREATE INDEX ix_search_terms_folded ON search_terms (field, folded)",
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_terms")
    op.execute("DROP TABLE search_entries")
