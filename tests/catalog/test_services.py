"""Kinds of help: short names for lists, full names for detail pages; administrators rename them."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.catalog.models import Service
from app.catalog.services import ServiceNames, rename_service
from app.core.domain import RuleError
from tests.conftest import make_services


def _names(service, **changes) -> ServiceNames:
    names = ServiceNames(service.name_vi, service.name_en, service.short_name_vi, service.short_name_en)
    for field, value in changes.items():
        setattr(names, field, value)
    return names


def test_catalogue_services_carry_short_names_in_both_languages(app, db):
    health = make_services()["YTASXH"]
    with app.test_request_context(), force_locale("vi"):
        assert health.short_name == "Y tế số" and health.name.startswith("Y tế số và an sinh số")
    with app.test_request_context(), force_locale("en"):
        assert health.short_name == "Digital health"


def test_an_empty_short_name_shows_the_full_name(app, db):
    other = Service(code="LOCAL", name_vi="Nội dung riêng", name_en="A commune's own", skill=5)
    with app.test_request_context(), force_locale("vi"):
        assert other.short_name == "Nội dung riêng"


def test_admin_renames_a_service_and_the_change_is_audited(app, db, world):
    service = make_services()["TTKDTM"]
    rename_service(world["admin"], service, _names(service, short_name_vi="  Chuyển  khoản\u200b ", name_en="Cashless"))
    db.session.expire_all()
    assert (service.short_name_vi, service.name_en) == ("Chuyển khoản", "Cashless")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "service.updated"))
    assert event.actor_id == world["admin"].id and set(event.changes) == {"short_name_vi", "name_en"}


def test_saving_the_same_names_records_nothing(app, db, world):
    service = make_services()["KNS"]
    rename_service(world["admin"], service, _names(service))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "service.updated")) is None


@pytest.mark.parametrize("role", ["staff", "leader", "volunteer"])
def test_only_an_administrator_renames(app, db, world, role):
    service = make_services()["KNS"]
    with pytest.raises(RuleError) as refused:
        rename_service(world[role], service, _names(service, short_name_vi="Khác đi"))
    assert refused.value.status == 403
    db.session.expire_all()
    assert service.short_name_vi == "Kỹ năng số"


def test_a_full_name_cannot_be_emptied(app, db, world):
    service = make_services()["KNS"]
    with pytest.raises(RuleError) as refused:
        rename_service(world["admin"], service, _names(service, name_vi=" \u200b "))
    assert refused.value.field == "name_vi"
