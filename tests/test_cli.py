"""seed-demo and create-user."""

import json
import logging

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.audit.models import AuditEvent
from app.households.models import Household
from app.teams.models import Team
from tests.conftest import make_area


def counts(db):
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Area, User, Team, Household)}


@pytest.mark.slow  # loads the demo data: 69 communes and their households
def test_seed_demo_loads_hatinh_and_is_idempotent(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "gocua-demo" in result.output
    for username in ("admin", "staff", "leader", "volunteer"):
        assert username in result.output
    first = counts(db)
    communes = db.session.scalars(select(Area).where(Area.kind == AreaKind.COMMUNE)).all()
    assert len(communes) == 69
    assert {c.code for c in communes} >= {"18562", "18073", "18754"}
    province = db.session.scalar(select(Area).where(Area.code == "42"))
    assert all(c.parent_id == province.id and c.path.startswith(province.path) for c in communes)
    assert first["Household"] >= 300
    assert db.session.scalar(select(Household).where(Household.display_name == "Nguyễn Văn Đức"))
    runner.invoke(args=["seed-demo"])
    assert counts(db) == first


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, db):
    make_area(AreaKind.PROVINCE, "Tỉnh Hà Tĩnh", code="42")
    from tests.conftest import make_user

    make_user("someone")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert counts(db)["Area"] == 1


@pytest.mark.slow  # loads the demo data: 69 communes and their households
def test_demo_accounts_sign_in(app, db):
    app.test_cli_runner().invoke(args=["seed-demo"])
    client = app.test_client()
    for username in ("admin", "staff", "leader", "volunteer"):
        response = client.post("/login", data={"username": username, "password": "gocua-demo"})
        assert response.status_code == 302, username
        client.post("/logout")


def test_create_user_asks_for_the_password(app, db):
    make_area(AreaKind.PROVINCE, "Tỉnh Hà Tĩnh", code="42")
    result = app.test_cli_runner().invoke(
        args=["create-user", "--username", "ttv.an", "--full-name", "Lê Văn An", "--role", "staff",
              "--area-code", "42", "--phone", "0912345678"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "ttv.an"))
    assert user.role == "staff" and user.phone == "+84912345678" and user.home_area.code == "42"
    assert user.password_hash.startswith("$argon2id$")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))


def test_create_user_refuses_a_short_password_and_unknown_area(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "x", "--full-name", "X", "--role", "admin"],
                           input="short\nshort\n")
    assert result.exit_code != 0 and "shorter than 8" in result.output
    result = runner.invoke(args=["create-user", "--username", "y", "--full-name", "Y", "--role", "admin",
                                 "--area-code", "99"], input="")
    assert result.exit_code != 0 and "no area with code 99" in result.output
    assert counts(db)["User"] == 0


def test_request_log_is_json_without_personal_data(client, world, caplog):
    with caplog.at_level(logging.INFO, logger="gocua.request"):
        client.get("/login?lang=en&q=Nguyễn Văn Đức")
        client.post("/login", data={"username": "volunteer", "password": "secret-typo"})
    records = [r for r in caplog.records if r.name == "gocua.request"]
    assert len(records) == 2
    fields = records[1].fields
    assert fields["route"] == "/login" and fields["status"] == 401 and fields["method"] == "POST"
    dumped = json.dumps([r.fields for r in records], ensure_ascii=False)
    for secret in ("Nguyễn", "volunteer", "secret-typo", "127.0.0.1"):
        assert secret not in dumped
