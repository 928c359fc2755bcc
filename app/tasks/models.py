from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.catalog.models import Service
from app.core.db import UTCDateTime, utcnow
from app.core.labels import LabelledEnum
from app.extensions import db
from app.households.models import Household
from app.teams.models import Team

NOTE_MAX = 500


class TaskStatus(LabelledEnum):
    ACTIVE = "active", lazy_pgettext("task", "Active")
    CLOSED = "closed", _l("Closed")
    CANCELLED = "cancelled", _l("Cancelled")


class TaskScope(StrEnum):
    VILLAGE = "village"  # every household of the village
    HOUSEHOLDS = "households"  # the households listed in task_households


task_services = Table(
    "task_services",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True),
)

task_households = Table(
    "task_households",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("household_id", ForeignKey("households.id"), primary_key=True, index=True),
)


class Task(db.Model):
    """Work a leader sets for a team: households of one village to reach with some services,
    a target number of them, a due date, and who does it (an assignee, or open to a claim).

    Progress is counted from approved logs (see ``tasks.queries.progress``), never stored.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_team_id_status_due_on", "team_id", "status", "due_on"),
        Index("ix_tasks_village_id_status", "village_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    scope: Mapped[str] = mapped_column(String(16), default=TaskScope.VILLAGE)
    target_count: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    # Open tasks wait for a volunteer to claim them; the claim sets the assignee and can be released.
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.ACTIVE)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()
    village: Mapped[Area] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    services: Mapped[list[Service]] = relationship(secondary=task_services, order_by=Service.sort_order)
    households: Mapped[list[Household]] = relationship(secondary=task_households, order_by=Household.search_key)

    @property
    def is_active(self) -> bool:
        return self.status == TaskStatus.ACTIVE

    def is_overdue(self, today: date) -> bool:
        return self.is_active and self.due_on < today

    @property
    def claimable(self) -> bool:
        return self.is_active and self.is_open and self.assignee_id is None

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong (see AuditEvent.area_id)."""
        return self.village_id

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status}>"
