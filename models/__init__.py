"""What is stored: SQLAlchemy 2 typed models, engine/session factories, Alembic migrations."""

from models.accountability import AccountabilityStep, ExtensionRequest, Sanction, SupervisionNotice
from models.assessment import Commendation, Rating
from models.assignment import Assignment, AssignmentMember
from models.audit import AuditEntry
from models.base import Base
from models.briefs import Brief, Circular
from models.campaign import Campaign, Phase, PhaseTransition, Stage
from models.evidence import Attachment, Photo
from models.geo import Segment, Street
from models.inspections import Complaint, Finding, Inspection, InspectionStop, LedgerEntry, Place
from models.open311 import Open311Key, Open311Request
from models.org import Leader, Unit
from models.outbox import OutboxMessage
from models.people import AuthToken, SignInFailure, User
from models.problems import Problem, ProblemEvent
from models.standard import (
    EvidenceFile,
    Rehearsal,
    RehearsalPoint,
    SelfAssessment,
    StandardItem,
    StandardVersion,
    Survey,
    SurveyResponse,
    VectorRecord,
)
from models.tasks import Task, TaskTemplate
from models.ticks import Tick

__all__ = [
    "AccountabilityStep", "ExtensionRequest", "Sanction", "SupervisionNotice",
    "Commendation", "Rating",
    "Brief", "Circular",
    "Assignment", "AssignmentMember", "Attachment", "AuditEntry", "AuthToken", "Base", "Campaign",
    "Leader", "OutboxMessage", "Phase", "PhaseTransition", "Photo", "Problem", "ProblemEvent",
    "Segment", "Stage", "Street", "Task", "TaskTemplate", "Tick", "Unit", "User",
    "Complaint", "Finding", "Inspection", "InspectionStop", "LedgerEntry", "Place",
    "Open311Key", "Open311Request",
    "SignInFailure",
    "EvidenceFile", "Rehearsal", "RehearsalPoint", "SelfAssessment", "StandardItem", "StandardVersion",
    "Survey", "SurveyResponse", "VectorRecord",
]
