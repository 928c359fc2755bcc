"""Account rules shared by the account and team services: the domain error, value checks,
and who may give which role and area (nobody gives one wider than their own, DESIGN §5)."""

import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import ROLE_ORDER, Role, User, role_rank
from app.areas.models import Area
from app.core.domain import RuleError
from app.core.text import clean_text, normalize_phone
from app.extensions import db

MIN_PASSWORD_LENGTH = 8
NAME_MAX = 120
USERNAME_PATTERN = re.compile(r"^[a-z0-9._-]+$")
# No 0/o, 1/l/i: a temporary password is read aloud or copied from a screen.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountError(RuleError):
    """A refused account change (see RuleError). The message may be left out: sign-in
    failures carry no text of their own."""

    message = None
    field = None
    status = 400

    def __init__(self, message=None, field: str | None = None, status: int = 400):
        super().__init__(message, field, status)

    def __str__(self) -> str:
        return str(self.message) if self.message is not None else ""


# Checking values --------------------------------------------------------------

def name_problem(raw: str | None, *, max_length: int = NAME_MAX):
    """Why ``raw`` cannot be a person's or a team's name, or None when it can."""
    name = clean_text(raw)
    if not name:
        return _l("Enter a name.")
    if len(name) > max_length:
        return _l("At most %(max)d characters.", max=max_length)
    if not any(ch.isalpha() for ch in name):
        return _l("A name needs letters, not only numbers, symbols or emoji.")
    return None


def checked_full_name(raw: str | None) -> str:
    problem = name_problem(raw)
    if problem:
        raise AccountError(problem, "full_name")
    return clean_text(raw)


def checked_phone(raw: str | None, *, owner: User | None = None) -> str | None:
    """The number as +84…, None when left empty; refuses what is not a Vietnamese mobile."""
    raw = (raw or "").strip()
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    phone = normalize_phone(raw)
    # normalize_phone also takes 9 digits without the leading 0 (Excel drops it); typed in a
    # form, 9 digits is a missing digit far more often.
    if len(digits) == 9:
        raise AccountError(_l("This number has 9 digits. A Vietnamese mobile number has 10, "
                              "like 0912 345 678."), "phone")
    if phone is None:
        raise AccountError(_l("Not a Vietnamese mobile number. Write it like 0912 345 678 "
                              "or +84 912 345 678."), "phone")
    taken = select(User.id).where(User.phone == phone)
    if owner is not None and owner.id is not None:
        taken = taken.where(User.id != owner.id)
    if db.session.scalar(taken):
        raise AccountError(_l("Another account already uses this phone number."), "phone", 409)
    return phone


def validate_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password is shorter than %(min)d characters.", min=MIN_PASSWORD_LENGTH),
                           field)


def temporary_password() -> str:
    """Twelve random characters in three groups, e.g. 'k7mp-x2qa-9fhd'."""
    chars = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


# Who may give what -------------------------------------------------------------

def assignable_roles(actor: User | None) -> list[Role]:
    top = role_rank(actor.role) if actor else len(ROLE_ORDER) - 1
    return [role for role in ROLE_ORDER if role_rank(role) <= top]


def check_role_grant(actor: User | None, role: str) -> None:
    if actor is not None and role_rank(role) > role_rank(actor.role):
        raise AccountError(_l("You cannot give a role wider than your own."), "role", 403)


def within_reach(actor: User | None, area: Area | None) -> bool:
    """Is ``area`` inside the actor's home area? No area at all means the whole tree: only
    an actor without a home area, or homed at the top (the province), reaches that."""
    limit = actor.home_area if actor else None
    if limit is None:
        return True
    if area is None:
        return limit.parent_id is None
    return area.is_within(limit)


def out_of_reach(actor: User | None) -> AccountError:
    """The refusal of a home area ``actor`` may not give (or that is not one at all)."""
    if actor is None or actor.home_area is None:
        return AccountError(_l("Choose an area from the list."), "home_area")
    return AccountError(_l("You can only give an area inside %(area)s.", area=actor.home_area.name),
                        "home_area", 403)


def check_area_grant(actor: User | None, area: Area | None) -> None:
    if not within_reach(actor, area):
        raise out_of_reach(actor)
