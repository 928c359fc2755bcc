"""Training on phones: the trainer writes two questions, makes a quiz, creates a session and
opens its post-test; a trainee joins with the code, answers, reloads mid-way and resumes, hands
in, reads the result and the explanation of what was missed, and gives feedback; the trainer's
results show the per-question figures and the flag. Screenshots in Vietnamese and English."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, assert_tall_enough, second_phone, signed_in

QUESTIONS = [
    ("Kích hoạt VNeID mức 2 cần giấy tờ gì?", ["Căn cước gắn chip", "Sổ hộ khẩu", "Bằng lái xe"], 0,
     "Định danh mức 2 cần căn cước gắn chip và có mặt tại công an."),
    ("Có nên đọc mã OTP cho người gọi tự xưng công an?", ["Có, nếu họ nói gấp", "Không bao giờ"], 1,
     "Công an không bao giờ hỏi mã OTP qua điện thoại."),
]


def keep(page: Page, name: str) -> None:
    shot(page, f"training-{name}")


def write_question(trainer: Page, text: str, choices: list[str], right: int, explanation: str) -> None:
    trainer.goto("/training/questions/new")
    trainer.fill("#text", text)
    trainer.select_option("#service_id", index=1)
    for letter, choice in zip("abcde", choices, strict=False):
        trainer.fill(f"#choice_{letter}", choice)
    trainer.locator(f"#question-form input[name=right][value='{right}']").check()
    trainer.fill("#explanation", explanation)
    trainer.locator("#question-form button.primary").click()
    expect(trainer.locator("h1")).to_have_text("Ngân hàng câu hỏi")
    expect(trainer.locator(".list")).to_contain_text(text)


def test_a_trainee_takes_the_post_test_on_a_phone_and_the_trainer_sees_results(page: Page, browser, live_server,
                                                                                live_app):
    from sqlalchemy import select

    from app.areas.models import Area
    from app.extensions import db

    with live_app.app_context():
        commune_id = db.session.scalar(select(Area.id).where(Area.code == "18562"))

    trainer = page
    signed_in(trainer, "staff")
    trainer.locator(".mainnav a", has_text="Bồi dưỡng").click()
    expect(trainer.locator("h1")).to_have_text("Lớp bồi dưỡng")
    # A question without a right answer is refused with its message.
    trainer.goto("/training/questions/new")
    trainer.fill("#text", "Câu thiếu đáp án?")
    trainer.select_option("#service_id", index=1)
    trainer.fill("#choice_a", "Một")
    trainer.fill("#choice_b", "Hai")
    trainer.locator("#question-form button.primary").click()
    expect(trainer.locator("#question-form")).to_contain_text("Đánh dấu đúng một phương án")
    for question in QUESTIONS:
        write_question(trainer, *question)
    keep(trainer, "questions-vi")

    trainer.goto("/training/quizzes/new")
    trainer.fill("#title", "Kiểm tra cuối khóa VNeID")
    for text, *_ in QUESTIONS:
        trainer.locator("#quiz-form label.check", has_text=text).click()
    trainer.locator("#quiz-form button.primary").click()
    expect(trainer.locator(".list")).to_contain_text("Kiểm tra cuối khóa VNeID")

    trainer.goto("/training/sessions/new")
    trainer.fill("#title", "Lớp VNeID Thạch Hà")
    trainer.fill("#starts_at", "2026-12-01T08:00")
    trainer.select_option("#commune_id", value=str(commune_id))
    trainer.select_option("#post_quiz_id", label="Kiểm tra cuối khóa VNeID")
    trainer.locator("#session-form button.primary").click()
    expect(trainer.locator("h1")).to_have_text("Lớp VNeID Thạch Hà")
    code = trainer.locator(".join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    expect(trainer.locator("img.qr")).to_be_visible()
    assert trainer.locator("img.qr").evaluate("img => img.naturalWidth") > 0
    # Put the demo volunteer on the list, found without accents.
    trainer.fill("#attendee-q", "le van nam")
    found = trainer.locator(".list.found")
    expect(found).to_contain_text("Lê Văn Nam")
    found.get_by_role("button", name="Thêm").first.click()
    expect(trainer.locator("#attendees")).to_contain_text("Chưa vào lớp")
    trainer.get_by_role("button", name="Mở bài kiểm tra").click()
    expect(trainer.locator(".flash-success")).to_contain_text("Đã mở bài kiểm tra")
    assert_no_horizontal_scroll(trainer)
    keep(trainer, "session-vi")

    with second_phone(browser, live_server) as trainee:
        signed_in(trainee, "volunteer")
        trainee.get_by_role("link", name="Làm bài kiểm tra bồi dưỡng").click()
        trainee.fill("#code", "ZZZZZZ")
        trainee.get_by_role("button", name="Vào lớp").click()
        expect(trainee.locator("main")).to_contain_text("Không có lớp nào có mã này")
        trainee.fill("#code", code.lower())
        trainee.get_by_role("button", name="Vào lớp").click()
        expect(trainee.locator(".question-text")).to_have_text("Câu 1/2")
        assert_tall_enough(trainee.locator(".answers .answer"), "answer button")
        keep(trainee, "question-vi")
        trainee.locator(".answers .answer", has_text="Sổ hộ khẩu").click()  # wrong on purpose
        expect(trainee.locator(".question-text")).to_have_text("Câu 2/2")
        trainee.reload()  # a dropped connection: the test resumes at the first unanswered question
        expect(trainee.locator(".question-text")).to_have_text("Câu 2/2")
        expect(trainee.locator("#question-card")).to_contain_text("Đã trả lời 1/2 câu")
        trainee.get_by_role("link", name="Câu trước").click()  # back to the answered question, and on again
        expect(trainee.locator(".question-text")).to_have_text("Câu 1/2")
        trainee.get_by_role("link", name="Câu sau").click()
        expect(trainee.locator(".question-text")).to_have_text("Câu 2/2")
        trainee.locator(".answers .answer", has_text="Không bao giờ").click()
        expect(trainee.locator("#question-card h2")).to_have_text("Sẵn sàng nộp bài?")
        trainee.get_by_role("button", name="Nộp bài").click()
        expect(trainee.locator("h1")).to_have_text("Kết quả của bạn")
        expect(trainee.locator(".score")).to_contain_text("1 / 2")
        expect(trainee.locator(".result-failed")).to_be_visible()
        expect(trainee.locator(".missed")).to_contain_text("Định danh mức 2 cần căn cước gắn chip")
        keep(trainee, "result-vi")
        trainee.go_back()  # a replay of the hand-in page changes nothing
        trainee.goto(trainee.url)
        expect(trainee.locator("h1")).to_have_text("Kết quả của bạn")
        for name, value in (("usefulness", "5"), ("pace", "3"), ("clarity", "4")):
            trainee.locator(f"#feedback input[name={name}][value='{value}'] + span").click()
        trainee.fill("#proposal", "mã OTP: 123456")
        trainee.get_by_role("button", name="Gửi góp ý").click()
        expect(trainee.locator("#feedback")).to_contain_text("mật khẩu, mã PIN hoặc mã OTP")
        trainee.fill("#proposal", "Thêm thời gian thực hành trên điện thoại")
        trainee.get_by_role("button", name="Gửi góp ý").click()
        expect(trainee.locator("#feedback")).to_contain_text("Cảm ơn bạn")
        assert_no_horizontal_scroll(trainee)
        trainee.goto(trainee.url.split("?")[0] + "?lang=en")
        expect(trainee.locator("h1")).to_have_text("Your result")
        keep(trainee, "result-en")
        trainee.goto("/join")
        keep(trainee, "join-en")

    trainer.get_by_role("link", name="Kết quả").click()
    expect(trainer.locator("h1")).to_have_text("Kết quả")
    expect(trainer.locator(".cards")).to_contain_text("1 / 1 / 1")
    first = trainer.locator(".question-result").first
    expect(first).to_contain_text("0%")
    expect(first.locator(".flag-teach")).to_have_text("Dạy lại")
    expect(first).to_contain_text("Sổ hộ khẩu")
    expect(trainer.locator(".proposals")).to_contain_text("Thêm thời gian thực hành")
    assert_no_horizontal_scroll(trainer)
    keep(trainer, "results-vi")
    trainer.fill("#improvement", "Cho học viên cầm căn cước thật khi thực hành")
    trainer.get_by_role("button", name="Lưu", exact=True).click()
    expect(trainer.locator(".flash-success")).to_contain_text("Đã lưu")
    trainer.goto(trainer.url.split("?")[0] + "?lang=en")
    expect(trainer.locator(".question-result").first.locator(".flag-teach")).to_have_text("Teach again")
    keep(trainer, "results-en")
    trainer.goto("/training/overview")
    keep(trainer, "overview-en")
    trainer.goto("/training/overview?lang=vi")
    keep(trainer, "overview-vi")


def test_a_leader_sees_who_is_not_trained_and_a_soft_warning_when_giving_a_task(page: Page):
    signed_in(page, "leader")
    page.goto("/teams/")
    page.locator(".list a", has_text="Thạch Hà 1").first.click()
    section = page.locator("#team-training")
    expect(section).to_contain_text("Chưa được bồi dưỡng")  # loaded in place by htmx
    expect(section).to_contain_text("Lê Văn Nam")
    keep(page, "team-vi")
    page.goto("/tasks/new")
    page.locator("#task-form .tile", has_text="VNeID").first.click()
    page.wait_for_load_state("networkidle")  # the form redraws for the help chosen
    page.select_option("#assignee_id", label="Lê Văn Nam")
    warning = page.locator(".training-warning")
    expect(warning).to_contain_text("Lê Văn Nam chưa được bồi dưỡng về")
    expect(warning).to_contain_text("Bạn vẫn có thể giao nhiệm vụ")
    assert_no_horizontal_scroll(page)
    keep(page, "task-warning-vi")
    # Saved, the task's page says it again: the warning needs no script to be seen.
    page.locator("#task-form button.primary").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".flash-warning")).to_contain_text("Lê Văn Nam chưa được bồi dưỡng về")
    keep(page, "task-saved-warning-vi")


def test_training_on_the_coverage_page_and_a_trainees_history(page: Page, live_app):
    """Province staff see each commune's training on the coverage page (a mark where nobody is
    trained), drill into a commune (its teams), follow the link to the training overview; then
    find a demo trainee by their name typed without accents and open their history."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.core.text import search_key
    from app.extensions import db
    from app.training.models import Attempt, Stage

    with live_app.app_context():
        name = db.session.scalar(select(User.full_name).join(Attempt, Attempt.user_id == User.id)
                                 .where(Attempt.stage == Stage.PRE, Attempt.submitted_at.is_not(None))
                                 .order_by(User.id).limit(1))
    signed_in(page, "staff")
    page.goto("/coverage?period=year")
    section = page.locator(".coverage-training")
    expect(section.locator("h2")).to_have_text("Bồi dưỡng")
    expect(section.locator("tr.untrained").first).to_contain_text("Chưa ai được bồi dưỡng")
    trained = section.locator("tbody tr:not(.untrained)")
    assert trained.count() >= 4  # the demo's sessions in the Kỳ Anh, Thạch Hà, Can Lộc and Nghi Xuân areas
    section.scroll_into_view_if_needed()
    assert_no_horizontal_scroll(page)
    keep(page, "coverage-province-vi")
    commune = trained.first.locator("th a").inner_text()
    trained.first.locator("th a").click()
    expect(page.locator("h1")).to_contain_text(commune)
    section = page.locator(".coverage-training")
    expect(section.locator(".training-cards")).to_be_visible()
    expect(section.locator(".training-teams li").first).to_contain_text("thành viên đã được bồi dưỡng")
    section.scroll_into_view_if_needed()
    keep(page, "coverage-commune-vi")
    page.goto(page.url + ("&" if "?" in page.url else "?") + "lang=en")
    expect(page.locator(".coverage-training h2")).to_have_text("Training")
    page.locator(".coverage-training").scroll_into_view_if_needed()
    keep(page, "coverage-commune-en")
    page.locator(".coverage-training .training-teams a").first.click()
    expect(page.locator("h1")).not_to_be_empty()
    page.go_back()
    page.locator(".coverage-training a", has_text="Training in the province").click()
    expect(page.locator("h1")).to_have_text("Training by commune and month")
    page.goto("/training?lang=vi")

    page.locator(".filters-nav a", has_text="Học viên").click()
    expect(page.locator("h1")).to_have_text("Học viên")
    page.fill("#trainee-q", search_key(name))  # typed without accents; htmx searches as it is typed
    found = page.locator("#trainees-found .list a", has_text=name)
    expect(found).to_be_visible()
    assert page.url.endswith("q=" + search_key(name).replace(" ", "%20"))  # pushed: Back and reload keep it
    assert_no_horizontal_scroll(page)
    keep(page, "trainees-vi")
    page.fill("#trainee-q", "khong co ai ten nay")
    page.locator(".trainee-search button").click()
    expect(page.locator("#trainees-found")).to_contain_text("Không tìm thấy học viên nào")
    page.fill("#trainee-q", search_key(name))
    page.locator(".trainee-search button").click()
    page.locator("#trainees-found .list a", has_text=name).click()
    expect(page.locator("h1")).to_have_text(name)
    history = page.locator(".trainee-history tbody tr")
    expect(history.first.locator("td").nth(0)).not_to_have_text("—")  # the pre-test taken
    expect(history.first.locator("td").nth(1)).to_contain_text(re.compile("Đạt|Chưa đạt"))
    assert_no_horizontal_scroll(page)
    keep(page, "trainee-history-vi")
    page.goto(page.url + "?lang=en")
    expect(page.locator("#history-caption")).to_have_text("Tests across sessions, oldest first")
    keep(page, "trainee-history-en")
    page.locator(".crumbs a").click()
    expect(page.locator("h1")).to_have_text("Trainees")
    keep(page, "trainees-en")
    page.goto(f"/training/people?q={search_key(name).replace(' ', '+')}&lang=vi")
    page.locator("#trainees-found .list a", has_text=name).click()
    page.locator(".trainee-history tbody tr th a").first.click()
    expect(page.locator("h1")).to_have_text("Kết quả")
