"""ladders, supervision notices and sanctions (issue 5)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', models.base.UTCDateTime(), nullable=True))

    op.create_table('supervision_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('doc_no', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('deadline', models.base.UTCDateTime(), nullable=False),
    sa.Column('items', models.base.JSONText(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_supervision_notice_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phase_id'], ['phase.id'], name=op.f('fk_supervision_notice_phase_id_phase')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_supervision_notice_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notice')),
    sa.UniqueConstraint('campaign_id', 'year', 'number', name=op.f('uq_supervision_notice_campaign_id_year_number'))
    )
    op.create_index(op.f('ix_supervision_notice_campaign_id'), 'supervision_notice', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_supervision_notice_unit_id'), 'supervision_notice', ['unit_id'], unique=False)

    op.create_table('sanction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=True),
    sa.Column('object_type', sa.String(length=10), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('detail', models.base.JSONText(), nullable=False),
    sa.Column('proposed_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('decided_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('published_at', models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_sanction_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phase_id'], ['phase.id'], name=op.f('fk_sanction_phase_id_phase')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_sanction_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanction')),
    sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_sanction_campaign_id_key'))
    )
    op.create_index('ix_sanction_state', 'sanction', ['campaign_id', 'state'], unique=False)
    op.create_index(op.f('ix_sanction_unit_id'), 'sanction', ['unit_id'], unique=False)

    op.create_table('accountability_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=10), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('detail', models.base.JSONText(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_accountability_step_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['supervision_notice.id'], name=op.f('fk_accountability_step_notice_id_supervision_notice')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_accountability_step_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accountability_step'))
    )
    op.create_index('ix_accountability_step_object', 'accountability_step', ['object_type', 'object_id'], unique=False)
    op.create_index(op.f('ix_accountability_step_campaign_id'), 'accountability_step', ['campaign_id'], unique=False)

    op.create_table('extension_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=10), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('until', models.base.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('approver', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('requested_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_extension_request_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_request'))
    )
    op.create_index('ix_extension_request_object', 'extension_request', ['object_type', 'object_id', 'state'], unique=False)
    op.create_index(op.f('ix_extension_request_campaign_id'), 'extension_request', ['campaign_id'], unique=False)


def downgrade() -> None:
    op.drop_table('extension_request')
    op.drop_table('accountability_step')
    op.drop_table('sanction')
    op.drop_table('supervision_notice')
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('resolved_at')
