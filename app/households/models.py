from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.core.db import UTCDateTime, utcnow
from app.core.labels import LabelledEnum
from app.extensions import db

# Limits the forms, the services and the import share.
NAME_MAX = 120
MEMBERS_MAX = 50
NOTES_MAX = 500
PHONE_TYPED_MAX = 20  # as typed, with spaces; stored normalised as +84…


class ConsentMethod(LabelledEnum):
    VERBAL_WITNESSED = "verbal_witnessed", _l("Verbally, with a witness")
    SIGNED = "signed", _l("Signed on paper")


class Household(db.Model):
    """A household in a village, with the minimum personal data and its consent record."""

    __tablename__ = "households"
    __table_args__ = (Index("ix_households_village_id_search_key", "village_id", "search_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    display_name: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16), index=True)
    is_farm: Mapped[bool] = mapped_column(Boolean, default=False)
    is_business: Mapped[bool] = mapped_column(Boolean, default=False)
    member_count: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)

    consent_version: Mapped[str] = mapped_column(String(16))
    consent_method: Mapped[str] = mapped_column(String(24))
    consent_witness: Mapped[str | None] = mapped_column(String(120))
    consent_collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent_collected_at: Mapped[datetime] = mapped_column(UTCDateTime)

    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    village: Mapped[Area] = relationship()
    consent_collected_by: Mapped[User | None] = relationship(foreign_keys=[consent_collected_by_id])

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong (see AuditEvent.area_id)."""
        return self.village_id

    def __repr__(self) -> str:
        return f"<Household {self.id}>"
