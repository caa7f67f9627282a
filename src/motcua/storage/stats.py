"""Report counters kept in step with the dossiers (``unit_stats``, ``dossier_stats``).

Every save of a dossier that changes what reports count moves its contribution
(one dossier, its handling time, whether it came online, paid online, was
digitised, was rated and how) from its old cells to its new ones, in the same
transaction. Cells are written in key order, so two transactions never wait on
each other in a cycle. ``rebuild`` recomputes every cell from the dossiers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from motcua.storage import db
from motcua.storage import tables as t

MEASURES = t.STATS_MEASURES
TABLES = (t.unit_stats, t.dossier_stats)
KEYS = {table.name: tuple(c.name for c in table.primary_key.columns) for table in TABLES}
Cell = tuple  # (table name, key values...)


def _plain(value):
    return value.value if hasattr(value, "value") else value


FIELDS = ("province_code", "received_month", "unit_id", "procedure_id", "channel", "status",
          "timeliness", "supplement_requests", "fee_amount", "paid_online", "inputs_digitised",
          "result_electronic", "satisfaction", "handling_seconds")


def cells_for(v) -> tuple[tuple[Cell, ...], tuple[int, ...]]:
    """The cells (one per table) of a dossier given as a mapping of its column values, and
    what it adds there."""
    channel = _plain(v["channel"])
    key = {"province_code": v["province_code"], "received_month": v["received_month"],
           "unit_id": v["unit_id"], "procedure_id": v["procedure_id"], "channel": channel,
           "status": _plain(v["status"]), "timeliness": _plain(v["timeliness"]) or "",
           "multi_supplement": int(v["supplement_requests"] > 1)}
    handling, rating, fee = v["handling_seconds"], v["satisfaction"] or 0, v["fee_amount"] > 0
    measure = (1, int(handling or 0), int(handling is not None),
               int(channel in ("online", "assisted")), int(fee), int(fee and bool(v["paid_online"])),
               int(bool(v["inputs_digitised"])), int(rating > 0),
               int(0 < rating <= 2))
    return tuple((name, *(key[k] for k in keys)) for name, keys in KEYS.items()), measure


def cells_of(d) -> tuple[tuple[Cell, ...], tuple[int, ...]]:
    """The cells of a dossier object (domain object or row)."""
    return cells_for({f: getattr(d, f) for f in FIELDS})


def new_deltas() -> dict[Cell, list[int]]:
    return defaultdict(lambda: [0] * len(MEASURES))


def add(deltas: dict[Cell, list[int]], side: tuple, sign: int = 1) -> None:
    """Add (or with ``sign`` -1 take away) one dossier's cells and measure."""
    cells, measure = side
    for cell in cells:
        total = deltas[cell]
        for i, value in enumerate(measure):
            total[i] += sign * value


def moves(changes: Iterable[tuple[tuple | None, tuple]]) -> dict[Cell, list[int]]:
    """Deltas for (old cells and measure or None, new cells and measure) pairs."""
    deltas = new_deltas()
    for old, new in changes:
        if old == new:
            continue
        if old is not None:
            add(deltas, old, -1)
        add(deltas, new)
    return deltas


def _upsert(table: sa.Table, dialect: str):
    insert = db.insert_for(dialect)(table)
    return insert.on_conflict_do_update(
        index_elements=list(KEYS[table.name]),
        set_={m: table.c[m] + insert.excluded[m] for m in MEASURES})


UPSERTS = {(table.name, dialect): _upsert(table, dialect) for table in TABLES
           for dialect in ("sqlite", "postgresql")}


def rows_for(deltas: dict[Cell, list[int]]) -> dict[str, list[dict]]:
    """Upsert parameters per table, in key order, leaving out empty moves."""
    out: dict[str, list[dict]] = {name: [] for name in KEYS}
    for cell, measure in sorted(deltas.items()):
        if any(measure):
            name = cell[0]
            out[name].append({**dict(zip(KEYS[name], cell[1:], strict=True)),
                              **dict(zip(MEASURES, measure, strict=True))})
    return out


def apply(conn: Connection, deltas: dict[Cell, list[int]]) -> None:
    for name, rows in rows_for(deltas).items():
        if rows:
            conn.execute(UPSERTS[(name, conn.dialect.name)], rows)


def rebuild(conn: Connection) -> None:
    """Recompute every cell from the dossiers table."""
    d = t.dossiers.c
    common = {"province_code": d.province_code, "received_month": d.received_month,
              "unit_id": d.unit_id, "procedure_id": d.procedure_id, "channel": d.channel,
              "status": d.status, "timeliness": sa.func.coalesce(d.timeliness, ""),
              "multi_supplement": sa.case((d.supplement_requests > 1, 1), else_=0)}
    rating = sa.func.coalesce(d.satisfaction, 0)
    fee = d.fee_amount > 0
    sums = [sa.func.count(), sa.func.coalesce(sa.func.sum(d.handling_seconds), 0),
            sa.func.count(d.handling_seconds)] + [
        sa.func.sum(sa.case((condition, 1), else_=0)) for condition in (
            d.channel.in_(["online", "assisted"]), fee, sa.and_(fee, d.paid_online.is_(True)),
            sa.and_(d.inputs_digitised.is_(True), d.result_electronic.is_(True)), rating > 0,
            sa.and_(rating > 0, rating <= 2))]
    for table in TABLES:
        keys = [common[k] for k in KEYS[table.name]]
        conn.execute(sa.delete(table))
        conn.execute(sa.insert(table).from_select(
            [*KEYS[table.name], *MEASURES], sa.select(*keys, *sums).group_by(*keys)))
