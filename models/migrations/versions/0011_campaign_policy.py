"""issue 17 campaign policy (per-unit accountability, lapsing tasks, ...)

A recurring task not done by its deadline plus the grace is closed as 未完成 (``missed``):
``task.status`` gains that value, so its CHECK constraint is replaced (PostgreSQL in place,
SQLite through ``batch_alter_table``'s copy).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD = "status IN ('open', 'done', 'verified')"
NEW = "status IN ('open', 'done', 'verified', 'missed')"


def _replace(condition: str) -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_task_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_task_status'), condition)


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    op.execute("UPDATE task SET status = 'open' WHERE status = 'missed'")
    _replace(OLD)
