"""bench/training.py's measuring code and the seed-bench training step, on a tiny copy: every
figure comes out, both pages answer, and the statement counts of both pages do not grow with the
data (results: 4 or 40 trainees; overview: 2 or 6 sessions)."""

import random
import re

from sqlalchemy import func, select

from app.demo.bench_training import QUIZ_TITLE, _sizes, seed_bench_training
from app.training.models import Answer, Attempt, Attendee, Qualification, Quiz, Stage, TrainingSession
from bench import training as training_bench
from tests.conftest import count_queries, make_team, make_user, sign_in

LINE = re.compile(r"^BENCH (\S+) (-?\d+(?:\.\d+)?) (\S+)$")


def figures_of(out: str) -> dict[str, tuple[float, str]]:
    found = {}
    for line in out.splitlines():
        if line.startswith("BENCH"):
            name, value, unit = LINE.match(line).groups()
            found[name] = (float(value), unit)
    return found


def test_sizes_put_the_biggest_first_and_add_up():
    assert _sizes(1_000, 40, 200) == [200] + [21] * 20 + [20] * 19
    assert sum(_sizes(37, 4, 12)) == 37 and _sizes(5, 1, 5) == [5]
    assert _sizes(10, 2, 10) == [9, 1] and _sizes(3, 5, 200) == [1, 1, 1]  # nobody's session is empty


def test_the_step_adds_sessions_trainees_and_is_done_once(db, world):
    from tests.conftest import make_services

    make_services()
    counts = seed_bench_training(random.Random(3), trainees=30, sessions=3, biggest=12)
    db.session.commit()
    assert counts["training sessions"] == 3 and counts["trainees"] == 30
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 3
    posts = db.session.scalar(select(func.count()).where(Attempt.stage == Stage.POST))
    assert posts == db.session.scalar(select(func.count()).select_from(Attendee)) == 30
    assert db.session.scalar(select(func.count()).select_from(Answer)) == counts["training answers"] >= 30 * 20
    passed = db.session.scalar(select(func.count()).where(Attempt.stage == Stage.POST, Attempt.passed))
    assert 0 < passed < 30  # a spread, not everyone
    assert db.session.scalar(select(func.count(Qualification.user_id.distinct()))) == passed
    # Each attempt's score is its right answers.
    wrong = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.right_count != select(func.count()).where(Answer.attempt_id == Attempt.id, Answer.is_right)
        .scalar_subquery()))
    assert wrong == 0
    assert seed_bench_training(random.Random(3), trainees=30, sessions=3) == {}
    assert db.session.scalar(select(func.count()).where(Quiz.title == QUIZ_TITLE)) == 1


def test_every_figure_comes_out(app, db, world, capsys):
    from tests.conftest import make_services

    make_services()
    with app.app_context():
        assert "added" in training_bench.ensure_training(trainees=24, sessions=3, biggest=12)
        assert training_bench.ensure_training() == "training data found"
    capsys.readouterr()
    training_bench.run(app, "tiny", requests=2, warm_up=0)
    figures = figures_of(capsys.readouterr().out)
    for page in ("results", "overview"):
        assert figures[f"training_{page}_p50_tiny"][1] == figures[f"training_{page}_p95_tiny"][1] == "ms"
        assert figures[f"training_{page}_cpu_p50_tiny"][1] == "ms"
        assert 0 < figures[f"training_{page}_statements_tiny"][0] <= 20


def statements(client, path) -> int:
    with count_queries() as n:
        assert client.get(path).status_code == 200
    return n()


def test_both_pages_run_a_fixed_number_of_statements(app, client, db, world):
    from tests.conftest import make_services

    make_services()
    seed_bench_training(random.Random(5), trainees=8, sessions=2, biggest=4)
    db.session.commit()
    sign_in(client, world["staff"])
    small = db.session.scalar(select(TrainingSession.id).order_by(TrainingSession.id).limit(1))
    results_small = statements(client, f"/training/sessions/{small}/results")
    overview_small = statements(client, "/training/overview")
    db.session.execute(Quiz.__table__.update().values(title="lô trước"))  # a second batch beside the first
    seed_bench_training(random.Random(6), trainees=80, sessions=6, biggest=40)
    db.session.commit()
    make_team(world["commune_b"], [world["village_b1"]], members=[make_user("chua", "volunteer", world["commune_b"])],
              name="Tổ chưa bồi dưỡng")  # so that the overview still lists a team with nobody trained
    big = db.session.scalar(select(TrainingSession.id).order_by(TrainingSession.id.desc()).limit(1)) - 5
    assert db.session.scalar(select(func.count()).where(Attempt.session_id == big, Attempt.stage == Stage.POST)) == 40
    assert statements(client, f"/training/sessions/{big}/results") == results_small
    assert statements(client, "/training/overview") == overview_small
    assert results_small <= 16 and overview_small <= 16
