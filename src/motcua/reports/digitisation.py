"""Digitisation by receiving unit or by procedure: of the dossiers received in the period,
how many had a document digitised at the desk, the same day as receipt, a certified
electronic copy, a document reused from the citizen's store, something shared into it,
and an electronic result (Circular 01/2023/TT-VPCP; Decision 766 group 6)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.reports.core import Period, _labels, pct, unit_scope
from motcua.storage import tables as t
from motcua.storage.digitisation import DigitisationRepository

D = t.dossiers.c
P = t.procedures.c
KEYS = ("received", "with_components", "same_day", "certified", "components", "reused",
        "shared", "electronic")


def digitisation(engine: Engine, *, province_code: int, period: Period, by: str = "unit",
                 unit_code: str | None = None) -> dict:
    by = "procedure" if by == "procedure" else "unit"
    key = D.procedure_id if by == "procedure" else D.unit_id
    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        where = [D.province_code == province_code, D.received_at >= period.start,
                 D.received_at < period.end]
        if scope is not None:
            where.append(D.unit_id.in_(scope))
        base = {r[0]: {"received": int(r[1]), "electronic": int(r[2] or 0)}
                for r in conn.execute(sa.select(
                    key, sa.func.count(),
                    sa.func.sum(sa.case((D.result_electronic.is_(True), 1), else_=0)))
                    .where(*where).group_by(key))}
        scans = DigitisationRepository(conn).figures(province_code, period.start, period.end,
                                                     scope, by)
        # a procedure's versions are one procedure: grouped by its code
        code_of = {r.id: r.code for r in conn.execute(sa.select(P.id, P.code))} \
            if by == "procedure" else {k: k for k in base}
        grouped: dict = {}
        for group, figures in base.items():
            into = grouped.setdefault(code_of[group], dict.fromkeys(KEYS, 0))
            for k, v in {**figures, **scans.get(group, {})}.items():
                if k in into:
                    into[k] += int(v)
        labels = _labels(conn, by, set(grouped))
    rows = [_rates({"group": labels.get(g, str(g)), **figures})
            for g, figures in grouped.items()]
    rows.sort(key=lambda r: r["group"])
    totals = _rates({k: sum(r[k] for r in rows) for k in KEYS})
    return {"report": "digitisation", "period": period.as_dict(), "by": by, "rows": rows,
            "totals": totals}


def _rates(row: dict) -> dict:
    row["same_day_pct"] = pct(row["same_day"], row["received"])
    row["reused_pct"] = pct(row["reused"], row["components"])
    row["electronic_pct"] = pct(row["electronic"], row["received"])
    return row
