"""Reviewing the team's logs: approve, return with a reason, approve several at once.

Every action carries the version the reviewer saw; a log that changed since answers Stale
and is left as it is (no lost updates). Each service owns its unit of work and commits.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm.attributes import set_committed_value

from app.access import review_filter
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.audit.services import record
from app.core.changes import changing
from app.core.db import utcnow
from app.core.domain import RuleError
from app.core.privacy import privacy_problem
from app.core.text import clean_text
from app.core.versioning import claim_version
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, ReturnReason

MAX_COMMENT = 500
MAX_BULK = 200


class ReviewError(RuleError):
    """A refused review (see RuleError)."""


def approve_log(reviewer: User, log: HelpLog, *, version: int | None) -> HelpLog:
    """Approve a submitted log seen at ``version``. Raises Stale when it changed since."""
    with changing(help_logs=[log.id], households=[log.household_id]):
        claim_version(log, version, HelpLog.status == LogStatus.SUBMITTED)
        log.status, log.reviewed_by, log.reviewed_at = LogStatus.APPROVED, reviewer, utcnow()
    record(reviewer, "helplog.approved", log, {"version": log.version})
    db.session.commit()
    return log


def times_returned(log: HelpLog) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.object_type == HelpLog.__tablename__, AuditEvent.object_id == log.id,
               AuditEvent.action == "helplog.returned")
    ) or 0


def return_log(reviewer: User, log: HelpLog, *, version: int | None, reason: str | None,
               comment: str | None) -> HelpLog:
    """Send a submitted log back to its author with a reason (and a comment, required the
    second time). Raises ReviewError for a bad reason or comment, Stale when it changed."""
    if reason not in set(ReturnReason):
        raise ReviewError(_l("Choose why the log goes back."), "reason")
    comment = clean_text(comment) or None
    if comment and len(comment) > MAX_COMMENT:
        raise ReviewError(_l("At most %(max)d characters.", max=MAX_COMMENT), "comment")
    problem = privacy_problem(comment)
    if problem:
        raise ReviewError(problem, "comment")
    if comment is None and times_returned(log):
        raise ReviewError(_l("This log was returned before: say what still needs fixing."), "comment")
    # A submitted log counts nowhere yet: returning it changes no summary.
    claim_version(log, version, HelpLog.status == LogStatus.SUBMITTED)
    log.status, log.reviewed_by, log.reviewed_at = LogStatus.RETURNED, reviewer, utcnow()
    log.return_reason, log.return_comment = reason, comment
    record(reviewer, "helplog.returned", log, {"reason": reason, "comment": comment, "version": log.version})
    db.session.commit()
    return log


@dataclass
class BulkResult:
    approved: list[HelpLog] = field(default_factory=list)
    stale: list[HelpLog] = field(default_factory=list)


def approve_many(reviewer: User, seen: dict[int, int]) -> BulkResult:
    """Approve the logs ``seen`` (id -> version) that ``reviewer`` reviews, in one transaction.
    A log that is no longer submitted or changed version is left alone and reported in
    ``stale``; the others go through. Ids outside the reviewer's scope are ignored, as if they
    did not exist."""
    if len(seen) > MAX_BULK:
        raise ReviewError(_l("Approve at most %(max)d logs at once.", max=MAX_BULK))
    logs = list(db.session.scalars(
        select(HelpLog).where(HelpLog.id.in_(seen), review_filter(reviewer)).order_by(HelpLog.received_at, HelpLog.id)
    )) if seen else []
    fresh = {log.id: log for log in logs if log.status == LogStatus.SUBMITTED and log.version == seen[log.id]}
    approved_ids = set()
    if fresh:
        now = utcnow()
        households = [log.household_id for log in fresh.values()]
        with changing(help_logs=list(fresh), households=households):
            # One conditional UPDATE: a log changed by a racing request since the SELECT is not matched.
            approved_ids = set(db.session.scalars(
                update(HelpLog)
                # The plain id list lets the primary key find the rows; the pairs check the versions.
                .where(HelpLog.id.in_(list(fresh)),
                       tuple_(HelpLog.id, HelpLog.version).in_([(i, seen[i]) for i in fresh]),
                       HelpLog.status == LogStatus.SUBMITTED)
                .values(status=LogStatus.APPROVED, version=HelpLog.version + 1, reviewed_by_id=reviewer.id,
                        reviewed_at=now)
                .returning(HelpLog.id)
                .execution_options(synchronize_session=False)
            ))
    result = BulkResult()
    for log in logs:
        if log.id in approved_ids:
            for name, value in (("status", LogStatus.APPROVED), ("version", seen[log.id] + 1),
                                ("reviewed_by_id", reviewer.id), ("reviewed_at", now)):
                set_committed_value(log, name, value)
            record(reviewer, "helplog.approved", log, {"version": log.version, "bulk": True})
            result.approved.append(log)
        else:
            result.stale.append(log)
    if result.approved:
        record(reviewer, "helplog.bulk_approved", None,
               {"count": len(result.approved), "log_ids": [log.id for log in result.approved]})
    db.session.commit()
    for log in result.stale:
        db.session.refresh(log)
    return result
