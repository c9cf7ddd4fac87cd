"""leads proposed together as a partnership

Revision ID: 0016
Revises: 0008
Create Date: 2026-12-02 01:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partnership_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('proposed_fte', sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lead_partnership_id'), ['partnership_id'],
                              unique=False)
        batch_op.create_check_constraint(
            'proposed_fte_positive', 'proposed_fte IS NULL OR proposed_fte > 0')


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_lead_proposed_fte_positive'), type_='check')
        batch_op.drop_index(batch_op.f('ix_lead_partnership_id'))
        batch_op.drop_column('proposed_fte')
        batch_op.drop_column('partnership_id')
