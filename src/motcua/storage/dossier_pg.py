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
  data-modifying CTEs fed by JSON parameters, then COMMIT.

The optimistic lock is checked on the server: ``UPDATE ... WHERE version =
<loaded>`` is the first CTE and the statement ends with ``SELECT 1 / count(*)``
over it, so a stale save fails with ``division_by_zero`` and nothing of it is
kept. Another writer that saved first is also caught by the audit chain's
unique ``(dossier_id, seq)``.
"""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

import psycopg
import sqlalchemy as sa
from psycopg import errors as pg_errors
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from motcua.storage import tables as t

STALE_CONSTRAINTS = {"uq_audit_events_seq"}
STALE_ERRORS = (pg_errors.DivisionByZero, pg_errors.SerializationFailure,
                pg_errors.DeadlockDetected)
_NAMED = re.compile(r"%\((\w+)\)s")


class Stale(Exception):
    """Another transaction saved this dossier first."""


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

    def run(self, conn: Connection, params: dict) -> psycopg.RawCursor:
        cursor = psycopg.RawCursor(conn.connection.dbapi_connection)
        with _translated(conn):
            cursor.execute(self.sql, [params[n] for n in self.names])
        return cursor


def _decoder(column_type) -> Callable | None:
    # Timestamps need nothing: sessions run in UTC (db.make_engine), so psycopg returns
    # them with datetime.UTC, as UTCDateTime does.
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return column_type.enum_class
    return None


class Query:
    """A SELECT compiled once for psycopg, with the decoders of its columns."""

    def __init__(self, stmt: sa.Select) -> None:
        self.statement = Statement(str(stmt.compile(dialect=postgresql.psycopg.dialect())))
        self.decoders = [(i, f) for i, c in enumerate(stmt.selected_columns)
                         if (f := _decoder(c.type)) is not None]

    def rows(self, conn: Connection, params: dict) -> list[list]:
        cursor = self.statement.run(conn, params)
        with _translated(conn):
            rows = [list(r) for r in cursor.fetchall()]
        for row in rows:
            for i, decode in self.decoders:
                if row[i] is not None:
                    row[i] = decode(row[i])
        return rows


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")


def as_json(rows) -> str:
    return json.dumps(rows, default=_json_default, ensure_ascii=False, separators=(",", ":"))


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


def save(conn: Connection, code: str, statement: Statement, params: dict[str, object],
         commit: bool) -> int:
    """Run one ``Aggregate`` statement (then COMMIT when asked); the value it returns.

    Raises ``Stale`` when another transaction saved the dossier first.
    """
    try:
        cursor = statement.run(conn, params)
        with _translated(conn):
            value = cursor.fetchone()[0]
            if commit:
                conn.connection.dbapi_connection.commit()
    except (sa.exc.DataError, sa.exc.OperationalError) as exc:
        if isinstance(exc.orig, STALE_ERRORS):
            raise Stale(code) from exc
        raise
    except sa.exc.IntegrityError as exc:
        if exc.orig.diag.constraint_name in STALE_CONSTRAINTS:
            raise Stale(code) from exc
        raise
    return value


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
