"""postal: shipments of dossiers and results by post, carrier events, hand-overs, reviews

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 02:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "postal_shipments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("carrier", sa.String(40), nullable=False),
        sa.Column("order_number", sa.String(60), nullable=False),
        sa.Column("tracking_number", sa.String(40), nullable=True),
        sa.Column("sender", sa.JSON, nullable=False),
        sa.Column("receiver", sa.JSON, nullable=False),
        sa.Column("contents", sa.JSON, nullable=False),
        sa.Column("seal_number", sa.String(40), nullable=False, server_default=""),
        sa.Column("fee", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cod_amount", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_event_at", TZ, nullable=True),
        sa.Column("delivered_to", sa.String(255), nullable=False, server_default=""),
        sa.Column("proof_sha256", sa.String(64), nullable=True),
        sa.Column("lost_flagged_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_shipments")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_postal_shipments_tracking_number")),
        sa.UniqueConstraint("dossier_code", "direction", name="uq_postal_shipments_dossier"),
    )
    op.create_index(op.f("ix_postal_shipments_dossier_code"), "postal_shipments",
                    ["dossier_code"])
    op.create_index("ix_postal_shipments_status", "postal_shipments", ["status"])
    op.create_table(
        "postal_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("shipment_id", sa.Integer, nullable=False),
        sa.Column("event_key", sa.String(120), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("place", sa.String(255), nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("received_by", sa.String(255), nullable=False, server_default=""),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["postal_shipments.id"],
                                name=op.f("fk_postal_events_shipment_id_postal_shipments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_events")),
        sa.UniqueConstraint("shipment_id", "event_key", name="uq_postal_events_key"),
    )
    op.create_index(op.f("ix_postal_events_shipment_id"), "postal_events", ["shipment_id"])
    op.create_table(
        "postal_handovers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("shipment_id", sa.Integer, nullable=False),
        sa.Column("from_party", sa.String(255), nullable=False),
        sa.Column("to_party", sa.String(255), nullable=False),
        sa.Column("signer_name", sa.String(255), nullable=False),
        sa.Column("id_type", sa.String(16), nullable=False),
        sa.Column("id_masked", sa.String(40), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("evidence_sha256", sa.String(64), nullable=True),
        sa.Column("recorded_by_name", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["postal_shipments.id"],
                                name=op.f("fk_postal_handovers_shipment_id_postal_shipments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_handovers")),
    )
    op.create_index(op.f("ix_postal_handovers_shipment_id"), "postal_handovers",
                    ["shipment_id"])
    op.create_table(
        "postal_reviews",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("shipment_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("event", sa.JSON, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("resolved_by_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("resolution", sa.Text, nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["shipment_id"], ["postal_shipments.id"],
                                name=op.f("fk_postal_reviews_shipment_id_postal_shipments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_reviews")),
    )
    op.create_index(op.f("ix_postal_reviews_shipment_id"), "postal_reviews", ["shipment_id"])


def downgrade() -> None:
    for table in ("postal_reviews", "postal_handovers", "postal_events", "postal_shipments"):
        op.drop_table(table)
