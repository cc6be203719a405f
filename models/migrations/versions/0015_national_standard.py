"""issue 21 national standard, 自评, rehearsal, survey

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

import models.base

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('standard_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('vector_thresholds', models.base.JSONText(), nullable=False),
    sa.Column('loaded_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_standard_version_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_version')),
    sa.UniqueConstraint('campaign_id', 'version', name=op.f('uq_standard_version_campaign_id_version'))
    )
    with op.batch_alter_table('standard_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_version_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('standard_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('area_seq', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('owner', sa.String(length=100), nullable=True),
    sa.Column('owner_unit_id', sa.Integer(), nullable=True),
    sa.Column('owner_kinds', models.base.JSONText(), nullable=False),
    sa.Column('evidence', models.base.JSONText(), nullable=False),
    sa.Column('task_categories', models.base.JSONText(), nullable=False),
    sa.Column('finding_categories', models.base.JSONText(), nullable=False),
    sa.Column('indicator', sa.String(length=20), nullable=True),
    sa.Column('pest', sa.String(length=4), nullable=True),
    sa.Column('local', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("pest IN ('鼠', '蚊', '蝇', '蟑')", name=op.f('ck_standard_item_pest')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_standard_item_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['unit.id'], name=op.f('fk_standard_item_owner_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_item')),
    sa.UniqueConstraint('campaign_id', 'code', name=op.f('uq_standard_item_campaign_id_code'))
    )
    with op.batch_alter_table('standard_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_item_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('assessed_by', sa.String(length=100), nullable=False),
    sa.Column('assessed_at', models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("result IN ('达标', '基本达标', '未达标')", name=op.f('ck_self_assessment_result')),
    sa.ForeignKeyConstraint(['item_id'], ['standard_item.id'], name=op.f('fk_self_assessment_item_id_standard_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment'))
    )
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_item_id'), ['item_id'], unique=False)

    op.create_table('evidence_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessment.id'], name=op.f('fk_evidence_file_assessment_id_self_assessment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_evidence_file_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['standard_item.id'], name=op.f('fk_evidence_file_item_id_standard_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_file')),
    sa.UniqueConstraint('item_id', 'sha256', name=op.f('uq_evidence_file_item_id_sha256'))
    )
    with op.batch_alter_table('evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_file_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_file_item_id'), ['item_id'], unique=False)

    op.create_table('vector_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('pest', sa.String(length=4), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('surveyed_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("pest IN ('鼠', '蚊', '蝇', '蟑')", name=op.f('ck_vector_record_pest')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_vector_record_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vector_record'))
    )
    with op.batch_alter_table('vector_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vector_record_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('rehearsal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_rehearsal_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_rehearsal_inspection_id_inspection'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rehearsal'))
    )
    with op.batch_alter_table('rehearsal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rehearsal_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('rehearsal_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rehearsal_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_rehearsal_point_place_id_place')),
    sa.ForeignKeyConstraint(['rehearsal_id'], ['rehearsal.id'], name=op.f('fk_rehearsal_point_rehearsal_id_rehearsal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_rehearsal_point_segment_id_segment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rehearsal_point')),
    sa.UniqueConstraint('rehearsal_id', 'seq', name=op.f('uq_rehearsal_point_rehearsal_id_seq'))
    )
    with op.batch_alter_table('rehearsal_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rehearsal_point_rehearsal_id'), ['rehearsal_id'], unique=False)

    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('per_address', sa.Integer(), nullable=False),
    sa.Column('opened_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('closed_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_survey_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    sa.UniqueConstraint('code', name=op.f('uq_survey_code'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("answer IN ('满意', '基本满意', '不满意')", name=op.f('ck_survey_response_answer')),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_survey_response_segment_id_segment')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('survey_id', 'device', name=op.f('uq_survey_response_survey_id_device'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_survey_id'), ['survey_id'], unique=False)


def downgrade() -> None:
    op.drop_table('survey_response')
    op.drop_table('survey')
    op.drop_table('rehearsal_point')
    op.drop_table('rehearsal')
    op.drop_table('vector_record')
    op.drop_table('evidence_file')
    op.drop_table('self_assessment')
    op.drop_table('standard_item')
    op.drop_table('standard_version')
