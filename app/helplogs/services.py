"""Help logs: submitting (idempotent on the form's client_uuid), editing, resubmitting."""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, insert, null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, make_transient_to_detached

from app.access import task_filter
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.audit.services import record, record_now
from app.catalog.models import Service
from app.core.changes import changing
from app.core.db import local_today, utcnow
from app.core.domain import RuleError
from app.core.metrics import SUBMISSIONS
from app.core.privacy import privacy_problem
from app.core.text import clean_text
from app.core.versioning import Stale, claim_version
from app.extensions import db
from app.helplogs.models import (
    NOTE_MAX,
    PEOPLE_MAX_GROUP,
    PEOPLE_MAX_HOUSEHOLD,
    HelpLog,
    LogStatus,
    Outcome,
    help_log_services,
)
from app.households.models import Household
from app.households.services import Consent, Duplicates, HouseholdData, add_household, find_duplicates
from app.tasks.models import Task, TaskStatus
from app.teams.models import MemberRole, Membership, Team, team_villages

BACKDATE_DAYS = 30
OVERLAP_DAYS = 7


class LogError(RuleError):
    pass


class LikelyDuplicates(Exception):
    """The new household looks like one already registered: nothing was saved, and the
    volunteer chooses the existing one or confirms a new one."""

    def __init__(self, duplicates: Duplicates):
        super().__init__("likely duplicates")
        self.duplicates = duplicates


@dataclass
class LogInput:
    village_id: int
    service_ids: list[int]
    helped_on: date
    outcome: Outcome = Outcome.DONE
    people_count: int = 1
    household_id: int | None = None
    new_household: HouseholdData | None = None
    consent: Consent | None = None
    note: str | None = None
    task_id: int | None = None
    services: list[Service] = field(default_factory=list)


def parse_client_uuid(value: str | None) -> str:
    try:
        parsed = uuid.UUID(value or "")
    except ValueError:
        raise LogError(_l("This form is damaged. Reload the page and log the help again."), "client_uuid") from None
    return str(parsed)


@dataclass
class Placement:
    """Where a log belongs: the village, the author's team that covers it, whether the author
    leads that team (then their log needs no review), the household named, if it lives in
    that village, and the id of the author's log already saved with the submission's
    client_uuid (an id, not the log: loading an entity costs every submission, and replays
    are few)."""

    village: Area
    team: Team
    author_leads: bool
    household: Household | None = None
    saved_id: int | None = None


_SAVED = aliased(HelpLog, name="saved_log")


@cache
def _placement_statement(with_household: bool):
    """Built once per process: the hot path of every submission pays only for its execution."""
    leads = Membership.role == MemberRole.LEADER
    stmt = (
        select(Area, Team, leads)
        .join(team_villages, team_villages.c.village_id == Area.id)
        .join(Team, Team.id == team_villages.c.team_id)
        .join(Membership, and_(Membership.team_id == Team.id, Membership.user_id == bindparam("author_id")))
        .where(Area.id == bindparam("village_id"), Area.kind == AreaKind.VILLAGE, Team.is_active)
        .order_by(leads.desc(), Team.name).limit(1)
    )
    if with_household:
        stmt = stmt.add_columns(Household).outerjoin(
            Household, and_(Household.id == bindparam("household_id"), Household.village_id == Area.id))
    else:
        stmt = stmt.add_columns(null())
    # At most one row (the unique author_id, client_uuid): a replay is found in the same statement.
    return stmt.add_columns(_SAVED.id).outerjoin(
        _SAVED, and_(_SAVED.author_id == bindparam("author_id"), _SAVED.client_uuid == bindparam("client_uuid")))


def placement(author: User, village_id: int, household_id: int | None = None,
              client_uuid: str | None = None) -> Placement | None:
    """One query: the village with the author's active team covering it (a team they lead
    first, then by name), the household ``household_id`` when it lives there, and the id of
    the author's log saved with ``client_uuid`` if there is one; None when no team of theirs
    covers the village."""
    row = db.session.execute(_placement_statement(household_id is not None), {
        "author_id": author.id, "village_id": village_id, "household_id": household_id, "client_uuid": client_uuid,
    }).first()
    return Placement(*row) if row else None


def _check(author: User, data: LogInput, today: date,
           client_uuid: str | None = None) -> tuple[Placement, Household | None]:
    """Every rule of a log, in the order the form shows its fields. A submission's replay
    (``place.saved_id``) is returned before the rules after the village."""
    place = placement(author, data.village_id, data.household_id, client_uuid)
    if place is None:
        raise LogError(_l("Choose one of your teams' villages."), "village_id")
    if place.saved_id is not None:
        return place, None
    village = place.village
    if data.new_household is None and data.household_id is None:
        if not 1 <= data.people_count <= PEOPLE_MAX_GROUP:
            raise LogError(_l("A group session needs the number of people, from 1 to %(max)d.",
                              max=PEOPLE_MAX_GROUP), "people_count")
    elif not 1 <= data.people_count <= PEOPLE_MAX_HOUSEHOLD:
        raise LogError(_l("People helped must be between 1 and %(max)d.", max=PEOPLE_MAX_HOUSEHOLD),
                       "people_count")
    household = place.household
    if data.household_id is not None and (household is None or household.anonymised_at):
        raise LogError(_l("Choose a household of this village."), "household_id")
    services = list(db.session.scalars(_SERVICES, {"ids": data.service_ids})) if data.service_ids else []
    if not services or len(services) != len(set(data.service_ids)):
        raise LogError(_l("Choose at least one kind of help."), "service_ids")
    data.services = services
    if data.helped_on > today:
        raise LogError(_l("The date cannot be in the future."), "helped_on")
    if data.helped_on < today - timedelta(days=BACKDATE_DAYS):
        raise LogError(_l("Help can be logged up to %(days)d days back.", days=BACKDATE_DAYS), "helped_on")
    data.note = clean_text(data.note) or None
    if data.note and len(data.note) > NOTE_MAX:
        raise LogError(_l("At most %(max)d characters.", max=NOTE_MAX), "note")
    problem = privacy_problem(data.note)
    if problem:
        raise LogError(problem, "note")
    if data.task_id is not None:
        status = db.session.scalar(select(Task.status).where(Task.id == data.task_id, task_filter(author),
                                                             Task.village_id == village.id))
        if status is None:
            raise LogError(_l("This log cannot count for that task: the task is for another village. "
                              "Choose the task's village, or log without the task."), "task_id")
        if status != TaskStatus.ACTIVE:
            data.task_id = None  # the task ended meanwhile; the help still happened and is saved
    return place, household


_SERVICES = (select(Service).where(Service.id.in_(bindparam("ids", expanding=True)), Service.is_active)
             .order_by(Service.sort_order))  # as HelpLog.services orders them
_EXISTING = select(HelpLog).where(HelpLog.author_id == bindparam("author_id"),
                                  HelpLog.client_uuid == bindparam("client_uuid"))
_INSERT_LOG = insert(HelpLog.__table__).returning(HelpLog.__table__.c.id)
_INSERT_SERVICES = insert(help_log_services)


def existing_log(author: User, client_uuid: str) -> HelpLog | None:
    return db.session.scalar(_EXISTING, {"author_id": author.id, "client_uuid": client_uuid})


def submit_log(author: User, client_uuid: str, data: LogInput, *, today: date | None = None,
               ask_about_duplicates: bool = False) -> tuple[HelpLog, bool]:
    """Save a log, with its new household if there is one, in one transaction.

    Returns ``(log, created)``: a client_uuid already used by this author returns the saved
    log and ``created=False``, whatever the data, so a double tap or a replay stores one row.
    The saved log is looked for in the statement that places the log (and, when the data is
    refused, on its own); two submissions at once are told apart by the unique constraint.
    Raises LogError or HouseholdError; nothing is saved then. With ``ask_about_duplicates``,
    a new household that looks like one the author may see (or whose phone another team
    registered) raises LikelyDuplicates, after every other rule.
    """
    client_uuid = parse_client_uuid(client_uuid)
    today = today or local_today()
    try:
        place, household = _check(author, data, today, client_uuid)
    except LogError:
        saved = existing_log(author, client_uuid)
        if saved is not None:
            return saved, False
        raise
    if place.saved_id is not None:
        return db.session.get(HelpLog, place.saved_id), False
    team, village = place.team, place.village
    if data.new_household is not None:
        if ask_about_duplicates:
            duplicates = find_duplicates(author, village, data.new_household.display_name, data.new_household.phone)
            if duplicates:
                raise LikelyDuplicates(duplicates)
        household = add_household(author, village, data.new_household, data.consent)
        # Its audit event goes in now, before the log's (written past the unit of work below).
        db.session.flush()
    household_id = household.id if household else None
    # A leader vouches for their own team's work: nothing to wait for.
    auto_approved = place.author_leads
    now = utcnow()
    log = HelpLog(
        client_uuid=client_uuid, author_id=author.id, team_id=team.id, village_id=village.id,
        household_id=household_id, people_count=data.people_count, outcome=str(Outcome(data.outcome)),
        helped_on=data.helped_on, note=data.note, task_id=data.task_id, received_at=now, updated_at=now,
        status=LogStatus.APPROVED if auto_approved else LogStatus.SUBMITTED, version=1,
        return_reason=None, return_comment=None,
        reviewed_by_id=author.id if auto_approved else None, reviewed_at=now if auto_approved else None,
    )
    # Coverage follows an approved log (a new household joined its village's count when added).
    try:
        with changing(households=[household_id] if auto_approved else []) as change:
            _insert(log, data.services)
            if auto_approved:
                change.add(help_logs=[log.id])
    except IntegrityError:
        # The same form arrived twice at once: the other request saved it first.
        db.session.rollback()
        saved = existing_log(author, client_uuid)
        if saved is None:
            raise
        return saved, False
    _attach(log, author=author, team=team, village=village, household=household, services=data.services,
            reviewed_by=author if auto_approved else None)
    approved = [("helplog.approved", {"auto": True})] if auto_approved else []
    record_now(author, log, ("helplog.submitted", {
        "household_id": household_id, "village_id": village.id, "people_count": log.people_count,
        "services": [s.code for s in data.services], "outcome": log.outcome,
        "helped_on": log.helped_on.isoformat(), "task_id": data.task_id,
    }), *approved)
    db.session.commit()
    SUBMISSIONS.inc()
    return log, True


def _insert(log: HelpLog, services: list[Service]) -> None:
    """The log and its services in two INSERTs, past the unit of work: a submission is the
    app's most frequent write, and the ORM's flush of three new rows cost more than the rest
    of the service together. Sets ``log.id``."""
    values = {column.key: getattr(log, column.key) for column in HelpLog.__table__.columns if column.key != "id"}
    log.id = db.session.execute(_INSERT_LOG, values).scalar_one()
    db.session.execute(_INSERT_SERVICES, [{"log_id": log.id, "service_id": s.id} for s in services])


def _attach(log: HelpLog, **related) -> None:
    """Give the log written by ``_insert`` its related objects and put it in the session as
    the row it now is (nothing left to write), so the confirmation reads it like a loaded log."""
    for name, value in related.items():
        setattr(log, name, value)
    make_transient_to_detached(log)
    db.session.add(log)


def edit_log(author: User, log: HelpLog, data: LogInput, *, version: int | None,
             today: date | None = None) -> HelpLog:
    """Change a submitted or returned log; a returned log goes back to review. Commits.

    ``version`` is the one the author's form showed: Stale when the log changed since
    (a leader approved or returned it meanwhile).
    """
    if log.author_id != author.id:
        raise LogError(_l("Only the volunteer who logged the help can change it."))
    if version != log.version:
        raise Stale(log)
    if not log.editable:
        raise LogError(_l("This log was approved and can no longer be changed."))
    if data.new_household is not None:
        raise LogError(_l("Choose a household of this village."), "household_id")
    today = today or local_today()
    place, _ = _check(author, data, today)
    team, village = place.team, place.village
    new_values = {
        "village_id": village.id, "team_id": team.id, "household_id": data.household_id,
        "people_count": data.people_count, "outcome": str(Outcome(data.outcome)),
        "helped_on": data.helped_on, "note": data.note,
    }
    changes = {}
    for name, value in new_values.items():
        old = getattr(log, name)
        if old != value:
            changes[name] = [old.isoformat() if isinstance(old, date) else old,
                             value.isoformat() if isinstance(value, date) else value]
            setattr(log, name, value)
    old_codes = sorted(s.code for s in log.services)
    new_codes = sorted(s.code for s in data.services)
    if old_codes != new_codes:
        changes["services"] = [old_codes, new_codes]
        log.services = data.services
    resubmitted = log.status == LogStatus.RETURNED
    if not changes and not resubmitted:
        return log
    # Only a log that counts nowhere yet (submitted or returned) is edited: no summary changes.
    claim_version(log, version, HelpLog.status.in_((LogStatus.SUBMITTED, LogStatus.RETURNED)))
    if resubmitted:
        log.status = LogStatus.SUBMITTED
    log.updated_at = utcnow()
    record(author, "helplog.resubmitted" if resubmitted else "helplog.updated", log, changes)
    db.session.commit()
    return log


def recent_overlaps(household_id: int | None, service_ids: list[int], *, exclude_log_id: int | None = None,
                    today: date | None = None) -> list[HelpLog]:
    """Logs of the last week for the same household and one of the same services: a soft warning."""
    if household_id is None or not service_ids:
        return []
    today = today or local_today()
    stmt = (
        select(HelpLog).join(help_log_services)
        .where(HelpLog.household_id == household_id,
               help_log_services.c.service_id.in_(service_ids),
               HelpLog.helped_on >= today - timedelta(days=OVERLAP_DAYS))
        .distinct().order_by(HelpLog.helped_on.desc()).limit(5)
    )
    if exclude_log_id:
        stmt = stmt.where(HelpLog.id != exclude_log_id)
    return list(db.session.scalars(stmt))

