"""Finding the communes and villages an import's rows name, within the importer's scope."""

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.access import manages_places
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.extensions import db
from app.imports.rows import CellError, key, text


def commune_code(values: dict[str, str]) -> str:
    code = text(values, "commune_code")
    return code[:-2] if code.endswith(".0") else code  # a code Excel turned into a number


def communes_by_code(actor: User, rows) -> dict[str, Area]:
    """The communes the rows name that ``actor`` keeps, by national code: one query."""
    codes = {commune_code(values) for _, values in rows} - {""}
    if not codes:
        return {}
    communes = db.session.scalars(
        select(Area).where(Area.code.in_(codes), Area.kind == AreaKind.COMMUNE)
    )
    return {c.code: c for c in communes if manages_places(actor, c)}


def find_commune(communes: dict[str, Area], values: dict[str, str]) -> Area:
    code = commune_code(values)
    if not code:
        raise CellError("commune_code", _l("The commune code is empty."))
    commune = communes.get(code)
    if commune is None:
        raise CellError("commune_code", _l("Unknown commune code “%(code)s”, or a commune outside your area.",
                                           code=code))
    return commune


class VillageIndex:
    """The villages of some communes by name, former names included: one query."""

    def __init__(self, communes):
        self.by_name: dict[tuple[int, str], list[Area]] = defaultdict(list)
        ids = [c.id for c in communes]
        if not ids:
            return
        for village in db.session.scalars(
            select(Area).where(Area.parent_id.in_(ids), Area.kind == AreaKind.VILLAGE).order_by(Area.id)
        ):
            for name in {village.name, *village.former_name_list}:
                self.by_name[(village.parent_id, key(name))].append(village)

    def same(self, commune: Area, name: str, former_commune: str | None) -> Area | None:
        """The village with this name (or former name) and former commune, if there is one."""
        wanted = key(former_commune or "")
        for village in self.by_name.get((commune.id, key(name)), []):
            if key(village.former_commune or "") == wanted:
                return village
        return None

    def find(self, commune: Area, name: str, former_commune: str | None) -> Area:
        """The one village a household row names. Raises CellError."""
        if not name:
            raise CellError("village_name", _l("The village name is empty."))
        found = self.by_name.get((commune.id, key(name)), [])
        if former_commune:
            found = [v for v in found if key(v.former_commune or "") == key(former_commune)]
        if not found:
            raise CellError("village_name", _l("“%(name)s” is not a village of %(commune)s. Add the village "
                                               "first, or check the spelling.", name=name, commune=commune.name))
        if len({v.id for v in found}) > 1:
            raise CellError("former_commune", _l("%(commune)s has several villages named “%(name)s”: fill in "
                                                 "former_commune to say which.", name=name, commune=commune.name))
        return found[0]
