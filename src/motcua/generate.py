"""A realistic province-year of dossiers, made with NumPy and bulk-loaded.

``motcua generate --province 66 --year 2024 --dossiers N --seed S``: arrivals by
weekday and hour (desks on working days in office hours, online at any time),
the Tết dip, a skewed procedure mix, heavy-tailed (log-normal) step durations,
some supplements (a few twice), send-backs, extensions, refusals, stops and
withdrawals, all channels, payment, digitisation and satisfaction. Every time is
computed on the same working calendar as the engine (vectorised), so each
dossier's appointment, step deadlines, ``due`` and verdicts are what the engine
would have recorded. Each generated dossier has one audit event, action
``import``, saying it is simulated data (the chain verifies).
"""

from __future__ import annotations

import json
import multiprocessing as mp
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import sqlalchemy as sa

from motcua.analytics.workcal import UTC_OFFSET, VectorCalendar, judge_timeliness_array
from motcua.domain.audit import chain_event, seal
from motcua.domain.calendar import VN_TZ
from motcua.domain.dossiers import DECREE_118_FROM, dossier_code, search_text
from motcua.domain.errors import ValidationError
from motcua.storage import bulk, db, stats
from motcua.storage import tables as t

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Y", "H'"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Quốc", "Thanh", "Đức", "Hữu", "Thu", ""]
GIVEN = ["An", "Bình", "Châu", "Dung", "Huy", "Lan", "Long", "Mai", "Nam", "Hoa", "Niê", "Blô",
         "Hà", "Khánh", "Linh", "Phúc", "Quang", "Sơn", "Tâm", "Vy"]
CHANNELS = ("desk", "online", "postal", "assisted")
CHANNEL_SHARE = (0.55, 0.33, 0.05, 0.07)
NULL = bulk.NULL_TIME
ACTOR = "Dữ liệu mô phỏng (motcua generate)"
DOSSIER_COLUMNS = [c.name for c in t.dossiers.columns]
STEP_COLUMNS = [c.name for c in t.dossier_steps.columns if c.name != "id"]
EVENT_COLUMNS = [c.name for c in t.audit_events.columns if c.name != "id"]


DECREE_118_EPOCH = int(DECREE_118_FROM.timestamp())


def _day_weights(year: int, cal, online: bool) -> np.ndarray:
    """Relative arrivals per day: Mondays busiest, days off empty at desks, the Tết dip."""
    first = date(year, 1, 1)
    days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
    weights = np.array([(1.25 if d.weekday() == 0 else 1.0) if cal.is_working_day(d)
                        else (0.3 if online else 0.0) for d in days])
    off = np.array([not cal.is_working_day(d) for d in days])
    # the weeks after a long run of days off (Tết) are quieter, then catch up
    run = 0
    for i, is_off in enumerate(off):
        run = run + 1 if is_off else 0
        if run >= 5:
            weights[i + 1:i + 11] *= 0.45
            weights[i + 11:i + 21] *= 1.2
    return weights / weights.sum()


def _seconds_of_day(rng, n: int, online: np.ndarray) -> np.ndarray:
    """Desk arrivals in office hours, busiest mid-morning; online ones at any hour."""
    desk_hours = np.array([7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 13.5, 14, 14.5, 15, 15.5, 16, 16.5,
                           17])
    desk_w = np.array([4, 8, 10, 11, 11, 10, 8, 5, 5, 8, 9, 9, 8, 6, 4, 2], dtype=float)
    slot = rng.choice(desk_hours, size=n, p=desk_w / desk_w.sum())
    desk = (slot * 3600 + rng.integers(0, 1800, size=n)).astype(np.int64)
    hours = np.arange(24)
    online_w = np.where((hours >= 7) & (hours <= 22), 3.0, 0.4)
    any_hour = (rng.choice(hours, size=n, p=online_w / online_w.sum()) * 3600
                + rng.integers(0, 3600, size=n)).astype(np.int64)
    return np.where(online, any_hour, desk)


def generate(ctx, *, year: int, count: int, seed: int, chunk: int = 50_000,
             progress=None) -> dict:
    """Make and load ``count`` dossiers received in ``year``; return what was made."""
    if count <= 0:
        raise ValidationError("Số hồ sơ phải lớn hơn 0.")
    cal = ctx.calendar
    vc = VectorCalendar(cal)
    rng = np.random.default_rng(seed)
    with ctx.uow() as uow:
        procedures = uow.procedures.all_current(ctx.settings.province_code)
        units = uow.units.all(ctx.settings.province_code)
    if not procedures:
        raise ValidationError("Chưa có thủ tục nào: hãy nạp thủ tục (hoặc chạy motcua demo) trước.")
    by_code = {u.code: u for u in units}
    communes = [u for u in units if u.kind.value in ("commune", "ward") and u.valid_to is None]
    centre = next((u for u in units if u.kind.value == "service_centre"), None)
    now = int(ctx.clock.now().timestamp())
    mix = 1.0 / np.arange(1, len(procedures) + 1) ** 0.9
    mix = rng.permutation(mix / mix.sum())
    commune_w = rng.pareto(1.5, size=len(communes)) + 1
    commune_w /= commune_w.sum()
    desk_days = _day_weights(year, cal, online=False)
    online_days = _day_weights(year, cal, online=True)
    year_start = int(datetime(year, 1, 1, tzinfo=VN_TZ).timestamp())
    counters: dict[tuple[str, str], int] = defaultdict(int)
    first_id = bulk.next_id(ctx.engine, t.dossiers)

    plan = Plan(ctx, vc, rng, procedures, by_code, communes, commune_w, centre, mix,
                desk_days, online_days, year_start, now, counters)

    def chunks():
        """Rows for each chunk, in order; the daily code counters are kept in the plan."""
        done = 0
        while done < count:
            n = min(chunk, count - done)
            yield _chunk(plan, n, first_id + done)
            done += n
        yield plan.counters

    made = {"dossiers": 0, "steps": 0}
    # NumPy and Python make the next chunk in a second process while this one loads
    source = _in_background(chunks) if count > chunk else chunks()
    for item in source:
        if isinstance(item, dict):
            counters = item
            break
        dossier_rows, step_rows, event_rows, counted = item
        bulk.load(ctx.engine, t.dossiers, DOSSIER_COLUMNS, dossier_rows)
        bulk.load(ctx.engine, t.dossier_steps, STEP_COLUMNS, step_rows)
        bulk.load(ctx.engine, t.audit_events, EVENT_COLUMNS, event_rows, json_ready=True)
        with ctx.engine.begin() as conn:
            stats.apply(conn, counted)
        made["dossiers"] += len(dossier_rows)
        made["steps"] += len(step_rows)
        if progress:
            progress(made["dossiers"])
    _save_counters(ctx, counters)
    bulk.reset_sequence(ctx.engine, t.dossiers)
    return made


def _in_background(make):
    """Run the generator ``make()`` in a forked process; yield what it yields, in order."""
    context = mp.get_context("fork")
    queue = context.Queue(maxsize=2)

    def run() -> None:
        try:
            for item in make():
                queue.put(("item", item))
            queue.put(("end", None))
        except BaseException as exc:  # handed to the parent, which raises it
            queue.put(("error", exc))

    worker = context.Process(target=run, daemon=True)
    worker.start()
    try:
        while True:
            kind, item = queue.get()
            if kind == "error":
                raise item
            if kind == "end":
                return
            yield item
    finally:
        worker.join(timeout=5)
        if worker.is_alive():
            worker.terminate()


@dataclass
class Plan:
    """What every chunk of a generated year draws from: the catalogue and its mix, the
    units, when dossiers arrive, the clock, the random stream and the daily code counters.
    The chunk's steps below draw from ``rng`` in a fixed order, so a seed makes one year."""

    ctx: object
    vc: VectorCalendar
    rng: np.random.Generator
    procedures: list
    by_code: dict
    communes: list
    commune_w: np.ndarray
    centre: object
    mix: np.ndarray
    desk_days: np.ndarray
    online_days: np.ndarray
    year_start: int
    now: int
    counters: dict


def _chunk(plan: Plan, n: int, first_id: int) -> tuple[list, list, list, dict]:
    """Rows of ``n`` dossiers (ids from ``first_id``): dossiers, steps, audit events and the
    report counters they move."""
    b = _arrive(plan, n)
    _fates(plan, b)
    _handle(plan, b)
    _outcome(plan, b)
    _extras(plan, b)
    _codes(plan, b)
    return _rows(plan, b, first_id)


def _arrive(plan: Plan, n: int) -> SimpleNamespace:
    """Which procedure, channel, moment and unit each dossier arrives with."""
    rng, vc = plan.rng, plan.vc
    b = SimpleNamespace(n=n)
    b.proc_idx = rng.choice(len(plan.procedures), size=n, p=plan.mix)
    b.channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)
    b.online = b.channel == 1  # assisted filings are made by an official at a desk
    day = np.where(b.online, rng.choice(plan.online_days.size, size=n, p=plan.online_days),
                   rng.choice(plan.desk_days.size, size=n, p=plan.desk_days))
    b.received = plan.year_start + day * 86_400 + _seconds_of_day(rng, n, b.online)
    b.unit_ids, b.unit_codes = _units_for(plan, b)
    b.effective = np.empty(n, dtype=np.int64)
    b.appointment = np.empty(n, dtype=np.int64)
    for k, p in enumerate(plan.procedures):
        sel = b.proc_idx == k
        if sel.any():
            b.effective[sel] = vc.effective_receipt(b.received[sel], p.deadline.cutoff)
            b.appointment[sel] = vc.appointments(b.received[sel], p.deadline)
    return b


def _units_for(plan: Plan, b: SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    commune_pick = plan.rng.choice(len(plan.communes), size=b.n, p=plan.commune_w)
    unit_ids, unit_codes = np.empty(b.n, dtype=np.int64), np.empty(b.n, dtype=object)
    for i in range(b.n):
        p = plan.procedures[b.proc_idx[i]]
        unit = (plan.by_code.get(p.unit_code) if p.unit_code else None) or \
            (plan.communes[commune_pick[i]] if p.level.value == "commune" or plan.centre is None
             else plan.centre)
        unit_ids[i], unit_codes[i] = unit.id, unit.code
    return unit_ids, unit_codes


def _fates(plan: Plan, b: SimpleNamespace) -> None:
    """Supplements (a few twice), early endings, extensions, send-backs, slower units."""
    rng, n = plan.rng, b.n
    fate = rng.random(n)
    b.supplemented = fate < 0.07
    b.twice = b.supplemented & (rng.random(n) < 0.12)
    b.pause = np.where(b.supplemented, (rng.lognormal(9.6, 0.9, n)).astype(np.int64), 0)
    # Decree 118/2025 art. 19(5): from 1 Jul 2025 a complete supplement restarts the deadline
    b.restart = b.supplemented & (b.received >= DECREE_118_EPOCH)
    b.ended = np.select([fate > 0.985, fate > 0.975, fate > 0.965],
                        ["withdrawn", "stopped", "refused"], "")
    b.extended = (rng.random(n) < 0.015)
    b.send_back = rng.random(n) < 0.02
    b.unit_slowness = rng.lognormal(0, 0.35, size=max(u.id for u in plan.by_code.values()) + 1)


def _handle(plan: Plan, b: SimpleNamespace) -> None:
    """Each dossier's steps (worked time, finish, planned deadline), its ``due`` and the
    appointment the citizen holds."""
    rng, vc = plan.rng, plan.vc
    start_pos = vc.clock(b.effective)
    b.due = np.empty(b.n, dtype=np.int64)
    b.step_ends = [None] * b.n
    for k, p in enumerate(plan.procedures):
        sel = np.nonzero(b.proc_idx == k)[0]
        if not sel.size:
            continue
        alloc = np.array([s.allocated_seconds for s in p.steps], dtype=np.int64)
        worked = (alloc[None, :] * rng.lognormal(-0.45, 0.75, size=(sel.size, alloc.size))
                  * b.unit_slowness[b.unit_ids[sel]][:, None]).astype(np.int64)
        worked = np.maximum(worked, 600)
        at_step = min(1, alloc.size - 1)
        worked[b.send_back[sel], at_step] += alloc[at_step] // 2
        worked_plus = worked.copy()
        worked_plus[:, at_step] += b.pause[sel]
        finish_pos = start_pos[sel][:, None] + np.cumsum(worked_plus, axis=1)
        planned_pos = start_pos[sel][:, None] + np.cumsum(alloc)[None, :]
        # the supplement is asked when step at_step starts and comes back after ``pause``
        back_pos = start_pos[sel] + worked[:, :at_step].sum(axis=1) + b.pause[sel]
        restarted = b.restart[sel]
        b.due[sel] = np.where(
            restarted, vc.appointments(vc.instants(back_pos, closing=False), p.deadline),
            vc.instants(vc.clock(b.appointment[sel]) + b.pause[sel], closing=True))
        shift = np.where(restarted, np.maximum(0, vc.clock(b.due[sel]) - planned_pos[:, -1]),
                         b.pause[sel])
        planned_pos[:, at_step:] += shift[:, None]
        finish = vc.instants(finish_pos.ravel(), closing=True).reshape(finish_pos.shape)
        planned = vc.instants(planned_pos.ravel(), closing=True).reshape(planned_pos.shape)
        for j, i in enumerate(sel):
            b.step_ends[i] = (p, alloc, worked[j], finish[j], planned[j])
    current_appointment = np.where(b.restart, b.due, b.appointment)
    b.new_appointment = np.where(b.extended,
                                 vc.add(current_appointment, 3 * vc.calendar.day_seconds),
                                 current_appointment)
    b.after_supplement = np.where(b.restart, b.due, NULL)


def _outcome(plan: Plan, b: SimpleNamespace) -> None:
    """Where each dossier is at ``now``: its status, current step, result and return."""
    vc, now = plan.vc, plan.now
    b.ready = np.full(b.n, NULL, dtype=np.int64)
    b.status = np.empty(b.n, dtype=object)
    b.current = np.ones(b.n, dtype=np.int64)
    for i in range(b.n):
        p, alloc, worked, finish, planned = b.step_ends[i]
        last = len(alloc) if not b.ended[i] else 1
        done_steps = int(np.searchsorted(finish[:last], now, side="right"))
        if done_steps < last:
            b.status[i] = "in_progress"
            b.current[i] = done_steps + 1
        else:
            b.status[i] = b.ended[i] or "result_ready"
            b.current[i] = last
            if b.status[i] != "withdrawn":  # refusals and stops are judged, withdrawals not
                b.ready[i] = finish[last - 1]
        b.step_ends[i] = (p, alloc, worked, finish, planned, done_steps)
    closed = (b.status == "result_ready")
    back = vc.add(np.where(closed, b.ready, b.effective),
                  plan.rng.integers(1800, 3 * 28_800, size=b.n))
    b.returned = np.where(closed & (back <= now), back, NULL)
    b.status = np.where(closed & (b.returned != NULL), "returned", b.status)
    b.judged = b.ready != NULL
    b.timeliness = np.where(~b.judged | (b.status == "withdrawn"), None,
                            judge_timeliness_array(np.where(b.judged, b.ready, b.due), b.due))
    b.handling = np.where(b.judged, vc.between(b.effective, np.where(b.judged, b.ready,
                                                                     b.effective)) - b.pause, 0)


def _extras(plan: Plan, b: SimpleNamespace) -> None:
    """Fees and their (simulated) payments, digitisation and the applicants' ratings."""
    rng, n = plan.rng, b.n
    b.fee = np.array([plan.procedures[k].fee_amount for k in b.proc_idx], dtype=np.int64)
    b.paid_online = (b.fee > 0) & (b.online | (rng.random(n) < 0.1))
    b.payment = np.where(b.fee == 0, "", np.where(
        b.paid_online, "online", np.where(rng.random(n) < 0.7, "cash", "transfer")))
    b.digitised = rng.random(n) < 0.65
    b.electronic = b.judged & (rng.random(n) < 0.55)
    b.rating = np.where((b.status == "returned") & (rng.random(n) < 0.3),
                        rng.choice([5, 4, 3, 2, 1], size=n, p=[0.45, 0.32, 0.13, 0.06, 0.04]), 0)


def _codes(plan: Plan, b: SimpleNamespace) -> None:
    """Dossier codes in order of receipt, continuing each unit's daily sequence."""
    b.local_day = np.datetime_as_string(((b.received + UTC_OFFSET)).astype("datetime64[s]"),
                                        unit="D")
    b.codes = np.empty(b.n, dtype=object)
    for i in np.argsort(b.received, kind="stable"):
        stamp = b.local_day[i][2:].replace("-", "")
        key = (b.unit_codes[i], stamp)
        plan.counters[key] += 1
        b.codes[i] = dossier_code(b.unit_codes[i], stamp, plan.counters[key])
    b.months = np.array([int(d[:4]) * 100 + int(d[5:7]) for d in b.local_day.tolist()])


def _people(plan: Plan, n: int) -> list[tuple[int, str, str, str]]:
    """(year of birth, name, personal ID number, phone) of each applicant."""
    rng, province = plan.rng, plan.ctx.settings.province_code
    births = rng.integers(1945, 2007, size=n).tolist()
    sexes = rng.integers(0, 2, size=n).tolist()
    serials = rng.integers(0, 1_000_000, size=n).tolist()
    phones = rng.integers(10_000_000, 99_999_999, size=n).tolist()
    name_parts = zip(rng.integers(len(SURNAMES), size=n).tolist(),
                     rng.integers(len(MIDDLE), size=n).tolist(),
                     rng.integers(len(GIVEN), size=n).tolist(), strict=True)
    names = [" ".join(x for x in (SURNAMES[a], MIDDLE[c], GIVEN[d]) if x)
             for a, c, d in name_parts]
    return [(year, names[i], f"0{province:02d}{(0 if year < 2000 else 2) + sexes[i]}"
                             f"{year % 100:02d}{serials[i]:06d}", f"09{phones[i]}")
            for i, year in enumerate(births)]


def _rows(plan: Plan, b: SimpleNamespace, first_id: int) -> tuple[list, list, list, dict]:
    engine = plan.ctx.engine
    times = {name: bulk.times(engine, arr) for name, arr in (
        ("received", b.received), ("effective", b.effective), ("appointment", b.appointment),
        ("due", b.due), ("new_appointment", b.new_appointment), ("ready", b.ready),
        ("after_supplement", b.after_supplement), ("returned", b.returned))}
    last_action = np.maximum.reduce([b.received, np.where(b.ready == NULL, b.received, b.ready),
                                     np.where(b.returned == NULL, b.received, b.returned)])
    times["last"] = bulk.times(engine, last_action)
    dossier_rows, event_rows, step_rows = [], [], []
    events: dict = {}
    counted = stats.new_deltas()
    for i, person in enumerate(_people(plan, b.n)):
        did = first_id + i
        p = b.step_ends[i][0]
        event, event_row = _import_event(events, b, i, did, p, times["received"][i])
        event_rows.append(event_row)
        values = _dossier_values(plan, b, i, did, p, person, times, event.hash)
        dossier_rows.append(tuple(values[c] for c in DOSSIER_COLUMNS))
        stats.add(counted, stats.cells_for(values))
        step_rows.extend(_dossier_steps(plan, b, i, did))
    return dossier_rows, _step_rows(engine, step_rows), event_rows, dict(counted)


def _import_event(events: dict, b: SimpleNamespace, i: int, did: int, p, received_at):
    """The one audit event of a generated dossier, naming it simulated data."""
    key = (p.code, b.status[i])
    if key not in events:
        data = {"generated": True, "procedure": p.code, "status": b.status[i]}
        events[key] = (data, json.dumps(data, ensure_ascii=False))
    data, data_json = events[key]
    at = datetime.fromtimestamp(int(b.received[i]), tz=UTC)
    event = chain_event(b.codes[i], 1, at, None, ACTOR, "import", data, "")
    return event, (did, 1, received_at, None, ACTOR, "import", data_json, "", event.hash)


def _dossier_values(plan: Plan, b: SimpleNamespace, i: int, did: int, p, person, times: dict,
                    head: str) -> dict:
    year_of_birth, name, id_number, phone = person
    return {
        "id": did, "province_code": plan.ctx.settings.province_code, "code": b.codes[i],
        "procedure_id": p.id, "unit_id": int(b.unit_ids[i]), "channel": CHANNELS[b.channel[i]],
        "applicant_kind": "person", "applicant_id_number": id_number, "applicant_name": name,
        "applicant_phone": phone, "applicant_birth_year": year_of_birth,
        "applicant_address": "", "applicant_email": "", "filed_by_id": None, "note": "",
        "status": b.status[i], "current_step": int(b.current[i]),
        "received_at": times["received"][i], "effective_receipt": times["effective"][i],
        "appointment_at_receipt": times["appointment"][i], "due": times["due"][i],
        "appointment": times["new_appointment"][i], "paused_seconds": int(b.pause[i]),
        "appointment_after_supplement": times["after_supplement"][i],
        "pause_started_at": None, "result_ready_at": times["ready"][i],
        "returned_at": times["returned"][i], "timeliness": b.timeliness[i],
        "supplement_requests": int(b.supplemented[i]) + int(b.twice[i]),
        "extended": bool(b.extended[i]), "pending_corrections": 0,
        "extension_reason": "Cần xác minh thêm" if b.extended[i] else "",
        "close_reason": {"refused": "Không đủ điều kiện giải quyết",
                         "stopped": "Có tranh chấp", "withdrawn": "Người dân xin rút"
                         }.get(b.status[i], ""),
        "last_action_at": times["last"][i], "version": 1, "audit_seq": 1, "audit_head": head,
        "audit_seal": seal(plan.ctx.audit_key, b.codes[i], 1, head),
        "submission_key": None, "search_text": search_text(b.codes[i], name, id_number, phone),
        "received_month": int(b.months[i]), "fee_amount": int(b.fee[i]),
        "payment_method": str(b.payment[i]), "paid_online": bool(b.paid_online[i]),
        "inputs_digitised": bool(b.digitised[i]), "result_electronic": bool(b.electronic[i]),
        "satisfaction": int(b.rating[i]) or None,
        "handling_seconds": int(b.handling[i]) if b.judged[i] else None,
    }


def _dossier_steps(plan: Plan, b: SimpleNamespace, i: int, did: int) -> list[tuple]:
    p, alloc, worked, finish, planned, done_steps = b.step_ends[i]
    starts = [b.effective[i], *finish[:-1]]
    closed_early = b.status[i] in ("refused", "stopped", "withdrawn")
    at_step = min(1, len(alloc) - 1)
    out = []
    for s, planned_step in enumerate(p.steps[:len(alloc)]):
        finished = s < done_steps and s < b.current[i] and not closed_early
        started = s < b.current[i]
        unit_id = int(b.unit_ids[i]) if not planned_step.unit_code else \
            plan.by_code[planned_step.unit_code].id
        over = bool(worked[s] > alloc[s]) if finished else None
        out.append((
            did, s + 1, planned_step.name, unit_id, planned_step.role, int(alloc[s]),
            planned[s], starts[s] if started else NULL, finish[s] if finished else NULL,
            starts[s] if started and not finished and b.status[i] == "in_progress" else NULL,
            0, int(worked[s]) if finished else 0,
            int(b.pause[i]) if finished and s == at_step else 0,
            None, None, over, bool(finish[s] > planned[s]) if finished else None,
            int(b.send_back[i]) if s == at_step else 0))
    return out


def _step_rows(engine, rows: list[tuple]) -> list[tuple]:
    """Steps with their instants (columns 6-9) converted for the database."""
    if not rows:
        return rows
    columns = list(zip(*rows, strict=True))
    for c in (6, 7, 8, 9):
        columns[c] = bulk.times(engine, np.array(columns[c], dtype=np.int64))
    return list(zip(*columns, strict=True))


def _save_counters(ctx, counters: dict) -> None:
    """Later receipts continue the daily sequences the generated codes used."""
    c = t.dossier_counters.c
    dialect = ctx.engine.dialect.name
    insert = db.insert_for(dialect)(t.dossier_counters)
    larger = (sa.func.greatest if dialect == "postgresql" else sa.func.max)(
        c.last, insert.excluded.last)
    stmt = insert.on_conflict_do_update(index_elements=["unit_code", "day"],
                                        set_={"last": larger})
    rows = [{"unit_code": u, "day": d, "last": n} for (u, d), n in counters.items()]
    with ctx.engine.begin() as conn:
        if rows:
            conn.execute(stmt, rows)
