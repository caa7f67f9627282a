"""Data mapper for the dossier aggregate, written on SQLAlchemy Core.

The domain classes know nothing of the database; this module builds them from
rows and writes back what changed (cosmicpython keeps the same direction with
``adapters/orm.py``). It replaced an imperative ORM mapping that cost about
3 ms of Python per transition (bench_lifecycle.py); this one loads a dossier
with its steps in one query and writes only the rows that are new or changed
(on SQLite a statement per kind of row; on PostgreSQL the whole save in one
statement, see ``dossier_pg``).

Optimistic locking: the dossier row is updated ``WHERE version = <loaded>``;
when another transaction got there first no row matches and ``Stale`` is
raised, and nothing of this save is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Engine

from motcua.domain.audit import seal
from motcua.domain.dossiers import Dossier, Step, Supplement, TimeCorrection
from motcua.storage import stats
from motcua.storage import tables as t

SNAPSHOT = "_stored"
STATS = "_counted"  # the dossier's report cell as stored
# notification rows caused by the dossier's new events, written by its save (on
# PostgreSQL inside the one statement, so a notification costs no round trip)
NOTIFICATIONS = "_notifications"
NOTIFICATION_FIELDS = tuple(c.name for c in t.notification_outbox.columns if c.name != "id")


class Stale(Exception):
    """Another transaction saved this dossier since it was loaded; nothing of the save
    is kept (the one stale error of both stores)."""


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
              "version", "submission_key", "search_text", "received_month", "fee_amount"}
# effective_receipt and appointment_at_receipt change when a corrected calendar is
# re-applied (Dossier.recalendar); they were once listed here and the correction was
# kept in memory only, which the audit's state digest found
DOSSIER_MUTABLE = tuple(f for f in DOSSIER_FIELDS if f not in _IMMUTABLE)


class _Children:
    """One child table of the aggregate (steps, supplements, corrections).

    A child row is known by its dossier and its ``seq``; its surrogate id stays in the
    database.
    """

    def __init__(self, table: sa.Table, cls: type, attr: str) -> None:
        self.table, self.cls, self.attr = table, cls, attr
        self.fields = _fields(table, "dossier_id")
        self.mutable = tuple(f for f in self.fields if f != "seq")
        self.insert_stmt = sa.insert(table)
        self.update_stmt = sa.update(table).where(
            table.c.dossier_id == sa.bindparam("_dossier_id"),
            table.c.seq == sa.bindparam("_seq"),
        ).values({f: sa.bindparam(f"v_{f}") for f in self.mutable})

    def build(self, values: dict):
        return self.cls.restore({**values, SNAPSHOT: tuple(values[f] for f in self.fields)})

    def load(self, conn: Connection, dossiers: list[Dossier]) -> None:
        if not dossiers:
            return
        by_id = {d.id: d for d in dossiers}
        for d in dossiers:
            setattr(d, self.attr, [])
        c = self.table.c
        rows = conn.execute(sa.select(c.dossier_id, *(c[f] for f in self.fields))
                            .where(c.dossier_id.in_(list(by_id))).order_by(c.dossier_id, c.seq))
        for row in rows:
            values = row._asdict()
            getattr(by_id[values.pop("dossier_id")], self.attr).append(self.build(values))

    def changes(self, dossier: Dossier) -> tuple[list, list]:
        """(new children, changed children), each as (child, its values now)."""
        children = getattr(dossier, self.attr)
        if isinstance(children, NotLoaded):
            return [], []
        inserts, updates = [], []
        for child in children:
            values = tuple(getattr(child, f) for f in self.fields)
            stored = child.__dict__.get(SNAPSHOT)
            if stored is None:
                inserts.append((child, values))
            elif stored != values:
                updates.append((child, values))
        return inserts, updates

    def rows(self, changed: list) -> list[dict]:
        return [dict(zip(self.fields, values, strict=True)) for _, values in changed]

    @staticmethod
    def remember(*changed: list) -> None:
        """The children were saved with these values."""
        for pairs in changed:
            for child, values in pairs:
                child.__dict__[SNAPSHOT] = values

    def write(self, conn: Connection, dossier: Dossier, inserts: list, updates: list) -> None:
        if updates:
            conn.execute(self.update_stmt, [
                {"_dossier_id": dossier.id, "_seq": v["seq"],
                 **{f"v_{f}": v[f] for f in self.mutable}} for v in self.rows(updates)])
        if inserts:
            conn.execute(self.insert_stmt,
                         [{"dossier_id": dossier.id, **v} for v in self.rows(inserts)])


STEPS = _Children(t.dossier_steps, Step, "steps")
SUPPLEMENTS = _Children(t.dossier_supplements, Supplement, "supplements")
CORRECTIONS = _Children(t.time_corrections, TimeCorrection, "corrections")
CHILDREN = {"steps": STEPS, "supplements": SUPPLEMENTS, "corrections": CORRECTIONS}

_D, _S = t.dossiers, t.dossier_steps
_D_KEYS = tuple(c.name for c in _D.columns)
SELECT = sa.select(_D, *(_S.c[f].label(f"s__{f}") for f in STEPS.fields)).outerjoin(
    _S, _S.c.dossier_id == _D.c.id)
_ORDER = (_D.c.id, _S.c.seq)
BY_CODE = SELECT.where(_D.c.code == sa.bindparam("code")).order_by(*_ORDER)
_INSERT_DOSSIER = sa.insert(_D).returning(_D.c.id)
_INSERT_EVENTS = sa.insert(t.audit_events)
# this store writes SQLite (PostgreSQL's writes the rows inside its one statement)
_INSERT_NOTIFICATIONS = sqlite.insert(t.notification_outbox).on_conflict_do_nothing()
_UPDATE_DOSSIER = (
    sa.update(_D)
    .where(_D.c.id == sa.bindparam("_id"), _D.c.version == sa.bindparam("_version"))
    .values({**{f: sa.bindparam(f"v_{f}") for f in DOSSIER_MUTABLE},
             "version": sa.bindparam("_new_version")})
)
EVENT_FIELDS = _fields(t.audit_events, "dossier_id")


def notification_rows(dossier: Dossier) -> list[dict]:
    return dossier.__dict__.get(NOTIFICATIONS) or []
# what tells that another transaction saved the dossier first, on either database: the
# audit chain's unique (dossier_id, seq), SQLite's writer lock, PostgreSQL's conflicts
_STALE_TEXTS = ("uq_audit_events_seq", "database is locked", "could not serialize",
                "deadlock detected")


def _build(conn: Connection, rows, corrections: bool) -> list[Dossier]:
    """Dossiers from rows of ``SELECT`` (the dossier's columns, then its step's).

    Supplements are loaded for dossiers that have any; corrections only when asked.
    """
    found = []
    width = len(_D.columns)
    for _, group in groupby(rows, key=lambda r: r[0]):
        group = list(group)
        values = dict(zip(_D_KEYS, group[0][:width], strict=True))
        dossier = Dossier.restore({**values, SNAPSHOT: values["version"]})
        dossier.steps = [STEPS.build(dict(zip(STEPS.fields, r[width:], strict=True)))
                         for r in group if r[width] is not None]
        dossier.supplements = []
        dossier.corrections = [] if corrections else NotLoaded("corrections")
        dossier.__dict__[STATS] = stats.cells_of(dossier)
        found.append(dossier)
    SUPPLEMENTS.load(conn, [d for d in found if d.supplement_requests])
    if corrections:
        CORRECTIONS.load(conn, found)
    return found


def event_rows(dossier: Dossier) -> list[dict]:
    """Rows of the dossier's new audit events (without the dossier's id)."""
    return [{"seq": e.seq, "at": e.at, "actor_id": e.actor_id,
             "actor_name": e.actor_name, "action": e.action, "data": e.data,
             "prev_hash": e.prev_hash, "hash": e.hash} for e in dossier.pending_events]


class DossierStore:
    """Loads and saves the dossier aggregate: the one storage boundary of the dossier.

    This class is the SQLite implementation (a statement per kind of row, committed by
    the unit of work); ``dossier_pg.PostgresDossierStore`` is PostgreSQL's. Bootstrap
    chooses one per engine (``store_for``); repositories and the unit of work only call
    ``begin``, ``load_code``, ``load_where``, ``save``, ``write_follows`` and ``stale``.

    ``audit_key`` seals each saved dossier's audit chain (``domain.audit.seal``); it is
    read from a file outside the database (bootstrap).
    """

    def __init__(self, audit_key: bytes) -> None:
        self.audit_key = audit_key

    def begin(self, conn: Connection) -> None:
        """A unit of work starts on ``conn`` (SQLite: its transaction is already begun)."""

    def write_follows(self, conn: Connection) -> None:
        """More than the dossiers will be written: the save must not commit by itself."""

    def stale(self, exc: BaseException) -> bool:
        """Whether a database error means another transaction saved the dossier first."""
        return isinstance(exc, Stale) or any(s in str(exc).lower() for s in _STALE_TEXTS)

    def _rows_by_code(self, conn: Connection, code: str):
        return conn.execute(BY_CODE, {"code": code})

    def load_code(self, conn: Connection, code: str, *,
                  corrections: bool = True) -> Dossier | None:
        """The dossier with this code, or None (one query for it and its steps)."""
        found = _build(conn, self._rows_by_code(conn, code), corrections)
        return found[0] if found else None

    def load_where(self, conn: Connection, where) -> list[Dossier]:
        """Every dossier matching ``where``, ordered by id, with all its children."""
        return _build(conn, conn.execute(SELECT.where(where).order_by(*_ORDER)), True)

    def save(self, conn: Connection, dossiers: Iterable[Dossier]) -> None:
        """Insert new dossiers, update changed ones, write their children and audit events
        and move the report counters; ``Stale`` (nothing kept) if one was saved meanwhile."""
        pending = [d for d in dossiers
                   if d.__dict__.get(SNAPSHOT) is None or d.pending_events]
        if len(pending) > 1:
            self.write_follows(conn)
        for dossier in pending:
            cell = stats.cells_of(dossier)
            counted = stats.moves([(dossier.__dict__.get(STATS), cell)])
            stored_version = dossier.__dict__.get(SNAPSHOT)
            dossier.audit_seal = seal(self.audit_key, dossier.code, dossier.audit_seq,
                                      dossier.audit_head)
            if stored_version is not None:
                dossier.version = stored_version + 1
            children = {name: c.changes(dossier) for name, c in CHILDREN.items()}
            try:
                self._write(conn, dossier, stored_version, children, counted)
            except Exception as exc:
                dossier.version = stored_version
                if self.stale(exc):
                    raise Stale(dossier.code) from exc
                raise
            for changed in children.values():
                _Children.remember(*changed)
            dossier.__dict__[SNAPSHOT] = dossier.version
            dossier.__dict__[STATS] = cell
            dossier.pending_events.clear()
            dossier.__dict__.pop(NOTIFICATIONS, None)

    def _write(self, conn: Connection, dossier: Dossier, stored_version: int | None,
               children: dict, counted: dict) -> None:
        """Statement by statement; the unit of work commits."""
        if stored_version is None:
            values = {f: getattr(dossier, f) for f in DOSSIER_FIELDS}
            dossier.id = conn.execute(_INSERT_DOSSIER, values).scalar_one()
        else:
            params = {"_id": dossier.id, "_version": stored_version,
                      "_new_version": dossier.version,
                      **{f"v_{f}": getattr(dossier, f) for f in DOSSIER_MUTABLE}}
            if conn.execute(_UPDATE_DOSSIER, params).rowcount != 1:
                raise Stale(dossier.code)
        for name, c in CHILDREN.items():
            c.write(conn, dossier, *children[name])
        conn.execute(_INSERT_EVENTS,
                     [{"dossier_id": dossier.id, **row} for row in event_rows(dossier)])
        if notification_rows(dossier):
            conn.execute(_INSERT_NOTIFICATIONS, notification_rows(dossier))
        stats.apply(conn, counted)


def store_for(engine: Engine, audit_key: bytes) -> DossierStore:
    """The dossier store of this engine's database, made once per app (bootstrap)."""
    if engine.dialect.name == "postgresql":
        from motcua.storage.dossier_pg import PostgresDossierStore

        return PostgresDossierStore(engine, audit_key)
    return DossierStore(audit_key)
