"""seed-demo tells the province's story to the demo staff account: teams in communes of the four
old areas, six months of approved logs with a spread (villages well covered, never visited, not
visited for a month), this year's targets ahead and behind, and summaries that match the logs."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.core.db import local_today
from app.coverage import queries, summaries
from app.coverage.models import Target
from app.coverage.periods import period_from
from app.demo.seed import DEMO_PASSWORD, seed_demo
from app.helplogs.models import HelpLog, LogStatus
from app.teams.models import Team
from tests.conftest import count_rows, make_household, make_log

pytestmark = pytest.mark.slow  # loads the demo data: 69 communes, thousands of households and logs

FORMER_AREAS = ("Kỳ Anh", "Thạch Hà", "Can Lộc", "Nghi Xuân")


def test_the_staff_account_opens_on_a_story(app, db):
    seed_demo()
    today = local_today()
    staff = db.session.scalar(select(User).where(User.username == "staff"))
    province = queries.view_for(staff, None)
    rows, total = queries.table(province, period_from({"period": "year"}, today))

    active = [row for row in rows if row.has_data]
    for area in FORMER_AREAS:
        found = [row.area.name for row in active if area in (row.area.former_district or "")]
        assert len(found) >= 2, (area, found)
    assert total.behind and total.target  # the province's own target, behind schedule
    with_target = [row for row in rows if row.target]
    assert {row.behind for row in with_target} == {True, False}  # some ahead, some behind
    assert queries.ordered(rows, None, False)[0].behind  # the furthest behind first

    days = db.session.execute(select(func.min(HelpLog.helped_on), func.max(HelpLog.helped_on))
                              .where(HelpLog.status == LogStatus.APPROVED)).one()
    assert days[0] <= today - timedelta(days=150) and days[1] >= today - timedelta(days=3)  # ~six months

    villages = {}
    for row in active:
        view = queries.view_of(staff, row.area)
        village_rows, _ = queries.table(view, period_from({"period": "year"}, today))
        gaps = queries.gaps(view, today)
        villages[row.area.name] = (village_rows, gaps)
    shares = [r.share for rows_, _ in villages.values() for r in rows_ if r.share is not None and r.has_data]
    assert max(shares) >= 0.6 and min(shares) <= 0.1  # well covered and barely touched
    assert all(gaps.never for _, gaps in villages.values())  # every commune still has villages to visit
    assert sum(len(gaps.stale) for _, gaps in villages.values()) >= 5  # not visited for 30+ days

    assert summaries.drift() == {}  # the summaries match a recomputation from the logs
    accounts = db.session.scalars(select(User).where(User.username.in_(["staff", "tt.kyanh", "tnv.codam.1"]))).all()
    assert len(accounts) == 3 and all(verify_password(u.password_hash, DEMO_PASSWORD) for u in accounts)

    team = db.session.scalar(select(Team).where(Team.name == "Tổ công nghệ số cộng đồng Cổ Đạm"))
    household = make_household(team.villages[0], "Hộ mới")  # the ids written in bulk left the sequences past them
    make_log(team.memberships[0].user, team, household)

    counts = {model: count_rows(model) for model in (HelpLog, Target, User)}
    seed_demo()
    assert {model: count_rows(model) for model in (HelpLog, Target, User)} == counts


def test_the_demo_has_training_to_read(app, db):
    """A ten-question quiz on the five skills; past sessions in the four old areas with a positive
    gain, a question to teach again and feedback; the demo volunteer is on next week's list.
    Seeding again adds nothing."""
    from app.training.models import Question, Quiz, TrainingSession
    from app.training.queries import attendees
    from app.training.reports import session_results

    seed_demo()
    quiz = db.session.scalar(select(Quiz))
    assert len(quiz.questions) == 10
    assert {q.service.code for q in quiz.questions} == {"VNEID", "DVC", "TTKDTM", "QR", "TMDT", "ATTT"}
    sessions = list(db.session.scalars(select(TrainingSession).order_by(TrainingSession.starts_at)))
    past = [s for s in sessions if s.post_state == "closed"]
    for area in FORMER_AREAS:
        assert any(area in (s.commune.former_district or "") for s in past), area
    results = [session_results(s) for s in past]
    assert all(r.gain is None or r.gain > 0 for r in results) and any(r.gain for r in results)
    assert any(row.figures.teach_again for r in results for row in r.rows)
    assert all(r.feedback_count for r in results)
    upcoming = sessions[-1]
    assert upcoming.post_state == "new"
    assert "volunteer" in {a.user.username for a in attendees(upcoming)}
    counts = (count_rows(TrainingSession), count_rows(Question))
    seed_demo()
    assert (count_rows(TrainingSession), count_rows(Question)) == counts
