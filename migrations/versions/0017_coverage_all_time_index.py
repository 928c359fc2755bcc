"""Coverage buckets: an index of the all-time rows alone

"Reached by today" reads each area and key's all-time bucket: for a province's service matrix,
69 communes × 11 kinds of help. Looked up in the index of every bucket (millions of entries,
four levels deep) that took 1.8 ms on PostgreSQL at province scale; in an index of the
all-time rows alone (partial: grain 'a'), 0.4 ms.

Revision ID: 0017_coverage_all_time_index
Revises: 0016_coverage_weeks
Create Date: 2026-12-01 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_coverage_all_time_index'
down_revision = '0016_coverage_weeks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_coverage_buckets_all_time', 'coverage_buckets',
                    ['area_id', 'key', 'reached', 'visits', 'people'], unique=False,
                    postgresql_where=sa.text("grain = 'a'"), sqlite_where=sa.text("grain = 'a'"))


def downgrade():
    op.drop_index('ix_coverage_buckets_all_time', table_name='coverage_buckets')
