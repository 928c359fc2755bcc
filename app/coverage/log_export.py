"""The help logs of an area and a period as CSV, for staff reports (DESIGN §5, §6).

Staff see pseudonymised lists: a household is a stable code (``H-`` and 12 hex digits of an
HMAC-SHA256 of its id, keyed from the server's SECRET_KEY), the same in every export while the
key stays, different for different households, and not to be turned back into the household
without the key. Volunteers are people too, and the file leaves the app: they are codes as well
(``V-…``, another key), with their team. No names, phones or notes.

The file is streamed: one query, its rows read a batch at a time (a server-side cursor on
PostgreSQL), each batch written out before the next is read, so memory stays flat whatever
the number of logs. (Keyset pages by id were tried first: each page re-read and sorted every
matching row, quadratic at 200,000 rows.)
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.areas.models import Area
from app.audit.services import record
from app.catalog.models import Service
from app.coverage.exports import BOM, CSV_TYPE, Export, csv_text, empty_selection, filename
from app.coverage.periods import Period
from app.coverage.queries import View
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, Outcome, help_log_services
from app.teams.models import Team

if TYPE_CHECKING:
    from app.accounts.models import User

BATCH = 2_000
CODE_LENGTH = 12  # hex digits: 48 bits, no two of the province's 450,000 households alike in practice


class Pseudonyms:
    """``prefix`` + a keyed hash of an id. The key is derived from SECRET_KEY for one purpose,
    so a household's code and a volunteer's never share a key."""

    def __init__(self, purpose: str, prefix: str, secret: str | None = None):
        secret = secret if secret is not None else current_app.config["SECRET_KEY"]
        key = hmac.new(secret.encode(), f"gocua/export-pseudonym/v1/{purpose}".encode(), hashlib.sha256).digest()
        self.keyed = hmac.new(key, digestmod=hashlib.sha256)  # copied per id: the key is hashed once
        self.prefix = prefix

    def __call__(self, ident: int | None) -> str:
        if ident is None:
            return ""
        mac = self.keyed.copy()
        mac.update(str(ident).encode())
        return self.prefix + mac.hexdigest()[:CODE_LENGTH].upper()


def household_codes(secret: str | None = None) -> Pseudonyms:
    return Pseudonyms("household", "H-", secret)


def volunteer_codes(secret: str | None = None) -> Pseudonyms:
    return Pseudonyms("volunteer", "V-", secret)


def _conditions(view: View, period: Period) -> list:
    found = [HelpLog.village_id.in_(select(Area.id).where(Area.subtree(view.area.path))),
             HelpLog.helped_on.between(period.start, period.end)]
    if view.villages is not None:
        found.append(HelpLog.village_id.in_(sorted(view.villages)))
    return found


def headers() -> list[str]:
    return [str(h) for h in (
        _l("Household (code)"), _l("Visit"), _l("Village"), _l("Commune"), _l("Date helped"),
        _l("Help given (codes)"), _l("Help given"), _l("Outcome"), _l("People helped"), _l("Volunteer (code)"),
        _l("Team"), _l("Status"))]


def logs_csv(actor: User, view: View, period: Period, *, batch: int = BATCH) -> Export:
    """The logs helped in ``view``'s area within ``period``, as a streamed CSV (``Export.body``
    yields byte chunks: the header, then one chunk per batch of ``batch`` rows).

    One count tells how many rows there are, and that there are any, without loading them:
    an empty selection raises ExportError (404). The export is audited, and committed, before
    the first row is read; rows are those up to the highest id counted, so the file holds
    the rows the audit event says. Rows come by village, then day. This is also what the
    benchmarks call."""
    conditions = _conditions(view, period)
    count, last_id = db.session.execute(select(func.count(), func.max(HelpLog.id)).where(*conditions)).one()
    if not count:
        raise empty_selection()
    record(actor, "export.logs", view.area, {
        "file": "logs.csv", "area_id": view.area.id, "period": period.name, "start": period.start.isoformat(),
        "end": period.end.isoformat(), "rows": count})
    db.session.commit()
    return Export(filename("luot-ho-tro", view.area, period, "csv"), CSV_TYPE, count,
                  _rows(conditions, last_id, batch))


def _rows(conditions: list, last_id: int, batch: int) -> Iterator[bytes]:
    households, volunteers = household_codes(), volunteer_codes()
    # Words are looked up once per file, not once per row: a translation costs more than the row.
    catalogue = list(db.session.scalars(select(Service).order_by(Service.sort_order, Service.id)))
    services = {s.id: (s.code, s.name) for s in catalogue}
    order = {s.id: rank for rank, s in enumerate(catalogue)}
    outcomes = {o.value: o.label for o in Outcome}
    statuses = {s.value: s.label for s in LogStatus}
    authors: dict[int, str] = {}
    places: dict[int, tuple[str, str]] = {}
    teams: dict[int, str] = {}
    group = str(_l("Group session"))
    visit = str(_l("Household visit"))
    yield (BOM + csv_text([headers()])).encode("utf-8")
    # One query, read a batch at a time: a server-side cursor on PostgreSQL, SQLite's own
    # stepping through the statement. Ordered as the (village, day) index reads.
    result = db.session.execute(
        select(HelpLog.id, HelpLog.household_id, HelpLog.village_id, HelpLog.helped_on, HelpLog.outcome,
               HelpLog.people_count, HelpLog.author_id, HelpLog.team_id, HelpLog.status)
        .where(*conditions, HelpLog.id <= last_id)
        .order_by(HelpLog.village_id, HelpLog.helped_on, HelpLog.id)
        .execution_options(yield_per=batch)
    )
    for logs in result.partitions():
        given = _services_of([log.id for log in logs], order)
        _learn_places(places, {log.village_id for log in logs})
        _learn_teams(teams, {log.team_id for log in logs})
        lines = []
        for log in logs:
            helped = [services[i] for i in given.get(log.id, []) if i in services]
            village, commune = places.get(log.village_id, ("", ""))
            if log.author_id not in authors:
                authors[log.author_id] = volunteers(log.author_id)
            lines.append([
                households(log.household_id), group if log.household_id is None else visit, village, commune,
                log.helped_on.strftime("%d/%m/%Y"), "; ".join(code for code, _ in helped),
                "; ".join(name for _, name in helped), outcomes.get(log.outcome, log.outcome), log.people_count,
                authors[log.author_id], teams.get(log.team_id, ""), statuses.get(log.status, log.status),
            ])
        yield csv_text(lines).encode("utf-8")


def _services_of(log_ids: list[int], order: dict[int, int]) -> dict[int, list[int]]:
    """The kinds of help of each log, in the catalogue's order (``order``: service id -> rank)."""
    found: dict[int, list[int]] = {}
    for log_id, service_id in db.session.execute(
        select(help_log_services.c.log_id, help_log_services.c.service_id)
        .where(help_log_services.c.log_id.in_(log_ids))
    ):
        found.setdefault(log_id, []).append(service_id)
    for ids in found.values():
        ids.sort(key=lambda i: order.get(i, 0))
    return found


def _learn_places(places: dict[int, tuple[str, str]], village_ids: set[int]) -> None:
    """Village labels and commune names, read once per village for the whole file."""
    missing = village_ids - places.keys()
    if not missing:
        return
    commune = aliased(Area)
    for village_id, name, former, commune_name in db.session.execute(
        select(Area.id, Area.name, Area.former_commune, commune.name)
        .outerjoin(commune, commune.id == Area.parent_id).where(Area.id.in_(missing))
    ):
        places[village_id] = (f"{name} ({former})" if former else name, commune_name or "")


def _learn_teams(teams: dict[int, str], team_ids: set[int]) -> None:
    missing = team_ids - teams.keys()
    if missing:
        teams.update(db.session.execute(select(Team.id, Team.name).where(Team.id.in_(missing))).all())
