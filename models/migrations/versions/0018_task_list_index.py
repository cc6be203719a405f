"""issue 22 a unit's task list by index

The phone's task list (``services.tasks.board``) takes a unit's open tasks in deadline order, 50
at a time. With only (unit_id, status) PostgreSQL read and sorted all of a unit's tasks (~1,700 in
bench_web) for each page: ~3.4 ms; reading (unit_id, deadline, id) in order, ~0.23 ms.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_unit_deadline', ['unit_id', 'deadline', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_unit_deadline')
