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
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', app.core.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('failed_logins', existing_type=sa.Integer(), server_default=None)
