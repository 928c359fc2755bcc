"""Households from CSV. The village is named as people know it: commune_code + village_name
(+ former_commune when the commune has two villages of that name), not by an internal id."""

from collections import defaultdict
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.areas.models import Area
from app.core.changes import changing
from app.core.db import utcnow
from app.core.text import clean_text, search_key
from app.extensions import db
from app.households.consent import CONSENT_VERSION
from app.households.models import NAME_MAX, ConsentMethod, Household
from app.households.services import HouseholdData, HouseholdError, clean_household_data
from app.imports.places import VillageIndex, communes_by_code, find_commune
from app.imports.rows import CellError, RowResult, Status, key, text, whole_number, yes_no

KIND = "households"
TITLE = _l("Households")
# What each column of the template holds, in the template's order, in the reader's language.
COLUMN_HELP = (
    _l("The commune's national code, e.g. 18562"),
    _l("The village's name, as in the app's list"),
    _l("The former commune, to tell apart two villages with the same name (may be empty)"),
    _l("The household's name (head of household)"),
    _l("Phone number (may be empty)"),
    _l("Household members (a number)"),
    _l("Farm household: 1 for yes, 0 for no"),
    _l("Household business: 1 for yes, 0 for no"),
    _l("How consent was given: signed, or verbal_witnessed (spoken, with a witness)"),
    _l("The day consent was given, as dd/mm/yyyy"),
    _l("The username of the account that collected consent"),
    _l("The witness's name (needed for spoken consent)"),
)
COLUMNS = ("commune_code", "village_name", "former_commune", "display_name", "phone", "member_count",
           "is_farm", "is_business", "consent_method", "consent_date", "consent_collected_by",
           "consent_witness")
REQUIRED = ("commune_code", "village_name", "display_name", "consent_method", "consent_date",
            "consent_collected_by")
EXAMPLE = [
    ("18562", "Thôn 1", "Xã Thạch Sơn", "Nguyễn Văn Đức", "0912 345 678", "4", "1", "0",
     "signed", "15/01/2026", "tnv.hoa", ""),
    ("18562", "Thôn 1", "Xã Thạch Sơn", "Tạp hóa Lan", "", "3", "0", "1",
     "verbal_witnessed", "16/01/2026", "tnv.hoa", "Trần Văn Bình"),
]
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
_METHODS = {
    ConsentMethod.SIGNED: {"signed", "ky", "da ky", "ky giay", "ky ten", "van ban"},
    ConsentMethod.VERBAL_WITNESSED: {"verbal_witnessed", "verbal", "bang loi", "loi noi", "mieng",
                                     "bang loi co nguoi lam chung"},
}
_FIELD_COLUMN = {"display_name": "display_name", "phone": "phone", "member_count": "member_count"}
PHONE_CHUNK = 5_000


def consent_method(values: dict[str, str]) -> ConsentMethod:
    word = key(values.get("consent_method") or "")
    for method, words in _METHODS.items():
        if word in words:
            return method
    raise CellError("consent_method", _l("Write “signed” or “verbal_witnessed”, not “%(value)s”.",
                                         value=text(values, "consent_method")))


def consent_day(values: dict[str, str], today: date) -> datetime:
    """dd/mm/yyyy (or yyyy-mm-dd) -> midnight that day in Vietnam, as UTC."""
    raw = text(values, "consent_date").split(" ")[0]
    if not raw:
        raise CellError("consent_date", _l("Give the day the resident agreed, as dd/mm/yyyy."))
    day = _day(raw)
    if day is None:
        raise CellError("consent_date", _l("“%(value)s” is not a date: write dd/mm/yyyy.", value=raw))
    if day > today:
        raise CellError("consent_date", _l("The consent date is in the future."))
    return datetime.combine(day, time(), LOCAL).astimezone(UTC)


@lru_cache(maxsize=4_096)
def _day(raw: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


class Registered:
    """What is already stored that a new row may repeat: names per village, and phones in the
    file's communes. A phone registered in another commune is not looked up: whether it is
    there would tell the importer about households outside their communes (DESIGN §6)."""

    def __init__(self, village_ids: set[int], phones: set[str], commune_ids: set[int]):
        self.names: dict[tuple[int, str], list[str | None]] = defaultdict(list)
        if village_ids:
            for village_id, name_key, phone in db.session.execute(
                select(Household.village_id, Household.search_key, Household.phone)
                .where(Household.village_id.in_(village_ids), Household.anonymised_at.is_(None))
            ):
                self.names[(village_id, name_key)].append(phone)
        self.phones: set[str] = set()
        ordered = sorted(phones)
        in_communes = Household.village_id.in_(select(Area.id).where(Area.parent_id.in_(commune_ids)))
        for start in range(0, len(ordered), PHONE_CHUNK):
            self.phones.update(db.session.scalars(
                select(Household.phone).where(Household.phone.in_(ordered[start:start + PHONE_CHUNK]),
                                              Household.anonymised_at.is_(None), in_communes)
            ))


def _same_household(phones: list, phone: str | None) -> bool:
    """Same village and name: the same household unless both carry different phones
    (two neighbours can share a name)."""
    return any(other is None or phone is None or other == phone for other in phones)


def _users(rows) -> dict[str, User]:
    names = {key(values.get("consent_collected_by") or "") for _, values in rows} - {""}
    if not names:
        return {}
    return {u.username.lower(): u for u in db.session.scalars(
        select(User).where(func.lower(User.username).in_(names), User.is_active)
    )}


def _clean_row(values, communes, villages, users, today):
    """(village, cleaned data, consent fields) for one row. Raises CellError or HouseholdError."""
    commune = find_commune(communes, values)
    village = villages.find(commune, text(values, "village_name"), text(values, "former_commune"))
    if not village.is_active:
        raise CellError("village_name", _l("%(name)s is deactivated: reactivate it first.", name=village.name))
    data = clean_household_data(HouseholdData(
        display_name=text(values, "display_name"), phone=text(values, "phone"),
        is_farm=yes_no(values, "is_farm"), is_business=yes_no(values, "is_business"),
        member_count=whole_number(values, "member_count"),
    ))
    method = consent_method(values)
    witness = clean_text(values.get("consent_witness")) or None
    if method == ConsentMethod.VERBAL_WITNESSED and not witness:
        raise CellError("consent_witness", _l("Verbal consent needs the name of a witness."))
    if witness and len(witness) > NAME_MAX:
        raise CellError("consent_witness", _l("At most %(max)d characters.", max=NAME_MAX))
    collector = users.get(key(values.get("consent_collected_by") or ""))
    if collector is None:
        raise CellError("consent_collected_by", _l(
            "Give the username of the account that collected the consent (“%(value)s” is not one).",
            value=text(values, "consent_collected_by")))
    consent = {"consent_method": method, "consent_witness": witness, "consent_collected_by_id": collector.id,
               "consent_collected_at": consent_day(values, today), "consent_version": CONSENT_VERSION}
    return village, data, consent


def check(actor: User, rows) -> list[RowResult]:
    """Each row as new, duplicate (of a stored household or an earlier row) or error."""
    communes = communes_by_code(actor, rows)
    villages = VillageIndex(communes.values())
    users = _users(rows)
    today = utcnow().astimezone(LOCAL).date()
    cleaned = []
    for number, values in rows:
        row = RowResult(number, values)
        try:
            row.data = _clean_row(values, communes, villages, users, today)
        except CellError as error:
            row.error(error.column, error.message)
        except HouseholdError as error:
            row.error(_FIELD_COLUMN.get(error.field), error.message)
        cleaned.append(row)
    good = [row for row in cleaned if row.status == Status.NEW]
    registered = Registered({row.data[0].id for row in good}, {row.data[1].phone for row in good} - {None},
                            {row.data[0].parent_id for row in good})
    in_file: dict[tuple[int, str], list[tuple[str | None, int]]] = defaultdict(list)
    phones_in_file: dict[str, int] = {}
    for row in good:
        village, data, _ = row.data
        identity = (village.id, search_key(data.display_name))
        earlier = [n for phone, n in in_file[identity] if phone is None or data.phone is None or phone == data.phone]
        if data.phone and data.phone in registered.phones:
            row.duplicate(_l("A household with this phone number is already registered in this commune."))
        elif _same_household(registered.names.get(identity, []), data.phone):
            row.duplicate(_l("Already registered in %(village)s under this name.", village=village.name))
        elif data.phone and data.phone in phones_in_file:
            row.duplicate(_l("Same phone number as row %(row)s.", row=phones_in_file[data.phone]))
        elif earlier:
            row.duplicate(_l("Same household as row %(row)s.", row=earlier[0]))
        if row.status == Status.NEW:
            in_file[identity].append((data.phone, row.number))
            if data.phone:
                phones_in_file[data.phone] = row.number
    return cleaned


def write(actor: User, results: list[RowResult]) -> int:
    """Insert the new rows' households in bulk. The caller commits."""
    now = utcnow()
    rows = [
        {"village_id": village.id, "display_name": data.display_name, "search_key": search_key(data.display_name),
         "phone": data.phone, "is_farm": data.is_farm, "is_business": data.is_business,
         "member_count": data.member_count, "created_by_id": actor.id, "created_at": now, "updated_at": now,
         **consent}
        for village, data, consent in (row.data for row in results if row.status == Status.NEW)
    ]
    if rows:
        with changing(villages={row["village_id"] for row in rows}):
            db.session.execute(insert(Household), rows)
    return len(rows)
