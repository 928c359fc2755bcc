"""Each area's last visit is kept with the coverage summaries: a province's gaps read one row per village

The gaps of a province count, per commune, the villages never visited and those with no visit
in the last 30 days. Reading each of some 1,700 villages' newest day bucket cost the page tens
of milliseconds on PostgreSQL; the day is now kept on write beside the buckets (an area never
visited has no row) and filled here from the day buckets as they stand.

Revision ID: 0011_coverage_last_visits
Revises: 0010_service_short_names
Create Date: 2026-12-01 01:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_coverage_last_visits'
down_revision = '0010_service_short_names'
branch_labels = None
depends_on = None

ANY, DAY = 0, 'd'  # app.coverage.models as this migration was written


def upgrade():
    op.create_table(
        'coverage_last_visits',
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_coverage_last_visits_area_id_areas')),
        sa.PrimaryKeyConstraint('area_id', name=op.f('pk_coverage_last_visits')),
    )
    op.execute(
        "INSERT INTO coverage_last_visits (area_id, day) "
        "SELECT area_id, max(start) FROM coverage_buckets "
        f"WHERE key = {ANY} AND grain = '{DAY}' AND visits > 0 GROUP BY area_id"
    )


def downgrade():
    op.drop_table('coverage_last_visits')
