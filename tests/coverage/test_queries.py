"""The coverage read models against a small world counted by hand (tests/coverage/small_world.py):
who sees which area, the period rules (reached by the end, visits within), "—" for no data,
targets, the former district filter, gaps and trend."""

from datetime import date, timedelta

import pytest

from app.coverage import queries
from app.coverage.models import ANY, FIVE, Target
from app.coverage.periods import Period
from app.extensions import db
from tests.coverage.small_world import FEB, MARCH, TODAY, build


@pytest.fixture()
def w(world):
    return build(world)


def period(span):
    return Period("custom", *span)


def view(w, username, area_key=None):
    user = w[username]
    area = queries.root_area(user) if area_key is None else w[area_key]
    return queries.view_of(user, area)


def by_name(rows):
    return {row.area.name: row for row in rows}


def figures(row):
    return (row.households, row.reached, row.newly, row.five, row.visits, row.people, row.volunteers, row.last_day)


# Who sees what ----------------------------------------------------------------------------

@pytest.mark.parametrize("username,root", [
    ("staff", "province"), ("admin", "province"), ("staff_b", "commune_b"), ("leader", "commune_a"),
    ("admin_a", "commune_a"),
])
def test_where_each_user_starts(w, commune_admin, username, root):
    w["admin_a"] = commune_admin
    assert queries.root_area(w[username]).id == w[root].id


def test_a_volunteer_and_a_staff_member_without_area_have_no_coverage(w, db):
    assert queries.root_area(w["volunteer"]) is None
    w["staff"].home_area = None
    db.session.commit()
    assert queries.root_area(w["staff"]) is None
    assert queries.view_for(w["staff"], None) is None


@pytest.mark.parametrize("username,area_key,visible", [
    ("staff", "province", True), ("staff", "village_b1", True),
    ("staff_b", "commune_b", True), ("staff_b", "commune_a", False), ("staff_b", "province", False),
    ("leader", "commune_a", True), ("leader", "village_a1", True), ("leader", "province", True),
    ("leader", "village_a2", False), ("leader", "commune_b", False), ("leader", "village_b1", False),
    ("admin_a", "village_a2", True), ("admin_a", "province", False), ("admin_a", "commune_b", False),
])
def test_views_in_and_out_of_scope(w, commune_admin, username, area_key, visible):
    w["admin_a"] = commune_admin
    assert (queries.view_for(w[username], w[area_key].id) is not None) is visible


def test_an_unknown_area_has_no_view(w):
    assert queries.view_for(w["admin"], 999_999) is None


# The table: the period rules ------------------------------------------------------------------

def test_staff_province_in_february(w):
    rows, total = queries.table(view(w, "staff"), period(FEB))
    rows = by_name(rows)
    # Commune A: N = 10 declared (a1) + 2 in the list (a2); h1 reached in January counts by the
    # end of February; newly reached, visits, people and volunteers count February only.
    assert figures(rows["Xã Thạch Hà"]) == (12, 3, 2, 0, 3, 5, 3, date(2025, 2, 20))
    # Commune B: a group session reaches no household, but it is data: 0 reached, not "—".
    b = rows["Xã Can Lộc"]
    assert figures(b) == (20, 0, 0, 0, 1, 15, 1, date(2025, 2, 12))
    assert b.has_data and b.share == 0
    # The whole province: volunteers are distinct people, never a sum of the rows.
    assert figures(total) == (32, 3, 2, 0, 4, 20, 4, date(2025, 2, 20))


def test_staff_commune_rows_are_its_villages(w):
    rows, total = queries.table(view(w, "staff", "commune_a"), period(FEB))
    rows = {row.area.id: row for row in rows}  # two villages are called "Thôn 1"
    a1, a2 = rows[w["village_a1"].id], rows[w["village_a2"].id]
    assert figures(a1) == (10, 2, 1, 0, 2, 4, 2, date(2025, 2, 20))  # the last day is February's, not 03/03
    assert figures(a2) == (2, 1, 1, 0, 1, 1, 1, date(2025, 2, 5))
    a3 = rows[w["village_a3"].id]
    assert not a3.has_data and a3.share is None and a3.households == 0  # no N: no share either
    assert (total.households, total.reached, total.visits, total.volunteers) == (12, 3, 3, 3)


def test_march_counts_reach_by_its_end_and_visits_within_it(w):
    rows, total = queries.table(view(w, "staff", "commune_a"), period(MARCH))
    a1 = next(r for r in rows if r.area.id == w["village_a1"].id)
    assert figures(a1) == (10, 2, 0, 1, 1, 2, 1, date(2025, 3, 3))  # h1 covers all five skills from 03/03
    assert a1.five_share == pytest.approx(0.1)
    assert (total.reached, total.newly, total.visits) == (3, 0, 1)


def test_a_period_before_any_help_has_no_data(w):
    rows, total = queries.table(view(w, "staff"), Period("custom", date(2024, 1, 1), date(2024, 1, 31)))
    assert all(not row.has_data for row in rows) and not total.has_data
    assert all(row.last_day is None for row in rows)


def test_one_service_counts_the_visits_that_included_it(w):
    vneid = w["services"]["VNEID"].id
    rows, total = queries.table(view(w, "staff"), period(FEB), vneid)
    a = by_name(rows)["Xã Thạch Hà"]
    # Reached for VNeID by the end of February: h1 (January) and h4; February's VNeID visit: L4.
    assert (a.reached, a.newly, a.visits, a.people, a.volunteers, a.last_day) == (2, 1, 1, 1, 1, date(2025, 2, 5))
    b = by_name(rows)["Xã Can Lộc"]
    assert not b.has_data  # no VNeID there at all


def test_all_five_skills_as_a_key(w):
    rows, _ = queries.table(view(w, "staff", "commune_a"), period(MARCH), FIVE)
    a1 = next(r for r in rows if r.area.id == w["village_a1"].id)
    assert (a1.reached, a1.newly) == (1, 1)


# Leaders and commune administrators ---------------------------------------------------------

def test_a_leader_sees_their_teams_villages_only(w):
    commune = view(w, "leader")
    assert [c.id for c in commune.children] == [w["village_a1"].id]
    rows, total = queries.table(commune, period(FEB))
    assert len(rows) == 1 and figures(total) == (10, 2, 1, 0, 2, 4, 2, date(2025, 2, 20))
    province = view(w, "leader", "province")
    rows, total = queries.table(province, period(FEB))
    assert [r.area.id for r in rows] == [w["commune_a"].id]
    # Commune A as the leader sees it: a1 only, not a2's h4 or vol2.
    assert figures(rows[0]) == (10, 2, 1, 0, 2, 4, 2, date(2025, 2, 20))


def test_a_leader_whose_commune_was_deactivated_sees_an_empty_province(w, db):
    w["commune_a"].is_active = False
    db.session.commit()
    province = view(w, "leader", "province")
    assert province.children == [] and province.members == {}
    rows, total = queries.table(province, period(FEB))  # no KeyError for the hidden commune
    assert not total.has_data


def test_an_admin_homed_in_a_commune_sees_it_as_staff_would(w, commune_admin):
    own = queries.table(queries.view_of(commune_admin, w["commune_a"]), period(FEB))
    staff = queries.table(view(w, "staff", "commune_a"), period(FEB))
    assert [figures(r) for r in own[0]] == [figures(r) for r in staff[0]]


# Targets and order ------------------------------------------------------------------------

def add_target(area, households, key=ANY, year=2025):
    db.session.add(Target(area_id=area.id, year=year, key=key, households=households))
    db.session.commit()


def test_targets_progress_and_the_default_order(w):
    add_target(w["commune_a"], 6)
    add_target(w["village_b1"], 10)
    rows, total = queries.table(view(w, "staff"), period(FEB))
    a, b = by_name(rows)["Xã Thạch Hà"], by_name(rows)["Xã Can Lộc"]
    assert (a.target, a.progress, a.behind) == (6, 0.5, False)
    assert (b.target, b.progress, b.behind) == (10, 0, True)  # commune B's target: its village's
    assert total.target == 16
    assert [r.area.name for r in queries.ordered(rows, None, False)] == ["Xã Can Lộc", "Xã Thạch Hà"]
    assert [r.area.name for r in queries.ordered(rows, "visits", True)] == ["Xã Thạch Hà", "Xã Can Lộc"]


def test_the_provinces_own_target_is_its_total(w):
    add_target(w["commune_a"], 6)
    add_target(w["province"], 100)
    province = view(w, "staff")
    assert queries.table(province, period(FEB))[1].target == 100
    assert queries.year_target(province, 2025) == 100
    # Narrowed to a former district, the province's own target no longer stands for the rows.
    narrowed = queries.in_district(province, "Huyện Thạch Hà")
    assert queries.table(narrowed, period(FEB))[1].target == 6
    assert queries.year_target(narrowed, 2025) == 6


def test_a_leaders_target_is_their_villages(w):
    add_target(w["commune_a"], 50)
    add_target(w["village_a1"], 8)
    _, total = queries.table(view(w, "leader"), period(FEB))
    assert total.target == 8
    assert queries.year_target(view(w, "leader"), 2025) == 8


# Former districts -----------------------------------------------------------------------------

def test_former_districts_split_merged_labels(w):
    province = view(w, "staff")
    assert queries.former_districts(province) == ["Huyện Can Lộc", "Huyện Thạch Hà", "Thị xã Hà Tĩnh"]
    assert queries.former_districts(view(w, "staff", "commune_a")) == []
    narrowed = queries.in_district(province, "Thị xã Hà Tĩnh")
    rows, total = queries.table(narrowed, period(FEB))
    assert [r.area.id for r in rows] == [w["commune_a"].id]
    assert (total.households, total.reached, total.visits, total.volunteers) == (12, 3, 3, 3)


# The matrix, gaps and trend ---------------------------------------------------------------------

def test_matrix_counts_households_per_kind_of_help_by_the_end(w):
    s = w["services"]
    found = queries.matrix(view(w, "staff", "commune_a"), period(FEB))
    cells = {area.id: (n, reached) for area, n, reached in found.rows}
    n, reached = cells[w["village_a1"].id]
    assert n == 10 and reached == {s["VNEID"].id: 1, s["DVC"].id: 1, s["TTKDTM"].id: 1}
    assert cells[w["village_a3"].id] == (0, {})


def test_gaps_at_each_level(w, db):
    province = queries.gaps(view(w, "staff"), TODAY)
    # A province counts per commune, most never-visited first: a3 never, a2 and b1 not lately.
    assert [(g.area.id, g.never, g.stale) for g in province.groups] == [(w["commune_a"].id, 1, 1),
                                                                        (w["commune_b"].id, 0, 1)]
    assert (province.never_count, province.stale_count) == (1, 2)
    commune = queries.gaps(view(w, "staff", "commune_a"), TODAY)
    assert [v.name for v in commune.never] == ["Thôn 3"]
    assert [v.id for v, _ in commune.stale] == [w["village_a2"].id]
    assert (commune.never_count, commune.stale_count) == (1, 1)
    # 31 days after a2's last visit it is stale, 30 days after not yet (the edge of STALE_DAYS).
    a2_last = commune.stale[0][1]
    edge = queries.gaps(view(w, "staff", "commune_a"), a2_last + timedelta(days=queries.STALE_DAYS))
    assert w["village_a2"].id not in [v.id for v, _ in edge.stale]
    groups = queries.gaps(view(w, "staff"), a2_last + timedelta(days=queries.STALE_DAYS)).groups
    assert w["commune_a"].id not in [g.area.id for g in groups if g.stale]
    leader = queries.gaps(view(w, "leader"), TODAY)
    assert leader.never == [] and leader.stale == []  # a1 was visited on 03/03
    village = queries.gaps(view(w, "staff", "village_a1"), TODAY)
    s = w["services"]
    assert village.households == 10
    assert village.unreached[s["VNEID"].id] == 9 and village.listed[s["VNEID"].id] == 2
    assert village.unreached[s["CKS"].id] == 10 and village.listed[s["CKS"].id] == 3
    s["CKS"].is_active = False
    db.session.commit()
    assert s["CKS"].id not in queries.gaps(view(w, "staff", "village_a1"), TODAY).unreached


def test_task_teams_are_those_the_user_may_set_tasks_for(w, commune_admin):
    a1, a2 = w["village_a1"].id, w["village_a2"].id
    assert queries.task_teams(w["leader"], [a1, a2]) == {a1: w["team_a"].id}
    assert queries.task_teams(w["volunteer"], [a1]) == {}
    assert queries.task_teams(w["staff"], [a1]) == {}
    assert queries.task_teams(commune_admin, [a1, a2, w["village_b1"].id]) == {a1: w["team_a"].id,
                                                                               a2: w["team_a2"].id}


def test_trend_over_26_weeks(w):
    weeks = queries.trend(view(w, "staff"), TODAY)
    assert len(weeks) == 26 and weeks[-1].start == date(2025, 3, 17) and weeks[0].start == date(2024, 9, 23)
    assert sum(week.visits for week in weeks) == 6
    assert sum(week.newly for week in weeks) == 3 and weeks[-1].reached == 3
    by_start = {week.start: week for week in weeks}
    assert (by_start[date(2025, 2, 3)].visits, by_start[date(2025, 2, 3)].newly) == (1, 1)  # L4 on 05/02
    assert by_start[date(2025, 2, 10)].visits == 2  # L2 and the group session L5
    # Households reached before the 26 weeks count in the running total from the start.
    late = queries.trend(view(w, "staff"), date(2025, 12, 31))
    assert late[0].reached == 3 and sum(week.newly for week in late) == 0
    # Read for an earlier day, the weeks after it count neither in the weeks nor before them.
    early = queries.trend(view(w, "staff"), date(2025, 2, 6))
    assert early[-1].start == date(2025, 2, 3) and early[-1].reached == 2 and early[0].reached == 0


def test_breadcrumb_starts_where_the_user_starts(w):
    assert [a.id for a in queries.breadcrumb(view(w, "staff", "village_a1"))] == [
        w["province"].id, w["commune_a"].id, w["village_a1"].id]
    assert [a.id for a in queries.breadcrumb(view(w, "leader", "village_a1"))] == [
        w["commune_a"].id, w["village_a1"].id]


def test_active_volunteers_of_any_period_are_those_with_a_visit_in_it(w, db):
    """The month buckets' first and last days give every period exactly: cut at its start, at
    its end, at both in two months or inside one month, against the logs themselves."""
    from sqlalchemy import select

    from app.areas.models import Area
    from app.coverage import summaries
    from app.helplogs.models import HelpLog, LogStatus, help_log_services
    from tests.coverage.small_world import log

    s = w["services"]
    # Several visits of one volunteer in a month, so that its first and last days differ.
    for day in (date(2025, 2, 3), date(2025, 2, 26), date(2025, 3, 12)):
        log(w["volunteer"], w["team_a"], w["village_a1"], w["h2"], [s["DVC"]], day, 1)
    summaries.rebuild()
    db.session.commit()
    areas = [w[name].id for name in ("commune_a", "commune_b", "village_a1", "village_a2", "village_b1")]
    logs = db.session.execute(
        select(HelpLog.village_id, Area.parent_id, HelpLog.author_id, HelpLog.helped_on, help_log_services.c.service_id)
        .join(Area, Area.id == HelpLog.village_id).join(help_log_services, help_log_services.c.log_id == HelpLog.id)
        .where(HelpLog.status == LogStatus.APPROVED)).all()
    month_edges = [date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 31)]
    days = sorted({date(2025, 1, 1) + timedelta(days=n) for n in range(0, 90, 4)} | set(month_edges))
    checked = set()
    for key in (ANY, s["VNEID"].id, s["DVC"].id):
        for start in days:
            for end in (d for d in days if d >= start):
                expected = {(area, author) for village, commune, author, day, service in logs
                            for area in (village, commune)
                            if area in areas and start <= day <= end and key in (ANY, service)}
                found = set(db.session.execute(queries.active_authors(areas, key, period((start, end)))).all())
                assert found == expected, (key, start, end)
                checked.add(len(expected))
    assert len(checked) > 3  # periods with none, some and all of the volunteers


def test_any_period_counts_what_happened_in_it_against_the_logs(w, db):
    """Visits, people, newly reached and reached by the end, for periods cut mid-month at either
    end or both, against the logs and households themselves (a period starting mid-month once
    left out the days before its first whole month)."""
    from sqlalchemy import func, select

    from app.areas.models import Area
    from app.core.db import local_today
    from app.helplogs.models import HelpLog, LogStatus

    commune_a = w["commune_a"].id
    approved = (select(HelpLog).join(Area, Area.id == HelpLog.village_id)
                .where(HelpLog.status == LogStatus.APPROVED, Area.parent_id == commune_a).subquery())
    firsts = (select(approved.c.household_id, func.min(approved.c.helped_on).label("first"))
              .where(approved.c.household_id.is_not(None)).group_by(approved.c.household_id).subquery())
    days = sorted({date(2025, 1, 1) + timedelta(days=n) for n in range(0, 90, 5)}
                  | {date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 28), date(2025, 3, 1)})
    province = view(w, "staff")
    for start in days:
        for end in (d for d in days if d >= start):
            rows, _ = queries.table(province, period((start, end)))
            a = next(r for r in rows if r.area.id == commune_a)
            visits, people = db.session.execute(
                select(func.count(), func.coalesce(func.sum(approved.c.people_count), 0))
                .where(approved.c.helped_on.between(start, end))).one()
            newly = db.session.scalar(select(func.count()).where(firsts.c.first.between(start, end)))
            reached = db.session.scalar(select(func.count()).where(firsts.c.first <= end))
            assert (a.visits, a.people, a.newly, a.reached) == (visits, people, newly, reached), (start, end)
    # A period ending today reads the all-time buckets: the same reach as the months.
    everyone = db.session.scalar(select(func.count()).select_from(firsts))
    for start in (date(2000, 1, 1), date(2025, 2, 10)):
        rows, _ = queries.table(province, Period("custom", start, local_today()))
        a = next(r for r in rows if r.area.id == commune_a)
        assert a.reached == everyone
        found = queries.matrix(province, Period("custom", start, local_today()))
        months = queries.matrix(province, Period("custom", start, date(2025, 12, 31)))
        assert found.rows == months.rows
