"""Fast bulk loading for generated data: executemany on SQLite, COPY on PostgreSQL.

Rows come as tuples of plain Python values in the table's column order given;
instants as int64 UTC epoch seconds (``None`` for missing), converted here to
what each database stores (SQLite: the naive-UTC text SQLAlchemy writes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

NULL_TIME = np.iinfo(np.int64).min


def sqlite_times(epochs: np.ndarray) -> list[str | None]:
    """Epoch seconds as SQLAlchemy's SQLite text ("2026-01-05 02:00:00.000000")."""
    text = np.datetime_as_string(np.where(epochs == NULL_TIME, 0, epochs).astype("datetime64[s]"),
                                 unit="s")
    return [None if e == NULL_TIME else f"{t[:10]} {t[11:]}.000000"
            for t, e in zip(text.tolist(), epochs.tolist(), strict=True)]


def pg_times(epochs: np.ndarray) -> list[datetime | None]:
    return [None if e == NULL_TIME else datetime.fromtimestamp(e, tz=UTC)
            for e in epochs.tolist()]


def times(engine: Engine, epochs: np.ndarray) -> list:
    return pg_times(epochs) if engine.dialect.name == "postgresql" else sqlite_times(epochs)


def next_id(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return (conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1


def load(engine: Engine, table: sa.Table, columns: Sequence[str], rows: list[tuple],
         json_ready: bool = False) -> None:
    """Insert ``rows`` into ``table`` in one transaction (JSON values given as Python, or as
    JSON text when ``json_ready``)."""
    if not rows:
        return
    json_at = [] if json_ready else [i for i, c in enumerate(columns)
                                     if isinstance(table.c[c].type, sa.JSON)]
    if json_at:
        rows = [tuple(json.dumps(v, ensure_ascii=False) if i in json_at else v
                      for i, v in enumerate(r)) for r in rows]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # a large page cache keeps the indexes being filled in memory
            cursor.execute("PRAGMA cache_size = -500000")
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        raw.commit()
    finally:
        raw.close()


def reset_sequence(engine: Engine, table: sa.Table) -> None:
    """After explicit ids on PostgreSQL, move the id sequence past them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                             f"(SELECT coalesce(max(id), 1) FROM {table.name}))"))
