"""Task pages and fragments: the new-task form and its redraws, the task page and its household
lists, claiming, releasing, changing and ending from the page, the list, and bounded SQL."""

from datetime import timedelta

import pytest

from app.core.db import local_today
from app.tasks.models import Task
from app.tasks.services import claim_task, release_task
from tests.conftest import count_queries, make_household, make_member, make_task, sign_in
from tests.tasks.conftest import approved, count_tasks, households_of, new_task_form


def test_leader_sets_a_task_from_the_form(client, world, services, village):
    sign_in(client, world["leader"])
    page = client.get("/tasks/new")
    assert page.status_code == 200 and "Nhiệm vụ mới" in page.get_data(as_text=True)
    response = client.post("/tasks/new", data=new_task_form(world, services))
    assert response.status_code == 303
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Volunteer" in html and "0 / 4" in html


def test_the_form_under_htmx_redirects_and_redraws(client, world, services, village):
    sign_in(client, world["leader"])
    htmx = {"HX-Request": "true"}
    redrawn = client.post("/tasks/new", data=new_task_form(world, services, choose="listed", refresh="1"), headers=htmx)
    html = redrawn.get_data(as_text=True)
    assert redrawn.status_code == 200 and "<html" not in html
    assert html.count('name="household_ids"') == 4 and "Hồ Thị Mai" in html
    response = client.post("/tasks/new", data=new_task_form(world, services), headers=htmx)
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/tasks/")


def test_the_household_list_marks_reached_and_covered_households(client, world, services, village, db):
    first, second, *_ = households_of(db, village)
    approved(world, first, service=services["DVC"])
    make_task(world["team_a"], village, [services["DVC"]], leader=world["leader"], households=[second],
              assignee=world["volunteer"])
    sign_in(client, world["leader"])
    html = client.post("/tasks/new", data=new_task_form(world, services, choose="listed", refresh="1"),
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "đã được hỗ trợ nội dung này" in html and "Trong nhiệm vụ khác: Volunteer" in html
    assert "(3)" in html  # three not yet reached for this help


@pytest.mark.parametrize("fields, message", [
    ({"due_on": "2020-01-01"}, "Hạn hoàn thành không được trước hôm nay."),
    ({"target_count": "0"}, "Nhập số hộ, từ 1 trở lên."),
    ({"target_count": "9"}, "Chỉ tiêu không được nhiều hơn 4 hộ của nhiệm vụ."),
    ({"choose": "listed", "household_ids": []}, "Đánh dấu các hộ của nhiệm vụ."),
])
def test_bad_input_answers_400_with_the_message(client, world, services, village, db, fields, message):
    sign_in(client, world["leader"])
    before = count_tasks(db)
    response = client.post("/tasks/new", data=new_task_form(world, services, **fields))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count_tasks(db) == before


def test_wtforms_own_messages_are_in_vietnamese(client, world, services, village):
    sign_in(client, world["leader"])
    response = client.post("/tasks/new", data=new_task_form(world, services, target_count="1e3", due_on="2026-02-30"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Không phải là số nguyên hợp lệ." in html and "Không phải là ngày hợp lệ." in html
    assert "Not a valid" not in html


def test_claim_in_place_and_the_second_claim_is_told_who(client, world, db):
    second = make_member(world["team_a"], "second", full_name="Ngô Thị Hạnh")
    task_id = world["task_a"].id
    sign_in(client, world["volunteer"])
    response = client.post(f"/tasks/{task_id}/claim", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="task-assignment"' in html and "<html" not in html
    assert "Nhiệm vụ là của bạn." in html and "Thôi nhận" in html
    sign_in(client, second)
    late = client.post(f"/tasks/{task_id}/claim", headers={"HX-Request": "true"})
    assert late.status_code == 409 and "Volunteer vừa nhận nhiệm vụ này." in late.get_data(as_text=True)
    # The households list comes along out of band, without log buttons for someone else's task.
    assert 'id="task-households" class="task-households" hx-swap-oob="true"' in late.get_data(as_text=True)
    assert "/logs/new?task_id=" not in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task_id).assignee_id == world["volunteer"].id
    sign_in(client, world["outsider"])
    assert client.post(f"/tasks/{task_id}/claim").status_code == 404


def test_release_without_javascript_goes_back_to_the_task(client, world):
    task = claim_task(world["volunteer"], world["task_a"])
    sign_in(client, world["volunteer"])
    response = client.post(f"/tasks/{task.id}/release")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tasks/{task.id}")


def test_releasing_a_task_nobody_took_says_so(client, world):
    sign_in(client, world["volunteer"])
    response = client.post(f"/tasks/{world['task_a'].id}/release")
    assert response.status_code == 409 and "Chưa có người nhận nhiệm vụ này" in response.get_data(as_text=True)


def test_changing_a_claimed_task_keeps_the_claim(client, world, services, db):
    task = claim_task(world["volunteer"], world["task_a"])
    sign_in(client, world["leader"])
    response = client.post(f"/tasks/{task.id}/edit", data={
        "version": str(task.version), "service_ids": [services["VNEID"].id], "target_count": "1",
        "due_on": (local_today() + timedelta(days=30)).isoformat(), "assignee_id": world["volunteer"].id, "note": ""})
    assert response.status_code == 303
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.is_open and task.assignee_id == world["volunteer"].id
    release_task(world["volunteer"], task)
    assert task.claimable


def test_edit_with_a_stale_version_answers_409(client, world, services, db):
    sign_in(client, world["leader"])
    form = client.get(f"/tasks/{world['task_a'].id}/edit").get_data(as_text=True)
    assert '<input id="version" name="version" type="hidden" value="1">' in form
    claim_task(world["volunteer"], world["task_a"])
    response = client.post(f"/tasks/{world['task_a'].id}/edit", data={
        "version": "1", "service_ids": [services["VNEID"].id], "target_count": "1",
        "due_on": (local_today() + timedelta(days=3)).isoformat(), "assignee_id": "", "note": ""})
    assert response.status_code == 409 and "Nhiệm vụ này vừa thay đổi" in response.get_data(as_text=True)
    assert db.session.get(Task, world["task_a"].id).target_count == 1


def test_a_stale_edit_under_htmx_shows_the_form_again_as_the_task_is_now(client, world, services, db):
    claim_task(world["volunteer"], world["task_a"])
    sign_in(client, world["leader"])
    response = client.post(f"/tasks/{world['task_a'].id}/edit", headers={"HX-Request": "true"}, data={
        "version": "1", "service_ids": [services["VNEID"].id], "target_count": "1",
        "due_on": (local_today() + timedelta(days=3)).isoformat(), "assignee_id": "", "note": "mới"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="task-form"' in html and "<html" not in html
    assert "Nhiệm vụ này vừa thay đổi" in html and 'name="version" type="hidden" value="2"' in html
    assert "mới" not in html


def test_close_and_cancel_from_the_page(client, world, services):
    sign_in(client, world["leader"])
    task_id = world["task_a"].id
    assert client.post(f"/tasks/{task_id}/close", data={"version": "1"}).status_code == 303
    again = client.post(f"/tasks/{task_id}/cancel", data={"version": "1"})
    assert again.status_code == 409
    assert client.get(f"/tasks/{task_id}/edit").status_code == 409
    closed = client.get("/tasks?status=closed").get_data(as_text=True)
    assert f"/tasks/{task_id}" in closed


def test_the_task_page_lists_households_to_reach_and_reached(client, world, services, village, db):
    first, *_ = households_of(db, village)
    approved(world, first)
    sign_in(client, world["volunteer"])
    task_id = world["task_a"].id
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Chưa được hỗ trợ (3)" in html and "Đã được hỗ trợ (1)" in html and "1 / 1 hộ" in html
    assert f"/logs/new?task_id={task_id}&amp;household_id=" in html
    fragment = client.get(f"/tasks/{task_id}?show=reached", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and first.display_name in fragment and "Hồ Thị Mai" not in fragment


def test_an_anonymised_household_leaves_a_listed_task(client, world, services, village, db):
    from app.core.db import utcnow
    from app.tasks.queries import scope_size
    first, second, *_ = households_of(db, village)
    task = make_task(world["team_a"], village, [services["VNEID"]], leader=world["leader"], households=[first, second])
    assert scope_size(task) == 2
    second.anonymised_at = utcnow()
    db.session.commit()
    assert scope_size(task) == 1
    sign_in(client, world["leader"])
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Chưa được hỗ trợ (1)" in html and f"household_id={second.id}" not in html


def test_the_task_list_pages_in_place(client, world, services):
    for day in range(21):
        make_task(world["team_a"], world["village_a1"], [services["DVC"]], leader=world["leader"], days=day + 1)
    sign_in(client, world["volunteer"])
    first = client.get("/tasks").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Trang 1/2" in first
    last = client.get("/tasks?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert last.startswith('<div id="task-list">') and 'rel="prev"' in last and 'hx-push-url="true"' in last
    assert last.count('class="task-row') == 2  # 22 tasks, 20 a page


def grow(world, services, village, db, n, start=0):
    """More tasks (assigned, each with its household listed and reached) and more logs."""
    for i in range(start, start + n):
        household = make_household(village, f"Hộ thêm {i}")
        make_task(world["team_a"], village, [services["DVC"]], leader=world["leader"], assignee=world["volunteer"],
                  households=[household], days=i + 1)
        approved(world, household, service=services["DVC"])


@pytest.mark.parametrize("url", ["/", "/tasks", "/tasks?who=mine", "TASK"])
def test_task_pages_run_a_bounded_number_of_statements(client, world, services, village, db, url):
    sign_in(client, world["volunteer"])
    url = url.replace("TASK", f"/tasks/{world['task_a'].id}")
    grow(world, services, village, db, 1)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    grow(world, services, village, db, 6, start=1)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many() == few()


def test_the_new_task_form_runs_a_bounded_number_of_statements(client, world, services, village, db):
    sign_in(client, world["leader"])
    data = new_task_form(world, services, choose="listed", refresh="1")
    grow(world, services, village, db, 1)
    with count_queries() as few:
        assert client.post("/tasks/new", data=data).status_code == 200
    grow(world, services, village, db, 6, start=1)
    with count_queries() as many:
        assert client.post("/tasks/new", data=data).status_code == 200
    assert many() == few()


def test_the_new_task_form_of_an_administrator_is_bounded(client, world, services, db):
    from app.areas.models import AreaKind
    from tests.conftest import make_area, make_team
    sign_in(client, world["admin"])
    with count_queries() as few:
        assert client.get("/tasks/new").status_code == 200
        assert client.get("/tasks").status_code == 200
    for i in range(5):
        commune = make_area(AreaKind.COMMUNE, f"Xã Mới {i}", world["province"])
        make_team(commune, [make_area(AreaKind.VILLAGE, "Thôn 1", commune)], name=f"Tổ mới {i}")
    with count_queries() as many:
        assert client.get("/tasks/new").status_code == 200
        assert client.get("/tasks").status_code == 200
    assert many() == few()
