"""Areas keep their former names; uploaded import files wait for confirmation

Revision ID: 0003_area_names_imports
Revises: 0001_foundation
Create Date: 2026-11-28 18:28:00.670891

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '0003_area_names_imports'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('former_names', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('former_names_key', sa.Text(), nullable=True))

    op.create_table('import_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_rows', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_import_uploads_uploader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_import_uploads_token'))
    )
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_uploads_uploader_id'), ['uploader_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_uploads_uploader_id'))
        batch_op.drop_index(batch_op.f('ix_import_uploads_created_at'))

    op.drop_table('import_uploads')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('former_names_key')
        batch_op.drop_column('former_names')
