"""One JSON line per request: method, route, status, time, user id. No personal data."""

import json
import logging
import time
import uuid

from flask import g, request
from flask_login import current_user

logger = logging.getLogger("gocua.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _start_timer() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex


def _log_request(response):
    started = g.get("request_started")
    if started is None or request.endpoint == "static":
        return response
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    logger.info(
        "request",
        extra={
            "fields": {
                "request_id": g.request_id,
                "method": request.method,
                # The rule, not the URL: query strings can carry searched names.
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user_id,
                "htmx": request.headers.get("HX-Request") == "true",
            }
        },
    )
    response.headers["X-Request-ID"] = g.request_id
    return response


def register(app) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("gocua",):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(app.config["LOG_LEVEL"])
        log.propagate = False
    app.before_request(_start_timer)
    app.after_request(_log_request)
