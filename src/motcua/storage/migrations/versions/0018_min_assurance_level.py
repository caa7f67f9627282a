"""procedures: the lowest e-ID assurance level for filing online

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("procedures") as batch:
        batch.add_column(sa.Column("min_assurance_level", sa.SmallInteger, nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("procedures") as batch:
        batch.drop_column("min_assurance_level")
