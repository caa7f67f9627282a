"""one round trip per public tracking look-up (PostgreSQL)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 08:40:00
"""

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# The public tracking look-up's guard and guess in one statement, its own transaction
# (storage.repositories.ThrottleRepository.guess_digits): lock the target keys; refuse
# (0) when a key is at its limit of failures; compare the 4 digits with the last 4 of the
# applicant's ID number or phone (an empty one never matches); a wrong guess (1) is
# recorded against every key, without waiting for the WAL flush; a right one (2) writes
# nothing and answers the dossier's version (what the public view is kept under).
TRACK_GUESS = """
CREATE OR REPLACE FUNCTION motcua_track_guess(
    targets text[], clients text[], since timestamptz, at_now timestamptz, attempts int,
    dossier_code text, digits text, OUT outcome int, OUT dossier_version int)
LANGUAGE plpgsql AS $$
DECLARE
  k text;
  id_number text;
  phone text;
BEGIN
  FOREACH k IN ARRAY COALESCE((SELECT array_agg(x ORDER BY x) FROM unnest(targets) x), '{}')
  LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 0));
  END LOOP;
  IF EXISTS (SELECT 1 FROM unnest(targets || clients) g WHERE
             (SELECT count(*) FROM throttle_events e WHERE e.key = g AND e.at > since)
             >= attempts) THEN
    outcome := 0;
    RETURN;
  END IF;
  SELECT d.version, d.applicant_id_number, d.applicant_phone
    INTO dossier_version, id_number, phone FROM dossiers d WHERE d.code = dossier_code;
  IF dossier_version IS NOT NULL AND length(digits) = 4
     AND ((id_number <> '' AND right(id_number, 4) = digits)
          OR (phone <> '' AND right(phone, 4) = digits)) THEN
    outcome := 2;
    RETURN;
  END IF;
  PERFORM set_config('synchronous_commit', 'off', true);
  DELETE FROM throttle_events WHERE key = ANY(targets || clients) AND at <= since;
  INSERT INTO throttle_events (key, at) SELECT g, at_now FROM unnest(targets || clients) g;
  outcome := 1;
  dossier_version := NULL;
END $$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRACK_GUESS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS motcua_track_guess")
