"""The kinds-of-help pages (administrators only), and lists showing short names with the full
name on hover while detail pages show the full name."""

import pytest

from tests.conftest import make_services, sign_in


def test_admin_lists_and_renames_through_the_pages(client, world, db):
    service = make_services()["YTASXH"]
    sign_in(client, world["admin"])
    html = client.get("/services/?lang=vi").get_data(as_text=True)
    assert "Y tế số" in html and "VNeID" in html and f"/services/{service.id}/edit" in html
    assert "Nội dung hỗ trợ" in client.get("/").get_data(as_text=True)  # linked from the admin's home
    form = client.get(f"/services/{service.id}/edit").get_data(as_text=True)
    assert 'value="Y tế số"' in form
    response = client.post(f"/services/{service.id}/edit", data={
        "name_vi": service.name_vi, "name_en": service.name_en, "short_name_vi": "Y tế, an sinh số",
        "short_name_en": "Digital health"})
    assert response.status_code == 303 and response.location.endswith("/services/")
    db.session.expire_all()
    assert service.short_name_vi == "Y tế, an sinh số"


def test_bad_names_are_400_in_the_fragment_and_keep_the_old_names(client, world, db):
    service = make_services()["YTASXH"]
    sign_in(client, world["admin"])
    response = client.post(f"/services/{service.id}/edit?lang=vi", headers={"HX-Request": "true"}, data={
        "name_vi": "", "name_en": service.name_en, "short_name_vi": "x" * 41, "short_name_en": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and html.strip().startswith("<form") and 'id="service-form"' in html
    assert "Nhập tên đầy đủ của nội dung hỗ trợ." in html and "40" in html
    db.session.expire_all()
    assert service.short_name_vi == "Y tế số"


@pytest.mark.parametrize("role", ["staff", "leader", "volunteer"])
def test_only_administrators_open_the_pages(client, world, role):
    service = make_services()["YTASXH"]
    sign_in(client, world[role])
    assert client.get("/services/").status_code == 403
    assert client.get(f"/services/{service.id}/edit").status_code == 403
    assert client.post(f"/services/{service.id}/edit", data={"name_vi": "x", "name_en": "x"}).status_code == 403


def test_an_unknown_service_is_404(client, world):
    sign_in(client, world["admin"])
    assert client.get("/services/999999/edit").status_code == 404
    assert client.get(f"/services/{2**63}/edit").status_code == 404


def test_lists_show_short_names_and_detail_pages_the_full_name(client, world, db):
    log = world["log_a"]  # VNeID
    sign_in(client, world["volunteer"])
    mine = client.get("/logs?lang=vi").get_data(as_text=True)
    assert '<abbr title="Định danh điện tử VNeID">VNeID</abbr>' in mine and "VNEID" not in mine
    detail = client.get(f"/logs/{log.id}?lang=vi").get_data(as_text=True)
    assert "Định danh điện tử VNeID" in detail
