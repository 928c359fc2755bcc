"""Training in the demo data: a ten-question quiz on the five skills and a few past sessions in
communes of the old Kỳ Anh, Thạch Hà, Can Lộc and Nghi Xuân areas, taken before and after by the
story teams' people, with a realistic spread: most pass, the post-test beats the pre-test, one
question most get wrong (teach again), one that does not separate strong from weak trainees
(revise), feedback and proposals. A few hundred ORM rows: seed-demo stays fast."""

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.areas.models import Area
from app.catalog.models import Service
from app.core.db import LOCAL_TZ, local_today
from app.demo.story import MEMBERS_PER_TEAM
from app.extensions import db
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

QUIZ_TITLE = "Kỹ năng số cơ bản cho tổ công nghệ số"
# code, question, choices (the first is right; shown shuffled), explanation, how hard (chance right
# before / after the session); "flat" answers do not follow the trainee's strength.
QUESTIONS = [
    ("VNEID", "Để kích hoạt tài khoản định danh điện tử mức 2, người dân cần đến đâu?",
     ["Công an xã, phường nơi cư trú", "Ủy ban nhân dân xã", "Ngân hàng", "Bưu điện"],
     "Tài khoản mức 2 được cấp tại công an, khi làm căn cước hoặc đăng ký riêng.", (0.5, 0.9), False),
    ("VNEID", "Khi đăng nhập VNeID trên máy mới, ứng dụng gửi mã kích hoạt về đâu?",
     ["Số điện thoại đã đăng ký", "Email của tổ trưởng", "Thư gửi về nhà"],
     "Mã kích hoạt chỉ gửi về số điện thoại chính chủ; không đọc mã này cho ai.", (0.45, 0.85), False),
    ("DVC", "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia, người dân đăng nhập bằng gì?",
     ["Tài khoản VNeID", "Tài khoản mạng xã hội", "Số tài khoản ngân hàng"],
     "Cổng Dịch vụ công dùng tài khoản định danh điện tử VNeID để đăng nhập.", (0.4, 0.85), False),
    ("DVC", "Hồ sơ đã nộp trực tuyến, người dân theo dõi kết quả ở đâu?",
     ["Mục tra cứu hồ sơ trên Cổng", "Gọi cho cán bộ bất kỳ", "Chờ thư mời"],
     "Mỗi hồ sơ có mã để tra cứu tiến độ ngay trên Cổng.", (0.35, 0.75), False),
    ("TTKDTM", "Chuyển khoản cho người lạ xong mới thấy sai tên người nhận. Việc nên làm ngay là gì?",
     ["Gọi tổng đài ngân hàng để tra soát", "Chuyển thêm để kiểm tra", "Xóa ứng dụng ngân hàng"],
     "Báo ngay cho ngân hàng để tra soát; đừng chuyển thêm tiền.", (0.5, 0.85), False),
    ("QR", "Mã QR thanh toán của hộ kinh doanh nên được in và dán ở đâu?",
     ["Tại quầy, nơi chủ hộ nhìn thấy", "Ngoài cổng, không ai trông", "Gửi qua mạng xã hội cho mọi người"],
     "Mã dán nơi chủ hộ trông được, để kẻ gian không dán đè mã khác.", (0.4, 0.8), False),
    ("QR", "Khác nhau giữa mã QR tĩnh và mã QR động của hộ kinh doanh là gì?",
     ["Mã động kèm sẵn số tiền của từng lần bán", "Mã động đổi màu theo giờ", "Không khác nhau"],
     "Mã QR động tạo cho mỗi lần bán, kèm số tiền; mã tĩnh để khách tự nhập số tiền.", (0.15, 0.35), False),
    ("TMDT", "Đưa sản phẩm OCOP lên sàn thương mại điện tử, việc đầu tiên là gì?",
     ["Chụp ảnh rõ và viết mô tả đúng sản phẩm", "Đặt giá thấp hơn mọi người", "Mua đánh giá ảo"],
     "Ảnh thật, mô tả đúng là điều người mua xem trước tiên.", (0.45, 0.85), False),
    ("TMDT", "Đơn hàng nông sản bị khách trả lại vì hỏng, người bán nên làm gì?",
     ["Xem lại cách đóng gói và thời gian giao", "Chặn khách", "Ngừng bán trên sàn"],
     "Hàng tươi cần đóng gói và thời gian giao phù hợp; rút kinh nghiệm từ đơn bị trả.", (0.6, 0.65), True),
    ("ATTT", "Có người gọi tự xưng công an, đề nghị đọc mã OTP để 'xác minh'. Cần làm gì?",
     ["Không đọc, cúp máy và báo công an xã", "Đọc mã nếu họ nói đúng tên", "Chuyển tiền để được bảo vệ"],
     "Công an không bao giờ hỏi mã OTP qua điện thoại; đó là lừa đảo.", (0.55, 0.95), False),
]
# commune code, the story teams trained there, months ago, whether it had a pre-test
SESSIONS = [("18775", ("kyanh", "kyxuan", "vungang"), 3, True), ("18601", ("vietxuyen",), 2, True),
            ("18406", ("canloc", "dongloc"), 2, True), ("18373", ("tiendien", "codam"), 1, True),
            ("18352", ("nghixuan",), 1, False)]
PROPOSALS = ["Cho thêm thời gian thực hành trên điện thoại của người dân.",
             "Nên có tài liệu in để mang theo khi đi từng nhà.",
             "Phần mã QR động cần giải thích kỹ hơn, có ví dụ.",
             ""]


def seed_training(users: dict[str, User], rng: random.Random) -> None:
    """The quiz and sessions, when the quiz is not there yet (seed-demo runs again and again)."""
    if db.session.scalar(select(Quiz.id).where(Quiz.title == QUIZ_TITLE)) is not None:
        return
    staff = users["staff"]
    services = {s.code: s for s in db.session.scalars(select(Service))}
    questions = _questions(staff, services, rng)
    quiz = Quiz(title=QUIZ_TITLE, pass_mark=70, created_by_id=staff.id,
                items=[QuizQuestion(question=q, position=n) for n, (q, _, _) in enumerate(questions)])
    db.session.add(quiz)
    db.session.flush()
    communes = {a.code: a for a in db.session.scalars(select(Area).where(Area.code.in_([s[0] for s in SESSIONS])))}
    for code, slugs, months, with_pre in SESSIONS:
        people = [users[f"{who}.{slug}{suffix}"] for slug in slugs
                  for who, suffix in [("tt", ""), *(("tnv", f".{n}") for n in range(1, MEMBERS_PER_TEAM + 1))]]
        _session(staff, communes[code], quiz, questions, people, months, with_pre, rng)
    _upcoming(staff, users, quiz, rng)
    db.session.flush()


def _questions(author, services, rng):
    made = []
    for code, text, choices, explanation, odds, flat in QUESTIONS:
        order = list(range(len(choices)))
        rng.shuffle(order)
        question = Question(text=text, explanation=explanation, service=services[code], created_by_id=author.id,
                            family_id=0, choices=[Choice(position=p, text=choices[i], is_right=i == 0)
                                                  for p, i in enumerate(order)])
        db.session.add(question)
        db.session.flush()
        question.family_id = question.id
        made.append((question, odds, flat))
    return made


def _session(staff, commune, quiz, questions, people, months, with_pre, rng):
    when = datetime.combine(local_today() - timedelta(days=30 * months + rng.randint(0, 10)),
                            datetime.min.time()).replace(hour=8, tzinfo=LOCAL_TZ)
    session = TrainingSession(
        title=f"Bồi dưỡng kỹ năng số cho tổ công nghệ số {commune.name}", starts_at=when, commune=commune,
        trainer_id=staff.id, post_quiz=quiz, pre_quiz=quiz if with_pre else None, code=_code(rng),
        pre_state=QuizState.CLOSED if with_pre else QuizState.NEW, post_state=QuizState.CLOSED,
        created_by_id=staff.id, improvement="Dành 15 phút làm mẫu mã QR động trên máy bán hàng thật."
        if months == 2 else "")
    db.session.add(session)
    db.session.flush()
    for person in people:
        strength = rng.uniform(-0.15, 0.15)
        db.session.add(Attendee(session_id=session.id, user_id=person.id, expected=True, joined_at=when))
        if with_pre:
            _attempt(session, person, Stage.PRE, quiz, questions, strength, 0, when, rng)
        post = _attempt(session, person, Stage.POST, quiz, questions, strength, 1, when, rng)
        if post.passed:
            _qualify(person, session, questions, when)
        if rng.random() < 0.8:
            db.session.add(Feedback(session_id=session.id, user_id=person.id, usefulness=rng.choice((4, 5, 5)),
                                    pace=rng.choice((2, 3, 3, 4)), clarity=rng.choice((3, 4, 4, 5)),
                                    proposal=rng.choice(PROPOSALS)))


def _attempt(session, person, stage, quiz, questions, strength, after, when, rng):
    attempt = Attempt(session_id=session.id, user_id=person.id, stage=stage, quiz_id=quiz.id,
                      started_at=when, submitted_at=when + timedelta(hours=3 * after, minutes=20),
                      question_count=len(questions))
    db.session.add(attempt)
    db.session.flush()
    right = 0
    for question, odds, flat in questions:
        chance = odds[after] + (0 if flat else strength)
        wrong = [c for c in question.choices if not c.is_right]
        choice = question.right_choice if rng.random() < chance else wrong[0 if rng.random() < 0.7 else -1]
        right += choice.is_right
        db.session.add(Answer(attempt_id=attempt.id, question_id=question.id, choice_id=choice.id,
                              is_right=choice.is_right, answered_at=attempt.started_at))
    attempt.right_count = right
    attempt.passed = 100 * right >= quiz.pass_mark * len(questions)
    return attempt


def _qualify(person, session, questions, when):
    held = set(db.session.scalars(select(Qualification.service_id).where(Qualification.user_id == person.id)))
    for service_id in sorted({q.service_id for q, _, _ in questions} - held):
        db.session.add(Qualification(user_id=person.id, service_id=service_id, session_id=session.id,
                                     qualified_on=when.date()))
    db.session.flush()


def _upcoming(staff, users, quiz, rng):
    """A session next week in the demo journeys' commune, the demo volunteer on its list."""
    volunteer = users["volunteer"]
    when = datetime.combine(local_today() + timedelta(days=7), datetime.min.time()).replace(hour=8, tzinfo=LOCAL_TZ)
    session = TrainingSession(title="Bồi dưỡng kỹ năng số, tổ Thạch Hà", starts_at=when,
                              commune=volunteer.home_area, trainer_id=staff.id, post_quiz=quiz, pre_quiz=quiz,
                              code=_code(rng), created_by_id=staff.id)
    db.session.add(session)
    db.session.flush()
    db.session.add(Attendee(session_id=session.id, user_id=volunteer.id, expected=True))


def _code(rng: random.Random) -> str:
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(TrainingSession.id).where(TrainingSession.code == code)) is None:
            return code
