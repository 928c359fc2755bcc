"""Signing in and out.

Wrong passwords are counted per (client address, account) in shared storage (Redis in
production, see FailureThrottle): after LOGIN_MAX_FAILURES from one address for one account,
that address may not try that account for LOGIN_LOCK_MINUTES. Nobody else is affected, so a
stranger cannot lock a volunteer out; unknown usernames are counted alike, so a pause tells
nothing about which accounts exist. The per-address limit on the whole sign-in form
(LOGIN_RATE_LIMIT, on the route) bounds how many accounts one address can try.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app.accounts.models import User
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.rules import AccountError
from app.accounts.services import find_user
from app.accounts.sessions import end_session, end_sessions, open_session
from app.audit.services import record
from app.core.db import utcnow
from app.core.text import normalize_phone
from app.extensions import db, login_throttle


class InvalidCredentials(AccountError):
    pass


@dataclass
class AccountLocked(AccountError):
    """This address may not try this account before ``until``."""

    until: datetime


def _throttle_key(address: str | None, user: User | None, identifier: str) -> str:
    """(address, account) as a keyed hash: the storage never holds an address or what was typed.
    Every spelling of one account (username in any case, phone in any format) is one account."""
    if user is not None:
        account = f"user:{user.id}"
    else:
        account = "name:" + (normalize_phone(identifier) or identifier.strip().lower())
    message = f"{address or 'unknown'}\n{account}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:40]


def authenticate(identifier: str, password: str, *, address: str | None, now: datetime | None = None) -> User:
    """Check a sign-in from ``address``. Returns the user with a new session open
    (``user.get_id()`` names it), or raises InvalidCredentials / AccountLocked.
    Every outcome is audited and committed."""
    now = now or utcnow()
    config = current_app.config
    user = find_user(identifier)
    key = _throttle_key(address, user, identifier)
    until = login_throttle.locked_until(key)
    if until is not None:
        record(user, "login.refused_locked", user)
        db.session.commit()
        raise AccountLocked(until)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active or not password_ok:
        failures, until = login_throttle.failed(key, max_failures=config["LOGIN_MAX_FAILURES"],
                                                seconds=config["LOGIN_LOCK_MINUTES"] * 60)
        reason = "unknown" if user is None else "inactive" if not user.is_active else "password"
        record(user, "login.failed", user, {"reason": reason, "failures": failures})
        if until is not None:
            record(user, "login.locked", user, {"until": until.isoformat()})
        db.session.commit()
        raise InvalidCredentials() if until is None else AccountLocked(until)
    login_throttle.succeeded(key)
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    open_session(user, now=now)
    record(user, "login.succeeded", user)
    db.session.commit()
    return user


def sign_out(user: User) -> None:
    """End the session ``user`` was loaded for: its cookie, even copied, opens nothing now."""
    end_session(user)
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user``, this one included."""
    end_sessions(user)
    record(user, "user.signed_out_everywhere", user)
    db.session.commit()
