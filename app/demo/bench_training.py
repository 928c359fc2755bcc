"""Training at province scale for benchmarks: a 20-question quiz, ~40 sessions and ~1,000
trainees at ``scale=1``, one session of 200 trainees (the results page's worst case), pre- and
post-tests answered question by question, qualifications, feedback.

Sessions go to about two thirds of the communes with teams (the rest of the province is still to
be trained), spread over the last six months. Trainees are the members of the commune's teams,
topped up with new volunteer accounts (as a trainer adds attendees without one). It runs as a
step of ``seed_bench`` and alone on a bench database built without it (``seed_bench_training``),
and does nothing when its quiz is already there.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from app.accounts.models import Role, User
from app.areas.models import Area, AreaKind
from app.catalog.models import Service
from app.core.db import LOCAL_TZ, local_today, utcnow
from app.core.text import search_key
from app.demo.bulk import bulk_write, chunks, insert_returning_ids, scaled
from app.demo.names import person_name
from app.extensions import db
from app.teams.models import Membership, Team
from app.training.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Answer,
    Attempt,
    Attendee,
    Choice,
    Feedback,
    Qualification,
    Question,
    Quiz,
    QuizQuestion,
    QuizState,
    Stage,
    TrainingSession,
)

QUIZ_TITLE = "Bench: kỹ năng số cho tổ công nghệ số (20 câu)"
TRAINEES = 1_000
SESSIONS = 40
BIGGEST = 200
QUESTIONS = 20
CHOICES = 4
PASS_MARK = 70


@dataclass(frozen=True)
class Item:
    """A bench question: its ids and how hard it is (chance right before / after the session);
    a ``flat`` one does not follow the trainee's strength (it will not discriminate)."""

    id: int
    service_id: int
    right: int
    wrong: tuple[int, ...]
    odds: tuple[float, float]
    flat: bool


def seed_training(world) -> None:
    """The ``seed_bench`` step."""
    scale = world.scale if world.training_scale is None else world.training_scale
    world.counts.update(seed_bench_training(world.rng, scaled(TRAINEES, scale), scaled(SESSIONS, scale, minimum=2),
                                            min(BIGGEST, scaled(TRAINEES, scale)), prefix=world.prefix))


def seed_bench_training(rng: random.Random, trainees: int = TRAINEES, sessions: int = SESSIONS,
                        biggest: int = BIGGEST, prefix: str = "bench") -> dict[str, int]:
    """Add the training data (no commit); {} when its quiz exists already."""
    if db.session.scalar(select(Quiz.id).where(Quiz.title == QUIZ_TITLE)) is not None:
        return {}
    trainer = db.session.scalar(select(User).join(Area, Area.id == User.home_area_id)
                                .where(User.role.in_([Role.ADMIN, Role.STAFF]), User.is_active,
                                       Area.kind == AreaKind.PROVINCE).order_by(User.id).limit(1))
    communes = list(db.session.scalars(select(Area).where(Area.id.in_(select(Team.commune_id)))
                                       .order_by(Area.id)))
    if trainer is None or not communes:
        return {}
    quiz_id, items = _quiz(trainer, rng)
    chosen = rng.sample(communes, max(1, min(len(communes), round(len(communes) * 2 / 3), sessions)))
    sizes = _sizes(trainees, sessions, min(biggest, trainees))
    counts = {"training sessions": 0, "trainees": 0, "training answers": 0}
    taken: set[int] = set()
    now = utcnow()
    for n, size in enumerate(sizes):
        commune = chosen[n % len(chosen)]
        people = _people(commune, size, taken, rng, prefix, now)
        # The biggest session is the latest; the others go back over six months.
        when = datetime.combine(local_today() - timedelta(days=3 if n == 0 else rng.randint(7, 180)),
                                datetime.min.time()).replace(hour=8, tzinfo=LOCAL_TZ)
        with_pre = n == 0 or rng.random() < 0.6
        session_id = _session(trainer, commune, quiz_id, when, with_pre=with_pre, rng=rng)
        counts["training answers"] += _tests(session_id, quiz_id, items, people, when, rng, with_pre=with_pre)
        counts["training sessions"] += 1
        counts["trainees"] += len(people)
    db.session.flush()
    return counts


def _sizes(trainees: int, sessions: int, biggest: int) -> list[int]:
    """The biggest session first, the other trainees spread evenly over the others; every
    session has someone (fewer sessions when there are fewer trainees)."""
    sessions = max(1, min(sessions, trainees))
    if sessions == 1:
        return [trainees]
    biggest = min(biggest, trainees - (sessions - 1))
    rest, others = trainees - biggest, sessions - 1
    return [biggest] + [rest // others + (1 if n < rest % others else 0) for n in range(others)]


def _quiz(trainer: User, rng: random.Random) -> tuple[int, list[Item]]:
    services = list(db.session.scalars(select(Service).where(Service.is_active).order_by(Service.sort_order)))
    items = []
    for n in range(QUESTIONS):
        service = services[n % len(services)]
        question = Question(text=f"Câu {n + 1}: tình huống về {service.name.lower()}", service_id=service.id,
                            explanation=f"Giải thích câu {n + 1}.", created_by_id=trainer.id, family_id=0,
                            choices=[Choice(position=p, text=f"Phương án {'ABCD'[p]}", is_right=p == n % CHOICES)
                                     for p in range(CHOICES)])
        db.session.add(question)
        db.session.flush()
        question.family_id = question.id
        # Most are learnt; two are hard (teach again); two do not follow strength (revise).
        odds = (0.15, 0.35) if n in (6, 13) else (rng.uniform(0.35, 0.55), rng.uniform(0.75, 0.92))
        items.append(Item(question.id, service.id, question.choices[n % CHOICES].id,
                          tuple(c.id for c in question.choices if not c.is_right), odds, n in (8, 17)))
    quiz = Quiz(title=QUIZ_TITLE, pass_mark=PASS_MARK, created_by_id=trainer.id,
                items=[QuizQuestion(question_id=item.id, position=n) for n, item in enumerate(items)])
    db.session.add(quiz)
    db.session.flush()
    return quiz.id, items


def _people(commune: Area, size: int, taken: set[int], rng: random.Random, prefix: str, now) -> list[int]:
    """``size`` people of the commune's teams not trained yet, topped up with new accounts."""
    members = [u for u in db.session.scalars(
        select(Membership.user_id).join(Team, Team.id == Membership.team_id)
        .where(Team.commune_id == commune.id).order_by(Membership.user_id)) if u not in taken][:size]
    missing = size - len(members)
    if missing > 0:
        first = (db.session.scalar(select(func.count()).where(User.username.like(f"{prefix}.hv%"))) or 0) + 1
        hash_of = db.session.scalar(select(User.password_hash).where(User.username.like(f"{prefix}.%")).limit(1))
        rows = []
        for n in range(missing):
            name = person_name(rng)
            rows.append({"username": f"{prefix}.hv{first + n:05d}", "full_name": name, "search_key": search_key(name),
                         "password_hash": hash_of or "!", "role": Role.VOLUNTEER, "home_area_id": commune.id,
                         "is_active": True, "must_change_password": False, "created_at": now})
        members += insert_returning_ids(User, rows)
    taken.update(members)
    return members


def _session(trainer: User, commune: Area, quiz_id: int, when: datetime, *, with_pre: bool,
             rng: random.Random) -> int:
    session = TrainingSession(
        title=f"Bồi dưỡng kỹ năng số, {commune.name}", starts_at=when, commune_id=commune.id,
        trainer_id=trainer.id, post_quiz_id=quiz_id, pre_quiz_id=quiz_id if with_pre else None, code=_code(rng),
        pre_state=QuizState.CLOSED if with_pre else QuizState.NEW, post_state=QuizState.CLOSED,
        created_by_id=trainer.id)
    db.session.add(session)
    db.session.flush()
    return session.id


def _tests(session_id: int, quiz_id: int, items: list[Item], people: list[int], when: datetime,
           rng: random.Random, *, with_pre: bool) -> int:
    """Attendees, their tests (pre when there is one, then post), qualifications and feedback."""
    db.session.execute(insert(Attendee), [{"session_id": session_id, "user_id": u, "expected": True,
                                           "joined_at": when} for u in people])
    stages = [(Stage.PRE, 0), (Stage.POST, 1)] if with_pre else [(Stage.POST, 1)]
    strengths = {u: rng.uniform(-0.2, 0.2) for u in people}
    attempts, answers, passed = [], [], []
    for stage, after in stages:
        for user_id in people:
            chosen = []
            for item in items:
                chance = item.odds[after] + (0 if item.flat else strengths[user_id])
                right = rng.random() < chance
                chosen.append((item, item.right if right else item.wrong[0 if rng.random() < 0.6 else
                                                                         rng.randrange(len(item.wrong))], right))
            score = sum(r for _, _, r in chosen)
            ok = 100 * score >= PASS_MARK * len(items)
            submitted = when + timedelta(hours=3 * after, minutes=20)
            attempts.append({"session_id": session_id, "user_id": user_id, "stage": stage, "quiz_id": quiz_id,
                             "started_at": when, "submitted_at": submitted, "right_count": score,
                             "question_count": len(items), "passed": ok})
            answers.append([(item.id, choice, right) for item, choice, right in chosen])
            if stage == Stage.POST and ok:
                passed.append(user_id)
    ids = insert_returning_ids(Attempt, attempts)
    rows = [{"attempt_id": attempt_id, "question_id": q, "choice_id": c, "is_right": r, "answered_at": when}
            for attempt_id, given in zip(ids, answers, strict=True) for q, c, r in given]
    bulk_write(Answer.__table__, ["attempt_id", "question_id", "choice_id", "is_right", "answered_at"], chunks(rows))
    services = sorted({item.service_id for item in items})
    held = set(db.session.execute(select(Qualification.user_id, Qualification.service_id)
                                  .where(Qualification.user_id.in_(passed))).tuples()) if passed else set()
    qualified = [{"user_id": u, "service_id": s, "session_id": session_id, "qualified_on": when.date()}
                 for u in passed for s in services if (u, s) not in held]
    for chunk in chunks(qualified):
        db.session.execute(insert(Qualification), chunk)
    feedback = [{"session_id": session_id, "user_id": u, "usefulness": rng.choice((3, 4, 5, 5)),
                 "pace": rng.choice((2, 3, 3, 4)), "clarity": rng.choice((3, 4, 4, 5)),
                 "proposal": rng.choice(("", "", "Cần thêm thời gian thực hành.", "Nên có tài liệu in.")),
                 "created_at": when} for u in people if rng.random() < 0.7]
    if feedback:
        db.session.execute(insert(Feedback), feedback)
    return len(rows)


def _code(rng: random.Random) -> str:
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(TrainingSession.id).where(TrainingSession.code == code)) is None:
            return code
