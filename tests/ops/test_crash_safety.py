"""bench/crash_safety.py, bounded: gunicorn killed with SIGKILL (master and workers) during log
submissions and during bulk approvals, on the suite's database (SQLite, or PostgreSQL when the
suite runs there). Nothing acknowledged is lost or doubled, nothing unacknowledged is stored
twice, a bulk approval is all or nothing and the coverage summaries stay exact."""

import os

import pytest

from app.accounts.models import Role
from app.areas.models import AreaKind
from app.coverage import summaries
from bench import crash_safety
from tests.conftest import make_area, make_household, make_log, make_services, make_team, make_user

pytestmark = pytest.mark.slow  # starts gunicorn four times


@pytest.fixture()
def team(db):
    province = make_area(AreaKind.PROVINCE, "Tỉnh Hà Tĩnh", code="42")
    commune = make_area(AreaKind.COMMUNE, "Xã Thạch Hà", province, code="18562")
    village = make_area(AreaKind.VILLAGE, "Thôn 1", commune)
    leader = make_user("leader", Role.LEADER, commune)
    volunteers = [make_user(f"volunteer{n}", Role.VOLUNTEER, commune) for n in range(3)]
    make_services()
    households = [make_household(village, f"Nguyễn Văn {n}") for n in range(12)]
    team = make_team(commune, [village], leaders=[leader], members=volunteers)
    for n in range(80):  # what the two bulk approvals take, however few forms the stream gets through
        make_log(volunteers[n % 3], team, households[n % 12])
    summaries.rebuild()  # the factories add households around the summaries
    db.session.commit()


def test_kill_9_loses_no_acknowledged_submission_and_leaves_no_bulk_approval_half_done(app, db, team):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    target = f"app:create_app('test', SQLALCHEMY_DATABASE_URI={url!r}, WTF_CSRF_ENABLED=True)"
    db.session.remove()

    outcome = crash_safety.run(app, target, dict(os.environ), rounds=1, seconds=1.5, threads=4,
                               bulk_rounds_=2, bulk_size=40, seed=15)

    crash_safety.report(outcome, "test")  # shown when the test fails
    assert outcome.violations == []
    counts = outcome.counts
    assert counts["kills"] == 1 and counts["processes_killed"] >= 3  # the master and its 2 workers
    assert counts["submissions_stored_once"] == counts["submissions_sent"] == counts["logs_added"] > 0
    assert counts["retried"] == counts["unacknowledged"]
    assert counts["bulk_kills"] == 2 and counts["bulk_logs_checked"] == 80
    assert counts["bulk_killed_after_first_write"] >= 1  # the first one dies inside its transaction
    assert counts["bulk_killed_none_approved"] + counts["bulk_killed_all_approved"] == 2
