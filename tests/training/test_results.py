"""Result figures against values computed by hand for a small fixed data set.

Five trainees take a three-question post-test (pass mark 70%); four of them took the pre-test.
Question ids 1, 2, 3; the right choice of each is 10, 20, 30; wrong ones 11, 12, 21, 31, 32.

    trainee  q1  q2  q3  right  post%   passed  pre%
    A        10  20  30  3      100     yes     33.3
    B        10  20  31  2      66.7    no      33.3
    C        10  21  30  2      66.7    no      0
    D        11  20  31  1      33.3    no      66.7
    E        12  21  32  0      0       no      -

Post mean = (100 + 66.7 + 66.7 + 33.3 + 0) / 5 = 53.33; median 66.67; pass rate 1/5 = 20%.
Gain over A-D: (66.7 + 33.3 + 66.7 - 33.3) / 4 = 33.33.
Groups: round(0.27 * 5) = 1 trainee each: upper A (3 right), lower E (0 right).
q1: right A B C -> 3/5 = 0.6; wrong 11 and 12 once each -> the smaller id, 11; D = 1 - 0 = 1.
q2: right A B D -> 0.6; wrong 21 twice; D = 1 - 0 = 1.
q3: right A C -> 0.4 (teach again); wrong 31 twice; D = 1.
"""

import pytest

from app.training.results import Submitted, groups, mean_gain, question_figures, stage_figures, topic_shares

ANSWERS = {"A": (10, 20, 30), "B": (10, 20, 31), "C": (10, 21, 30), "D": (11, 20, 31), "E": (12, 21, 32)}
RIGHT = [(1, {10}), (2, {20}), (3, {30})]


def attempts(answers=ANSWERS, passed_at=70):
    made = []
    for n, (name, given) in enumerate(answers.items()):
        right = sum(1 for (q, r), c in zip(RIGHT, given, strict=True) if c in r)
        made.append(Submitted(n + 1, ord(name), right, 3, 100 * right >= passed_at * 3,
                              {q: c for (q, _), c in zip(RIGHT, given, strict=True) if c is not None}))
    return made


def test_scores_mean_median_and_pass_rate():
    figures = stage_figures(attempts(), RIGHT)
    assert figures.submitted == 5
    assert figures.mean == pytest.approx(53.333, abs=1e-3)
    assert figures.median == pytest.approx(66.667, abs=1e-3)
    assert figures.pass_rate == pytest.approx(20.0)


def test_per_question_share_right_wrong_choice_and_discrimination():
    q1, q2, q3 = stage_figures(attempts(), RIGHT).questions
    assert (q1.share_right, q1.wrong_choice_id, q1.wrong_choice_count, q1.discrimination) == (0.6, 11, 1, 1.0)
    assert (q2.share_right, q2.wrong_choice_id, q2.wrong_choice_count) == (0.6, 21, 2)
    assert (q3.share_right, q3.wrong_choice_id, q3.wrong_choice_count) == (0.4, 31, 2)
    assert [q.teach_again for q in (q1, q2, q3)] == [False, False, True]
    assert not any(q.revise for q in (q1, q2, q3))


def test_mean_gain_over_trainees_who_took_both():
    pre = [Submitted(10 + i, ord(name), right, 3, False, {}) for i, (name, right) in
           enumerate([("A", 1), ("B", 1), ("C", 0), ("D", 2)])]
    gain, count = mean_gain(pre, attempts())
    assert count == 4 and gain == pytest.approx(33.333, abs=1e-3)


def test_a_question_the_strong_miss_is_flagged_for_revision():
    """Eight trainees: groups of round(0.27 * 8) = 2. q3 is right only for the two weakest.

        trainee  q1  q2  q3  right
        A        10  20  31  2        upper (ties broken by attempt id: A, B)
        B        10  20  31  2        upper
        C        10  21  31  1
        D        10  21  31  1
        E        11  20  31  1
        F        11  21  31  0
        G        11  21  30  1
        H        12  21  30  1
    G and H have 1 right (q3): ranking by right count then attempt id gives
    A, B | C, D, E, G, H | F: lower group = the last two = H, F.
    q3: upper 0/2 right, lower (H right, F wrong) 1/2 -> D = -0.5: revise, strong miss.
    q1: upper 2/2, lower 0/2 -> D = 1.0.  q2: upper 2/2, lower 0/2 -> 1.0.
    """
    answers = {"A": (10, 20, 31), "B": (10, 20, 31), "C": (10, 21, 31), "D": (10, 21, 31),
               "E": (11, 20, 31), "F": (11, 21, 31), "G": (11, 21, 30), "H": (12, 21, 30)}
    made = attempts(answers)
    upper, lower = groups(made)
    assert [chr(a.user_id) for a in upper] == ["A", "B"] and [chr(a.user_id) for a in lower] == ["H", "F"]
    q1, q2, q3 = stage_figures(made, RIGHT).questions
    assert (q1.discrimination, q2.discrimination, q3.discrimination) == (1.0, 1.0, -0.5)
    assert q3.revise and q3.strong_miss and q3.teach_again and q3.share_right == 0.25
    assert not q1.revise and not q1.teach_again and q1.share_right == 0.5


def test_a_question_that_does_not_discriminate_is_flagged_unless_everyone_got_it():
    """Four trainees, groups of one (round(0.27 * 4) = 1).
    First set: everyone gets q1 right: D = 0, but nothing to revise.
    Second set: A (3 right), B (2), C (1), D (1; ranked last by attempt id): upper A, lower D.
    q3 is right for A and D only -> D = 1 - 1 = 0 with half right: revise, not a strong miss."""
    everyone = {"A": (10, 20, 30), "B": (10, 20, 31), "C": (10, 21, 31), "D": (10, 21, 30)}
    q1 = stage_figures(attempts(everyone), RIGHT).questions[0]
    assert q1.share_right == 1 and q1.discrimination == 0 and not q1.revise
    answers = {"A": (10, 20, 30), "B": (10, 20, 31), "C": (10, 21, 31), "D": (11, 21, 30)}
    q1, q2, q3 = stage_figures(attempts(answers), RIGHT).questions
    assert (q1.share_right, q1.discrimination, q1.revise) == (0.75, 1.0, False)
    assert (q2.share_right, q2.discrimination, q2.revise) == (0.5, 1.0, False)
    assert (q3.share_right, q3.discrimination, q3.revise, q3.strong_miss) == (0.5, 0.0, True, False)


def test_few_trainees_give_no_discrimination_and_unanswered_is_wrong():
    made = attempts({"A": (10, None, 30), "B": (11, 20, None)})
    q1, q2, q3 = stage_figures(made, RIGHT).questions
    assert q1.discrimination is None and not q1.revise
    assert (q2.share_right, q2.wrong_choice_id) == (0.5, None)
    assert question_figures(1, {10}, []).share_right is None


def test_topic_shares_pool_the_questions_of_a_service():
    figures = stage_figures(attempts(), RIGHT).questions
    shares = topic_shares(figures, {1: "VNEID", 2: "VNEID", 3: "ATTT"})
    assert shares == {"VNEID": pytest.approx(0.6), "ATTT": pytest.approx(0.4)}
