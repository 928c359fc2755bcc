"""The coverage summaries follow every write that changes them, and always equal a
recomputation from the logs and households (DESIGN §4: units kept apart, a household once)."""

import os
import random
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from app.accounts.models import Role
from app.catalog.models import Service
from app.core.changes import changing
from app.core.db import local_today
from app.core.domain import RuleError
from app.coverage import summaries
from app.coverage.models import ANY, DAY, FIVE, MONTH, WEEK, Bucket, LastVisit, Registered, VolunteerBucket, skill_key
from app.helplogs.models import HelpLog, LogStatus
from app.helplogs.services import LogInput, submit_log
from app.households.models import ConsentMethod
from app.households.services import Consent, HouseholdData, anonymise_household, update_household
from app.reviews.services import approve_log, approve_many, return_log
from tests.conftest import make_household, make_services, make_team, make_user

TODAY = local_today()


def bucket(area, key, day, grain=DAY):
    start = {DAY: day, WEEK: day - timedelta(days=day.weekday())}.get(grain, day.replace(day=1))
    row = summaries.db.session.get(Bucket, (area.id, key, grain, start))
    return (row.reached, row.visits, row.people) if row else (0, 0, 0)


def log_input(world, household=None, services=(), day=TODAY, village="village_a1", people=1, **extra):
    return LogInput(village_id=world[village].id, household_id=household.id if household else None,
                    service_ids=[s.id for s in services], helped_on=day, people_count=people, **extra)


def summarised():
    """The factories write rows directly, as a migration or an import of old data would: start
    each test from rebuilt summaries."""
    summaries.rebuild()
    summaries.db.session.commit()


@pytest.fixture()
def services(db, world):
    services = make_services()
    summarised()
    return services


def test_a_leaders_log_counts_at_once_in_the_village_and_the_commune(db, world, services):
    log, _ = submit_log(world["leader"], str(uuid.uuid4()),
                        log_input(world, world["household_a"], [services["VNEID"], services["TTKDTM"]], people=3))
    assert log.status == LogStatus.APPROVED
    for area in (world["village_a1"], world["commune_a"]):
        for grain in (DAY, WEEK, MONTH):
            assert bucket(area, ANY, TODAY, grain) == (1, 1, 3)
            assert bucket(area, services["VNEID"].id, TODAY, grain) == (1, 1, 3)
            assert bucket(area, skill_key(1), TODAY, grain) == (1, 0, 0)  # reached for skill 1; visits per service
    assert summaries.drift() == {}


def test_a_week_bucket_starts_on_its_monday_and_holds_the_weeks_days(db, world, services):
    monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    sunday = monday + timedelta(days=6)  # the household is first reached on the week's last day
    for day, people, household in ((monday, 1, None), (sunday, 2, world["household_a"]),
                                   (monday + timedelta(days=7), 4, None)):
        submit_log(world["leader"], str(uuid.uuid4()), log_input(world, household, [services["VNEID"]], day=day,
                                                                 people=people))
    for area in (world["village_a1"], world["commune_a"]):
        assert bucket(area, ANY, monday + timedelta(days=3), WEEK) == (1, 2, 3)
        assert bucket(area, services["VNEID"].id, sunday, WEEK) == (1, 2, 3)
        assert bucket(area, ANY, monday + timedelta(days=7), WEEK) == (0, 1, 4)
    assert summaries.db.session.scalar(select(VolunteerBucket.author_id).where(VolunteerBucket.grain == WEEK)) is None
    assert summaries.drift() == {}


def test_a_submitted_log_counts_only_once_approved_and_a_household_counts_once(db, world, services):
    earlier = TODAY - timedelta(days=3)
    first = world["log_a"]  # submitted by the volunteer, VNeID, today
    assert bucket(world["village_a1"], ANY, TODAY) == (0, 0, 0)
    second, _ = submit_log(world["volunteer"], str(uuid.uuid4()),
                           log_input(world, world["household_a"], [services["VNEID"]], day=earlier))
    approve_log(world["leader"], first, version=first.version)
    assert bucket(world["village_a1"], ANY, TODAY) == (1, 1, 1)
    approve_log(world["leader"], second, version=second.version)
    # Reached moves to the earlier day: the household counts once, on the day it was first helped.
    assert bucket(world["village_a1"], ANY, TODAY) == (0, 1, 1)
    assert bucket(world["village_a1"], ANY, earlier) == (1, 1, 1)
    volunteers = db.session.scalars(select(VolunteerBucket.author_id).where(
        VolunteerBucket.area_id == world["commune_a"].id, VolunteerBucket.key == ANY,
        VolunteerBucket.grain == DAY, VolunteerBucket.logs > 0)).all()
    assert set(volunteers) == {world["volunteer"].id}
    assert summaries.drift() == {}


def test_all_five_skills_count_on_the_day_the_last_one_is_covered(db, world, services):
    household = world["household_a"]
    codes = ["VNEID", "TMDT", "TTKDTM", "ATTT", "KNS"]  # skills 1, 2, 3, 4, 5
    for offset, code in enumerate(codes):
        submit_log(world["leader"], str(uuid.uuid4()),
                   log_input(world, household, [services[code]], day=TODAY - timedelta(days=10 - offset)))
    assert bucket(world["village_a1"], FIVE, TODAY - timedelta(days=6)) == (1, 0, 0)
    assert summaries.drift() == {}


def test_moving_a_household_takes_its_coverage_and_count_along(db, world, services):
    household = world["household_a"]
    submit_log(world["leader"], str(uuid.uuid4()), log_input(world, household, [services["VNEID"]]))
    before = db.session.get(Registered, world["village_a2"].id)
    update_household(world["admin"], household, HouseholdData(household.display_name), world["village_a2"])
    assert bucket(world["village_a1"], ANY, TODAY)[0] == 0 and bucket(world["village_a2"], ANY, TODAY)[0] == 1
    assert bucket(world["village_a1"], ANY, TODAY)[1] == 1  # the visit stays where it happened
    assert db.session.get(Registered, world["village_a2"].id).households == (before.households if before else 0) + 1
    assert summaries.drift() == {}


def last_visit(area):
    row = summaries.db.session.get(LastVisit, area.id)
    return row.day if row else None


def test_the_last_visit_moves_later_and_back_when_a_visit_is_taken_away(db, world, services):
    """Kept on write: a later visit moves it on, an earlier one leaves it; a visit that stops
    counting (any write the watcher follows) moves it back to the one before, or removes it."""
    village, commune = world["village_a1"], world["commune_a"]
    earlier = TODAY - timedelta(days=5)
    first, _ = submit_log(world["leader"], str(uuid.uuid4()),
                          log_input(world, world["household_a"], [services["VNEID"]], day=earlier))
    assert last_visit(village) == last_visit(commune) == earlier
    latest, _ = submit_log(world["leader"], str(uuid.uuid4()), log_input(world, None, [services["DVC"]], people=4))
    submit_log(world["leader"], str(uuid.uuid4()),
               log_input(world, None, [services["DVC"]], day=TODAY - timedelta(days=9), people=2))
    assert last_visit(village) == last_visit(commune) == TODAY
    for log, expected in ((latest, earlier), (first, TODAY - timedelta(days=9))):
        with changing(help_logs=[log.id], households=[log.household_id]):
            log.status = LogStatus.RETURNED
        db.session.commit()
        assert last_visit(village) == last_visit(commune) == expected
        assert summaries.drift() == {}
    assert last_visit(world["village_b1"]) is None


def test_the_last_visit_goes_with_the_last_visit_taken_away(db, world, services):
    log, _ = submit_log(world["leader"], str(uuid.uuid4()), log_input(world, None, [services["DVC"]], people=2))
    assert last_visit(world["village_a1"]) == TODAY
    with changing(help_logs=[log.id]):
        log.status = LogStatus.RETURNED
    db.session.commit()
    assert last_visit(world["village_a1"]) is None and last_visit(world["commune_a"]) is None
    assert summaries.drift() == {}


def test_the_check_finds_a_wrong_last_visit(db, world, services):
    submit_log(world["leader"], str(uuid.uuid4()), log_input(world, None, [services["DVC"]], people=2))
    db.session.get(LastVisit, world["village_a1"].id).day = TODAY - timedelta(days=1)
    db.session.commit()
    assert list(summaries.drift()) == ["coverage_last_visits"]
    summaries.rebuild()
    db.session.commit()
    assert summaries.drift() == {} and last_visit(world["village_a1"]) == TODAY


def test_the_check_finds_drift_and_the_rebuild_mends_it(db, world, services):
    submit_log(world["leader"], str(uuid.uuid4()), log_input(world, world["household_a"], [services["VNEID"]]))
    db.session.commit()
    row = db.session.get(Bucket, (world["commune_a"].id, ANY, MONTH, TODAY.replace(day=1)))
    row.visits += 5
    db.session.commit()
    drift = summaries.drift()
    assert list(drift) == ["coverage_buckets"]
    assert {side for side, *_ in drift["coverage_buckets"]} == {"stored", "recomputed"}
    summaries.rebuild()
    db.session.commit()
    assert summaries.drift() == {}



def test_the_commands_rebuild_analyse_and_check(app, db, world, services):
    submit_log(world["leader"], str(uuid.uuid4()), log_input(world, world["household_a"], [services["VNEID"]]))
    db.session.commit()
    row = db.session.get(Bucket, (world["commune_a"].id, ANY, MONTH, TODAY.replace(day=1)))
    row.visits += 5
    db.session.commit()
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite and db.session.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        db.session.execute(text("DELETE FROM sqlite_stat1"))  # left by another test's seed-bench
        db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["coverage", "check"]).exit_code == 1
    rebuilt = runner.invoke(args=["coverage", "rebuild"])
    assert rebuilt.exit_code == 0 and "rows in coverage_buckets" in rebuilt.output
    checked = runner.invoke(args=["coverage", "check"])
    assert checked.exit_code == 0 and "agree" in checked.output
    if sqlite:  # the planner's statistics, which SQLite keeps only when asked
        tables = db.session.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars().all()
        assert "coverage_buckets" in tables


# Random sequences of every write that changes coverage -----------------------------------

EXAMPLES = int(os.environ.get("COVERAGE_EXAMPLES", "25"))
OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["submit", "lead", "new", "group", "approve", "bulk", "return", "move", "anonymise",
                     "deactivate"]),
    st.integers(0, 10 ** 6), st.integers(0, 40),
    st.lists(st.sampled_from(["VNEID", "DVC", "TTKDTM", "TMDT", "KNS", "ATTT", "CKS"]), min_size=1, max_size=3,
             unique=True),
), min_size=1, max_size=12)


@pytest.fixture()
def field(db, world, services):
    """Two communes, three villages and households, with a leader and a volunteer on each side."""
    world["team_a"].villages.append(world["village_a2"])
    leader_b = make_user("leader_b", Role.LEADER, world["commune_b"])
    make_team(world["commune_b"], [world["village_b1"]], leaders=[leader_b], name="Tổ B2")
    households = [world["household_a"], world["household_b"],
                  make_household(world["village_a2"], "Lê Văn Tám"), make_household(world["village_a1"], "Hồ Thị Lý")]
    summarised()
    return {"world": world, "services": services, "households": households,
            "teams": [(world["leader"], world["volunteer"], ["village_a1", "village_a2"]),
                      (leader_b, world["outsider"], ["village_b1"])]}


def run(field, operation, pick, days, codes):
    db, world, services = summaries.db, field["world"], field["services"]
    rng = random.Random(pick)  # independent choices from one drawn number, so Hypothesis can shrink it
    day = TODAY - timedelta(days=days % 31)
    chosen = [services[code] for code in codes]
    leader, volunteer, villages = rng.choice(field["teams"])
    village = rng.choice(villages)
    in_village = [h for h in field["households"] if h.village_id == world[village].id and not h.anonymised_at]
    household = rng.choice(in_village) if in_village else None
    submitted = db.session.scalars(select(HelpLog).where(HelpLog.status == LogStatus.SUBMITTED)
                                   .order_by(HelpLog.id)).all()
    if operation in ("submit", "lead") and household:
        author = volunteer if operation == "submit" else leader
        submit_log(author, str(uuid.uuid4()), log_input(world, household, chosen, day, village))
    elif operation == "new":
        data = log_input(world, None, chosen, day, village, new_household=HouseholdData(f"Hộ mới {pick}"),
                         consent=Consent(ConsentMethod.SIGNED))
        log, _ = submit_log(leader, str(uuid.uuid4()), data)
        field["households"].append(log.household)
    elif operation == "group":
        submit_log(leader, str(uuid.uuid4()), log_input(world, None, chosen, day, village, people=rng.randint(1, 40)))
    elif operation == "approve" and submitted:
        log = rng.choice(submitted)
        approve_log(world["admin"], log, version=log.version)
    elif operation == "bulk" and submitted:
        picked = rng.sample(submitted, rng.randint(1, len(submitted)))
        approve_many(world["admin"], {log.id: log.version for log in picked})
    elif operation == "return" and submitted:
        log = rng.choice(submitted)
        return_log(world["admin"], log, version=log.version, reason="other", comment=f"sửa {pick}")
    elif operation == "move" and household:
        target = world[rng.choice(["village_a1", "village_a2"])]
        if household.village.parent_id == target.parent_id and household.village_id != target.id:
            update_household(world["admin"], household, HouseholdData(household.display_name), target)
    elif operation == "anonymise" and household and rng.random() < 0.25:
        anonymise_household(world["admin"], household)
    elif operation == "deactivate" and rng.random() < 0.2:
        chosen[0].is_active = not chosen[0].is_active
        db.session.commit()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          # One world per test, reused by every example: each adds its writes to the last ones'.
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_any_sequence_of_writes_keeps_the_summaries_equal_to_a_recomputation(field, operations):
    for operation in operations:
        try:
            run(field, *operation)
        except RuleError:
            summaries.db.session.rollback()  # refused (a deactivated service): nothing may change
        assert summaries.drift() == {}, operation
    for service in summaries.db.session.scalars(select(Service)):
        service.is_active = True
    summaries.db.session.commit()


def test_an_import_of_households_adds_to_the_registered_counts(db, world, services):
    from app.imports import services as imports

    header = ("commune_code,village_name,former_commune,display_name,phone,member_count,is_farm,is_business,"
              "consent_method,consent_date,consent_collected_by,consent_witness")
    rows = [f"18562,Thôn 1,Xã Thạch Sơn,Hộ nhập {n},,3,1,0,signed,15/01/2026,volunteer," for n in range(3)]
    upload = imports.stage_upload(world["admin"], "households", "hộ.csv", "\n".join([header, *rows]).encode())
    before = db.session.get(Registered, world["village_a1"].id).households
    imports.confirm(world["admin"], "households", upload.token)
    assert db.session.get(Registered, world["village_a1"].id).households == before + 3
    assert db.session.get(Registered, world["commune_a"].id).households == before + 3 + 0  # a2 has none
    assert summaries.drift() == {}
