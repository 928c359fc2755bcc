"""Wrong passwords are counted per address and account in Redis, not on the user row

Revision ID: 0007_drop_account_lock
Revises: 0006_user_sessions
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '0007_drop_account_lock'
down_revision = '0006_user_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs, not a batch (see 0006): a batch would copy the users table on SQLite.
    op.drop_column('users', 'locked_until')
    op.drop_column('users', 'failed_logins')


def downgrade():
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('users', sa.Column('locked_until', app.core.db.UTCDateTime(timezone=True), nullable=True))
