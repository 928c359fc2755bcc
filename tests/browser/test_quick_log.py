"""A known household with two kinds of help, counted in taps: from Today to saved in at most
six taps plus the search keystrokes, and nothing to scroll (each tapped control is on screen
when tapped, Save included)."""

import re

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import VIEWPORT, shot
from tests.browser.helpers import signed_in, submit_waiting_logs
from tests.browser.test_helplogs import count_logs

MAX_TAPS = 6


class Taps:
    """Taps on a touch screen, counted; each target must already be on screen (no scroll)."""

    def __init__(self, page: Page):
        self.page, self.count = page, 0

    def tap(self, target: Locator, what: str) -> None:
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (
            f"{what} is off screen at y={box and box['y']:.0f}: the user would have to scroll")
        assert self.page.evaluate("window.scrollY") == 0, f"the page scrolled before tapping {what}"
        target.tap()
        self.count += 1


def a_household_to_find(live_app, village_id: int) -> str:
    """A household of the village whose name no other household there shares."""
    from app.extensions import db
    from app.households.models import Household

    with live_app.app_context():
        return db.session.scalar(
            select(Household.display_name)
            .where(Household.village_id == village_id, Household.anonymised_at.is_(None))
            .group_by(Household.display_name).having(func.count() == 1)
            .order_by(Household.display_name).limit(1))


def without_accents(name: str) -> str:
    from app.core.text import search_key

    return search_key(name)


def test_known_household_two_services_in_six_taps_and_no_scroll(page: Page, live_app):
    signed_in(page, "volunteer")
    taps = Taps(page)
    taps.tap(page.get_by_role("link", name="+ Ghi lượt hỗ trợ"), "the log button")
    expect(page.locator("h1")).to_have_text("Ghi lượt hỗ trợ")
    village_id = int(page.locator("#village_id").input_value())
    name = a_household_to_find(live_app, village_id)

    taps.tap(page.locator("#q"), "the search box")
    page.keyboard.type(without_accents(name))
    option = page.locator("#household-options .option", has_text=name)
    expect(option).to_have_count(1)
    taps.tap(option, "the household")
    expect(page.locator("#household-options .option:visible")).to_have_count(2)  # it, and "Chọn hộ khác"

    usual = page.locator("#log-form .tiles > .tile")
    chosen = [usual.nth(0).inner_text(), usual.nth(1).inner_text()]
    taps.tap(usual.nth(0), f"the tile {chosen[0]!r}")
    taps.tap(usual.nth(1), f"the tile {chosen[1]!r}")
    expect(page.locator("#log-form .more-services")).not_to_have_attribute("open", "")
    save = page.get_by_role("button", name="Lưu lượt hỗ trợ")
    expect(save).to_be_in_viewport()
    shot(page, "log-form-quick-vi")

    before = count_logs(live_app)
    taps.tap(save, "Save")
    expect(page.locator(".saved-title")).to_contain_text("Đã lưu")
    assert count_logs(live_app) == before + 1
    assert taps.count <= MAX_TAPS, f"{taps.count} taps, over {MAX_TAPS}"
    summary = page.locator("#log-form .facts")
    expect(summary).to_contain_text(name)
    for service in chosen:
        expect(summary).to_contain_text(service)


def test_choose_another_household_and_open_more(page: Page):
    signed_in(page, "volunteer")
    page.goto("/logs/new?lang=en")
    first = page.locator("#household-options .option:not(.change-household)").first
    second_name = page.locator("#household-options .option:not(.change-household)").nth(1).inner_text()
    first.tap()
    expect(page.locator("#household-options .option:visible")).to_have_count(2)
    another = page.locator("#household-options .change-household")
    expect(another).to_have_text("Choose another household")
    another.tap()
    expect(page.locator("#household-options .option", has_text=second_name.splitlines()[0])).to_be_visible()
    expect(another).to_be_hidden()

    more = page.locator("#log-form .more-services")
    expect(more.locator(".tile").first).to_be_hidden()
    more.locator("summary").tap()
    expect(more.locator(".tile").first).to_be_visible()
    more.locator(".tile").first.tap()
    expect(more.locator(".tile input").first).to_be_checked()
    expect(page.get_by_role("button", name="Save the log")).to_be_in_viewport()
    shot(page, "log-form-more-en")


def returned_log(live_app) -> int:
    """A log of the demo volunteer that the leader returned."""
    from app.accounts.models import User
    from app.extensions import db
    from app.helplogs.models import HelpLog
    from app.reviews.services import return_log

    log_id = submit_waiting_logs(live_app, 1)[0]
    with live_app.app_context():
        leader = db.session.scalar(select(User).where(User.username == "leader"))
        log = db.session.get(HelpLog, log_id)
        return_log(leader, log, version=log.version, reason="wrong_service", comment=None)
    return log_id


def test_the_fix_form_keeps_save_on_screen(page: Page, live_app):
    log_id = returned_log(live_app)
    signed_in(page, "volunteer")
    page.locator(f'#returned-logs li a[href="/logs/{log_id}/edit"]').click()
    expect(page.locator("h1")).to_have_text(re.compile("Sửa"))
    save = page.get_by_role("button", name="Lưu thay đổi")
    expect(save).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0
    chosen = page.locator("#log-form .tile input:checked")
    expect(chosen.first).to_be_attached()
    expect(page.locator("#log-form .tile:has(input:checked)").first).to_be_visible()  # never hidden in "More…"
    shot(page, "fix-form-vi")
    page.locator("#log-form .seg", has_text="Xong một phần").tap()
    save.tap()
    expect(page.locator(".saved-title")).to_contain_text("Đã lưu")
