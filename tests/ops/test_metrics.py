"""/metrics: the Prometheus text format, by endpoint and status, read from the allowed
addresses (as the proxies say, like sign-in) or by administrators; and several workers add up."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.core.db import local_today
from app.core.metrics import REGISTRY
from app.helplogs.models import LogStatus
from app.helplogs.services import LogInput, submit_log
from app.ops.metrics import address_allowed, networks
from tests.conftest import app_with, make_log, sign_in

REPO = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict:
    """{(name, frozenset(labels)): value} of an exposition."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(client, address="127.0.0.1", **headers):
    return client.get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)


@pytest.fixture()
def open_to_loopback(app, db):
    return app_with(app, METRICS_ALLOWED_ADDRESSES="127.0.0.1, 10.8.0.0/16").test_client()


@pytest.mark.parametrize("address,setting,allowed", [
    ("127.0.0.1", "127.0.0.1", True),
    ("10.8.3.4", "10.8.0.0/16", True),
    ("10.9.0.1", "10.8.0.0/16", False),
    ("::1", "127.0.0.1, ::1", True),
    ("127.0.0.1", "", False),
    ("not an address", "127.0.0.1", False),
    (None, "127.0.0.1", False),
])
def test_allowed_addresses(address, setting, allowed):
    assert address_allowed(address, setting) is allowed


def test_a_setting_that_names_no_address_stops_the_app(app):
    with pytest.raises(ValueError):
        app_with(app, METRICS_ALLOWED_ADDRESSES="10.0.0.1, prometheus.local")
    assert len(networks("10.0.0.1, 10.1.0.0/16")) == 2


def test_requests_are_counted_by_endpoint_and_status_not_url(open_to_loopback, world):
    client = open_to_loopback
    sign_in(client, world["admin"])
    client.get(f"/areas/{world['village_a1'].id}")
    client.get("/areas/999999")
    client.get("/no/such/page")
    response = scrape(client)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    found = samples(text)
    assert found[("gocua_http_requests_total", frozenset({("endpoint", "areas.show"), ("status", "200")}))] >= 1
    assert found[("gocua_http_requests_total", frozenset({("endpoint", "areas.show"), ("status", "404")}))] >= 1
    assert found[("gocua_http_requests_total", frozenset({("endpoint", "unmatched"), ("status", "404")}))] >= 1
    assert found[("gocua_http_request_duration_seconds_count", frozenset({("endpoint", "areas.show")}))] >= 2
    assert ("gocua_http_request_duration_seconds_bucket",
            frozenset({("endpoint", "areas.show"), ("le", "0.005")})) in found
    assert "/areas/" not in text  # labels name endpoints, never URLs
    assert "_created" not in text


def test_the_review_queue_is_counted_at_scrape_time(open_to_loopback, world):
    make_log(world["volunteer"], world["team_a"], None, people_count=5)
    make_log(world["volunteer"], world["team_a"], None, people_count=5, status=LogStatus.APPROVED)
    found = samples(scrape(open_to_loopback).get_data(as_text=True))
    assert found[("gocua_reviews_pending", frozenset())] == 2  # the world's log and the new one


def test_submissions_are_counted_once_and_replays_not(db, world, services):
    def submitted():
        return REGISTRY.get_sample_value("gocua_help_logs_submitted_total")

    before = submitted()
    data = LogInput(village_id=world["village_a1"].id, household_id=world["household_a"].id,
                    service_ids=[services["VNEID"].id], helped_on=local_today())
    key = str(uuid.uuid4())
    submit_log(world["volunteer"], key, data)
    submit_log(world["volunteer"], key, data)
    assert submitted() == before + 1


def test_anonymous_from_elsewhere_gets_404_other_roles_403_admins_200(open_to_loopback, world):
    client = open_to_loopback
    assert scrape(client, "203.0.113.9").status_code == 404
    sign_in(client, world["staff"])
    assert scrape(client, "203.0.113.9").status_code == 403
    sign_in(client, world["admin"])
    assert scrape(client, "203.0.113.9").status_code == 200


def test_behind_a_proxy_the_forwarded_address_counts(app, db):
    behind = app_with(app, METRICS_ALLOWED_ADDRESSES="10.8.0.5", TRUSTED_PROXY_COUNT=1).test_client()
    assert scrape(behind, "127.0.0.1", **{"X-Forwarded-For": "10.8.0.5"}).status_code == 200
    assert scrape(behind, "10.8.0.5", **{"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_without_trusted_proxies_a_forwarded_header_is_ignored(app, db):
    direct = app_with(app, METRICS_ALLOWED_ADDRESSES="10.8.0.5").test_client()
    assert scrape(direct, "203.0.113.9", **{"X-Forwarded-For": "10.8.0.5"}).status_code == 404


WORKER = """
import sys
from app import create_app
from app.extensions import db
app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite:///" + sys.argv[1], METRICS_ALLOWED_ADDRESSES="127.0.0.1")
with app.app_context():
    db.create_all()
client = app.test_client()
for _ in range(int(sys.argv[2])):
    client.get("/healthz")
if sys.argv[3] == "scrape":
    sys.stdout.write(client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True))
"""


def test_with_a_multiprocess_directory_a_scrape_adds_up_every_worker(tmp_path):
    """Two worker processes answer /healthz; a third, scraped, reports all their requests."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    database = str(tmp_path / "workers.sqlite")

    def worker(requests: int, action: str) -> str:
        return subprocess.run([sys.executable, "-c", WORKER, database, str(requests), action], cwd=REPO, env=env,
                              capture_output=True, text=True, check=True, timeout=120).stdout

    worker(3, "serve")
    worker(4, "serve")
    found = samples(worker(0, "scrape"))
    assert found[("gocua_http_requests_total", frozenset({("endpoint", "core.healthz"), ("status", "200")}))] == 7
    assert found[("gocua_http_request_duration_seconds_count", frozenset({("endpoint", "core.healthz")}))] == 7
    assert ("gocua_reviews_pending", frozenset()) in found


def test_without_a_database_the_request_counters_still_answer(app, tmp_path):
    broken = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite'}",
                        METRICS_ALLOWED_ADDRESSES="127.0.0.1")  # no tables: the COUNT fails
    client = broken.test_client()
    client.get("/healthz")
    response = scrape(client)
    assert response.status_code == 200
    found = samples(response.get_data(as_text=True))
    assert ("gocua_reviews_pending", frozenset()) not in found
    assert found[("gocua_http_requests_total", frozenset({("endpoint", "core.healthz"), ("status", "200")}))] >= 1
