"""Services get short names for lists (VNeID, Thanh toán số, Y tế số), editable by administrators

Revision ID: 0009_service_short_names
Revises: 0008_coverage
Create Date: 2026-11-30 22:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_service_short_names'
down_revision = '0008_coverage'
branch_labels = None
depends_on = None

# The short names of the catalogue as it stood when this migration was written (app/catalog/data.py
# may change later; a migration does not follow it).
SHORT_NAMES = {
    "VNEID": ("VNeID", "VNeID"),
    "DVC": ("Dịch vụ công", "Public services"),
    "TTKDTM": ("Thanh toán số", "Cashless"),
    "QR": ("QR bán hàng", "Merchant QR"),
    "TMDT": ("Bán hàng online", "Selling online"),
    "KNS": ("Kỹ năng số", "Digital skills"),
    "ATTT": ("An toàn mạng", "Online safety"),
    "YTASXH": ("Y tế số", "Digital health"),
    "CKS": ("Chữ ký số", "Digital signature"),
    "PAHT": ("Công dân số", "Citizen app"),
    "KHAC": ("Khác", "Other"),
}


def upgrade():
    # Plain ADD COLUMNs with a default, not a batch: nothing to copy on SQLite.
    op.add_column('services', sa.Column('short_name_vi', sa.String(length=40), nullable=False, server_default=''))
    op.add_column('services', sa.Column('short_name_en', sa.String(length=40), nullable=False, server_default=''))
    services = sa.table('services', sa.column('code', sa.String), sa.column('short_name_vi', sa.String),
                        sa.column('short_name_en', sa.String))
    for code, (short_vi, short_en) in SHORT_NAMES.items():
        op.execute(services.update().where(services.c.code == code)
                   .values(short_name_vi=short_vi, short_name_en=short_en))


def downgrade():
    op.drop_column('services', 'short_name_en')
    op.drop_column('services', 'short_name_vi')
