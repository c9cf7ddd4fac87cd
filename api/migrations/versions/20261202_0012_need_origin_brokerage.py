"""need origin (new / reshored / kept); staff brokering for companies that allow it

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-02 00:40:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _reference(table: str, column: str, referred: str) -> sa.Column:
    """A nullable foreign-key column, ON DELETE SET NULL."""
    return sa.Column(column, sa.Uuid(), sa.ForeignKey(
        f'{referred}.id', ondelete='SET NULL', name=f'fk_{table}_{column}_{referred}'),
        nullable=True)


def upgrade() -> None:
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=10), server_default='new',
                                      nullable=False))
        batch_op.add_column(sa.Column('origin_country', sa.String(length=2), nullable=True))
        batch_op.add_column(_reference('need', 'brokered_by_user_id', 'app_user'))
        batch_op.create_check_constraint('origin', "origin IN ('new', 'reshored', 'kept')")
        batch_op.create_check_constraint('origin_country_reshored',
                                         "origin_country IS NULL OR origin = 'reshored'")
    if op.get_bind().dialect.name != "postgresql":
        # SQLite altered `need` by copying it, which dropped the need_tally triggers (0007)
        for statement in _sqlite_tally_triggers():
            op.execute(statement)
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(_reference('lead', 'brokered_by_user_id', 'app_user'))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brokered_by_department', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(_reference('audit_event', 'on_behalf_of_organisation_id',
                                       'organisation'))
        batch_op.create_index('ix_audit_event_on_behalf_of_organisation_id',
                              ['on_behalf_of_organisation_id'], unique=False)


def _sqlite_tally_triggers() -> list[str]:
    """The need_tally triggers of 0007: a SQLite table copy drops them, so they come back."""
    path = Path(__file__).with_name('20261128_0007_need_tally.py')
    spec = importlib.util.spec_from_file_location('koppel_migration_0007', path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.SQLITE)


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_on_behalf_of_organisation_id')
        batch_op.drop_column('on_behalf_of_organisation_id')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('brokered_by_department')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('brokered_by_user_id')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_constraint('origin_country_reshored', type_='check')
        batch_op.drop_constraint('origin', type_='check')
        batch_op.drop_column('brokered_by_user_id')
        batch_op.drop_column('origin_country')
        batch_op.drop_column('origin')
    if op.get_bind().dialect.name != "postgresql":
        for statement in _sqlite_tally_triggers():
            op.execute(statement)
