"""catalogue change log: one entry per committed catalogue row write

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-02 01:40:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'catalogue_change',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('table_name', sa.String(length=63), nullable=False),
        sa.Column('row_id', sa.String(length=36), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_catalogue_change')),
    )
    # the change log's lock row: every catalogue writer updates it before appending entries
    revision_table = sa.table('data_revision', sa.column('table_name', sa.String),
                              sa.column('stamp', sa.String),
                              sa.column('changed_at', sa.DateTime(timezone=True)))
    op.bulk_insert(revision_table, [{"table_name": "catalogue_change",
                                     "stamp": uuid.uuid4().hex, "changed_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.execute("DELETE FROM data_revision WHERE table_name = 'catalogue_change'")
    op.drop_table('catalogue_change')
