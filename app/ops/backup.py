"""Backups of the whole database, their restore, and the fingerprint that proves a restore whole.

SQLite is copied with its online backup API (page by page, while the app keeps serving), and
the fingerprint is read from the copy itself. PostgreSQL is dumped by ``pg_dump -Fc`` inside an
exported snapshot: the fingerprint is read in the transaction that exported it, so the file and
the fingerprint show the same instant whatever is written meanwhile. The fingerprint (rows per
table, and a SHA-256 of the help logs and their kinds of help) is written beside the backup as
``<file>.json``; a restore recomputes it on the restored database and says whether it matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url

from app.extensions import db
from app.helplogs.models import HelpLog, help_log_services

BATCH = 5_000


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class Fingerprint:
    tables: dict[str, int]
    help_logs_sha256: str
    revision: str | None

    def differences(self, other: Fingerprint) -> list[str]:
        found = [f"{name}: {self.tables.get(name)} rows, restored {other.tables.get(name)}"
                 for name in sorted(self.tables.keys() | other.tables.keys())
                 if self.tables.get(name) != other.tables.get(name)]
        if self.help_logs_sha256 != other.help_logs_sha256:
            found.append("help logs checksum differs")
        if self.revision != other.revision:
            found.append(f"schema revision {self.revision}, restored {other.revision}")
        return found


def fingerprint(conn: Connection) -> Fingerprint:
    """Rows per table of the app's schema, and a checksum of the logs (every column, in id
    order) and of their kinds of help."""
    tables = {table.name: conn.scalar(select(func.count()).select_from(table))
              for table in db.metadata.sorted_tables}
    digest = hashlib.sha256()
    logs = HelpLog.__table__
    for row in conn.execute(select(*logs.c).order_by(logs.c.id).execution_options(yield_per=BATCH)):
        digest.update(("\x1f".join("" if v is None else str(v) for v in row) + "\n").encode())
    pairs = select(help_log_services.c.log_id, help_log_services.c.service_id).order_by(
        help_log_services.c.log_id, help_log_services.c.service_id)
    for log_id, service_id in conn.execute(pairs.execution_options(yield_per=BATCH)):
        digest.update(f"s{log_id}:{service_id}\n".encode())
    revision = None
    if inspect(conn).has_table("alembic_version"):
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    return Fingerprint(tables, digest.hexdigest(), revision)


def default_name(engine: Engine, folder: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return folder / f"gocua-{stamp}.{'sqlite' if engine.dialect.name == 'sqlite' else 'dump'}"


def backup(engine: Engine, target: Path) -> Fingerprint:
    """Write a backup of ``engine``'s database to ``target`` and its fingerprint beside it.
    Raises BackupError when the target exists or pg_dump fails."""
    if target.exists():
        raise BackupError(f"{target} already exists: choose another name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        found = _sqlite_backup(engine, target)
    elif engine.dialect.name == "postgresql":
        found = _postgres_backup(engine, target)
    else:
        raise BackupError(f"no backup for {engine.dialect.name} databases")
    sidecar(target).write_text(json.dumps({"created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                           "dialect": engine.dialect.name, **asdict(found)}, indent=2))
    return found


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _sqlite_backup(engine: Engine, target: Path) -> Fingerprint:
    raw = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)  # the online backup API: readers and writers go on
        finally:
            copy.close()
    finally:
        raw.close()
    copied = create_engine(f"sqlite:///{target}")
    try:
        with copied.connect() as conn:
            if conn.scalar(text("PRAGMA integrity_check")) != "ok":
                raise BackupError(f"the copy in {target} fails SQLite's integrity check")
            return fingerprint(conn)
    finally:
        copied.dispose()


def libpq(engine_url) -> tuple[str, dict]:
    """A libpq connection URL for the command-line tools, and the environment carrying the
    password (never on the command line, where ``ps`` shows it)."""
    url = make_url(engine_url) if isinstance(engine_url, str) else engine_url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    # URL.set() takes None as "unchanged"; the URL is a named tuple, so _replace drops it.
    return url._replace(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _postgres_backup(engine: Engine, target: Path) -> Fingerprint:
    conninfo, env = libpq(engine.url)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
        found = fingerprint(conn)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--file={target}", f"--dbname={conninfo}"], env)
    return found


def _run(command: list[str], env: dict) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()}") from error


def restore(engine: Engine, source: Path) -> tuple[Fingerprint, list[str]]:
    """Restore ``source`` into ``engine``'s database, which must hold no tables yet, and compare
    the result with the fingerprint written beside the backup. Returns the restored fingerprint
    and the differences (none when whole). Raises BackupError when the database is not empty,
    the file is missing or the tool fails."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with engine.connect() as conn:
        if inspect(conn).get_table_names():
            raise BackupError("the database to restore into already has tables: restore into a new, empty one")
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                backup_file.backup(raw.driver_connection)
            finally:
                backup_file.close()
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        conninfo, env = libpq(engine.url)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={conninfo}", str(source)], env)
    else:
        raise BackupError(f"no restore for {engine.dialect.name} databases")
    engine.dispose()
    with engine.connect() as conn:
        restored = fingerprint(conn)
    expected = sidecar(source)
    if not expected.is_file():
        return restored, [f"{expected.name} is missing: nothing to compare with"]
    saved = json.loads(expected.read_text())
    recorded = Fingerprint(saved["tables"], saved["help_logs_sha256"], saved.get("revision"))
    return restored, recorded.differences(restored)
