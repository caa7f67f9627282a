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

# One round trip per counted filing (storage.repositories.ThrottleRepository): lock the
# target keys, forget expired rows, refuse when one is at its limit, else record the
# attempt against each; the statement's own transaction commits without waiting for
# the WAL flush.
THROTTLE_ADMIT = """
CREATE OR REPLACE FUNCTION motcua_throttle_admit(
    targets text[], since timestamptz, at_now timestamptz, attempts int)
RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE
  k text;
  ids int[] := '{}';
  new_id int;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  FOREACH k IN ARRAY COALESCE((SELECT array_agg(x ORDER BY x) FROM unnest(targets) x), '{}')
  LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 0));
  END LOOP;
  DELETE FROM throttle_events WHERE key = ANY(targets) AND at <= since;
  IF EXISTS (SELECT 1 FROM unnest(targets) g WHERE
             (SELECT count(*) FROM throttle_events e WHERE e.key = g AND e.at > since)
             >= attempts) THEN
    RETURN NULL;
  END IF;
  FOREACH k IN ARRAY targets LOOP
    INSERT INTO throttle_events (key, at) VALUES (k, at_now) RETURNING id INTO new_id;
    ids := ids || new_id;
  END LOOP;
  RETURN ids;
END $$;
"""


# The guard of a guess (services.throttle.guarded): lock the target keys until the
# caller's transaction ends, then whether every key is under its limit of failures. A
# right guess then writes nothing; a wrong one is recorded before the lock is released.
THROTTLE_CHECK = """
CREATE OR REPLACE FUNCTION motcua_throttle_check(
    targets text[], clients text[], since timestamptz, attempts int)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  k text;
BEGIN
  FOREACH k IN ARRAY COALESCE((SELECT array_agg(x ORDER BY x) FROM unnest(targets) x), '{}')
  LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 0));
  END LOOP;
  RETURN NOT EXISTS (
    SELECT 1 FROM unnest(targets || clients) g
    WHERE (SELECT count(*) FROM throttle_events e WHERE e.key = g AND e.at > since)
          >= attempts);
END $$;
"""


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
    if op.get_bind().dialect.name == "postgresql":
        op.execute(THROTTLE_ADMIT)
        op.execute(THROTTLE_CHECK)
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS motcua_throttle_admit")
        op.execute("DROP FUNCTION IF EXISTS motcua_throttle_check")
    op.drop_table("audit_checkpoints")
    op.drop_table("throttle_events")
    op.drop_table("web_sessions")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("audit_seal")
