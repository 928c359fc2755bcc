"""The training services: the bank's rules, versions, sessions, taking a test, feedback."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.training import services, taking
from app.training.models import Answer, Attempt, Attendee, Feedback, Qualification, QuizState, Stage
from app.training.services import QuestionInput, QuizInput, TrainingError
from app.training.taking import FeedbackInput
from tests.conftest import count_rows, english
from tests.training.conftest import enlist, make_question, make_quiz


def q_input(services_, **over):
    data = {"text": "Câu hỏi?", "service_id": services_["VNEID"].id, "choices": ["A", "B", "C"], "right": 1,
            "explanation": ""}
    data.update(over)
    return QuestionInput(**data)


@pytest.mark.parametrize("over,message", [
    ({"right": None}, "Mark exactly one choice"),
    ({"right": 4}, "Mark exactly one choice"),
    ({"choices": ["Có", " có "]}, "Two choices say the same"),
    ({"choices": ["A"]}, "between 2 and 5"),
    ({"choices": ["A", "B", "C", "D", "E", "F"]}, "between 2 and 5"),
    ({"text": "  "}, "Write the question"),
    ({"service_id": None}, "kind of help"),
])
def test_a_question_needs_two_to_five_distinct_choices_and_one_right(bank, world, over, message):
    with pytest.raises(TrainingError) as error:
        services.create_question(world["staff"], q_input(bank["services"], **over))
    assert message in english(error.value)


def test_a_blank_choice_is_left_out_and_the_right_one_keeps_its_place(bank, world):
    q = services.create_question(world["staff"], q_input(bank["services"], choices=["A", "", "C"], right=2))
    assert [(c.text, c.is_right, c.position) for c in q.choices] == [("A", False, 0), ("C", True, 1)]


def test_editing_an_unanswered_question_changes_it_in_place(bank, world):
    q = bank["q1"]
    edited = services.edit_question(world["staff"], q, q_input(bank["services"], text="Mới?"))
    assert edited.id == q.id and edited.text == "Mới?" and edited.version == 1


def test_editing_an_answered_question_makes_a_version_and_answers_keep_theirs(bank, world):
    session, q1 = bank["session"], bank["q1"]
    session.post_state = QuizState.OPEN
    db.session.commit()
    taking.answer(world["volunteer"], session, Stage.POST, q1.id, q1.choices[1].id)
    with pytest.raises(TrainingError) as error:  # the test is open: trainees are reading it
        services.edit_question(world["staff"], q1, q_input(bank["services"], text="Đổi?"))
    assert error.value.status == 409
    session.post_state = QuizState.CLOSED
    db.session.commit()
    new = services.edit_question(world["staff"], q1, q_input(bank["services"], text="Đổi?"))
    assert new.id != q1.id and new.family_id == q1.family_id and new.version == 2
    assert q1.is_current is False and q1.text == "VNeID mức 2 cần gì?"
    assert [q.id for q in bank["quiz"].questions][0] == new.id
    answer = db.session.scalar(select(Answer))
    assert answer.question.text == "VNeID mức 2 cần gì?"
    with pytest.raises(TrainingError):  # the old version is no longer edited
        services.edit_question(world["staff"], q1, q_input(bank["services"]))


@pytest.mark.parametrize("mark", [0, 101, None])
def test_a_pass_mark_is_1_to_100(bank, world, mark):
    with pytest.raises(TrainingError) as error:
        services.create_quiz(world["staff"], QuizInput("Q", mark, [bank["q1"].id]))
    assert error.value.field == "pass_mark"


def test_a_quiz_takes_only_current_questions_of_the_bank(bank, world):
    with pytest.raises(TrainingError):
        services.create_quiz(world["staff"], QuizInput("Q", 70, [999_999]))
    quiz = make_quiz(world["staff"], [bank["q3"], bank["q1"]])
    assert [q.id for q in quiz.questions] == [bank["q3"].id, bank["q1"].id] and quiz.pass_mark == 70


def test_a_session_is_in_a_commune_of_the_trainers_area(bank, world):
    from app.training.services import SessionInput

    with pytest.raises(TrainingError) as error:
        services.create_session(world["staff_b"], SessionInput("X", bank["when"], world["commune_a"].id,
                                                               bank["quiz"].id))
    assert error.value.field == "commune_id"
    assert len(bank["session"].code) == 6


def test_joining_by_code_admits_someone_not_listed_as_not_expected(bank, world):
    session = bank["session"]
    session.post_state = QuizState.OPEN
    db.session.commit()
    assert taking.join(world["outsider"], f" {session.code.lower()} ") is session
    attendee = db.session.scalar(select(Attendee).where(Attendee.user_id == world["outsider"].id))
    assert attendee.expected is False and attendee.joined_at is not None
    taking.join(world["outsider"], session.code)
    assert count_rows(Attendee) == 1


def test_a_wrong_code_and_a_closed_session_are_refused(bank, world):
    with pytest.raises(TrainingError) as error:
        taking.join(world["volunteer"], "ZZZZZZ")
    assert error.value.status == 404
    session = bank["session"]
    session.pre_state = session.post_state = QuizState.CLOSED
    db.session.commit()
    with pytest.raises(TrainingError) as error:
        taking.join(world["volunteer"], session.code)
    assert error.value.status == 409 and "closed" in english(error.value)


def test_answers_are_saved_one_by_one_and_checked(bank, world):
    session, q1, q2 = bank["session"], bank["q1"], bank["q2"]
    volunteer = world["volunteer"]
    with pytest.raises(TrainingError) as error:  # not opened yet
        taking.answer(volunteer, session, Stage.POST, q1.id, q1.choices[0].id)
    assert error.value.status == 409
    session.post_state = QuizState.OPEN
    db.session.commit()
    taking.answer(volunteer, session, Stage.POST, q1.id, q1.choices[1].id)
    taking.answer(volunteer, session, Stage.POST, q1.id, q1.choices[0].id)  # changed before submitting
    assert [(a.question_id, a.is_right) for a in db.session.scalars(select(Answer))] == [(q1.id, True)]
    with pytest.raises(TrainingError) as error:  # a choice of another question
        taking.answer(volunteer, session, Stage.POST, q1.id, q2.choices[0].id)
    assert "answers shown" in english(error.value)
    other = make_question(world["staff"], bank["services"]["KNS"])
    with pytest.raises(TrainingError) as error:  # a question not in the quiz
        taking.answer(volunteer, session, Stage.POST, other.id, other.choices[0].id)
    assert "not part of the test" in english(error.value)


def test_submitting_scores_once_and_a_replay_changes_nothing(bank, world):
    session, q1, q2, q3 = bank["session"], bank["q1"], bank["q2"], bank["q3"]
    volunteer = world["volunteer"]
    session.post_state = QuizState.OPEN
    db.session.commit()
    taking.answer(volunteer, session, Stage.POST, q1.id, q1.choices[0].id)
    taking.answer(volunteer, session, Stage.POST, q2.id, q2.choices[1].id)
    taking.answer(volunteer, session, Stage.POST, q3.id, q3.choices[0].id)
    attempt, first = taking.submit(volunteer, session, Stage.POST)
    assert first and (attempt.right_count, attempt.question_count) == (2, 3) and attempt.passed is False
    again, first = taking.submit(volunteer, session, Stage.POST)
    assert not first and again.id == attempt.id and again.submitted_at == attempt.submitted_at
    assert count_rows(Attempt) == 1
    with pytest.raises(TrainingError) as error:
        taking.answer(volunteer, session, Stage.POST, q2.id, q2.choices[0].id)
    assert error.value.status == 409
    assert db.session.get(Attempt, attempt.id).right_count == 2


def test_submitting_after_the_test_closed_is_refused(bank, world):
    session = bank["session"]
    session.post_state = QuizState.OPEN
    db.session.commit()
    taking.start(world["volunteer"], session, Stage.POST)
    session.post_state = QuizState.CLOSED
    db.session.commit()
    with pytest.raises(TrainingError) as error:
        taking.submit(world["volunteer"], session, Stage.POST)
    assert error.value.status == 409
    assert db.session.scalar(select(Attempt.submitted_at)) is None


def test_passing_the_post_test_qualifies_for_its_services_once(bank, world):
    session, volunteer = bank["session"], world["volunteer"]
    session.post_state = QuizState.OPEN
    db.session.commit()
    for q in (bank["q1"], bank["q2"], bank["q3"]):
        taking.answer(volunteer, session, Stage.POST, q.id, q.right_choice.id)
    attempt, _ = taking.submit(volunteer, session, Stage.POST)
    assert attempt.passed
    held = {q.service.code for q in db.session.scalars(select(Qualification).where(
        Qualification.user_id == volunteer.id))}
    assert held == {"VNEID", "ATTT"}


def test_feedback_after_the_post_test_once_with_ratings_1_to_5_and_the_privacy_guard(bank, world):
    session, volunteer = bank["session"], world["volunteer"]
    with pytest.raises(TrainingError) as error:
        taking.give_feedback(volunteer, session, FeedbackInput(5, 5, 5))
    assert error.value.status == 409
    session.post_state = QuizState.OPEN
    db.session.commit()
    taking.submit(volunteer, session, Stage.POST)
    with pytest.raises(TrainingError) as error:
        taking.give_feedback(volunteer, session, FeedbackInput(6, 3, 3))
    assert error.value.field == "usefulness"
    with pytest.raises(TrainingError) as error:
        taking.give_feedback(volunteer, session, FeedbackInput(4, 3, 3, "mã OTP: 123456"))
    assert error.value.field == "proposal"
    taking.give_feedback(volunteer, session, FeedbackInput(4, 3, 5, "Thêm thời gian thực hành"))
    with pytest.raises(TrainingError) as error:
        taking.give_feedback(volunteer, session, FeedbackInput(4, 3, 5))
    assert error.value.status == 409 and count_rows(Feedback) == 1


def test_an_attendee_without_an_account_gets_a_volunteer_account(bank, world):
    user, password = services.add_new_attendee(world["staff"], bank["session"], "Lê Thị Hoa", "0912 345 679")
    assert user.role == "volunteer" and user.phone == "+84912345679" and user.must_change_password
    assert user.home_area_id == world["commune_a"].id and len(password) == 14
    assert count_rows(Attendee, Attendee.user_id == user.id) == 1


def test_open_and_close_each_test(bank, world):
    session = bank["session"]
    services.set_state(world["staff"], session, Stage.PRE, QuizState.OPEN)
    with pytest.raises(TrainingError):
        services.set_state(world["staff"], session, Stage.PRE, QuizState.OPEN)
    services.set_state(world["staff"], session, Stage.PRE, QuizState.CLOSED)
    assert (session.pre_state, session.post_state) == (QuizState.CLOSED, QuizState.NEW)
    with pytest.raises(TrainingError):
        services.set_state(world["staff"], session, "during", QuizState.OPEN)


def test_removing_an_attendee_who_started_is_refused(bank, world):
    session = bank["session"]
    enlist(session, world["leader"])
    services.remove_attendee(world["staff"], session, world["leader"].id)
    session.post_state = QuizState.OPEN
    db.session.commit()
    taking.join(world["volunteer"], session.code)
    taking.start(world["volunteer"], session, Stage.POST)
    with pytest.raises(TrainingError) as error:
        services.remove_attendee(world["staff"], session, world["volunteer"].id)
    assert error.value.status == 409
