"""Help logs for the bench data: ~1,000,000 over the last twelve months at ``scale=1``.

Each log is written by a member of a team that covers the village, mostly for one of its
households (a few are group sessions), with one to three services; most are approved, some
wait for review and a few were returned. Ids are set here so that the log and its services go
in by bulk statements without reading anything back.
"""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from app.catalog.models import Service
from app.core.db import local_today
from app.demo.bulk import CHUNK, bulk_write, scaled
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, Outcome, help_log_services
from app.households.models import Household
from app.teams.models import Membership, team_villages

LOGS = 1_000_000
DAYS = 365
LOG_COLUMNS = ["id", "client_uuid", "author_id", "team_id", "village_id", "household_id", "people_count",
               "outcome", "helped_on", "received_at", "updated_at", "note", "status", "version",
               "return_reason", "return_comment", "reviewed_by_id", "reviewed_at"]
SERVICE_COLUMNS = ["log_id", "service_id"]
RETURN_REASONS = ["wrong_household", "wrong_service", "missing_details", "duplicate"]


def _teams_by_village() -> dict[int, list[int]]:
    teams: dict[int, list[int]] = {}
    for team_id, village_id in db.session.execute(select(team_villages.c.team_id, team_villages.c.village_id)):
        teams.setdefault(village_id, []).append(team_id)
    return teams


def _members() -> tuple[dict[int, list[int]], dict[int, int]]:
    """Team id -> member user ids, and team id -> a leader's id."""
    members: dict[int, list[int]] = {}
    leaders: dict[int, int] = {}
    for team_id, user_id, role in db.session.execute(select(Membership.team_id, Membership.user_id, Membership.role)):
        members.setdefault(team_id, []).append(user_id)
        if role == "leader":
            leaders.setdefault(team_id, user_id)
    return members, leaders


def log_rows(world, service_ids: list[int], first_id: int):
    """Yield (log rows, service rows) chunks of CHUNK logs."""
    rng = world.rng
    teams_by_village = _teams_by_village()
    members, leaders = _members()
    households: dict[int, list[int]] = {}
    for household_id, village_id in db.session.execute(
        select(Household.id, Household.village_id).where(Household.village_id.in_(list(teams_by_village)))
    ):
        households.setdefault(village_id, []).append(household_id)
    villages = [v for v in teams_by_village if households.get(v)]
    if not villages or not service_ids:
        return
    today = local_today()
    total = scaled(LOGS, world.scale)
    logs, links = [], []
    for n in range(total):
        village = rng.choice(villages)
        team = rng.choice(teams_by_village[village])
        author = rng.choice(members.get(team) or [leaders.get(team)])
        if author is None:
            continue
        group = rng.random() < 0.03
        helped_on = today - timedelta(days=int(rng.triangular(0, DAYS, 0)))
        received = datetime.combine(helped_on, datetime.min.time(), UTC) + timedelta(hours=rng.uniform(1, 11))
        roll = rng.random()
        status = (LogStatus.SUBMITTED if roll < 0.10 else LogStatus.RETURNED if roll < 0.15 else LogStatus.APPROVED)
        reviewed = status != LogStatus.SUBMITTED
        log_id = first_id + n
        logs.append({
            "id": log_id, "client_uuid": str(uuid.uuid4()),
            "author_id": author, "team_id": team, "village_id": village,
            "household_id": None if group else rng.choice(households[village]),
            "people_count": rng.randint(8, 40) if group else rng.choice((1, 1, 1, 2, 3)),
            "outcome": rng.choices((Outcome.DONE, Outcome.PARTLY, Outcome.FOLLOW_UP), (85, 10, 5))[0],
            "helped_on": helped_on, "received_at": received, "updated_at": received, "note": None,
            "status": status, "version": 1,
            "return_reason": rng.choice(RETURN_REASONS) if status == LogStatus.RETURNED else None,
            "return_comment": None,
            "reviewed_by_id": leaders.get(team, author) if reviewed else None,
            "reviewed_at": received + timedelta(days=rng.randint(0, 3)) if reviewed else None,
        })
        for service_id in rng.sample(service_ids, rng.choice((1, 1, 2, 2, 3))):
            links.append({"log_id": log_id, "service_id": service_id})
        if len(logs) >= CHUNK:
            yield logs, links
            logs, links = [], []
    if logs:
        yield logs, links


def seed_logs(world) -> None:
    """The bench step: logs and their services, by COPY on PostgreSQL and executemany on SQLite."""
    service_ids = list(db.session.scalars(select(Service.id).where(Service.is_active)))
    first_id = (db.session.scalar(select(func.max(HelpLog.id))) or 0) + 1
    written = links = 0
    for log_chunk, link_chunk in log_rows(world, service_ids, first_id):
        written += bulk_write(HelpLog.__table__, LOG_COLUMNS, [log_chunk])
        links += bulk_write(help_log_services, SERVICE_COLUMNS, [link_chunk])
    if db.engine.dialect.name == "postgresql" and written:
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('help_logs', 'id'), max(id)) FROM help_logs"))
    world.counts["logs"] = written
    world.counts["log_services"] = links
