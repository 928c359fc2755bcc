"""Configuration classes, chosen by name in ``create_app`` or by ``GOCUA_CONFIG``."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GOCUA_INSTANCE", BASE_DIR / "instance"))


def database_url(url: str | None) -> str:
    """Accept the URLs operators write and point PostgreSQL at psycopg 3."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'gocua.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def env_int(name: str, default: int) -> int:
    """A whole number of at least 0 from the environment; a clear error for anything else."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdecimal():
        raise RuntimeError(f"{name} must be a whole number of at least 0, not {raw!r}.")
    return int(raw)


def instance_secret_key() -> str:
    """A random key kept in instance/ so development never runs on a shared, known secret."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

    # A session unused this long has expired (checked on the server: accounts.sessions).
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # The cookie goes out when the session changes, not on every answer (app.core.wire renews
    # it once a day for a user who keeps working).
    SESSION_REFRESH_EACH_REQUEST = False
    # How stale a session's last-seen time may get before a request writes it again.
    SESSION_TOUCH_INTERVAL = timedelta(hours=1)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500 * 1024

    # How many reverse proxies in front of the app set X-Forwarded-For / -Proto (0: none, the
    # headers are ignored). Behind one nginx, 1: the client's address is then the one nginx saw.
    TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
    # Who may read /metrics without signing in: addresses or networks, comma-separated
    # ("10.0.0.5, 10.1.0.0/16"); the address is the client's as TRUSTED_PROXY_COUNT says.
    # Empty: administrators only. Never list the proxy's own address: every visitor comes from it.
    METRICS_ALLOWED_ADDRESSES = os.environ.get("METRICS_ALLOWED_ADDRESSES", "")

    # Rate limits and failed sign-ins are counted here: Redis, shared by every worker, in production.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "20 per minute"  # sign-in attempts per address, whatever the account
    # Wrong passwords from one address for one account before that address is paused for it.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    HSTS_MAX_AGE = None  # production only: development is served over plain http

    # Pages and fragments: Brotli for browsers that ask (all current ones), then zstd, then gzip.
    # Static files are answered by app.core.wire in the smallest encoding the client accepts;
    # they carry a content hash in their URL (templating.asset_url), so they are cached a year.
    COMPRESS_ALGORITHM = ["br", "zstd", "gzip", "deflate"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                          "image/svg+xml", "text/csv", "text/plain"]
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600

    @classmethod
    def init_app(cls, app) -> None:
        pass


class DevelopmentConfig(Config):
    @classmethod
    def init_app(cls, app) -> None:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = instance_secret_key()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    LOG_LEVEL = "WARNING"
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class ProductionConfig(Config):
    # __Host-: browsers keep it only if Secure, for Path=/ and without Domain, so no other
    # host under the same domain can set or shadow the session.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "https"
    # One year, this host only: other sites under the province's domain keep their own choice.
    HSTS_MAX_AGE = 365 * 24 * 3600

    @classmethod
    def init_app(cls, app) -> None:
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (see README).")
        if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            raise RuntimeError("REDIS_URL must be set in production: failed sign-ins and rate limits are "
                               "counted in Redis, shared by every worker (see README).")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
