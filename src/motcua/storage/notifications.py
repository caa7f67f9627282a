"""Notification rows, templates, preferences, the escalation log and the worker's jobs."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.domain.notifications import DUE, Channel, Status, Template
from motcua.storage import db, dossier_mapper, dossier_pg
from motcua.storage import tables as t

N = t.notification_outbox


def _insert_ignoring_duplicates(conn: Connection, table: sa.Table):
    """INSERT that skips a row whose unique key is already there (both databases)."""
    return db.insert_for(conn.dialect.name)(table).on_conflict_do_nothing()


class NotificationRepository:
    """The notification outbox: rows added in a use case are written at its commit."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: list[dict] = []
        self.known: dict[str, object] = {}  # preferences written in this unit of work

    # -- writing, in the transaction of the change ----------------------------------------

    def add(self, row: dict, dossier=None) -> None:
        """Queue ``row``; with the ``dossier`` whose change causes it, the dossier's save
        writes it (in the same statement on PostgreSQL)."""
        if dossier is not None:
            dossier.__dict__.setdefault(dossier_mapper.NOTIFICATIONS, []).append(row)
        else:
            self.pending.append(row)

    def save(self) -> None:
        if self.pending:
            self.conn.execute(_insert_ignoring_duplicates(self.conn, N), self.pending)
        self.pending.clear()

    # -- the relay --------------------------------------------------------------------------

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list:
        """Due rows (and rows a stopped worker left ``sending`` past their lease), marked
        ``sending`` until ``now + lease``; on PostgreSQL locked meanwhile so that several
        workers never take one row."""
        c = N.c
        due = sa.or_(sa.and_(c.status.in_([s.value for s in DUE]), c.next_attempt_at <= now),
                     sa.and_(c.status == Status.SENDING.value, c.locked_until < now))
        # the print channel is the desk's list, never sent by a worker
        query = (sa.select(N).where(due, c.channel != Channel.PRINT.value)
                 .order_by(c.next_attempt_at, c.id).limit(limit))
        if self.conn.dialect.name == "postgresql":
            dossier_pg.begin_now(self.conn)
            query = query.with_for_update(skip_locked=True)
        rows = list(self.conn.execute(query))
        if rows:
            self.conn.execute(sa.update(N).where(c.id.in_([r.id for r in rows])).values(
                status=Status.SENDING.value, locked_until=now + lease,
                attempts=c.attempts + 1, updated_at=now))
        return rows

    def update(self, row_id: int, now: datetime, **values) -> None:
        if "last_error" in values:
            values["last_error"] = values["last_error"][:2000]
        self.conn.execute(sa.update(N).where(N.c.id == row_id).values(updated_at=now, **values))

    def delivered(self, at: datetime, *, row_id: int | None = None,
                  provider_message_id: str | None = None) -> int:
        """A delivery receipt: the sent row (by id, or by the provider's id) is delivered."""
        c = N.c
        which = (c.id == row_id) if row_id is not None else sa.and_(
            c.provider_message_id.is_not(None), c.provider_message_id == provider_message_id)
        return self.conn.execute(sa.update(N).where(
            which,
            c.status.in_([Status.SENT.value, Status.SENDING.value])).values(
            status=Status.DELIVERED.value, delivered_at=at, updated_at=at)).rowcount

    def cancel_due(self, now: datetime, note: str) -> int:
        """Cancel every row not sent yet (the demo's made-up history)."""
        return self.conn.execute(sa.update(N).where(
            N.c.status.in_([Status.PENDING.value, Status.FAILED_RETRYABLE.value])).values(
            status=Status.CANCELLED.value, last_error=note, updated_at=now)).rowcount

    def retry(self, row_id: int, now: datetime) -> int:
        return self.conn.execute(sa.update(N).where(
            N.c.id == row_id, N.c.status == Status.DEAD.value).values(
            status=Status.PENDING.value, attempts=0, next_attempt_at=now, last_error="",
            locked_until=None, updated_at=now)).rowcount

    # -- reading ----------------------------------------------------------------------------

    def get(self, row_id: int):
        return self.conn.execute(sa.select(N).where(N.c.id == row_id)).first()

    def for_dossier(self, code: str) -> list:
        return list(self.conn.execute(sa.select(N).where(N.c.dossier_code == code)
                                      .order_by(N.c.id)))

    def by_status(self, statuses: list[str], *, channel: str | None = None,
                  unit_ids: list[int] | None = None, limit: int = 500) -> list:
        query = sa.select(N).where(N.c.status.in_(statuses))
        if channel is not None:
            query = query.where(N.c.channel == channel)
        if unit_ids is not None:
            query = query.where(N.c.unit_id.in_(unit_ids))
        return list(self.conn.execute(query.order_by(N.c.id.desc()).limit(limit)))

    def counts(self) -> dict[tuple[str, str], int]:
        rows = self.conn.execute(sa.select(N.c.channel, N.c.status, sa.func.count())
                                 .group_by(N.c.channel, N.c.status))
        return {(ch, st): n for ch, st, n in rows}

    def contact(self, ref: str, kind: str) -> str:
        """The citizen's ``phone`` or ``email`` on the dossier or online filing ``ref``."""
        d = t.dossiers.c
        column = d.applicant_phone if kind == "phone" else d.applicant_email
        found = self.conn.execute(sa.select(column).where(d.code == ref)).scalar()
        if found is None:
            applicant = self.conn.execute(sa.select(t.submissions.c.applicant).where(
                t.submissions.c.ref == ref)).scalar()
            found = (applicant or {}).get(kind, "")
        return found or ""

    # -- templates --------------------------------------------------------------------------

    def templates(self) -> dict[str, Template]:
        """The newest stored version of each template key."""
        T = t.notification_templates
        newest = (sa.select(T.c.key, sa.func.max(T.c.version).label("v"))
                  .group_by(T.c.key).subquery())
        rows = self.conn.execute(sa.select(T).join(
            newest, sa.and_(T.c.key == newest.c.key, T.c.version == newest.c.v)))
        return {r.key: Template(r.key, r.version, r.subject, r.body, r.sms, r.zns_template_id)
                for r in rows}

    def template_history(self, key: str) -> list:
        T = t.notification_templates
        return list(self.conn.execute(sa.select(T).where(T.c.key == key)
                                      .order_by(T.c.version.desc())))

    def add_template(self, template: Template, by: str, at: datetime) -> None:
        self.conn.execute(sa.insert(t.notification_templates).values(
            key=template.key, version=template.version, subject=template.subject,
            body=template.body, sms=template.sms, zns_template_id=template.zns_template_id,
            created_by_name=by, created_at=at))

    # -- preferences ------------------------------------------------------------------------

    def preferences(self, ref: str, *, new: bool = False):
        """The preferences of a dossier or filing (``new``: made in this unit of work, so
        none unless written here: no query)."""
        if ref in self.known or new:
            return self.known.get(ref)
        P = t.notification_preferences
        return self.conn.execute(sa.select(P).where(P.c.ref == ref)).first()

    def set_preferences(self, ref: str, channels: list[str], consent: bool,
                        at: datetime) -> None:
        self.conn.execute(_insert_ignoring_duplicates(self.conn, t.notification_preferences)
                          .values(ref=ref, channels=channels, optional_consent=consent,
                                  created_at=at))
        self.known[ref] = SimpleNamespace(ref=ref, channels=channels, optional_consent=consent,
                                          unsubscribed_at=None)

    def unsubscribe(self, ref: str, at: datetime) -> int:
        P = t.notification_preferences
        return self.conn.execute(sa.update(P).where(P.c.ref == ref, P.c.unsubscribed_at.is_(None))
                                 .values(unsubscribed_at=at)).rowcount

    # -- escalation log ---------------------------------------------------------------------

    def logged(self, keys: list[str]) -> set[str]:
        E = t.escalation_log
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            found.update(self.conn.execute(sa.select(E.c.dedupe_key).where(
                E.c.dedupe_key.in_(keys[start:start + 500]))).scalars())
        return found

    def log(self, row: dict) -> bool:
        """Record a rule's effect once; False when it was already recorded."""
        E = t.escalation_log
        return self.conn.execute(_insert_ignoring_duplicates(self.conn, E).values(**row)
                                 .returning(E.c.id)).first() is not None

    def escalations(self, code: str) -> list:
        E = t.escalation_log
        return list(self.conn.execute(sa.select(E).where(E.c.dossier_code == code)
                                      .order_by(E.c.at, E.c.id)))

    # -- the worker's periodic jobs --------------------------------------------------------

    def due_jobs(self, names: list[str], now: datetime) -> set[str]:
        """Which of ``names`` may run now: never run yet, or their time has come."""
        J = t.worker_jobs
        later = set(self.conn.execute(sa.select(J.c.name).where(
            J.c.name.in_(names), J.c.next_run_at > now)).scalars())
        return set(names) - later

    def take_job(self, name: str, now: datetime, next_run: datetime) -> bool:
        """Whether this worker runs job ``name`` now (one of ``due_jobs``): this worker
        moved it on to ``next_run`` first (compare-and-set on ``next_run_at``)."""
        J = t.worker_jobs
        self.conn.execute(_insert_ignoring_duplicates(self.conn, J).values(
            name=name, next_run_at=now))
        return self.conn.execute(sa.update(J).where(J.c.name == name, J.c.next_run_at <= now)
                                 .values(next_run_at=next_run, last_run_at=now)).rowcount == 1

    def job_done(self, name: str, result: dict) -> None:
        J = t.worker_jobs
        self.conn.execute(sa.update(J).where(J.c.name == name).values(last_result=result))

    def jobs(self) -> list:
        return list(self.conn.execute(sa.select(t.worker_jobs).order_by(t.worker_jobs.c.name)))
