"""The audit trail as CSV, with the screen's filters. The export is itself an audit event.

The file is written the way the coverage exports write theirs (UTF-8 with a byte-order mark,
cells that start like a formula made plain text) and streamed a batch at a time. Changes are
written as stored: personal values were masked when the event was recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.audit.actions import action_label
from app.audit.models import AuditEvent
from app.audit.services import record
from app.core.domain import RuleError
from app.core.i18n import format_day_time
from app.coverage.exports import BOM, CSV_TYPE, Export, csv_text
from app.extensions import db
from app.trail.queries import TrailFilters, conditions

if TYPE_CHECKING:
    from app.accounts.models import User as Actor

BATCH = 2_000
EXPORT_LIMIT = 100_000


def headers() -> list[str]:
    return [str(h) for h in (
        _l("When"), _l("Username"), _l("Full name"), _l("Action (code)"), _l("Action"), _l("Record"),
        _l("Record number"), _l("Where"), _l("Changes"))]


def trail_csv(actor: Actor, filters: TrailFilters, *, batch: int = BATCH) -> Export:
    """The events ``actor`` may see that match ``filters``, newest first, as a streamed CSV.

    Raises RuleError 404 when none match and 400 past EXPORT_LIMIT rows. The export is audited,
    and committed, before the first row is read; rows are those up to the highest id counted."""
    found = conditions(actor, filters)
    matching = select(AuditEvent.id).where(*found).limit(EXPORT_LIMIT + 1).subquery()
    count, last_id = db.session.execute(select(func.count(), func.max(matching.c.id))).one()
    if not count:
        raise RuleError(_l("There is nothing to export: no event matches. Change the filters."), None, 404)
    if count > EXPORT_LIMIT:
        raise RuleError(_l("More than %(limit)s events match. Choose a shorter period or another filter.",
                           limit=f"{EXPORT_LIMIT:,}".replace(",", ".")), None, 400)
    record(actor, "audit.exported", None, {"file": "nhat-ky.csv", **filters.audit(), "rows": count})
    db.session.commit()
    return Export("nhat-ky.csv", CSV_TYPE, count, _rows(found, last_id, batch))


def _rows(found: list, last_id: int, batch: int) -> Iterator[bytes]:
    places: dict[int, str] = {}
    yield (BOM + csv_text([headers()])).encode("utf-8")
    result = db.session.execute(
        select(AuditEvent.at, User.username, User.full_name, AuditEvent.action, AuditEvent.object_type,
               AuditEvent.object_id, AuditEvent.area_id, AuditEvent.changes)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*found, AuditEvent.id <= last_id)
        .order_by(AuditEvent.id.desc())
        .execution_options(yield_per=batch)
    )
    for events in result.partitions():
        wanted = {e.area_id for e in events if e.area_id is not None} - places.keys()
        if wanted:
            places.update(_place_names(wanted))
        yield csv_text([
            [format_day_time(e.at), e.username or "", e.full_name or "", e.action, action_label(e.action),
             e.object_type or "", e.object_id if e.object_id is not None else "", places.get(e.area_id, ""),
             json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else ""]
            for e in events
        ]).encode("utf-8")


def _place_names(ids: set[int]) -> dict[int, str]:
    """'Thôn 1, Xã Thạch Hà' for a village (one commune can hold two 'Thôn 1'), the name alone
    for a commune or the province."""
    parent = aliased(Area)
    rows = db.session.execute(select(Area.id, Area.name, Area.kind, parent.name)
                              .outerjoin(parent, parent.id == Area.parent_id).where(Area.id.in_(sorted(ids))))
    return {ident: f"{name}, {above}" if kind == AreaKind.VILLAGE and above else name
            for ident, name, kind, above in rows}
