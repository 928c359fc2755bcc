"""Households: creating, editing, duplicates, anonymising. Each function owns its unit of work."""

from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher

from flask_babel import lazy_gettext as _l
from sqlalchemy import not_, select

from app.access import can, household_filter, village_ids
from app.accounts.models import Role, User
from app.areas.models import Area, AreaKind
from app.audit.services import record
from app.core.changes import changing
from app.core.db import utcnow
from app.core.domain import RuleError
from app.core.privacy import privacy_problem
from app.core.text import clean_text, normalize_phone, search_key
from app.extensions import db
from app.households.consent import CONSENT_VERSION
from app.households.models import MEMBERS_MAX, NAME_MAX, NOTES_MAX, ConsentMethod, Household

SIMILAR_NAME = 0.85

class HouseholdError(RuleError):
    pass


@dataclass
class HouseholdData:
    display_name: str
    phone: str | None = None
    is_farm: bool = False
    is_business: bool = False
    member_count: int | None = None
    notes: str | None = None


@dataclass
class Consent:
    method: ConsentMethod
    witness: str | None = None
    collected_at: datetime = field(default_factory=utcnow)
    version: str = CONSENT_VERSION


def may_add_in(user: User, village: Area) -> bool:
    """Volunteers and leaders add in their teams' villages; administrators in their home area."""
    if village.kind != AreaKind.VILLAGE or not village.is_active:
        return False
    if user.role == Role.ADMIN:
        return user.home_area is None or village.is_within(user.home_area)
    if user.role == Role.STAFF:
        return False
    return can(user, "view", village)


def villages_with_phones(user: User) -> set[int]:
    """The villages whose households' phones ``user`` sees in full: their own teams' (DESIGN §6)."""
    return set(db.session.scalars(village_ids(user)))


def clean_household_data(data: HouseholdData) -> HouseholdData:
    """The stored form of typed household details; raises HouseholdError naming the field."""
    name = clean_text(data.display_name)
    if len(name) > NAME_MAX:
        raise HouseholdError(_l("At most %(max)d characters.", max=NAME_MAX), "display_name")
    if not any(ch.isalnum() for ch in name):
        raise HouseholdError(_l("Enter a name made of letters or numbers."), "display_name")
    phone = None
    if data.phone and data.phone.strip():
        phone = normalize_phone(data.phone)
        if phone is None:
            raise HouseholdError(
                _l("Enter a Vietnamese mobile number of 10 digits, such as 0912 345 678."), "phone"
            )
    if data.member_count is not None and not 1 <= data.member_count <= MEMBERS_MAX:
        raise HouseholdError(_l("Members must be between 1 and %(max)d.", max=MEMBERS_MAX), "member_count")
    if len(clean_text(data.notes)) > NOTES_MAX:
        raise HouseholdError(_l("At most %(max)d characters.", max=NOTES_MAX), "notes")
    notes = clean_text(data.notes) or None
    problem = privacy_problem(notes)
    if problem:
        raise HouseholdError(problem, "notes")
    return HouseholdData(name, phone, bool(data.is_farm), bool(data.is_business), data.member_count, notes)


@dataclass
class Duplicates:
    """What a new household may repeat: ``households`` the user may see (same phone, or a
    similar name in the village), and whether the phone belongs to a household outside their
    scope, which is only mentioned, never named or placed (DESIGN §6)."""

    households: list[Household] = field(default_factory=list)
    phone_elsewhere: bool = False

    def __bool__(self) -> bool:
        return bool(self.households) or self.phone_elsewhere


def find_duplicates(user: User, village: Area, display_name: str, phone: str | None, *,
                    exclude_id: int | None = None, limit: int = 5) -> Duplicates:
    """Likely duplicates of a household about to be saved in ``village`` by ``user``."""
    visible = household_filter(user)
    live = (Household.anonymised_at.is_(None), Household.id != (exclude_id or 0))
    key = search_key(display_name)
    normalized_phone = normalize_phone(phone) if phone else None
    found: dict[int, Household] = {}
    phone_elsewhere = False
    if normalized_phone:
        same_phone = Household.phone == normalized_phone
        found.update((h.id, h) for h in db.session.scalars(
            select(Household).where(same_phone, visible, *live).limit(limit)))
        phone_elsewhere = db.session.scalar(
            select(Household.id).where(same_phone, not_(visible), *live).limit(1)) is not None
    candidates = db.session.execute(
        select(Household.id, Household.search_key).where(Household.village_id == village.id, visible, *live)
    ).all()
    similar = [hid for hid, other in candidates
               if other == key or SequenceMatcher(None, other, key).ratio() >= SIMILAR_NAME]
    if similar:
        found.update((h.id, h) for h in db.session.scalars(
            select(Household).where(Household.id.in_(similar[:limit]))))
    return Duplicates(list(found.values())[:limit], phone_elsewhere)


def create_household(actor: User, village: Area, data: HouseholdData, consent: Consent) -> Household:
    """Save a new household with its consent record. Raises HouseholdError. Commits."""
    household = add_household(actor, village, data, consent)
    db.session.commit()
    return household


def add_household(actor: User, village: Area, data: HouseholdData, consent: Consent) -> Household:
    """``create_household`` inside a larger unit of work (a help log with a new household):
    flushes, does not commit."""
    if not may_add_in(actor, village):
        raise HouseholdError(_l("You can only add households in your teams' villages."), "village_id")
    data = clean_household_data(data)
    if consent.method == ConsentMethod.VERBAL_WITNESSED and not clean_text(consent.witness):
        raise HouseholdError(_l("Verbal consent needs the name of a witness."), "consent_witness")
    household = Household(
        village=village,
        display_name=data.display_name,
        search_key=search_key(data.display_name),
        phone=data.phone,
        is_farm=data.is_farm,
        is_business=data.is_business,
        member_count=data.member_count,
        notes=data.notes,
        consent_version=consent.version,
        consent_method=consent.method,
        consent_witness=clean_text(consent.witness) or None,
        consent_collected_by_id=actor.id,
        consent_collected_at=consent.collected_at,
        created_by_id=actor.id,
    )
    with changing(villages=[village.id]):
        db.session.add(household)
        db.session.flush()
    record(actor, "household.created", household, {
        "village_id": village.id, "display_name": household.display_name, "phone": household.phone,
        "is_farm": household.is_farm, "is_business": household.is_business,
        "member_count": household.member_count, "consent_method": str(consent.method),
        "consent_version": consent.version,
    })
    return household


def update_household(actor: User, household: Household, data: HouseholdData, village: Area | None) -> Household:
    """Edit the details or move the household to another village in the actor's scope
    (``village`` None: one they may not see). Commits."""
    if household.anonymised_at:
        raise HouseholdError(_l("This household was anonymised and can no longer be edited."))
    if village is None or village.id != household.village_id and not may_add_in(actor, village):
        raise HouseholdError(_l("You can only move a household to one of your teams' villages."), "village_id")
    data = clean_household_data(data)
    new_values = {
        "display_name": data.display_name, "phone": data.phone, "is_farm": data.is_farm,
        "is_business": data.is_business, "member_count": data.member_count, "notes": data.notes,
        "village_id": village.id,
    }
    changes = {}
    # A household that moves takes its coverage to its new village.
    with changing(households=[household.id] if village.id != household.village_id else []):
        for name, value in new_values.items():
            old = getattr(household, name)
            if old != value:
                changes[name] = [old, value]
                setattr(household, name, value)
        if not changes:
            return household
        household.search_key = search_key(household.display_name)
        household.updated_at = utcnow()
    record(actor, "household.updated", household, changes)
    db.session.commit()
    return household


def anonymise_household(actor: User, household: Household) -> Household:
    """Erase name, phone and notes at the resident's request; the household keeps counting. Commits."""
    if actor.role != Role.ADMIN:
        raise HouseholdError(_l("Only an administrator can anonymise a household."), status=403)
    if household.anonymised_at:
        return household
    household.display_name = ""
    household.search_key = ""
    household.phone = None
    household.notes = None
    household.consent_witness = None
    household.anonymised_at = utcnow()
    record(actor, "household.anonymised", household)
    db.session.commit()
    return household
