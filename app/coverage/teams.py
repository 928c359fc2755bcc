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
from app.core.db import local_today
from app.core.text import name_sort_key
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, help_log_services
from app.helplogs.queries import LOG_OPTIONS, active_services
from app.households.queries import household_counts
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
    village: Area
    reached: int | None  # None: no approved log in the village yet ("—", not 0)
    total: int | None  # declared by the commune, else registered; None when neither is known
    by_service: dict[int, int]

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


def village_reach(team: Team) -> list[VillageReach]:
    """Households reached in the team's villages, by any team: coverage is about households.
    Approved logs only; a group session (no household) reaches no household."""
    village_ids = select(team_villages.c.village_id).where(team_villages.c.team_id == team.id)
    villages = list(db.session.scalars(
        select(Area).where(Area.id.in_(village_ids)).order_by(Area.search_key, Area.former_commune, Area.id)
    ))
    if not villages:
        return []
    approved = (HelpLog.village_id.in_([v.id for v in villages]), HelpLog.status == LogStatus.APPROVED,
                HelpLog.household_id.is_not(None))
    reached = dict(db.session.execute(
        select(HelpLog.village_id, func.count(HelpLog.household_id.distinct()))
        .where(*approved).group_by(HelpLog.village_id)
    ).all())
    by_service: dict[int, dict[int, int]] = {}
    for village_id, service_id, count in db.session.execute(
        select(HelpLog.village_id, help_log_services.c.service_id, func.count(HelpLog.household_id.distinct()))
        .join(help_log_services, help_log_services.c.log_id == HelpLog.id)
        .where(*approved).group_by(HelpLog.village_id, help_log_services.c.service_id)
    ):
        by_service.setdefault(village_id, {})[service_id] = count
    registered = household_counts([v.id for v in villages])
    return [
        VillageReach(village=v, reached=reached.get(v.id),
                     total=v.declared_households or registered.get(v.id) or None,
                     by_service=by_service.get(v.id, {}))
        for v in villages
    ]


def team_stats(team: Team, today: date | None = None) -> dict:
    """Everything the team statistics page shows, in seven statements."""
    today = today or local_today()
    members, pending = member_stats(team, today)
    return {"today": today, "week_start": week_start(today), "members": members, "pending": pending,
            "villages": village_reach(team), "services": active_services()}


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
    return {"tasks": tasks, "done": progress(t.id for t in tasks.items), **team_stats(team, today)}
