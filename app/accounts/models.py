from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.core.db import UTCDateTime, utcnow
from app.core.labels import LabelledEnum
from app.extensions import db


class Role(LabelledEnum):
    VOLUNTEER = "volunteer", _l("Volunteer")
    LEADER = "leader", _l("Team leader")
    STAFF = "staff", _l("Province or commune staff")
    ADMIN = "admin", _l("Administrator")


# From narrowest to widest: nobody gives a role further along than their own.
ROLE_ORDER = (Role.VOLUNTEER, Role.LEADER, Role.STAFF, Role.ADMIN)


def role_rank(role: str) -> int:
    return ROLE_ORDER.index(Role(role))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(120), index=True)
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.VOLUNTEER)
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home_area: Mapped[Area | None] = relationship()
    memberships: Mapped[list["Membership"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    # The key of the session this object was loaded for or just opened with (accounts.sessions):
    # what Flask-Login keeps in the cookie. Never stored, only its hash.
    session_key = None  # a plain attribute, not a column

    def get_id(self) -> str:
        if not self.session_key:
            raise RuntimeError("no session for this user: open one with accounts.sessions.open_session")
        return f"{self.id}:{self.session_key}"

    # UserMixin compares get_id(), which now names a session: one row is one user, whichever
    # session it was loaded for.
    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, User) and self.id is not None and self.id == other.id)

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = object.__hash__

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong (see AuditEvent.area_id)."""
        return self.home_area_id

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserSession(db.Model):
    """One signed-in browser. The cookie holds the key, this table only its hash: signing out
    deletes the row, and a copy of the cookie is worthless on every app server at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
