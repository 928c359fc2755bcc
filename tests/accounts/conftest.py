"""The accounts' fixtures and helpers: a new account's fields, and what the database holds."""

from sqlalchemy import func, select

from app.accounts.models import Role, User, UserSession
from app.accounts.services import create_account
from app.audit.models import AuditEvent


def live_sessions(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))


def actions(db):
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def user_count(db):
    return db.session.scalar(select(func.count()).select_from(User))


def new_account(actor, **overrides):
    fields = {"username": "tnv.duc", "full_name": "Nguyễn Văn Đức", "role": Role.VOLUNTEER,
              "home_area": None, "phone": "0912 345 678"} | overrides
    return create_account(actor, **fields)
