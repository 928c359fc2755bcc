"""Fixtures: an app on SQLite (or PostgreSQL with TEST_DATABASE_URL), clean tables per test,
small factories, a login helper and a SQL statement counter."""

import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import event, func, select, text

from app import create_app
from app.accounts.models import Role, User
from app.accounts.sessions import open_session
from app.areas.models import Area, AreaKind
from app.areas.services import add_area
from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.core.text import search_key
from app.extensions import db as _db
from app.extensions import login_throttle
from app.households.consent import CONSENT_VERSION
from app.households.models import ConsentMethod, Household
from app.teams.models import MemberRole, Membership, Team
from config import TestConfig

PASSWORD = "correct horse battery"
PASSWORD_HASH = PasswordHasher(**TestConfig.ARGON2_PARAMS).hash(PASSWORD)
IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# `make test` runs the suite on SQLite, then again on PostgreSQL with SUITE_ON_POSTGRES=1.
SUITE_URL = POSTGRES_URL if os.environ.get("SUITE_ON_POSTGRES") == "1" else None


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright")
    config.addinivalue_line("markers", "postgres: needs TEST_DATABASE_URL")
    config.addinivalue_line("markers", "slow: takes seconds (loads the demo or bench data); `make test` runs it, "
                                       "`-m 'not slow'` leaves it out")
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI=true requires TEST_DATABASE_URL: the PostgreSQL tests may not skip")


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: a fresh ``g`` and DB session,
    even while the test itself holds an app context open."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = SUITE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    from config import database_url

    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url(url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if SUITE_URL:
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        _db.create_all()
    yield app


@pytest.fixture()
def db(app):
    with app.app_context():
        yield _db
        login_throttle.reset()  # the wrong passwords a test typed count for no other test
        _db.session.rollback()
        _db.session.remove()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            # DELETE beats TRUNCATE on a handful of small tables, on PostgreSQL too.
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture()
def client(app, db):
    return app.test_client()


def app_with(app, config_name: str = "test", **settings):
    """Another app on the suite's database, with other settings (CSRF on, behind a proxy...)."""
    other = create_app(config_name, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    other.test_client_class = app.test_client_class
    return other


@pytest.fixture()
def csrf_app(app, db):
    """The same database, with CSRF checks on as in production."""
    return app_with(app, WTF_CSRF_ENABLED=True)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def new_session_id(user: User) -> str:
    """A session row for ``user``, as signing in opens one; returns what the cookie holds."""
    session_id = open_session(user)
    _db.session.commit()
    return session_id


def sign_in(client, user: User):
    """Sign in without the password check (fast); accounts/test_signin covers the real sign-in."""
    with client.session_transaction() as session:
        session["_user_id"] = new_session_id(user)
        session["_fresh"] = True
    return client


# Factories -----------------------------------------------------------------

def make_area(kind: AreaKind, name: str, parent: Area | None = None, **fields) -> Area:
    area = add_area(kind, name, parent, **fields)
    _db.session.commit()
    return area


def make_user(username: str, role: Role = Role.VOLUNTEER, home_area: Area | None = None, **fields) -> User:
    full_name = fields.pop("full_name", username.title())
    user = User(username=username, full_name=full_name, search_key=search_key(full_name),
                password_hash=PASSWORD_HASH, role=role, home_area=home_area, **fields)
    _db.session.add(user)
    _db.session.commit()
    return user


def make_team(commune: Area, villages: list[Area], leaders=(), members=(), name="Tổ 1") -> Team:
    team = Team(name=name, search_key=search_key(name), commune=commune, villages=list(villages))
    team.memberships = ([Membership(user=u, role=MemberRole.LEADER) for u in leaders]
                        + [Membership(user=u, role=MemberRole.MEMBER) for u in members])
    _db.session.add(team)
    _db.session.commit()
    return team


def make_member(team: Team, username: str, role: Role = Role.VOLUNTEER, home_area: Area | None = None, *,
                leader: bool = False, **fields) -> User:
    """A new user who joins ``team``: a member, or with ``leader`` one of its leaders."""
    user = make_user(username, role, home_area, **fields)
    _db.session.add(Membership(team=team, user=user, role=MemberRole.LEADER if leader else MemberRole.MEMBER))
    _db.session.commit()
    return user


def make_household(village: Area, display_name: str = "Nguyễn Văn Đức", **fields) -> Household:
    household = Household(
        village=village, display_name=display_name, search_key=search_key(display_name),
        consent_version=CONSENT_VERSION, consent_method=ConsentMethod.SIGNED,
        consent_collected_at=utcnow() - timedelta(days=1), **fields,
    )
    _db.session.add(household)
    _db.session.commit()
    return household


@pytest.fixture()
def services(db, world):
    """The catalogue of help, by code."""
    return make_services()


def make_services() -> dict:
    from app.catalog.data import SERVICES
    from app.catalog.models import Service

    services = {s.code: s for s in _db.session.scalars(select(Service))}
    for order, (code, name_vi, name_en, skill) in enumerate(SERVICES):
        if code not in services:
            services[code] = Service.from_catalogue(order, code, name_vi, name_en, skill)
            _db.session.add(services[code])
    _db.session.commit()
    return services


def make_log(author: User, team: Team, household: Household | None, **fields):
    """A submitted log for ``household`` (a group session when None), with one service."""
    import uuid

    from app.catalog.models import Service
    from app.core.db import local_today
    from app.helplogs.models import HelpLog

    service = _db.session.scalar(select(Service).where(Service.code == "VNEID"))
    if service is None:
        service = Service.from_catalogue(0, "VNEID", "Định danh điện tử VNeID", "VNeID e-identity", 1)
    fields.setdefault("village_id", household.village_id if household else team.villages[0].id)
    fields.setdefault("helped_on", local_today())
    log = HelpLog(client_uuid=str(uuid.uuid4()), author_id=author.id, team_id=team.id,
                  household_id=household.id if household else None, services=[service], **fields)
    _db.session.add(log)
    _db.session.commit()
    return log


def make_task(team: Team, village: Area, services: list, *, leader: User, assignee: User | None = None,
              households=(), target: int = 1, days: int = 14, starts_on=None, **fields):
    """An active task for ``team`` in ``village``: every household, or the ``households`` given."""
    from app.core.db import local_today
    from app.tasks.models import Task, TaskScope

    today = local_today()
    task = Task(team=team, village=village, scope=TaskScope.HOUSEHOLDS if households else TaskScope.VILLAGE,
                target_count=target, starts_on=starts_on or today, due_on=today + timedelta(days=days),
                is_open=assignee is None, assignee=assignee, services=list(services), created_by=leader,
                households=list(households), **fields)
    _db.session.add(task)
    _db.session.commit()
    return task


@pytest.fixture()
def world(db):
    """Two communes with villages; a team in each; one user of each role in commune A."""
    province = make_area(AreaKind.PROVINCE, "Tỉnh Hà Tĩnh", code="42")
    commune_a = make_area(AreaKind.COMMUNE, "Xã Thạch Hà", province, code="18562")
    commune_b = make_area(AreaKind.COMMUNE, "Xã Can Lộc", province, code="18406")
    village_a1 = make_area(AreaKind.VILLAGE, "Thôn 1", commune_a, former_commune="Xã Thạch Sơn")
    village_a2 = make_area(AreaKind.VILLAGE, "Thôn 1", commune_a, former_commune="Xã Thạch Long")
    village_b1 = make_area(AreaKind.VILLAGE, "Thôn Trung", commune_b)
    admin = make_user("admin", Role.ADMIN, province)
    staff = make_user("staff", Role.STAFF, province)
    staff_b = make_user("staff_b", Role.STAFF, commune_b)
    leader = make_user("leader", Role.LEADER, commune_a)
    volunteer = make_user("volunteer", Role.VOLUNTEER, commune_a)
    outsider = make_user("outsider", Role.VOLUNTEER, commune_b)
    team_a = make_team(commune_a, [village_a1], leaders=[leader], members=[volunteer])
    team_b = make_team(commune_b, [village_b1], members=[outsider], name="Tổ Can Lộc")
    household_a = make_household(village_a1)
    household_b = make_household(village_b1, "Trần Thị Lan")
    log_a = make_log(volunteer, team_a, household_a)
    task_a = make_task(team_a, village_a1, log_a.services, leader=leader)
    return {k: v for k, v in locals().items() if not k.startswith("_")}


@pytest.fixture()
def commune_admin(world):
    """An administrator homed in commune A: they manage that commune only."""
    return make_user("admin_a", Role.ADMIN, world["commune_a"], full_name="Quản trị Thạch Hà")


# Reading back -------------------------------------------------------------

def count_rows(model, *criteria) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def html_of(client, path) -> str:
    """The page at ``path``, which must answer 200."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def english(error) -> str:
    """A domain error's message as an English reader gets it."""
    with force_locale("en"):
        return str(error)


@contextmanager
def count_queries():
    """Counts SQL statements run inside the block: ``with count_queries() as n: ...; n()``."""
    statements = []

    def _record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def grow_commune_a(world, n: int) -> None:
    """More villages, households and teams in commune A."""
    for i in range(n):
        village = make_area(AreaKind.VILLAGE, f"Thôn {i + 10}", world["commune_a"])
        make_household(village, f"Hộ {i}")
        make_team(world["commune_a"], [village], members=[world["volunteer"]], leaders=[world["leader"]],
                  name=f"Tổ {i + 10}")


VILLAGES_CSV = "commune_code,village_name,former_commune,declared_households\n18562,Thôn Mới,,120\n"


def make_upload(user: User, kind: str = "villages", content: bytes | str = VILLAGES_CSV):
    """An import file waiting for ``user`` to confirm it."""
    from app.imports.services import stage_upload

    raw = content.encode("utf-8") if isinstance(content, str) else content
    return stage_upload(user, kind, f"{kind}.csv", raw)
