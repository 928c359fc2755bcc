"""Signed-in sessions in a table of their own; the per-user session token goes

Revision ID: 0006_user_sessions
Revises: 0005_tasks
Create Date: 2026-12-02 09:00:00

Everyone is signed out by the upgrade: the old cookies name a token that no longer exists.
"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '0006_user_sessions'
down_revision = '0005_tasks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    # Plain ALTERs, not a batch: on SQLite a batch copies the table, and dropping the old users
    # table fails on the rows other tables point at (foreign keys are on). SQLite drops and
    # adds a column in place since 3.35.
    op.drop_column('users', 'session_token')


def downgrade():
    op.add_column('users', sa.Column('session_token', sa.String(length=32), nullable=False, server_default=''))
    # Every user gets a fresh random token, so no old cookie comes back to life.
    random_token = ("substr(md5(random()::text || id::text), 1, 22)"
                    if op.get_bind().dialect.name == "postgresql" else "lower(hex(randomblob(11)))")
    op.execute(f"UPDATE users SET session_token = {random_token}")

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
