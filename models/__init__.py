"""What is stored: SQLAlchemy 2 typed models, engine/session factories, Alembic migrations."""

from models.assignment import Assignment, AssignmentMember
from models.base import Base
from models.campaign import Campaign, Phase, PhaseTransition, Stage
from models.geo import Segment, Street
from models.org import Leader, Unit
from models.tasks import Task, TaskTemplate

__all__ = [
    "Assignment", "AssignmentMember", "Base", "Campaign", "Leader", "Phase", "PhaseTransition",
    "Segment", "Stage", "Street", "Task", "TaskTemplate", "Unit",
]
