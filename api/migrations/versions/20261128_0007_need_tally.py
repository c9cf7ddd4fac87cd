"""need tally: needs per organisation and status, kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 07:00:00

The triggers live on ``need``. On SQLite, a later batch migration that *recreates* the need
table drops them: such a migration must recreate them (``tests/models/test_need_tally.py``
fails at head if they are missing).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL: a status change touches two tally rows; lock them in status order first, so two
# transactions moving needs of one company in opposite directions (open → matched while
# another goes matched → open) cannot deadlock.
POSTGRESQL = [
    """
    CREATE FUNCTION need_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO need_tally (organisation_id, status, needs)
            VALUES (NEW.organisation_id, NEW.status, 1)
            ON CONFLICT (organisation_id, status) DO UPDATE SET needs = need_tally.needs + 1;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE need_tally SET needs = needs - 1
            WHERE organisation_id = OLD.organisation_id AND status = OLD.status;
        ELSE
            INSERT INTO need_tally (organisation_id, status, needs)
            VALUES (NEW.organisation_id, NEW.status, 0)
            ON CONFLICT (organisation_id, status) DO NOTHING;
            PERFORM 1 FROM need_tally
            WHERE (organisation_id = OLD.organisation_id AND status = OLD.status)
               OR (organisation_id = NEW.organisation_id AND status = NEW.status)
            ORDER BY organisation_id, status FOR UPDATE;
            UPDATE need_tally SET needs = needs - 1
            WHERE organisation_id = OLD.organisation_id AND status = OLD.status;
            UPDATE need_tally SET needs = needs + 1
            WHERE organisation_id = NEW.organisation_id AND status = NEW.status;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER need_tally_insert_delete AFTER INSERT OR DELETE ON need
    FOR EACH ROW EXECUTE FUNCTION need_tally_apply()
    """,
    """
    CREATE TRIGGER need_tally_update AFTER UPDATE OF status, organisation_id ON need
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION need_tally_apply()
    """,
]

# SQLite has one writer at a time: no locking concerns.
SQLITE = [
    """
    CREATE TRIGGER need_tally_insert AFTER INSERT ON need BEGIN
        INSERT INTO need_tally (organisation_id, status, needs)
        VALUES (NEW.organisation_id, NEW.status, 1)
        ON CONFLICT (organisation_id, status) DO UPDATE SET needs = needs + 1;
    END
    """,
    """
    CREATE TRIGGER need_tally_delete AFTER DELETE ON need BEGIN
        UPDATE need_tally SET needs = needs - 1
        WHERE organisation_id = OLD.organisation_id AND status = OLD.status;
    END
    """,
    """
    CREATE TRIGGER need_tally_update AFTER UPDATE OF status, organisation_id ON need
    WHEN OLD.status IS NOT NEW.status OR OLD.organisation_id IS NOT NEW.organisation_id
    BEGIN
        UPDATE need_tally SET needs = needs - 1
        WHERE organisation_id = OLD.organisation_id AND status = OLD.status;
        INSERT INTO need_tally (organisation_id, status, needs)
        VALUES (NEW.organisation_id, NEW.status, 1)
        ON CONFLICT (organisation_id, status) DO UPDATE SET needs = needs + 1;
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        'need_tally',
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('needs', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_need_tally_organisation_id_organisation'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'status', name=op.f('pk_need_tally')),
    )
    op.execute("INSERT INTO need_tally (organisation_id, status, needs) "
               "SELECT organisation_id, status, count(*) FROM need "
               "GROUP BY organisation_id, status")
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER need_tally_update ON need")
        op.execute("DROP TRIGGER need_tally_insert_delete ON need")
        op.execute("DROP FUNCTION need_tally_apply()")
    else:
        for name in ("need_tally_update", "need_tally_delete", "need_tally_insert"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('need_tally')
