"""payments: fee payments through the gateway, with its answers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 06:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("purpose", sa.String(255), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gateway_reference", sa.String(60), nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("paid_at", TZ, nullable=True),
        sa.Column("callbacks", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_answer", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    op.create_index("ix_payments_dossier_code", "payments", ["dossier_code"])


def downgrade() -> None:
    op.drop_table("payments")
