"""web sign-in, ticking and verification (issue 4)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing to add: users, tokens, ticks, photos and the audit log came with 0002. Tick.flags
    # now holds {"code", "text", "photo_id"} objects instead of strings; it is JSON text either way.
    pass


def downgrade() -> None:
    pass
