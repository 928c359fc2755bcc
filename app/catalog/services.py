"""The catalogue of kinds of help: administrators correct their names and the short names lists
show. Codes, skills and the catalogue's order are data (``data.py``); they do not change here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.catalog.models import Service
from app.core.domain import RuleError
from app.core.text import clean_text
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User


@dataclass
class ServiceNames:
    name_vi: str
    name_en: str
    short_name_vi: str
    short_name_en: str


def all_services() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.sort_order, Service.id)))


def get_service(service_id: int) -> Service | None:
    return db.session.get(Service, service_id)


def rename_service(actor: User, service: Service, names: ServiceNames) -> Service:
    """Save a service's full and short names (an empty short name: lists show the full name).
    Audited with what changed. Commits."""
    if not actor.is_admin:
        raise RuleError(_l("Only administrators change the kinds of help."), status=403)
    changes = {}
    for field in ("name_vi", "name_en", "short_name_vi", "short_name_en"):
        new = clean_text(getattr(names, field))
        if field.startswith("name") and not new:
            raise RuleError(_l("Enter the full name of the kind of help."), field=field)
        old = getattr(service, field)
        if new != old:
            changes[field] = [old, new]
            setattr(service, field, new)
    if changes:
        record(actor, "service.updated", service, changes)
        db.session.commit()
    return service
