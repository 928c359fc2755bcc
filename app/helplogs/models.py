from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.catalog.models import Service
from app.core.db import UTCDateTime, utcnow
from app.core.labels import LabelledEnum
from app.extensions import db
from app.households.models import Household
from app.teams.models import Team

# Limits the form and the service share.
NOTE_MAX = 500
PEOPLE_MAX_HOUSEHOLD = 50  # people of one household helped in one visit
PEOPLE_MAX_GROUP = 500  # people at one group session


class Outcome(LabelledEnum):
    DONE = "done", lazy_pgettext("outcome", "Done")
    PARTLY = "partly", _l("Partly")
    FOLLOW_UP = "follow_up", _l("Needs follow-up")


class LogStatus(LabelledEnum):
    SUBMITTED = "submitted", _l("Submitted")
    APPROVED = "approved", _l("Approved")
    RETURNED = "returned", _l("Returned")


class ReturnReason(LabelledEnum):
    WRONG_HOUSEHOLD = "wrong_household", _l("Wrong household")
    WRONG_SERVICE = "wrong_service", _l("Wrong service")
    MISSING_DETAILS = "missing_details", _l("Missing details")
    DUPLICATE = "duplicate", _l("Duplicate")
    OTHER = "other", _l("Other")


help_log_services = Table(
    "help_log_services",
    db.metadata,
    Column("log_id", ForeignKey("help_logs.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True, index=True),
)


class HelpLog(db.Model):
    """One visit: who helped which household (or a group session), where, with what, and when.

    ``client_uuid`` comes from the form the server rendered: a double tap, a retry or a
    replay finds the row already saved instead of adding a second one.
    """

    __tablename__ = "help_logs"
    __table_args__ = (
        UniqueConstraint("author_id", "client_uuid"),
        Index("ix_help_logs_author_id_received_at", "author_id", "received_at"),
        Index("ix_help_logs_team_id_status", "team_id", "status"),
        Index("ix_help_logs_household_id_helped_on", "household_id", "helped_on"),
        Index("ix_help_logs_village_id_helped_on", "village_id", "helped_on"),
        # The navigation badge of a volunteer's returned logs, on every page they open.
        Index("ix_help_logs_returned", "author_id", postgresql_where=text("status = 'returned'"),
              sqlite_where=text("status = 'returned'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    people_count: Mapped[int] = mapped_column(default=1)
    outcome: Mapped[str] = mapped_column(String(16), default=Outcome.DONE)
    helped_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=LogStatus.SUBMITTED)
    version: Mapped[int] = mapped_column(default=1)
    return_reason: Mapped[str | None] = mapped_column(String(32))
    return_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The task the volunteer logged this for, if any; progress also counts unlinked logs.
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    team: Mapped[Team] = relationship()
    village: Mapped[Area] = relationship()
    household: Mapped[Household | None] = relationship()
    services: Mapped[list[Service]] = relationship(secondary=help_log_services, order_by=Service.sort_order)
    task: Mapped["Task | None"] = relationship()  # noqa: F821

    @property
    def is_group(self) -> bool:
        return self.household_id is None

    @property
    def editable(self) -> bool:
        return self.status in (LogStatus.SUBMITTED, LogStatus.RETURNED)

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong (see AuditEvent.area_id)."""
        return self.village_id

    def __repr__(self) -> str:
        return f"<HelpLog {self.id} {self.status}>"
