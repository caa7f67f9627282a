"""Staffing beside workload and late risk, per unit (the leaders' "direct by data" view).

For each unit in scope that has a staffing row for the year (the CCHC staffing import:
positions approved, officials in post, matched by the unit's code or name): dossiers
received per working day in the period, the steps open at the unit now and per official,
and the forecast of ``domain.staffing``: open steps due within the next
``HORIZON_DAYS`` working days that the officials in post cannot finish in time; and the
same with ``extra`` more officials (the what-if).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from motcua.collation import vi_sorted
from motcua.domain.staffing import OpenStep, forecast
from motcua.reports.core import unit_scope
from motcua.storage import tables as t

HORIZON_DAYS = 5
DEFAULT_HOURS = 4.0  # working hours a day an official gives to dossier steps


def _open_steps(conn, scope: set[int] | None, calendar, now: datetime) -> dict[int, list]:
    d, s = t.dossiers.c, t.dossier_steps.c
    stmt = (sa.select(s.unit_id, d.code, s.name, s.planned_deadline, s.allocated_seconds,
                      s.worked_seconds, s.run_started_at, s.run_paused_seconds)
            .select_from(t.dossier_steps.join(t.dossiers, d.id == s.dossier_id))
            .where(d.status == "in_progress", s.seq == d.current_step,
                   s.finished_at.is_(None)))
    if scope is not None:
        stmt = stmt.where(s.unit_id.in_(scope))
    by_unit: dict[int, list[OpenStep]] = {}
    for r in conn.execute(stmt):
        spent = r.worked_seconds
        if r.run_started_at is not None:
            spent += max(0, calendar.between(r.run_started_at, now) - r.run_paused_seconds)
        by_unit.setdefault(r.unit_id, []).append(
            OpenStep(r.code, r.name, r.planned_deadline, r.allocated_seconds, spent))
    return by_unit


def _received(conn, scope: set[int] | None, period) -> dict[int, int]:
    d = t.dossiers.c
    stmt = (sa.select(d.unit_id, sa.func.count()).where(d.received_at >= period.start,
                                                        d.received_at < period.end)
            .group_by(d.unit_id))
    if scope is not None:
        stmt = stmt.where(d.unit_id.in_(scope))
    return {unit_id: int(n) for unit_id, n in conn.execute(stmt)}


def staffing_risk(ctx, *, year: int, period, unit_code: str | None,
                  hours_per_official: float = DEFAULT_HOURS, extra: int = 0) -> dict:
    """One row per unit with a staffing row for ``year`` (see the module), in Vietnamese
    order, with the province's totals."""
    now = ctx.clock.now()
    cal = ctx.calendar
    day = now.date()
    for _ in range(HORIZON_DAYS):
        day = cal.next_working_day(day)
    horizon_end = cal.close_of_day(day)
    last = min(period.last, now.date())
    working_days = sum(1 for k in range(period.first.toordinal(), last.toordinal() + 1)
                       if cal.is_working_day(date.fromordinal(k)))
    st, u = t.cchc_staffing.c, t.units.c
    with ctx.engine.connect() as conn:
        scope = unit_scope(conn, ctx.settings.province_code, unit_code)
        units = list(conn.execute(sa.select(u.id, u.code, u.name).where(
            u.province_code == ctx.settings.province_code)))
        staffing = list(conn.execute(sa.select(st.unit, st.positions, st.filled)
                                     .where(st.year == year)))
        open_steps = _open_steps(conn, scope, cal, now)
        received = _received(conn, scope, period)
    by_key = {}
    for unit in units:
        if scope is None or unit.id in scope:
            by_key[unit.code] = by_key[unit.name] = unit
    rows = []
    for row in staffing:
        unit = by_key.get(row.unit)
        if unit is None:
            continue
        steps = open_steps.get(unit.id, [])

        def run(officials: int, steps=steps):
            return forecast(steps, officials=officials, hours_per_official=hours_per_official,
                            now=now, horizon_end=horizon_end, working_seconds=cal.between)
        now_risk = run(row.filled)
        what_if = run(row.filled + extra) if extra else None
        rows.append({
            "unit_code": unit.code, "unit": unit.name, "positions": row.positions,
            "filled": row.filled, "shortfall": max(0, row.positions - row.filled),
            "received": received.get(unit.id, 0),
            "received_per_day": round(received.get(unit.id, 0) / working_days, 2)
            if working_days else None,
            "open_steps": len(steps),
            "open_per_official": round(len(steps) / row.filled, 1) if row.filled else None,
            "work_hours": now_risk.work_hours, "overdue": now_risk.overdue,
            "due_in_horizon": now_risk.due_in_horizon, "at_risk": now_risk.at_risk_count,
            "at_risk_steps": now_risk.at_risk,
            "what_if_at_risk": what_if.at_risk_count if what_if else None})
    rows = vi_sorted(rows, key=lambda r: r["unit"])
    totals = {k: sum(r[k] for r in rows) for k in
              ("positions", "filled", "shortfall", "received", "open_steps", "overdue",
               "due_in_horizon", "at_risk")}
    totals["what_if_at_risk"] = sum(r["what_if_at_risk"] for r in rows) if extra else None
    return {"rows": rows, "totals": totals, "year": year, "extra": extra,
            "hours_per_official": hours_per_official, "horizon_days": HORIZON_DAYS,
            "horizon_end": horizon_end, "working_days": working_days}
