"""data revision stamps; need list index by status

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 07:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED_TABLES = ("capability", "need", "organisation", "site", "workforce")


def upgrade() -> None:
    table = op.create_table(
        'data_revision',
        sa.Column('table_name', sa.String(length=63), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('table_name', name=op.f('pk_data_revision')),
    )
    now = datetime.now(UTC)
    op.bulk_insert(table, [{"table_name": name, "stamp": uuid.uuid4().hex, "changed_at": now}
                           for name in WATCHED_TABLES])
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index('ix_need_organisation_status_created',
                              ['organisation_id', 'status', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index('ix_need_organisation_status_created')
    op.drop_table('data_revision')
