"""On-time, step accountability and workload reports, as SQL aggregates.

Each function returns ``{"period": {...}, "by": ..., "rows": [{"group": ..., ...}],
"totals": {...}}``; rows are sorted by group label. Groups:

* ``unit``: the receiving unit (for ``steps`` and ``workload``: the unit holding the step);
* ``procedure`` (by national code, all versions), ``field``, ``channel``;
* ``official``: for ``ontime`` the official who completed the last step (or holds the
  current one); for ``steps`` and ``workload`` the official charged with the step
  (its assignee, else who completed it);
* ``month``: month of receipt (``steps``: of completion), Vietnam time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from motcua.domain.calendar import VN_TZ, WorkingCalendar
from motcua.domain.errors import ValidationError
from motcua.domain.procedures import Channel
from motcua.domain.timeliness import Urgency, urgency
from motcua.storage import tables as t

GROUPS = ("unit", "procedure", "field", "channel", "official", "month")
OPEN = ("in_progress", "awaiting_supplement")
D, S, P, OFF, U = (t.dossiers.c, t.dossier_steps.c, t.procedures.c, t.officials.c, t.units.c)
SCAN = t.digitised_components.c


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValidationError("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, VN_TZ)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, VN_TZ)

    @property
    def months(self) -> tuple[int, int]:
        return self.first.year * 100 + self.first.month, self.last.year * 100 + self.last.month

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def as_dict(self) -> dict:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def unit_scope(conn: Connection, province_code: int, unit_code: str | None) -> set[int] | None:
    """The unit and all units below it; ``None`` for the whole province."""
    if not unit_code:
        return None
    rows = conn.execute(sa.select(U.id, U.code, U.parent_id).where(
        U.province_code == province_code)).all()
    root = next((r.id for r in rows if r.code == unit_code), None)
    if root is None:
        raise ValidationError(f"Không có đơn vị {unit_code}.")
    children: dict[int, list[int]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r.id)
    found, todo = set(), [root]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def _month_of(column, dialect: str):
    if dialect == "postgresql":
        return sa.cast(sa.func.to_char(sa.func.timezone("Asia/Ho_Chi_Minh", column), "YYYYMM"),
                       sa.Integer)
    return sa.cast(sa.func.strftime("%Y%m", column, "+7 hours"), sa.Integer)


def _labels(conn: Connection, by: str, keys: set) -> dict:
    keys = {k for k in keys if k is not None}
    if by == "unit" and keys:
        return {r.id: f"{r.code} {r.name}" for r in conn.execute(
            sa.select(U.id, U.code, U.name).where(U.id.in_(keys)))}
    if by == "official" and keys:
        return {r.id: f"{r.full_name} ({r.username})" for r in conn.execute(
            sa.select(OFF.id, OFF.full_name, OFF.username).where(OFF.id.in_(keys)))}
    if by == "procedure" and keys:
        names = {}
        for r in conn.execute(sa.select(P.code, P.name).where(P.code.in_(keys))
                              .order_by(P.version)):
            names[r.code] = f"{r.code} {r.name}"
        return names
    if by == "channel":
        return {c.value: c.label for c in Channel}
    if by == "month":
        return {k: f"{k % 100:02d}/{k // 100}" for k in keys}
    return {}


def _cohort(conn: Connection, province_code: int, period: Period, scope: set[int] | None):
    first, last = period.months
    where = [D.province_code == province_code, D.received_month.between(first, last),
             D.received_at >= period.start, D.received_at < period.end]
    if scope is not None:
        where.append(D.unit_id.in_(scope))
    return where


def _dossier_groups(by: str):
    """(group expressions, joins) for ``by`` = one dimension or several joined by commas."""
    parts = [_dossier_group(b.strip()) for b in by.split(",")]
    return [g for g, _ in parts], sorted({j for _, joins in parts for j in joins})


def _dossier_group(by: str):
    """(group expression, joins) for dossier-level reports."""
    if by == "unit":
        return D.unit_id, []
    if by == "procedure":
        return P.code, ["procedure"]
    if by == "field":
        return P.field, ["procedure"]
    if by == "channel":
        return D.channel, []
    if by == "official":
        return sa.func.coalesce(S.completed_by_id, S.assignee_id), ["step"]
    if by == "month":
        return D.received_month, []
    raise ValidationError(f"Không nhóm được theo “{by}”; chọn một trong: {', '.join(GROUPS)}.")


def _from(joins: list[str]):
    source = t.dossiers
    if "procedure" in joins:
        source = source.join(t.procedures, P.id == D.procedure_id)
    if "step" in joins:
        source = source.outerjoin(t.dossier_steps, sa.and_(S.dossier_id == D.id,
                                                            S.seq == D.current_step))
    return source


def _key(value):
    return value.value if hasattr(value, "value") else value


ONTIME_COUNTS = ("received", "finished", "early", "on_time", "late", "in_progress", "due_soon",
                 "overdue_now")


STATS_DIMS = {"unit", "procedure", "field", "channel", "month"}


def counter_table(dims) -> sa.Table:
    """The coarse counters when unit and month are enough, else the detailed ones."""
    return t.unit_stats if set(dims) <= {"unit", "month"} else t.dossier_stats


def _counter_dim(table: sa.Table, dim: str):
    return {"unit": table.c.unit_id, "month": table.c.received_month, "procedure": P.code,
            "field": P.field, "channel": table.c.get("channel")}[dim]


def from_stats(period: Period, by: str | None) -> bool:
    """Whole months, grouped by what the counters keep: read ``dossier_stats``."""
    whole = period.first.day == 1 and (period.last + timedelta(days=1)).day == 1
    return whole and all(b.strip() in STATS_DIMS for b in (by or "unit").split(","))


def counter_where(table: sa.Table, province_code: int, period: Period, scope) -> list:
    first, last = period.months
    where = [table.c.province_code == province_code, table.c.received_month.between(first, last)]
    if scope is not None:
        where.append(table.c.unit_id.in_(scope))
    return where


def finished(judged, status) -> sa.ColumnElement:
    """A dossier with a result (ready, refused or stopped: it has a verdict); withdrawn and
    closed dossiers have none. ``judged``: the verdict is set, in the table at hand."""
    return sa.and_(judged, status.not_in(["withdrawn", "closed"]))


FINISHED = finished(D.timeliness.is_not(None), D.status)


def _ontime_columns(groups: list, weight, timeliness, status, finished, received, handling,
                   handled) -> list:
    """The on-time report's columns, each row counting as ``weight`` dossiers (1 for a
    dossier, ``n`` for a counter cell)."""
    def total(condition):
        return sa.func.sum(sa.case((condition, weight), else_=0))

    return [*[g.label(f"g{i}") for i, g in enumerate(groups)], received.label("received"),
            total(finished).label("finished"), total(timeliness == "early").label("early"),
            total(timeliness == "on_time").label("on_time"),
            total(timeliness == "late").label("late"),
            total(status.in_(OPEN)).label("in_progress"),
            handling.label("handling"), handled.label("handled")]


def _live_select(groups: list, joins: list[str], where: list):
    """The on-time counts over the dossiers themselves."""
    return sa.select(*_ontime_columns(
        groups, 1, D.timeliness, D.status,
        finished=FINISHED, received=sa.func.count(), handling=sa.func.sum(D.handling_seconds),
        handled=sa.func.count(D.handling_seconds),
    )).select_from(_from(joins)).where(*where).group_by(*groups)


def _stats_select(province_code: int, period: Period, scope, dims: list[str]):
    """The on-time counts from the counters (same columns as the live query)."""
    table = counter_table(dims)
    c = table.c
    groups = [_counter_dim(table, d) for d in dims]
    source = table
    if any(d in ("procedure", "field") for d in dims):
        source = source.join(t.procedures, P.id == c.procedure_id)
    return sa.select(*_ontime_columns(
        groups, c.n, c.timeliness, c.status,
        finished=finished(c.timeliness != "", c.status),
        received=sa.func.sum(c.n), handling=sa.func.sum(c.handling_sum),
        handled=sa.func.sum(c.handling_n),
    )).select_from(source).where(*counter_where(table, province_code, period, scope)) \
        .group_by(*groups).having(sa.func.sum(c.n) > 0)


def ontime(engine: Engine, calendar: WorkingCalendar, *, province_code: int, period: Period,
           by: str = "unit", now: datetime, unit_code: str | None = None,
           due_soon_share: float = 0.2, source: str = "auto") -> dict:
    """Received; finished early / on time / late; in progress, due soon, overdue now;
    the on-time rate (early + on time over finished) and average handling time.

    ``source``: ``live`` counts the dossiers, ``stats`` reads the counters (whole months
    only), ``auto`` picks the counters when it can. Both give the same figures.
    """
    groups, joins = _dossier_groups(by)
    dims = [b.strip() for b in by.split(",")]
    use_stats = source == "stats" or (source == "auto" and from_stats(period, by))
    if use_stats and not from_stats(period, by):
        raise ValidationError("Bộ đếm chỉ phục vụ kỳ trọn tháng, nhóm theo đơn vị, thủ tục, "
                              "lĩnh vực, kênh hoặc tháng.")
    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        where = _cohort(conn, province_code, period, scope)
        stmt = (_stats_select(province_code, period, scope, dims) if use_stats
                else _live_select(groups, joins, where))

        def key_of(r):
            keys = tuple(_key(r[i]) for i in range(len(groups)))
            return keys[0] if len(keys) == 1 else keys

        rows = {key_of(r): r for r in conn.execute(stmt)}
        soon, overdue = _open_now(conn, calendar, groups, joins, where, now, due_soon_share,
                                  key_of)
        labels = [_labels(conn, dim, {k if len(dims) == 1 else k[i] for k in rows})
                  for i, dim in enumerate(dims)]
    out = []
    for key, r in rows.items():
        parts = (key,) if len(dims) == 1 else key
        shown = [labels[i].get(part, part if part not in (None, "") else "(không xác định)")
                 for i, part in enumerate(parts)]
        row = {"group": " · ".join(str(x) for x in shown) if len(shown) > 1 else shown[0],
               "key": key if len(dims) == 1 else list(key), "received": r.received,
               "finished": int(r.finished), "early": int(r.early), "on_time": int(r.on_time),
               "late": int(r.late), "in_progress": int(r.in_progress),
               "due_soon": soon.get(key, 0), "overdue_now": overdue.get(key, 0),
               "handling": int(r.handling or 0), "handled": r.handled}
        out.append(row)
    out.sort(key=lambda x: str(x["group"]))
    totals = {k: sum(r[k] for r in out) for k in (*ONTIME_COUNTS, "handling", "handled")}
    for row in (*out, totals):
        row["on_track"] = row["in_progress"] - row["due_soon"] - row["overdue_now"]
        row["on_time_rate_pct"] = pct(row["early"] + row["on_time"], row["finished"])
        row["avg_handling_minutes"] = (round(row["handling"] / row["handled"] / 60, 1)
                                       if row["handled"] else None)
        # as officials count: working days (of the office hours' length), one decimal
        row["avg_handling_days"] = (round(row["handling"] / row["handled"]
                                          / calendar.day_seconds, 1)
                                    if row["handled"] and calendar.day_seconds else None)
        del row["handling"], row["handled"]
    return {"report": "ontime", "period": period.as_dict(), "by": by, "rows": out,
            "totals": totals}


def _open_now(conn, calendar, groups, joins, where, now, share, key_of) -> tuple[dict, dict]:
    """Among dossiers being handled now: (due soon, overdue) counts per group.

    Due soon: less than ``share`` of the allotted working time left.
    """
    stmt = sa.select(*[g.label(f"g{i}") for i, g in enumerate(groups)], D.effective_receipt,
                     D.appointment_at_receipt, D.due).select_from(_from(joins)).where(
        D.status == "in_progress", *where)
    counts: dict = {Urgency.DUE_SOON: {}, Urgency.OVERDUE: {}}
    for r in conn.execute(stmt):
        state = _urgency(calendar, r, now, share)
        if state is not None:
            key = key_of(r)
            counts[state][key] = counts[state].get(key, 0) + 1
    return counts[Urgency.DUE_SOON], counts[Urgency.OVERDUE]


def _urgency(calendar: WorkingCalendar, r, now: datetime, share: float) -> Urgency | None:
    """The domain's rule (``timeliness.urgency``) for a row of an open dossier."""
    return urgency(now, r.due, calendar.between(r.effective_receipt, r.appointment_at_receipt),
                   calendar, share)


def _step_group(by: str, dialect: str):
    holder = sa.func.coalesce(S.assignee_id, S.completed_by_id)
    return {"unit": (S.unit_id, []), "official": (holder, []),
            "procedure": (P.code, ["procedure"]), "field": (P.field, ["procedure"]),
            "channel": (D.channel, []), "month": (_month_of(S.finished_at, dialect), [])}[by]


def _steps_from(joins: list[str]):
    source = t.dossier_steps.join(t.dossiers, D.id == S.dossier_id)
    if "procedure" in joins:
        source = source.join(t.procedures, P.id == D.procedure_id)
    return source


def steps(engine: Engine, *, province_code: int, period: Period, by: str = "unit",
          unit_code: str | None = None) -> dict:
    """Step accountability: steps finished in the period, overruns and working minutes over
    their allocation, charged to the unit and official that held them."""
    if by not in GROUPS:
        raise ValidationError(f"Không nhóm được theo “{by}”; chọn một trong: {', '.join(GROUPS)}.")
    over = sa.case((S.worked_seconds > S.allocated_seconds,
                    S.worked_seconds - S.allocated_seconds), else_=0)
    with engine.connect() as conn:
        group, joins = _step_group(by, conn.dialect.name)
        scope = unit_scope(conn, province_code, unit_code)
        where = [D.province_code == province_code, S.finished_at >= period.start,
                 S.finished_at < period.end]
        if scope is not None:
            where.append(S.unit_id.in_(scope))
        stmt = sa.select(
            group.label("grp"), sa.func.count().label("steps"),
            sa.func.sum(sa.case((S.overran.is_(True), 1), else_=0)).label("overruns"),
            sa.func.sum(over).label("over"),
            sa.func.sum(sa.case((S.behind_schedule.is_(True), 1), else_=0)).label("behind"),
            sa.func.sum(S.worked_seconds).label("worked"),
        ).select_from(_steps_from(joins)).where(*where).group_by(group)
        rows = list(conn.execute(stmt))
        labels = _labels(conn, by, {_key(r.grp) for r in rows})
    out = [{"group": labels.get(_key(r.grp), _key(r.grp) if r.grp is not None
                                else "(chưa phân công)"),
            "key": _key(r.grp), "steps_finished": r.steps, "overruns": int(r.overruns),
            "overrun_minutes": int(r.over or 0) // 60, "behind_schedule": int(r.behind),
            "worked_minutes": int(r.worked or 0) // 60} for r in rows]
    out.sort(key=lambda x: str(x["group"]))
    totals = {k: sum(r[k] for r in out) for k in ("steps_finished", "overruns",
                                                  "overrun_minutes", "behind_schedule",
                                                  "worked_minutes")}
    for row in (*out, totals):
        row["overrun_rate_pct"] = pct(row["overruns"], row["steps_finished"])
        row["avg_step_minutes"] = (round(row["worked_minutes"] / row["steps_finished"], 1)
                                   if row["steps_finished"] else None)
    return {"report": "steps", "period": period.as_dict(), "by": by, "rows": out,
            "totals": totals}


def workload(engine: Engine, *, province_code: int, period: Period, now: datetime,
             by: str = "official", unit_code: str | None = None) -> dict:
    """Open dossiers and steps now, steps handled in the period and per week, average working
    time per step, per official or unit."""
    if by not in ("official", "unit"):
        raise ValidationError("Báo cáo khối lượng công việc nhóm theo official hoặc unit.")
    holder = sa.func.coalesce(S.assignee_id, S.completed_by_id)
    group = S.unit_id if by == "unit" else holder
    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        base = [D.province_code == province_code]
        if scope is not None:
            base.append(S.unit_id.in_(scope))
        open_stmt = sa.select(group.label("grp"), sa.func.count().label("open_steps"),
                              sa.func.count(sa.distinct(D.id)).label("open_dossiers"),
                              sa.func.sum(sa.case((D.due < sa.bindparam("now"), 1),
                                                  else_=0)).label("overdue")
                              ).select_from(_steps_from([])).where(
            *base, D.status == "in_progress", S.seq == D.current_step).group_by(group)
        done_stmt = sa.select(group.label("grp"), sa.func.count().label("handled"),
                              sa.func.sum(S.worked_seconds).label("worked")
                              ).select_from(_steps_from([])).where(
            *base, S.finished_at >= period.start, S.finished_at < period.end).group_by(group)
        opened = {r.grp: r for r in conn.execute(open_stmt, {"now": now})}
        done = {r.grp: r for r in conn.execute(done_stmt)}
        labels = _labels(conn, by, set(opened) | set(done))
    weeks = period.days / 7
    out = []
    for key in set(opened) | set(done):
        o, d = opened.get(key), done.get(key)
        handled = d.handled if d else 0
        out.append({"group": labels.get(key, "(chưa phân công)"), "key": key,
                    "open_dossiers": o.open_dossiers if o else 0,
                    "open_steps": o.open_steps if o else 0,
                    "overdue_open": int(o.overdue) if o else 0, "handled": handled,
                    "handled_per_week": round(handled / weeks, 1),
                    "avg_step_minutes": round((d.worked or 0) / handled / 60, 1)
                    if handled else None})
    out.sort(key=lambda x: str(x["group"]))
    totals = {k: sum(r[k] for r in out) for k in ("open_dossiers", "open_steps", "overdue_open",
                                                  "handled")}
    totals["handled_per_week"] = round(totals["handled"] / weeks, 1)
    return {"report": "workload", "period": period.as_dict(), "by": by, "rows": out,
            "totals": totals}


DRILL_KINDS = {"received": "Tiếp nhận", "finished": "Đã giải quyết", "early": "Trước hạn",
               "on_time": "Đúng hạn", "late": "Trễ hạn", "in_progress": "Đang giải quyết",
               "due_soon": "Sắp đến hạn", "overdue_now": "Đang quá hạn",
               # the Decision 766 inputs counted on the dossiers received in the period
               "online": "Nộp trực tuyến (kể cả nộp hộ)", "fee": "Hồ sơ có phí",
               "paid_online": "Có phí, thanh toán trực tuyến",
               "digitised": "Có thành phần số hóa",
               "scanned": "Có thành phần số hóa tại bộ phận một cửa",
               "certified": "Có bản sao điện tử chứng thực từ bản chính",
               "shared": "Có giấy tờ đưa vào kho dữ liệu của người dân"}
# which 766 input (reports/index766.py) opens which list of dossiers
INDEX_DRILLS = {"received": "received", "online": "online", "fee_dossiers": "fee",
                "paid_online": "paid_online", "digitised": "digitised",
                "with_components": "scanned", "certified": "certified", "shared": "shared"}


def dossiers_behind(engine: Engine, calendar: WorkingCalendar, *, province_code: int,
                    period: Period, kind: str, now: datetime, by: str | None = None,
                    key: str | None = None, unit_code: str | None = None,
                    due_soon_share: float = 0.2, limit: int = 500) -> list:
    """The dossiers behind one number of the on-time report (same rules, same cohort)."""
    if kind not in DRILL_KINDS:
        raise ValidationError(f"Không có chỉ tiêu “{kind}”.")
    groups, joins = _dossier_groups(by or "unit")
    group = groups[0]
    conditions = {
        "received": sa.true(),
        "finished": FINISHED,
        "early": D.timeliness == "early", "on_time": D.timeliness == "on_time",
        "late": D.timeliness == "late", "in_progress": D.status.in_(OPEN),
        "overdue_now": sa.and_(D.status == "in_progress", D.due < now),
        "due_soon": sa.and_(D.status == "in_progress", D.due >= now),
        "online": D.channel.in_(["online", "assisted"]), "fee": D.fee_amount > 0,
        "paid_online": sa.and_(D.fee_amount > 0, D.paid_online.is_(True)),
        "digitised": D.inputs_digitised.is_(True),
        "scanned": D.code.in_(sa.select(SCAN.dossier_code)),
        "certified": D.code.in_(sa.select(SCAN.dossier_code).where(
            SCAN.certified_sha256.is_not(None))),
        "shared": D.code.in_(sa.select(t.citizen_documents.c.source_dossier_code)),
    }
    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        where = [*_cohort(conn, province_code, period, scope), conditions[kind]]
        if by and key not in (None, ""):
            value = int(key) if by in ("unit", "official", "month") and str(key).isdigit() \
                else key
            where.append(group == value)
        stmt = (sa.select(D.id, D.code, D.applicant_name, D.status, D.timeliness,
                          D.received_at, D.due, D.appointment, D.effective_receipt,
                          D.appointment_at_receipt, D.result_ready_at, D.current_step,
                          D.unit_id, P.name.label("procedure"))
                .select_from(_from(sorted({*joins, "procedure"})))
                .where(*where).order_by(D.due).limit(limit))
        rows = list(conn.execute(stmt))
        if kind == "due_soon":
            rows = [r for r in rows
                    if _urgency(calendar, r, now, due_soon_share) is Urgency.DUE_SOON]
        return _explained(conn, calendar, rows, now)


@dataclass(frozen=True)
class BehindRow:
    """A dossier behind a number, as a leader reads it: where it is, who holds it, how many
    working days late, and which steps overran their time and by how much."""

    code: str
    applicant_name: str
    procedure: str
    unit: str
    status: object
    timeliness: object
    received_at: datetime
    due: datetime
    step: str           # the step it is at (or "")
    step_unit: str
    official: str       # who holds that step (or "")
    days_late: float | None  # working days past due, one decimal (None: not late)
    overruns: list      # (step name, unit, official, working hours over)


def _explained(conn: Connection, calendar: WorkingCalendar, rows: list,
               now: datetime) -> list[BehindRow]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    U, OF = t.units.c, t.officials.c
    names = {r.id: r.name for r in conn.execute(sa.select(U.id, U.name))}
    steps: dict[int, list] = {}
    for start in range(0, len(ids), 500):
        for s in conn.execute(sa.select(S.dossier_id, S.seq, S.name, S.unit_id, S.assignee_id,
                                        S.completed_by_id, S.worked_seconds,
                                        S.allocated_seconds, S.overran)
                              .where(S.dossier_id.in_(ids[start:start + 500]))
                              .order_by(S.dossier_id, S.seq)):
            steps.setdefault(s.dossier_id, []).append(s)
    named = {i for ss in steps.values() for s in ss for i in (s.assignee_id, s.completed_by_id)
             if i is not None}
    people = {r.id: r.full_name for r in conn.execute(
        sa.select(OF.id, OF.full_name).where(OF.id.in_(named)))} if named else {}
    day = calendar.day_seconds or 1
    out = []
    for r in rows:
        mine = steps.get(r.id, [])
        current = next((s for s in mine if s.seq == r.current_step), None)
        ready = r.result_ready_at or now
        late = calendar.between(r.due, ready) / day if ready > r.due else None
        out.append(BehindRow(
            r.code, r.applicant_name, r.procedure, names.get(r.unit_id, ""), r.status,
            r.timeliness, r.received_at, r.due,
            current.name if current and not r.result_ready_at else "",
            names.get(current.unit_id, "") if current and not r.result_ready_at else "",
            people.get(current.assignee_id or current.completed_by_id, "")
            if current and not r.result_ready_at else "",
            round(late, 1) if late else None,
            [(s.name, names.get(s.unit_id, ""),
              people.get(s.assignee_id or s.completed_by_id, ""),
              round((s.worked_seconds - s.allocated_seconds) / 3600, 1))
             for s in mine if s.overran]))
    return out


def supplements(engine: Engine, *, province_code: int, period: Period,
                unit_code: str | None = None) -> dict:
    """Supplement requests made in the period, per receiving unit: how many, how many later
    than the window after receipt (3 working days unless sector law sets another; Decree
    118/2025 art. 19(5)), how many were a second or later request (late in Decision 766),
    how many are still awaited, and how many dossiers were closed for want of one."""
    X = t.dossier_supplements.c

    def count(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    with engine.connect() as conn:
        scope = unit_scope(conn, province_code, unit_code)
        where = [D.province_code == province_code, X.requested_at >= period.start,
                 X.requested_at < period.end]
        if scope is not None:
            where.append(D.unit_id.in_(scope))
        stmt = (sa.select(D.unit_id, sa.func.count().label("requests"),
                          count(X.late.is_(True)).label("late_requests"),
                          count(X.seq > 1).label("repeat_requests"),
                          count(sa.and_(X.supplemented_at.is_(None),
                                        D.status == "awaiting_supplement")).label("awaited"),
                          sa.func.count(sa.distinct(sa.case((D.status == "closed", D.id))))
                          .label("closed"))
                .join_from(t.dossier_supplements, t.dossiers, X.dossier_id == D.id)
                .where(*where).group_by(D.unit_id))
        rows = list(conn.execute(stmt))
        labels = _labels(conn, "unit", {r.unit_id for r in rows})
    keys = ("requests", "late_requests", "repeat_requests", "awaited", "closed")
    out = sorted(({"group": labels.get(r.unit_id, str(r.unit_id)),
                   **{k: int(getattr(r, k) or 0) for k in keys},
                   "late_rate_pct": pct(int(r.late_requests or 0), int(r.requests))}
                  for r in rows), key=lambda r: r["group"])
    totals = {k: sum(r[k] for r in out) for k in keys}
    totals["late_rate_pct"] = pct(totals["late_requests"], totals["requests"])
    return {"report": "supplements", "period": period.as_dict(), "by": "unit", "rows": out,
            "totals": totals}
