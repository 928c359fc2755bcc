"""Help logs and their services

Revision ID: 0004_help_logs
Revises: 0003_area_names_imports
Create Date: 2026-11-28 18:33:07.789232

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '0004_help_logs'
down_revision = '0003_area_names_imports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('helped_on', sa.Date(), nullable=False),
    sa.Column('received_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('return_reason', sa.String(length=32), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_help_logs_author_id_users')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_help_logs_household_id_households')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_help_logs_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_help_logs_team_id_teams')),
    sa.ForeignKeyConstraint(['village_id'], ['areas.id'], name=op.f('fk_help_logs_village_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_logs')),
    sa.UniqueConstraint('author_id', 'client_uuid', name=op.f('uq_help_logs_author_id'))
    )
    with op.batch_alter_table('help_logs', schema=None) as batch_op:
        batch_op.create_index('ix_help_logs_author_id_received_at', ['author_id', 'received_at'], unique=False)
        batch_op.create_index('ix_help_logs_household_id_helped_on', ['household_id', 'helped_on'], unique=False)
        batch_op.create_index('ix_help_logs_team_id_status', ['team_id', 'status'], unique=False)
        batch_op.create_index('ix_help_logs_village_id_helped_on', ['village_id', 'helped_on'], unique=False)

    op.create_table('help_log_services',
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['help_logs.id'], name=op.f('fk_help_log_services_log_id_help_logs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_help_log_services_service_id_services')),
    sa.PrimaryKeyConstraint('log_id', 'service_id', name=op.f('pk_help_log_services'))
    )
    with op.batch_alter_table('help_log_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_log_services_service_id'), ['service_id'], unique=False)



def downgrade():
    with op.batch_alter_table('help_log_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_log_services_service_id'))

    op.drop_table('help_log_services')
    with op.batch_alter_table('help_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_help_logs_village_id_helped_on')
        batch_op.drop_index('ix_help_logs_team_id_status')
        batch_op.drop_index('ix_help_logs_household_id_helped_on')
        batch_op.drop_index('ix_help_logs_author_id_received_at')

    op.drop_table('help_logs')
