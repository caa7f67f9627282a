"""The figures behind the dashboard's charts that the on-time report does not already
give: received dossiers by month and channel, and where lateness comes from (overrun
working minutes by step and unit, largest first)."""

from __future__ import annotations

import sqlalchemy as sa

from motcua.collation import vi_sorted
from motcua.domain.procedures import Channel
from motcua.reports.core import unit_scope
from motcua.storage import tables as t


def channel_mix(ctx, period, unit_code: str | None) -> dict:
    """{"months": ["01/2026", …], "channels": [(key, label)], "counts": {month: {key: n}}}:
    dossiers received in each month of the period, by channel (the report counters)."""
    s = t.dossier_stats.c
    first, last = period.months
    with ctx.engine.connect() as conn:
        scope = unit_scope(conn, ctx.settings.province_code, unit_code)
        stmt = (sa.select(s.received_month, s.channel, sa.func.sum(s.n))
                .where(s.province_code == ctx.settings.province_code,
                       s.received_month.between(first, last))
                .group_by(s.received_month, s.channel))
        if scope is not None:
            stmt = stmt.where(s.unit_id.in_(scope))
        rows = conn.execute(stmt).all()
    counts: dict[str, dict[str, int]] = {}
    for month, channel, n in sorted(rows):
        label = f"{month % 100:02d}/{month // 100}"
        counts.setdefault(label, {})[channel] = int(n)
    present = {c for by in counts.values() for c in by}
    channels = [(c.value, c.label) for c in Channel if c.value in present]
    return {"months": list(counts), "channels": channels, "counts": counts}


def lateness_sources(ctx, period, unit_code: str | None, limit: int = 10) -> list[dict]:
    """The steps (by name and unit) that overran in the period, largest overrun first:
    steps finished in the period, the working minutes beyond their allocation."""
    s, u = t.dossier_steps.c, t.units.c
    over = s.worked_seconds - s.allocated_seconds
    with ctx.engine.connect() as conn:
        scope = unit_scope(conn, ctx.settings.province_code, unit_code)
        stmt = (sa.select(u.code, u.name, s.name, sa.func.count(), sa.func.sum(over))
                .select_from(t.dossier_steps.join(t.units, u.id == s.unit_id))
                .where(u.province_code == ctx.settings.province_code,
                       s.finished_at >= period.start, s.finished_at < period.end,
                       s.overran.is_(True))
                .group_by(u.code, u.name, s.name)
                .order_by(sa.func.sum(over).desc(), u.name, s.name).limit(limit))
        if scope is not None:
            stmt = stmt.where(s.unit_id.in_(scope))
        rows = conn.execute(stmt).all()
    return [{"unit_code": code, "unit": name, "step": step, "overruns": int(n),
             "overrun_minutes": int(seconds) // 60} for code, name, step, n, seconds in rows]


def communes(ctx, unit_code: str | None) -> list[tuple[int, str, str]]:
    """(id, code, name) of the communes and wards in scope, in Vietnamese order of names."""
    u = t.units.c
    with ctx.engine.connect() as conn:
        scope = unit_scope(conn, ctx.settings.province_code, unit_code)
        rows = conn.execute(sa.select(u.id, u.code, u.name).where(
            u.province_code == ctx.settings.province_code,
            u.kind.in_(["commune", "ward"]))).all()
    return vi_sorted(((r.id, r.code, r.name) for r in rows if scope is None or r.id in scope),
                     key=lambda r: r[2])
