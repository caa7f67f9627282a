"""drop indexes that a composite index already leads with: dossiers.status
(ix_dossiers_open), dossiers.province_code (ix_dossiers_report), dossier_steps.dossier_id
(uq_dossier_steps_seq); each was written again at every change of status

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 19:45:00
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

DROPPED = [("ix_dossiers_status", "dossiers", ["status"]),
           ("ix_dossiers_province_code", "dossiers", ["province_code"]),
           ("ix_dossier_steps_dossier_id", "dossier_steps", ["dossier_id"])]


def upgrade() -> None:
    for name, table, _ in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in DROPPED:
        op.create_index(name, table, columns)
