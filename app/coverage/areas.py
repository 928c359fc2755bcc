"""What a place holds: the places under it, the teams that work there, its households, and
its coverage this year, read from the summaries as the coverage page reads it."""

from datetime import date

from sqlalchemy import func, select, true
from sqlalchemy.orm import selectinload

from app.access import allowed, area_filter, manages_places, team_filter
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.areas.queries import child_order
from app.core.db import local_today
from app.coverage.periods import period_from
from app.coverage.queries import table, view_of
from app.extensions import db
from app.households.queries import household_counts
from app.teams.models import Membership, Team, team_villages


def area_coverage(user: User, area: Area, today: date) -> dict:
    """This year's coverage figures of ``area`` and of the children it lists, exactly the rows of
    the coverage page for the period "this year"; nothing for a user without a coverage page
    of it (a volunteer)."""
    view = view_of(user, area) if allowed(user, "coverage.show") else None
    if view is None:
        return {"coverage": None, "coverage_rows": {}}
    period = period_from({"period": "year"}, today)
    rows, total = table(view, period)
    return {"coverage": total, "coverage_rows": {row.area.id: row for row in rows}, "coverage_period": period}


def area_page(user: User, area: Area, today: date | None = None) -> dict:
    ancestors = list(db.session.scalars(
        select(Area).where(Area.id.in_(area.ancestor_ids()[:-1]), area_filter(user)).order_by(Area.path)
    ))
    keeps = manages_places(user, area)
    # Deactivated villages stay listed, apart, for those who may bring them back.
    everyone = list(db.session.scalars(
        select(Area).where(Area.parent_id == area.id, area_filter(user),
                           true() if keeps and area.kind == AreaKind.COMMUNE else Area.is_active)
        .order_by(*child_order(area))
    ))
    children = [child for child in everyone if child.is_active]
    inactive = [child for child in everyone if not child.is_active]
    village_ids = [child.id for child in everyone if child.kind == AreaKind.VILLAGE]
    if area.kind == AreaKind.VILLAGE:
        village_ids = [area.id]
    teams_stmt = select(Team).where(team_filter(user), Team.is_active)
    if area.kind == AreaKind.VILLAGE:
        teams_stmt = teams_stmt.join(team_villages).where(team_villages.c.village_id == area.id)
    elif area.kind == AreaKind.COMMUNE:
        teams_stmt = teams_stmt.where(Team.commune_id == area.id)
    else:
        teams_stmt = None
    teams = []
    if teams_stmt is not None:
        teams = list(db.session.scalars(
            teams_stmt.options(selectinload(Team.memberships).selectinload(Membership.user))
            .order_by(Team.name)
        ))
    child_counts = {}
    if area.kind in (AreaKind.PROVINCE, AreaKind.DISTRICT):
        child_counts = dict(db.session.execute(
            select(Area.parent_id, func.count())
            .where(Area.parent_id.in_([c.id for c in children]), Area.is_active, area_filter(user))
            .group_by(Area.parent_id)
        ).all())
    return {
        "area": area,
        "ancestors": ancestors,
        "children": children,
        "inactive_children": inactive,
        "keeps_places": keeps,
        "child_counts": child_counts,
        "household_counts": household_counts(village_ids),
        "teams": teams,
        **area_coverage(user, area, today or local_today()),
    }
