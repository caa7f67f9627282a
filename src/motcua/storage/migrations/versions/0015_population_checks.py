"""population checks: each look-up of an applicant in the population database at receipt

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 06:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "population_checks",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("result", sa.String(24), nullable=False),
        sa.Column("address_filled", sa.Boolean, nullable=False),
        sa.Column("paper_checked", sa.Boolean, nullable=False),
        sa.Column("checked_by_name", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_population_checks")),
    )
    op.create_index("ix_population_checks_dossier_code", "population_checks",
                    ["dossier_code"])


def downgrade() -> None:
    op.drop_table("population_checks")
