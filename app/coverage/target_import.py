"""Targets from CSV: commune_code, village_name (optional), former_commune (optional), year,
service (a kind of help's code, ALL for any help, FIVE for all five skills), households.

One of the import kinds (``app.imports.services.KINDS``): it lives here, with the targets, and
registers itself when the app starts, since the imports package sits below coverage. A row
for a target already set shows as a change (or a duplicate when the number is the same).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.areas.models import Area
from app.audit.services import record
from app.core.db import local_today
from app.core.i18n import format_number
from app.coverage import targets
from app.coverage.models import ANY, FIVE, Target
from app.coverage.targets import ANY_CODE, FIVE_CODE, TargetError
from app.extensions import db
from app.imports.places import VillageIndex, communes_by_code, find_commune
from app.imports.rows import CellError, RowResult, Status, text, whole_number

KIND = "targets"
TITLE = _l("Targets")
# What each column of the template holds, in the template's order, in the reader's language.
COLUMN_HELP = (
    _l("The commune's national code, e.g. 18562"),
    _l("The village's name, for a village's target (empty for the commune's)"),
    _l("The former commune, to tell apart two villages with the same name (may be empty)"),
    _l("The year"),
    _l("The kind of help: its code, ALL for any help, FIVE for all five basic digital skills"),
    _l("Households to reach (a number)"),
)
SAVED = _l("Import done: %(n)s targets saved (new or changed).")
DONE = _l("%(file)s was imported on %(when)s: %(n)s targets saved (new or changed).")
AFTER_ENDPOINT = "targets.index"
AFTER_LABEL = _l("See the targets and their progress")
COLUMNS = ("commune_code", "village_name", "former_commune", "year", "service", "households")
REQUIRED = ("commune_code", "year", "service", "households")
_COLUMN_OF = {"year": "year", "key": "service", "households": "households", "area_id": "commune_code"}


class _ThisYear:
    """The template's example rows, for this year: a template dated once would stop importing."""

    def __iter__(self):
        year = str(local_today().year)
        return iter([
            ("18562", "", "", year, ANY_CODE, "3000"),
            ("18562", "", "", year, FIVE_CODE, "1200"),
            ("18562", "Thôn 1", "Xã Thạch Sơn", year, "VNEID", "150"),
        ])


EXAMPLE = _ThisYear()


def _key(values: dict[str, str], codes: dict[str, int]) -> int:
    code = text(values, "service").upper()
    if code == ANY_CODE:
        return ANY
    if code == FIVE_CODE:
        return FIVE
    if code not in codes:
        raise CellError("service", _l("Unknown kind of help “%(value)s”: write a code from the list (such as "
                                      "VNEID), ALL or FIVE.", value=text(values, "service")))
    return codes[code]


def _households(values: dict[str, str]) -> int:
    raw = text(values, "households")
    if raw.startswith("-") and raw[1:].strip().replace(".", "").replace(",", "").isdecimal():
        raise CellError("households", _l("Enter a number of households above 0."))
    number = whole_number(values, "households")
    if number is None:
        raise CellError("households", _l("Enter a number of households above 0."))
    return number


def _year(values: dict[str, str]) -> int:
    raw = text(values, "year").removesuffix(".0")  # a year Excel turned into a number
    year = whole_number({"year": raw}, "year")
    if year is None:
        raise CellError("year", _l("Give the year, e.g. %(year)s.", year=local_today().year))
    return targets.check_year(year)


def _place(values, communes, villages) -> Area:
    commune = find_commune(communes, values)
    if not text(values, "village_name"):
        return commune
    village = villages.find(commune, text(values, "village_name"), text(values, "former_commune"))
    if not village.is_active:
        raise CellError("village_name", _l("%(name)s is deactivated: reactivate it first.", name=village.name))
    return village


def check(actor: User, rows) -> list[RowResult]:
    """Each row as new, a change to a target already set, a duplicate (of that target or of an
    earlier row) or an error; a fixed number of queries whatever the number of rows."""
    communes = communes_by_code(actor, rows)
    villages = VillageIndex(communes.values())
    services = targets.active_services()
    codes = {s.code.upper(): s.id for s in services.values() if s.is_active}
    cleaned = []
    for number, values in rows:
        row = RowResult(number, values)
        cleaned.append(row)
        try:
            row.data = [_place(values, communes, villages), _year(values), _key(values, codes), _households(values)]
        except CellError as error:
            row.error(error.column, error.message)
        except TargetError as error:
            row.error(_COLUMN_OF.get(error.field), error.message)
    good = [row for row in cleaned if row.status == Status.NEW]
    totals = targets.household_totals(list({row.data[0].id: row.data[0] for row in good}.values()))
    stored = _stored({(row.data[0].id, row.data[1], row.data[2]) for row in good})
    seen: dict[tuple[int, int, int], RowResult] = {}
    for row in good:
        place, year, key, households = row.data
        try:
            targets.check_households(households, place, totals.get(place.id, 0))
        except TargetError as error:
            row.error("households", error.message)
            continue
        identity = (place.id, year, key)
        earlier, existing = seen.get(identity), stored.get(identity)
        if earlier is not None:
            if earlier.data[3] == households:
                row.duplicate(_l("Same target as row %(row)s.", row=earlier.number))
            else:
                row.error("households", _l("Row %(row)s sets this target to %(n)s: keep one of the two rows.",
                                           row=earlier.number, n=format_number(earlier.data[3])))
            continue
        seen[identity] = row
        if existing is not None and existing.households == households:
            row.duplicate(_l("Already set to %(n)s households.", n=format_number(households)))
        elif existing is not None:
            row.update(_l("Changes the target from %(old)s to %(new)s households.",
                          old=format_number(existing.households), new=format_number(households)))
    return cleaned


def _stored(identities: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], Target]:
    """The targets already set for the rows' places, years and keys: one query."""
    if not identities:
        return {}
    rows = db.session.scalars(select(Target).where(
        Target.area_id.in_({i[0] for i in identities}), Target.year.in_({i[1] for i in identities}),
        Target.key.in_({i[2] for i in identities})))
    found = {(t.area_id, t.year, t.key): t for t in rows}
    return {identity: target for identity, target in found.items() if identity in identities}


def write(actor: User, results: list[RowResult]) -> int:
    """Add the new targets and change the others, each audited. Flushes; the caller commits.
    Returns the number of targets saved."""
    rows = [row for row in results if row.status in (Status.NEW, Status.UPDATE)]
    stored = _stored({(row.data[0].id, row.data[1], row.data[2]) for row in rows})
    saved = []
    for row in rows:
        place, year, key, households = row.data
        target = stored.get((place.id, year, key))
        old = target.households if target else None
        if target is None:
            target = Target(area_id=place.id, year=year, key=key, households=households, created_by_id=actor.id)
            db.session.add(target)
        else:
            target.households = households
        saved.append((target, old))
    db.session.flush()  # the new targets' ids, for their audit events
    for target, old in saved:
        record(actor, "target.set", target,
               targets.audit_changes(target.area_id, target.year, target.key, old, target.households))
    return len(rows)
