"""Training on the coverage dashboard: per commune at the province, the commune's own figures
and its teams, a mark where nobody is trained yet, for trainers only, in a fixed number of
statements."""

import re
from datetime import datetime

import pytest

from app.training import figures
from app.training.models import QuizState
from tests.conftest import count_queries, make_team, make_user, sign_in
from tests.training.conftest import enlist, make_session
from tests.training.test_overview import pass_post

NOV = "period=custom&start=2026-11-01&end=2026-11-30"


@pytest.fixture()
def trained(db, world, bank):
    """In commune A's session (20/11): the volunteer passes (trained), the leader does not."""
    session, quiz = bank["session"], bank["quiz"]
    session.post_state = QuizState.OPEN
    db.session.commit()
    enlist(session, world["volunteer"], world["leader"])
    q1, q2, q3 = quiz.questions
    pass_post(session, world["volunteer"], quiz.questions)
    pass_post(session, world["leader"], quiz.questions, wrong=(q2.id, q3.id))
    return bank


def section(html):
    found = re.search(r'<section class="coverage-training".*?</section>', html, re.S)
    return found.group(0) if found else None


def test_figures_per_commune_in_the_period(db, world, trained):
    a, b = world["commune_a"].id, world["commune_b"].id
    nov = figures.by_commune(world["staff"], [a, b], datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
    assert (nov[a].trained, nov[a].sessions, nov[a].trainees, nov[a].passed) == (1, 1, 2, 1)
    assert nov[a].pass_rate == 0.5
    assert (nov[b].trained, nov[b].sessions, nov[b].trainees, nov[b].pass_rate) == (0, 0, 0, None)
    # A session that started on the last evening of October (local time) is not November's.
    make_session(world["staff"], world["commune_a"], trained["quiz"], title="Lớp tối",
                 when=datetime(2026, 10, 31, 23, 30))
    dec = figures.by_commune(world["staff"], [a], datetime(2026, 12, 1).date(), datetime(2026, 12, 31).date())
    assert (dec[a].trained, dec[a].sessions, dec[a].trainees) == (1, 0, 0)
    oct_ = figures.by_commune(world["staff"], [a], datetime(2026, 10, 31).date(), datetime(2026, 10, 31).date())
    assert oct_[a].sessions == 1
    assert figures.by_commune(world["staff"], [a], datetime(2026, 11, 1).date(),
                              datetime(2026, 11, 1).date())[a].sessions == 0
    # Staff of commune B do not count commune A's sessions even when asked for them.
    assert figures.by_commune(world["staff_b"], [a], datetime(2026, 11, 1).date(),
                              datetime(2026, 11, 30).date())[a].sessions == 0


def test_someone_homed_and_in_a_team_counts_once_and_a_team_member_elsewhere_counts(db, world, trained):
    a, b = world["commune_a"].id, world["commune_b"].id
    # The volunteer (homed in A, in team A) also joins a team of B.
    make_team(world["commune_b"], [world["village_b1"]], members=[world["volunteer"]], name="Tổ B2")
    found = figures.by_commune(world["staff"], [a, b], datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
    assert (found[a].trained, found[b].trained) == (1, 1)


def test_the_province_page_shows_each_commune_and_marks_the_untrained(client, world, trained):
    sign_in(client, world["staff"])
    html = section(client.get(f"/coverage/{world['province'].id}?{NOV}").get_data(as_text=True))
    a = re.search(rf'<tr id="training-{world["commune_a"].id}".*?</tr>', html, re.S).group(0)
    b = re.search(rf'<tr id="training-{world["commune_b"].id}".*?</tr>', html, re.S).group(0)
    assert [re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td>.*?</td>", a, re.S)] == [
        "1", "1", "2", "50%"]
    assert "Chưa ai được bồi dưỡng" in b and 'class="untrained"' in b
    assert 'href="/training/overview"' in html


def test_the_commune_page_shows_its_figures_and_teams(client, world, trained):
    make_team(world["commune_a"], [world["village_a2"]], members=[make_user("vol9", "volunteer", world["commune_a"])],
              name="Tổ không ai")
    sign_in(client, world["staff"])
    html = section(client.get(f"/coverage/{world['commune_a'].id}?{NOV}").get_data(as_text=True))
    team_a = re.search(rf'<li id="training-team-{world["team_a"].id}".*?</li>', html, re.S).group(0)
    assert "1/2 thành viên đã được bồi dưỡng" in team_a and "Chưa ai" not in team_a
    other = re.search(r'<li id="training-team-\d+"><a[^>]*><span>Tổ không ai.*?</li>', html, re.S).group(0)
    assert "0/1 thành viên" in other and "Chưa ai được bồi dưỡng" in other


def test_leaders_see_no_training_section(client, world, trained):
    sign_in(client, world["leader"])
    html = client.get(f"/coverage/{world['commune_a'].id}?{NOV}").get_data(as_text=True)
    assert "Xã Thạch Hà" in html and section(html) is None and "/training/overview" not in html


def test_village_page_has_no_training_section(client, world, trained):
    sign_in(client, world["staff"])
    assert section(client.get(f"/coverage/{world['village_a1'].id}?{NOV}").get_data(as_text=True)) is None


@pytest.mark.parametrize("area_key,extra", [("province", 2), ("commune_a", 3)])
def test_training_adds_a_fixed_number_of_statements(client, world, trained, monkeypatch, area_key, extra):
    """Two statements at a province (sessions, trained people), three at a commune (and its
    teams), whatever the number of sessions, trainees and teams."""
    from app.coverage import page

    sign_in(client, world["staff"])
    path = f"/coverage/{world[area_key].id}?{NOV}"
    client.get(path)
    with count_queries() as small:
        client.get(path)
    more = make_session(world["staff"], world["commune_b"], trained["quiz"], title="Lớp Can Lộc",
                        when=datetime(2026, 11, 21, 8, 0))
    more.post_state = QuizState.OPEN
    enlist(more, world["outsider"])
    pass_post(more, world["outsider"], trained["quiz"].questions)
    make_team(world["commune_a"], [world["village_a2"]], members=[world["outsider"]], name="Tổ thêm")
    with count_queries() as large:
        html = client.get(path).get_data(as_text=True)
    assert large() == small()
    assert ("Tổ thêm" in html) == (area_key == "commune_a")  # a commune lists its teams, a province not
    monkeypatch.setattr(page, "training", lambda view, period: {"training": None})
    with count_queries() as without:
        client.get(path)
    assert large() - without() == extra
