"""clusters: cluster runs (persisted jobs), clusters, members and FTE assignments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 04:00:53.846142
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cluster_run',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('requested_by', sa.Uuid(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cluster_count', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f('ck_cluster_run_status')),
    sa.CheckConstraint('progress >= 0 AND progress <= 1', name=op.f('ck_cluster_run_progress_range')),
    sa.ForeignKeyConstraint(['requested_by'], ['app_user.id'], name=op.f('fk_cluster_run_requested_by_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_run'))
    )
    with op.batch_alter_table('cluster_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_run_status'), ['status'], unique=False)

    op.create_table('cluster',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('municipality', sa.String(length=120), nullable=False),
    sa.Column('province', sa.String(length=40), nullable=False),
    sa.Column('centroid_lat', sa.Float(), nullable=False),
    sa.Column('centroid_lon', sa.Float(), nullable=False),
    sa.Column('radius_km', sa.Float(), nullable=False),
    sa.Column('demand_fte', sa.Float(), nullable=False),
    sa.Column('covered_fte', sa.Float(), nullable=False),
    sa.Column('mean_score', sa.Float(), nullable=True),
    sa.Column('mean_distance_km', sa.Float(), nullable=True),
    sa.Column('potential', sa.String(length=10), nullable=False),
    sa.Column('potential_criteria', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('unassigned', sa.JSON(), nullable=False),
    sa.CheckConstraint("potential IN ('high', 'medium', 'low')", name=op.f('ck_cluster_potential')),
    sa.CheckConstraint("status IN ('proposed', 'endorsed', 'forming', 'active', 'dissolved')", name=op.f('ck_cluster_status')),
    sa.ForeignKeyConstraint(['run_id'], ['cluster_run.id'], name=op.f('fk_cluster_run_id_cluster_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster')),
    sa.UniqueConstraint('run_id', 'key', name=op.f('uq_cluster_run_id'))
    )
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_province'), ['province'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_status'), ['status'], unique=False)

    op.create_table('cluster_assignment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('cluster_id', sa.Uuid(), nullable=False),
    sa.Column('need_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('fte', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=False),
    sa.CheckConstraint("level IN ('low', 'medium', 'high')", name=op.f('ck_cluster_assignment_level')),
    sa.CheckConstraint('fte > 0', name=op.f('ck_cluster_assignment_fte_positive')),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], name=op.f('fk_cluster_assignment_cluster_id_cluster'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_cluster_assignment_need_id_need'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['organisation.id'], name=op.f('fk_cluster_assignment_provider_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cluster_assignment_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_assignment')),
    sa.UniqueConstraint('cluster_id', 'need_id', 'site_id', 'level', name=op.f('uq_cluster_assignment_cluster_id'))
    )
    with op.batch_alter_table('cluster_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_assignment_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_assignment_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_assignment_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_assignment_site_id'), ['site_id'], unique=False)

    op.create_table('cluster_need_member',
    sa.Column('cluster_id', sa.Uuid(), nullable=False),
    sa.Column('need_id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('demand_fte', sa.Float(), nullable=False),
    sa.Column('covered_fte', sa.Float(), nullable=False),
    sa.Column('unassigned_fte', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], name=op.f('fk_cluster_need_member_cluster_id_cluster'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['organisation.id'], name=op.f('fk_cluster_need_member_company_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_cluster_need_member_need_id_need'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cluster_id', 'need_id', name=op.f('pk_cluster_need_member'))
    )
    with op.batch_alter_table('cluster_need_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_need_member_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_need_member_need_id'), ['need_id'], unique=False)

    op.create_table('cluster_provider_member',
    sa.Column('cluster_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_fte', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], name=op.f('fk_cluster_provider_member_cluster_id_cluster'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['organisation.id'], name=op.f('fk_cluster_provider_member_provider_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cluster_provider_member_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cluster_id', 'site_id', name=op.f('pk_cluster_provider_member'))
    )
    with op.batch_alter_table('cluster_provider_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_provider_member_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_provider_member_site_id'), ['site_id'], unique=False)


def downgrade() -> None:
    # dropping a table drops its indexes; children before parents
    for table in ('cluster_provider_member', 'cluster_need_member', 'cluster_assignment',
                  'cluster', 'cluster_run'):
        op.drop_table(table)
