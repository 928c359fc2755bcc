"""Signed-in sessions kept in the database, so signing out ends a session for real and every
app server behind the load balancer agrees at once.

The cookie (signed by Flask) holds '<user id>:<session key>'; ``user_sessions`` holds the key's
SHA-256 (the key is 256 random bits, so a fast hash is enough, and a copy of the table opens
nothing). A session idle for longer than PERMANENT_SESSION_LIFETIME has expired; its last-seen
time is written at most once per SESSION_TOUCH_INTERVAL, not on every request.

These functions leave the commit to the service whose unit of work they are part of, except
``load_session_user``, which runs alone before the request's own work.
"""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update

from app.accounts.models import User, UserSession
from app.core.db import utcnow
from app.core.forms import parse_id
from app.extensions import db


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _idle_cutoff(now: datetime) -> datetime:
    return now - current_app.config["PERMANENT_SESSION_LIFETIME"]


def open_session(user: User, *, now: datetime | None = None) -> str:
    """Add a session for ``user`` and return what the cookie holds (also ``user.get_id()``).
    The user's expired sessions are cleared on the way, so the table does not grow forever."""
    now = now or utcnow()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.last_seen_at < _idle_cutoff(now)))
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=_hash(key), created_at=now, last_seen_at=now))
    user.session_key = key
    return user.get_id()


# Built once: every signed-in request runs it.
_SESSION_USER = (
    select(User, UserSession.id, UserSession.last_seen_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), User.is_active, UserSession.key_hash == bindparam("key_hash"))
)


def load_session_user(session_id: str, *, now: datetime | None = None) -> User | None:
    """The active user whose live session the cookie names, or None. One statement, the one
    that loads the user anyway; plus, at most once per SESSION_TOUCH_INTERVAL, an UPDATE of
    the last-seen time, committed at once (nothing else is pending this early in a request)."""
    ident, _, key = session_id.partition(":")
    ident = parse_id(ident)
    if ident is None or not key:
        return None
    row = db.session.execute(_SESSION_USER, {"user_id": ident, "key_hash": _hash(key)}).first()
    if row is None:
        return None
    user, row_id, last_seen = row
    now = now or utcnow()
    if last_seen < _idle_cutoff(now):
        return None
    if now - last_seen >= current_app.config["SESSION_TOUCH_INTERVAL"]:
        db.session.execute(update(UserSession).where(UserSession.id == row_id).values(last_seen_at=now))
        db.session.commit()
    user.session_key = key
    return user


def end_session(user: User) -> None:
    """End the session ``user`` was loaded for."""
    if user.session_key:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == _hash(user.session_key)))


def end_sessions(user: User, *, keep_current: bool = False) -> None:
    """End every session of ``user`` (but the one it was loaded for, with ``keep_current``)."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_current and user.session_key:
        stmt = stmt.where(UserSession.key_hash != _hash(user.session_key))
    db.session.execute(stmt)


def live_session_count(user: User, *, now: datetime | None = None) -> int:
    """How many browsers ``user`` is signed in on (sessions not yet expired)."""
    return db.session.scalar(
        select(func.count()).select_from(UserSession)
        .where(UserSession.user_id == user.id, UserSession.last_seen_at >= _idle_cutoff(now or utcnow()))
    )
