"""Report counters kept in step with the dossiers (the ``dossier_stats`` table).

Every save of a dossier that changes what reports count moves one unit of
count (and its handling time) from the dossier's old cell to its new one, in
the same transaction. Cells are updated in key order, so two transactions never
wait on each other in a cycle. ``rebuild`` recomputes every cell from the
dossiers (used by the migration and by ``motcua db rebuild-stats``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from motcua.storage import tables as t

KEY = t.STATS_KEY
Cell = tuple
Measure = tuple[int, int, int]  # dossiers, handling seconds, dossiers with a handling time


def _plain(value):
    return value.value if hasattr(value, "value") else value


def cell_of(d) -> tuple[Cell, Measure]:
    """A dossier's cell and what it adds there (works on domain objects and rows alike)."""
    timeliness = _plain(d.timeliness) or ""
    key = (d.province_code, d.received_month, d.unit_id, d.procedure_id, _plain(d.channel),
           _plain(d.status), timeliness, int(d.supplement_requests > 1), int(d.fee_amount > 0),
           int(bool(d.paid_online)), int(bool(d.inputs_digitised and d.result_electronic)),
           int(d.satisfaction or 0))
    handling = d.handling_seconds
    return key, (1, int(handling or 0), int(handling is not None))


def _upsert(dialect: str):
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(t.dossier_stats)
    c = t.dossier_stats.c
    return insert.on_conflict_do_update(
        index_elements=list(KEY),
        set_={"n": c.n + insert.excluded.n,
              "handling_sum": c.handling_sum + insert.excluded.handling_sum,
              "handling_n": c.handling_n + insert.excluded.handling_n})


_UPSERT = {name: _upsert(name) for name in ("sqlite", "postgresql")}


def apply(conn: Connection, deltas: dict[Cell, list[int]]) -> None:
    """Add the deltas to their cells (in key order)."""
    rows = [{**dict(zip(KEY, cell, strict=True)), "n": n, "handling_sum": hs, "handling_n": hn}
            for cell, (n, hs, hn) in sorted(deltas.items()) if (n, hs, hn) != (0, 0, 0)]
    if rows:
        conn.execute(_UPSERT[conn.dialect.name], rows)


def moves(changes: Iterable[tuple[tuple[Cell, Measure] | None, tuple[Cell, Measure]]]) -> dict:
    """Deltas for (old cell and measure or None, new cell and measure) pairs."""
    deltas: dict[Cell, list[int]] = defaultdict(lambda: [0, 0, 0])
    for old, new in changes:
        if old == new:
            continue
        if old is not None:
            cell, measure = old
            deltas[cell] = [a - b for a, b in zip(deltas[cell], measure, strict=True)]
        cell, measure = new
        deltas[cell] = [a + b for a, b in zip(deltas[cell], measure, strict=True)]
    return deltas


def rebuild(conn: Connection) -> None:
    """Recompute every cell from the dossiers table."""
    d = t.dossiers.c
    cells = [d.province_code, d.received_month, d.unit_id, d.procedure_id, d.channel, d.status,
             sa.func.coalesce(d.timeliness, ""),
             sa.case((d.supplement_requests > 1, 1), else_=0),
             sa.case((d.fee_amount > 0, 1), else_=0),
             sa.case((d.paid_online.is_(True), 1), else_=0),
             sa.case((sa.and_(d.inputs_digitised.is_(True), d.result_electronic.is_(True)), 1),
                     else_=0),
             sa.func.coalesce(d.satisfaction, 0)]
    select = sa.select(*cells, sa.func.count(), sa.func.coalesce(sa.func.sum(d.handling_seconds), 0),
                       sa.func.count(d.handling_seconds)).group_by(*cells)
    conn.execute(sa.delete(t.dossier_stats))
    conn.execute(sa.insert(t.dossier_stats).from_select(
        [*KEY, "n", "handling_sum", "handling_n"], select))
