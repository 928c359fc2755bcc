"""Task services: setting a task (the village, households not yet reached, chosen ones) and its
rules, progress from approved logs, claiming and releasing, changing and ending."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.core.db import local_today
from app.core.versioning import Stale
from app.helplogs.models import LogStatus
from app.tasks.models import Task, TaskScope, TaskStatus
from app.tasks.queries import other_tasks_covering, progress
from app.tasks.services import Choose, TaskError, claim_task, create_task, end_task, release_task, update_task
from tests.conftest import english, events, make_log, make_member, make_task
from tests.tasks.conftest import approved, count_tasks, households_of, task_input


def test_a_village_task_defaults_its_target_to_every_household(db, world, services, village):
    task = create_task(world["leader"], task_input(world, services, assignee_id=world["volunteer"].id))
    assert task.scope == TaskScope.VILLAGE and task.target_count == 4 and task.starts_on == local_today()
    assert task.assignee_id == world["volunteer"].id and not task.is_open and task.status == TaskStatus.ACTIVE
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.created"))
    assert event.object_id == task.id and event.changes["services"] == ["VNEID"] and event.changes["households"] == 4


def test_not_yet_reached_leaves_out_households_with_approved_help(db, world, services, village):
    reached, *rest = households_of(db, village)
    approved(world, reached, days_ago=40)  # long before: still reached for this help
    make_log(world["volunteer"], world["team_a"], rest[0])  # only submitted: not reached
    task = create_task(world["leader"], task_input(world, services, choose=Choose.UNREACHED, target_count=2))
    assert task.scope == TaskScope.HOUSEHOLDS and task.is_open
    assert {h.id for h in task.households} == {h.id for h in rest}


def test_not_yet_reached_refuses_when_everyone_is_reached(db, world, services):
    approved(world, world["household_a"])
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, choose=Choose.UNREACHED))
    assert error.value.field == "choose"


def test_chosen_households_must_be_of_the_village(db, world, services, village):
    before = count_tasks(db)
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(
            world, services, choose=Choose.LISTED,
            household_ids=[world["household_a"].id, world["household_b"].id]))
    assert error.value.field == "household_ids" and "không thuộc thôn này" in str(error.value.message)
    db.session.rollback()
    assert count_tasks(db) == before


@pytest.mark.parametrize("fields, field", [
    ({"due_on": local_today() - timedelta(days=1)}, "due_on"),
    ({"due_on": None}, "due_on"),
    ({"target_count": 0}, "target_count"),
    ({"target_count": 5}, "target_count"),  # the village has 4
    ({"service_ids": []}, "service_ids"),
    ({"service_ids": [999_999]}, "service_ids"),
    ({"note": "OTP 123456 cho anh"}, "note"),
])
def test_bad_task_input_is_refused_with_its_field(db, world, services, village, fields, field):
    before = count_tasks(db)
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, **fields))
    assert error.value.field == field
    db.session.rollback()
    assert count_tasks(db) == before


def test_target_cannot_exceed_the_chosen_households(db, world, services, village):
    chosen = [h.id for h in households_of(db, village)[:2]]
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, choose=Choose.LISTED, household_ids=chosen,
                                                target_count=3))
    assert error.value.field == "target_count" and "2" in str(error.value.message)


def test_the_assignee_must_be_in_the_team(db, world, services):
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, assignee_id=world["outsider"].id))
    assert error.value.field == "assignee_id"


def test_progress_counts_distinct_target_households_with_approved_help_since_the_start(db, world, services, village):
    first, second, third, fourth = households_of(db, village)
    task = make_task(world["team_a"], village, [services["VNEID"], services["DVC"]], leader=world["leader"],
                     target=4, starts_on=local_today() - timedelta(days=5))
    approved(world, first)  # not linked: counts
    approved(world, first, service=services["DVC"])  # same household again: once
    approved(world, second, service=services["DVC"], task_id=task.id)  # linked: counts
    approved(world, third, days_ago=6)  # before the task began
    approved(world, fourth, service=services["ATTT"])  # another kind of help
    make_log(world["volunteer"], world["team_a"], fourth)  # submitted, not approved
    make_log(world["volunteer"], world["team_a"], None, status=LogStatus.APPROVED)  # a group session
    assert progress([task.id]) == {task.id: 2}


def test_progress_of_a_listed_task_counts_only_its_households(db, world, services, village):
    first, second, *_ = households_of(db, village)
    task = make_task(world["team_a"], village, [services["VNEID"]], leader=world["leader"], households=[first])
    approved(world, first)
    approved(world, second)
    assert progress([task.id, world["task_a"].id]) == {task.id: 1, world["task_a"].id: 2}


def test_progress_leaves_out_anonymised_households(db, world, services, village):
    first, second, *_ = households_of(db, village)
    approved(world, first)
    approved(world, second)
    assert progress([world["task_a"].id]) == {world["task_a"].id: 2}
    from app.core.db import utcnow
    second.anonymised_at = utcnow()
    db.session.commit()
    assert progress([world["task_a"].id]) == {world["task_a"].id: 1}


def test_households_covered_by_other_tasks_are_found(db, world, services, village):
    first, second, *_ = households_of(db, village)
    listed = make_task(world["team_a"], village, [services["DVC"]], leader=world["leader"], households=[first])
    covering = other_tasks_covering(village.id, [services["DVC"].id])
    assert covering["village"] == [] and [t.id for t in covering["households"][first.id]] == [listed.id]
    covering = other_tasks_covering(village.id, [services["VNEID"].id])
    assert [t.id for t in covering["village"]] == [world["task_a"].id] and covering["households"] == {}
    assert other_tasks_covering(village.id, [services["VNEID"].id], exclude_task_id=world["task_a"].id)["village"] == []


def test_a_deactivated_teams_tasks_cover_nothing_and_cannot_change(db, world, services):
    world["team_a"].is_active = False
    db.session.commit()
    assert other_tasks_covering(world["village_a1"].id, [services["VNEID"].id])["village"] == []
    with pytest.raises(TaskError):
        update_task(world["admin"], world["task_a"], task_input(world, services, due_on=world["task_a"].due_on),
                    version=1)


def test_an_open_task_is_claimed_once(db, world):
    second = make_member(world["team_a"], "second")
    task = world["task_a"]
    claim_task(world["volunteer"], task)
    assert task.assignee_id == world["volunteer"].id and task.version == 2
    late = db.session.get(Task, task.id)
    db.session.expire(late)
    with pytest.raises(Stale) as error:
        claim_task(second, late)
    assert error.value.obj.assignee_id == world["volunteer"].id


def test_release_by_the_holder_or_a_leader_only(db, world):
    second = make_member(world["team_a"], "second")
    task = claim_task(world["volunteer"], world["task_a"])
    with pytest.raises(TaskError) as error:
        release_task(second, task)
    assert error.value.status == 403 and task.assignee_id == world["volunteer"].id
    assert english(error.value) == "Only the volunteer who took this task, or a leader, can give it back."
    claimed_at = task.updated_at
    release_task(world["leader"], task)
    assert task.assignee_id is None and task.claimable and task.updated_at > claimed_at
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "tasks")
                                      .order_by(AuditEvent.id)))
    assert actions == ["task.claimed", "task.released"]
    released = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.released"))
    assert released.actor_id == world["leader"].id and released.changes == {"assignee_id": world["volunteer"].id}


def test_a_release_loses_to_a_change_made_meanwhile(db, world):
    second = make_member(world["team_a"], "second")
    task = claim_task(world["volunteer"], world["task_a"])
    # Meanwhile the leader gave it back and the second member took it; this request still holds the old row.
    db.session.execute(update(Task).where(Task.id == task.id).values(assignee_id=second.id, version=Task.version + 2)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    with pytest.raises(Stale):
        release_task(world["volunteer"], task)
    assert db.session.get(Task, task.id).assignee_id == second.id
    ended = claim_task(world["volunteer"], make_task(world["team_a"], world["village_a1"], task.services,
                                                     leader=world["leader"]))
    end_task(world["leader"], ended, TaskStatus.CLOSED, version=ended.version)
    with pytest.raises(Stale):
        release_task(world["volunteer"], ended)
    assert db.session.get(Task, ended.id).assignee_id == world["volunteer"].id


def test_an_assigned_task_cannot_be_released(db, world, services):
    task = create_task(world["leader"], task_input(world, services, assignee_id=world["volunteer"].id))
    with pytest.raises(TaskError) as error:
        release_task(world["volunteer"], task)
    assert error.value.status == 409 and "hãy hỏi tổ trưởng" in str(error.value.message)


def test_update_changes_and_audits_only_what_changed(db, world, services, village):
    task = world["task_a"]
    data = task_input(world, services, service_ids=[services["VNEID"].id, services["DVC"].id], target_count=3,
                      assignee_id=world["volunteer"].id, due_on=task.due_on)
    update_task(world["leader"], task, data, version=1)
    assert task.version == 2 and task.target_count == 3 and task.assignee_id == world["volunteer"].id
    assert not task.is_open and [s.code for s in task.services] == ["VNEID", "DVC"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.updated"))
    assert set(event.changes) == {"services", "target_count", "assignee_id", "is_open"}


def test_update_with_an_old_version_is_stale(db, world, services):
    task = world["task_a"]
    claim_task(world["volunteer"], task)
    with pytest.raises(Stale):
        update_task(world["leader"], task, task_input(world, services, target_count=1), version=1)


def test_an_overdue_task_keeps_its_date_when_other_things_change(db, world, services):
    task = make_task(world["team_a"], world["village_a1"], [services["VNEID"]], leader=world["leader"], days=-3)
    update_task(world["leader"], task, task_input(world, services, due_on=task.due_on, note="Ưu tiên hộ già"),
                version=1)
    assert task.note == "Ưu tiên hộ già" and task.is_overdue(local_today())
    with pytest.raises(TaskError):
        update_task(world["leader"], task, task_input(world, services, due_on=task.due_on - timedelta(days=1)),
                    version=2)


def test_close_and_cancel_end_the_task(db, world):
    task = end_task(world["leader"], world["task_a"], TaskStatus.CLOSED, version=1)
    assert task.status == TaskStatus.CLOSED and task.ended_at is not None
    with pytest.raises(Stale):
        end_task(world["leader"], task, TaskStatus.CANCELLED, version=2)


def test_close_and_cancel_are_audited_as_such(db, world):
    other = make_task(world["team_a"], world["village_a1"], world["task_a"].services, leader=world["leader"])
    end_task(world["leader"], world["task_a"], TaskStatus.CLOSED, version=1)
    end_task(world["leader"], other, TaskStatus.CANCELLED, version=1)
    assert other.status == TaskStatus.CANCELLED and other.ended_at is not None
    ended = [(e.action, e.actor_id, e.object_type, e.object_id) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(("task.closed", "task.cancelled"))).order_by(AuditEvent.id))]
    assert ended == [("task.closed", world["leader"].id, "tasks", world["task_a"].id),
                     ("task.cancelled", world["leader"].id, "tasks", other.id)]


def test_a_claim_is_audited_and_an_ended_task_cannot_be_claimed(db, world):
    task = world["task_a"]
    created_at = task.updated_at
    claim_task(world["volunteer"], task)
    assert task.updated_at > created_at
    claimed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.claimed"))
    assert (claimed.actor_id, claimed.object_id) == (world["volunteer"].id, task.id)
    ended = make_task(world["team_a"], world["village_a1"], task.services, leader=world["leader"])
    end_task(world["leader"], ended, TaskStatus.CANCELLED, version=1)
    with pytest.raises(Stale):
        claim_task(world["volunteer"], ended)
    assert db.session.get(Task, ended.id).assignee_id is None


def test_an_ended_task_or_a_deactivated_teams_task_cannot_change(db, world, services):
    task = world["task_a"]
    data = task_input(world, services, due_on=task.due_on, note="Đổi")
    world["team_a"].is_active = False
    db.session.commit()
    with pytest.raises(TaskError) as error:
        update_task(world["leader"], task, data, version=1)
    assert english(error.value) == "The team of this task is deactivated: reactivate it first."
    end_task(world["leader"], task, TaskStatus.CANCELLED, version=1)
    with pytest.raises(TaskError) as error:
        update_task(world["leader"], task, data, version=2)
    assert english(error.value) == "This task has ended and can no longer be changed."
    assert task.note is None


def test_an_update_audits_each_change_from_old_to_new(db, world, services):
    task = world["task_a"]
    old_due = task.due_on
    update_task(world["leader"], task, task_input(world, services, due_on=old_due + timedelta(days=1), note="Gấp"),
                version=1)
    [event] = events(db, "task.updated")
    assert event.changes == {"due_on": [old_due.isoformat(), (old_due + timedelta(days=1)).isoformat()],
                             "note": [None, "Gấp"]}
