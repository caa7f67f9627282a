"""digitisation: scanned components with their OCR, the citizen's data store, reuses

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 05:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "digitised_components",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("original", sa.Boolean, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("blank_pages", sa.JSON, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("scanned_by_id", sa.Integer, nullable=True),
        sa.Column("scanned_by_name", sa.String(255), nullable=False),
        sa.Column("scanned_at", TZ, nullable=False),
        sa.Column("same_day", sa.Boolean, nullable=False),
        sa.Column("ocr_status", sa.String(16), nullable=False),
        sa.Column("ocr_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ocr_next_at", TZ, nullable=False),
        sa.Column("ocr_error", sa.Text, nullable=False, server_default=""),
        sa.Column("ocr_sha256", sa.String(64), nullable=True),
        sa.Column("ocr_text", sa.Text, nullable=False, server_default=""),
        sa.Column("ocr_search", sa.Text, nullable=False, server_default=""),
        sa.Column("ocr_seconds", sa.Float, nullable=True),
        sa.Column("certified_sha256", sa.String(64), nullable=True),
        sa.Column("certified_by_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("certified_at", TZ, nullable=True),
        sa.Column("reused_from_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digitised_components")),
    )
    op.create_index("ix_digitised_components_dossier_code", "digitised_components",
                    ["dossier_code"])
    op.create_index("ix_digitised_components_ocr", "digitised_components",
                    ["ocr_status", "ocr_next_at"])
    op.create_table(
        "citizen_documents",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("applicant_id_number", sa.String(20), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("signed", sa.Boolean, nullable=False),
        sa.Column("source_dossier_code", sa.String(60), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_documents")),
    )
    op.create_index("ix_citizen_documents_applicant_id_number", "citizen_documents",
                    ["applicant_id_number"])
    op.create_table(
        "document_reuses",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("citizen_document_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("reused_at", TZ, nullable=False),
        sa.Column("reused_by_name", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_reuses")),
        sa.ForeignKeyConstraint(["citizen_document_id"], ["citizen_documents.id"],
                                name=op.f("fk_document_reuses_citizen_document_id_"
                                          "citizen_documents")),
    )
    op.create_index("ix_document_reuses_dossier_code", "document_reuses", ["dossier_code"])


def downgrade() -> None:
    op.drop_table("document_reuses")
    op.drop_table("citizen_documents")
    op.drop_table("digitised_components")
