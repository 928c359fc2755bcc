"""The teams' fixtures and helpers."""

import pytest
from sqlalchemy import func, select

from app.teams.models import Membership, Team
from tests.conftest import make_user


def team_count(db):
    return db.session.scalar(select(func.count()).select_from(Team))


def membership(db, team, user):
    return db.session.scalar(select(Membership).where(Membership.team_id == team.id,
                                                      Membership.user_id == user.id))


@pytest.fixture()
def duc(world):
    return make_user("duc", full_name="Nguyễn Văn Đức", home_area=world["commune_a"])
