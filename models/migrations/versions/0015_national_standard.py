"""issue 21 national standard, 自评, rehearsal, survey

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
from alembic import op  # noqa: F401  (used once this revision holds its changes)
import sqlalchemy as sa  # noqa: F401

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
