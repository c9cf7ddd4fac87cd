"""weights: versioned matching weight sets (at most one active)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 04:36:07.376534
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('matching_weight_set',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('competence', sa.Float(), nullable=False),
    sa.Column('locality', sa.Float(), nullable=False),
    sa.Column('supervision', sa.Float(), nullable=False),
    sa.Column('capacity', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_by', sa.Uuid(), nullable=True),
    sa.CheckConstraint("source IN ('default', 'learned', 'manual')", name=op.f('ck_matching_weight_set_source')),
    sa.CheckConstraint('abs(competence + locality + supervision + capacity - 1) < 1e-06', name=op.f('ck_matching_weight_set_weights_sum')),
    sa.CheckConstraint('competence >= 0 AND competence <= 1 AND locality >= 0 AND locality <= 1 AND supervision >= 0 AND supervision <= 1 AND capacity >= 0 AND capacity <= 1', name=op.f('ck_matching_weight_set_weights_range')),
    sa.ForeignKeyConstraint(['activated_by'], ['app_user.id'], name=op.f('fk_matching_weight_set_activated_by_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_matching_weight_set_created_by_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_weight_set')),
    sa.UniqueConstraint('version', name=op.f('uq_matching_weight_set_version'))
    )
    with op.batch_alter_table('matching_weight_set', schema=None) as batch_op:
        batch_op.create_index('uq_matching_weight_set_active', ['active'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))



def downgrade() -> None:
    with op.batch_alter_table('matching_weight_set', schema=None) as batch_op:
        batch_op.drop_index('uq_matching_weight_set_active', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.drop_table('matching_weight_set')
