"""Declarative base, shared column types and the SQLite connection settings."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, MetaData, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Today in Hà Tĩnh, whatever the server's clock zone."""
    return datetime.now(LOCAL_TZ).date()


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back an aware datetime, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# Byte-order collation, so a materialized-path range scan means the same on both databases.
PathString = String(255).with_variant(String(255, collation="C"), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


SAFE_METHODS = ("GET", "HEAD")


def end_read_transaction(response):
    """After a read answered whole (GET or HEAD, below 400, not streamed, nothing written),
    end its transaction with COMMIT rather than leave the ROLLBACK to the session's close:
    psycopg forgets every prepared statement at a ROLLBACK, so the statements a page sends
    on every request would be parsed and planned again each time (some 2.5 ms of the
    coverage page at a province). A streamed answer still reads from its transaction."""
    from flask import request

    from app.extensions import db

    session = db.session()
    if (request.method in SAFE_METHODS and response.status_code < 400 and not response.is_streamed
            and session.in_transaction() and not (session.new or session.dirty or session.deleted)):
        session.commit()
    return response
