"""results returned electronically: procedures that allow it, the citizen's choice

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("procedures") as batch:
        batch.add_column(sa.Column("electronic_result", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "electronic_returns",
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("dossier_code", name=op.f("pk_electronic_returns")),
    )


def downgrade() -> None:
    op.drop_table("electronic_returns")
    with op.batch_alter_table("procedures") as batch:
        batch.drop_column("electronic_result")
