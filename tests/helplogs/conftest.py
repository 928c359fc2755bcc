"""The help logs' helpers: a log's input for the service, the form's fields for the routes."""

import re

from sqlalchemy import func, select

from app.core.db import local_today
from app.helplogs.models import HelpLog
from app.helplogs.services import LogInput


def log_count(db, world):
    """Logs beyond the one the world fixture starts with."""
    return db.session.scalar(select(func.count()).where(HelpLog.id != world["log_a"].id))


def base_input(world, services, **overrides):
    data = LogInput(village_id=world["village_a1"].id, household_id=world["household_a"].id,
                    service_ids=[services["VNEID"].id, services["TTKDTM"].id], helped_on=local_today())
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def form_of(client, path="/logs/new"):
    html = client.get(path).get_data(as_text=True)
    return html, re.search(r'name="client_uuid" type="hidden" value="([^"]+)"', html).group(1)


def post_data(world, services, client_uuid, **overrides):
    data = {
        "client_uuid": client_uuid, "village_id": world["village_a1"].id, "mode": "existing",
        "household_id": world["household_a"].id, "service_ids": [services["VNEID"].id, services["DVC"].id],
        "outcome": "done", "people_count": "1", "helped_on": local_today().isoformat(), "note": "",
    }
    data.update(overrides)
    return data
