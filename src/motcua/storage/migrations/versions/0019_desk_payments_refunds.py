"""payments: who recorded a desk payment; refunds (when, who, why)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("recorded_by", sa.String(255), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("refunded_by", sa.String(255), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("refund_reason", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        for column in ("refund_reason", "refunded_by", "refunded_at", "recorded_by"):
            batch.drop_column(column)
