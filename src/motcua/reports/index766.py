"""The national service index (Decision 766/QĐ-TTg) as the national portal computes it.

Six groups, 100 points; each indicator has its own points inside its group and its
own formula (shared/DOMAIN.md, "Decision 766"). Every indicator states its formula,
its inputs, its rate and its points. An indicator motcua has no data for yet is
"chưa có dữ liệu": it scores nothing and leaves the denominator, so the total is
shown against the points that could be scored. Rows are per receiving unit.

Populations:

* **on-time handling (2.1)**: the dossiers received or handled in the period — received
  before its end and not ended before its start. Each is "đã và đang xử lý đúng hạn
  hoặc trong hạn" when its end of handling is at or before ``due``: the result (or the
  refusal, the stop, the withdrawal) when it came before the end of the period; the
  request date while it waits for a supplement; otherwise the end of the period (or
  now, for a period not over yet). A dossier closed because its supplement never came
  is on time (the wait is the applicant's); more than one supplement request is late;
* **satisfaction (5.3)**, **electronic results (6.1)**: the dossiers whose result
  came in the period;
* **online filing (3.2)**, **paid online (4.1)**, **digitised inputs (6.2)**: the
  dossiers received in the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.domain.text import vn_number
from motcua.reports.core import (
    FINISHED,
    D,
    P,
    Period,
    U,
    counter_where,
    from_stats,
    pct,
    unit_scope,
)
from motcua.storage import tables as t
from motcua.storage.digitisation import DigitisationRepository
from motcua.storage.feedback import FeedbackRepository

NO_DATA = "chưa có dữ liệu"
HAS_DATA = "có dữ liệu"
GROUPS = (("1", "Công khai, minh bạch", 18), ("2", "Tiến độ giải quyết", 20),
          ("3", "Dịch vụ công trực tuyến", 12), ("4", "Thanh toán trực tuyến", 10),
          ("5", "Mức độ hài lòng", 18), ("6", "Số hóa hồ sơ", 22))
GROUP_NAMES = {code: name for code, name, _ in GROUPS}
INPUT_LABELS = {
    "complete": "thủ tục công khai đầy đủ", "procedures": "thủ tục đang áp dụng",
    "timely": "hồ sơ đã và đang xử lý đúng hạn, trong hạn",
    "handled": "hồ sơ tiếp nhận hoặc xử lý trong kỳ",
    "online_procedures": "thủ tục có nộp trực tuyến", "online": "hồ sơ nộp trực tuyến",
    "received": "hồ sơ tiếp nhận trong kỳ",
    "certified": "hồ sơ có bản sao điện tử được chứng thực từ bản chính",
    "with_components": "hồ sơ có thành phần được số hóa tại bộ phận một cửa",
    "components": "thành phần hồ sơ được số hóa", "reused": "thành phần dùng lại từ kho dữ liệu",
    "shared": "hồ sơ có giấy tờ đưa vào kho dữ liệu của người dân",
    "population_used": "hồ sơ đối chiếu khớp dữ liệu dân cư",
    "connected_procedures": "thủ tục có hồ sơ đối chiếu dữ liệu dân cư",
    "on_time": "PAKN trả lời đúng hạn", "answered": "PAKN trả lời trong kỳ",
    "satisfied": "PAKN người gửi hài lòng", "rated": "PAKN được đánh giá",
    "synced": "hồ sơ lên Cổng quốc gia kịp thời (trong thời gian quy định sau tiếp nhận)",
    "paid_online": "hồ sơ thanh toán trực tuyến",
    "fee_dossiers": "hồ sơ có phí", "paid_procedures": "thủ tục có phí đã thanh toán trực tuyến",
    "fee_procedures": "thủ tục có phí", "finished": "hồ sơ có kết quả trong kỳ",
    "unsatisfied": "hồ sơ trễ hạn hoặc không hài lòng (mỗi hồ sơ một lần)",
    "late": "trong đó trễ hạn", "disliked": "trong đó đánh giá không hài lòng",
    "electronic": "hồ sơ có kết quả điện tử", "digitised": "hồ sơ có thành phần số hóa",
}
GROUP_POINTS = {name: points for _, name, points in GROUPS}


def _indicator(code: str, name: str, formula: str, max_points: float, inputs: dict | None = None,
               rate: float | None = None, points: float | None = None) -> dict:
    """One indicator; ``inputs is None`` means motcua has no data for it yet."""
    has_data = inputs is not None
    return {"group": GROUP_NAMES[code.split(".")[0]], "code": code, "name": name,
            "formula": formula, "inputs": inputs or {},
            "inputs_text": "; ".join(f"{INPUT_LABELS[k]}: {vn_number(v)}"
                                     for k, v in (inputs or {}).items()),
            "value_pct": rate,
            "max_points": max_points,
            "points": round(max(0.0, points or 0.0), 2) if has_data else None,
            "status": HAS_DATA if has_data else NO_DATA}


def _linear(max_points: float, rate: float | None, full_at: float = 100.0) -> float:
    """``max_points`` × rate / ``full_at``, capped at ``max_points``; no rate gives 0."""
    return min(max_points, max_points * (rate or 0.0) / full_at)


def _count(condition) -> sa.ColumnElement:
    return sa.func.sum(sa.case((condition, 1), else_=0))


RECEIVED_MEASURES = ("received", "online", "fee", "paid_online", "digitised")
MEASURES = ("handled", "timely", "finished", "unsatisfied", "late", "disliked", "electronic",
            *RECEIVED_MEASURES)


def _received_live(period: Period):
    """The measures of the dossiers received in the period, counted on the dossiers."""
    received = sa.and_(D.received_at >= period.start, D.received_at < period.end)
    return [_count(received).label("received"),
            _count(sa.and_(received, D.channel.in_(["online", "assisted"]))).label("online"),
            _count(sa.and_(received, D.fee_amount > 0)).label("fee"),
            _count(sa.and_(received, D.fee_amount > 0, D.paid_online.is_(True)))
            .label("paid_online"),
            _count(sa.and_(received, D.inputs_digitised.is_(True))).label("digitised")]


def _received_counted(conn, province_code: int, period: Period, scope) -> dict:
    """The same measures summed from the report counters (whole months)."""
    c = t.unit_stats.c
    stmt = sa.select(c.unit_id, sa.func.sum(c.n), sa.func.sum(c.online_n),
                     sa.func.sum(c.fee_n), sa.func.sum(c.paid_online_n),
                     sa.func.sum(c.digitised_n)).where(
        *counter_where(t.unit_stats, province_code, period, scope)).group_by(c.unit_id)
    return {r[0]: dict(zip(RECEIVED_MEASURES, (int(x or 0) for x in r[1:]), strict=True))
            for r in conn.execute(stmt)}


def _unit_rows(conn, province_code: int, period: Period, now: datetime, scope,
               counted: bool) -> tuple[list, datetime]:
    """Per unit: the population of 2.1 and its timely part, the dossiers whose result came
    in the period (5.3, 6.1) and, unless ``counted`` (from the counters), those received."""
    end_at = min(period.end, now)
    end_value = sa.literal(end_at, t.UTCDateTime())  # typed: stored as UTC on both databases
    ended = sa.case((D.status.in_(["withdrawn", "closed"]), D.last_action_at),
                    else_=D.result_ready_at)
    end_of_handling = sa.case(
        (sa.and_(D.status == "withdrawn", D.last_action_at < end_at), D.last_action_at),
        (sa.and_(D.result_ready_at.is_not(None), D.result_ready_at < end_at),
         D.result_ready_at),
        (sa.and_(D.status == "awaiting_supplement", D.pause_started_at < end_at),
         D.pause_started_at),
        else_=end_value)
    timely = sa.and_(D.supplement_requests <= 1,
                     sa.or_(D.status == "closed", end_of_handling <= D.due))
    finished = sa.and_(FINISHED, D.result_ready_at >= period.start, D.result_ready_at < end_at)
    late = sa.or_(D.timeliness == "late", D.supplement_requests > 1)
    disliked = D.satisfaction <= 2
    where = [D.province_code == province_code, D.received_at < period.end,
             sa.or_(ended.is_(None), ended >= period.start)]
    if scope is not None:
        where.append(D.unit_id.in_(scope))
    stmt = sa.select(
        D.unit_id, sa.func.count().label("handled"), _count(timely).label("timely"),
        *([] if counted else _received_live(period)),
        _count(finished).label("finished"),
        _count(sa.and_(finished, sa.or_(late, disliked))).label("unsatisfied"),
        _count(sa.and_(finished, late)).label("late"),
        _count(sa.and_(finished, disliked)).label("disliked"),
        _count(sa.and_(finished, D.result_electronic.is_(True))).label("electronic"),
    ).where(*where).group_by(D.unit_id)
    return list(conn.execute(stmt)), end_at


def _synced(conn, period: Period, scope, minutes: int) -> dict[int, int]:
    """Per unit: dossiers received in the period that reached the national portal within
    ``minutes`` of their receipt (``national_sync_state.first_synced_at``)."""
    S = t.national_sync_state.c
    where = [S.received_at >= period.start, S.received_at < period.end]
    if scope is not None:
        where.append(S.unit_id.in_(scope))
    found: dict[int, int] = defaultdict(int)
    limit = timedelta(minutes=minutes)
    for unit_id, received, first in conn.execute(
            sa.select(S.unit_id, S.received_at, S.first_synced_at).where(*where)):
        if first - received <= limit:
            found[unit_id] += 1
    return found


def _procedure_figures(conn, province_code: int, period: Period, counted: bool) -> dict:
    rows = conn.execute(sa.select(P.id, P.code, P.documents, P.steps, P.fee, P.fee_amount,
                                  P.legal_basis, P.channels)
                        .where(P.province_code == province_code, P.current.is_(True))).all()
    if counted:  # procedures with an online payment in the period, from the counters
        c = t.dossier_stats.c
        paid_ids = conn.execute(sa.select(c.procedure_id).distinct().where(
            *counter_where(t.dossier_stats, province_code, period, None),
            c.paid_online_n > 0)).scalars()
    else:
        paid_ids = conn.execute(sa.select(D.procedure_id).distinct().where(
            D.province_code == province_code, D.paid_online.is_(True),
            D.received_at >= period.start, D.received_at < period.end)).scalars()
    paid_ids = set(paid_ids)
    paid = set(conn.execute(sa.select(P.code).where(P.id.in_(paid_ids or {-1}))).scalars())
    fee_codes = {r.code for r in rows if r.fee_amount > 0}
    return {
        "procedures": len(rows),
        "complete": sum(1 for r in rows if r.documents and r.steps and r.fee and r.legal_basis),
        "online": sum(1 for r in rows if "online" in (r.channels or [])),
        "fee_procedures": len(fee_codes),
        "fee_procedures_paid_online": len(fee_codes & paid),
        "population_procedures": conn.execute(
            sa.select(sa.func.count(sa.distinct(P.code)))
            .select_from(t.population_checks.join(
                t.dossiers, D.code == t.population_checks.c.dossier_code)
                .join(t.procedures, P.id == D.procedure_id))
            .where(D.province_code == province_code, t.population_checks.c.result == "khop",
                   D.received_at >= period.start, D.received_at < period.end)).scalar() or 0,
    }


def _digitised(s: dict, part: str, whole: str, max_points: float,
               full_at: float = 100.0) -> tuple:
    """(inputs, rate, points) of a digitisation indicator; no data without components."""
    if not s.get(whole):
        return None, None, None
    rate = pct(s.get(part, 0), s[whole])
    return {part: s.get(part, 0), whole: s[whole]}, rate, _linear(max_points, rate, full_at)


def _population(s: dict, received: int) -> tuple:
    """6.6's (inputs, rate, points): no data while no dossier was looked up."""
    if not s.get("population_checked") or not received:
        return None, None, None
    rate = pct(s.get("population_used", 0), received)
    return ({"population_used": s.get("population_used", 0), "received": received}, rate,
            _linear(2, rate))


def _feedback(f: dict, part: str, whole: str) -> tuple:
    """(inputs, rate, points) of 5.1 and 5.2: 6 × n / d, and 6 when d = 0 (DOMAIN.md)."""
    n, d = f.get(part, 0), f.get(whole, 0)
    rate = pct(n, d)
    return {part: n, whole: d}, rate, 6.0 if not d else 6 * n / d


def _indicators(r, p: dict, s: dict | None = None, f: dict | None = None) -> list[dict]:
    s, f = s or {}, f or {}
    published = pct(p["complete"], p["procedures"])
    offered = pct(p["online"], p["procedures"])
    online = pct(r.online, r.received)
    synced = pct(r.synced, r.received) if r.synced is not None else None
    sync_factor = (synced or 0.0) / 100 if r.synced is not None else 1.0
    a = pct(r.paid_online, r.fee)
    b = pct(p["fee_procedures_paid_online"], p["fee_procedures"])
    on_time = pct(r.timely, r.handled)
    satisfied = pct(r.finished - r.unsatisfied, r.finished)
    electronic = pct(r.electronic, r.finished)
    digitised = pct(r.digitised, r.received)
    return [
        _indicator("1.1", "Công bố, công khai thủ tục hành chính đúng hạn",
                   "6 × tỷ lệ thủ tục công bố đúng hạn / 100", 6),
        _indicator("1.2", "Cập nhật, công khai thủ tục hành chính đúng hạn",
                   "4 × tỷ lệ thủ tục cập nhật, công khai đúng hạn / 100", 4),
        _indicator("1.3", "Thủ tục công khai đầy đủ các bộ phận (thành phần hồ sơ, quy trình, "
                   "phí, căn cứ pháp lý)", "2 × (thủ tục công khai đầy đủ / thủ tục đang áp "
                   "dụng × 100%) / 100", 2,
                   {"complete": p["complete"], "procedures": p["procedures"]}, published,
                   _linear(2, published)),
        _indicator("1.4", "Hồ sơ đồng bộ theo thời gian thực lên Cổng Dịch vụ công quốc gia",
                   "6 × tỷ lệ hồ sơ đồng bộ / 100; hồ sơ đồng bộ: lên Cổng trong thời gian "
                   "motcua được cấu hình (MOTCUA_SYNC_REALTIME_MINUTES) sau tiếp nhận; 0/0 "
                   "chưa có dữ liệu", 6,
                   {"synced": r.synced, "received": r.received}
                   if r.synced is not None and r.received else None,
                   synced, _linear(6, synced)),
        _indicator("2.1", "Hồ sơ đã và đang xử lý đúng hạn hoặc trong hạn",
                   "20 × (hồ sơ đã và đang xử lý đúng hạn, trong hạn / hồ sơ tiếp nhận hoặc "
                   "xử lý trong kỳ × 100%) / 100; hồ sơ chưa xong tính đến ngày cuối kỳ, hồ sơ "
                   "chờ bổ sung tính đến ngày yêu cầu; yêu cầu bổ sung quá một lần tính trễ "
                   "hạn; 0/0 được 0 điểm", 20,
                   {"timely": r.timely, "handled": r.handled}, on_time, _linear(20, on_time)),
        _indicator("3.1", "Thủ tục cung cấp dịch vụ công trực tuyến",
                   "6 × min(1, tỷ lệ thủ tục có nộp trực tuyến / 80%); Cổng quốc gia chưa công "
                   "bố cách chia 12 điểm, motcua chia 6 + 6", 6,
                   {"online_procedures": p["online"], "procedures": p["procedures"]}, offered,
                   _linear(6, offered, 80.0)),
        _indicator("3.2", "Hồ sơ nộp trực tuyến",
                   "6 × min(1, tỷ lệ hồ sơ nộp trực tuyến (kể cả nộp hộ) / 50%) × tỷ lệ đồng bộ"
                   + ("" if r.synced is not None else
                      "; chưa đồng bộ với Cổng quốc gia nên chưa nhân tỷ lệ đồng bộ"), 6,
                   {"online": r.online, "received": r.received}, online,
                   _linear(6, online, 50.0) * sync_factor),
        _indicator("4.1", "Hồ sơ có phí được thanh toán trực tuyến (A)",
                   "6 × A; A = hồ sơ có phí có giao dịch thanh toán trực tuyến / hồ sơ có phí "
                   "(mẫu số 0 thì A = 0)", 6, {"paid_online": r.paid_online, "fee_dossiers": r.fee},
                   a, _linear(6, a)),
        _indicator("4.2", "Thủ tục có phí đã phát sinh thanh toán trực tuyến (B)",
                   "min(2; 2,5 × B); B = thủ tục có phí có hồ sơ thanh toán trực tuyến / thủ tục "
                   "có phí (mẫu số 0 thì B = 0)", 2,
                   {"paid_procedures": p["fee_procedures_paid_online"],
                    "fee_procedures": p["fee_procedures"]}, b, _linear(2, b, 80.0)),
        _indicator("4.3", "Thủ tục có phí tích hợp thanh toán trực tuyến (C)",
                   "min(2; 2,5 × C); C = thủ tục có phí tích hợp thanh toán trực tuyến / thủ tục "
                   "có phí", 2),
        _indicator("5.1", "Phản ánh, kiến nghị được xử lý đúng hạn",
                   "6 × PAKN trả lời đúng hạn / PAKN trả lời trong kỳ (không có PAKN được 6 "
                   "điểm)", 6, *_feedback(f, "on_time", "answered")),
        _indicator("5.2", "Hài lòng về việc xử lý phản ánh, kiến nghị",
                   "6 × PAKN người gửi hài lòng với câu trả lời / PAKN được đánh giá (không có "
                   "PAKN được 6 điểm)", 6, *_feedback(f, "satisfied", "rated")),
        _indicator("5.3", "Hài lòng trong tiếp nhận, giải quyết hồ sơ",
                   "min(6; 6 × tỷ lệ / 90%); tỷ lệ = (hồ sơ có kết quả − hồ sơ trễ hạn, đánh "
                   "giá không hài lòng hoặc có khiếu nại, mỗi hồ sơ tính một lần) / hồ sơ có kết "
                   "quả; 0/0 được 0 điểm; chưa có dữ liệu khiếu nại", 6,
                   {"finished": r.finished, "unsatisfied": r.unsatisfied, "late": r.late,
                    "disliked": r.disliked}, satisfied, _linear(6, satisfied, 90.0)),
        _indicator("6.1", "Kết quả giải quyết điện tử",
                   "min(6; 6 × hồ sơ có kết quả điện tử / hồ sơ có kết quả)", 6,
                   {"electronic": r.electronic, "finished": r.finished}, electronic,
                   _linear(6, electronic)),
        _indicator("6.2", "Hồ sơ có thành phần được số hóa",
                   "min(4; 4 × hồ sơ tiếp nhận có thành phần số hóa / hồ sơ tiếp nhận)", 4,
                   {"digitised": r.digitised, "received": r.received}, digitised,
                   _linear(4, digitised)),
        _indicator("6.3", "Chứng thực bản sao điện tử từ bản chính",
                   "min(2; 2 × hồ sơ có bản sao điện tử chứng thực từ bản chính / hồ sơ có "
                   "thành phần số hóa)", 2, *_digitised(s, "certified", "with_components", 2)),
        _indicator("6.4", "Thành phần hồ sơ được thay bằng dữ liệu tái sử dụng",
                   "min(2; 2 × (thành phần dùng lại / thành phần số hóa) / 80%)", 2,
                   *_digitised(s, "reused", "components", 2, 80.0)),
        _indicator("6.5", "Hồ sơ số hóa được chia sẻ vào kho dữ liệu của người dân",
                   "min(4; 4 × hồ sơ có giấy tờ trong kho dữ liệu của người dân / hồ sơ có "
                   "thành phần số hóa)", 4, *_digitised(s, "shared", "with_components", 4)),
        _indicator("6.6", "Hồ sơ sử dụng dữ liệu dân cư",
                   "min(2; 2 × hồ sơ tiếp nhận được đối chiếu khớp Cơ sở dữ liệu quốc gia về "
                   "dân cư / hồ sơ tiếp nhận); chưa kết nối thì chưa có dữ liệu", 2,
                   *_population(s, r.received)),
        _indicator("6.7", "Thủ tục kết nối Cơ sở dữ liệu quốc gia về dân cư",
                   "min(2; 2 × thủ tục có hồ sơ được đối chiếu khớp dữ liệu dân cư trong kỳ / "
                   "thủ tục đang áp dụng)", 2,
                   *((None, None, None) if not s.get("population_checked") else (
                       {"connected_procedures": p["population_procedures"],
                        "procedures": p["procedures"]},
                       pct(p["population_procedures"], p["procedures"]),
                       _linear(2, pct(p["population_procedures"], p["procedures"]))))),
    ]


def _groups(indicators: list[dict]) -> list[dict]:
    out = []
    for _, name, points in GROUPS:
        scored = [i for i in indicators if i["group"] == name and i["points"] is not None]
        out.append({"group": name, "max_points": points,
                    "max_points_with_data": sum(i["max_points"] for i in scored),
                    "points": round(sum(i["points"] for i in scored), 2) if scored else None})
    return out


def index766(engine: Engine, *, province_code: int, period: Period, now: datetime,
             unit_code: str | None = None, source: str = "auto",
             sync_minutes: int | None = None) -> dict:
    """Per receiving unit: each indicator with its formula, inputs, rate and points.

    ``sync_minutes`` (set when the national portal is connected): a dossier counts as
    synchronised in real time when it reached the portal within that many minutes of
    its receipt (1.4, and the factor of 3.2). ``source`` as for the on-time report: what concerns the dossiers received in the
    period comes from the report counters for whole months (``auto``, ``stats``) or from
    the dossiers (``live``); on-time handling and results always come from the dossiers.
    """
    counted = source == "stats" or (source == "auto" and from_stats(period, "unit"))
    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        found, end_at = _unit_rows(conn, province_code, period, now, scope, counted)
        by_unit: dict[int, dict] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
        for r in found:
            by_unit[r.unit_id].update((k, int(v or 0)) for k, v in r._mapping.items()
                                      if k != "unit_id")
        if counted:
            for unit_id, measures in _received_counted(conn, province_code, period,
                                                       scope).items():
                by_unit[unit_id].update(measures)
        synced = _synced(conn, period, scope, sync_minutes) if sync_minutes else {}
        scans = DigitisationRepository(conn).figures(province_code, period.start, period.end,
                                                     scope)
        feedback = FeedbackRepository(conn).figures(period.start, period.end)
        rows = [SimpleNamespace(unit_id=u, synced=synced.get(u, 0) if sync_minutes else None,
                                **m) for u, m in by_unit.items()]
        names = {r.id: (r.code, r.name) for r in conn.execute(
            sa.select(U.id, U.code, U.name).where(U.id.in_([r.unit_id for r in rows] or [-1])))}
        figures = _procedure_figures(conn, province_code, period, counted)
    out = []
    for r in sorted(rows, key=lambda r: names[r.unit_id]):
        indicators = _indicators(r, figures, scans.get(r.unit_id), feedback.get(r.unit_id))
        scored = [i for i in indicators if i["points"] is not None]
        code, name = names[r.unit_id]
        out.append({"group": f"{code} {name}", "unit": code, "name": name, "key": r.unit_id,
                    "received": r.received,
                    "handled": r.handled, "indicators": indicators,
                    "groups": _groups(indicators),
                    "points": round(sum(i["points"] for i in scored), 2),
                    "max_points_with_data": sum(i["max_points"] for i in scored),
                    "max_points": 100})
    totals = {"units": len(out), "received": sum(r["received"] for r in out),
              "average_points": round(sum(r["points"] for r in out) / len(out), 2)
              if out else None}
    return {"report": "index766", "period": period.as_dict(), "by": "unit", "rows": out,
            "as_of": end_at.isoformat(), "totals": totals}
