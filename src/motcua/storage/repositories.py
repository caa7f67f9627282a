"""Repositories: how the services find and keep domain objects. Helpers never commit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from motcua.domain.audit import AuditEvent
from motcua.domain.calendar import CountingMode, DayKind, DayRule, Deadline, DeadlineUnit
from motcua.domain.documents import StoredFile
from motcua.domain.dossiers import Dossier
from motcua.domain.errors import ConcurrentUpdate, NotFound
from motcua.domain.identity import last4_matches
from motcua.domain.procedures import Channel, Level, PlannedStep, Procedure, RequiredDocument
from motcua.domain.submissions import Submission, SubmissionStatus
from motcua.domain.units import Official, Role, Unit, UnitKind
from motcua.storage import db, dossier_pg
from motcua.storage import tables as t
from motcua.storage.dossier_mapper import DossierStore


def _next_sequence(insert):
    stmt = insert(t.dossier_counters).values(unit_code=sa.bindparam("unit_code"),
                                             day=sa.bindparam("day"), last=1)
    return stmt.on_conflict_do_update(
        index_elements=["unit_code", "day"], set_={"last": t.dossier_counters.c.last + 1},
    ).returning(t.dossier_counters.c.last)


# What every receipt runs: the PostgreSQL path is dossier_pg's (see there).
_NEXT_SEQUENCE = dossier_pg.Fetch(_next_sequence(db.insert_for("postgresql")),
                                  elsewhere=_next_sequence(db.insert_for("sqlite")))
_CURRENT_PROCEDURE = dossier_pg.Fetch(sa.select(t.procedures.c.id).where(
    t.procedures.c.code == sa.bindparam("code"),
    t.procedures.c.province_code == sa.bindparam("province_code"),
    t.procedures.c.current.is_(True)))
_UNIT_BY_CODE = dossier_pg.Fetch(sa.select(t.units).where(t.units.c.code == sa.bindparam("code")))


class DossierRepository:
    """Dossiers with their children, each with the procedure version it was received under."""

    def __init__(self, conn: Connection, store: DossierStore,
                 procedures: ProcedureRepository) -> None:
        self.conn = conn
        self.store = store
        self.procedures = procedures
        self.seen: list[Dossier] = []

    def add(self, dossier: Dossier) -> None:
        self.seen.append(dossier)

    def _loaded(self, found: list[Dossier]) -> list[Dossier]:
        for dossier in found:
            dossier.procedure = self.procedures.by_id(dossier.procedure_id)
        self.seen.extend(found)
        return found

    def get(self, code: str, *, corrections: bool = True) -> Dossier:
        """The dossier with its steps and supplements (and time corrections unless told not)."""
        code = (code or "").strip().upper()
        dossier = self.store.load_code(self.conn, code, corrections=corrections)
        if dossier is None:
            raise NotFound(f"Không tìm thấy hồ sơ có mã {code}.")
        return self._loaded([dossier])[0]

    def in_flight_touching(self, unit_id: int) -> list[Dossier]:
        open_ids = sa.select(t.dossier_steps.c.dossier_id).where(
            t.dossier_steps.c.unit_id == unit_id, t.dossier_steps.c.finished_at.is_(None))
        found = self.store.load_where(self.conn, sa.and_(
            t.dossiers.c.status.in_(["in_progress", "awaiting_supplement", "result_ready"]),
            sa.or_(t.dossiers.c.unit_id == unit_id, t.dossiers.c.id.in_(open_ids))))
        return self._loaded(found)

    def in_progress(self, after_id: int, limit: int) -> list[Dossier]:
        """A batch of dossiers being handled (not waiting for a supplement), by id."""
        c = t.dossiers.c
        ids = (sa.select(c.id).where(c.status == "in_progress", c.id > after_id)
               .order_by(c.id).limit(limit))
        return self._loaded(self.store.load_where(self.conn, c.id.in_(ids.scalar_subquery())))

    def codes_with_times_in(self, start: datetime, end: datetime) -> list[str]:
        """Codes of the dossiers whose handling may have counted time in [start, end):
        received before ``end`` and still open, or with a deadline, appointment or result
        from ``start``."""
        c = t.dossiers.c
        return list(self.conn.execute(sa.select(c.code).where(
            c.effective_receipt < end,
            sa.or_(c.status.in_(["in_progress", "awaiting_supplement"]), c.due >= start,
                   c.appointment >= start, c.result_ready_at >= start)).order_by(c.code))
            .scalars())

    def awaiting_supplement_since(self, before: datetime) -> list[str]:
        """Codes of dossiers waiting for a supplement asked before ``before``."""
        c = t.dossiers.c
        return list(self.conn.execute(sa.select(c.code).where(
            c.status == "awaiting_supplement", c.pause_started_at < before)
            .order_by(c.pause_started_at)).scalars())

    def received_between(self, unit_id: int, start: datetime, end: datetime) -> list[Dossier]:
        """Dossiers a unit received in [start, end), oldest first (read-only)."""
        c = t.dossiers.c
        found = self.store.load_where(self.conn, sa.and_(
            c.unit_id == unit_id, c.received_at >= start, c.received_at < end))
        return sorted(found, key=lambda d: (d.received_at, d.code))

    def save(self) -> None:
        """Write every dossier this unit of work added or changed, with its audit events."""
        self.store.save(self.conn, self.seen)

    def next_sequence(self, unit_code: str, day: str) -> int:
        """Daily sequence for dossier codes, atomic on both databases."""
        return _NEXT_SEQUENCE.scalar(self.conn, {"unit_code": unit_code, "day": day})

    def code_for_submission(self, key: str) -> str | None:
        """The dossier an online submission with this idempotency key already made."""
        return self.conn.execute(sa.select(t.dossiers.c.code).where(
            t.dossiers.c.submission_key == key)).scalar()



def procedure_from_row(row) -> Procedure:
    return Procedure(
        id=row.id, code=row.code, version=row.version, name=row.name, field=row.field,
        level=Level(row.level), unit_code=row.unit_code,
        deadline=Deadline(row.deadline_amount, DeadlineUnit(row.deadline_unit),
                          CountingMode(row.deadline_mode),
                          time.fromisoformat(row.cutoff) if row.cutoff else None),
        fee=row.fee, fee_amount=row.fee_amount,
        documents=[RequiredDocument(**d) for d in row.documents],
        result_type=row.result_type, online_level=row.online_level,
        channels=[Channel(c) for c in row.channels],
        steps=[PlannedStep(s["name"], int(s["allocated_seconds"]), s.get("unit_code", ""),
                           s.get("role", "specialist")) for s in row.steps],
        legal_basis=row.legal_basis, supplement_window_days=row.supplement_window_days,
        min_assurance_level=row.min_assurance_level, electronic_result=row.electronic_result,
    )


def procedure_values(p: Procedure) -> dict:
    from motcua.domain.text import fold

    return {
        "code": p.code, "version": p.version, "name": p.name, "field": p.field,
        "search_text": fold(f"{p.code} {p.name} {p.field}"),
        "level": p.level.value, "unit_code": p.unit_code, "deadline_amount": p.deadline.amount,
        "deadline_unit": p.deadline.unit, "deadline_mode": p.deadline.mode,
        "cutoff": p.deadline.cutoff.strftime("%H:%M") if p.deadline.cutoff else None,
        "fee": p.fee, "fee_amount": p.fee_amount,
        "documents": [d.as_dict() for d in p.documents], "result_type": p.result_type,
        "online_level": p.online_level, "channels": [c.value for c in p.channels],
        "steps": [{"name": s.name, "allocated_seconds": s.allocated_seconds,
                   "unit_code": s.unit_code, "role": s.role} for s in p.steps],
        "legal_basis": p.legal_basis, "supplement_window_days": p.supplement_window_days,
        "min_assurance_level": p.min_assurance_level, "electronic_result": p.electronic_result,
    }


class ProcedureRepository:
    """Procedure versions. A version is never changed once stored (a change makes a new
    version), so versions are cached by id across transactions in ``versions``."""

    def __init__(self, conn: Connection, versions: dict[int, Procedure] | None = None) -> None:
        self.conn = conn
        self._cache = versions if versions is not None else {}

    def current(self, code: str, province_code: int) -> Procedure:
        procedure_id = _CURRENT_PROCEDURE.scalar(self.conn, {
            "code": code.strip(), "province_code": province_code})
        if procedure_id is None:
            raise NotFound(f"Không tìm thấy thủ tục có mã {code}.")
        return self.by_id(procedure_id)

    def by_id(self, procedure_id: int) -> Procedure:
        if procedure_id not in self._cache:
            row = self.conn.execute(
                sa.select(t.procedures).where(t.procedures.c.id == procedure_id)).first()
            if row is None:
                raise NotFound(f"Không tìm thấy phiên bản thủ tục {procedure_id}.")
            self._cache[procedure_id] = procedure_from_row(row)
        return self._cache[procedure_id]

    def all_current(self, province_code: int) -> list[Procedure]:
        rows = self.conn.execute(
            sa.select(t.procedures).where(t.procedures.c.province_code == province_code,
                                          t.procedures.c.current.is_(True))
            .order_by(t.procedures.c.code))
        return [procedure_from_row(r) for r in rows]

    def add_version(self, p: Procedure, province_code: int, now: datetime) -> Procedure:
        c = t.procedures.c
        latest = self.conn.execute(
            sa.select(sa.func.max(c.version)).where(c.code == p.code,
                                                    c.province_code == province_code)
        ).scalar()
        self.conn.execute(sa.update(t.procedures).where(
            c.code == p.code, c.province_code == province_code).values(current=False))
        p.version = (latest or 0) + 1
        p.id = self.conn.execute(
            sa.insert(t.procedures).values(province_code=province_code, current=True,
                                           created_at=now, **procedure_values(p))
            .returning(c.id)).scalar_one()
        return p


def unit_from_row(row) -> Unit:
    return Unit(row.id, row.province_code, row.code, row.name, UnitKind(row.kind), row.parent_id,
                row.valid_from, row.valid_to, row.successor_id, row.place_name, row.agency_code)


class UnitRepository:
    def __init__(self, conn: Connection, codes: dict[int, str] | None = None) -> None:
        self.conn = conn
        self._codes = codes if codes is not None else {}

    def code_of(self, unit_id: int) -> str:
        """A unit's code (codes never change, so the cache is shared across transactions)."""
        code = self._codes.get(unit_id)
        if code is None:
            code = self._codes[unit_id] = self.by_id(unit_id).code
        return code

    def by_code(self, code: str) -> Unit:
        unit = self.find_code(code)
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {code}.")
        return unit

    def find_code(self, code: str) -> Unit | None:
        row = _UNIT_BY_CODE.first(self.conn, {"code": code.strip()})
        return unit_from_row(row) if row else None

    def by_id(self, unit_id: int) -> Unit:
        row = self.conn.execute(sa.select(t.units).where(t.units.c.id == unit_id)).first()
        if row is None:
            raise NotFound(f"Không tìm thấy đơn vị {unit_id}.")
        return unit_from_row(row)

    def all(self, province_code: int | None = None) -> list[Unit]:
        stmt = sa.select(t.units).order_by(t.units.c.id)
        if province_code is not None:
            stmt = stmt.where(t.units.c.province_code == province_code)
        return [unit_from_row(r) for r in self.conn.execute(stmt)]

    def set_agency_code(self, unit_id: int, agency_code: str | None) -> None:
        self.conn.execute(sa.update(t.units).where(t.units.c.id == unit_id)
                          .values(agency_code=agency_code))

    def add(self, unit: Unit, now: datetime) -> Unit:
        values = {k: getattr(unit, k) for k in ("province_code", "code", "name", "parent_id",
                                                "valid_from", "valid_to", "successor_id",
                                                "place_name", "agency_code")}
        unit_id = self.conn.execute(
            sa.insert(t.units).values(kind=unit.kind.value, created_at=now, **values)
            .returning(t.units.c.id)).scalar_one()
        self.conn.execute(sa.insert(t.unit_names).values(
            unit_id=unit_id, name=unit.name, valid_from=unit.valid_from or date(1945, 9, 2),
            created_at=now))
        return self.by_id(unit_id)

    def rename(self, unit_id: int, name: str, valid_from: date, now: datetime) -> None:
        self.conn.execute(sa.update(t.units).where(t.units.c.id == unit_id).values(name=name))
        self.conn.execute(sa.insert(t.unit_names).values(
            unit_id=unit_id, name=name, valid_from=valid_from, created_at=now))

    def close(self, unit_id: int, valid_to: date, successor_id: int) -> None:
        self.conn.execute(sa.update(t.units).where(t.units.c.id == unit_id).values(
            valid_to=valid_to, successor_id=successor_id))

    def name_on(self, unit_id: int, day: date) -> str:
        c = t.unit_names.c
        name = self.conn.execute(
            sa.select(c.name).where(c.unit_id == unit_id, c.valid_from <= day)
            .order_by(c.valid_from.desc(), c.id.desc()).limit(1)).scalar()
        return name or self.by_id(unit_id).name


class AttachmentRepository:
    """Attachment rows; added ones are written at commit, after their (new) dossier."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: list[tuple[Dossier, dict]] = []

    def add(self, dossier: Dossier, **values) -> None:
        self.pending.append((dossier, values))

    def save(self) -> None:
        rows = [{"province_code": d.province_code, "dossier_id": d.id, **v}
                for d, v in self.pending]
        if rows:
            self.conn.execute(sa.insert(t.attachments), rows)
        self.pending.clear()

    def for_dossier(self, dossier_id: int) -> list:
        c = t.attachments.c
        return list(self.conn.execute(sa.select(t.attachments).where(c.dossier_id == dossier_id)
                                      .order_by(c.id)))

    def get(self, dossier_id: int, attachment_id: int):
        c = t.attachments.c
        row = self.conn.execute(sa.select(t.attachments).where(
            c.id == attachment_id, c.dossier_id == dossier_id)).first()
        if row is None:
            raise NotFound(f"Không tìm thấy tệp đính kèm số {attachment_id} của hồ sơ.")
        return row


class TokenRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, official_id: int, name: str, token_sha256: str, now: datetime) -> int:
        return self.conn.execute(sa.insert(t.api_tokens).values(
            official_id=official_id, name=name, token_sha256=token_sha256, created_at=now,
        ).returning(t.api_tokens.c.id)).scalar_one()

    def official_id(self, token_sha256: str) -> int | None:
        c = t.api_tokens.c
        return self.conn.execute(sa.select(c.official_id).where(
            c.token_sha256 == token_sha256, c.revoked.is_(False))).scalar()

    def revoke(self, official_id: int) -> int:
        return self.conn.execute(sa.update(t.api_tokens).where(
            t.api_tokens.c.official_id == official_id).values(revoked=True)).rowcount


class OfficialRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _roles(self, official_id: int) -> frozenset[tuple[int, Role]]:
        rows = self.conn.execute(sa.select(t.official_roles.c.unit_id, t.official_roles.c.role)
                                    .where(t.official_roles.c.official_id == official_id))
        return frozenset((r.unit_id, Role(r.role)) for r in rows)

    def _get(self, clause) -> tuple[Official, str] | None:
        row = self.conn.execute(sa.select(t.officials).where(clause)).first()
        if row is None:
            return None
        official = Official(row.id, row.username, row.full_name, self._roles(row.id), row.active,
                            row.email)
        return official, row.password_hash

    def by_username(self, username: str) -> tuple[Official, str] | None:
        return self._get(t.officials.c.username == username.strip().lower())

    def by_id(self, official_id: int) -> Official:
        found = self._get(t.officials.c.id == official_id)
        if found is None:
            raise NotFound(f"Không tìm thấy cán bộ {official_id}.")
        return found[0]

    def add(self, province_code: int, username: str, full_name: str, password_hash: str,
            now: datetime) -> int:
        return self.conn.execute(sa.insert(t.officials).values(
            province_code=province_code, username=username.strip().lower(), full_name=full_name,
            password_hash=password_hash, created_at=now).returning(t.officials.c.id)).scalar_one()

    def set_password_hash(self, official_id: int, password_hash: str) -> None:
        self.conn.execute(sa.update(t.officials).where(t.officials.c.id == official_id)
                          .values(password_hash=password_hash))

    def grant(self, official_id: int, unit_id: int, role: Role) -> None:
        insert = db.insert_for(self.conn.dialect.name)
        self.conn.execute(insert(t.official_roles).values(
            official_id=official_id, unit_id=unit_id, role=role.value).on_conflict_do_nothing())

    def set_email(self, official_id: int, email: str) -> None:
        self.conn.execute(sa.update(t.officials).where(t.officials.c.id == official_id)
                          .values(email=email))

    def holders(self, unit_id: int, roles: list[Role]) -> list:
        """Active officials holding one of ``roles`` in the unit: (id, full_name, email)."""
        o, r = t.officials.c, t.official_roles.c
        return list(self.conn.execute(
            sa.select(o.id, o.full_name, o.email).distinct()
            .join_from(t.officials, t.official_roles, r.official_id == o.id)
            .where(r.unit_id == unit_id, r.role.in_([x.value for x in roles]), o.active)
            .order_by(o.id)))

    def all(self) -> list[Official]:
        ids = self.conn.execute(sa.select(t.officials.c.id).order_by(t.officials.c.id)).scalars()
        return [self.by_id(i) for i in ids]


class CalendarRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def overrides(self, province_code: int) -> list[DayRule]:
        c = t.calendar_overrides.c
        rows = self.conn.execute(sa.select(t.calendar_overrides)
                                    .where(c.province_code == province_code).order_by(c.id))
        return [DayRule(r.day, DayKind(r.kind), r.reason, r.source or "Quản trị viên")
                for r in rows]

    def add(self, province_code: int, rules: Iterable[DayRule], created_by: str,
            now: datetime) -> int:
        rows = [{"province_code": province_code, "day": r.day, "kind": r.kind.value,
                 "reason": r.reason, "source": r.source, "created_by": created_by,
                 "created_at": now} for r in rules]
        if rows:
            self.conn.execute(sa.insert(t.calendar_overrides), rows)
        return len(rows)


class DataMigrationRepository:
    """Which data migrations have run, and what each changed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def applied(self) -> set[str]:
        return set(self.conn.execute(sa.select(t.data_migrations.c.name)).scalars())

    def record(self, name: str, at: datetime, report: list[dict]) -> None:
        self.conn.execute(sa.insert(t.data_migrations).values(name=name, applied_at=at,
                                                              report=report))

    def all(self) -> list:
        c = t.data_migrations.c
        return list(self.conn.execute(sa.select(t.data_migrations).order_by(c.applied_at)))


class OutboxRepository:
    """Outbox rows: added ones are written at commit, in the dossier change's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: list[dict] = []

    def add(self, *, province_code: int, topic: str, dedupe_key: str, dossier_code: str | None,
            payload: dict, at: datetime) -> None:
        self.pending.append({"province_code": province_code, "topic": topic,
                             "dedupe_key": dedupe_key, "dossier_code": dossier_code,
                             "payload": payload, "next_attempt_at": at, "created_at": at})

    def save(self) -> None:
        if self.pending:
            self.conn.execute(sa.insert(t.outbox), self.pending)
        self.pending.clear()

    def claim(self, now: datetime, limit: int, topics: Sequence[str] | None = None) -> list:
        """Due rows, locked for this relay on PostgreSQL (several relays never share one).

        Only the first unsent row of each dossier: a later row waits while an earlier one
        is pending (its retry not yet due) or dead (until an operator resends or skips
        it), so a dossier's changes reach the other side in the order they were made."""
        c = t.outbox.c
        earlier = t.outbox.alias("earlier")
        e = earlier.c
        query = (sa.select(t.outbox).where(
            c.status == "pending", c.next_attempt_at <= now,
            sa.or_(c.dossier_code.is_(None), ~sa.exists().where(
                e.dossier_code == c.dossier_code, e.id < c.id,
                e.status.in_(("pending", "dead")))))
            .order_by(c.id).limit(limit))
        if topics is not None:
            query = query.where(c.topic.in_(list(topics)))
        if self.conn.dialect.name == "postgresql":
            dossier_pg.begin_now(self.conn)  # the row locks live until this relay commits
            query = query.with_for_update(skip_locked=True)
        return list(self.conn.execute(query))

    def mark(self, row_id: int, *, status: str, attempts: int, next_attempt_at: datetime,
             error: str = "", processed_at: datetime | None = None) -> None:
        self.conn.execute(sa.update(t.outbox).where(t.outbox.c.id == row_id).values(
            status=status, attempts=attempts, next_attempt_at=next_attempt_at,
            last_error=error[:2000], processed_at=processed_at))

    def for_dossier(self, code: str) -> list:
        c = t.outbox.c
        return list(self.conn.execute(sa.select(t.outbox).where(c.dossier_code == code)
                                      .order_by(c.id)))

    def summary(self, topics: Sequence[str]) -> dict[tuple[str, str], int]:
        """(topic, status) -> rows."""
        c = t.outbox.c
        return {(r[0], r[1]): r[2] for r in self.conn.execute(
            sa.select(c.topic, c.status, sa.func.count()).where(c.topic.in_(list(topics)))
            .group_by(c.topic, c.status))}

    def dead(self, topics: Sequence[str], limit: int = 200) -> list:
        c = t.outbox.c
        return list(self.conn.execute(sa.select(t.outbox).where(
            c.topic.in_(list(topics)), c.status == "dead").order_by(c.id).limit(limit)))

    def get(self, row_id: int):
        row = self.conn.execute(sa.select(t.outbox).where(t.outbox.c.id == row_id)).first()
        if row is None:
            raise NotFound(f"Không có bản ghi gửi đi số {row_id}.")
        return row


class AuditRepository:
    """The audit record as stored: chains, seals and signed checkpoints."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def chains(self, after_id: int = 0, limit: int = 500) -> list:
        """(id, code, audit_seq, audit_head, audit_seal) of dossiers after ``after_id``."""
        c = t.dossiers.c
        return self.conn.execute(
            sa.select(c.id, c.code, c.audit_seq, c.audit_head, c.audit_seal)
            .where(c.id > after_id).order_by(c.id).limit(limit)).all()

    def events(self, dossier_id: int, code: str) -> Iterator[AuditEvent]:
        stmt = sa.select(t.audit_events).where(t.audit_events.c.dossier_id == dossier_id).order_by(
            t.audit_events.c.id)
        for row in self.conn.execute(stmt):
            yield AuditEvent(code, row.seq, row.at, row.actor_id, row.actor_name, row.action,
                             row.data, row.prev_hash, row.hash)

    def set_seal(self, dossier_id: int, seal: str) -> None:
        self.conn.execute(sa.update(t.dossiers).where(t.dossiers.c.id == dossier_id)
                          .values(audit_seal=seal))

    def first_events(self, max_dossier_id: int) -> list[tuple[int, str, str]]:
        """(id, code, hash of its first audit event) of every dossier up to an id."""
        d, e = t.dossiers.c, t.audit_events.c
        return [tuple(r) for r in self.conn.execute(
            sa.select(d.id, d.code, e.hash).join_from(t.dossiers, t.audit_events,
                                                 sa.and_(e.dossier_id == d.id, e.seq == 1))
            .where(d.id <= max_dossier_id))]

    def max_dossier_id(self) -> int:
        return self.conn.execute(sa.select(sa.func.max(t.dossiers.c.id))).scalar() or 0

    def checkpoints(self) -> list:
        c = t.audit_checkpoints.c
        return self.conn.execute(sa.select(t.audit_checkpoints).order_by(c.id)).all()

    def add_checkpoint(self, **values) -> None:
        self.conn.execute(sa.insert(t.audit_checkpoints).values(**values))


class SessionRepository:
    """Signed-in sessions, by the SHA-256 of their token."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, token_sha256: str, official_id: int, now: datetime,
            expires_at: datetime) -> None:
        self.conn.execute(sa.insert(t.web_sessions).values(
            token_sha256=token_sha256, official_id=official_id, created_at=now,
            expires_at=expires_at))

    def official_id(self, token_sha256: str, now: datetime) -> int | None:
        c = t.web_sessions.c
        return self.conn.execute(sa.select(c.official_id).where(
            c.token_sha256 == token_sha256, c.expires_at > now)).scalar()

    def delete(self, token_sha256: str) -> None:
        self.conn.execute(sa.delete(t.web_sessions).where(
            t.web_sessions.c.token_sha256 == token_sha256))

    def delete_for(self, official_id: int) -> int:
        return self.conn.execute(sa.delete(t.web_sessions).where(
            t.web_sessions.c.official_id == official_id)).rowcount

    def delete_expired(self, now: datetime) -> int:
        return self.conn.execute(sa.delete(t.web_sessions).where(
            t.web_sessions.c.expires_at <= now)).rowcount


_TRACK_GUESS = dossier_pg.Statement(
    "SELECT outcome > 0, dossier_version FROM motcua_track_guess(%(targets)s::text[], "
    "%(clients)s::text[], %(since)s, %(now)s, %(attempts)s, %(code)s, %(digits)s)")


class ThrottleRepository:
    """Counted guesses and filings, shared by every server process.

    ``admit`` checks and records a filing atomically. PostgreSQL: one call of the
    function ``motcua_throttle_admit`` (migration 0007), which takes an advisory lock
    per target key, counts, and inserts, in the statement's own transaction, without
    waiting for the WAL flush (a throttle row lost in a crash costs a few guesses).
    SQLite: the insert comes first and takes the database's write lock, then the count;
    over the limit, the unit of work rolls the insert back.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @property
    def _pg(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    def admit(self, targets: Sequence[str], since: datetime, now: datetime,
              attempts: int) -> list[int] | None:
        """Record an attempt against every target unless one already has ``attempts``
        since ``since`` (then ``None``; on SQLite the unit of work rolls the insert back)."""
        if self._pg:
            ids = self.conn.execute(sa.select(sa.func.motcua_throttle_admit(
                sa.cast(list(targets), ARRAY(sa.Text)), since, now, attempts))).scalar()
            return None if ids is None else list(ids)
        c = t.throttle_events.c
        self.conn.execute(sa.delete(t.throttle_events).where(c.key.in_(targets), c.at <= since))
        ids = [self.conn.execute(sa.insert(t.throttle_events).values(key=k, at=now)
                                 .returning(c.id)).scalar_one() for k in targets]
        counts = self.conn.execute(
            sa.select(sa.func.count()).where(c.key.in_(targets), c.at > since)
            .group_by(c.key)).scalars()
        return None if any(n > attempts for n in counts) else ids

    def lock_and_check(self, targets: Sequence[str], clients: Sequence[str], since: datetime,
                       attempts: int) -> bool:
        """Lock the targets until this transaction ends; whether every key is under
        ``attempts`` failures since ``since``. PostgreSQL: one call of
        ``motcua_throttle_check`` (advisory locks, migration 0007). SQLite: forgetting the
        keys' expired rows takes the database's write lock first."""
        if self._pg:
            dossier_pg.begin_now(self.conn)  # the locks last until the commit
            return bool(self.conn.execute(sa.select(sa.func.motcua_throttle_check(
                sa.cast(list(targets), ARRAY(sa.Text)), sa.cast(list(clients), ARRAY(sa.Text)),
                since, attempts))).scalar())
        c = t.throttle_events.c
        keys = [*targets, *clients]
        self.conn.execute(sa.delete(t.throttle_events).where(c.key.in_(keys), c.at <= since))
        counts = self.conn.execute(
            sa.select(sa.func.count()).where(c.key.in_(keys), c.at > since)
            .group_by(c.key)).scalars().all()
        return all(n < attempts for n in counts)

    def guess_digits(self, targets: Sequence[str], clients: Sequence[str], since: datetime,
                     now: datetime, attempts: int, code: str,
                     digits: str) -> tuple[bool, int | None]:
        """The public look-up's guard and guess: (allowed, version). Not allowed: a key is
        at its limit. Allowed with no version: a wrong code or wrong digits, recorded
        against every key. Otherwise the dossier's version. PostgreSQL: one statement in
        its own transaction (``motcua_track_guess``, migration 0017), so it must run
        before anything in this unit of work begins. SQLite: the same steps in this
        transaction (the caller commits)."""
        if self._pg:
            allowed, version = _TRACK_GUESS.run(self.conn, {
                "targets": list(targets), "clients": list(clients), "since": since,
                "now": now, "attempts": attempts, "code": code, "digits": digits}).fetchone()
            return bool(allowed), version
        if not self.lock_and_check(targets, clients, since, attempts):
            return False, None
        d = t.dossiers.c
        found = self.conn.execute(sa.select(d.version, d.applicant_id_number, d.applicant_phone)
                                  .where(d.code == code)).first()
        if found is not None and last4_matches(digits, found.applicant_id_number,
                                               found.applicant_phone):
            return True, found.version
        self.record([*targets, *clients], now, since)
        return True, None

    def record(self, keys: Sequence[str], at: datetime, since: datetime) -> None:
        """A failure against every key (their rows older than ``since`` forgotten)."""
        c = t.throttle_events.c
        if self._pg:
            self.conn.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
        self.conn.execute(sa.delete(t.throttle_events).where(c.key.in_(keys), c.at <= since))
        self.conn.execute(sa.insert(t.throttle_events), [{"key": k, "at": at} for k in keys])

    def forget(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        if self._pg:
            self.conn.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
        self.conn.execute(sa.delete(t.throttle_events).where(t.throttle_events.c.id.in_(ids)))


class SubmissionRepository:
    """Online filings waiting for the desk; a decision is written once (``WHERE status =
    'pending'``), so two desk officers deciding at once cannot both succeed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _build(row) -> Submission:
        files = row.files
        return Submission(
            ref=row.ref, province_code=row.province_code, procedure_id=row.procedure_id,
            unit_id=row.unit_id, applicant=dict(row.applicant),
            files=tuple(StoredFile(f["name"], f["filename"], f["sha256"], f["size"],
                                   f["content_type"]) for f in files),
            slots=tuple(f.get("slot", f["name"]) for f in files),
            submission_key=row.submission_key, submitted_at=row.submitted_at,
            status=SubmissionStatus(row.status), decided_by_id=row.decided_by_id,
            decided_by_name=row.decided_by_name, decided_at=row.decided_at, reason=row.reason,
            dossier_code=row.dossier_code, id=row.id)

    def add(self, submission: Submission) -> None:
        files = [{"slot": slot, "name": f.name, "filename": f.filename, "sha256": f.sha256,
                  "size": f.size, "content_type": f.content_type}
                 for slot, f in zip(submission.slots, submission.files, strict=True)]
        submission.id = self.conn.execute(sa.insert(t.submissions).values(
            province_code=submission.province_code, ref=submission.ref,
            submission_key=submission.submission_key, procedure_id=submission.procedure_id,
            unit_id=submission.unit_id, applicant=submission.applicant, files=files,
            submitted_at=submission.submitted_at, status=submission.status.value,
        ).returning(t.submissions.c.id)).scalar_one()

    def get(self, ref: str) -> Submission:
        row = self.conn.execute(sa.select(t.submissions).where(
            t.submissions.c.ref == (ref or "").strip().upper())).first()
        if row is None:
            raise NotFound(f"Không tìm thấy hồ sơ trực tuyến {ref}.")
        return self._build(row)

    def by_key(self, key: str) -> Submission | None:
        row = self.conn.execute(sa.select(t.submissions).where(
            t.submissions.c.submission_key == key)).first()
        return self._build(row) if row is not None else None

    def waiting(self, unit_ids: Iterable[int], limit: int = 500) -> list[Submission]:
        c = t.submissions.c
        rows = self.conn.execute(sa.select(t.submissions).where(
            c.status == SubmissionStatus.PENDING.value, c.unit_id.in_(list(unit_ids) or [-1]))
            .order_by(c.submitted_at).limit(limit))
        return [self._build(r) for r in rows]

    def count_waiting(self, unit_ids: Iterable[int]) -> int:
        c = t.submissions.c
        return self.conn.execute(sa.select(sa.func.count()).where(
            c.status == SubmissionStatus.PENDING.value,
            c.unit_id.in_(list(unit_ids) or [-1]))).scalar_one()

    def save_decision(self, submission: Submission) -> None:
        c = t.submissions.c
        done = self.conn.execute(sa.update(t.submissions).where(
            c.id == submission.id, c.status == SubmissionStatus.PENDING.value).values(
            status=submission.status.value, decided_by_id=submission.decided_by_id,
            decided_by_name=submission.decided_by_name, decided_at=submission.decided_at,
            reason=submission.reason, dossier_code=submission.dossier_code)).rowcount
        if done != 1:
            raise ConcurrentUpdate("Hồ sơ trực tuyến này vừa được cán bộ khác xử lý; "
                                   "tải lại trang để xem kết quả.")
