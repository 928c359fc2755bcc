from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User


class AuditEvent(db.Model):
    """Who did what to which record, when, and what changed (personal values masked).

    ``area_id`` is the place the event belongs to, fixed when it is written: the place of the
    record it names (a log's or household's village, a team's commune, an account's home area,
    a target's or an export's area), else the actor's home area; none for an actor without one.
    The audit screen shows a commune's staff the events whose place lies in their commune. Like
    ``object_id`` it is no foreign key: the trail outlives what it names.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None]
    changes: Mapped[dict | None] = mapped_column(JSON)
    area_id: Mapped[int | None] = mapped_column(index=True)

    actor: Mapped[User | None] = relationship("User")
