"""notifications: the notification outbox, templates, preferences, escalation log, worker jobs

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("officials") as batch:
        batch.add_column(sa.Column("email", sa.String(255), nullable=False, server_default=""))
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("province_code", sa.Integer, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=True),
        sa.Column("unit_id", sa.Integer, nullable=True),
        sa.Column("recipient_kind", sa.String(16), nullable=False),
        sa.Column("recipient_id", sa.Integer, nullable=True),
        sa.Column("recipient_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("address", sa.String(255), nullable=False, server_default=""),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("fallback", sa.JSON, nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("mandatory", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("locked_until", TZ, nullable=True),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
        sa.Column("provider_message_id", sa.String(100), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_outbox_dedupe_key")),
    )
    op.create_index("ix_notification_outbox_due", "notification_outbox",
                    ["status", "next_attempt_at"])
    op.create_index(op.f("ix_notification_outbox_dossier_code"), "notification_outbox",
                    ["dossier_code"])
    op.create_index("ix_notification_outbox_provider_message_id", "notification_outbox",
                    ["provider_message_id"],
                    sqlite_where=sa.text("provider_message_id IS NOT NULL"),
                    postgresql_where=sa.text("provider_message_id IS NOT NULL"))
    op.create_table(
        "notification_templates",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sms", sa.Text, nullable=False),
        sa.Column("zns_template_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("created_by_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_templates")),
        sa.UniqueConstraint("key", "version", name="uq_notification_templates_key_version"),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("ref", sa.String(60), nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("optional_consent", sa.Boolean, nullable=False),
        sa.Column("unsubscribed_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "escalation_log",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("step_seq", sa.Integer, nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_log")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_escalation_log_dedupe_key")),
    )
    op.create_index(op.f("ix_escalation_log_dossier_code"), "escalation_log", ["dossier_code"])
    op.create_table(
        "worker_jobs",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("next_run_at", TZ, nullable=False),
        sa.Column("last_run_at", TZ, nullable=True),
        sa.Column("last_result", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_jobs")),
    )


def downgrade() -> None:
    for table in ("worker_jobs", "escalation_log", "notification_preferences",
                  "notification_templates", "notification_outbox"):
        op.drop_table(table)
    with op.batch_alter_table("officials") as batch:
        batch.drop_column("email")
