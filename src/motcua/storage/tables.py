"""The database schema (SQLAlchemy Core). Alembic migrations create it; nothing else does.

Which tables carry ``province_code``: the tenant's top-level rows (units, officials,
procedures, dossiers, attachments, calendar overrides, the report counters and the
outbox). Rows that belong to one of those are reached through it and would be
distributed with it: a dossier's steps, supplements, corrections and audit events (by
``dossier_id``), a unit's names, an official's roles and tokens; the daily code
counters are keyed by unit code, unique across provinces. The CCHC programme tables
and the data-migration log are per installation: one province per database today.
A multi-province database would add ``province_code`` to those first.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from motcua.domain.calendar import CountingMode, DeadlineUnit
from motcua.domain.dossiers import CorrectionTarget, Status, Timeliness
from motcua.domain.identity import ApplicantKind
from motcua.domain.procedures import Channel

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum_cls) -> sa.Enum:
    return sa.Enum(enum_cls, native_enum=False, length=32, create_constraint=False,
                   values_callable=lambda e: [m.value for m in e], validate_strings=True)


def _created() -> sa.Column:
    return sa.Column("created_at", UTCDateTime(), nullable=False)


units = sa.Table(
    "units", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False, index=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("successor_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("place_name", sa.String(120), nullable=False, server_default=""),
    # the national agency identifier (mã định danh cơ quan, e.g. H15.50.05.13)
    sa.Column("agency_code", sa.String(40), nullable=True),
    _created(),
)

unit_names = sa.Table(
    "unit_names", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    _created(),
)

officials = sa.Table(
    "officials", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("full_name", sa.String(255), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # where reminders and escalations reach the official (empty: not by email)
    sa.Column("email", sa.String(255), nullable=False, server_default=""),
    _created(),
)

official_roles = sa.Table(
    "official_roles", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("official_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=False, index=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.UniqueConstraint("official_id", "unit_id", "role", name="uq_official_roles_triple"),
)

procedures = sa.Table(
    "procedures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False, index=True),
    sa.Column("code", sa.String(40), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("current", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("search_text", sa.String(1000), nullable=False, server_default=""),
    sa.Column("field", sa.String(255), nullable=False, server_default=""),
    sa.Column("level", sa.String(32), nullable=False),
    sa.Column("unit_code", sa.String(40), nullable=False, server_default=""),
    sa.Column("deadline_amount", sa.Float, nullable=False),
    sa.Column("deadline_unit", _enum(DeadlineUnit), nullable=False),
    sa.Column("deadline_mode", _enum(CountingMode), nullable=False),
    sa.Column("cutoff", sa.String(5), nullable=True),
    sa.Column("fee", sa.String(500), nullable=False, server_default=""),
    sa.Column("fee_amount", sa.Integer, nullable=False, server_default="0"),
    sa.Column("documents", sa.JSON, nullable=False),
    sa.Column("result_type", sa.String(500), nullable=False, server_default=""),
    sa.Column("online_level", sa.String(32), nullable=False, server_default=""),
    sa.Column("min_assurance_level", sa.SmallInteger, nullable=False, server_default="0"),
    # the law lets this procedure's result be issued and returned electronically
    sa.Column("electronic_result", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("steps", sa.JSON, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
    sa.Column("supplement_window_days", sa.Integer, nullable=False, server_default="3"),
    _created(),
    sa.UniqueConstraint("province_code", "code", "version", name="uq_procedures_version"),
)

dossiers = sa.Table(
    "dossiers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # no index of its own: ix_dossiers_report leads with it (every index is written again
    # when a dossier changes status)
    sa.Column("province_code", sa.Integer, nullable=False),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("procedure_id", sa.Integer, sa.ForeignKey("procedures.id"), nullable=False, index=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("channel", _enum(Channel), nullable=False),
    sa.Column("applicant_kind", _enum(ApplicantKind), nullable=False),
    sa.Column("applicant_id_number", sa.String(20), nullable=False, index=True),
    sa.Column("applicant_name", sa.String(255), nullable=False),
    sa.Column("applicant_phone", sa.String(20), nullable=False, server_default=""),
    sa.Column("applicant_birth_year", sa.Integer, nullable=True),
    sa.Column("applicant_address", sa.String(500), nullable=False, server_default=""),
    sa.Column("applicant_email", sa.String(255), nullable=False, server_default=""),
    sa.Column("filed_by_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("status", _enum(Status), nullable=False),  # ix_dossiers_open leads with it
    sa.Column("current_step", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("effective_receipt", UTCDateTime(), nullable=False),
    sa.Column("appointment_at_receipt", UTCDateTime(), nullable=False),
    sa.Column("due", UTCDateTime(), nullable=False),
    sa.Column("appointment", UTCDateTime(), nullable=False),
    # Decree 118/2025: the appointment the complete supplement restarted (history:
    # appointment_at_receipt -> this -> an extension's, the current one in ``appointment``)
    sa.Column("appointment_after_supplement", UTCDateTime(), nullable=True),
    sa.Column("paused_seconds", sa.Integer, nullable=False),
    sa.Column("pause_started_at", UTCDateTime(), nullable=True),
    sa.Column("result_ready_at", UTCDateTime(), nullable=True, index=True),
    sa.Column("returned_at", UTCDateTime(), nullable=True),
    sa.Column("timeliness", _enum(Timeliness), nullable=True),
    sa.Column("supplement_requests", sa.Integer, nullable=False),
    sa.Column("extended", sa.Boolean, nullable=False),
    sa.Column("pending_corrections", sa.Integer, nullable=False, server_default="0"),
    sa.Column("extension_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("close_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("last_action_at", UTCDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("audit_seq", sa.Integer, nullable=False),
    sa.Column("audit_head", sa.String(64), nullable=False),
    # HMAC of (code, audit_seq, audit_head) with the installation's audit key, kept outside
    # the database: a chain recomputed with the public hash no longer matches its seal
    sa.Column("audit_seal", sa.String(64), nullable=False, server_default=""),
    sa.Column("submission_key", sa.String(64), nullable=True, unique=True),
    sa.Column("search_text", sa.String(400), nullable=False, server_default=""),
    sa.Column("received_month", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fee_amount", sa.Integer, nullable=False, server_default="0"),
    sa.Column("payment_method", sa.String(16), nullable=False, server_default=""),
    sa.Column("paid_online", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("inputs_digitised", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("result_electronic", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("satisfaction", sa.SmallInteger, nullable=True),
    sa.Column("handling_seconds", sa.Integer, nullable=True),
    sa.Index("ix_dossiers_report", "province_code", "received_month", "unit_id"),
    sa.Index("ix_dossiers_open", "status", "province_code", "received_month"),
)

dossier_steps = sa.Table(
    "dossier_steps", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # found through uq_dossier_steps_seq (dossier_id, seq)
    sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("allocated_seconds", sa.Integer, nullable=False),
    sa.Column("planned_deadline", UTCDateTime(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("run_started_at", UTCDateTime(), nullable=True),
    sa.Column("run_paused_seconds", sa.Integer, nullable=False),
    sa.Column("worked_seconds", sa.Integer, nullable=False),
    sa.Column("paused_seconds", sa.Integer, nullable=False),
    sa.Column("assignee_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True, index=True),
    sa.Column("completed_by_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True),
    sa.Column("overran", sa.Boolean, nullable=True),
    sa.Column("behind_schedule", sa.Boolean, nullable=True),
    sa.Column("send_backs", sa.Integer, nullable=False),
    sa.UniqueConstraint("dossier_id", "seq", name="uq_dossier_steps_seq"),
)

dossier_supplements = sa.Table(
    "dossier_supplements", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("step_seq", sa.Integer, nullable=False),
    sa.Column("requested_at", UTCDateTime(), nullable=False),
    sa.Column("requested_by_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("missing", sa.JSON, nullable=False),
    sa.Column("supplemented_at", UTCDateTime(), nullable=True),
    sa.Column("paused_seconds", sa.Integer, nullable=False),
    sa.Column("flagged", sa.Boolean, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("dossier_id", "seq", name="uq_dossier_supplements_seq"),
)

time_corrections = sa.Table(
    "time_corrections", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("target", _enum(CorrectionTarget), nullable=False),
    sa.Column("step_seq", sa.Integer, nullable=True),
    sa.Column("old_value", UTCDateTime(), nullable=False),
    sa.Column("new_value", UTCDateTime(), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("requested_by_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True),
    sa.Column("requested_at", UTCDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("decided_by_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("decision_note", sa.Text, nullable=False),
    sa.UniqueConstraint("dossier_id", "seq", name="uq_time_corrections_seq"),
)

audit_events = sa.Table(
    "audit_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor_id", sa.Integer, nullable=True),
    sa.Column("actor_name", sa.String(255), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("dossier_id", "seq", name="uq_audit_events_seq"),
)

dossier_counters = sa.Table(
    "dossier_counters", metadata,
    sa.Column("unit_code", sa.String(40), primary_key=True),
    sa.Column("day", sa.String(6), primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

calendar_overrides = sa.Table(
    "calendar_overrides", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False, index=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False, server_default=""),
    sa.Column("created_by", sa.String(64), nullable=False, server_default=""),
    _created(),
)

attachments = sa.Table(
    "attachments", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False, index=True),
    sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("uploaded_by_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True),
    sa.Column("uploaded_by_name", sa.String(255), nullable=False),
    sa.Column("uploaded_at", UTCDateTime(), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("official_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    _created(),
)

# Report counters, kept up to date in the same transaction as every dossier change
# (storage/stats.py): leaders' reports over whole months read these rows instead of
# millions of dossiers. ``unit_stats`` is the coarse table (unit x month), enough for the
# on-time report by unit or month and the Decision 766 index; ``dossier_stats`` adds the
# procedure and the channel.
STATS_MEASURES = ("n", "handling_sum", "handling_n", "online_n", "fee_n", "paid_online_n",
                  "digitised_n", "rated_n", "dislike_n")


def _stats_table(name: str, *extra: sa.Column) -> sa.Table:
    return sa.Table(
        name, metadata,
        sa.Column("province_code", sa.Integer, primary_key=True),
        sa.Column("received_month", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, primary_key=True),
        *extra,
        sa.Column("status", sa.String(32), primary_key=True),
        sa.Column("timeliness", sa.String(16), primary_key=True),
        sa.Column("multi_supplement", sa.SmallInteger, primary_key=True),
        *(sa.Column(m, sa.BigInteger if m == "handling_sum" else sa.Integer, nullable=False)
          for m in STATS_MEASURES),
    )


unit_stats = _stats_table("unit_stats")
dossier_stats = _stats_table("dossier_stats",
                             sa.Column("procedure_id", sa.Integer, primary_key=True),
                             sa.Column("channel", sa.String(16), primary_key=True))


# -- the administrative-reform (CCHC) programme -------------------------------------------

cchc_tasks = sa.Table(
    "cchc_tasks", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("agency", sa.String(255), nullable=False),
    sa.Column("agency_kind", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("owner_unit", sa.String(255), nullable=False, server_default=""),
    sa.Column("due_date", sa.Date, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("done_date", sa.Date, nullable=True),
    sa.Column("evidence", sa.Text, nullable=False, server_default=""),
    sa.Column("meeting_id", sa.Integer, sa.ForeignKey("cchc_meetings.id"), nullable=True),
    _created(),
)

cchc_meetings = sa.Table(
    "cchc_meetings", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("online", sa.Boolean, nullable=False),
    sa.Column("presiding", sa.String(255), nullable=False),
    sa.Column("agenda", sa.Text, nullable=False, server_default=""),
    sa.Column("minutes", sa.Text, nullable=False, server_default=""),
    _created(),
    sa.UniqueConstraint("held_on", "title", name="uq_cchc_meetings_held_on"),
)

cchc_meeting_points = sa.Table(
    "cchc_meeting_points", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("meeting_id", sa.Integer, sa.ForeignKey("cchc_meetings.id"), nullable=False,
              index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("presiding", sa.String(255), nullable=False, server_default=""),
    sa.Column("attendance", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("meeting_id", "name", name="uq_cchc_meeting_points_meeting_id"),
)

cchc_findings = sa.Table(
    "cchc_findings", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("inspecting_agency", sa.String(255), nullable=False),
    sa.Column("inspected_unit", sa.String(255), nullable=False),
    sa.Column("inspected_on", sa.Date, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("remedy_owner", sa.String(255), nullable=False, server_default=""),
    sa.Column("remedy_due", sa.Date, nullable=True),
    sa.Column("remedy_status", sa.String(16), nullable=False),
    _created(),
)

cchc_regulations = sa.Table(
    "cchc_regulations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document", sa.String(255), nullable=False),
    sa.Column("agency", sa.String(255), nullable=False),
    sa.Column("regulation", sa.Text, nullable=False),
    sa.Column("in_force_from", sa.Integer, nullable=False),
    sa.Column("action", sa.String(16), nullable=False, server_default=""),
    sa.Column("action_year", sa.Integer, nullable=True),
    _created(),
)

cchc_outreach = sa.Table(
    "cchc_outreach", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("held_on", sa.Date, nullable=True),
    sa.Column("agency", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    _created(),
)

cchc_staffing = sa.Table(
    "cchc_staffing", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("unit", sa.String(255), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("positions", sa.Integer, nullable=False),
    sa.Column("filled", sa.Integer, nullable=False),
    _created(),
    sa.UniqueConstraint("year", "unit", name="uq_cchc_staffing_year"),
)

# Effects of a dossier change that must not be lost (a message to the citizen, a sync
# with the national portal) are written here in the same transaction as the change, and
# delivered later, idempotently (``dedupe_key``), by a relay (services/outbox.py).
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False),
    sa.Column("topic", sa.String(64), nullable=False),
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    sa.Column("dossier_code", sa.String(40), nullable=True, index=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("processed_at", UTCDateTime(), nullable=True),
    _created(),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
)

# Data migrations (services/data_migrations.py): recomputations of stored dossiers after a
# rule or calendar change, each run once, with the list of what it changed.
data_migrations = sa.Table(
    "data_migrations", metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("applied_at", UTCDateTime(), nullable=False),
    sa.Column("report", sa.JSON, nullable=False),
)

# Signed-in officials' sessions: the cookie carries a random token, this table its
# SHA-256, so logging out or changing the password ends a session everywhere; a session
# ends at ``expires_at`` (8 hours after signing in), however active.
web_sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("official_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=False,
              index=True),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
    _created(),
)

# Failed guesses (tracking digits, passwords) and anonymous filings, one row each, shared
# by every server process: the throttle counts the rows of a key in its window.
throttle_events = sa.Table(
    "throttle_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(160), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("ix_throttle_events_key_at", "key", "at"),
)

# Signed checkpoints of the audit record: per dossier-code prefix (the receiving unit,
# fixed for ever), how many dossiers there were up to ``max_dossier_id`` and a digest of
# their codes and first events; each signature (HMAC with the audit key) covers the
# previous one, so a deleted dossier or a deleted checkpoint is reported by verify.
audit_checkpoints = sa.Table(
    "audit_checkpoints", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("prefix", sa.String(40), nullable=False),
    sa.Column("max_dossier_id", sa.Integer, nullable=False),
    sa.Column("dossier_count", sa.Integer, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("prev_signature", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(64), nullable=False),
)

# Online filings waiting for the desk (domain.submissions): not dossiers until accepted,
# so never counted by the reports; the files are stored (by SHA-256) when filed.
submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False),
    sa.Column("ref", sa.String(60), nullable=False, unique=True),
    sa.Column("submission_key", sa.String(64), nullable=False, unique=True),
    sa.Column("procedure_id", sa.Integer, sa.ForeignKey("procedures.id"), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("applicant", sa.JSON, nullable=False),
    sa.Column("files", sa.JSON, nullable=False),
    sa.Column("submitted_at", UTCDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decided_by_id", sa.Integer, sa.ForeignKey("officials.id"), nullable=True),
    sa.Column("decided_by_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("dossier_code", sa.String(40), nullable=True),
    sa.Index("ix_submissions_waiting", "status", "unit_id", "submitted_at"),
)

# Notifications (services/notifications.py): one row per event x recipient x channel,
# written in the transaction of the change that causes it and sent by ``motcua worker``;
# ``params`` holds only what the template shows (never an ID number or an internal note).
notification_outbox = sa.Table(
    "notification_outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("province_code", sa.Integer, nullable=False),
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("dossier_code", sa.String(60), nullable=True, index=True),
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
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("provider_message_id", sa.String(100), nullable=True),
    _created(),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("delivered_at", UTCDateTime(), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_notification_outbox_due", "status", "next_attempt_at"),
    # a receipt that names the provider's id: indexed once sent (a new row costs nothing)
    sa.Index("ix_notification_outbox_provider_message_id", "provider_message_id",
             sqlite_where=sa.text("provider_message_id IS NOT NULL"),
             postgresql_where=sa.text("provider_message_id IS NOT NULL")),
)

# Message templates, editable by an administrator: each edit is a new version; a row of
# the outbox names the version it was written with.
notification_templates = sa.Table(
    "notification_templates", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sms", sa.Text, nullable=False),
    sa.Column("zns_template_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("created_by_name", sa.String(255), nullable=False, server_default=""),
    _created(),
    sa.UniqueConstraint("key", "version", name="uq_notification_templates_key_version"),
)

# The citizen's choice at filing: channels in order, consent to non-mandatory messages
# (the rating invitation) and when they unsubscribed; keyed by dossier code or filing ref.
notification_preferences = sa.Table(
    "notification_preferences", metadata,
    sa.Column("ref", sa.String(60), primary_key=True),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("optional_consent", sa.Boolean, nullable=False),
    sa.Column("unsubscribed_at", UTCDateTime(), nullable=True),
    _created(),
)

# What each reminder and escalation rule did to a step (due soon, overdue, escalated to
# the head, to the leader, Form 04 prompt): once per step run and rule (``dedupe_key``).
escalation_log = sa.Table(
    "escalation_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    sa.Column("dossier_code", sa.String(60), nullable=False, index=True),
    sa.Column("step_seq", sa.Integer, nullable=False),
    sa.Column("rule", sa.String(32), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("recipients", sa.JSON, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

# The worker's periodic jobs: a job runs when its ``next_run_at`` has come and one worker
# has moved it on (a compare-and-set), so several workers never run it twice.
worker_jobs = sa.Table(
    "worker_jobs", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("next_run_at", UTCDateTime(), nullable=False),
    sa.Column("last_run_at", UTCDateTime(), nullable=True),
    sa.Column("last_result", sa.JSON, nullable=True),
)

# The public-post channel (domain/postal.py): a shipment per dossier and direction, the
# carrier's events (each kept once), the hand-overs with their proof, the review list.
postal_shipments = sa.Table(
    "postal_shipments", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_code", sa.String(60), nullable=False, index=True),
    sa.Column("unit_id", sa.Integer, nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),
    sa.Column("carrier", sa.String(40), nullable=False),
    sa.Column("order_number", sa.String(60), nullable=False),
    sa.Column("tracking_number", sa.String(40), nullable=True, unique=True),
    sa.Column("sender", sa.JSON, nullable=False),
    sa.Column("receiver", sa.JSON, nullable=False),
    sa.Column("contents", sa.JSON, nullable=False),
    sa.Column("seal_number", sa.String(40), nullable=False, server_default=""),
    sa.Column("fee", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cod_amount", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_event_at", UTCDateTime(), nullable=True),
    sa.Column("delivered_to", sa.String(255), nullable=False, server_default=""),
    sa.Column("proof_sha256", sa.String(64), nullable=True),
    sa.Column("lost_flagged_at", UTCDateTime(), nullable=True),
    _created(),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("dossier_code", "direction", name="uq_postal_shipments_dossier"),
    sa.Index("ix_postal_shipments_status", "status"),
)

postal_events = sa.Table(
    "postal_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shipment_id", sa.Integer, sa.ForeignKey("postal_shipments.id"), nullable=False,
              index=True),
    sa.Column("event_key", sa.String(120), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    sa.Column("place", sa.String(255), nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("received_by", sa.String(255), nullable=False, server_default=""),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.UniqueConstraint("shipment_id", "event_key", name="uq_postal_events_key"),
)

postal_handovers = sa.Table(
    "postal_handovers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shipment_id", sa.Integer, sa.ForeignKey("postal_shipments.id"), nullable=False,
              index=True),
    sa.Column("from_party", sa.String(255), nullable=False),
    sa.Column("to_party", sa.String(255), nullable=False),
    sa.Column("signer_name", sa.String(255), nullable=False),
    sa.Column("id_type", sa.String(16), nullable=False),
    sa.Column("id_masked", sa.String(40), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("evidence_sha256", sa.String(64), nullable=True),
    sa.Column("recorded_by_name", sa.String(255), nullable=False),
)

postal_reviews = sa.Table(
    "postal_reviews", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shipment_id", sa.Integer, sa.ForeignKey("postal_shipments.id"), nullable=False,
              index=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("event", sa.JSON, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("resolved_at", UTCDateTime(), nullable=True),
    sa.Column("resolved_by_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("resolution", sa.Text, nullable=False, server_default=""),
)

# -- the national public-service portal (services/national_sync.py) --------------------------

# How motcua's statuses, actions, channels and applicant kinds are written in the national
# codes; versioned: an administrator's change adds a version (all rows), never edits one.
national_code_maps = sa.Table(
    "national_code_maps", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("local", sa.String(40), nullable=False),
    sa.Column("national", sa.String(40), nullable=False),
    sa.Column("label", sa.String(255), nullable=False, server_default=""),
    sa.Column("created_by_name", sa.String(255), nullable=False, server_default=""),
    _created(),
    sa.UniqueConstraint("version", "kind", "local", name="uq_national_code_maps_entry"),
)

# What the portal holds of each dossier: the fingerprint of the record last accepted (a
# replay sends only what changed), and when it first arrived (Decision 766, 1.4).
national_sync_state = sa.Table(
    "national_sync_state", metadata,
    sa.Column("dossier_code", sa.String(60), primary_key=True),
    sa.Column("unit_id", sa.Integer, nullable=False, index=True),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Column("first_synced_at", UTCDateTime(), nullable=False),
    sa.Column("last_synced_at", UTCDateTime(), nullable=False),
    sa.Column("payload_sha", sa.String(64), nullable=False),
    sa.Column("map_version", sa.Integer, nullable=False),
    sa.Column("national_status", sa.String(8), nullable=False),
)

# The nightly comparison of counts (unit, procedure, status, month) with the portal's.
sync_reconciliations = sa.Table(
    "sync_reconciliations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_at", UTCDateTime(), nullable=False),
    sa.Column("period_start", UTCDateTime(), nullable=False),
    sa.Column("period_end", UTCDateTime(), nullable=False),
    sa.Column("local_total", sa.Integer, nullable=False),
    sa.Column("portal_total", sa.Integer, nullable=False),
    sa.Column("differences", sa.JSON, nullable=False),
    sa.Column("error", sa.Text, nullable=False, server_default=""),
)

# The national catalogue as last fetched (LayThuTuc), one row per procedure code: its
# field code for the sync, and the fingerprint an import compares with.
national_catalogue = sa.Table(
    "national_catalogue", metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("field_code", sa.String(40), nullable=False, server_default=""),
    sa.Column("field_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("record", sa.JSON, nullable=False),
    sa.Column("fetched_at", UTCDateTime(), nullable=False),
)

# -- digitisation (services/digitisation.py) --------------------------------------------------

# A document of a dossier's procedure scanned at the desk (or reused from the citizen's
# store): the scan as received, its OCR'd PDF/A and text (a search aid only), its
# certified copy, and the OCR job's state (queued, running, done, failed, person).
digitised_components = sa.Table(
    "digitised_components", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_code", sa.String(60), nullable=False, index=True),
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
    sa.Column("scanned_at", UTCDateTime(), nullable=False),
    sa.Column("same_day", sa.Boolean, nullable=False),
    sa.Column("ocr_status", sa.String(16), nullable=False),
    sa.Column("ocr_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ocr_next_at", UTCDateTime(), nullable=False),
    sa.Column("ocr_error", sa.Text, nullable=False, server_default=""),
    sa.Column("ocr_sha256", sa.String(64), nullable=True),
    sa.Column("ocr_text", sa.Text, nullable=False, server_default=""),
    sa.Column("ocr_search", sa.Text, nullable=False, server_default=""),
    sa.Column("ocr_seconds", sa.Float, nullable=True),
    sa.Column("certified_sha256", sa.String(64), nullable=True),
    sa.Column("certified_by_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("certified_at", UTCDateTime(), nullable=True),
    sa.Column("reused_from_id", sa.Integer, nullable=True),
    sa.Index("ix_digitised_components_ocr", "ocr_status", "ocr_next_at"),
)

# The citizen's data store (kho quản lý dữ liệu điện tử, Decree 45/2020/NĐ-CP): what was
# digitised or issued electronically, kept under the applicant's identifier.
citizen_documents = sa.Table(
    "citizen_documents", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("applicant_id_number", sa.String(20), nullable=False, index=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("signed", sa.Boolean, nullable=False),
    sa.Column("source_dossier_code", sa.String(60), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    _created(),
)

# A stored document offered again and taken instead of a new paper (766, 6.4).
document_reuses = sa.Table(
    "document_reuses", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_code", sa.String(60), nullable=False, index=True),
    sa.Column("citizen_document_id", sa.Integer, sa.ForeignKey("citizen_documents.id"),
              nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("reused_at", UTCDateTime(), nullable=False),
    sa.Column("reused_by_name", sa.String(255), nullable=False),
)

# Citizens signed in with an identity provider (services/accounts.py): linked by the
# provider's subject, never by the ID number alone; the ID number and the assurance level
# as the provider vouched for them at the last sign-in.
citizen_accounts = sa.Table(
    "citizen_accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("provider", sa.String(60), nullable=False),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("id_number", sa.String(20), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("phone", sa.String(20), nullable=False, server_default=""),
    sa.Column("email", sa.String(255), nullable=False, server_default=""),
    sa.Column("level", sa.String(16), nullable=False, server_default=""),
    sa.Column("first_seen_at", UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("provider", "subject", name="uq_citizen_accounts_subject"),
)

# Fee payments (services/payments.py): one row per attempt to pay a dossier's fee, with
# the gateway's answers; a dossier counts as paid online only on a verified success.
payments = sa.Table(
    "payments", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("dossier_code", sa.String(60), nullable=False, index=True),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("purpose", sa.String(255), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("gateway_reference", sa.String(60), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("paid_at", UTCDateTime(), nullable=True),
    sa.Column("callbacks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_answer", sa.JSON, nullable=True),
    # who recorded a payment at the desk (cash, transfer, COD); a refund: when, who, why
    sa.Column("recorded_by", sa.String(255), nullable=False, server_default=""),
    sa.Column("refunded_at", UTCDateTime(), nullable=True),
    sa.Column("refunded_by", sa.String(255), nullable=False, server_default=""),
    sa.Column("refund_reason", sa.Text, nullable=False, server_default=""),
)

# Dossiers whose applicant chose to receive the result electronically (the signed result
# downloaded from the tracking page): returned when a signed result is ready.
electronic_returns = sa.Table(
    "electronic_returns", metadata,
    sa.Column("dossier_code", sa.String(64), primary_key=True),
    sa.Column("chosen_at", UTCDateTime(), nullable=False),
    sa.Column("returned_at", UTCDateTime(), nullable=True),
)

# Each look-up of an applicant in the population database at receipt (766, 6.6 and 6.7),
# and what the officer did when it did not confirm the person.
population_checks = sa.Table(
    "population_checks", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_code", sa.String(60), nullable=False, index=True),
    sa.Column("result", sa.String(24), nullable=False),
    sa.Column("address_filled", sa.Boolean, nullable=False),
    sa.Column("paper_checked", sa.Boolean, nullable=False),
    sa.Column("checked_by_name", sa.String(255), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
)

# Feedback and complaints (phản ánh, kiến nghị: services/feedback.py) about a dossier or a
# procedure: a code, the handling unit, acknowledgment and answer deadlines, the answer
# (public when the sender agrees) and the sender's satisfaction with it (766, 5.1 and 5.2).
feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("unit_id", sa.Integer, nullable=False, index=True),
    sa.Column("dossier_code", sa.String(60), nullable=True),
    sa.Column("procedure_code", sa.String(40), nullable=True),
    sa.Column("sender_name", sa.String(255), nullable=False),
    sa.Column("sender_phone", sa.String(20), nullable=False),
    sa.Column("sender_email", sa.String(255), nullable=False, server_default=""),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("public_consent", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Column("ack_due", UTCDateTime(), nullable=False),
    sa.Column("answer_due", UTCDateTime(), nullable=False),
    sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
    sa.Column("answered_at", UTCDateTime(), nullable=True),
    sa.Column("handler_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("answer", sa.Text, nullable=False, server_default=""),
    sa.Column("satisfied", sa.Boolean, nullable=True),
)
