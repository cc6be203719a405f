"""CHECK constraints on every closed-set column (issue: one vocabulary)

The allowed values are frozen here, as they were in ``rules.vocabulary`` when this revision
was written: a migration must keep meaning the same thing when the enums later grow (a new
member comes with its own revision). SQLite cannot add a CHECK constraint to a table, so
``batch_alter_table`` copies each table (rows kept); ``services.schema.upgrade`` turns SQLite's
foreign keys off around the run so dropping the old copy cascades nothing. PostgreSQL adds
each constraint in place and checks the rows already there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: table -> [(constraint name, condition)], tables in dependency order
CHECKS: dict[str, list[tuple[str, str]]] = {
    'brief': [
        ('ck_brief_kind', "kind IN ('weekly', 'special')"),
    ],
    'complaint': [
        ('ck_complaint_status', "status IN ('open', 'closed')"),
        ('ck_complaint_visit_result', "visit_result IN ('满意', '基本满意', '不满意')"),
    ],
    'extension_request': [
        ('ck_extension_request_approver', "approver IN ('参与单位', '牵头部门', '县级领导', '创卫办')"),
        ('ck_extension_request_kind', "kind IN ('延期', '挂账')"),
        ('ck_extension_request_object_type', "object_type IN ('task', 'problem', 'unit')"),
        ('ck_extension_request_state', "state IN ('pending', 'approved', 'rejected')"),
    ],
    'inspection': [
        ('ck_inspection_kind', "kind IN ('定期', '暗访', '交叉', '领导带队', '复查')"),
    ],
    'outbox': [
        ('ck_outbox_state', "state IN ('pending', 'sending', 'sent', 'dead', 'merged')"),
    ],
    'unit': [
        ('ck_unit_kind', "kind IN ('创卫办', '职能部门', '牵头部门', '参与单位', '乡镇/街道')"),
    ],
    'app_user': [
        ('ck_app_user_role', "role IN ('office', 'inspector', 'unit', 'leader')"),
    ],
    'assessment_rating': [
        ('ck_assessment_rating_rating', "rating IN ('绿', '黄', '红')"),
        ('ck_assessment_rating_status', "status IN ('proposed', 'confirmed')"),
        ('ck_assessment_rating_unit_kind', "unit_kind IN ('创卫办', '职能部门', '牵头部门', '参与单位', '乡镇/街道')"),
    ],
    'segment': [
        ('ck_segment_kind', "kind IN ('路段', '巷道')"),
    ],
    'task_template': [
        ('ck_task_template_recurrence', "recurrence IN ('once', 'weekly', 'monthly')"),
        ('ck_task_template_scope', "scope IN ('segment', 'alley', 'segment_unit', 'lead_unit', 'participating_unit', 'functional_unit', 'town', 'unit')"),
    ],
    'auth_token': [
        ('ck_auth_token_kind', "kind IN ('link', 'session', 'api')"),
    ],
    'commendation': [
        ('ck_commendation_status', "status IN ('proposed', 'confirmed')"),
        ('ck_commendation_unit_kind', "unit_kind IN ('创卫办', '职能部门', '牵头部门', '参与单位', '乡镇/街道')"),
    ],
    'problem': [
        ('ck_problem_acc_stage', 'acc_stage IN (0, 1, 2, 3, 4, 5)'),
        ('ck_problem_level', "level IN ('参与单位', '牵头部门', '县级领导', '创卫办')"),
        ('ck_problem_resolved_level', "resolved_level IN ('参与单位', '牵头部门', '县级领导', '创卫办')"),
        ('ck_problem_source', "source IN ('report', 'task', 'finding')"),
        ('ck_problem_status', "status IN ('open', 'resolved', 'closed')"),
    ],
    'sanction': [
        ('ck_sanction_kind', "kind IN ('通报批评', '黄牌警告', '约谈')"),
        ('ck_sanction_object_type', "object_type IN ('task', 'problem', 'unit')"),
        ('ck_sanction_state', "state IN ('proposed', 'confirmed', 'dismissed')"),
    ],
    'task': [
        ('ck_task_acc_stage', 'acc_stage IN (0, 1, 2, 3, 4, 5)'),
        ('ck_task_kind', "kind IN ('plan', 'rectify')"),
        ('ck_task_status', "status IN ('open', 'done', 'verified')"),
    ],
    'accountability_step': [
        ('ck_accountability_step_object_type', "object_type IN ('task', 'problem', 'unit')"),
        ('ck_accountability_step_stage', 'stage IN (0, 1, 2, 3, 4, 5)'),
    ],
    'finding': [
        ('ck_finding_source', "source IN ('督查', '投诉')"),
        ('ck_finding_status', "status IN ('pending', 'triage', 'open', 'rectified', 'closed', 'merged')"),
    ],
    'problem_event': [
        ('ck_problem_event_action', "action IN ('raised', 'escalated', 'auto_escalated', 'returned', 'resolved', 'opinion', 'withdrawn', 'assigned', 'extension_requested', 'hold_requested', 'extended', 'held', 'request_rejected', 'verified', 'rework')"),
        ('ck_problem_event_from_level', "from_level IN ('参与单位', '牵头部门', '县级领导', '创卫办')"),
        ('ck_problem_event_to_level', "to_level IN ('参与单位', '牵头部门', '县级领导', '创卫办')"),
    ],
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(name), condition)


def downgrade() -> None:
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in checks:
                batch_op.drop_constraint(op.f(name), type_='check')
