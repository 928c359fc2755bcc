"""The province overview: by commune and month, and who has nobody trained yet."""

import pytest

from app.training import overview, readiness, taking
from app.training.models import QuizState, Stage
from tests.training.conftest import enlist, make_session


def pass_post(session, user, questions, wrong=()):
    for q in questions:
        choice = q.choices[1] if q.id in wrong else q.right_choice
        taking.answer(user, session, Stage.POST, q.id, choice.id)
    return taking.submit(user, session, Stage.POST)[0]


def test_overview_by_commune_and_month_and_the_untrained(db, world, bank):
    session, quiz = bank["session"], bank["quiz"]
    session.pre_state = session.post_state = QuizState.OPEN
    db.session.commit()
    enlist(session, world["volunteer"], world["leader"])
    q1, q2, q3 = quiz.questions
    taking.submit(world["volunteer"], session, Stage.PRE)  # nothing answered: 0%
    pass_post(session, world["volunteer"], quiz.questions)  # 100%: passed, trained
    pass_post(session, world["leader"], quiz.questions, wrong=(q3.id, q2.id))  # 33%
    other = make_session(world["staff"], world["commune_b"], quiz, title="Lớp Can Lộc")
    assert other.commune_id == world["commune_b"].id
    rows, communes, teams = overview.overview(world["staff"])
    row = next(r for r in rows if r.commune.id == world["commune_a"].id)
    assert (row.month, row.sessions, row.trainees) == ("2026-11", 1, 2)
    assert row.pass_rate == pytest.approx(50.0) and row.gain == pytest.approx(100.0)
    # ATTT (q3): 1 right of 2; VNeID (q1, q2): 3 right of 4.
    assert [(s.code, share) for s, share in row.weakest] == [("ATTT", 0.5), ("VNEID", 0.75)]
    assert world["commune_a"] not in communes and world["commune_b"] in communes
    assert teams == [world["team_b"]]
    _, communes_b, teams_b = overview.overview(world["staff_b"])
    assert communes_b == [world["commune_b"]] and teams_b == [world["team_b"]]


def test_untrained_members_and_services_of_a_task(db, world, bank):
    session, quiz = bank["session"], bank["quiz"]
    session.post_state = QuizState.OPEN
    db.session.commit()
    enlist(session, world["volunteer"])
    pass_post(session, world["volunteer"], quiz.questions)
    by_user = {u.username: {s.code for s in missing} for u, missing in readiness.untrained_members(world["team_a"])}
    assert "VNEID" not in by_user["volunteer"] and "VNEID" in by_user["leader"]
    vneid, kns = bank["services"]["VNEID"], bank["services"]["KNS"]
    assert [s.code for s in readiness.untrained_for(world["volunteer"].id, [vneid.id, kns.id])] == ["KNS"]


def test_the_overview_page_runs_as_many_statements_for_more_sessions(client, world, bank):
    from tests.conftest import count_queries, html_of, sign_in

    sign_in(client, world["staff"])
    with count_queries() as n:
        html_of(client, "/training/overview")
    one = n()
    for day in (2, 3):
        make_session(world["staff"], world["commune_b"], bank["quiz"], title=f"Lớp {day}",
                     when=bank["when"].replace(tzinfo=None, month=10, day=day))
    with count_queries() as n:
        html_of(client, "/training/overview")
    assert n() == one
