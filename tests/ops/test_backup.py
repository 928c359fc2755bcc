"""flask backup / flask restore: a backup restored into a new database has every table's rows
and the same help logs (a checksum), on SQLite always and on PostgreSQL when the suite runs there."""

import json
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db as _db
from app.helplogs.models import LogStatus
from app.ops.backup import fingerprint, libpq, sidecar
from tests.conftest import SUITE_URL, make_area, make_household, make_log, make_team, make_user


def fill(world_suffix: str = "") -> None:
    """A commune, a village, a team, two households and three logs, one approved."""
    from app.accounts.models import Role
    from app.areas.models import AreaKind

    province = make_area(AreaKind.PROVINCE, "Tỉnh Hà Tĩnh", code="42")
    commune = make_area(AreaKind.COMMUNE, "Xã Thạch Hà", province, code="18562")
    village = make_area(AreaKind.VILLAGE, "Thôn 1", commune)
    volunteer = make_user("volunteer" + world_suffix, Role.VOLUNTEER, commune)
    team = make_team(commune, [village], members=[volunteer])
    for name in ("Nguyễn Văn Đức", "Trần Thị Lan"):
        make_log(volunteer, team, make_household(village, name), note="ghi chú")
    make_log(volunteer, team, None, people_count=12, status=LogStatus.APPROVED)


def sqlite_app(path):
    return create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")


@pytest.fixture()
def sqlite_source(tmp_path):
    app = sqlite_app(tmp_path / "source.sqlite")
    with app.app_context():
        _db.create_all()
        fill()
        _db.session.remove()
    return app


def fingerprint_of(app):
    with app.app_context(), _db.engine.connect() as conn:
        return fingerprint(conn)


def test_sqlite_backup_restores_into_a_new_database_whole(sqlite_source, tmp_path):
    backup_file = tmp_path / "backups" / "gocua.sqlite"
    result = sqlite_source.test_cli_runner().invoke(args=["backup", "--output", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "help logs: 3" in result.output
    saved = json.loads(sidecar(backup_file).read_text())
    assert saved["dialect"] == "sqlite" and saved["tables"]["help_logs"] == 3 and saved["tables"]["areas"] == 3

    target = sqlite_app(tmp_path / "restored.sqlite")
    result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "match the backup" in result.output
    source, restored = fingerprint_of(sqlite_source), fingerprint_of(target)
    assert restored.tables == source.tables and restored.tables["help_log_services"] == 3
    assert restored.help_logs_sha256 == source.help_logs_sha256


def test_the_checksum_sees_a_changed_log(sqlite_source):
    before = fingerprint_of(sqlite_source)
    with sqlite_source.app_context():
        _db.session.execute(text("UPDATE help_logs SET people_count = people_count + 1 WHERE id = 1"))
        _db.session.commit()
    after = fingerprint_of(sqlite_source)
    assert after.tables == before.tables and after.help_logs_sha256 != before.help_logs_sha256


def test_a_restore_that_differs_from_the_backup_fails(sqlite_source, tmp_path):
    backup_file = tmp_path / "gocua.sqlite"
    assert sqlite_source.test_cli_runner().invoke(args=["backup", "--output", str(backup_file)]).exit_code == 0
    saved = json.loads(sidecar(backup_file).read_text())
    saved["tables"]["help_logs"] = 4
    saved["help_logs_sha256"] = "0" * 64
    sidecar(backup_file).write_text(json.dumps(saved))
    result = sqlite_app(tmp_path / "restored.sqlite").test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 1
    assert "help_logs: 4 rows, restored 3" in result.output and "checksum differs" in result.output


def test_restore_refuses_a_database_that_has_tables(sqlite_source, tmp_path):
    backup_file = tmp_path / "gocua.sqlite"
    sqlite_source.test_cli_runner().invoke(args=["backup", "--output", str(backup_file)])
    result = sqlite_source.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 1 and "already has tables" in result.output
    assert fingerprint_of(sqlite_source).tables["help_logs"] == 3


def test_backup_does_not_overwrite_a_file(sqlite_source, tmp_path):
    backup_file = tmp_path / "gocua.sqlite"
    backup_file.write_text("keep me")
    result = sqlite_source.test_cli_runner().invoke(args=["backup", "--output", str(backup_file)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert backup_file.read_text() == "keep me"


def test_backup_names_its_file_by_time_under_instance(sqlite_source, tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_source, "instance_path", str(tmp_path / "instance"))
    result = sqlite_source.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "instance" / "backups").glob("gocua-*.sqlite")
    assert sidecar(written).is_file()


def test_the_password_stays_off_the_command_line():
    conninfo, env = libpq("postgresql+psycopg://gocua:s3cret@db.internal:5433/gocua")
    assert conninfo == "postgresql://gocua@db.internal:5433/gocua"
    assert env["PGPASSWORD"] == "s3cret"


@contextmanager
def fresh_postgres_app(app):
    """An app on a new, empty database beside the suite's, inside its app context (the suite's
    is open too, and a command runs in whichever is current); the database is dropped after."""
    suite = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = f"{suite.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(suite.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = create_app("test", SQLALCHEMY_DATABASE_URI=suite.set(database=name).render_as_string(False))
        with target.app_context():
            yield target
            _db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not SUITE_URL, reason="the suite runs on SQLite (SUITE_ON_POSTGRES=1 runs this)")
def test_postgres_backup_restores_into_a_new_database_whole(app, db, world, tmp_path):
    make_log(world["volunteer"], world["team_a"], None, people_count=7, status=LogStatus.APPROVED)
    backup_file = tmp_path / "gocua.dump"
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(backup_file)])
    assert result.exit_code == 0, result.output
    source = fingerprint_of(app)
    assert source.tables["help_logs"] == 2

    with fresh_postgres_app(app) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
        assert result.exit_code == 0, result.output
        assert "match the backup" in result.output
        with _db.engine.connect() as conn:
            restored = fingerprint(conn)
    assert restored.tables == source.tables
    assert restored.help_logs_sha256 == source.help_logs_sha256


@pytest.mark.postgres
@pytest.mark.skipif(not SUITE_URL, reason="the suite runs on SQLite (SUITE_ON_POSTGRES=1 runs this)")
def test_postgres_backup_is_one_instant_while_others_write(app, db, world, tmp_path, monkeypatch):
    """A row committed after the snapshot, while pg_dump starts, is in neither the dump nor its
    fingerprint: the two agree, and the restore matches them."""
    from app.ops import backup as backups

    real_run = backups._run
    writer = create_engine(make_url(app.config["SQLALCHEMY_DATABASE_URI"]))

    def write_then_run(command, env):
        with writer.begin() as conn:
            conn.execute(text("INSERT INTO audit_events (at, action) VALUES (CURRENT_TIMESTAMP, 'late.write')"))
        real_run(command, env)

    monkeypatch.setattr(backups, "_run", write_then_run)
    before = fingerprint_of(app).tables["audit_events"]
    backup_file = tmp_path / "gocua.dump"
    assert app.test_cli_runner().invoke(args=["backup", "--output", str(backup_file)]).exit_code == 0
    writer.dispose()
    assert json.loads(sidecar(backup_file).read_text())["tables"]["audit_events"] == before
    assert fingerprint_of(app).tables["audit_events"] == before + 1

    with fresh_postgres_app(app) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
