"""Coverage summaries, kept up to date in the same transaction as every write that changes them,
so a dashboard reads a few hundred summary rows instead of scanning the logs.

Counts are kept per area (each village and its commune) and per *key*: a kind of help
(``Service.id``), one of the five skills, any help, or all five skills. Each count sits in four
buckets, one of each grain: a day and a month, so that any period, custom dates included, is
read exactly as a few whole months plus the days at its edges (``coverage.periods``); a week
(Monday to Sunday), so that the 26 weeks of the trend read one row per area and week; and all
time, so that "by the end of a period ending today" reads one row per area and key. A household
is counted once per grain, in the bucket of the day it was first reached for that key: counts
over a period add up without counting anyone twice, and "reached by the end of the period" is
the sum of one grain's buckets up to that day (or of spans that do not overlap).
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

# Keys besides a service id (which is positive).
ANY = 0  # any kind of help
FIVE = -10  # all five basic digital skills (DESIGN §4)
SKILLS = (1, 2, 3, 4, 5)
DAY, WEEK, MONTH, ALL = "d", "w", "m", "a"
# The start of the all-time bucket of an area and key (ALL: everything up to today, read for
# any period that ends today or later, since no visit is dated after today).
ALL_START = date(2000, 1, 1)


def skill_key(skill: int) -> int:
    """The key of one of the five skills: -1 … -5."""
    return -skill


class Bucket(db.Model):
    """What happened in an area, for a key, in one day, week or month, or in all time:
    households first reached (by the village they live in now), approved visits and people
    helped (by the village of the visit)."""

    __tablename__ = "coverage_buckets"
    # The counts in the index too: the dashboard's reads (areas, a key, a grain, a range of
    # days; sums of the counts) never visit the table. The all-time rows have an index of
    # their own (31,000 entries at province scale, not millions): "reached by today" for a province's
    # communes and every kind of help is some 750 lookups.
    __table_args__ = (Index("ix_coverage_buckets_read", "area_id", "key", "grain", "start", "reached", "visits",
                            "people"),
                      Index("ix_coverage_buckets_all_time", "area_id", "key", "reached", "visits", "people",
                            postgresql_where=text("grain = 'a'"), sqlite_where=text("grain = 'a'")))

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    reached: Mapped[int] = mapped_column(default=0)
    visits: Mapped[int] = mapped_column(default=0)
    people: Mapped[int] = mapped_column(default=0)


class VolunteerBucket(db.Model):
    """A volunteer's approved visits in an area, for a key, in one day or month, and the first
    and last day of the bucket with one (a day bucket's own day). Active volunteers are the
    distinct authors of a period's month buckets: a month cut by the period's start counts
    those whose last day falls inside it, a month cut by its end those whose first day does,
    so a period reads one row per volunteer and month, not one per day they worked."""

    __tablename__ = "coverage_volunteers"
    # Who was active in a period, from an index alone: the rows with logs (a count back at 0
    # stays as a row, and counts for nobody).
    __table_args__ = (Index("ix_coverage_volunteers_active", "area_id", "key", "grain", "start", "author_id",
                            "first_day", "last_day", sqlite_where=text("logs > 0"), postgresql_where=text("logs > 0")),)

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    logs: Mapped[int] = mapped_column(default=0)
    # Null only in a row that never had a visit (none is written without one).
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)


class Registered(db.Model):
    """Households in the app's list per village and per commune (anonymised ones still count)."""

    __tablename__ = "coverage_registered"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    households: Mapped[int] = mapped_column(default=0)


class LastVisit(db.Model):
    """The day of an area's latest approved visit (any help): what the gaps of a province read
    for its 1,700 villages at once, where a probe of each village's day buckets costs a
    request tens of milliseconds. Kept with the buckets (``summaries.apply``); an area never
    visited has no row."""

    __tablename__ = "coverage_last_visits"

    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)


class Target(db.Model):
    """Households to reach in an area in a year: for one kind of help (a service id), for any
    help (ANY) or covering all five skills (FIVE)."""

    __tablename__ = "coverage_targets"
    __table_args__ = (
        UniqueConstraint("area_id", "year", "key"),
        Index("ix_coverage_targets_year_key", "year", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    year: Mapped[int]
    key: Mapped[int]
    households: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship()

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong (see AuditEvent.area_id)."""
        return self.area_id
