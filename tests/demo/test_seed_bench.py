"""seed-bench: synthetic province-scale data, here at scale 0.01."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.accounts.passwords import verify_password
from app.areas.models import Area, AreaKind
from app.core.text import search_key
from app.demo.bench import BENCH_PASSWORD, BenchRefused, seed_bench
from app.households.models import Household
from app.teams.models import MemberRole, Membership, Team, team_villages
from tests.conftest import count_rows

pytestmark = pytest.mark.slow  # each test builds the 69 communes and thousands of households


def test_tiny_bench_has_the_province_shape(app, db):
    counts = seed_bench(0.01)
    assert counts["communes"] == 69
    assert 1_500 <= counts["villages"] <= 1_900  # ~25 villages per commune
    assert 3_500 <= counts["households"] <= 5_500  # ~1% of 450,000
    assert counts["teams"] == 3 and counts["memberships"] == 20
    assert count_rows(Household) == counts["households"]
    assert count_rows(Team) == 3

    villages = db.session.scalars(select(Area).where(Area.kind == AreaKind.VILLAGE)).all()
    parents = {a.id: a for a in db.session.scalars(select(Area).where(Area.kind == AreaKind.COMMUNE))}
    assert all(v.path == f"{parents[v.parent_id].path}{v.id}/" for v in villages)
    assert Counter(v.parent_id for v in villages).most_common()[-1][1] >= 15  # every commune has villages

    sample = db.session.scalars(select(Household).limit(300)).all()
    assert all(h.search_key == search_key(h.display_name) for h in sample)
    assert all(h.consent_collected_by_id and h.consent_version for h in sample)
    assert any(h.phone and h.phone.startswith("+84") and len(h.phone) == 12 for h in sample)


def test_teams_cover_their_own_communes_villages_with_one_leader_each(db):
    seed_bench(0.01)
    for team in db.session.scalars(select(Team)):
        covered = db.session.scalars(select(Area).join(team_villages, team_villages.c.village_id == Area.id)
                                     .where(team_villages.c.team_id == team.id)).all()
        assert covered and all(v.parent_id == team.commune_id for v in covered)
        roles = Counter(db.session.scalars(select(Membership.role).where(Membership.team_id == team.id)))
        assert roles[MemberRole.LEADER] == 1 and roles[MemberRole.MEMBER] >= 1


def test_accounts_share_one_hash_that_signs_in(db):
    seed_bench(0.01)
    hashes = set(db.session.scalars(select(User.password_hash).where(User.username.like("bench.%"))))
    assert len(hashes) == 1
    assert verify_password(hashes.pop(), BENCH_PASSWORD)
    admin = db.session.scalar(select(User).where(User.username == "bench.admin"))
    assert admin.role == Role.ADMIN and admin.home_area.code == "42"
    assert db.session.scalar(select(func.count()).where(User.role == Role.STAFF)) == 70  # province + 69


def test_refuses_a_database_with_households_unless_forced(db, world):
    before = count_rows(Household)
    with pytest.raises(BenchRefused):
        seed_bench(0.01)
    assert count_rows(Household) == before
    counts = seed_bench(0.01, force=True)
    assert count_rows(Household) == before + counts["households"]
    again = seed_bench(0.01, force=True)  # a third batch: its accounts get their own names
    assert db.session.scalar(select(func.count()).where(User.username.like("bench%.admin"))) == 2
    assert again["households"] > 0


def test_cli_prints_counts_and_time_and_refuses_politely(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-bench", "--scale", "0.01"])
    assert result.exit_code == 0, result.output
    assert "69 communes" in result.output and "households" in result.output and "Took" in result.output
    again = runner.invoke(args=["seed-bench", "--scale", "0.01"])
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(args=["seed-bench", "--scale", "0"]).exit_code == 2


def test_bench_logs_are_written_by_members_of_a_team_covering_the_village(db):
    from datetime import timedelta

    from app.core.db import local_today
    from app.helplogs.models import HelpLog, help_log_services

    counts = seed_bench(0.01)
    assert counts["logs"] == 10_000 == count_rows(HelpLog)
    assert counts["log_services"] >= counts["logs"]
    stray = db.session.scalar(
        select(func.count()).select_from(HelpLog)
        .where(~select(Membership.id).where(Membership.team_id == HelpLog.team_id,
                                            Membership.user_id == HelpLog.author_id).exists())
    )
    assert stray == 0
    uncovered = db.session.scalar(
        select(func.count()).select_from(HelpLog)
        .where(~select(team_villages.c.team_id).where(team_villages.c.team_id == HelpLog.team_id,
                                                     team_villages.c.village_id == HelpLog.village_id).exists())
    )
    assert uncovered == 0
    oldest, newest = db.session.execute(select(func.min(HelpLog.helped_on), func.max(HelpLog.helped_on))).one()
    assert newest <= local_today() and oldest >= local_today() - timedelta(days=365)
    without_service = db.session.scalar(
        select(func.count()).select_from(HelpLog)
        .where(~select(help_log_services.c.log_id).where(help_log_services.c.log_id == HelpLog.id).exists())
    )
    assert without_service == 0


def test_bench_tasks_have_both_scopes_open_and_assigned_ones_and_ended_ones(db):
    from datetime import timedelta

    from app.core.db import local_today
    from app.tasks.models import Task, TaskScope, TaskStatus, task_households

    counts = seed_bench(0.01)
    tasks = db.session.scalars(select(Task)).all()
    assert counts["tasks"] == len(tasks) and 3 * 4 <= len(tasks) <= 3 * 12
    assert {t.scope for t in tasks} == set(TaskScope)
    assert {t.status for t in tasks} == set(TaskStatus)
    active = [t for t in tasks if t.is_active]
    assert len(active) > len(tasks) / 2
    today = local_today()
    assert any(t.is_overdue(today) for t in active) and any(t.due_on >= today for t in active)
    assert all(today - timedelta(days=60) <= t.starts_on <= today and t.starts_on < t.due_on for t in active)
    assert all(t.ended_at and t.ended_at.date() < today for t in tasks if not t.is_active)
    assert any(t.is_open and t.assignee_id is None for t in tasks)  # open to a claim
    assert any(t.is_open and t.assignee_id for t in tasks)  # claimed
    assert any(not t.is_open and t.assignee_id for t in tasks)  # assigned
    for task in tasks:
        assert 1 <= len(task.services) <= 2
        members = set(db.session.scalars(select(Membership.user_id).where(Membership.team_id == task.team_id)))
        assert task.created_by_id in members and (task.assignee_id is None or task.assignee_id in members)
        assert task.village_id in {v.id for v in task.team.villages}
        listed = db.session.scalars(
            select(Household).join(task_households).where(task_households.c.task_id == task.id)).all()
        if task.scope == TaskScope.VILLAGE:
            assert listed == []
        else:
            assert listed and all(h.village_id == task.village_id for h in listed)
        assert task.target_count >= 1


def test_bench_links_some_fitting_logs_to_active_tasks_and_progress_counts_targets(db):
    from app.helplogs.models import HelpLog, LogStatus
    from app.tasks.models import Task, TaskScope, task_households
    from app.tasks.queries import progress, scope_size

    counts = seed_bench(0.01)
    linked = db.session.scalars(select(HelpLog).where(HelpLog.task_id.is_not(None))).all()
    assert counts["task_logs"] == len(linked) > 0
    for log in linked:
        task = log.task
        assert task.is_active and log.team_id == task.team_id and log.village_id == task.village_id
        assert log.helped_on >= task.starts_on
        assert {s.id for s in log.services} & {s.id for s in task.services}
        if task.scope == TaskScope.HOUSEHOLDS:
            assert log.household_id in set(db.session.scalars(
                select(task_households.c.household_id).where(task_households.c.task_id == task.id)))

    tasks = db.session.scalars(select(Task)).all()
    done = progress(t.id for t in tasks)
    assert any(done.values())
    for task in tasks:
        reached_by_links = {log.household_id for log in linked
                            if log.task_id == task.id and log.status == LogStatus.APPROVED and log.household_id}
        assert len(reached_by_links) <= done.get(task.id, 0) <= scope_size(task)
