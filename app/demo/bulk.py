"""Writing many rows fast, by the path each database offers (COPY, executemany): the leaf
the province-scale generator's steps share."""

from functools import lru_cache

from sqlalchemy import Date, insert

from app.core.db import UTCDateTime
from app.extensions import db

CHUNK = 10_000


def scaled(n: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(n * scale))


def chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` of ``model`` by chunks; their new ids, in the order of the rows."""
    ids = []
    for chunk in chunks(rows):
        ids += db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), chunk).scalars()
    return ids


def _copy_rows(table, columns: list[str], chunks) -> int:
    """PostgreSQL: COPY is several times faster than INSERT for the bulk of the rows."""
    connection = db.session.connection().connection.driver_connection
    total = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for chunk in chunks:
            for row in chunk:
                copy.write_row([row[c] for c in columns])
            total += len(chunk)
    return total


def _executemany_rows(table, columns: list[str], chunks) -> int:
    """SQLite: the driver's executemany, with each distinct timestamp converted once by the
    column's own type, rather than every value of every row."""
    dialect = db.engine.dialect
    converters = {}
    for name in columns:
        process = table.c[name].type.bind_processor(dialect)
        if process is not None and isinstance(table.c[name].type, UTCDateTime | Date):
            converters[name] = lru_cache(maxsize=4096)(process)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = db.session.connection().connection.driver_connection.cursor()
    total = 0
    for chunk in chunks:
        cursor.executemany(sql, [
            tuple(converters[c](row[c]) if c in converters else row[c] for c in columns) for row in chunk
        ])
        total += len(chunk)
    cursor.close()
    return total


def bulk_write(table, columns: list[str], chunks) -> int:
    """Write chunks of row dicts by the fastest path the database offers; returns the row count."""
    if db.engine.dialect.name == "postgresql":
        return _copy_rows(table, columns, chunks)
    if db.engine.dialect.name == "sqlite":
        return _executemany_rows(table, columns, chunks)
    total = 0
    for chunk in chunks:
        db.session.execute(insert(table), chunk)
        total += len(chunk)
    return total
