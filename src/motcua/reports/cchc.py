"""The annual administrative-reform (CCHC) report: every figure computed from the data.

Plan tasks are those imported as tasks (not meeting conclusions); cancelled tasks
leave the plan. ``rate_pct`` = done / planned, two decimals; ``delta_pp`` is the
change from the previous year in percentage points (null without one).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.domain.cchc import AGENCY_KINDS, OUTREACH_KINDS
from motcua.reports.core import pct
from motcua.storage import tables as t


def _rate_block(planned: int, done: int, prev: tuple[int, int] | None) -> dict:
    rate = pct(done, planned)
    prev_rate = pct(prev[1], prev[0]) if prev and prev[0] else None
    delta = round(rate - prev_rate, 2) if rate is not None and prev_rate is not None else None
    return {"planned": planned, "done": done, "rate_pct": rate, "prev_rate_pct": prev_rate,
            "delta_pp": delta}


def _plan_counts(conn, year: int, scope: str | None) -> dict[tuple[str, str], list[int]]:
    c = t.cchc_tasks.c
    where = [c.year == year, c.meeting_id.is_(None), c.status != "cancelled"]
    if scope:
        where.append(c.agency == scope)
    rows = conn.execute(sa.select(c.agency_kind, c.agency, sa.func.count(),
                                  sa.func.sum(sa.case((c.status == "done", 1), else_=0)))
                        .where(*where).group_by(c.agency_kind, c.agency))
    return {(kind, agency): [n, int(done or 0)] for kind, agency, n, done in rows}


def annual(engine: Engine, year: int, scope: str | None = None,
           today: date | None = None) -> dict:
    """The report for ``year``: national (every agency) or one agency (``scope``)."""
    as_of = min(today or date(year, 12, 31), date(year, 12, 31))
    with engine.connect() as conn:
        now, before = _plan_counts(conn, year, scope), _plan_counts(conn, year - 1, scope)
        tasks = _tasks(conn, year, scope, now, before, as_of)
        report = {"year": year, "scope": scope or "national", "as_of": as_of.isoformat(),
                  "tasks": tasks,
                  "inspections": _inspections(conn, year, scope),
                  "regulations": _regulations(conn, year, scope),
                  "outreach": _outreach(conn, year, scope),
                  "meetings": _meetings(conn, year, as_of),
                  "staffing": _staffing(conn, year, scope)}
    return report


def _by_kind(counts: dict[tuple[str, str], list[int]]) -> dict[str, list[int]]:
    """(planned, done) per kind of agency, from the counts per (kind, agency)."""
    out = defaultdict(lambda: [0, 0])
    for (kind, _), (n, done) in counts.items():
        out[kind][0] += n
        out[kind][1] += done
    return out


def _tasks(conn, year, scope, now, before, as_of) -> dict:
    by_kind, prev_kind = _by_kind(now), _by_kind(before)
    agencies = [{"agency": agency, "agency_kind": kind,
                 **_rate_block(n, done, tuple(before[(kind, agency)])
                               if (kind, agency) in before else None)}
                for (kind, agency), (n, done) in sorted(now.items(), key=lambda x: x[0][1])]
    total = [sum(v[0] for v in by_kind.values()), sum(v[1] for v in by_kind.values())]
    prev_total = [sum(v[0] for v in prev_kind.values()), sum(v[1] for v in prev_kind.values())]
    c = t.cchc_tasks.c
    where = [c.year == year, c.meeting_id.is_(None), c.status.in_(["in_progress", "not_started"]),
             c.due_date < as_of]
    if scope:
        where.append(c.agency == scope)
    overdue = [{"agency": r.agency, "title": r.title, "due_date": r.due_date.isoformat(),
                "status": r.status}
               for r in conn.execute(sa.select(c.agency, c.title, c.due_date, c.status)
                                     .where(*where).order_by(c.due_date, c.agency))]
    return {"by_kind": {kind: _rate_block(*by_kind[kind], tuple(prev_kind[kind])
                                          if prev_kind[kind][0] else None)
                        for kind in AGENCY_KINDS if by_kind[kind][0]},
            "by_agency": agencies,
            "total": _rate_block(*total, tuple(prev_total) if prev_total[0] else None),
            "overdue": overdue}


def _inspections(conn, year, scope) -> dict:
    c = t.cchc_findings.c
    where = [c.year == year]
    if scope:
        where.append(sa.or_(c.inspecting_agency == scope, c.inspected_unit == scope))
    rows = conn.execute(sa.select(
        c.inspecting_agency, sa.func.count(sa.distinct(c.inspected_unit)), sa.func.count(),
        sa.func.sum(sa.case((c.remedy_status == "done", 1), else_=0)),
        sa.func.sum(sa.case((c.kind == "ton_tai", 1), else_=0)),
    ).where(*where).group_by(c.inspecting_agency).order_by(c.inspecting_agency))
    agencies = [{"agency": a, "inspected_units": u, "findings": n, "handled": int(h or 0),
                 "ton_tai": int(tt or 0), "han_che": n - int(tt or 0),
                 "handled_pct": pct(int(h or 0), n)} for a, u, n, h, tt in rows]
    findings = sum(a["findings"] for a in agencies)
    handled = sum(a["handled"] for a in agencies)
    return {"by_agency": agencies, "total": {
        "inspected_units": sum(a["inspected_units"] for a in agencies), "findings": findings,
        "handled": handled, "handled_pct": pct(handled, findings)}}


def _regulations(conn, year, scope) -> dict:
    c = t.cchc_regulations.c
    where = [c.agency == scope] if scope else []
    rows = list(conn.execute(sa.select(c.agency, c.document, c.in_force_from, c.action,
                                       c.action_year).where(*where)))
    base = min((r.in_force_from for r in rows), default=year)
    in_force_start = [r for r in rows if r.in_force_from <= base]
    this_year = [r for r in rows if r.action and r.action_year == year]
    cumulative = [r for r in rows if r.action and r.action_year and r.action_year <= year]
    by_agency, by_document = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for r in this_year:
        index = 0 if r.action == "cut" else 1
        by_agency[r.agency][index] += 1
        by_document[r.document][index] += 1
    total_in_force = len([r for r in rows if r.in_force_from <= year])
    by_year = defaultdict(lambda: [0, 0])
    for r in cumulative:
        by_year[r.action_year][0 if r.action == "cut" else 1] += 1
    return {
        "by_year": [{"year": y, "cut": v[0], "simplified": v[1]} for y, v in sorted(by_year.items())],
        "year": {"cut": sum(r.action == "cut" for r in this_year),
                 "simplified": sum(r.action == "simplified" for r in this_year)},
        "by_agency": [{"agency": a, "cut": v[0], "simplified": v[1]}
                      for a, v in sorted(by_agency.items())],
        "by_document": [{"document": d, "cut": v[0], "simplified": v[1]}
                        for d, v in sorted(by_document.items())],
        "cumulative": {"base_year": base, "cut_or_simplified": len(cumulative),
                       "in_force": total_in_force, "in_force_at_base": len(in_force_start),
                       "rate_pct": pct(len(cumulative), total_in_force)},
    }


def _outreach(conn, year, scope) -> dict:
    c = t.cchc_outreach.c
    where = [c.year == year] + ([c.agency == scope] if scope else [])
    rows = list(conn.execute(sa.select(c.agency, c.kind, sa.func.count()).where(*where)
                             .group_by(c.agency, c.kind)))
    by_kind = {k: sum(n for _, kind, n in rows if kind == k) for k in OUTREACH_KINDS}
    agencies = defaultdict(dict)
    for agency, kind, n in rows:
        agencies[agency][kind] = n
    return {"by_kind": by_kind, "by_agency": [{"agency": a, **{k: v.get(k, 0)
                                                               for k in OUTREACH_KINDS}}
                                              for a, v in sorted(agencies.items())]}


def _meetings(conn, year, as_of) -> dict:
    m, p, c = t.cchc_meetings.c, t.cchc_meeting_points.c, t.cchc_tasks.c
    meetings = list(conn.execute(sa.select(m.id, m.held_on, m.title, m.online, m.presiding)
                                 .where(m.year == year).order_by(m.held_on)))
    ids = [r.id for r in meetings] or [-1]
    points = list(conn.execute(sa.select(p.meeting_id, p.name, p.presiding, p.attendance)
                               .where(p.meeting_id.in_(ids))))
    conclusions = list(conn.execute(sa.select(c.meeting_id, c.status, c.due_date)
                                    .where(c.meeting_id.in_(ids))))
    done = sum(r.status == "done" for r in conclusions)
    overdue = sum(r.status in ("in_progress", "not_started") and r.due_date is not None
                  and r.due_date < as_of for r in conclusions)
    return {
        "sessions": len(meetings), "online": sum(bool(r.online) for r in meetings),
        "points": len(points), "attendance": sum(r.attendance for r in points),
        "list": [{"held_on": r.held_on.isoformat(), "title": r.title, "online": bool(r.online),
                  "presiding": r.presiding,
                  "points": [{"name": x.name, "presiding": x.presiding,
                              "attendance": x.attendance} for x in points if x.meeting_id == r.id],
                  "conclusions": sum(1 for x in conclusions if x.meeting_id == r.id)}
                 for r in meetings],
        "conclusions": {"total": len(conclusions), "done": done, "overdue": overdue,
                        "done_pct": pct(done, len(conclusions))},
    }


def _staffing(conn, year, scope) -> dict:
    c = t.cchc_staffing.c
    where = [c.year == year] + ([c.unit == scope] if scope else [])
    rows = list(conn.execute(sa.select(c.unit, c.level, c.positions, c.filled).where(*where)
                             .order_by(c.level, c.unit)))
    workload = _workload(conn, year, [r.unit for r in rows])
    units = [{"unit": r.unit, "level": r.level, "positions": r.positions, "filled": r.filled,
              "shortfall": max(0, r.positions - r.filled), **workload.get(r.unit, {})}
             for r in rows]
    levels = defaultdict(lambda: {"positions": 0, "filled": 0, "shortfall": 0})
    for u in units:
        for k in ("positions", "filled", "shortfall"):
            levels[u["level"]][k] += u[k]
    return {"by_unit": units, "by_level": dict(levels),
            "total": {k: sum(u[k] for u in units) for k in ("positions", "filled", "shortfall")}}


def _workload(conn, year: int, names: list[str]) -> dict[str, dict]:
    """Dossiers received in the year by the unit of that name or code, when motcua has them."""
    if not names:
        return {}
    u, s = t.units.c, t.unit_stats.c
    open_n = sa.case((s.status.in_(["in_progress", "awaiting_supplement"]), s.n), else_=0)
    rows = conn.execute(
        sa.select(u.code, u.name, sa.func.coalesce(sa.func.sum(s.n), 0),
                  sa.func.coalesce(sa.func.sum(open_n), 0))
        .select_from(t.units.outerjoin(t.unit_stats, sa.and_(
            s.unit_id == u.id, s.received_month.between(year * 100 + 1, year * 100 + 12))))
        .where(sa.or_(u.code.in_(names), u.name.in_(names))).group_by(u.id, u.code, u.name))
    return {(code if code in names else name): {"dossiers_received": int(received),
                                                 "dossiers_open": int(open_now)}
            for code, name, received, open_now in rows}
