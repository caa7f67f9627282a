"""Data mapper for the dossier aggregate, written on SQLAlchemy Core.

The domain classes know nothing of the database; this module builds them from
rows and writes back what changed (cosmicpython keeps the same direction with
``adapters/orm.py``). It replaced an imperative ORM mapping that cost about
3 ms of Python per transition (bench_lifecycle.py); this one loads a dossier
with its steps in one query and saves it with one UPDATE per changed row.

Optimistic locking: the dossier row is updated ``WHERE version = <loaded>``;
when another transaction got there first no row matches and ``StaleDossier``
is raised before anything else of this save is written.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from itertools import groupby

import sqlalchemy as sa
from psycopg import errors as pg_errors
from psycopg.types.json import Json
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from motcua.domain.dossiers import Dossier, Step, Supplement, TimeCorrection
from motcua.storage import stats
from motcua.storage import tables as t

SNAPSHOT = "_stored"
STATS = "_counted"  # the dossier's report cell as stored


class StaleDossier(Exception):
    """The dossier row changed since it was loaded."""


class NotLoaded:
    """Stands for a child collection the use case did not ask for; any use is a bug."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _fail(self, *args, **kwargs):
        raise RuntimeError(f"{self.name} of this dossier were not loaded")

    __iter__ = __len__ = __getitem__ = append = _fail


def _fields(table: sa.Table, *skip: str) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.name not in ("id", *skip))


DOSSIER_FIELDS = _fields(t.dossiers)
_IMMUTABLE = {"code", "province_code", "procedure_id", "channel", "applicant_kind",
              "applicant_id_number", "applicant_name", "applicant_phone", "applicant_birth_year",
              "applicant_address", "applicant_email", "filed_by_id", "note", "received_at",
              "effective_receipt", "appointment_at_receipt", "version", "submission_key",
              "search_text", "received_month", "fee_amount"}
DOSSIER_MUTABLE = tuple(f for f in DOSSIER_FIELDS if f not in _IMMUTABLE)


class _Children:
    """One child table of the aggregate (steps, supplements, corrections)."""

    def __init__(self, table: sa.Table, cls: type, attr: str) -> None:
        self.table, self.cls, self.attr = table, cls, attr
        self.fields = _fields(table, "dossier_id")
        self.mutable = tuple(f for f in self.fields if f != "seq")
        self.insert = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        self.update_stmt = sa.update(table).where(table.c.id == sa.bindparam("_id")).values(
            {f: sa.bindparam(f"v_{f}") for f in self.mutable})

    def build(self, values: dict):
        obj = self.cls.__new__(self.cls)
        obj.__dict__.update(values)
        obj.__dict__[SNAPSHOT] = tuple(values[f] for f in self.fields)
        return obj

    def load(self, conn: Connection, dossiers: list[Dossier]) -> None:
        if not dossiers:
            return
        by_id = {d.id: d for d in dossiers}
        for d in dossiers:
            setattr(d, self.attr, [])
        c = self.table.c
        rows = conn.execute(sa.select(self.table).where(c.dossier_id.in_(list(by_id)))
                            .order_by(c.dossier_id, c.seq))
        for row in rows:
            values = row._asdict()
            getattr(by_id[values.pop("dossier_id")], self.attr).append(self.build(values))

    def changes(self, dossier: Dossier) -> tuple[list, list]:
        """(new children with their values, parameters for the changed ones)."""
        children = getattr(dossier, self.attr)
        if isinstance(children, NotLoaded):
            return [], []
        inserts, updates = [], []
        for child in children:
            values = {f: getattr(child, f) for f in self.fields}
            stored = child.__dict__.get(SNAPSHOT)
            if stored is None:
                inserts.append((child, values))
            elif stored != tuple(values.values()):
                updates.append((child, values))
        return inserts, updates

    def update_params(self, child, values: dict) -> dict:
        return {"_id": child.id, **{f"v_{f}": values[f] for f in self.mutable}}

    def update(self, conn: Connection, changed: list) -> None:
        if changed:
            conn.execute(self.update_stmt, [self.update_params(c, v) for c, v in changed])

    def settle(self, conn: Connection, dossier: Dossier, inserts: list, changed: list) -> None:
        """Insert the new children and remember what is now stored."""
        for child, values in changed:
            child.__dict__[SNAPSHOT] = tuple(values.values())
        if inserts:
            ids = conn.execute(self.insert, [{"dossier_id": dossier.id, **values}
                                             for _, values in inserts]).scalars().all()
            for (child, values), child_id in zip(inserts, ids, strict=True):
                child.id = child_id
                child.__dict__[SNAPSHOT] = tuple(values.values())

    def save(self, conn: Connection, dossier: Dossier) -> None:
        inserts, changed = self.changes(dossier)
        self.update(conn, changed)
        self.settle(conn, dossier, inserts, changed)


STEPS = _Children(t.dossier_steps, Step, "steps")
SUPPLEMENTS = _Children(t.dossier_supplements, Supplement, "supplements")
CORRECTIONS = _Children(t.time_corrections, TimeCorrection, "corrections")

_D, _S = t.dossiers, t.dossier_steps
_STEP_LABELS = [c.label(f"s__{c.name}") for c in _S.columns if c.name != "dossier_id"]
_D_KEYS = tuple(c.name for c in _D.columns)
_S_KEYS = tuple(c.name for c in _S.columns if c.name != "dossier_id")
_INSERT_DOSSIER = sa.insert(_D).returning(_D.c.id)
_SELECT = sa.select(_D, *_STEP_LABELS).outerjoin(_S, _S.c.dossier_id == _D.c.id)
_ORDER = (_D.c.id, _S.c.seq)
_BY_CODE = _SELECT.where(_D.c.code == sa.bindparam("code")).order_by(*_ORDER)
_UPDATE_DOSSIER = (
    sa.update(_D)
    .where(_D.c.id == sa.bindparam("_id"), _D.c.version == sa.bindparam("_version"))
    .values({**{f: sa.bindparam(f"v_{f}") for f in DOSSIER_MUTABLE},
             "version": sa.bindparam("_new_version")})
)


def load_code(conn: Connection, code: str, *, corrections: bool = True) -> Dossier | None:
    """The dossier with this code, or None (one prepared query for it and its steps)."""
    found = _build(conn, conn.execute(_BY_CODE, {"code": code}), corrections)
    return found[0] if found else None


def load_where(conn: Connection, where) -> list[Dossier]:
    """Every dossier matching ``where``, ordered by id, with all its children."""
    return _build(conn, conn.execute(_SELECT.where(where).order_by(*_ORDER)), True)


def _build(conn: Connection, result, corrections: bool) -> list[Dossier]:
    """Dossiers from rows of ``_SELECT``.

    Supplements are loaded for dossiers that have any; corrections only when asked.
    """
    found = []
    width = len(_D.columns)
    for _, rows in groupby(result, key=lambda r: r.id):
        rows = list(rows)
        dossier = Dossier.__new__(Dossier)
        dossier.__dict__.update(zip(_D_KEYS, rows[0][:width], strict=True))
        dossier.__dict__[SNAPSHOT] = dossier.version
        dossier.steps = [STEPS.build(dict(zip(_S_KEYS, r[width:], strict=True)))
                         for r in rows if r[width] is not None]
        dossier.supplements = []
        dossier.corrections = [] if corrections else NotLoaded("corrections")
        dossier.__dict__[STATS] = stats.cells_of(dossier)
        found.append(dossier)
    SUPPLEMENTS.load(conn, [d for d in found if d.supplement_requests])
    if corrections:
        CORRECTIONS.load(conn, found)
    return found


def event_rows(dossier: Dossier) -> list[dict]:
    return [{"dossier_id": dossier.id, "seq": e.seq, "at": e.at, "actor_id": e.actor_id,
             "actor_name": e.actor_name, "action": e.action, "data": e.data,
             "prev_hash": e.prev_hash, "hash": e.hash} for e in dossier.pending_events]


def save(conn: Connection, dossiers: Iterable[Dossier]) -> None:
    """Insert new dossiers, update changed ones, write their children and audit events.

    On PostgreSQL the update of a dossier, of its changed steps and the insert of
    its events go to the server in one pipeline (one network round trip).
    """
    pipelined = conn.dialect.name == "postgresql"
    for dossier in dossiers:
        cell = stats.cells_of(dossier)
        counted = stats.moves([(dossier.__dict__.get(STATS), cell)])
        stored_version = dossier.__dict__.get(SNAPSHOT)
        if stored_version is None:
            values = {f: getattr(dossier, f) for f in DOSSIER_FIELDS}
            dossier.id = conn.execute(_INSERT_DOSSIER, values).scalar_one()
            for children in (STEPS, SUPPLEMENTS, CORRECTIONS):
                children.save(conn, dossier)
            conn.execute(sa.insert(t.audit_events), event_rows(dossier))
            stats.apply(conn, counted)
        elif dossier.pending_events:
            dossier.version = stored_version + 1
            params = {"_id": dossier.id, "_version": stored_version,
                      "_new_version": dossier.version,
                      **{f"v_{f}": getattr(dossier, f) for f in DOSSIER_MUTABLE}}
            new_steps, changed_steps = STEPS.changes(dossier)
            try:
                if pipelined:
                    _write_pipelined(conn, dossier, params, changed_steps, counted)
                else:
                    _write(conn, dossier, params)
                    STEPS.update(conn, changed_steps)
                    stats.apply(conn, counted)
            except StaleDossier:
                dossier.version = stored_version
                raise
            STEPS.settle(conn, dossier, new_steps, changed_steps)
            for children in (SUPPLEMENTS, CORRECTIONS):
                children.save(conn, dossier)
        else:
            continue
        dossier.__dict__[SNAPSHOT] = dossier.version
        dossier.__dict__[STATS] = cell
        dossier.pending_events.clear()


def _write(conn: Connection, dossier: Dossier, params: dict) -> None:
    if conn.execute(_UPDATE_DOSSIER, params).rowcount != 1:
        raise StaleDossier(dossier.code)
    conn.execute(sa.insert(t.audit_events), event_rows(dossier))


def _pg_update_sql(table: sa.Table, fields: Iterable[str], where: str) -> str:
    sets = ", ".join(f"{f} = %(v_{f})s" for f in fields)
    return f"UPDATE {table.name} SET {sets} WHERE {where}"


_PG_UPDATE_DOSSIER = _pg_update_sql(
    _D, (*DOSSIER_MUTABLE, "_new_version"), "id = %(_id)s AND version = %(_version)s"
).replace("_new_version = %(v__new_version)s", "version = %(_new_version)s")
_PG_UPDATE_STEP = _pg_update_sql(_S, STEPS.mutable, "id = %(_id)s")
_EVENT_FIELDS = _fields(t.audit_events)
_PG_INSERT_EVENT = (f"INSERT INTO audit_events ({', '.join(_EVENT_FIELDS)}) VALUES "
                    f"({', '.join(f'%({f})s' for f in _EVENT_FIELDS)})")


def _pg(value):
    """Plain values for psycopg: enum members by value, dicts and lists as JSON."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return Json(value)
    return value


_PG_STATS = {name: str(stats.UPSERTS[(name, "postgresql")].compile(
    dialect=postgresql.psycopg.dialect())) for name in stats.KEYS}


def _write_pipelined(conn: Connection, dossier: Dossier, params: dict, steps: list,
                     counted: dict) -> None:
    """Dossier row, changed steps and audit events in one psycopg pipeline.

    Any error (a unique-key clash on the event sequence when another official
    saved first) aborts the transaction; the caller's rollback clears it.
    """
    raw = conn.connection.dbapi_connection
    try:
        with raw.pipeline():
            dossier_cursor = raw.cursor()
            dossier_cursor.execute(_PG_UPDATE_DOSSIER, {k: _pg(v) for k, v in params.items()})
            if steps:
                raw.cursor().executemany(_PG_UPDATE_STEP, [
                    {k: _pg(v) for k, v in STEPS.update_params(c, v).items()} for c, v in steps])
            raw.cursor().executemany(_PG_INSERT_EVENT, [
                {k: _pg(v) for k, v in row.items()} for row in event_rows(dossier)])
            for name, rows in stats.rows_for(counted).items():
                if rows:
                    raw.cursor().executemany(_PG_STATS[name], rows)
    except (pg_errors.UniqueViolation, pg_errors.SerializationFailure,
            pg_errors.DeadlockDetected) as exc:
        if isinstance(exc, pg_errors.UniqueViolation) and \
                exc.diag.constraint_name != "uq_audit_events_seq":
            raise
        raise StaleDossier(dossier.code) from exc
    if dossier_cursor.rowcount != 1:
        raise StaleDossier(dossier.code)
