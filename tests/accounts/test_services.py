"""Account services: creating, changing, deactivating, resetting and choosing a password, the
language; the rules they keep (the last administrator stays, values are checked)."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.passwords import verify_password
from app.accounts.rules import AccountError
from app.accounts.services import (
    change_own_password,
    deactivate_account,
    reactivate_account,
    reset_password,
    set_language,
    update_account,
)
from app.accounts.sessions import load_session_user
from app.audit.models import AuditEvent
from tests.accounts.conftest import live_sessions, new_account, user_count
from tests.conftest import PASSWORD, english, events, new_session_id


def test_create_account_gives_a_temporary_password_and_audits_masked(db, world):
    user, password = new_account(world["admin"], home_area=world["commune_a"])
    assert user.phone == "+84912345678" and user.search_key == "nguyen van duc"
    assert user.must_change_password and verify_password(user.password_hash, password)
    assert len(password) >= 8
    (event,) = events(db, "user.created")
    assert event.actor_id == world["admin"].id and event.object_id == user.id
    assert event.changes["full_name"] == "•••" and event.changes["phone"] == "•••"
    assert event.changes["role"] == "volunteer"


@pytest.mark.parametrize("overrides,field,status", [
    ({"full_name": "Đ" * 500}, "full_name", 400),
    ({"full_name": "😀🎉"}, "full_name", 400),
    ({"full_name": "   "}, "full_name", 400),
    ({"phone": "091234567"}, "phone", 400),
    ({"phone": "912345678"}, "phone", 400),
    ({"phone": "0212345678"}, "phone", 400),
    ({"username": "Volunteer"}, "username", 409),
    ({"username": "tên có dấu"}, "username", 400),
    ({"role": Role.STAFF}, "home_area", 400),
])
def test_create_account_refuses_bad_values_and_saves_nothing(db, world, overrides, field, status):
    before = user_count(db)
    with pytest.raises(AccountError) as refused:
        new_account(world["admin"], **overrides)
    db.session.rollback()
    assert (refused.value.field, refused.value.status) == (field, status)
    assert english(refused.value)
    assert user_count(db) == before
    assert events(db, "user.created") == []


def test_nine_digits_get_their_own_message(world):
    with pytest.raises(AccountError) as refused:
        new_account(world["admin"], phone="091 234 567")
    assert "9 digits" in english(refused.value)


def test_a_phone_used_by_another_account_is_refused(db, world):
    world["volunteer"].phone = "+84912345678"
    db.session.commit()
    with pytest.raises(AccountError) as refused:
        new_account(world["admin"])
    assert refused.value.field == "phone" and refused.value.status == 409


def test_province_admin_may_leave_the_home_area_empty(db, world):
    user, _ = new_account(world["admin"], home_area=None)
    assert user.home_area is None


def test_update_records_only_the_changed_fields_as_old_new(db, world):
    volunteer = world["volunteer"]
    changes = update_account(world["admin"], volunteer, full_name="Lê Văn Nam", role=Role.LEADER,
                             home_area=world["commune_a"], phone="0987654321")
    assert changes["role"] == ["volunteer", "leader"]
    assert set(changes) == {"full_name", "role", "phone"}
    (event,) = events(db, "user.updated")
    assert event.changes == {"full_name": ["•••", "•••"], "role": ["volunteer", "leader"], "phone": [None, "•••"]}
    assert volunteer.search_key == "le van nam" and volunteer.phone == "+84987654321"
    assert update_account(world["admin"], volunteer, full_name="Lê Văn Nam", role=Role.LEADER,
                          home_area=world["commune_a"], phone="+84 987 654 321") == {}
    assert len(events(db, "user.updated")) == 1


def test_update_refuses_a_bad_value_and_changes_nothing(db, world):
    volunteer = world["volunteer"]
    with pytest.raises(AccountError):
        update_account(world["admin"], volunteer, full_name="Lê Văn Nam", role=Role.LEADER,
                       home_area=world["commune_a"], phone="091234567")
    db.session.rollback()
    db.session.refresh(volunteer)
    assert volunteer.full_name == "Volunteer" and volunteer.role == Role.VOLUNTEER


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(db, world):
    admin = world["admin"]
    with pytest.raises(AccountError) as refused:
        deactivate_account(admin, admin)
    assert refused.value.status == 409 and "last active administrator" in english(refused.value)
    with pytest.raises(AccountError) as refused:
        update_account(admin, admin, full_name=admin.full_name, role=Role.STAFF,
                       home_area=admin.home_area, phone=None)
    assert refused.value.status == 409
    db.session.rollback()
    db.session.refresh(admin)
    assert admin.is_active and admin.role == Role.ADMIN


def test_admins_cannot_deactivate_themselves_or_change_their_own_role(db, world, commune_admin):
    admin = world["admin"]
    with pytest.raises(AccountError) as refused:
        deactivate_account(admin, admin)  # another admin exists now: the self rule answers
    assert refused.value.status == 409
    with pytest.raises(AccountError):
        update_account(admin, admin, full_name=admin.full_name, role=Role.STAFF,
                       home_area=admin.home_area, phone=None)


def test_deactivate_ends_sessions_and_reactivate_restores(db, world):
    volunteer = world["volunteer"]
    new_session_id(volunteer)
    new_session_id(volunteer)
    deactivate_account(world["admin"], volunteer)
    assert not volunteer.is_active and live_sessions(db, volunteer) == 0
    reactivate_account(world["admin"], volunteer)
    assert volunteer.is_active
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
        "user.deactivated", "user.activated"]


def test_reset_password_gives_a_temporary_one_and_ends_sessions(db, world):
    volunteer = world["volunteer"]
    new_session_id(volunteer)
    password = reset_password(world["admin"], volunteer)
    assert verify_password(volunteer.password_hash, password)
    assert volunteer.must_change_password and live_sessions(db, volunteer) == 0
    assert events(db, "user.password_reset")
    with pytest.raises(AccountError):
        reset_password(world["admin"], world["admin"])


def test_change_own_password_checks_the_current_one_and_the_length(db, world):
    volunteer = world["volunteer"]
    cases = [("wrong password", "a-new-password", "current_password"),
             (PASSWORD, "short", "new_password"),
             (PASSWORD, PASSWORD, "new_password")]
    for current, new, field in cases:
        with pytest.raises(AccountError) as refused:
            change_own_password(volunteer, current=current, new=new)
        assert refused.value.field == field
    volunteer.must_change_password = True
    other_device = new_session_id(volunteer)
    this_device = new_session_id(volunteer)  # the session ``volunteer`` now stands for
    change_own_password(volunteer, current=PASSWORD, new="a-new-password")
    assert verify_password(volunteer.password_hash, "a-new-password")
    assert not volunteer.must_change_password
    assert load_session_user(this_device) is not None and load_session_user(other_device) is None
    assert events(db, "user.password_changed")


def test_set_language(db, world):
    set_language(world["volunteer"], "en")
    assert world["volunteer"].locale == "en"
    with pytest.raises(AccountError):
        set_language(world["volunteer"], "fr")
