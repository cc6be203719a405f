"""issue 16 hardening: the failed sign-ins that throttling and lockout count

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('cleared_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failure')),
    )
    op.create_index('ix_sign_in_failure_phone_at', 'sign_in_failure', ['phone', 'at'], unique=False)
    op.create_index('ix_sign_in_failure_address_at', 'sign_in_failure', ['address', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sign_in_failure_address_at', table_name='sign_in_failure')
    op.drop_index('ix_sign_in_failure_phone_at', table_name='sign_in_failure')
    op.drop_table('sign_in_failure')
