"""Tasks' fixtures: a village of four households, task input for the services and the form,
and approved help to count as progress."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import local_today
from app.helplogs.models import LogStatus
from app.tasks.models import Task
from app.tasks.services import TaskInput
from tests.conftest import make_household, make_log


@pytest.fixture()
def village(db, world):
    """Village A1 with four households (household_a and three more)."""
    for name in ("Lê Thị Hoa", "Phạm Văn Tuấn", "Hồ Thị Mai"):
        make_household(world["village_a1"], name)
    return world["village_a1"]


def households_of(db, village):
    from app.households.models import Household
    return list(db.session.scalars(select(Household).where(Household.village_id == village.id).order_by(Household.id)))


def task_input(world, services, **fields) -> TaskInput:
    values = dict(team_id=world["team_a"].id, village_id=world["village_a1"].id,
                  service_ids=[services["VNEID"].id], due_on=local_today() + timedelta(days=7))
    values.update(fields)
    return TaskInput(**values)


def approved(world, household, *, service=None, days_ago=0, **fields):
    log = make_log(world["volunteer"], world["team_a"], household, status=LogStatus.APPROVED,
                   helped_on=local_today() - timedelta(days=days_ago), **fields)
    if service is not None:
        log.services = [service]
        from app.extensions import db
        db.session.commit()
    return log


def count_tasks(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


def new_task_form(world, services, **fields):
    data = {"team_id": world["team_a"].id, "village_id": world["village_a1"].id, "choose": "village",
            "service_ids": [services["DVC"].id], "due_on": (local_today() + timedelta(days=10)).isoformat(),
            "target_count": "", "assignee_id": world["volunteer"].id, "note": ""}
    data.update(fields)
    return data
