"""Volunteers' tasks: a Tasks tab in their navigation, and "My tasks" on Today split into the
tasks given to them and the open tasks of their team nobody has taken yet."""

import re

from tests.conftest import make_task, sign_in


def nav_of(html: str) -> str:
    return re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)


def test_volunteers_have_a_tasks_tab(client, world):
    sign_in(client, world["volunteer"])
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/tasks", headers=headers)
        assert response.status_code == 200
    page = client.get("/tasks").get_data(as_text=True)
    assert '<a href="/tasks" aria-current="page">Nhiệm vụ</a>' in nav_of(page)
    assert f'href="/tasks/{world["task_a"].id}"' in page
    fragment = client.get("/tasks?who=open", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and f'href="/tasks/{world["task_a"].id}"' in fragment
    assert re.search(r'<a href="/tasks"\s*>Nhiệm vụ</a>', nav_of(client.get("/").get_data(as_text=True)))


def test_staff_have_no_tasks_tab(client, world):
    sign_in(client, world["staff"])
    assert 'href="/tasks"' not in nav_of(client.get("/coverage").get_data(as_text=True))


def test_today_separates_tasks_given_to_me_from_open_ones(client, world, services):
    mine = make_task(world["team_a"], world["village_a1"], [services["DVC"]], leader=world["leader"],
                     assignee=world["volunteer"])
    sign_in(client, world["volunteer"])
    html = client.get("/").get_data(as_text=True)
    given = re.search(r'<ul class="list tasks today-tasks" id="given-tasks".*?</ul>', html, re.S).group(0)
    open_ = re.search(r'<ul class="list tasks today-tasks" id="open-tasks".*?</ul>', html, re.S).group(0)
    assert f'href="/tasks/{mine.id}"' in given and f'href="/tasks/{world["task_a"].id}"' not in given
    assert f'href="/tasks/{world["task_a"].id}"' in open_ and f'href="/tasks/{mine.id}"' not in open_
    assert "Giao cho tôi (1)" in html and "Của tổ, chưa có người nhận (1)" in html
    assert html.index("Giao cho tôi") < html.index("Của tổ, chưa có người nhận")


def test_no_empty_group_is_shown(client, world):
    sign_in(client, world["volunteer"])
    html = client.get("/").get_data(as_text=True)
    assert 'id="open-tasks"' in html and 'id="given-tasks"' not in html and "Giao cho tôi" not in html
