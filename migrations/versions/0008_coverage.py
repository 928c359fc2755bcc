"""Coverage summaries (kept on write) and targets; the summaries are filled from the logs

The summaries are derived data: filling them here uses today's definition in
app.coverage.summaries, and `flask --app app coverage rebuild` recomputes them at any time.

Revision ID: 0008_coverage
Revises: 0007_drop_account_lock
Create Date: 2026-11-30 19:35:03.612365

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

import app.core.db


# revision identifiers, used by Alembic.
revision = '0008_coverage'
down_revision = '0007_drop_account_lock'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coverage_buckets',
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('reached', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_coverage_buckets_area_id_areas')),
    sa.PrimaryKeyConstraint('area_id', 'key', 'grain', 'start', name=op.f('pk_coverage_buckets'))
    )
    op.create_table('coverage_registered',
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_coverage_registered_area_id_areas')),
    sa.PrimaryKeyConstraint('area_id', name=op.f('pk_coverage_registered'))
    )
    op.create_table('coverage_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('key', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_coverage_targets_area_id_areas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_coverage_targets_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_targets')),
    sa.UniqueConstraint('area_id', 'year', 'key', name=op.f('uq_coverage_targets_area_id'))
    )
    with op.batch_alter_table('coverage_targets', schema=None) as batch_op:
        batch_op.create_index('ix_coverage_targets_year_key', ['year', 'key'], unique=False)

    op.create_table('coverage_volunteers',
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('logs', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_coverage_volunteers_area_id_areas')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_coverage_volunteers_author_id_users')),
    sa.PrimaryKeyConstraint('area_id', 'key', 'grain', 'start', 'author_id', name=op.f('pk_coverage_volunteers'))
    )
    from app.coverage.models import Bucket, Registered
    from app.coverage.summaries import rebuild

    # The volunteer buckets are filled by 0012, which gives them the columns the app writes today.
    rebuild(Session(bind=op.get_bind()), models=(Bucket, Registered))


def downgrade():
    op.drop_table('coverage_volunteers')
    with op.batch_alter_table('coverage_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_targets_year_key')

    op.drop_table('coverage_targets')
    op.drop_table('coverage_registered')
    op.drop_table('coverage_buckets')
