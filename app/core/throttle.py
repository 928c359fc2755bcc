"""Failures counted per key in the rate limiter's storage (Redis in production), so every
worker and every server behind the load balancer sees one count."""

from datetime import UTC, datetime

from flask import current_app
from limits.storage import Storage, storage_from_string


class FailureThrottle:
    """After ``max_failures`` failures for one key within ``seconds`` of the first, the key is
    refused for ``seconds``. Keys are the caller's: hash anything personal before passing it."""

    def __init__(self, name: str):
        self.name = name

    def init_app(self, app) -> None:
        # One storage per app, not per extension object: tests run several apps side by side.
        # Redis keys carry their own prefix, apart from Flask-Limiter's.
        uri = app.config["RATELIMIT_STORAGE_URI"]
        options = {"key_prefix": f"gocua-{self.name}"} if uri.startswith(("redis", "rediss")) else {}
        app.extensions[self.name] = storage_from_string(uri, **options)

    @property
    def _storage(self) -> Storage:
        return current_app.extensions[self.name]

    def locked_until(self, key: str) -> datetime | None:
        lock = f"lock/{key}"
        if not self._storage.get(lock):
            return None
        return datetime.fromtimestamp(self._storage.get_expiry(lock), UTC)

    def failed(self, key: str, *, max_failures: int, seconds: int) -> tuple[int, datetime | None]:
        """Count a failure: (failures so far, the end of the lock it started or None)."""
        failures = self._storage.incr(f"failures/{key}", seconds)
        if failures < max_failures:
            return failures, None
        self._storage.clear(f"failures/{key}")
        self._storage.incr(f"lock/{key}", seconds)
        return failures, self.locked_until(key)

    def succeeded(self, key: str) -> None:
        self._storage.clear(f"failures/{key}")

    def reset(self) -> None:
        """Forget every count and lock (the tests, between cases)."""
        self._storage.reset()
