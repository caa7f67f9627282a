"""legal corrections (Decree 118/2025): the appointment a complete supplement restarts,
late supplement requests, a procedure's supplement window, units' national agency
identifiers, and the data-migration log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("appointment_after_supplement", sa.DateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("dossier_supplements") as batch:
        batch.add_column(sa.Column("late", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("agency_code", sa.String(40), nullable=True))
    with op.batch_alter_table("procedures") as batch:
        batch.add_column(sa.Column("supplement_window_days", sa.Integer, nullable=False,
                                   server_default="3"))
    op.create_table(
        "data_migrations",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_migrations")),
    )


def downgrade() -> None:
    op.drop_table("data_migrations")
    for table, column in (("procedures", "supplement_window_days"), ("units", "agency_code"),
                          ("dossier_supplements", "late"),
                          ("dossiers", "appointment_after_supplement")):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
