"""A task's households on a phone: a one-line mark (details on tap) where another task covers a
household, one line for a task covering the whole village, and a search among them."""

import re

from tests.conftest import make_household, make_task, sign_in
from tests.tasks.conftest import households_of

HTMX = {"HX-Request": "true"}


def rows_of(html: str) -> dict[str, str]:
    """Each household row of the task's list, by the household's name."""
    section = html[html.index('id="task-households"'):]
    rows = re.findall(r'<li><div class="row">\s*<span>([^<]+?)\s*(<.*?)</div></li>', section, re.S)
    return {name.strip(): rest for name, rest in rows}


def test_an_overlap_is_one_line_per_household_with_details_on_tap(client, world, services, village, db):
    first, second, *_ = households_of(db, village)
    make_task(world["team_a"], village, [services["VNEID"]], leader=world["leader"], households=[second],
              assignee=world["volunteer"])
    sign_in(client, world["leader"])
    for headers in ({}, HTMX):
        html = client.get(f"/tasks/{world['task_a'].id}", headers=headers).get_data(as_text=True)
        assert ("<html" in html) == (not headers)
        rows = rows_of(html)
        assert 'class="overlap-mark"' in rows[second.display_name]
        assert "<summary>Cũng thuộc 1 nhiệm vụ khác</summary>" in rows[second.display_name]
        assert "Volunteer" in rows[second.display_name].split("</summary>")[1]
        assert "overlap-mark" not in rows[first.display_name]
        assert "covered-all" not in html


def test_a_village_wide_overlap_is_said_once(client, world, services, village, db):
    make_task(world["team_a"], village, [services["VNEID"]], leader=world["leader"])
    sign_in(client, world["leader"])
    html = client.get(f"/tasks/{world['task_a'].id}").get_data(as_text=True)
    assert html.count('class="covered-all"') == 1 and "overlap-mark" not in html
    assert "Một nhiệm vụ khác bao gồm mọi hộ ở đây" in html


def test_search_among_the_tasks_households(client, world, services, village, db):
    for n in range(8):
        make_household(village, f"Trần Văn Khải {n}")
    task = world["task_a"]
    sign_in(client, world["volunteer"])
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="task-q"' in page and "Chưa được hỗ trợ (12)" in page
    for headers in ({}, HTMX):
        html = client.get(f"/tasks/{task.id}?q=ho thi mai", headers=headers).get_data(as_text=True)
        assert ("<html" in html) == (not headers) and 'id="task-households"' in html
        assert list(rows_of(html)) == ["Hồ Thị Mai"] and "1 hộ khớp" in html
        assert 'value="ho thi mai"' in html and "Chưa được hỗ trợ (" not in html
    nothing = client.get(f"/tasks/{task.id}?q=zzz", headers=HTMX).get_data(as_text=True)
    assert rows_of(nothing) == {} and "Không tìm thấy hộ nào" in nothing
    reached = client.get(f"/tasks/{task.id}?q=khai&show=reached", headers=HTMX).get_data(as_text=True)
    assert rows_of(reached) == {}


def test_a_small_task_has_no_search(client, world, village):
    sign_in(client, world["leader"])
    assert 'id="task-q"' not in client.get(f"/tasks/{world['task_a'].id}").get_data(as_text=True)


def test_a_long_or_odd_search_is_no_error(client, world, village):
    sign_in(client, world["leader"])
    assert client.get(f"/tasks/{world['task_a'].id}?q={'a' * 5000}").status_code == 200
    assert client.get(f"/tasks/{world['task_a'].id}?q=%25_%5C").status_code == 200
    assert client.get(f"/tasks/{world['task_a'].id}?q=a%00b").status_code == 400
