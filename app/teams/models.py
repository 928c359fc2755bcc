from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

team_villages = Table(
    "team_villages",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("areas.id"), primary_key=True, index=True),
)


class MemberRole(StrEnum):
    LEADER = "leader"
    MEMBER = "member"


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(120), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commune: Mapped[Area] = relationship()
    villages: Mapped[list[Area]] = relationship(secondary=team_villages, order_by=Area.name)
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong (see AuditEvent.area_id)."""
        return self.commune_id

    def __repr__(self) -> str:
        return f"<Team {self.name!r}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    @property
    def is_leader(self) -> bool:
        return self.role == MemberRole.LEADER
