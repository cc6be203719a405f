"""issue 18 four-step procedure on phones, messages with links

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""
from alembic import op  # noqa: F401  (used once this revision holds its changes)
import sqlalchemy as sa  # noqa: F401

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
