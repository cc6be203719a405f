"""ratings and commendations (issue 9)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_kind', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rating', sa.String(length=2), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('ranked', sa.Integer(), nullable=False),
    sa.Column('red_streak', sa.Integer(), nullable=False),
    sa.Column('snapshot', models.base.JSONText(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('proposed_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_assessment_rating_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_assessment_rating_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_rating')),
    sa.UniqueConstraint('campaign_id', 'week', 'unit_id', name=op.f('uq_assessment_rating_campaign_id_week_unit_id'))
    )
    with op.batch_alter_table('assessment_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_rating_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_rating_unit_id'), ['unit_id'], unique=False)

    op.create_table('commendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_kind', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('proposed_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_commendation_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phase_id'], ['phase.id'], name=op.f('fk_commendation_phase_id_phase'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_commendation_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commendation')),
    sa.UniqueConstraint('campaign_id', 'phase_id', 'unit_id', name=op.f('uq_commendation_campaign_id_phase_id_unit_id'))
    )
    with op.batch_alter_table('commendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commendation_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commendation_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('commendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commendation_unit_id'))
        batch_op.drop_index(batch_op.f('ix_commendation_campaign_id'))
    op.drop_table('commendation')
    with op.batch_alter_table('assessment_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_rating_unit_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_rating_campaign_id'))
    op.drop_table('assessment_rating')
