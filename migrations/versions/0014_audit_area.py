"""Audit events carry the area they belong to, so a commune's staff read their commune's trail

Revision ID: 0014_audit_area
Revises: 0013_coverage_all_time
Create Date: 2026-12-01 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_audit_area'
down_revision = '0013_coverage_all_time'
branch_labels = None
depends_on = None

# Where the events already written belong, as AuditEvent.area_id says for new ones: the place of
# the record each names, else the actor's home area.
PLACE_OF_OBJECT = {
    "help_logs": "SELECT village_id FROM help_logs WHERE help_logs.id = audit_events.object_id",
    "households": "SELECT village_id FROM households WHERE households.id = audit_events.object_id",
    "teams": "SELECT commune_id FROM teams WHERE teams.id = audit_events.object_id",
    "tasks": "SELECT village_id FROM tasks WHERE tasks.id = audit_events.object_id",
    "coverage_targets": "SELECT area_id FROM coverage_targets WHERE coverage_targets.id = audit_events.object_id",
    "users": "SELECT home_area_id FROM users WHERE users.id = audit_events.object_id",
    "areas": "SELECT id FROM areas WHERE areas.id = audit_events.object_id",
}


def upgrade():
    # A plain ADD COLUMN (no foreign key, like object_id): nothing to copy on SQLite, no long lock
    # on PostgreSQL.
    op.add_column('audit_events', sa.Column('area_id', sa.Integer(), nullable=True))
    for table, place in PLACE_OF_OBJECT.items():
        op.execute(f"UPDATE audit_events SET area_id = ({place}) WHERE object_type = '{table}'")
    op.execute("UPDATE audit_events SET area_id = (SELECT home_area_id FROM users WHERE users.id = audit_events.actor_id)"
               " WHERE area_id IS NULL AND actor_id IS NOT NULL")
    op.create_index(op.f('ix_audit_events_area_id'), 'audit_events', ['area_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_audit_events_area_id'), table_name='audit_events')
    op.drop_column('audit_events', 'area_id')
