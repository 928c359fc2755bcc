"""Coverage buckets and volunteers get covering indexes: the dashboard's reads come from the indexes alone

Every coverage read names areas, a key, a grain and a range of days, and sums reached,
visits and people. Through the primary key each bucket found cost a visit to the table
(on PostgreSQL, to a heap page of its own: the buckets of an area are spread over the whole
table); with the counts in the index, the reads are index-only on SQLite and on PostgreSQL
(once vacuumed, which autovacuum does), e.g. a village's last visit is one index probe.
Active volunteers are read from a partial index of the volunteer rows with logs (the same
columns as the primary key, but the rows whose count went back to 0 left out), so
that the distinct authors of a period's buckets need no visit to the table either.
The table is analysed at once: without statistics SQLite picks an index by its first two
columns and scans every day bucket of a period's areas instead of the ranges asked for.

Revision ID: 0009_coverage_read_index
Revises: 0008_coverage
Create Date: 2026-11-30 22:50:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0009_coverage_read_index'
down_revision = '0008_coverage'
branch_labels = None
depends_on = None

COLUMNS = ['area_id', 'key', 'grain', 'start', 'reached', 'visits', 'people']
VOLUNTEER_COLUMNS = ['area_id', 'key', 'grain', 'start', 'author_id']


def upgrade():
    with op.batch_alter_table('coverage_buckets', schema=None) as batch_op:
        batch_op.create_index('ix_coverage_buckets_read', COLUMNS, unique=False)
    with op.batch_alter_table('coverage_volunteers', schema=None) as batch_op:
        batch_op.create_index('ix_coverage_volunteers_active', VOLUNTEER_COLUMNS, unique=False,
                              sqlite_where=sa.text('logs > 0'), postgresql_where=sa.text('logs > 0'))
    op.execute('ANALYZE coverage_buckets')
    op.execute('ANALYZE coverage_volunteers')


def downgrade():
    with op.batch_alter_table('coverage_volunteers', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_volunteers_active')
    with op.batch_alter_table('coverage_buckets', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_buckets_read')
