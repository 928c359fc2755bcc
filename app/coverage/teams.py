"""The leader's team statistics: per member this week and month, and the villages' reach.

A fixed number of statements whatever the team's size: GROUP BY queries with conditional
counts, no query per member or per village.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.access import helplog_filter
from app.accounts.models import User
from app.areas.models import Area
from app.catalog.models import Service
from app.core.db import local_today
from app.core.text import name_sort_key
from app.coverage.periods import Period, period_from
from app.coverage.queries import View, reached_by_service, table
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus
from app.helplogs.queries import LOG_OPTIONS, active_services
from app.tasks.queries import TaskFilters, progress, task_list
from app.teams.models import Membership, Team, team_villages


@dataclass
class MemberStats:
    membership: Membership
    week: int = 0
    month: int = 0
    month_approved: int = 0
    returned: int = 0  # returned to the volunteer and not resubmitted yet, whatever the date
    pending: int = 0  # waiting for review, whatever the date

    @property
    def approved_share(self) -> float | None:
        """Approved among this month's logs; None when there are none."""
        return self.month_approved / self.month if self.month else None


@dataclass
class VillageReach:
    """A village's coverage, read from the summaries as the coverage page reads it."""

    village: Area
    reached: int | None  # None: no approved visit in the village yet ("—", not 0)
    total: int | None  # declared by the commune, else in the app's list; None when neither is known
    by_service: dict[int, int]
    visits: int = 0  # approved, within the period
    people: int = 0  # helped, within the period

    @property
    def share(self) -> float | None:
        if self.reached is None or not self.total:
            return None
        return min(self.reached / self.total, 1)


def week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def member_stats(team: Team, today: date) -> tuple[list[MemberStats], int]:
    """Each current member's figures, ordered by given name, and the team's logs waiting for
    review (former members' included)."""
    monday = week_start(today)
    first, following = month_bounds(today)
    in_week = HelpLog.helped_on.between(monday, monday + timedelta(days=6))
    in_month = (HelpLog.helped_on >= first) & (HelpLog.helped_on < following)
    rows = db.session.execute(
        select(HelpLog.author_id,
               func.count().filter(in_week),
               func.count().filter(in_month),
               func.count().filter(in_month, HelpLog.status == LogStatus.APPROVED),
               func.count().filter(HelpLog.status == LogStatus.RETURNED),
               func.count().filter(HelpLog.status == LogStatus.SUBMITTED))
        .where(HelpLog.team_id == team.id,
               or_(HelpLog.helped_on >= min(monday, first), HelpLog.status != LogStatus.APPROVED))
        .group_by(HelpLog.author_id)
    ).all()
    figures = {author_id: counts for author_id, *counts in rows}
    memberships = db.session.scalars(
        select(Membership).where(Membership.team_id == team.id).options(joinedload(Membership.user))
    )
    members = [MemberStats(m, *figures.get(m.user_id, ())) for m in memberships]
    members.sort(key=lambda s: (name_sort_key(s.membership.user.full_name), s.membership.id))
    pending = sum(counts[-1] for counts in figures.values())
    return members, pending


def village_reach(user: User, team: Team, period: Period, services: list[Service]) -> list[VillageReach]:
    """The coverage of the team's villages, by any team (coverage is about households), from the
    same summaries and the same query as the coverage page: households reached by the period's
    end, approved visits and people helped within it."""
    village_ids = select(team_villages.c.village_id).where(team_villages.c.team_id == team.id)
    villages = list(db.session.scalars(
        select(Area).where(Area.id.in_(village_ids)).order_by(Area.search_key, Area.former_commune, Area.id)
    ))
    if not villages:
        return []
    rows, _ = table(View(user, team.commune, villages, {v.id: [v.id] for v in villages}), period)
    by_service = reached_by_service([v.id for v in villages], services, period.end)
    return [
        VillageReach(village=row.area, reached=row.reached if row.has_data else None,
                     total=row.households or None, by_service=by_service.get(row.area.id, {}),
                     visits=row.visits, people=row.people)
        for row in rows
    ]


def team_stats(user: User, team: Team, today: date | None = None) -> dict:
    """Everything the team statistics page shows, in a fixed number of statements; the villages'
    figures are this year's, as the coverage page shows them with the period "this year"."""
    today = today or local_today()
    members, pending = member_stats(team, today)
    period = period_from({"period": "year"}, today)
    services = active_services()
    return {"today": today, "week_start": week_start(today), "members": members, "pending": pending,
            "villages": village_reach(user, team, period, services), "services": services, "period": period}


ACTIVITY_DAYS = 30


def team_activity(user: User, team) -> dict:
    """A team's last 30 days in numbers (visits, people, households reached, approved only),
    and its latest logs that ``user`` may read."""
    since = local_today() - timedelta(days=ACTIVITY_DAYS)
    approved = (HelpLog.team_id == team.id, HelpLog.status == LogStatus.APPROVED, HelpLog.helped_on >= since)
    visits, people, households = db.session.execute(
        select(func.count(), func.coalesce(func.sum(HelpLog.people_count), 0),
               func.count(HelpLog.household_id.distinct())).where(*approved)
    ).one()
    latest = list(db.session.scalars(
        select(HelpLog).where(HelpLog.team_id == team.id, helplog_filter(user))
        .options(*LOG_OPTIONS).order_by(HelpLog.received_at.desc(), HelpLog.id.desc()).limit(10)
    ))
    return {"visits": visits, "people": people, "households": households, "latest": latest,
            "days": ACTIVITY_DAYS}


def team_stats_page(user: User, team: Team, today: date | None = None) -> dict:
    """The leader's team page: the members' and villages' figures, and the team's active tasks."""
    tasks = task_list(user, TaskFilters(team_id=team.id), page=1)
    return {"tasks": tasks, "done": progress(t.id for t in tasks.items), **team_stats(user, team, today)}
