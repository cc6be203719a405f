"""issue 20 documents (brief drafts, 督查通报, 台账 quantities)

Brief gains its state (草稿 → 已签发), the office's narrative text and the time it was issued;
督查通报 get their own numbered table; a ledger entry may come from a task tick (task_id)
instead of a finding. SQLite alters the tables through ``batch_alter_table`` (a copy).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('brief', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default='issued', nullable=False))
        batch_op.add_column(sa.Column('narrative', models.base.JSONText(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('issued_at', models.base.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_brief_state'), "state IN ('draft', 'issued')")
    op.create_table('circular',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issued_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('html_path', sa.String(length=500), nullable=True),
    sa.Column('docx_path', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_circular_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_circular_inspection_id_inspection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circular')),
    sa.UniqueConstraint('campaign_id', 'number', name=op.f('uq_circular_campaign_id_number')),
    sa.UniqueConstraint('inspection_id', name=op.f('uq_circular_inspection_id'))
    )
    with op.batch_alter_table('circular', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circular_campaign_id'), ['campaign_id'], unique=False)
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
        batch_op.alter_column('finding_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_ledger_entry_task_id'), ['task_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entry_task_id_task'), 'task', ['task_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade() -> None:
    op.execute("DELETE FROM ledger_entry WHERE finding_id IS NULL")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ledger_entry_task_id_task'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_entry_task_id'))
        batch_op.alter_column('finding_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('task_id')
    with op.batch_alter_table('circular', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circular_campaign_id'))
    op.drop_table('circular')
    with op.batch_alter_table('brief', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_brief_state'), type_='check')
        batch_op.drop_column('issued_at')
        batch_op.drop_column('narrative')
        batch_op.drop_column('state')
