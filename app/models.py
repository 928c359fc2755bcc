"""Every model, imported in one place so Alembic and the mappers see them all."""

from app.accounts.models import User, UserSession
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.catalog.models import Service
from app.coverage.models import Bucket, Registered, Target, VolunteerBucket
from app.helplogs.models import HelpLog, help_log_services
from app.households.models import Household
from app.imports.models import ImportUpload
from app.tasks.models import Task, task_households, task_services
from app.teams.models import Membership, Team, team_villages
from app.training.models import (
    Answer,
    Attempt,
    Attendee,
    Choice,
    Feedback,
    Qualification,
    Question,
    Quiz,
    QuizQuestion,
    TrainingSession,
)

__all__ = [
    "Bucket", "Registered", "Target", "VolunteerBucket",
    "Area", "AuditEvent", "HelpLog", "Household", "ImportUpload", "help_log_services", "Membership", "Service", "Task",
    "task_households", "task_services", "Team", "User", "UserSession", "team_villages",
    "Answer", "Attempt", "Attendee", "Choice", "Feedback", "Qualification", "Question", "Quiz", "QuizQuestion",
    "TrainingSession",
]
