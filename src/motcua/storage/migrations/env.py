"""Alembic environment: one forward-only history for SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import context

from motcua.storage.db import make_engine
from motcua.storage.tables import metadata

config = context.config


def run() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _migrate(connection)
        engine.dispose()
    else:
        _migrate(connectable)


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
