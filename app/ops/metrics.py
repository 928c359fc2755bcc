"""What a scrape of /metrics reads beyond the request counters, and who may scrape.

The review queue's size is a gauge computed when Prometheus asks, with one COUNT: it is the
same for every worker, so it comes from the database and not from any process's memory.
"""

import ipaddress
from functools import lru_cache

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.reviews.queries import pending_total


class ReviewQueue:
    """A collector: the help logs waiting for review, counted at scrape time. Without a database
    the gauge is left out and the request counters still answer (/healthz tells the outage)."""

    def collect(self):
        try:
            pending = pending_total()
        except SQLAlchemyError:
            db.session.rollback()
            return
        yield GaugeMetricFamily("gocua_reviews_pending", "Help logs waiting for review (all teams).", value=pending)


def scrape_time_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReviewQueue())
    return registry


@lru_cache(maxsize=8)
def networks(setting: str) -> tuple:
    """'10.0.0.5, 10.1.0.0/16, ::1' -> the networks it names; a word that is none raises
    ValueError, when the app starts (ops.routes checks the setting then)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip())


def address_allowed(address: str | None, setting: str) -> bool:
    if not address or not setting:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in networks(setting))
