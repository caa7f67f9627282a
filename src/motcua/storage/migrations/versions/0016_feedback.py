"""feedback: citizens' feedback and complaints (phản ánh, kiến nghị) and their answers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 06:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=True),
        sa.Column("procedure_code", sa.String(40), nullable=True),
        sa.Column("sender_name", sa.String(255), nullable=False),
        sa.Column("sender_phone", sa.String(20), nullable=False),
        sa.Column("sender_email", sa.String(255), nullable=False, server_default=""),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("public_consent", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("ack_due", TZ, nullable=False),
        sa.Column("answer_due", TZ, nullable=False),
        sa.Column("acknowledged_at", TZ, nullable=True),
        sa.Column("answered_at", TZ, nullable=True),
        sa.Column("handler_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("answer", sa.Text, nullable=False, server_default=""),
        sa.Column("satisfied", sa.Boolean, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("code", name=op.f("uq_feedback_code")),
    )
    op.create_index("ix_feedback_unit_id", "feedback", ["unit_id"])


def downgrade() -> None:
    op.drop_table("feedback")
