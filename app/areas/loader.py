"""Loads Hà Tĩnh and its 69 communes and wards from the bundled CSV (see data/README.md)."""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.areas.models import Area, AreaKind
from app.areas.services import add_area
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
    """Get or create the province and its communes; idempotent. Flushes, does not commit."""
    province = db.session.scalar(select(Area).where(Area.code == PROVINCE_CODE))
    if province is None:
        province = add_area(AreaKind.PROVINCE, PROVINCE_NAME, code=PROVINCE_CODE, unit_type="Tỉnh")
    existing = {a.code: a for a in db.session.scalars(select(Area).where(Area.parent_id == province.id))}
    communes = []
    for row in read_communes():
        commune = existing.get(row.code)
        if commune is None:
            commune = add_area(AreaKind.COMMUNE, row.name, province, code=row.code,
                               unit_type=row.unit_type, former_district=row.former_district)
        communes.append(commune)
    return province, communes
