"""contact person of organisations; users' phone and language

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('contact_language', sa.String(length=2),
                                      server_default='nl', nullable=False))
        batch_op.create_check_constraint(op.f('ck_organisation_contact_language'),
                                        "contact_language IN ('nl', 'en')")
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=2), server_default='nl',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_app_user_language'), "language IN ('nl', 'en')")


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_app_user_language'), type_='check')
        batch_op.drop_column('language')
        batch_op.drop_column('phone')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisation_contact_language'), type_='check')
        batch_op.drop_column('contact_language')
        batch_op.drop_column('contact_name')
