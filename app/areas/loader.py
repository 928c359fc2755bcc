"""Loads Hà Tĩnh and its 69 communes and wards from the bundled CSV (see data/README.md)."""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update

from app.areas.models import Area, AreaKind
from app.areas.services import add_area
from app.core.text import search_key
from app.extensions import db

DATA_FILE = Path(__file__).parent / "data" / "hatinh-communes.csv"
PROVINCE_CODE = "42"
PROVINCE_NAME = "Tỉnh Hà Tĩnh"
_PARTLY = re.compile(r"\s*\(một phần\)\s*$")


@dataclass(frozen=True)
class CommuneRow:
    code: str
    name: str
    unit_type: str
    former_district: str
    merged_from: tuple[str, ...]


def read_communes(path: Path = DATA_FILE) -> list[CommuneRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            CommuneRow(
                code=row["code"],
                name=row["name"],
                unit_type=row["type"],
                former_district=row["old_districts"].replace(" | ", ", "),
                merged_from=tuple(_PARTLY.sub("", part).strip()
                                  for part in row["merged_from"].split(";") if part.strip()),
            )
            for row in csv.DictReader(handle)
        ]


def load_province() -> tuple[Area, list[Area]]:
    """Get or create the province and its communes; idempotent. Flushes, does not commit.
    Missing communes go in by one INSERT … RETURNING and one UPDATE of their paths."""
    province = db.session.scalar(select(Area).where(Area.code == PROVINCE_CODE))
    if province is None:
        province = add_area(AreaKind.PROVINCE, PROVINCE_NAME, code=PROVINCE_CODE, unit_type="Tỉnh")
    existing = {a.code: a for a in db.session.scalars(select(Area).where(Area.parent_id == province.id))}
    rows = read_communes()
    missing = [row for row in rows if row.code not in existing]
    if missing:
        ids = db.session.scalars(insert(Area).returning(Area.id, sort_by_parameter_order=True), [
            {"kind": AreaKind.COMMUNE, "name": row.name, "search_key": search_key(row.name), "code": row.code,
             "unit_type": row.unit_type, "former_district": row.former_district, "parent_id": province.id,
             "path": ""}
            for row in missing
        ]).all()
        db.session.execute(update(Area), [{"id": i, "path": f"{province.path}{i}/"} for i in ids])
        existing.update({a.code: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))})
    return province, [existing[row.code] for row in rows]
