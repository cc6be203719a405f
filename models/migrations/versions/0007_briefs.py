"""weekly briefs (issue 8)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('brief',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=220), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('as_of', models.base.UTCDateTime(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('written_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('html_path', sa.String(length=500), nullable=True),
    sa.Column('docx_path', sa.String(length=500), nullable=True),
    sa.Column('map_path', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_brief_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brief')),
    sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_brief_campaign_id_key')),
    sa.UniqueConstraint('campaign_id', 'number', name=op.f('uq_brief_campaign_id_number'))
    )
    with op.batch_alter_table('brief', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brief_campaign_id'), ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('brief', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brief_campaign_id'))
    op.drop_table('brief')
