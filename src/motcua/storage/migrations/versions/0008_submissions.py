"""submissions: online filings waiting for the desk to accept or refuse them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("province_code", sa.Integer, nullable=False),
        sa.Column("ref", sa.String(60), nullable=False),
        sa.Column("submission_key", sa.String(64), nullable=False),
        sa.Column("procedure_id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("applicant", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by_id", sa.Integer, nullable=True),
        sa.Column("decided_by_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("dossier_code", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedures.id"],
                                name=op.f("fk_submissions_procedure_id_procedures")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_submissions_unit_id_units")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["officials.id"],
                                name=op.f("fk_submissions_decided_by_id_officials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("ref", name=op.f("uq_submissions_ref")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_submissions_submission_key")),
    )
    op.create_index("ix_submissions_waiting", "submissions", ["status", "unit_id", "submitted_at"])


def downgrade() -> None:
    op.drop_table("submissions")
