"""Volunteer buckets keep the first and last day with a visit: a period's active volunteers are read from month rows

Active volunteers are the distinct authors of a period's buckets. A period cut mid-month read
the day buckets of its edge months: at province scale, one row per volunteer and day worked
(some 53,000 for a month). A month bucket now also holds the first and last day of the month
on which its volunteer had a visit, so a month cut by the period's start counts those whose last
day falls inside the period, and a month cut by its end those whose first day does: one row per
volunteer and month. The volunteer buckets are recomputed here from the logs, and the partial
index that answers the read carries the days.

Revision ID: 0012_volunteer_days
Revises: 0011_coverage_last_visits
Create Date: 2026-12-01 01:25:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


# revision identifiers, used by Alembic.
revision = '0012_volunteer_days'
down_revision = '0011_coverage_last_visits'
branch_labels = None
depends_on = None

KEYS = ['area_id', 'key', 'grain', 'start', 'author_id']


def upgrade():
    # The index goes while the rows are written again, and comes back carrying the days.
    with op.batch_alter_table('coverage_volunteers', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_volunteers_active')
    op.add_column('coverage_volunteers', sa.Column('first_day', sa.Date(), nullable=True))
    op.add_column('coverage_volunteers', sa.Column('last_day', sa.Date(), nullable=True))
    from app.coverage.models import VolunteerBucket
    from app.coverage.summaries import rebuild

    # Recomputed from the logs by the app's definition (as 0008 does for the other summaries).
    rebuild(Session(bind=op.get_bind()), models=(VolunteerBucket,))
    with op.batch_alter_table('coverage_volunteers', schema=None) as batch_op:
        batch_op.create_index('ix_coverage_volunteers_active', KEYS + ['first_day', 'last_day'], unique=False,
                              sqlite_where=sa.text('logs > 0'), postgresql_where=sa.text('logs > 0'))
    op.execute('ANALYZE coverage_volunteers')


def downgrade():
    with op.batch_alter_table('coverage_volunteers', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_volunteers_active')
        batch_op.create_index('ix_coverage_volunteers_active', KEYS, unique=False,
                              sqlite_where=sa.text('logs > 0'), postgresql_where=sa.text('logs > 0'))
    with op.batch_alter_table('coverage_volunteers', schema=None) as batch_op:
        batch_op.drop_column('last_day')
        batch_op.drop_column('first_day')
