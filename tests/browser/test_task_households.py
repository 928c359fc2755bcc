"""A task's households on a phone: where another task covers a household, one line that opens
on tap; a search among the task's households that keeps the cursor in the box."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in


def overlapping_tasks(live_app) -> tuple[int, list[str]]:
    """A new village-wide task of the leader's team, and another task for two of its households
    with the same help: the id of the first, and the names of the two households."""
    from app.accounts.models import User
    from app.catalog.models import Service
    from app.core.db import local_today
    from app.extensions import db
    from app.households.models import Household
    from app.tasks.models import Task, TaskScope
    from app.teams.models import Membership

    with live_app.app_context():
        leader = db.session.scalar(select(User).where(User.username == "leader"))
        team = db.session.scalars(select(Membership).where(Membership.user_id == leader.id)).first().team
        village = sorted(team.villages, key=lambda v: v.id)[-1]
        service = db.session.scalar(select(Service).where(Service.code == "CKS"))
        households = list(db.session.scalars(select(Household).where(Household.village_id == village.id)
                                             .order_by(Household.search_key).limit(2)))
        today = local_today()
        common = dict(team=team, village=village, services=[service], created_by=leader, starts_on=today,
                      due_on=today + timedelta(days=10), target_count=2)
        wide = Task(scope=TaskScope.VILLAGE, is_open=True, **common)
        listed = Task(scope=TaskScope.HOUSEHOLDS, assignee=leader, households=households, **common)
        db.session.add_all([wide, listed])
        db.session.commit()
        return wide.id, [h.display_name for h in households]


def test_overlap_marks_and_search_on_a_task(page: Page, live_app):
    task_id, (first, second) = overlapping_tasks(live_app)
    signed_in(page, "leader")
    page.goto(f"/tasks/{task_id}")
    row = page.locator("#task-households li", has_text=first).first
    mark = row.locator(".overlap-mark")
    expect(mark.locator("summary")).to_have_text("Cũng thuộc 1 nhiệm vụ khác")
    expect(mark.locator("ul")).to_be_hidden()
    mark.locator("summary").click()
    expect(mark.locator("ul")).to_contain_text("Chữ ký số")
    expect(mark.locator("ul")).to_contain_text("Trần Thị Hương")
    assert_no_horizontal_scroll(page)
    shot(page, "task-overlaps-vi")

    search = page.locator("#task-q")
    search.click()
    page.keyboard.type(second.split()[-1].lower())
    expect(page.locator("#task-households .muted", has_text="hộ khớp")).to_be_visible()
    expect(page.locator("#task-households li", has_text=second).first).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "task-q"
    expect(page).to_have_url(re.compile(r"q=\w+"))
    shot(page, "task-search-vi")

    page.goto(f"/tasks/{task_id}?lang=en")
    expect(page.locator("#task-households li", has_text=first).first.locator(".overlap-mark summary")).to_have_text(
        "Also in 1 other task")
    page.locator("#task-households .filters-nav a").nth(1).click()
    expect(page.locator("#task-households .filters-nav a").nth(1)).to_have_attribute("aria-current", "true")
    shot(page, "task-households-en")
