"""Villages from CSV: commune_code, village_name, former_commune, declared_households."""

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.areas.services import AreaError, VillageData, build_village, clean_village, village_identity
from app.imports.places import VillageIndex, communes_by_code, find_commune
from app.imports.rows import CellError, RowResult, Status, text, whole_number

KIND = "villages"
TITLE = _l("Villages and residential groups")
# What each column of the template holds, in the template's order, in the reader's language.
COLUMN_HELP = (
    _l("The commune's national code, e.g. 18562"),
    _l("The village's name"),
    _l("The former commune, to tell apart two villages with the same name (may be empty)"),
    _l("Households in the village by the commune's figures (may be empty)"),
)
COLUMNS = ("commune_code", "village_name", "former_commune", "declared_households")
REQUIRED = ("commune_code", "village_name")
EXAMPLE = [
    ("18562", "Thôn Đông Hà", "Xã Thạch Sơn", "240"),
    ("18562", "Thôn 1", "Xã Thạch Long", ""),
]
_COLUMN_OF = {"name": "village_name", "former_commune": "former_commune",
              "declared_households": "declared_households"}


def check(actor: User, rows) -> list[RowResult]:
    """Each row as new, duplicate (of a village already there or of an earlier row) or error."""
    communes = communes_by_code(actor, rows)
    index = VillageIndex(communes.values())
    seen: dict[tuple[int, str, str], int] = {}
    results = []
    for number, values in rows:
        row = RowResult(number, values)
        results.append(row)
        try:
            commune = find_commune(communes, values)
            data = clean_village(VillageData(text(values, "village_name"), text(values, "former_commune"),
                                             whole_number(values, "declared_households")))
        except CellError as error:
            row.error(error.column, error.message)
            continue
        except AreaError as error:
            row.error(_COLUMN_OF.get(error.field), error.message)
            continue
        existing = index.same(commune, data.name, data.former_commune)
        key = (commune.id, *village_identity(data.name, data.former_commune))
        if existing is not None:
            row.duplicate(_l("Already in %(commune)s as “%(name)s”.", commune=commune.name, name=existing.name))
        elif key in seen:
            row.duplicate(_l("Same village as row %(row)s.", row=seen[key]))
        else:
            seen[key] = number
            row.data = (commune, data)
    return results


def write(actor: User, results: list[RowResult]) -> int:
    """Add the new rows' villages. Flushes; the caller commits."""
    new = [row.data for row in results if row.status == Status.NEW]
    for commune, data in new:
        build_village(commune, data)
    return len(new)
