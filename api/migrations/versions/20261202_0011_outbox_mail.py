"""one outbox for e-mail and webhooks; Standard Webhooks secrets; e-mail preferences

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-02 00:45:00

Existing outbox rows become webhook messages keyed ``lead:<lead>:<sequence>`` for their
organisation. Existing webhook secrets that are not already ``whsec_`` + base64 are rewritten
to ``whsec_`` + base64 of their UTF-8 bytes: the HMAC key stays the same bytes, and the stored
string is now one a Standard Webhooks verifier accepts as it is.
"""

import base64
import binascii
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _standard(secret: str) -> str:
    if secret.startswith("whsec_"):
        try:
            base64.b64decode(secret[6:], validate=True)
            return secret
        except (binascii.Error, ValueError):
            pass
    return "whsec_" + base64.b64encode(secret.encode()).decode()


def upgrade() -> None:
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=False,
                                      server_default='webhook'))
        batch_op.add_column(sa.Column('event_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('recipient', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('destination', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True),
                                      nullable=True))
    bind = op.get_bind()
    outbox = sa.table('outbox_event', sa.column('id', sa.Uuid()),
                      sa.column('lead_id', sa.Uuid()), sa.column('organisation_id', sa.Uuid()),
                      sa.column('sequence', sa.Integer()), sa.column('event_key', sa.String()),
                      sa.column('recipient', sa.String()), sa.column('destination', sa.String()))
    for row in bind.execute(sa.select(outbox.c.id, outbox.c.lead_id, outbox.c.organisation_id,
                                      outbox.c.sequence)).all():
        bind.execute(outbox.update().where(outbox.c.id == row.id).values(
            event_key=f"lead:{row.lead_id}:{row.sequence}", recipient=str(row.organisation_id),
            destination=f"webhook:{row.organisation_id}"))
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.alter_column('event_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('recipient', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('destination', existing_type=sa.String(length=200),
                              nullable=False)
        batch_op.alter_column('channel', existing_type=sa.String(length=10),
                              server_default=None)
        batch_op.alter_column('lead_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.drop_constraint(op.f('uq_outbox_event_lead_id_sequence'), type_='unique')
        batch_op.create_unique_constraint(op.f('uq_outbox_event_event_key_channel_recipient'),
                                          ['event_key', 'channel', 'recipient'])
        batch_op.create_index('ix_outbox_event_destination', ['destination', 'locked_until'],
                              unique=False)
        batch_op.drop_constraint(op.f('ck_outbox_event_event_type'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_event_event_type'),
            "event_type IN ('lead.sent', 'lead.viewed', 'lead.accepted', 'lead.declined', "
            "'lead.contracted', 'lead.withdrawn', 'lead.expired', 'lead.flagged', "
            "'digest.opportunities', 'reminder.workforce')")
        batch_op.create_check_constraint(op.f('ck_outbox_event_channel'),
                                         "channel IN ('webhook', 'email')")

    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=128),
                              type_=sa.String(length=200), existing_nullable=False)
    endpoint = sa.table('webhook_endpoint', sa.column('id', sa.Uuid()),
                        sa.column('secret', sa.String()))
    for secret_row in bind.execute(sa.select(endpoint.c.id, endpoint.c.secret)).all():
        if (new := _standard(secret_row.secret)) != secret_row.secret:
            bind.execute(endpoint.update().where(endpoint.c.id == secret_row.id)
                         .values(secret=new))

    op.create_table(
        'notification_settings',
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('opportunity_digest', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_notification_settings_organisation_id_organisation'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_notification_settings')),
    )
    op.create_table(
        'mail_opt_out',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("category IN ('leads', 'digest', 'reminders')",
                           name=op.f('ck_mail_opt_out_category')),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_mail_opt_out_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'category', name=op.f('pk_mail_opt_out')),
    )


def downgrade() -> None:
    op.drop_table('mail_opt_out')
    op.drop_table('notification_settings')
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=200),
                              type_=sa.String(length=128), existing_nullable=False)
    op.execute("DELETE FROM delivery_attempt WHERE event_id IN "
               "(SELECT id FROM outbox_event WHERE channel = 'email' OR lead_id IS NULL)")
    op.execute("DELETE FROM outbox_event WHERE channel = 'email' OR lead_id IS NULL")
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_event_channel'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_event_event_type'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_event_event_type'),
            "event_type IN ('lead.sent', 'lead.viewed', 'lead.accepted', 'lead.declined', "
            "'lead.contracted', 'lead.withdrawn', 'lead.expired', 'lead.flagged')")
        batch_op.drop_index('ix_outbox_event_destination')
        batch_op.drop_constraint(op.f('uq_outbox_event_event_key_channel_recipient'),
                                 type_='unique')
        batch_op.create_unique_constraint(op.f('uq_outbox_event_lead_id_sequence'),
                                          ['lead_id', 'sequence'])
        batch_op.alter_column('lead_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('locked_until')
        batch_op.drop_column('destination')
        batch_op.drop_column('recipient')
        batch_op.drop_column('event_key')
        batch_op.drop_column('channel')
