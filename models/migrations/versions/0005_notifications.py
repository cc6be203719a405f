"""outbox relay (issue 6)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_attempt_at', models.base.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_outbox_sent', ['state', 'sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_merged_into'), ['merged_into'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_merged_into'))
        batch_op.drop_index('ix_outbox_sent')
        batch_op.drop_column('last_attempt_at')
