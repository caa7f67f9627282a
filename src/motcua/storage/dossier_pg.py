"""The dossier mapper's PostgreSQL path: what a transition costs, kept small.

A transition loads a dossier with its steps and saves what changed. Through
SQLAlchemy each statement also builds a description of its result and
psycopg converts the query's placeholders; a save written row by row takes a
statement per row. Here instead:

* the load is one SELECT, compiled once by SQLAlchemy with numbered
  placeholders, run on a psycopg ``RawCursor`` (no client-side conversion) and
  decoded as SQLAlchemy's column types would (enums to members);
* the save is one statement (``Aggregate``): the dossier row, its new and
  changed children, its audit events and the report counters as
  data-modifying CTEs fed by JSON parameters; when it is the unit of work's
  only write (``db.defer_begin``) the server commits it by itself;
* the receipt's lookups (``Fetch``) take the same path.

The optimistic lock is checked on the server: ``UPDATE ... WHERE version =
<loaded>`` is the first CTE and the statement ends with ``SELECT 1 / count(*)``
over it, so a stale save fails with ``division_by_zero`` and nothing of it is
kept. Another writer that saved first is also caught by the audit chain's
unique ``(dossier_id, seq)``.
"""

from __future__ import annotations

import functools
import re
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import orjson
import psycopg
import sqlalchemy as sa
from psycopg import errors as pg_errors
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from motcua.storage import dossier_mapper as m
from motcua.storage import stats
from motcua.storage import tables as t

STALE_CONSTRAINTS = {"uq_audit_events_seq"}
STALE_ERRORS = (pg_errors.DivisionByZero, pg_errors.SerializationFailure,
                pg_errors.DeadlockDetected)
_NAMED = re.compile(r"%\((\w+)\)s")
_DEFERRED = "motcua.begin_deferred"


# -- deferred BEGIN -----------------------------------------------------------------------

def defer_begin(conn: Connection) -> None:
    """Run statements on their own until the first write, which begins the transaction
    (``begin_now``; the engine's ``before_cursor_execute`` listener does it for
    SQLAlchemy's statements).

    Under READ COMMITTED (``db.make_engine`` pins it) every statement sees a fresh
    snapshot inside a transaction or not, so reads lose nothing (a ``SELECT ... FOR
    UPDATE`` must call ``begin_now`` first). What it saves: the BEGIN and ROLLBACK round
    trips of a read, and BEGIN and COMMIT around a transition saved by one statement,
    which the server commits by itself.
    """
    record = conn.connection
    record.dbapi_connection.autocommit = True
    record.info[_DEFERRED] = True


def begin_now(conn: Connection) -> None:
    """Begin the deferred transaction: the next statement runs inside it."""
    record = conn.connection
    if record.info.get(_DEFERRED):
        record.dbapi_connection.autocommit = False
        record.info[_DEFERRED] = False


def deferred(conn: Connection) -> bool:
    """Whether no transaction has begun yet (a statement now commits on its own)."""
    return bool(conn.connection.info.get(_DEFERRED))


def install(engine) -> None:
    """The engine's listeners for deferred BEGIN: a write through SQLAlchemy begins the
    transaction; a connection goes back to the pool transactional, whatever happened."""

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(conn, _cursor, statement, _params, _context, _many) -> None:
        if conn.connection.info.get(_DEFERRED) and statement.lstrip()[:6].upper() != "SELECT":
            begin_now(conn)

    @event.listens_for(engine, "checkin")
    def _back_to_transactions(dbapi_conn, record) -> None:
        if record.info.pop(_DEFERRED, None) is not None and dbapi_conn is not None \
                and not dbapi_conn.closed:
            dbapi_conn.autocommit = False


class Statement:
    """SQL with named ``%(name)s`` placeholders (and ``%%`` for a percent sign), made once
    into PostgreSQL's own ``$1`` form for a ``RawCursor``."""

    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def number(match: re.Match) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        self.sql = _NAMED.sub(number, sql).replace("%%", "%")
        self.names = tuple(names)

    def values(self, params: dict) -> list:
        """The parameters in the order of their numbers."""
        return [params[n] for n in self.names]

    def run(self, conn: Connection, params: dict) -> psycopg.RawCursor:
        cursor = _cursor(conn)
        with _translated(conn):
            cursor.execute(self.sql, self.values(params))
        return cursor


def _cursor(conn: Connection) -> psycopg.RawCursor:
    """The database connection's ``RawCursor``, made once per connection (SQLAlchemy
    clears ``info`` when it replaces the connection)."""
    record = conn.connection
    cursor = record.info.get("motcua.raw_cursor")
    if cursor is None or cursor.closed or cursor.connection is not record.dbapi_connection:
        cursor = record.info["motcua.raw_cursor"] = psycopg.RawCursor(record.dbapi_connection)
    return cursor


def _decoder(column_type) -> Callable | None:
    # Timestamps need nothing: sessions run in UTC (db.make_engine), so psycopg returns
    # them with datetime.UTC, as UTCDateTime does.
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return column_type.enum_class
    return None


class Query:
    """A statement that returns rows (a SELECT, or DML with RETURNING), compiled once for
    psycopg, with the decoders of its columns and the values of its literal parameters."""

    def __init__(self, stmt: sa.Select | sa.Insert | sa.Update) -> None:
        compiled = stmt.compile(dialect=postgresql.psycopg.dialect())
        self.statement = Statement(str(compiled))
        self.literals = {k: v for k, v in compiled.params.items() if v is not None}
        columns = list(stmt.exported_columns)
        self.decoders = [(i, f) for i, c in enumerate(columns)
                         if (f := _decoder(c.type)) is not None]
        self.row = namedtuple("Row", [c.key for c in columns], rename=True)

    def rows(self, conn: Connection, params: dict) -> list[list]:
        if self.literals:
            params = {**self.literals, **params}
        cursor = self.statement.run(conn, params)
        with _translated(conn):
            rows = [list(r) for r in cursor.fetchall()]
        for row in rows:
            for i, decode in self.decoders:
                if row[i] is not None:
                    row[i] = decode(row[i])
        return rows


class Fetch:
    """A statement that returns at most one row: through ``Query`` on PostgreSQL, through
    SQLAlchemy elsewhere (``elsewhere``: the statement there, when it differs); the row
    answers to its column names either way."""

    def __init__(self, stmt: sa.Select | sa.Insert | sa.Update,
                 elsewhere: sa.Select | sa.Insert | sa.Update | None = None) -> None:
        self.stmt = stmt if elsewhere is None else elsewhere
        self.query = Query(stmt)
        self.writes = not isinstance(stmt, sa.Select)

    def first(self, conn: Connection, params: dict):
        if conn.dialect.name != "postgresql":
            return conn.execute(self.stmt, params).first()
        if self.writes:
            begin_now(conn)
        rows = self.query.rows(conn, params)
        return self.query.row._make(rows[0]) if rows else None

    def scalar(self, conn: Connection, params: dict):
        row = self.first(conn, params)
        return row[0] if row is not None else None


def as_json(rows) -> str:
    """Rows as JSON text: times in ISO 8601 with their offset, enums as their values
    (keys may be SQLAlchemy's column names, a subclass of str)."""
    return orjson.dumps(rows, option=orjson.OPT_NON_STR_KEYS).decode()


def _rows(table: sa.Table, param: str, one: bool = False) -> str:
    """Rows of ``table``'s type from a JSON parameter (``json``, so that JSON columns keep
    their text exactly; the audit chain hashes it)."""
    kind = "record" if one else "recordset"
    return f"json_populate_{kind}(NULL::{table.name}, %({param})s::json) AS r"


def _cols(fields: Sequence[str], prefix: str = "") -> str:
    return ", ".join(prefix + f for f in fields)


class Aggregate:
    """One statement that saves a dossier: the dossier row, its children, audit events and
    report counters, as data-modifying CTEs fed by JSON parameters.

    ``parts``: (parameter, SQL of its CTE) for every kind of child row; a save carries
    only the parts it has rows for, so the common statements stay short (psycopg
    caches the parsing of statements up to 4 KiB) and each shape is prepared once.
    """

    def __init__(self, fields: Sequence[str], mutable: Sequence[str],
                 children: Sequence[tuple[str, sa.Table, Sequence[str], Sequence[str]]],
                 events: tuple[sa.Table, Sequence[str]],
                 counters: Sequence[tuple[sa.Table, Sequence[str], Sequence[str]]]) -> None:
        d = t.dossiers
        self.parts: dict[str, str] = {}
        for name, table, columns, changing in children:
            self.parts[f"{name}_changed"] = (
                f"UPDATE {table.name} AS t SET ({_cols(changing)}) = ({_cols(changing, 'r.')}) "
                f"FROM d, {_rows(table, name + '_changed')} "
                "WHERE t.dossier_id = d.id AND t.seq = r.seq")
            self.parts[f"{name}_new"] = self._insert_child(f"{name}_new", table, columns)
        self.parts["events"] = self._insert_child("events", *events)
        # the notification rows of the change (no dossier id: keyed by dossier code)
        self.parts["notifications"] = (
            f"INSERT INTO {N.name} ({_cols(m.NOTIFICATION_FIELDS)}) "
            f"SELECT {_cols(m.NOTIFICATION_FIELDS, 'r.')} FROM {_rows(N, 'notifications')} "
            "ON CONFLICT (dedupe_key) DO NOTHING")
        for table, keys, measures in counters:
            sums = ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in measures)
            self.parts[table.name] = (
                f"INSERT INTO {table.name} ({_cols([*keys, *measures])}) "
                f"SELECT {_cols([*keys, *measures], 'r.')} FROM {_rows(table, table.name)} "
                f"ORDER BY {_cols(keys, 'r.')} ON CONFLICT ({_cols(keys)}) DO UPDATE SET {sums}")
        self.heads = {
            True: (f"INSERT INTO {d.name} ({_cols(fields)}) SELECT {_cols(fields, 'r.')} "
                   f"FROM {_rows(d, 'dossier', one=True)} RETURNING id", "SELECT id FROM d"),
            False: (f"UPDATE {d.name} AS t SET ({_cols([*mutable, 'version'])}) = "
                    f"({_cols([*mutable, 'version'], 'r.')}) FROM {_rows(d, 'dossier', one=True)} "
                    "WHERE t.id = %(id)s AND t.version = %(loaded_version)s RETURNING t.id",
                    # no row changed: another transaction saved first
                    "SELECT 1 / count(*) FROM d"),
        }
        self.sql = functools.lru_cache(maxsize=64)(self._sql)

    def _sql(self, new: bool, parts: tuple[str, ...]) -> Statement:
        head, tail = self.heads[new]
        ctes = [f"d AS ({head})", *(f"{p} AS ({self.parts[p]})" for p in parts)]
        return Statement(f"WITH {', '.join(ctes)} {tail}")

    @staticmethod
    def _insert_child(param: str, table: sa.Table, columns: Sequence[str]) -> str:
        return (f"INSERT INTO {table.name} (dossier_id, {_cols(columns)}) "
                f"SELECT d.id, {_cols(columns, 'r.')} FROM d, {_rows(table, param)}")

    def statement(self, new: bool, rows: dict[str, list]) -> tuple[Statement, dict[str, str]]:
        """The statement and the JSON parameters for the parts that have rows."""
        parts = tuple(p for p in self.parts if rows.get(p))
        return self.sql(new, parts), {p: as_json(rows[p]) for p in parts}


@contextmanager
def _translated(conn: Connection) -> Iterator[None]:
    """psycopg errors as SQLAlchemy's, which the unit of work and the web layer handle;
    a connection that broke is invalidated so that the pool does not hand it out again."""
    try:
        yield
    except psycopg.Error as exc:
        raw = conn.connection.dbapi_connection
        broken = raw.closed or raw.pgconn.status != psycopg.pq.ConnStatus.OK
        if broken:
            conn.invalidate()
        raise sa.exc.DBAPIError.instance(None, None, exc, psycopg.Error,
                                         connection_invalidated=broken) from exc


N = t.notification_outbox

# The load and the save of the aggregate, compiled once
BY_CODE = Query(m.BY_CODE)
SAVE = Aggregate(
    m.DOSSIER_FIELDS, m.DOSSIER_MUTABLE,
    [(name, c.table, c.fields, c.mutable) for name, c in m.CHILDREN.items()],
    (t.audit_events, m.EVENT_FIELDS),
    [(table, stats.KEYS[table.name], stats.MEASURES) for table in stats.TABLES])


class PostgresDossierStore(m.DossierStore):
    """The dossier store on PostgreSQL: the load on a ``RawCursor``, the whole save as one
    statement that, when it is the unit of work's only write, commits by itself."""

    def __init__(self, engine, audit_key: bytes) -> None:
        super().__init__(audit_key)
        install(engine)

    def begin(self, conn: Connection) -> None:
        defer_begin(conn)

    def write_follows(self, conn: Connection) -> None:
        begin_now(conn)

    def stale(self, exc: BaseException) -> bool:
        orig = getattr(exc, "orig", None)
        if isinstance(orig, STALE_ERRORS):
            return True
        if isinstance(exc, sa.exc.IntegrityError) and orig is not None:
            return getattr(orig.diag, "constraint_name", None) in STALE_CONSTRAINTS
        return super().stale(exc)

    def _rows_by_code(self, conn: Connection, code: str):
        return BY_CODE.rows(conn, {"code": code})

    def _write(self, conn: Connection, dossier, stored_version: int | None, children: dict,
               counted: dict) -> None:
        new = stored_version is None
        fields = m.DOSSIER_FIELDS if new else (*m.DOSSIER_MUTABLE, "version")
        rows: dict[str, list] = {"events": m.event_rows(dossier), **stats.rows_for(counted),
                                 "notifications": m.notification_rows(dossier)}
        for name, (inserts, updates) in children.items():
            rows[f"{name}_new"] = m.CHILDREN[name].rows(inserts)
            rows[f"{name}_changed"] = m.CHILDREN[name].rows(updates)
        statement, params = SAVE.statement(new, rows)
        params.update(dossier=as_json({f: getattr(dossier, f) for f in fields}),
                      id=dossier.__dict__.get("id"), loaded_version=stored_version)
        returned = self.run_save(conn, dossier.code, statement, params)
        if new:
            dossier.id = returned

    @staticmethod
    def run_save(conn: Connection, code: str, statement: Statement, params: dict) -> int:
        """Run one ``Aggregate`` statement; the value it returns. When no transaction has
        begun (``defer_begin``) the statement is its own transaction: the server commits
        it, all of it or nothing, with no BEGIN and COMMIT round trips; a stale save fails
        on the server (``division_by_zero``) and keeps nothing."""
        cursor = statement.run(conn, params)
        with _translated(conn):
            return cursor.fetchone()[0]

