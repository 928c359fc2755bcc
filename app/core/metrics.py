"""Prometheus metrics of this process: requests by endpoint and status, their latency, and
the counters domains add (submissions). ``exposition`` writes them in the text format.

The labels are the endpoint (``helplogs.create``), never the URL, so the series stay few
whatever ids and queries the URLs carry. Under gunicorn each worker is its own process: with
PROMETHEUS_MULTIPROC_DIR set (an empty directory, the same for every worker, cleared before
the server starts), prometheus_client keeps the values in files there and a scrape adds up
every worker's; without it the scraped worker answers for itself alone.
"""

import os
import time

from flask import g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.process_collector import ProcessCollector

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # The metrics below open their files there as they are made: a missing directory would stop
    # every command (flask db upgrade too), not only the server.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
disable_created_metrics()  # no *_created series: a scrape stays short, Prometheus does not use them
REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("gocua_http_requests", "Requests answered, by endpoint and HTTP status.",
                   ["endpoint", "status"], registry=REGISTRY)
LATENCY = Histogram("gocua_http_request_duration_seconds", "Time from the first request hook to the answer.",
                    ["endpoint"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
SUBMISSIONS = Counter("gocua_help_logs_submitted", "Help logs stored by a submission (a replay is not counted).",
                      registry=REGISTRY)
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    ProcessCollector(registry=REGISTRY)  # memory, CPU and open files; per process, so single-process only

CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED = "unmatched"  # a URL no route answers (a 404 or 405 before any view)


# The labelled children, looked up once per (endpoint, status): ``labels()`` validates and
# locks on every call, a dict lookup does not.
_counted: dict = {}
_timed: dict = {}


def observe(response):
    """After each request: one counter and one histogram sample, labelled by endpoint."""
    started = g.get("request_started")
    endpoint = request.endpoint or UNMATCHED
    key = (endpoint, response.status_code)
    counter = _counted.get(key)
    if counter is None:
        counter = _counted[key] = REQUESTS.labels(endpoint, str(response.status_code))
    counter.inc()
    if started is not None:
        histogram = _timed.get(endpoint)
        if histogram is None:
            histogram = _timed[endpoint] = LATENCY.labels(endpoint)
        histogram.observe(time.perf_counter() - started)
    return response


def exposition(*extra: CollectorRegistry) -> bytes:
    """The text format of every worker's metrics (or this process's), then ``extra``'s."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
    else:
        registry = REGISTRY
    return b"".join(generate_latest(r) for r in (registry, *extra))


def register(app) -> None:
    app.after_request(observe)
