"""Coverage buckets gain an all-time bucket per area and key: reach by today reads one row, not every month

"Households reached by the end of the period" summed every month bucket of an area and key up
to the period's end, and the day buckets of its last month: for the province's service matrix
some 9,000 rows, which PostgreSQL reads in tens of milliseconds. Every period that ends today
(this month, quarter and year) now reads each area and key's all-time bucket (grain 'a', start
2000-01-01), kept on write like the others and filled here as the sum of the month buckets.

Revision ID: 0013_coverage_all_time
Revises: 0012_volunteer_days
Create Date: 2026-12-01 02:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_coverage_all_time'
down_revision = '0012_volunteer_days'
branch_labels = None
depends_on = None


def upgrade():
    # 0008 fills the summaries with today's rebuild, which already has these rows.
    op.execute("DELETE FROM coverage_buckets WHERE grain = 'a'")
    op.execute(
        "INSERT INTO coverage_buckets (area_id, key, grain, start, reached, visits, people) "
        "SELECT area_id, key, 'a', '2000-01-01', sum(reached), sum(visits), sum(people) "
        "FROM coverage_buckets WHERE grain = 'm' GROUP BY area_id, key"
    )
    op.execute('ANALYZE coverage_buckets')


def downgrade():
    op.execute("DELETE FROM coverage_buckets WHERE grain = 'a'")
