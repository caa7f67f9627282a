"""Feedback and complaints by unit: received in the period, answered, answered by the
deadline, still open past the deadline, rated and satisfied."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.reports.core import Period, _labels, pct, unit_scope
from motcua.storage import tables as t

F = t.feedback.c
KEYS = ("received", "answered", "on_time", "overdue_open", "rated", "satisfied")


def feedback(engine: Engine, *, province_code: int, period: Period, now: datetime,
             unit_code: str | None = None) -> dict:
    def count(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        where = [F.received_at >= period.start, F.received_at < period.end]
        if scope is not None:
            where.append(F.unit_id.in_(scope))
        rows = list(conn.execute(sa.select(
            F.unit_id, sa.func.count().label("received"),
            count(F.answered_at.is_not(None)).label("answered"),
            count(F.answered_at <= F.answer_due).label("on_time"),
            count(sa.and_(F.answered_at.is_(None), F.answer_due < now)).label("overdue_open"),
            count(F.satisfied.is_not(None)).label("rated"),
            count(F.satisfied.is_(True)).label("satisfied")).where(*where)
            .group_by(F.unit_id)))
        labels = _labels(conn, "unit", {r.unit_id for r in rows})
    out = sorted(({"group": labels.get(r.unit_id, str(r.unit_id)),
                   **{k: int(getattr(r, k) or 0) for k in KEYS}} for r in rows),
                 key=lambda r: r["group"])
    for row in out:
        row["on_time_pct"] = pct(row["on_time"], row["answered"])
    totals = {k: sum(r[k] for r in out) for k in KEYS}
    totals["on_time_pct"] = pct(totals["on_time"], totals["answered"])
    return {"report": "feedback", "period": period.as_dict(), "by": "unit", "rows": out,
            "totals": totals}
