"""Engines and migrations for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
_DEFERRED = "motcua.begin_deferred"


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # No pre-ping: it costs a round trip per transaction. After a server restart the
    # first statement on a stale connection fails, SQLAlchemy then replaces the whole
    # pool, and the user is told to retry (web layer, code "database_unavailable").
    # Sessions run in UTC, so timestamps come back as UTC whatever the server's default.
    parsed = sa.engine.make_url(url)
    options = " ".join(filter(None, [parsed.query.get("options"), "-c TimeZone=UTC"]))
    # READ COMMITTED whatever the server's default: defer_begin relies on it
    kwargs.setdefault("isolation_level", "READ COMMITTED")
    engine = sa.create_engine(parsed, pool_recycle=1800, connect_args={"options": options},
                              **kwargs)

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(conn, _cursor, statement, _params, _context, _many) -> None:
        if conn.connection.info.get(_DEFERRED) and statement.lstrip()[:6].upper() != "SELECT":
            begin_now(conn)

    @event.listens_for(engine, "checkin")
    def _back_to_transactions(dbapi_conn, record) -> None:
        # whatever happened in the unit of work, the pool hands out transactional connections
        if record.info.pop(_DEFERRED, None) is not None and dbapi_conn is not None \
                and not dbapi_conn.closed:
            dbapi_conn.autocommit = False

    return engine


def defer_begin(conn: sa.Connection) -> None:
    """On PostgreSQL, run statements on their own until the first write, which begins the
    transaction (``begin_now``); a no-op elsewhere.

    Under READ COMMITTED, PostgreSQL's default, every statement sees a fresh snapshot
    inside a transaction or not, so reads lose nothing (a ``SELECT ... FOR UPDATE``
    must call ``begin_now`` first). What it saves: the BEGIN and ROLLBACK round trips of
    a read, and BEGIN and COMMIT around a transition saved by one statement
    (``dossier_pg.save``), which the server commits by itself.
    """
    if conn.dialect.name == "postgresql":
        record = conn.connection
        record.dbapi_connection.autocommit = True
        record.info[_DEFERRED] = True


def begin_now(conn: sa.Connection) -> None:
    """Begin the deferred transaction: the next statement runs inside it."""
    record = conn.connection
    if record.info.get(_DEFERRED):
        record.dbapi_connection.autocommit = False
        record.info[_DEFERRED] = False


def deferred(conn: sa.Connection) -> bool:
    """Whether no transaction has begun yet (a statement now commits on its own)."""
    return bool(conn.connection.info.get(_DEFERRED))


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Fail if the tables in code differ from what the migrations build."""
    command.check(alembic_config(url))
