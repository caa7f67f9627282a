"""citizen accounts: citizens signed in with OpenID Connect, linked by the provider's subject

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "citizen_accounts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("provider", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("id_number", sa.String(20), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False, server_default=""),
        sa.Column("email", sa.String(255), nullable=False, server_default=""),
        sa.Column("level", sa.String(16), nullable=False, server_default=""),
        sa.Column("first_seen_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_accounts")),
        sa.UniqueConstraint("provider", "subject", name="uq_citizen_accounts_subject"),
    )
    op.create_index("ix_citizen_accounts_id_number", "citizen_accounts", ["id_number"])


def downgrade() -> None:
    op.drop_table("citizen_accounts")
