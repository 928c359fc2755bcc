"""What a session's answers say, computed from plain rows so the figures can be checked by hand.

Scores are percentages of the quiz's questions answered right (an unanswered question is a
wrong one). The discrimination index of a question compares the share right in the upper 27%
of trainees by total score with the share right in the lower 27% (Kelley's groups); it is
left out (None) under ``MIN_FOR_DISCRIMINATION`` trainees, where the groups would be one person.
A question everyone got right separates nobody, but there is nothing to revise in it: the
"revise" flag is for questions some miss.
"""

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean, median

GROUP_SHARE = 0.27
MIN_FOR_DISCRIMINATION = 4
TEACH_AGAIN_BELOW = 0.5
REVISE_BELOW = 0.2


@dataclass(frozen=True)
class Submitted:
    """One submitted attempt: who, its score, and the choice given per question (None: none)."""

    attempt_id: int
    user_id: int
    right_count: int
    question_count: int
    passed: bool
    choices: dict  # question_id -> choice_id

    @property
    def percent(self) -> float:
        return 100 * self.right_count / self.question_count if self.question_count else 0.0


@dataclass
class QuestionFigures:
    question_id: int
    answered: int  # trainees who submitted the test
    right: int
    share_right: float | None
    wrong_choice_id: int | None  # the wrong choice most chosen
    wrong_choice_count: int
    discrimination: float | None
    teach_again: bool = False
    revise: bool = False
    strong_miss: bool = False  # the upper group does worse than the lower


@dataclass
class StageFigures:
    submitted: int = 0
    mean: float | None = None
    median: float | None = None
    pass_rate: float | None = None
    questions: list[QuestionFigures] = field(default_factory=list)


def groups(attempts: list[Submitted]) -> tuple[list[Submitted], list[Submitted]]:
    """The upper and lower 27% by total score (at least one each); ties broken by attempt id."""
    ranked = sorted(attempts, key=lambda a: (-a.right_count, a.attempt_id))
    size = max(1, round(GROUP_SHARE * len(ranked)))
    return ranked[:size], ranked[-size:]


def question_figures(question_id: int, right_choice: set, attempts: list[Submitted]) -> QuestionFigures:
    """``right_choice``: the ids of the question's right choices (one per version answered)."""
    n = len(attempts)
    right = sum(1 for a in attempts if a.choices.get(question_id) in right_choice)
    wrong = Counter(a.choices[question_id] for a in attempts
                    if a.choices.get(question_id) is not None and a.choices[question_id] not in right_choice)
    wrong_id, wrong_count = min(wrong.items(), key=lambda kv: (-kv[1], kv[0])) if wrong else (None, 0)
    share = right / n if n else None
    discrimination = None
    if n >= MIN_FOR_DISCRIMINATION:
        upper, lower = groups(attempts)
        p_upper = sum(1 for a in upper if a.choices.get(question_id) in right_choice) / len(upper)
        p_lower = sum(1 for a in lower if a.choices.get(question_id) in right_choice) / len(lower)
        discrimination = p_upper - p_lower
    figures = QuestionFigures(question_id, n, right, share, wrong_id, wrong_count, discrimination)
    figures.teach_again = share is not None and share < TEACH_AGAIN_BELOW
    figures.strong_miss = discrimination is not None and discrimination < 0
    figures.revise = discrimination is not None and discrimination < REVISE_BELOW and right < n
    return figures


def stage_figures(attempts: list[Submitted], questions: list[tuple[int, set]]) -> StageFigures:
    """``questions``: (question id, right choice ids) in the quiz's order."""
    if not attempts:
        return StageFigures(questions=[question_figures(q, r, []) for q, r in questions])
    percents = [a.percent for a in attempts]
    return StageFigures(
        submitted=len(attempts), mean=mean(percents), median=median(percents),
        pass_rate=100 * sum(1 for a in attempts if a.passed) / len(attempts),
        questions=[question_figures(q, r, attempts) for q, r in questions])


def mean_gain(pre: list[Submitted], post: list[Submitted]) -> tuple[float | None, int]:
    """The mean of post% - pre% over trainees who submitted both, and how many they are."""
    before = {a.user_id: a.percent for a in pre}
    gains = [a.percent - before[a.user_id] for a in post if a.user_id in before]
    return (mean(gains) if gains else None), len(gains)


def topic_shares(figures: list[QuestionFigures], service_of: dict) -> dict:
    """service id -> share right over every answer to its questions."""
    right, seen = Counter(), Counter()
    for f in figures:
        service = service_of[f.question_id]
        right[service] += f.right
        seen[service] += f.answered
    return {s: right[s] / seen[s] for s in seen if seen[s]}
