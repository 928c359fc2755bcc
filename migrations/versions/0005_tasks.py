"""Tasks, their services and households; logs link to a task

Revision ID: 0005_tasks
Revises: 0004_help_logs
Create Date: 2026-11-28 20:22:04.476445

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '0005_tasks'
down_revision = '0004_help_logs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('target_count', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tasks_assignee_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tasks_created_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_tasks_team_id_teams')),
    sa.ForeignKeyConstraint(['village_id'], ['areas.id'], name=op.f('fk_tasks_village_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_tasks_team_id_status_due_on', ['team_id', 'status', 'due_on'], unique=False)
        batch_op.create_index('ix_tasks_village_id_status', ['village_id', 'status'], unique=False)

    op.create_table('task_households',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_task_households_household_id_households')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_households_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'household_id', name=op.f('pk_task_households'))
    )
    with op.batch_alter_table('task_households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_households_household_id'), ['household_id'], unique=False)

    op.create_table('task_services',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_task_services_service_id_services')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_services_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'service_id', name=op.f('pk_task_services'))
    )
    with op.batch_alter_table('help_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_help_logs_task_id'), ['task_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_help_logs_task_id_tasks'), 'tasks', ['task_id'], ['id'])



def downgrade():
    with op.batch_alter_table('help_logs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_help_logs_task_id_tasks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_help_logs_task_id'))
        batch_op.drop_column('task_id')

    op.drop_table('task_services')
    with op.batch_alter_table('task_households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_households_household_id'))

    op.drop_table('task_households')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_village_id_status')
        batch_op.drop_index('ix_tasks_team_id_status_due_on')
        batch_op.drop_index(batch_op.f('ix_tasks_assignee_id'))

    op.drop_table('tasks')
