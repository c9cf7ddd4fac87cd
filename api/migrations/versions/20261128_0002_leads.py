"""leads: leads, webhook endpoints, the outbox and delivery attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:56:57.751088
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_webhook_endpoint_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_webhook_endpoint_organisation_id'))
    )
    op.create_table('lead',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('need_id', sa.Uuid(), nullable=False),
    sa.Column('capability_id', sa.Uuid(), nullable=True),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('provider_site_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('decline_reason_code', sa.String(length=12), nullable=True),
    sa.Column('decline_reason_text', sa.String(length=1000), nullable=False),
    sa.Column('contracted_fte', sa.Float(), nullable=True),
    sa.Column('reserved_fte_low', sa.Float(), nullable=False),
    sa.Column('reserved_fte_medium', sa.Float(), nullable=False),
    sa.Column('reserved_fte_high', sa.Float(), nullable=False),
    sa.Column('reserved_supervisors', sa.Float(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('flag_reason', sa.String(length=500), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('contracted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_sequence', sa.Integer(), nullable=False),
    sa.CheckConstraint("decline_reason_code IS NULL OR decline_reason_code IN ('distance', 'skills', 'supervision', 'capacity', 'timing', 'price', 'other')", name=op.f('ck_lead_decline_reason_code')),
    sa.CheckConstraint("status IN ('sent', 'viewed', 'accepted', 'declined', 'contracted', 'withdrawn', 'expired')", name=op.f('ck_lead_status')),
    sa.CheckConstraint('contracted_fte IS NULL OR contracted_fte > 0', name=op.f('ck_lead_contracted_fte_positive')),
    sa.CheckConstraint('reserved_fte_low >= 0 AND reserved_fte_medium >= 0 AND reserved_fte_high >= 0 AND reserved_supervisors >= 0', name=op.f('ck_lead_reserved_non_negative')),
    sa.ForeignKeyConstraint(['capability_id'], ['capability.id'], name=op.f('fk_lead_capability_id_capability'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['organisation.id'], name=op.f('fk_lead_company_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_lead_need_id_need'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['organisation.id'], name=op.f('fk_lead_provider_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_site_id'], ['site.id'], name=op.f('fk_lead_provider_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_capability_id'), ['capability_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_provider_site_id'), ['provider_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_status'), ['status'], unique=False)
        # at most one open lead per (need, capability): a partial unique index
        batch_op.create_index('uq_lead_open_need_capability', ['need_id', 'capability_id'], unique=True, sqlite_where=sa.text("status IN ('sent', 'viewed', 'accepted')"), postgresql_where=sa.text("status IN ('sent', 'viewed', 'accepted')"))

    op.create_table('outbox_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=20), nullable=False),
    sa.Column('lead_id', sa.Uuid(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("event_type IN ('lead.sent', 'lead.viewed', 'lead.accepted', 'lead.declined', 'lead.contracted', 'lead.withdrawn', 'lead.expired', 'lead.flagged')", name=op.f('ck_outbox_event_event_type')),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name=op.f('ck_outbox_event_status')),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_outbox_event_lead_id_lead'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_outbox_event_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event')),
    sa.UniqueConstraint('lead_id', 'sequence', name='uq_outbox_event_lead_id_sequence')
    )
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_event_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_event_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('delivery_attempt',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_delivery_attempt_event_id_outbox_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempt'))
    )
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempt_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_event_id'))

    op.drop_table('delivery_attempt')
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_event_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_event_lead_id'))
        batch_op.drop_index('ix_outbox_event_due')

    op.drop_table('outbox_event')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('uq_lead_open_need_capability', sqlite_where=sa.text("status IN ('sent', 'viewed', 'accepted')"), postgresql_where=sa.text("status IN ('sent', 'viewed', 'accepted')"))
        batch_op.drop_index(batch_op.f('ix_lead_status'))
        batch_op.drop_index(batch_op.f('ix_lead_provider_site_id'))
        batch_op.drop_index(batch_op.f('ix_lead_provider_id'))
        batch_op.drop_index(batch_op.f('ix_lead_need_id'))
        batch_op.drop_index(batch_op.f('ix_lead_expires_at'))
        batch_op.drop_index(batch_op.f('ix_lead_company_id'))
        batch_op.drop_index(batch_op.f('ix_lead_capability_id'))

    op.drop_table('lead')
    op.drop_table('webhook_endpoint')