"""Accounts: creating users and signing in, with lockout kept in the database."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from app.accounts.models import Role, User, new_session_token
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.areas.models import Area
from app.audit.services import record
from app.core.db import utcnow
from app.core.text import clean_text, normalize_phone, search_key
from app.extensions import db

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    pass


class InvalidCredentials(AccountError):
    pass


@dataclass
class AccountLocked(AccountError):
    until: datetime


def find_user(identifier: str) -> User | None:
    """A user by username (any case) or by phone number in any Vietnamese format."""
    identifier = identifier.strip()
    conditions = [func.lower(User.username) == identifier.lower()]
    phone = normalize_phone(identifier)
    if phone:
        conditions.append(User.phone == phone)
    return db.session.scalar(select(User).where(or_(*conditions)).limit(1))


def authenticate(identifier: str, password: str, *, now: datetime | None = None) -> User:
    """Check a sign-in. Returns the user, or raises InvalidCredentials / AccountLocked.

    Failures are counted on the user row; after LOGIN_MAX_FAILURES the account is locked
    for LOGIN_LOCK_MINUTES. Every outcome is audited and committed.
    """
    now = now or utcnow()
    user = find_user(identifier)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        record(user, "login.failed", user, {"reason": "unknown" if user is None else "inactive"})
        db.session.commit()
        raise InvalidCredentials()
    if user.locked_until and user.locked_until > now:
        record(user, "login.refused_locked", user)
        db.session.commit()
        raise AccountLocked(user.locked_until)
    if not password_ok:
        user.failed_logins += 1
        record(user, "login.failed", user, {"reason": "password", "failures": user.failed_logins})
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            record(user, "account.locked", user, {"until": user.locked_until.isoformat()})
            db.session.commit()
            raise AccountLocked(user.locked_until)
        db.session.commit()
        raise InvalidCredentials()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record(user, "login.succeeded", user)
    db.session.commit()
    return user


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password shorter than {MIN_PASSWORD_LENGTH} characters")


def create_user(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    password: str,
    role: Role,
    home_area: Area | None = None,
    phone: str | None = None,
    locale: str | None = None,
) -> User:
    """Create an account; the caller commits. Raises AccountError on a taken name or phone."""
    username = username.strip().lower()
    if not username:
        raise AccountError("username is required")
    if find_user(username):
        raise AccountError(f"username {username!r} is taken")
    normalized_phone = None
    if phone:
        normalized_phone = normalize_phone(phone)
        if not normalized_phone:
            raise AccountError("not a Vietnamese mobile number")
        if db.session.scalar(select(User.id).where(User.phone == normalized_phone)):
            raise AccountError("phone number already used by another account")
    validate_password(password)
    full_name = clean_text(full_name)
    user = User(
        username=username,
        full_name=full_name,
        search_key=search_key(full_name),
        phone=normalized_phone,
        password_hash=hash_password(password),
        role=Role(role),
        home_area=home_area,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, {"username": username, "role": str(role),
                                         "home_area_id": home_area.id if home_area else None})
    return user


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivating changes the session token, so the user's open sessions end at once."""
    user.is_active = active
    user.session_token = new_session_token()
    record(actor, "user.activated" if active else "user.deactivated", user)
