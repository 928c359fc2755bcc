"""Villages for a commune, named as communes name them: numbered per former commune."""

import random

from app.areas.loader import CommuneRow


def village_plan(row: CommuneRow, rng: random.Random, per_commune: int = 25) -> list[tuple[str, str]]:
    """(name, former commune) pairs: names restart in each former unit, so one commune
    can hold two 'Thôn 1', told apart by the former commune (DESIGN §2)."""
    units = row.merged_from or (row.name,)
    plan = []
    for unit in units:
        count = max(3, round(per_commune / len(units)) + rng.randint(-2, 2))
        urban = unit.startswith(("Phường", "Thị trấn"))
        label = "Tổ dân phố" if urban else "Thôn"
        plan.extend((f"{label} {n}", unit) for n in range(1, count + 1))
    return plan
