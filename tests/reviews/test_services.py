"""Review services: approving and returning with a version, one at a time and in bulk, and a
leader's own logs approved as they are saved."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.core.versioning import Stale
from app.helplogs.models import LogStatus
from app.helplogs.services import edit_log, submit_log
from app.reviews.services import ReviewError, approve_log, approve_many, return_log
from tests.conftest import count_queries, english, events, make_log
from tests.helplogs.conftest import base_input
from tests.reviews.conftest import actions, fresh


def test_approve_bumps_the_version_and_audits(db, world):
    log = world["log_a"]
    approve_log(world["leader"], log, version=1)
    log = fresh(db, log)
    assert log.status == LogStatus.APPROVED and log.version == 2 and log.reviewed_by_id == world["leader"].id
    assert log.reviewed_at is not None and actions(db, log) == ["helplog.approved"]


def test_approve_with_an_old_version_is_stale_and_changes_nothing(db, world):
    log = world["log_a"]
    with pytest.raises(Stale):
        approve_log(world["leader"], log, version=7)
    assert fresh(db, log).status == LogStatus.SUBMITTED and fresh(db, log).version == 1


def test_return_needs_a_known_reason(db, world):
    with pytest.raises(ReviewError) as error:
        return_log(world["leader"], world["log_a"], version=1, reason="lazy", comment="")
    assert error.value.field == "reason"


def test_second_return_requires_the_comment(db, world, services):
    log = world["log_a"]
    return_log(world["leader"], log, version=1, reason="wrong_household", comment="")
    assert fresh(db, log).status == LogStatus.RETURNED and fresh(db, log).return_reason == "wrong_household"
    log = fresh(db, log)
    data = base_input(world, services, service_ids=[services["VNEID"].id])
    edit_log(world["volunteer"], log, data, version=2)
    assert fresh(db, log).status == LogStatus.SUBMITTED and fresh(db, log).version == 3
    with pytest.raises(ReviewError) as error:
        return_log(world["leader"], fresh(db, log), version=3, reason="other", comment="  ")
    assert error.value.field == "comment"
    return_log(world["leader"], fresh(db, log), version=3, reason="other", comment="Ghi rõ số điện thoại")
    assert actions(db, log) == ["helplog.returned", "helplog.resubmitted", "helplog.returned"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "helplog.returned")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.changes["reason"] == "other" and event.changes["comment"] == "Ghi rõ số điện thoại"


def test_only_this_logs_own_returns_count_for_the_comment_rule(db, world, services):
    other = make_log(world["volunteer"], world["team_a"], world["household_a"])
    return_log(world["leader"], other, version=1, reason="other", comment="")
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    assert actions(db, log) == ["helplog.submitted"]
    return_log(world["leader"], log, version=1, reason="wrong_household", comment="")
    assert fresh(db, log).status == LogStatus.RETURNED and fresh(db, log).return_comment is None


def test_bulk_approval_skips_and_reports_the_stale_one(db, world):
    logs = [make_log(world["volunteer"], world["team_a"], world["household_a"]) for _ in range(3)]
    approve_log(world["leader"], logs[1], version=1)  # reviewed meanwhile
    seen = {log.id: 1 for log in logs}
    seen[logs[2].id] = 0  # an old version
    result = approve_many(world["leader"], seen)
    assert [log.id for log in result.approved] == [logs[0].id]
    assert {log.id for log in result.stale} == {logs[1].id, logs[2].id}
    assert fresh(db, logs[0]).status == LogStatus.APPROVED and fresh(db, logs[2]).status == LogStatus.SUBMITTED
    bulk = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "helplog.bulk_approved"))
    assert bulk.changes["count"] == 1


def test_bulk_approval_keeps_the_summaries_and_stamps_the_review(db, world):
    from app.coverage.summaries import drift, rebuild

    logs = [make_log(world["volunteer"], world["team_a"], world["household_a"]) for _ in range(2)]
    logs[0].received_at, logs[1].received_at = logs[1].received_at, logs[0].received_at - timedelta(minutes=1)
    db.session.commit()
    rebuild()  # the factories write no summaries
    db.session.commit()
    assert drift() == {}
    result = approve_many(world["leader"], {log.id: 1 for log in logs})
    assert [log.id for log in result.approved] == [logs[1].id, logs[0].id]  # the oldest first
    # The answer's objects hold what was written, without a reload.
    assert all(log.status == LogStatus.APPROVED and log.version == 2 and log.reviewed_by_id == world["leader"].id
               and log.reviewed_at is not None for log in result.approved)
    for log in logs:
        log = fresh(db, log)
        assert log.status == LogStatus.APPROVED and log.version == 2 and log.reviewed_by_id == world["leader"].id
        assert log.reviewed_at is not None
    approved = [(e.actor_id, e.object_id, e.changes) for e in events(db, "helplog.approved")]
    assert approved == [(world["leader"].id, logs[1].id, {"version": 2, "bulk": True}),
                        (world["leader"].id, logs[0].id, {"version": 2, "bulk": True})]
    [bulk] = events(db, "helplog.bulk_approved")
    assert bulk.actor_id == world["leader"].id and bulk.changes == {"count": 2, "log_ids": [logs[1].id, logs[0].id]}
    assert drift() == {}


def test_bulk_approval_takes_at_most_two_hundred(db, world):
    with count_queries() as statements:
        assert approve_many(world["leader"], {}).approved == []
    assert statements() == 0
    assert approve_many(world["leader"], {i: 1 for i in range(10**6, 10**6 + 200)}).approved == []
    with pytest.raises(ReviewError) as error:
        approve_many(world["leader"], {i: 1 for i in range(10**6, 10**6 + 201)})
    assert english(error.value) == "Approve at most 200 logs at once."


def test_bulk_approval_ignores_logs_of_other_teams(db, world):
    other = make_log(world["outsider"], world["team_b"], world["household_b"])
    result = approve_many(world["leader"], {other.id: 1})
    assert result.approved == [] and result.stale == []
    assert fresh(db, other).status == LogStatus.SUBMITTED


def test_a_leaders_own_log_is_approved_when_saved(db, world, services):
    data = base_input(world, services, service_ids=[services["VNEID"].id])
    log, _ = submit_log(world["leader"], str(uuid.uuid4()), data)
    assert log.status == LogStatus.APPROVED and log.reviewed_by_id == world["leader"].id and log.reviewed_at
    assert actions(db, log) == ["helplog.submitted", "helplog.approved"]
    mine, _ = submit_log(world["volunteer"], str(uuid.uuid4()), data)
    assert mine.status == LogStatus.SUBMITTED
