"""Who manages which accounts: administrators only, a commune administrator within their
commune, and nobody gives a role wider than their own."""

import pytest
from sqlalchemy import select

from app.access import user_filter
from app.accounts.models import Role, User
from app.accounts.rules import AccountError, check_role_grant
from app.accounts.services import deactivate_account, update_account
from tests.accounts.conftest import new_account
from tests.conftest import events, make_user, sign_in


def test_nobody_gives_a_role_wider_than_their_own(world):
    check_role_grant(world["leader"], Role.LEADER)
    with pytest.raises(AccountError) as refused:
        check_role_grant(world["leader"], Role.STAFF)
    assert refused.value.status == 403
    check_role_grant(world["admin"], Role.ADMIN)


def test_only_administrators_manage_accounts(db, world):
    with pytest.raises(AccountError) as refused:
        new_account(world["staff"])
    assert refused.value.status == 403
    with pytest.raises(AccountError):
        deactivate_account(world["leader"], world["volunteer"])


def test_commune_admin_gives_only_areas_inside_their_commune(db, world, commune_admin):
    inside, _ = new_account(commune_admin, home_area=world["village_a1"])
    assert inside.home_area == world["village_a1"]
    for area in (world["province"], world["commune_b"], None):
        with pytest.raises(AccountError) as refused:
            new_account(commune_admin, username="other", phone=None, home_area=area)
        assert refused.value.field == "home_area" and refused.value.status == 403
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "other")) is None


def test_commune_admin_cannot_widen_a_users_area(db, world, commune_admin):
    with pytest.raises(AccountError) as refused:
        update_account(commune_admin, world["volunteer"], full_name="Volunteer", role=Role.VOLUNTEER,
                       home_area=world["province"], phone=None)
    assert refused.value.field == "home_area" and refused.value.status == 403


def test_commune_admin_cannot_touch_accounts_outside_their_area(db, world, commune_admin):
    with pytest.raises(AccountError) as refused:
        deactivate_account(commune_admin, world["outsider"])
    assert refused.value.status == 403
    assert world["outsider"].is_active


def test_commune_admin_sees_only_accounts_of_their_commune(client, world, commune_admin):
    sign_in(client, commune_admin)
    results = client.get("/accounts/").get_data(as_text=True).split('id="results"')[1]
    assert "Volunteer" in results and "Leader" in results
    assert "Outsider" not in results and "Staff_B" not in results
    assert client.get(f"/accounts/{world['outsider'].id}").status_code == 404
    assert client.get(f"/accounts/{world['admin'].id}").status_code == 404
    assert client.get(f"/accounts/{world['volunteer'].id}").status_code == 200


@pytest.mark.parametrize("username", ["volunteer", "leader", "staff"])
def test_only_admins_reach_the_account_pages(client, world, username):
    sign_in(client, world[username])
    assert client.get("/accounts/").status_code == 403
    assert client.get(f"/accounts/{world['volunteer'].id}").status_code == 403
    assert client.post(f"/accounts/{world['outsider'].id}/deactivate").status_code == 403
    assert world["outsider"].is_active


def test_commune_admin_widening_an_area_gets_403_and_a_message(client, world, db, commune_admin):
    sign_in(client, commune_admin)
    volunteer = world["volunteer"]
    response = client.post(f"/accounts/{volunteer.id}", data={
        "full_name": "Volunteer", "role": "volunteer", "home_area": str(world["province"].id), "phone": ""})
    assert response.status_code == 403
    assert "Bạn chỉ được giao địa bàn trong Xã Thạch Hà." in response.get_data(as_text=True)
    db.session.expire_all()
    assert volunteer.home_area_id == world["commune_a"].id
    assert events(db, "user.updated") == []


def test_commune_admin_form_offers_only_their_areas(client, world, commune_admin):
    sign_in(client, commune_admin)
    html = client.get("/accounts/new").get_data(as_text=True)
    assert "Xã Thạch Hà" in html and "Xã Can Lộc" not in html and "Tỉnh Hà Tĩnh" not in html
    assert "Không có địa bàn" not in html


def test_whose_accounts_each_one_sees(db, world, commune_admin):
    make_user("homeless", Role.VOLUNTEER)  # an account without a home area
    nowhere_admin = make_user("admin_all", Role.ADMIN)

    def visible(user):
        return set(db.session.scalars(select(User.username).where(user_filter(user))))

    everyone = {"admin", "staff", "staff_b", "leader", "volunteer", "outsider", "admin_a", "homeless", "admin_all"}
    assert visible(world["volunteer"]) == {"volunteer"} and visible(world["staff"]) == {"staff"}
    assert visible(world["admin"]) == everyone  # the province: those without an area too
    assert visible(nowhere_admin) == everyone
    assert visible(commune_admin) == {"leader", "volunteer", "admin_a"}
