"""Engines and migrations for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from motcua.keys import private_file

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_file(url: str) -> None:
    """An SQLite database file is created 0600: it holds personal data."""
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        private_file(Path(path))


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        _sqlite_file(url)
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
    options = session_options(parsed)
    # READ COMMITTED whatever the server's default: the dossier store's deferred BEGIN
    # (dossier_pg.defer_begin) relies on it
    kwargs.setdefault("isolation_level", "READ COMMITTED")
    engine = sa.create_engine(parsed, pool_recycle=1800, connect_args={"options": options},
                              **kwargs)

    return engine


def session_options(parsed: sa.engine.URL) -> str:
    """libpq's ``options`` of every session: the URL's own, and UTC."""
    return " ".join(filter(None, [parsed.query.get("options"), "-c TimeZone=UTC"]))


def insert_for(dialect: str):
    """The dialect's INSERT, whose ``on_conflict_do_update`` / ``_do_nothing`` make the
    upserts (the same form on SQLite and PostgreSQL)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    if normalise_url(url).startswith("sqlite"):
        _sqlite_file(normalise_url(url))
    command.upgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Fail if the tables in code differ from what the migrations build."""
    command.check(alembic_config(url))
