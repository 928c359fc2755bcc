"""The migrations build the schema from empty, agree with the models, and go back down."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from config import database_url

IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def database_urls():
    yield pytest.param("sqlite", id="sqlite")
    yield pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)


@pytest.fixture(params=list(database_urls()))
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("TEST_DATABASE_URL must be set under CI=true")
        pytest.skip("TEST_DATABASE_URL not set")
    url = database_url(POSTGRES_URL)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migrate_test CASCADE"))
        conn.execute(text("CREATE SCHEMA migrate_test"))
    # Run in a schema of its own so the suite's tables in public are left alone.
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options=-csearch_path%3Dmigrate_test"
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migrate_test CASCADE"))
    engine.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_database):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
            assert diff == [], f"models and migrations disagree: {diff}"
            assert {"areas", "users", "teams", "memberships", "households", "services",
                    "audit_events", "team_villages"} <= set(inspect(conn).get_table_names())
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pragmas.sqlite'}")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        db.engine.dispose()


def test_the_account_migrations_keep_users_that_other_rows_point_at(empty_database):
    """0006 and 0007 drop columns of users, which audit events (and more) reference: on SQLite a
    copied table could not replace it while foreign keys are on. Up and back down, with rows."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0005_tasks")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (id, username, full_name, search_key, password_hash, role, is_active,"
                " must_change_password, failed_logins, session_token, created_at) VALUES"
                " (1, 'volunteer', 'Volunteer', 'volunteer', 'x', 'volunteer', true, false, 0, 'token',"
                " CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO audit_events (at, actor_id, action) VALUES (CURRENT_TIMESTAMP, 1, 'x')"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT username FROM users")).scalars().all() == ["volunteer"]
            assert "session_token" not in {c["name"] for c in inspect(conn).get_columns("users")}
        downgrade(revision="0005_tasks")
        with db.engine.connect() as conn:
            token, failures = conn.execute(text("SELECT session_token, failed_logins FROM users")).one()
            assert len(token) >= 16 and token != "token" and failures == 0
        downgrade(revision="base")
        db.engine.dispose()


def test_0010_gives_the_catalogues_services_their_short_names(empty_database):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0009_coverage_read_index")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO services (code, name_vi, name_en, skill, sort_order, is_active) VALUES"
                " ('YTASXH', 'Y tế số và an sinh số', 'Digital health and social benefits', 5, 0, true),"
                " ('LOCAL', 'Nội dung riêng của xã', 'A commune''s own', 5, 1, true)"))
        upgrade(revision="0010_service_short_names")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT code, short_name_vi || '|' || short_name_en FROM services")).all())
        assert rows == {"YTASXH": "Y tế số|Digital health", "LOCAL": "|"}
        downgrade(revision="0009_coverage_read_index")
        with db.engine.connect() as conn:
            assert "short_name_vi" not in {c["name"] for c in inspect(conn).get_columns("services")}
        downgrade(revision="base")
        db.engine.dispose()


def test_0011_fills_each_areas_last_visit_from_its_day_buckets(empty_database):
    """The newest day with a visit (any help) per area; months, other keys and buckets left at
    no visit do not count; an area never visited gets no row."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0010_service_short_names")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO areas (id, kind, name, search_key, path, is_active, created_at) VALUES"
                " (1, 'commune', 'Xã A', 'xa a', '/1/', true, CURRENT_TIMESTAMP),"
                " (2, 'village', 'Thôn 1', 'thon 1', '/1/2/', true, CURRENT_TIMESTAMP),"
                " (3, 'village', 'Thôn 2', 'thon 2', '/1/3/', true, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO coverage_buckets (area_id, key, grain, start, reached, visits, people) VALUES"
                " (1, 0, 'd', '2026-11-03', 1, 2, 2), (1, 0, 'm', '2026-11-01', 1, 2, 2),"
                " (2, 0, 'd', '2026-11-03', 1, 2, 2), (2, 0, 'd', '2026-11-20', 1, 0, 0),"
                " (2, 5, 'd', '2026-11-25', 0, 1, 1), (2, 0, 'm', '2026-12-01', 0, 1, 1),"
                " (3, 0, 'd', '2026-10-01', 1, 0, 0)"))
        upgrade(revision="0011_coverage_last_visits")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT area_id, day FROM coverage_last_visits ORDER BY area_id")).all()
        assert [(area, str(day)) for area, day in rows] == [(1, "2026-11-03"), (2, "2026-11-03")]
        downgrade(revision="0010_service_short_names")
        with db.engine.connect() as conn:
            assert "coverage_last_visits" not in inspect(conn).get_table_names()
        downgrade(revision="base")
        db.engine.dispose()


def grain_filled(empty_database, before: str, after: str, buckets: str, grain: str) -> list[tuple]:
    """The ``grain`` rows migration ``after`` makes from a commune's ``buckets`` (SQL values),
    as (key, start, reached, visits, people); its downgrade takes them away again."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision=before)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO areas (id, kind, name, search_key, path, is_active, created_at) VALUES"
                " (1, 'commune', 'Xã A', 'xa a', '/1/', true, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO coverage_buckets (area_id, key, grain, start, reached, visits, people)"
                              f" VALUES {buckets}"))
        upgrade(revision=after)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT key, start, reached, visits, people FROM coverage_buckets"
                                     " WHERE grain = :grain ORDER BY key, start"), {"grain": grain}).all()
        downgrade(revision=before)
        with db.engine.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM coverage_buckets WHERE grain = :grain"),
                                {"grain": grain}).scalar()
        downgrade(revision="base")
        db.engine.dispose()
    assert left == 0
    return [(key, str(start), *counts) for key, start, *counts in rows]


def test_0013_fills_each_areas_all_time_bucket_from_its_months(empty_database):
    assert grain_filled(empty_database, "0012_volunteer_days", "0013_coverage_all_time",
                        "(1, 0, 'm', '2026-10-01', 3, 4, 9), (1, 0, 'm', '2026-11-01', 1, 2, 2),"
                        " (1, 0, 'd', '2026-11-03', 1, 2, 2), (1, 5, 'm', '2026-11-01', 1, 1, 1)", "a") == [
        (0, "2000-01-01", 4, 6, 11), (5, "2000-01-01", 1, 1, 1)]


def test_0016_fills_each_areas_week_buckets_from_its_days(empty_database):
    """Each week (Monday to Sunday) holds the sums of its days, per area and key; months and
    all-time buckets are not read."""
    assert grain_filled(empty_database, "0015_training", "0016_coverage_weeks",
                        "(1, 0, 'd', '2026-11-23', 1, 1, 2), (1, 0, 'd', '2026-11-29', 2, 3, 4),"  # Monday, Sunday
                        " (1, 0, 'd', '2026-11-30', 1, 1, 1), (1, 5, 'd', '2026-11-25', 0, 1, 1),"  # next Monday
                        " (1, 0, 'm', '2026-11-01', 4, 5, 7), (1, 0, 'a', '2000-01-01', 4, 5, 7)", "w") == [
        (0, "2026-11-23", 3, 4, 6), (0, "2026-11-30", 1, 1, 1), (5, "2026-11-23", 0, 1, 1)]


def test_data_older_than_the_summaries_upgrades_to_the_head_and_its_summaries_agree(empty_database):
    """0008 fills the summaries with today's rebuild (every grain): the later migrations that
    add a grain to existing data (0013 all time, 0016 weeks) replace those rows, not collide."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0007_drop_account_lock")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO areas (id, kind, name, search_key, path, parent_id, is_active, created_at) VALUES"
                " (1, 'commune', 'Xã A', 'xa a', '/1/', NULL, true, CURRENT_TIMESTAMP),"
                " (2, 'village', 'Thôn 1', 'thon 1', '/1/2/', 1, true, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO users (id, username, full_name, search_key, password_hash, role, is_active,"
                " must_change_password, created_at) VALUES (1, 'tnv', 'Tình nguyện viên', 'tinh nguyen vien',"
                " 'x', 'volunteer', true, false, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO teams (id, name, search_key, commune_id, is_active, created_at)"
                              " VALUES (1, 'Tổ 1', 'to 1', 1, true, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO services (id, code, name_vi, name_en, skill, sort_order, is_active)"
                              " VALUES (900, 'THU', 'Thử', 'Trial', 1, 900, true)"))
            conn.execute(text(
                "INSERT INTO help_logs (id, client_uuid, author_id, team_id, village_id, people_count, outcome,"
                " helped_on, received_at, updated_at, status, version) VALUES (1, 'u1', 1, 1, 2, 2, 'done',"
                " '2026-11-29', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'approved', 1)"))
            conn.execute(text("INSERT INTO help_log_services (log_id, service_id) VALUES (1, 900)"))
        upgrade()
        from app.coverage import summaries

        assert summaries.drift() == {}
        with db.engine.connect() as conn:
            grains = conn.execute(text("SELECT grain, count(*) FROM coverage_buckets WHERE area_id = 2"
                                       " GROUP BY grain ORDER BY grain")).all()
        assert [tuple(row) for row in grains] == [("a", 2), ("d", 2), ("m", 2), ("w", 2)]  # any help, the service
        db.session.remove()
        db.engine.dispose()


def test_0017_indexes_the_all_time_rows_alone(empty_database):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0017_coverage_all_time_index")
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
            else:
                query = "SELECT sql FROM sqlite_master WHERE name = :name"
            definition = conn.execute(text(query), {"name": "ix_coverage_buckets_all_time"}).scalar()
        assert "WHERE" in definition.upper() and "'a'" in definition
        downgrade(revision="0016_coverage_weeks")
        with db.engine.connect() as conn:
            names = {index["name"] for index in inspect(conn).get_indexes("coverage_buckets")}
        assert "ix_coverage_buckets_all_time" not in names
        downgrade(revision="base")
        db.engine.dispose()


def index_definition(conn, name: str) -> str | None:
    """The index's definition in the schema being migrated (the suite's own tables, in another
    schema of the same PostgreSQL database, have the models' indexes too)."""
    if conn.dialect.name == "postgresql":
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name AND schemaname = current_schema()"
    else:
        query = "SELECT sql FROM sqlite_master WHERE name = :name"
    return conn.execute(text(query), {"name": name}).scalar()


def test_0018_indexes_the_returned_logs_alone_and_the_badge_reads_it(empty_database):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0018_returned_logs_index")
        with db.engine.connect() as conn:
            definition = index_definition(conn, "ix_help_logs_returned")
            assert "WHERE" in definition.upper() and "'returned'" in definition and "author_id" in definition
            badge = "SELECT count(*) FROM help_logs WHERE author_id = 1 AND status = 'returned'"
            if conn.dialect.name == "sqlite":
                plan = " ".join(str(row) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {badge}")))
            else:
                conn.execute(text("SET enable_seqscan = off"))  # an empty table: would the index serve?
                plan = " ".join(row[0] for row in conn.execute(text(f"EXPLAIN {badge}")))
            assert "ix_help_logs_returned" in plan
        downgrade(revision="0017_coverage_all_time_index")
        with db.engine.connect() as conn:
            assert index_definition(conn, "ix_help_logs_returned") is None
        downgrade(revision="base")
        db.engine.dispose()


def test_0014_places_the_audit_events_already_written(empty_database):
    """Each event gets the place of the record it names, else its actor's home area."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0013_coverage_all_time")
        with db.engine.begin() as conn:
            for row in ("(1, 'province', 'Tỉnh Hà Tĩnh', 'tinh ha tinh', NULL, '/1/')",
                        "(2, 'commune', 'Xã Thạch Hà', 'xa thach ha', 1, '/1/2/')",
                        "(3, 'village', 'Thôn 1', 'thon 1', 2, '/1/2/3/')"):
                conn.execute(text("INSERT INTO areas (id, kind, name, search_key, parent_id, path, is_active,"
                                  f" created_at) VALUES {row[:-1]}, true, CURRENT_TIMESTAMP)"))
            for user_id, name, home in ((1, "staff", "2"), (2, "root", "NULL")):
                conn.execute(text(
                    "INSERT INTO users (id, username, full_name, search_key, password_hash, role, home_area_id,"
                    f" is_active, must_change_password, created_at) VALUES ({user_id}, '{name}', '{name}', '{name}',"
                    f" 'x', 'staff', {home}, true, false, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO teams (id, name, search_key, commune_id, is_active, created_at)"
                              " VALUES (1, 'Tổ 1', 'to 1', 2, true, CURRENT_TIMESTAMP)"))
            for event_id, actor, action, object_type, object_id in (
                    (1, 2, "team.updated", "teams", 1), (2, 2, "area.updated", "areas", 3),
                    (3, 2, "user.updated", "users", 1), (4, 1, "service.updated", "services", 5),
                    (5, 2, "service.updated", "services", 5), (6, 1, "login.succeeded", None, None)):
                conn.execute(text("INSERT INTO audit_events (id, at, actor_id, action, object_type, object_id)"
                                  " VALUES (:id, CURRENT_TIMESTAMP, :actor, :action, :type, :object)"),
                             {"id": event_id, "actor": actor, "action": action, "type": object_type,
                              "object": object_id})
        upgrade(revision="0014_audit_area")
        with db.engine.connect() as conn:
            placed = dict(conn.execute(text("SELECT id, area_id FROM audit_events")).all())
        assert placed == {1: 2, 2: 3, 3: 2, 4: 2, 5: None, 6: 2}
        downgrade(revision="0013_coverage_all_time")
        with db.engine.connect() as conn:
            assert "area_id" not in {c["name"] for c in inspect(conn).get_columns("audit_events")}
        with db.engine.begin() as conn:  # the older downgrades drop tables that rows would hold
            for table in ("audit_events", "teams", "users", "areas"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")
        db.engine.dispose()
