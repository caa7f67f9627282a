"""national sync: code maps, what the portal holds, reconciliations, the national catalogue

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _created() -> sa.Column:
    return sa.Column("created_at", TZ, nullable=False)


def upgrade() -> None:
    op.create_table(
        "national_code_maps",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("local", sa.String(40), nullable=False),
        sa.Column("national", sa.String(40), nullable=False),
        sa.Column("label", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_by_name", sa.String(255), nullable=False, server_default=""),
        _created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_code_maps")),
        sa.UniqueConstraint("version", "kind", "local", name="uq_national_code_maps_entry"),
    )
    op.create_table(
        "national_sync_state",
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("first_synced_at", TZ, nullable=False),
        sa.Column("last_synced_at", TZ, nullable=False),
        sa.Column("payload_sha", sa.String(64), nullable=False),
        sa.Column("map_version", sa.Integer, nullable=False),
        sa.Column("national_status", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("dossier_code", name=op.f("pk_national_sync_state")),
    )
    op.create_index("ix_national_sync_state_unit_id", "national_sync_state", ["unit_id"])
    op.create_table(
        "sync_reconciliations",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("run_at", TZ, nullable=False),
        sa.Column("period_start", TZ, nullable=False),
        sa.Column("period_end", TZ, nullable=False),
        sa.Column("local_total", sa.Integer, nullable=False),
        sa.Column("portal_total", sa.Integer, nullable=False),
        sa.Column("differences", sa.JSON, nullable=False),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_reconciliations")),
    )
    op.create_table(
        "national_catalogue",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("field_code", sa.String(40), nullable=False, server_default=""),
        sa.Column("field_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_national_catalogue")),
    )


def downgrade() -> None:
    op.drop_table("national_catalogue")
    op.drop_table("sync_reconciliations")
    op.drop_index("ix_national_sync_state_unit_id", table_name="national_sync_state")
    op.drop_table("national_sync_state")
    op.drop_table("national_code_maps")
