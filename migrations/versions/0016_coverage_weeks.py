"""Coverage buckets gain a week bucket per area, key and week: the trend reads 26 rows per area, not 182 days

The coverage page's trend (approved visits and households newly reached per week over the last
26 weeks) summed the day buckets of half a year: for a province some 12,000 rows, the slowest of
the page's reads on PostgreSQL (4 ms). Week buckets (grain 'w', starting on the Monday) are kept
on write like the others and filled here as the sums of the day buckets of each week.

Revision ID: 0016_coverage_weeks
Revises: 0015_training
Create Date: 2026-12-01 07:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_coverage_weeks'
down_revision = '0015_training'
branch_labels = None
depends_on = None


def upgrade():
    # 0008 fills the summaries with today's rebuild, which already has these rows.
    op.execute("DELETE FROM coverage_buckets WHERE grain = 'w'")
    if op.get_bind().dialect.name == 'postgresql':
        monday = "date_trunc('week', start)::date"
    else:
        monday = "date(start, '-6 days', 'weekday 1')"
    op.execute(
        "INSERT INTO coverage_buckets (area_id, key, grain, start, reached, visits, people) "
        f"SELECT area_id, key, 'w', {monday}, sum(reached), sum(visits), sum(people) "
        f"FROM coverage_buckets WHERE grain = 'd' GROUP BY area_id, key, {monday}"
    )
    op.execute('ANALYZE coverage_buckets')


def downgrade():
    op.execute("DELETE FROM coverage_buckets WHERE grain = 'w'")
