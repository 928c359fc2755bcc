"""Accounts: creating and managing users, and each user's own settings (signing in: ``signin``).

The management functions own their unit of work (they commit) and raise ``AccountError``
(see ``rules``) with a message for the user.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.accounts.models import Role, User, role_rank
from app.accounts.passwords import hash_password, verify_password
from app.accounts.rules import (
    USERNAME_PATTERN,
    AccountError,
    check_area_grant,
    check_role_grant,
    checked_full_name,
    checked_phone,
    temporary_password,
    validate_password,
    within_reach,
)
from app.accounts.sessions import end_sessions
from app.areas.models import Area
from app.audit.services import record
from app.core.text import normalize_phone, search_key
from app.extensions import db

# Finding a user -----------------------------------------------------------------

def find_user(identifier: str) -> User | None:
    """A user by username (any case) or by phone number in any Vietnamese format."""
    identifier = identifier.strip()
    conditions = [func.lower(User.username) == identifier.lower()]
    phone = normalize_phone(identifier)
    if phone:
        conditions.append(User.phone == phone)
    return db.session.scalar(select(User).where(or_(*conditions)).limit(1))


# Creating and managing accounts ---------------------------------------------------

def _check_manages(actor: User | None, user: User | None = None) -> None:
    """Only administrators manage accounts, and only those within their role and area."""
    if actor is None:
        return
    if actor.role != Role.ADMIN:
        raise AccountError(_l("Only administrators manage accounts."), None, 403)
    if user is not None and user.id != actor.id:
        if role_rank(user.role) > role_rank(actor.role):
            raise AccountError(_l("You cannot give a role wider than your own."), None, 403)
        if not within_reach(actor, user.home_area):
            raise AccountError(_l("This account is outside your area."), None, 403)


def _check_staff_area(role: str, area: Area | None) -> None:
    if role == Role.STAFF and area is None:
        raise AccountError(_l("Staff see what lies under their home area: choose one."), "home_area")


def _is_last_active_admin(user: User) -> bool:
    if user.role != Role.ADMIN or not user.is_active:
        return False
    others = db.session.scalar(
        select(func.count()).select_from(User)
        .where(User.role == Role.ADMIN, User.is_active, User.id != user.id)
    )
    return not others


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
    password_hash: str | None = None,
) -> User:
    """Create an account; the caller commits (the CLI and the demo data use it directly).
    ``password_hash``: the hash of ``password`` made once for many accounts that share it (the
    demo data), since hashing is slow on purpose.
    Raises AccountError on a bad or taken username or phone, a bad name or a short password."""
    username = username.strip().lower()
    if not username:
        raise AccountError(_l("Enter a username."), "username")
    if not USERNAME_PATTERN.match(username):
        raise AccountError(_l("Use only letters a-z, digits, dots, dashes and underscores."), "username")
    if find_user(username):
        raise AccountError(_l("This username is taken."), "username", 409)
    normalized_phone = checked_phone(phone)
    validate_password(password)
    full_name = checked_full_name(full_name)
    user = User(
        username=username,
        full_name=full_name,
        search_key=search_key(full_name),
        phone=normalized_phone,
        password_hash=password_hash or hash_password(password),
        role=Role(role),
        home_area=home_area,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, {"username": username, "role": str(role),
                                         "home_area_id": home_area.id if home_area else None,
                                         "full_name": full_name, "phone": normalized_phone})
    return user


def create_account(
    actor: User,
    *,
    username: str,
    full_name: str,
    role: str,
    home_area: Area | None = None,
    phone: str | None = None,
) -> tuple[User, str]:
    """An administrator creates an account with a temporary password, returned to be shown
    once; the user must change it at first sign-in."""
    _check_manages(actor)
    check_role_grant(actor, role)
    check_area_grant(actor, home_area)
    _check_staff_area(role, home_area)
    password = temporary_password()
    user = create_user(actor, username=username, full_name=full_name, password=password,
                       role=Role(role), home_area=home_area, phone=phone)
    user.must_change_password = True
    db.session.commit()
    return user, password


def update_account(
    actor: User,
    user: User,
    *,
    full_name: str,
    role: str,
    home_area: Area | None,
    phone: str | None,
) -> dict:
    """Change a user's name, role, home area and phone. Returns the changes as
    {field: [old, new]} (empty when nothing changed)."""
    _check_manages(actor, user)
    new = {
        "full_name": checked_full_name(full_name),
        "role": str(Role(role)),
        "home_area_id": home_area.id if home_area else None,
        "phone": checked_phone(phone, owner=user),
    }
    if new["role"] != user.role:
        check_role_grant(actor, new["role"])
        if _is_last_active_admin(user):
            raise AccountError(_l("This is the last active administrator: make someone else "
                                  "administrator first."), "role", 409)
        if user.id == actor.id:
            raise AccountError(_l("You cannot change your own role. Ask another administrator."),
                               "role", 409)
    if new["home_area_id"] != user.home_area_id:
        check_area_grant(actor, home_area)
    _check_staff_area(new["role"], home_area)
    changes = {field: [getattr(user, field), value]
               for field, value in new.items() if getattr(user, field) != value}
    if not changes:
        return {}
    user.full_name = new["full_name"]
    user.search_key = search_key(new["full_name"])
    user.role = new["role"]
    user.home_area = home_area
    user.phone = new["phone"]
    record(actor, "user.updated", user, changes)
    db.session.commit()
    return changes


def set_active(actor: User | None, user: User, active: bool) -> None:
    """Deactivating ends the user's sessions at once.
    No rules and no commit: see deactivate_account / reactivate_account."""
    user.is_active = active
    if not active:
        end_sessions(user)
    record(actor, "user.activated" if active else "user.deactivated", user)


def deactivate_account(actor: User, user: User) -> None:
    """Raises AccountError for the last active administrator and for one's own account."""
    _check_manages(actor, user)
    if not user.is_active:
        return
    if _is_last_active_admin(user):
        raise AccountError(_l("This is the last active administrator and cannot be deactivated. "
                              "Make someone else administrator first."), None, 409)
    if actor is not None and user.id == actor.id:
        raise AccountError(_l("You cannot deactivate your own account."), None, 409)
    set_active(actor, user, False)
    db.session.commit()


def reactivate_account(actor: User, user: User) -> None:
    _check_manages(actor, user)
    if user.is_active:
        return
    set_active(actor, user, True)
    db.session.commit()


def reset_password(actor: User, user: User) -> str:
    """Give ``user`` a temporary password (returned, to be shown once), end their sessions,
    and make them choose their own password at next sign-in."""
    _check_manages(actor, user)
    if actor is not None and user.id == actor.id:
        raise AccountError(_l("Change your own password on your account page."), None, 409)
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_sessions(user)
    record(actor, "user.password_reset", user)
    db.session.commit()
    return password


# A user's own settings ---------------------------------------------------------------

def change_own_password(user: User, *, current: str, new: str) -> None:
    """Check the current password, set the new one, and end the user's other sessions
    (the one ``user`` was loaded for goes on)."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_l("The current password is not right."), "current_password")
    validate_password(new, "new_password")
    if new == current:
        raise AccountError(_l("Choose a new password, different from the current one."), "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user, keep_current=True)
    record(user, "user.password_changed", user)
    db.session.commit()


def set_language(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_l("Unknown language. Choose Tiếng Việt (vi) or English (en)."), "locale")
    user.locale = locale
    db.session.commit()
