"""the tracking look-up's function keeps its statements' plans (PostgreSQL)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 11:30:00
"""

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# A PL/pgSQL function's statements are planned anew at every call while the planner
# judges a custom plan cheaper than the generic one, which it did for the throttle's
# count; the plans are the same (the key's index, the dossier's unique code), so the
# planning was pure cost: 129 µs a call against 80 µs with the generic plans kept
# (pgbench, one client, this machine's PostgreSQL 15, 01/12/2026).
SIGNATURE = "motcua_track_guess(text[], text[], timestamptz, timestamptz, int, text, text)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER FUNCTION {SIGNATURE} SET plan_cache_mode = force_generic_plan")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER FUNCTION {SIGNATURE} RESET plan_cache_mode")
