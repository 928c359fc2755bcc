"""The leader's team statistics: each member's week and month, the villages' reach, who may see it."""

from datetime import date

import pytest

from app.accounts.models import Role
from app.areas.models import AreaKind
from app.coverage import summaries
from app.coverage.teams import team_stats
from app.helplogs.models import LogStatus
from app.teams.models import MemberRole, Membership
from tests.conftest import count_queries, make_area, make_household, make_log, make_team, make_user, sign_in

WEDNESDAY = date(2026, 11, 18)  # the week runs Monday 16 to Sunday 22 November


def log(db, author, team, household, services=None, *, helped_on=WEDNESDAY, **fields):
    entry = make_log(author, team, household, **fields)
    entry.helped_on = helped_on
    if services:
        entry.services = services
    db.session.commit()
    return entry


def figures(stats, user):
    member = next(m for m in stats["members"] if m.membership.user_id == user.id)
    return member.week, member.month, member.approved_share, member.returned, member.pending


def test_each_member_this_week_and_month(db, world, services):
    volunteer, team = world["volunteer"], world["team_a"]
    world["log_a"].helped_on = date(2026, 10, 20)  # last month, still waiting for review
    db.session.commit()
    h1, h2 = make_household(world["village_a1"], "Hộ Một"), make_household(world["village_a1"], "Hộ Hai")
    log(db, volunteer, team, h1, helped_on=WEDNESDAY, status=LogStatus.APPROVED)
    log(db, volunteer, team, h2, helped_on=date(2026, 11, 16))
    log(db, volunteer, team, h1, helped_on=date(2026, 11, 3), status=LogStatus.RETURNED)
    log(db, volunteer, team, h1, helped_on=date(2026, 10, 28), status=LogStatus.APPROVED)
    log(db, volunteer, world["team_b"], world["household_b"], helped_on=WEDNESDAY)  # another team's
    former = make_user("former", full_name="Phan Văn Cũ")
    log(db, former, team, h2, helped_on=WEDNESDAY)  # left the team; the log still waits

    stats = team_stats(world["leader"], team, today=WEDNESDAY)

    assert figures(stats, volunteer) == (2, 3, pytest.approx(1 / 3), 1, 2)
    assert figures(stats, world["leader"]) == (0, 0, None, 0, 0)
    assert former.id not in {m.membership.user_id for m in stats["members"]}
    assert stats["pending"] == 3


def test_the_week_may_start_in_the_previous_month(db, world, services):
    volunteer, team = world["volunteer"], world["team_a"]
    world["log_a"].helped_on = date(2026, 11, 30)  # Monday; today is Wednesday 2 December
    db.session.commit()
    log(db, volunteer, team, world["household_a"], helped_on=date(2026, 12, 1), status=LogStatus.APPROVED)
    log(db, volunteer, team, world["household_a"], helped_on=date(2026, 12, 7))  # next week

    assert figures(team_stats(world["leader"], team, today=date(2026, 12, 2)), volunteer)[:3] == (2, 2, 0.5)


def test_members_in_vietnamese_name_order(db, world, services):
    team = world["team_a"]
    for username, name in (("an", "Nguyễn Văn An"), ("binh", "Trần Thị Bình"), ("yen", "Lê Thị Yến")):
        team.memberships.append(Membership(user=make_user(username, full_name=name), role=MemberRole.MEMBER))
    db.session.commit()
    names = [m.membership.user.full_name for m in team_stats(world["leader"], team, today=WEDNESDAY)["members"]]
    assert names == ["Nguyễn Văn An", "Trần Thị Bình", "Leader", "Volunteer", "Lê Thị Yến"]


def test_village_reach_counts_distinct_households_of_approved_logs_of_any_team(db, world, services):
    """The figures the coverage page shows for the village this year (the summaries)."""
    team, village = world["team_a"], world["village_a1"]
    team.villages.append(world["village_a2"])
    db.session.commit()
    h1, h2, h3 = (make_household(village, name) for name in ("Hộ Một", "Hộ Hai", "Hộ Ba"))
    vneid, dvc, qr = services["VNEID"], services["DVC"], services["QR"]
    approved = {"helped_on": WEDNESDAY, "status": LogStatus.APPROVED}
    log(db, world["volunteer"], team, h1, [vneid, dvc], **approved)
    log(db, world["volunteer"], team, h1, [vneid], **approved)  # the same household again
    log(db, world["outsider"], world["team_b"], h2, [vneid], **approved)  # another team, same village
    log(db, world["volunteer"], team, h3, [qr], helped_on=WEDNESDAY, status=LogStatus.RETURNED)
    log(db, world["volunteer"], team, None, [qr], village_id=village.id, people_count=12, **approved)  # a group session
    log(db, world["volunteer"], team, h2, [dvc], helped_on=date(2025, 12, 30), status=LogStatus.APPROVED)  # last year
    summaries.rebuild()
    db.session.commit()

    reach = {r.village.id: r for r in team_stats(world["leader"], team, today=WEDNESDAY)["villages"]}

    a1, a2 = reach[village.id], reach[world["village_a2"].id]
    assert (a1.reached, a1.total) == (2, 4)  # of the four registered households
    assert a1.by_service == {vneid.id: 2, dvc.id: 2}
    assert (a1.visits, a1.people) == (4, 15)  # this year's approved visits; a group session counts its people
    assert a1.share == 0.5
    assert (a2.reached, a2.total, a2.share, a2.by_service) == (None, None, None, {})

    village.declared_households = 120
    db.session.commit()
    reach = {r.village.id: r for r in team_stats(world["leader"], team, today=WEDNESDAY)["villages"]}
    assert reach[village.id].total == 120


# The page ----------------------------------------------------------------------------------

def test_leader_sees_the_page_in_vietnamese_and_english(client, world, db, services):
    world["team_a"].villages.append(world["village_a2"])
    db.session.commit()
    sign_in(client, world["leader"])
    show = client.get(f"/teams/{world['team_a'].id}").get_data(as_text=True)
    assert f'href="/teams/{world["team_a"].id}/stats"' in show

    response = client.get(f"/teams/{world['team_a'].id}/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Thành viên" in html and "Chờ duyệt" in html and "hộ được hỗ trợ" in html
    assert "1 lượt đang chờ duyệt" in html
    assert f'href="/review?author={world["volunteer"].id}"' in html
    assert "<strong>—</strong> / —" in html  # a village without data: a dash, not 0

    english = client.get(f"/teams/{world['team_a'].id}/stats?lang=en").get_data(as_text=True)
    for text in ("Team statistics", "This week", "This month", "Waiting", "households reached",
                 "1 log waiting for review"):
        assert text in english


def test_the_link_is_for_those_who_manage_the_team(client, world):
    sign_in(client, world["volunteer"])
    assert "/stats" not in client.get(f"/teams/{world['team_a'].id}").get_data(as_text=True)


@pytest.mark.parametrize("username,status", [("leader", 200), ("admin", 200), ("volunteer", 403),
                                             ("staff", 403), ("other_leader", 404)])
def test_who_may_see_the_page(client, world, db, username, status):
    commune_b = world["commune_b"]
    world["other_leader"] = make_user("other_leader", Role.LEADER, commune_b)
    make_team(commune_b, [make_area(AreaKind.VILLAGE, "Thôn Hạ", commune_b)], leaders=[world["other_leader"]],
              name="Tổ Can Lộc 2")
    sign_in(client, world[username])
    assert client.get(f"/teams/{world['team_a'].id}/stats").status_code == status


def test_the_page_runs_a_fixed_number_of_statements(client, world, db, services):
    team = world["team_a"]
    sign_in(client, world["leader"])
    with count_queries() as few:
        assert client.get(f"/teams/{team.id}/stats").status_code == 200

    for n in range(4):
        village = make_area(AreaKind.VILLAGE, f"Thôn {n + 2}", world["commune_a"], declared_households=50)
        team.villages.append(village)
        member = make_user(f"tnv{n}", full_name=f"Tình Nguyện {n}")
        team.memberships.append(Membership(user=member, role=MemberRole.MEMBER))
        db.session.commit()
        for status in LogStatus:
            household = make_household(village, f"Hộ {n} {status}")
            log(db, member, team, household, [services["VNEID"], services["DVC"]], status=status)
    with count_queries() as many:
        html = client.get(f"/teams/{team.id}/stats").get_data(as_text=True)
    assert "Tình Nguyện 3" in html
    assert many() == few()
