"""Help log services: idempotent submission, the rules, overlaps, editing and resubmitting."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.core.db import local_today
from app.helplogs.models import LogStatus, Outcome
from app.helplogs.services import LogError, edit_log, recent_overlaps, submit_log
from tests.conftest import english, events, make_member
from tests.helplogs.conftest import base_input, log_count


def test_submit_log_saves_services_team_and_audit(db, world, services):
    log, created = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    assert created and log.status == LogStatus.SUBMITTED and log.team_id == world["team_a"].id
    assert {s.code for s in log.services} == {"VNEID", "TTKDTM"}
    assert log.received_at is not None and log.helped_on == local_today()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "helplog.submitted"))


def test_same_client_uuid_returns_the_saved_log(db, world, services):
    key = str(uuid.uuid4())
    first, created = submit_log(world["volunteer"], key, base_input(world, services))
    again, created_again = submit_log(world["volunteer"], key, base_input(world, services, people_count=3))
    assert created and not created_again and again.id == first.id and log_count(db, world) == 1


def test_a_stored_client_uuid_returns_the_saved_log_even_when_the_data_now_fails(db, world, services):
    key = str(uuid.uuid4())
    first, _ = submit_log(world["volunteer"], key, base_input(world, services))
    again, created = submit_log(world["volunteer"], key, base_input(world, services, people_count=0, service_ids=[]))
    assert not created and again.id == first.id and log_count(db, world) == 1


def test_a_stored_client_uuid_returns_the_saved_log_even_from_a_village_now_refused(db, world, services):
    """The saved log is found with the placement; a village no team of the author covers has
    no placement, and the replay is still answered with the saved log."""
    key = str(uuid.uuid4())
    first, _ = submit_log(world["volunteer"], key, base_input(world, services))
    again, created = submit_log(world["volunteer"], key, base_input(world, services, village_id=world["village_b1"].id,
                                                                   household_id=world["household_b"].id))
    assert not created and again.id == first.id and log_count(db, world) == 1
    with pytest.raises(LogError):  # another author's submission with the same key is theirs alone
        submit_log(world["leader"], key, base_input(world, services, village_id=world["village_b1"].id))


def test_one_client_uuid_twice_stores_one_row_and_one_event(db, world, services):
    key = str(uuid.uuid4())
    first, created = submit_log(world["volunteer"], key, base_input(world, services))
    again, created_again = submit_log(world["volunteer"], key, base_input(world, services, people_count=3))
    assert created and not created_again and again.id == first.id and again.people_count == 1
    assert log_count(db, world) == 1
    assert [e.object_id for e in events(db, "helplog.submitted")] == [first.id]


def test_only_the_author_edits_a_log(db, world, services):
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    for someone in (world["leader"], make_member(world["team_a"], "second")):
        with pytest.raises(LogError) as error:
            edit_log(someone, log, base_input(world, services, outcome=Outcome.PARTLY), version=1)
        assert english(error.value) == "Only the volunteer who logged the help can change it."
    db.session.expire_all()
    assert log.outcome == Outcome.DONE and log.version == 1 and len(events(db, "helplog.updated")) == 0


def test_group_session_needs_a_people_count(db, world, services):
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()),
                        base_input(world, services, household_id=None, people_count=25))
    assert log.is_group and log.people_count == 25


@pytest.mark.parametrize("overrides,field,message", [
    ({"household_id": None, "people_count": 0}, "people_count",
     "A group session needs the number of people, from 1 to 500."),
    ({"household_id": None, "people_count": 501}, "people_count",
     "A group session needs the number of people, from 1 to 500."),
    ({"people_count": 0}, "people_count", "People helped must be between 1 and 50."),
    ({"people_count": 51}, "people_count", "People helped must be between 1 and 50."),
    ({"service_ids": []}, "service_ids", "Choose at least one kind of help."),
    ({"helped_on": local_today() + timedelta(days=1)}, "helped_on", "The date cannot be in the future."),
    ({"helped_on": local_today() - timedelta(days=31)}, "helped_on", "Help can be logged up to 30 days back."),
    ({"note": "x" * 501}, "note", "At most 500 characters."),
    ({"note": "CCCD 042095001234"}, "note", None),
])
def test_rules(db, world, services, overrides, field, message):
    with pytest.raises(LogError) as error:
        submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services, **overrides))
    assert error.value.field == field
    if message is not None:
        assert english(error.value) == message
    db.session.rollback()
    assert log_count(db, world) == 0


def test_thirty_days_back_is_allowed(db, world, services):
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()),
                        base_input(world, services, helped_on=local_today() - timedelta(days=30)))
    assert log.id


def test_the_limits_themselves_are_allowed(db, world, services):
    group, _ = submit_log(world["volunteer"], str(uuid.uuid4()),
                          base_input(world, services, household_id=None, people_count=500, note="x" * 500))
    household, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services, people_count=50))
    single, _ = submit_log(world["volunteer"], str(uuid.uuid4()),
                           base_input(world, services, household_id=None, people_count=1))
    assert (group.people_count, household.people_count, single.people_count) == (500, 50, 1)


def test_village_outside_the_teams_and_household_of_another_village(db, world, services):
    with pytest.raises(LogError) as error:
        submit_log(world["volunteer"], str(uuid.uuid4()),
                   base_input(world, services, village_id=world["village_b1"].id, household_id=None))
    assert error.value.field == "village_id"
    with pytest.raises(LogError) as error:
        submit_log(world["volunteer"], str(uuid.uuid4()),
                   base_input(world, services, household_id=world["household_b"].id))
    assert error.value.field == "household_id"


def test_tampered_client_uuid(db, world, services):
    with pytest.raises(LogError) as error:
        submit_log(world["volunteer"], "not-a-uuid'; drop table", base_input(world, services))
    assert error.value.field == "client_uuid"


def test_overlap_warning_within_seven_days(db, world, services):
    submit_log(world["volunteer"], str(uuid.uuid4()),
               base_input(world, services, helped_on=local_today() - timedelta(days=3)))
    assert recent_overlaps(world["household_a"].id, [services["VNEID"].id])
    assert recent_overlaps(world["household_a"].id, [services["ATTT"].id]) == []
    assert recent_overlaps(world["household_a"].id, [services["VNEID"].id],
                           today=local_today() + timedelta(days=8)) == []


def test_edit_and_resubmit_returned_log(db, world, services):
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    edit_log(world["volunteer"], log, base_input(world, services, outcome=Outcome.PARTLY), version=1)
    assert log.outcome == Outcome.PARTLY and log.version == 2 and log.status == LogStatus.SUBMITTED
    log.status = LogStatus.RETURNED
    db.session.commit()
    edit_log(world["volunteer"], log, base_input(world, services, outcome=Outcome.PARTLY), version=2)
    assert log.status == LogStatus.SUBMITTED and log.version == 3
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "help_logs")
                                      .order_by(AuditEvent.id)))
    assert actions == ["helplog.submitted", "helplog.updated", "helplog.resubmitted"]
    log.status = LogStatus.APPROVED
    db.session.commit()
    with pytest.raises(LogError) as error:
        edit_log(world["volunteer"], log, base_input(world, services), version=3)
    assert english(error.value) == "This log was approved and can no longer be changed."


def test_an_edit_cannot_add_a_new_household(db, world, services):
    from app.households.services import HouseholdData

    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    data = base_input(world, services, household_id=None, new_household=HouseholdData(display_name="Hộ Mới"))
    with pytest.raises(LogError) as error:
        edit_log(world["volunteer"], log, data, version=1)
    assert error.value.field == "household_id" and english(error.value) == "Choose a household of this village."


def test_an_edit_audits_only_what_changed_from_old_to_new(db, world, services):
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    yesterday = local_today() - timedelta(days=1)
    edit_log(world["volunteer"], log, base_input(world, services, helped_on=yesterday, outcome=Outcome.PARTLY),
             version=1)
    [event] = events(db, "helplog.updated")
    assert event.changes == {"helped_on": [local_today().isoformat(), yesterday.isoformat()],
                             "outcome": ["done", "partly"]}
