from datetime import datetime

import pytest

from app.core.db import LOCAL_TZ
from app.extensions import db as _db
from app.training import services
from app.training.models import Attendee
from app.training.services import QuestionInput, QuizInput, SessionInput
from tests.conftest import make_services


def make_question(author, service, text="VNeID mức 2 cần gì?", choices=("Căn cước", "Sổ hộ khẩu", "Giấy khai sinh"),
                  right=0, explanation="Cần căn cước gắn chip."):
    return services.create_question(author, QuestionInput(text, service.id, list(choices), right, explanation))


def make_quiz(author, questions, title="Kiểm tra cuối khóa", pass_mark=70):
    return services.create_quiz(author, QuizInput(title, pass_mark, [q.id for q in questions]))


def make_session(author, commune, post, pre=None, title="Lớp bồi dưỡng VNeID", when=None):
    when = when or datetime(2026, 11, 20, 8, 0)
    return services.create_session(author, SessionInput(title, when, commune.id, post.id, pre.id if pre else None))


def enlist(session, *users):
    for user in users:
        _db.session.add(Attendee(session_id=session.id, user_id=user.id, expected=True))
    _db.session.commit()


@pytest.fixture()
def bank(world):
    """Three questions (VNeID, VNeID, anti-fraud), a quiz of them, a session in commune A with
    the post-test, and a pre-test of the same quiz."""
    catalogue = make_services()
    staff = world["staff"]
    q1 = make_question(staff, catalogue["VNEID"])
    q2 = make_question(staff, catalogue["VNEID"], "Ứng dụng VNeID do ai phát hành?",
                       ("Bộ Công an", "Một công ty tư nhân"), 0)
    q3 = make_question(staff, catalogue["ATTT"], "Có nên đọc mã OTP cho người lạ?", ("Không", "Có", "Tùy"), 0)
    quiz = make_quiz(staff, [q1, q2, q3])
    session = make_session(staff, world["commune_a"], quiz, pre=quiz)
    return {"services": catalogue, "q1": q1, "q2": q2, "q3": q3, "quiz": quiz, "session": session,
            "when": datetime(2026, 11, 20, 8, 0, tzinfo=LOCAL_TZ)}
