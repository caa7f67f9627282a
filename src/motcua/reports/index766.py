"""The national service index (Decision 766/QĐ-TTg) as far as motcua's data supports it.

Six groups, 100 points (shared/DOMAIN.md). Each indicator states its formula,
its inputs, its value and its points; an indicator motcua has no data for is
"chưa có dữ liệu" and scores nothing, so the total is shown against the points
that could be scored. Dossiers counted: those the unit received in the period.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.reports.core import (
    D,
    P,
    Period,
    U,
    _cohort,
    counter_where,
    from_stats,
    pct,
    unit_scope,
)
from motcua.storage import tables as t

NO_DATA = "chưa có dữ liệu"
GROUP_POINTS = {"Công khai, minh bạch": 18, "Tiến độ giải quyết": 20,
                "Dịch vụ công trực tuyến": 12, "Thanh toán trực tuyến": 10,
                "Mức độ hài lòng": 18, "Số hóa hồ sơ": 22}


def _indicator(group: str, code: str, name: str, formula: str, inputs: dict,
               value: float | None, max_points: float | None, full_at: float = 100.0) -> dict:
    has_data = value is not None and max_points is not None
    points = round(max_points * min(1.0, value / full_at), 2) if has_data else None
    return {"group": group, "code": code, "name": name, "formula": formula, "inputs": inputs,
            "value_pct": value, "full_at_pct": full_at, "max_points": max_points,
            "points": points, "status": "có dữ liệu" if has_data else NO_DATA}


def _published_share(conn, province_code: int) -> tuple[int, int]:
    rows = conn.execute(sa.select(P.documents, P.steps, P.deadline_amount, P.fee, P.legal_basis)
                        .where(P.province_code == province_code, P.current.is_(True))).all()
    complete = sum(1 for r in rows if r.documents and r.steps and r.fee and r.legal_basis)
    return complete, len(rows)


def _from_counters(province_code: int, period: Period, scope):
    """The same inputs as the live query, summed from ``unit_stats`` (whole months)."""
    c = t.unit_stats.c
    done = sa.and_(c.timeliness != "", c.status != "withdrawn")

    def total(condition, measure=c.n):
        return sa.func.sum(sa.case((condition, measure), else_=0))

    return sa.select(
        c.unit_id, sa.func.sum(c.n).label("received"), total(done).label("finished"),
        total(sa.and_(done, c.timeliness.in_(["early", "on_time"]),
                      c.multi_supplement == 0)).label("timely"),
        total(sa.and_(done, sa.or_(c.timeliness == "late", c.multi_supplement == 1)))
        .label("late"),
        sa.func.sum(c.online_n).label("online"), sa.func.sum(c.fee_n).label("fee"),
        sa.func.sum(c.paid_online_n).label("paid_online"),
        total(done, c.digitised_n).label("digitised"),
        sa.func.sum(c.rated_n).label("rated"), sa.func.sum(c.dislike_n).label("dislikes"),
    ).where(*counter_where(t.unit_stats, province_code, period, scope)) \
        .group_by(c.unit_id).having(sa.func.sum(c.n) > 0)


def index766(engine: Engine, *, province_code: int, period: Period,
             unit_code: str | None = None, source: str = "auto") -> dict:
    """Per receiving unit: each indicator with formula, inputs, points; group totals.

    ``source`` as for the on-time report: ``auto`` reads the counters for whole months.
    """
    finished = sa.and_(D.timeliness.is_not(None), D.status != "withdrawn")

    def count(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        if source == "stats" or (source == "auto" and from_stats(period, "unit")):
            stmt = _from_counters(province_code, period, scope)
        else:
            stmt = sa.select(
                D.unit_id, sa.func.count().label("received"), count(finished).label("finished"),
                count(sa.and_(finished, D.timeliness.in_(["early", "on_time"]),
                              D.supplement_requests <= 1)).label("timely"),
                count(sa.and_(finished, sa.or_(D.timeliness == "late",
                                               D.supplement_requests > 1))).label("late"),
                count(D.channel.in_(["online", "assisted"])).label("online"),
                count(D.fee_amount > 0).label("fee"),
                count(sa.and_(D.fee_amount > 0, D.paid_online.is_(True))).label("paid_online"),
                count(sa.and_(finished, D.inputs_digitised.is_(True),
                              D.result_electronic.is_(True))).label("digitised"),
                count(D.satisfaction.is_not(None)).label("rated"),
                count(D.satisfaction <= 2).label("dislikes"),
            ).where(*_cohort(conn, province_code, period, scope)).group_by(D.unit_id)
        rows = list(conn.execute(stmt))
        names = {r.id: (r.code, r.name) for r in conn.execute(
            sa.select(U.id, U.code, U.name).where(U.id.in_([r.unit_id for r in rows] or [-1])))}
        published, procedures = _published_share(conn, province_code)
    out = []
    for r in sorted(rows, key=lambda r: names[r.unit_id]):
        indicators = _indicators(r, published, procedures)
        groups = {}
        for ind in indicators:
            g = groups.setdefault(ind["group"], {"group": ind["group"],
                                                 "max_points": GROUP_POINTS[ind["group"]],
                                                 "points": None})
            if ind["points"] is not None:
                g["points"] = round((g["points"] or 0) + ind["points"], 2)
        scored = [g for g in groups.values() if g["points"] is not None]
        code, name = names[r.unit_id]
        out.append({"group": f"{code} {name}", "unit": code, "received": r.received,
                    "indicators": indicators, "groups": list(groups.values()),
                    "points": round(sum(g["points"] for g in scored), 2),
                    "max_points_with_data": sum(g["max_points"] for g in scored),
                    "max_points": 100})
    totals = {"units": len(out), "received": sum(r["received"] for r in out),
              "average_points": round(sum(r["points"] for r in out) / len(out), 2)
              if out else None}
    return {"report": "index766", "period": period.as_dict(), "by": "unit", "rows": out,
            "totals": totals}


def _indicators(r, published: int, procedures: int) -> list[dict]:
    satisfaction = None
    if r.rated and r.finished:
        satisfaction = round(100 - (100 * r.late / r.finished + 100 * r.dislikes / r.rated), 2)
    return [
        _indicator("Công khai, minh bạch", "1.1",
                   "Thủ tục công khai đầy đủ (thành phần hồ sơ, quy trình, phí, căn cứ pháp lý)",
                   "số thủ tục công khai đầy đủ / số thủ tục đang áp dụng × 100%",
                   {"published": published, "procedures": procedures},
                   pct(published, procedures), 18),
        _indicator("Tiến độ giải quyết", "2.1", "Hồ sơ giải quyết đúng hạn",
                   "(trước hạn + đúng hạn, không quá một lần bổ sung) / số hồ sơ đã giải "
                   "quyết × 100%", {"timely": r.timely, "finished": r.finished},
                   pct(r.timely, r.finished), 20),
        _indicator("Dịch vụ công trực tuyến", "3.1", "Hồ sơ tiếp nhận trực tuyến",
                   "hồ sơ nộp trực tuyến (kể cả nộp hộ) / hồ sơ tiếp nhận × 100%; đủ điểm khi "
                   "≥ 50%", {"online": r.online, "received": r.received},
                   pct(r.online, r.received), 12, full_at=50.0),
        _indicator("Thanh toán trực tuyến", "4.1", "Hồ sơ có phí được thanh toán trực tuyến",
                   "hồ sơ có phí thanh toán trực tuyến / hồ sơ có phí × 100%",
                   {"paid_online": r.paid_online, "fee_dossiers": r.fee},
                   pct(r.paid_online, r.fee), 10),
        _indicator("Mức độ hài lòng", "5.1", "Mức độ hài lòng của người dân",
                   "100% − (tỷ lệ hồ sơ quá hạn + tỷ lệ đánh giá không hài lòng); đủ điểm khi "
                   "≥ 90%", {"late": r.late, "finished": r.finished, "dislikes": r.dislikes,
                             "rated": r.rated}, satisfaction, 18, full_at=90.0),
        _indicator("Số hóa hồ sơ", "6.1", "Số hóa thành phần hồ sơ và trả kết quả điện tử",
                   "hồ sơ đã giải quyết có thành phần số hóa và kết quả điện tử / hồ sơ đã giải "
                   "quyết × 100%; đủ điểm khi ≥ 80%",
                   {"digitised": r.digitised, "finished": r.finished},
                   pct(r.digitised, r.finished), 22, full_at=80.0),
        _indicator("Số hóa hồ sơ", "6.2", "Khai thác, tái sử dụng dữ liệu đã số hóa",
                   "hồ sơ sử dụng lại dữ liệu đã số hóa / hồ sơ tiếp nhận × 100%", {}, None, None),
    ]

