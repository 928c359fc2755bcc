"""A trainee's history, searchable: found by name without accents among those tested in the
trainer's area, then their sessions with pre- and post-test, gain and pass."""

import re
from datetime import datetime

from app.training import reports
from app.training.models import QuizState, Stage
from tests.conftest import count_queries, make_user, sign_in
from tests.training.conftest import enlist, make_session
from tests.training.test_overview import pass_post

HX = {"HX-Request": "true"}


def two_sessions(db, world, bank):
    """Commune A's session: Nguyễn Văn Đức takes the pre-test (1 of 3 right) and passes the
    post-test; a later session in commune B: he fails it. The volunteer passes A's post-test only."""
    session, quiz = bank["session"], bank["quiz"]
    q1, q2, q3 = quiz.questions
    duc = make_user("duc", "volunteer", world["commune_a"], full_name="Nguyễn Văn Đức")
    session.pre_state = session.post_state = QuizState.OPEN
    db.session.commit()
    enlist(session, duc, world["volunteer"])
    from app.training import taking

    taking.answer(duc, session, Stage.PRE, q1.id, q1.right_choice.id)
    taking.submit(duc, session, Stage.PRE)
    pass_post(session, duc, quiz.questions)
    pass_post(session, world["volunteer"], quiz.questions)
    later = make_session(world["staff"], world["commune_b"], quiz, title="Lớp Can Lộc",
                         when=datetime(2026, 11, 27, 8, 0))
    later.post_state = QuizState.OPEN
    db.session.commit()
    enlist(later, duc)
    pass_post(later, duc, quiz.questions, wrong=(q1.id, q2.id))
    return duc, session, later


def test_found_without_accents_with_their_sessions(db, world, bank):
    duc, session, later = two_sessions(db, world, bank)
    found = reports.find_trainees(world["staff"], "nguyen van duc")
    assert [(f.user, f.sessions) for f in found] == [(duc, 2)]
    assert found[0].last.date() == later.starts_at.date()
    assert [f.user for f in reports.find_trainees(world["staff"], "ĐỨC")] == [duc]
    assert reports.find_trainees(world["staff"], "d") == [] and reports.find_trainees(world["staff"], "  ") == []
    assert reports.find_trainees(world["staff"], "100%_") == []  # LIKE's wildcards are text
    # Staff of commune B see Đức through B's session only.
    assert [(f.user, f.sessions) for f in reports.find_trainees(world["staff_b"], "duc")] == [(duc, 1)]
    assert reports.find_trainees(world["staff_b"], "volunteer") == []
    # Someone never tested is not a trainee.
    make_user("duc2", "volunteer", world["commune_a"], full_name="Trần Văn Đức")
    assert [f.user for f in reports.find_trainees(world["staff"], "van duc")] == [duc]


def test_history_has_one_row_per_session_with_pre_post_and_pass(db, world, bank):
    duc, session, later = two_sessions(db, world, bank)
    person, history = reports.trainee_history(world["staff"], duc.id)
    assert person == duc
    assert [(r.session, r.pre.percent if r.pre else None, r.post.percent, r.post.passed) for r in history] == [
        (session, 100 / 3, 100.0, True), (later, None, 100 / 3, False)]
    _, only_b = reports.trainee_history(world["staff_b"], duc.id)
    assert [r.session for r in only_b] == [later]
    assert reports.trainee_history(world["staff_b"], world["volunteer"].id) == (None, [])


def test_the_search_page_and_its_fragment(client, db, world, bank):
    duc, session, later = two_sessions(db, world, bank)
    sign_in(client, world["staff"])
    page = client.get("/training/people").get_data(as_text=True)
    assert 'id="trainee-q"' in page and 'aria-current="true">Học viên' in page
    response = client.get("/training/people?q=nguyen+van+duc", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and html.strip().startswith("<section")
    assert f'href="/training/people/{duc.id}"' in html and "2 lớp" in html
    html = client.get("/training/people?q=khong+ai").get_data(as_text=True)
    assert "<html" in html and "Không tìm thấy" in html


def test_the_history_page(client, db, world, bank):
    duc, session, later = two_sessions(db, world, bank)
    sign_in(client, world["staff"])
    html = client.get(f"/training/people/{duc.id}").get_data(as_text=True)
    row = re.search(rf'<tr id="history-{session.id}">.*?</tr>', html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>.*?</td>", row, re.S)]
    assert cells == ["33,3%", "100%Đạt", "+66,7%"]
    row = re.search(rf'<tr id="history-{later.id}">.*?</tr>', html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>.*?</td>", row, re.S)]
    assert cells == ["—", "33,3%Chưa đạt", "—"]
    assert f'href="/training/sessions/{session.id}/results"' in html


def test_out_of_scope_or_never_tested_is_a_404_and_volunteers_are_refused(client, db, world, bank):
    duc, session, later = two_sessions(db, world, bank)
    sign_in(client, world["staff_b"])
    assert client.get(f"/training/people/{world['volunteer'].id}").status_code == 404
    assert client.get(f"/training/people/{2**31}").status_code == 404
    assert client.get("/training/people?q=%00duc").status_code == 400
    sign_in(client, world["volunteer"])
    assert client.get("/training/people?q=duc").status_code == 403


def test_the_search_runs_a_fixed_number_of_statements(client, db, world, bank):
    two_sessions(db, world, bank)
    sign_in(client, world["staff"])
    with count_queries() as few:
        client.get("/training/people?q=duc", headers=HX)
    more_people = [make_user(f"duc{n + 10}", "volunteer", world["commune_a"], full_name=f"Lê Văn Đức {n}")
                   for n in range(5)]
    enlist(bank["session"], *more_people)
    for person in more_people:
        pass_post(bank["session"], person, bank["quiz"].questions)
    with count_queries() as more:
        html = client.get("/training/people?q=duc", headers=HX).get_data(as_text=True)
    assert html.count('<li><a href="/training/people/') == 6 and more() == few()
