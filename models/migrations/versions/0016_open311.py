"""issue 23 Open311 GeoReport v2

The client systems' API keys (hashed) with their rate-limit window, the service requests they
filed (each the Open311 side of one complaint), and a complaint's 办结 by 创卫办 (when, and the
note the complainant is shown as ``status_notes``). No closed set grows: a request filed through
Open311 is a complaint (finding source 投诉) whose channel says ``Open311``.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'open311_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('rate_per_minute', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('revoked_at', models.base.UTCDateTime(), nullable=True),
        sa.Column('last_used_at', models.base.UTCDateTime(), nullable=True),
        sa.Column('window_start', models.base.UTCDateTime(), nullable=True),
        sa.Column('window_count', sa.Integer(), nullable=False),
        sa.Column('requests_total', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_open311_key_campaign_id_campaign'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_key')),
        sa.UniqueConstraint('campaign_id', 'name', name=op.f('uq_open311_key_campaign_id_name')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_open311_key_key_hash')),
    )
    op.create_index(op.f('ix_open311_key_campaign_id'), 'open311_key', ['campaign_id'], unique=False)
    op.create_table(
        'open311_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=True),
        sa.Column('key_id', sa.Integer(), nullable=False),
        sa.Column('service_code', sa.String(length=40), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=True),
        sa.Column('media_url', sa.String(length=1000), nullable=True),
        sa.Column('datum', sa.String(length=10), nullable=False),
        sa.Column('requested_at', models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_open311_request_campaign_id_campaign'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'],
                                name=op.f('fk_open311_request_complaint_id_complaint'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['key_id'], ['open311_key.id'], name=op.f('fk_open311_request_key_id_open311_key')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_request')),
        sa.UniqueConstraint('complaint_id', name=op.f('uq_open311_request_complaint_id')),
    )
    op.create_index(op.f('ix_open311_request_campaign_id'), 'open311_request', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_open311_request_key_id'), 'open311_request', ['key_id'], unique=False)
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('close_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_column('close_note')
        batch_op.drop_column('closed_at')
    op.drop_index(op.f('ix_open311_request_key_id'), table_name='open311_request')
    op.drop_index(op.f('ix_open311_request_campaign_id'), table_name='open311_request')
    op.drop_table('open311_request')
    op.drop_index(op.f('ix_open311_key_campaign_id'), table_name='open311_key')
    op.drop_table('open311_key')
