"""lead inbox and outbox indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 07:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_provider_sent', ['provider_id', 'sent_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_lead_company_sent', ['company_id', 'sent_at', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_company_sent')
        batch_op.drop_index('ix_lead_provider_sent')
