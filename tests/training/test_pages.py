"""The training pages through the app: trainer pages (full and fragment), a trainee's test by
code, bad input answered 4xx with a message, and the scope of sessions."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.training.models import Attempt, Attendee, Feedback, Question, Quiz, QuizState, TrainingSession
from tests.conftest import count_queries, count_rows, events, html_of, sign_in

HX = {"HX-Request": "true"}


def open_post(session):
    session.post_state = QuizState.OPEN
    db.session.commit()


def test_trainer_pages_render_full_and_fragment(client, world, bank):
    sign_in(client, world["staff"])
    session = bank["session"]
    for path in ("/training", "/training/questions", "/training/quizzes", "/training/overview",
                 "/training/questions/new", "/training/quizzes/new", "/training/sessions/new",
                 f"/training/questions/{bank['q1'].id}/edit", f"/training/quizzes/{bank['quiz'].id}/edit",
                 f"/training/sessions/{session.id}", f"/training/sessions/{session.id}/results"):
        assert "<html" in html_of(client, path), path
    fragment = client.get(f"/training/sessions/{session.id}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="attendees"' in fragment
    page = html_of(client, f"/training/sessions/{session.id}")
    assert session.code in page and "qr.svg" in page


def test_the_qr_code_is_an_svg_of_the_join_link(client, world, bank):
    sign_in(client, world["staff"])
    response = client.get(f"/training/sessions/{bank['session'].id}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")


def test_a_question_is_written_and_a_bad_one_refused_with_its_message(client, world, bank):
    sign_in(client, world["staff"])
    form = {"text": "Quét mã QR lạ có an toàn?", "service_id": bank["services"]["ATTT"].id, "choice_a": "Có",
            "choice_b": "Không", "right": "1", "explanation": "Mã lạ có thể dẫn tới trang lừa đảo."}
    response = client.post("/training/questions/new", data=form)
    assert response.status_code == 303
    assert db.session.scalar(select(Question).where(Question.text == form["text"])).right_choice.text == "Không"
    response = client.post("/training/questions/new", data=form | {"right": ""}, headers=HX)
    assert response.status_code == 400 and "<html" not in response.get_data(as_text=True)
    assert "Đánh dấu đúng một phương án" in response.get_data(as_text=True)
    response = client.post("/training/questions/new", data=form | {"choice_b": "có"})
    assert response.status_code == 400


def test_a_quiz_pass_mark_over_100_is_refused(client, world, bank):
    sign_in(client, world["staff"])
    response = client.post("/training/quizzes/new", data={"title": "Q", "pass_mark": "101",
                                                          "question_ids": [bank["q1"].id]})
    assert response.status_code == 400 and count_rows(Quiz) == 1


def test_a_session_is_created_with_a_code(client, world, bank):
    sign_in(client, world["staff"])
    response = client.post("/training/sessions/new", data={
        "title": "Lớp Thạch Hà", "starts_at": "2026-12-05T08:00", "commune_id": world["commune_a"].id,
        "post_quiz_id": bank["quiz"].id, "pre_quiz_id": ""})
    assert response.status_code == 303
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.title == "Lớp Thạch Hà"))
    assert len(session.code) == 6 and session.pre_quiz_id is None


def test_attendees_are_found_without_accents_and_added(client, world, bank):
    from tests.conftest import make_user

    person = make_user("duc", home_area=world["commune_a"], full_name="Nguyễn Văn Đức")
    make_user("far", home_area=world["commune_b"], full_name="Nguyễn Văn Đức Xa")
    sign_in(client, world["staff"])
    session = bank["session"]
    found = client.get(f"/training/sessions/{session.id}/attendees/search?q=nguyen van duc", headers=HX)
    text = found.get_data(as_text=True)
    assert "<html" not in text and "Nguyễn Văn Đức" in text and "Đức Xa" not in text
    assert client.post(f"/training/sessions/{session.id}/attendees", data={"user_id": person.id}).status_code == 303
    far = db.session.scalar(select(Attendee.id).where(Attendee.user_id != person.id))
    assert far is None
    response = client.post(f"/training/sessions/{session.id}/attendees",
                           data={"user_id": world["outsider"].id})
    assert response.status_code == 400 and count_rows(Attendee) == 1
    response = client.post(f"/training/sessions/{session.id}/attendees/new",
                           data={"full_name": "Lê Văn Mới", "phone": "0987 654 321"})
    assert response.status_code == 200 and "mật khẩu tạm" in response.get_data(as_text=True).lower()
    assert count_rows(Attendee) == 2


def test_a_trainee_joins_by_code_answers_and_submits_once(client, world, bank):
    session, quiz = bank["session"], bank["quiz"]
    open_post(session)
    sign_in(client, world["volunteer"])
    assert "<html" in html_of(client, f"/join?code={session.code}")
    response = client.post("/join", data={"code": session.code.lower()})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/t/{session.id}/post")
    page = html_of(client, f"/t/{session.id}/post")
    assert bank["q1"].text in page
    for q in quiz.questions:
        response = client.post(f"/t/{session.id}/post/answer", data={"question_id": q.id,
                                                                    "choice_id": q.right_choice.id}, headers=HX)
        assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "Nộp bài" in html_of(client, f"/t/{session.id}/post")
    assert client.post(f"/t/{session.id}/post/submit").status_code == 303
    assert client.post(f"/t/{session.id}/post/submit").status_code == 303  # a double tap
    assert count_rows(Attempt) == 1 and len(events(db, "training.test_submitted")) == 1
    result = html_of(client, f"/t/{session.id}/post/result")
    assert "3 / 3" in result and "Đạt" in result
    # Each scale says what its ends mean; on pace, 3 is right.
    assert "1 = quá chậm, 3 = vừa phải, 5 = quá nhanh" in result
    assert 'aria-describedby="scale-pace"' in result and 'id="scale-pace"' in result
    response = client.post(f"/t/{session.id}/post/answer", data={"question_id": bank["q1"].id,
                                                                "choice_id": bank["q1"].choices[1].id})
    assert response.status_code == 409
    response = client.post(f"/t/{session.id}/feedback", data={"usefulness": "5", "pace": "4", "clarity": "9"})
    assert response.status_code == 400 and count_rows(Feedback) == 0
    response = client.post(f"/t/{session.id}/feedback", data={"usefulness": "5", "pace": "4", "clarity": "4",
                                                             "proposal": "Cho thêm ví dụ"})
    assert response.status_code == 303 and count_rows(Feedback) == 1
    assert client.post(f"/t/{session.id}/feedback", data={"usefulness": "5", "pace": "4",
                                                         "clarity": "4"}).status_code == 409


def test_a_plain_form_answer_moves_to_the_next_question_and_a_reload_resumes(client, world, bank):
    session, q1 = bank["session"], bank["q1"]
    open_post(session)
    sign_in(client, world["volunteer"])
    client.post("/join", data={"code": session.code})
    response = client.post(f"/t/{session.id}/post/answer", data={"question_id": q1.id, "choice_id": q1.choices[1].id})
    assert response.status_code == 303 and response.headers["Location"].endswith("n=1")
    assert bank["q2"].text in html_of(client, f"/t/{session.id}/post")  # resumes at the first unanswered


@pytest.mark.parametrize("data,status", [
    ({"question_id": "2147483648", "choice_id": "1"}, 400),
    ({"question_id": "x", "choice_id": "1"}, 400),
])
def test_answers_with_impossible_ids_are_400(client, world, bank, data, status):
    open_post(bank["session"])
    sign_in(client, world["volunteer"])
    client.post("/join", data={"code": bank["session"].code})
    assert client.post(f"/t/{bank['session'].id}/post/answer", data=data).status_code == status


def test_a_choice_of_another_question_and_an_unknown_question_are_refused(client, world, bank):
    session = bank["session"]
    open_post(session)
    sign_in(client, world["volunteer"])
    client.post("/join", data={"code": session.code})
    response = client.post(f"/t/{session.id}/post/answer", data={"question_id": bank["q1"].id,
                                                                "choice_id": bank["q2"].choices[0].id})
    assert response.status_code == 400 and "Hãy chọn một trong các phương án" in response.get_data(as_text=True)
    response = client.post(f"/t/{session.id}/post/answer", data={"question_id": 999_999, "choice_id": 1})
    assert response.status_code == 400


def test_wrong_code_and_closed_test(client, world, bank):
    sign_in(client, world["volunteer"])
    response = client.post("/join", data={"code": "ZZZ999"})
    assert response.status_code == 404 and "Không có lớp nào" in response.get_data(as_text=True)
    session = bank["session"]
    session.pre_state = session.post_state = QuizState.CLOSED
    db.session.commit()
    assert client.post("/join", data={"code": session.code}).status_code == 409


def test_a_test_not_opened_yet_says_so(client, world, bank):
    sign_in(client, world["volunteer"])
    client.post("/join", data={"code": bank["session"].code})
    response = client.get(f"/t/{bank['session'].id}/post")
    assert response.status_code == 409 and "chưa mở" in response.get_data(as_text=True)


def test_someone_not_on_the_list_cannot_open_the_test_pages(client, world, bank):
    open_post(bank["session"])
    sign_in(client, world["outsider"])
    assert client.get(f"/t/{bank['session'].id}/post").status_code == 404
    assert client.get(f"/t/{bank['session'].id}/pre/result").status_code == 404
    assert client.get("/t/2147483648/post").status_code == 404


def test_sessions_outside_the_trainers_commune_are_404(client, world, bank):
    sign_in(client, world["staff_b"])  # staff of commune B
    session = bank["session"]
    for path in (f"/training/sessions/{session.id}", f"/training/sessions/{session.id}/results",
                 f"/training/sessions/{session.id}/results.csv", f"/training/sessions/{session.id}/qr.svg"):
        assert client.get(path).status_code == 404
    assert client.post(f"/training/sessions/{session.id}/state", data={"stage": "post", "state": "open"}
                       ).status_code == 404
    assert bank["session"].code not in html_of(client, "/training")


def test_volunteers_and_leaders_have_no_trainer_pages(client, world, bank):
    for user in ("volunteer", "leader"):
        sign_in(client, world[user])
        assert client.get("/training").status_code == 403
        assert client.get(f"/training/sessions/{bank['session'].id}/results").status_code == 403


def test_opening_and_closing_a_test(client, world, bank):
    sign_in(client, world["staff"])
    session = bank["session"]
    assert client.post(f"/training/sessions/{session.id}/state",
                       data={"stage": "post", "state": "open"}).status_code == 303
    db.session.refresh(session)
    assert session.post_state == QuizState.OPEN
    assert client.post(f"/training/sessions/{session.id}/state",
                       data={"stage": "post", "state": "open"}).status_code == 409
    assert client.post(f"/training/sessions/{session.id}/state",
                       data={"stage": "during", "state": "open"}).status_code == 404


def answer_all(client, session, questions, wrong=()):
    for q in questions:
        choice = q.choices[1] if q.id in wrong else q.right_choice
        client.post(f"/t/{session.id}/post/answer", data={"question_id": q.id, "choice_id": choice.id})
    client.post(f"/t/{session.id}/post/submit")


def test_results_show_figures_and_flags_and_the_csv_is_audited(client, world, bank):
    from tests.conftest import make_user

    session, quiz = bank["session"], bank["quiz"]
    open_post(session)
    q1, q2, q3 = quiz.questions
    for n, wrong in enumerate([(), (q3.id,), (q3.id, q2.id), (q3.id, q1.id)]):
        trainee = make_user(f"tv{n}", home_area=world["commune_a"], full_name=f"=Học viên {n}")
        sign_in(client, trainee)
        client.post("/join", data={"code": session.code})
        answer_all(client, session, quiz.questions, wrong)
    sign_in(client, world["staff"])
    with count_queries() as n:
        page = html_of(client, f"/training/sessions/{session.id}/results")
    assert "Dạy lại" in page and "0 / 4 / 4" in page
    four = n()
    for k in range(4):  # twice the trainees: the same number of statements
        trainee = make_user(f"more{k}", home_area=world["commune_a"], full_name=f"Thêm {k}")
        sign_in(client, trainee)
        client.post("/join", data={"code": session.code})
        answer_all(client, session, quiz.questions, (q1.id,))
    sign_in(client, world["staff"])
    with count_queries() as n:
        assert "0 / 8 / 8" in html_of(client, f"/training/sessions/{session.id}/results")
    assert n() == four
    head = client.head(f"/training/sessions/{session.id}/results.csv")  # a probe, not an export
    assert head.status_code == 405 and head.headers["Allow"] == "GET"
    assert events(db, "training.results_exported") == []
    response = client.get(f"/training/sessions/{session.id}/results.csv")
    body = response.get_data()
    assert body.startswith("\ufeff".encode()) and b"'=H" in body
    assert len(events(db, "training.results_exported")) == 1


def test_the_trainee_history_page(client, world, bank):
    session = bank["session"]
    open_post(session)
    sign_in(client, world["volunteer"])
    client.post("/join", data={"code": session.code})
    answer_all(client, session, bank["quiz"].questions)
    sign_in(client, world["staff"])
    assert session.title in html_of(client, f"/training/people/{world['volunteer'].id}")
    sign_in(client, world["staff_b"])
    assert client.get(f"/training/people/{world['volunteer'].id}").status_code == 404


def test_the_team_page_loads_who_is_not_trained_yet(client, world, bank):
    sign_in(client, world["leader"])
    team_page = html_of(client, f"/teams/{world['team_a'].id}")
    assert f"/training/teams/{world['team_a'].id}" in team_page
    fragment = client.get(f"/training/teams/{world['team_a'].id}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "Chưa được bồi dưỡng" in fragment and "Volunteer" in fragment
    assert client.get(f"/training/teams/{world['team_b'].id}").status_code == 404
    sign_in(client, world["volunteer"])
    assert f"/training/teams/{world['team_a'].id}" not in html_of(client, f"/teams/{world['team_a'].id}")


def test_a_task_form_warns_softly_about_an_untrained_assignee(client, world, bank):
    vneid = bank["services"]["VNEID"].id
    sign_in(client, world["leader"])
    assert "/training/readiness" in html_of(client, "/tasks/new")
    warning = client.get(f"/training/readiness?assignee_id={world['volunteer'].id}&service_ids={vneid}",
                         headers=HX).get_data(as_text=True)
    assert "Volunteer" in warning and "VNeID" in warning and "<html" not in warning
    # Someone of another team: nothing said about them.
    other = client.get(f"/training/readiness?assignee_id={world['outsider'].id}&service_ids={vneid}", headers=HX)
    assert other.status_code == 200 and "Outsider" not in other.get_data(as_text=True)
    session, quiz = bank["session"], bank["quiz"]
    open_post(session)
    sign_in(client, world["volunteer"])
    client.post("/join", data={"code": session.code})
    answer_all(client, session, quiz.questions)
    sign_in(client, world["leader"])
    trained = client.get(f"/training/readiness?assignee_id={world['volunteer'].id}&service_ids={vneid}", headers=HX)
    assert "training-warning" not in trained.get_data(as_text=True)


def test_the_improvement_shows_on_the_next_session_with_the_same_quiz(client, world, bank):
    from tests.training.conftest import make_session

    sign_in(client, world["staff"])
    session = bank["session"]
    response = client.post(f"/training/sessions/{session.id}/improvement",
                           data={"improvement": "Làm mẫu trên điện thoại thật"})
    assert response.status_code == 303
    later = make_session(world["staff"], world["commune_a"], bank["quiz"], title="Lớp sau",
                         when=bank["when"].replace(tzinfo=None, day=28))
    assert "Làm mẫu trên điện thoại thật" in html_of(client, f"/training/sessions/{later.id}")
    response = client.post(f"/training/sessions/{session.id}/improvement", data={"improvement": "OTP: 123456"})
    assert response.status_code == 400


def test_another_communes_improvement_stays_theirs(client, world, bank):
    """The hint of the last session's improvement is loaded through the reader's scope."""
    from tests.training.conftest import make_session

    sign_in(client, world["staff"])
    session = bank["session"]
    client.post(f"/training/sessions/{session.id}/improvement", data={"improvement": "Ghi chú của xã A"})
    other = make_session(world["staff_b"], world["commune_b"], bank["quiz"], title="Lớp xã B",
                         when=bank["when"].replace(tzinfo=None, day=28))
    sign_in(client, world["staff_b"])
    assert "Ghi chú của xã A" not in html_of(client, f"/training/sessions/{other.id}")


def test_the_qr_link_fills_in_the_code(client, world, bank):
    sign_in(client, world["volunteer"])
    page = html_of(client, f"/join?code={bank['session'].code.lower()}")
    assert f'value="{bank["session"].code}"' in page


def test_a_new_attendee_with_a_phone_already_used_is_refused_with_a_message(client, world, bank):
    from tests.conftest import make_user

    make_user("owner", home_area=world["commune_a"], phone="+84912000111")
    sign_in(client, world["staff"])
    response = client.post(f"/training/sessions/{bank['session'].id}/attendees/new",
                           data={"full_name": "Người Mới", "phone": "0912 000 111"})
    assert 400 <= response.status_code < 500 and count_rows(Attendee) == 0
    response = client.post(f"/training/sessions/{bank['session'].id}/attendees/new",
                           data={"full_name": "Người Mới", "phone": ""})
    assert response.status_code == 400 and "Nhập số điện thoại" in response.get_data(as_text=True)


def test_a_task_saved_for_an_untrained_assignee_says_so_without_javascript(client, world, bank):
    """The plain POST (no htmx) leads to the task page, which shows the warning as a flash; once
    the assignee is trained for the task's help, nothing is said."""
    from tests.tasks.conftest import new_task_form

    vneid = bank["services"]["VNEID"]
    sign_in(client, world["leader"])
    response = client.post("/tasks/new", data=new_task_form(world, bank["services"], service_ids=[vneid.id]),
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "flash-success" in html
    warning = re.search(r'<p class="flash flash-warning"[^>]*>(.*?)</p>', html, re.S)
    assert warning and "Volunteer" in warning.group(1) and "VNeID" in warning.group(1)
    # Unassigned: nothing to say.
    html = client.post("/tasks/new", data=new_task_form(world, bank["services"], service_ids=[vneid.id],
                                                        assignee_id=""), follow_redirects=True).get_data(as_text=True)
    assert "flash-warning" not in html
    session, quiz = bank["session"], bank["quiz"]
    open_post(session)
    sign_in(client, world["volunteer"])
    client.post("/join", data={"code": session.code})
    answer_all(client, session, quiz.questions)
    sign_in(client, world["leader"])
    html = client.post("/tasks/new", data=new_task_form(world, bank["services"], service_ids=[vneid.id]),
                       follow_redirects=True).get_data(as_text=True)
    assert "flash-success" in html and "flash-warning" not in html
    # Trained for VNeID, not for DVC: a task for both warns about DVC alone.
    html = client.post("/tasks/new", data=new_task_form(world, bank["services"],
                                                        service_ids=[vneid.id, bank["services"]["DVC"].id]),
                       follow_redirects=True).get_data(as_text=True)
    warning = re.search(r'<p class="flash flash-warning"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "DVC" in warning or "Dịch vụ công" in warning
    assert "VNeID" not in warning
