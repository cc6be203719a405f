"""places, inspections, findings, complaints, ledger (issue 7)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('order_no', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('received_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('complainant_name', sa.String(length=100), nullable=True),
    sa.Column('complainant_phone', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('located_by', sa.String(length=10), nullable=False),
    sa.Column('visit_result', sa.String(length=10), nullable=True),
    sa.Column('visited_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('redo_count', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_complaint_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('campaign_id', 'order_no', name=op.f('uq_complaint_campaign_id_order_no'))
    )
    op.create_index(op.f('ix_complaint_campaign_id'), 'complaint', ['campaign_id'], unique=False)
    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('announced', sa.Boolean(), nullable=False),
    sa.Column('published_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_inspection_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    sa.UniqueConstraint('campaign_id', 'week', 'kind', 'seq', name=op.f('uq_inspection_campaign_id_week_kind_seq'))
    )
    op.create_index(op.f('ix_inspection_campaign_id'), 'inspection', ['campaign_id'], unique=False)
    op.create_table('place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('source_datum', sa.String(length=10), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_place_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_place_segment_id_segment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
    sa.UniqueConstraint('campaign_id', 'kind', 'name', name=op.f('uq_place_campaign_id_kind_name'))
    )
    op.create_index(op.f('ix_place_campaign_id'), 'place', ['campaign_id'], unique=False)
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('alley_id', sa.Integer(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=True),
    sa.Column('inspector_unit_id', sa.Integer(), nullable=True),
    sa.Column('deadline', models.base.UTCDateTime(), nullable=True),
    sa.Column('dispatched_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('rework_count', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('rectified_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('checked_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('exposed_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['alley_id'], ['segment.id'], name=op.f('fk_finding_alley_id_segment')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_finding_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_finding_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_finding_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['inspector_unit_id'], ['unit.id'], name=op.f('fk_finding_inspector_unit_id_unit')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['unit.id'], name=op.f('fk_finding_lead_unit_id_unit')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['finding.id'], name=op.f('fk_finding_merged_into_id_finding')),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_finding_problem_id_problem')),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_finding_segment_id_segment')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_finding_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    op.create_index(op.f('ix_finding_complaint_id'), 'finding', ['complaint_id'], unique=False)
    op.create_index('ix_finding_inspection', 'finding', ['inspection_id'], unique=False)
    op.create_index('ix_finding_open', 'finding', ['campaign_id', 'status', 'category'], unique=False)
    op.create_table('inspection_stop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('inspector_unit_id', sa.Integer(), nullable=True),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('inspected_unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_inspection_stop_finding_id_finding')),
    sa.ForeignKeyConstraint(['inspected_unit_id'], ['unit.id'], name=op.f('fk_inspection_stop_inspected_unit_id_unit')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_stop_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspector_unit_id'], ['unit.id'], name=op.f('fk_inspection_stop_inspector_unit_id_unit')),
    sa.ForeignKeyConstraint(['leader_id'], ['leader.id'], name=op.f('fk_inspection_stop_leader_id_leader')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_inspection_stop_place_id_place')),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_inspection_stop_segment_id_segment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_stop'))
    )
    op.create_index(op.f('ix_inspection_stop_inspection_id'), 'inspection_stop', ['inspection_id'], unique=False)
    op.create_index('ix_inspection_stop_inspector', 'inspection_stop', ['inspector_unit_id'], unique=False)
    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_ledger_entry_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_ledger_entry_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phase_id'], ['phase.id'], name=op.f('fk_ledger_entry_phase_id_phase')),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_ledger_entry_segment_id_segment')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_ledger_entry_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry'))
    )
    op.create_index('ix_ledger_entry_campaign_phase', 'ledger_entry', ['campaign_id', 'phase_id'], unique=False)
    op.create_index(op.f('ix_ledger_entry_finding_id'), 'ledger_entry', ['finding_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ledger_entry_finding_id'), table_name='ledger_entry')
    op.drop_index('ix_ledger_entry_campaign_phase', table_name='ledger_entry')
    op.drop_table('ledger_entry')
    op.drop_index('ix_inspection_stop_inspector', table_name='inspection_stop')
    op.drop_index(op.f('ix_inspection_stop_inspection_id'), table_name='inspection_stop')
    op.drop_table('inspection_stop')
    op.drop_index('ix_finding_open', table_name='finding')
    op.drop_index('ix_finding_inspection', table_name='finding')
    op.drop_index(op.f('ix_finding_complaint_id'), table_name='finding')
    op.drop_table('finding')
    op.drop_index(op.f('ix_place_campaign_id'), table_name='place')
    op.drop_table('place')
    op.drop_index(op.f('ix_inspection_campaign_id'), table_name='inspection')
    op.drop_table('inspection')
    op.drop_index(op.f('ix_complaint_campaign_id'), table_name='complaint')
    op.drop_table('complaint')
