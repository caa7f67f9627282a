"""server-side sessions, shared throttle counts, keyed audit seals and signed checkpoints

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("audit_seal", sa.String(64), nullable=False,
                                   server_default=""))
    op.create_table(
        "web_sessions",
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("official_id", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["official_id"], ["officials.id"],
                                name=op.f("fk_web_sessions_official_id_officials")),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_official_id"), "web_sessions", ["official_id"])
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"])
    op.create_table(
        "throttle_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_events")),
    )
    op.create_index("ix_throttle_events_key_at", "throttle_events", ["key", "at"])
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prefix", sa.String(40), nullable=False),
        sa.Column("max_dossier_id", sa.Integer, nullable=False),
        sa.Column("dossier_count", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("prev_signature", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("throttle_events")
    op.drop_table("web_sessions")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("audit_seal")
