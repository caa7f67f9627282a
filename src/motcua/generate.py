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
from datetime import UTC, date, datetime, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from motcua.analytics.workcal import UTC_OFFSET, VectorCalendar, judge_timeliness_array
from motcua.domain.audit import chain_event
from motcua.domain.calendar import VN_TZ
from motcua.domain.dossiers import DECREE_118_FROM, dossier_code, search_text
from motcua.domain.errors import ValidationError
from motcua.storage import bulk, stats
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

    def chunks():
        """Rows for each chunk, in order; the daily code counters are kept here."""
        done = 0
        while done < count:
            n = min(chunk, count - done)
            yield _chunk(ctx, vc, rng, n, procedures, by_code, communes, commune_w, centre,
                         mix, desk_days, online_days, year_start, now, counters,
                         first_id + done)
            done += n
        yield counters

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


def _units_for(rng, n, proc_idx, procedures, by_code, communes, commune_w, centre):
    commune_pick = rng.choice(len(communes), size=n, p=commune_w)
    unit_ids, unit_codes = np.empty(n, dtype=np.int64), np.empty(n, dtype=object)
    for i in range(n):
        p = procedures[proc_idx[i]]
        unit = (by_code.get(p.unit_code) if p.unit_code else None) or \
            (communes[commune_pick[i]] if p.level.value == "commune" or centre is None
             else centre)
        unit_ids[i], unit_codes[i] = unit.id, unit.code
    return unit_ids, unit_codes


def _chunk(ctx, vc, rng, n, procedures, by_code, communes, commune_w, centre, mix, desk_days,
           online_days, year_start, now, counters, first_id) -> int:
    engine = ctx.engine
    proc_idx = rng.choice(len(procedures), size=n, p=mix)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)
    online = channel == 1  # assisted filings are made by an official at a desk
    day = np.where(online, rng.choice(online_days.size, size=n, p=online_days),
                   rng.choice(desk_days.size, size=n, p=desk_days))
    received = year_start + day * 86_400 + _seconds_of_day(rng, n, online)
    unit_ids, unit_codes = _units_for(rng, n, proc_idx, procedures, by_code, communes, commune_w,
                                      centre)
    effective = np.empty(n, dtype=np.int64)
    appointment = np.empty(n, dtype=np.int64)
    for k, p in enumerate(procedures):
        sel = proc_idx == k
        if sel.any():
            effective[sel] = vc.effective_receipt(received[sel], p.deadline.cutoff)
            appointment[sel] = vc.appointments(received[sel], p.deadline)
    # fates: supplements, send-backs, extensions, early endings
    fate = rng.random(n)
    supplemented = fate < 0.07
    twice = supplemented & (rng.random(n) < 0.12)
    pause = np.where(supplemented, (rng.lognormal(9.6, 0.9, n)).astype(np.int64), 0)
    # Decree 118/2025 art. 19(5): from 1 Jul 2025 a complete supplement restarts the deadline
    restart = supplemented & (received >= DECREE_118_EPOCH)
    due = np.empty(n, dtype=np.int64)
    ended = np.select([fate > 0.985, fate > 0.975, fate > 0.965], ["withdrawn", "stopped",
                                                                    "refused"], "")
    extended = (rng.random(n) < 0.015)
    send_back = rng.random(n) < 0.02
    unit_slowness = rng.lognormal(0, 0.35, size=max(u.id for u in by_code.values()) + 1)
    start_pos = vc.clock(effective)
    ready = np.full(n, NULL, dtype=np.int64)
    status = np.empty(n, dtype=object)
    current = np.ones(n, dtype=np.int64)
    step_ends = [None] * n
    for k, p in enumerate(procedures):
        sel = np.nonzero(proc_idx == k)[0]
        if not sel.size:
            continue
        alloc = np.array([s.allocated_seconds for s in p.steps], dtype=np.int64)
        m = sel.size
        worked = (alloc[None, :] * rng.lognormal(-0.45, 0.75, size=(m, alloc.size))
                  * unit_slowness[unit_ids[sel]][:, None]).astype(np.int64)
        worked = np.maximum(worked, 600)
        worked[send_back[sel], min(1, alloc.size - 1)] += alloc[min(1, alloc.size - 1)] // 2
        at_step = min(1, alloc.size - 1)
        worked_plus = worked.copy()
        worked_plus[:, at_step] += pause[sel]
        finish_pos = start_pos[sel][:, None] + np.cumsum(worked_plus, axis=1)
        planned_pos = start_pos[sel][:, None] + np.cumsum(alloc)[None, :]
        # the supplement is asked when the step at_step starts and comes back after ``pause``
        back_pos = start_pos[sel] + worked[:, :at_step].sum(axis=1) + pause[sel]
        restarted = restart[sel]
        due[sel] = np.where(
            restarted, vc.appointments(vc.instants(back_pos, closing=False), p.deadline),
            vc.instants(vc.clock(appointment[sel]) + pause[sel], closing=True))
        shift = np.where(restarted, np.maximum(0, vc.clock(due[sel]) - planned_pos[:, -1]),
                         pause[sel])
        planned_pos[:, at_step:] += shift[:, None]
        finish = vc.instants(finish_pos.ravel(), closing=True).reshape(finish_pos.shape)
        planned = vc.instants(planned_pos.ravel(), closing=True).reshape(planned_pos.shape)
        for j, i in enumerate(sel):
            step_ends[i] = (p, alloc, worked[j], finish[j], planned[j])
    current_appointment = np.where(restart, due, appointment)
    new_appointment = np.where(extended,
                               vc.add(current_appointment, 3 * vc.calendar.day_seconds),
                               current_appointment)
    after_supplement = np.where(restart, due, NULL)
    for i in range(n):
        p, alloc, worked, finish, planned = step_ends[i]
        last = len(alloc) if not ended[i] else 1
        done_steps = int(np.searchsorted(finish[:last], now, side="right"))
        if done_steps < last:
            status[i] = "in_progress"
            current[i] = done_steps + 1
        else:
            status[i] = ended[i] or "result_ready"
            current[i] = last
            if status[i] != "withdrawn":  # refusals and stops are judged, withdrawals not
                ready[i] = finish[last - 1]
        step_ends[i] = (p, alloc, worked, finish, planned, done_steps)
    closed = (status == "result_ready")
    back = vc.add(np.where(closed, ready, effective), rng.integers(1800, 3 * 28_800, size=n))
    returned = np.where(closed & (back <= now), back, NULL)
    status = np.where(closed & (returned != NULL), "returned", status)
    judged = ready != NULL
    timeliness = np.where(~judged | (status == "withdrawn"), None,
                          judge_timeliness_array(np.where(judged, ready, due), due))
    handling = np.where(judged, vc.between(effective, np.where(judged, ready, effective)) - pause,
                        0)
    fee = np.array([procedures[k].fee_amount for k in proc_idx], dtype=np.int64)
    paid_online = (fee > 0) & (online | (rng.random(n) < 0.1))
    payment = np.where(fee == 0, "", np.where(paid_online, "online",
                                              np.where(rng.random(n) < 0.7, "cash", "transfer")))
    digitised = rng.random(n) < 0.65
    electronic = judged & (rng.random(n) < 0.55)
    rating = np.where((status == "returned") & (rng.random(n) < 0.3),
                      rng.choice([5, 4, 3, 2, 1], size=n, p=[0.45, 0.32, 0.13, 0.06, 0.04]), 0)
    times = {name: bulk.times(engine, arr) for name, arr in (
        ("received", received), ("effective", effective), ("appointment", appointment),
        ("due", due), ("new_appointment", new_appointment), ("ready", ready),
        ("after_supplement", after_supplement),
        ("returned", returned))}
    last_action = np.maximum.reduce([received, np.where(ready == NULL, received, ready),
                                     np.where(returned == NULL, received, returned)])
    times["last"] = bulk.times(engine, last_action)
    order = np.argsort(received, kind="stable")
    codes = np.empty(n, dtype=object)
    local_day = np.datetime_as_string(((received + UTC_OFFSET)).astype("datetime64[s]"),
                                      unit="D")
    for i in order:
        stamp = local_day[i][2:].replace("-", "")
        key = (unit_codes[i], stamp)
        counters[key] += 1
        codes[i] = dossier_code(unit_codes[i], stamp, counters[key])
    months = np.array([int(d[:4]) * 100 + int(d[5:7]) for d in local_day.tolist()])
    dossier_rows, event_rows, step_rows = [], [], []
    event_data: dict = {}
    counted = stats.new_deltas()
    province = ctx.settings.province_code
    births = rng.integers(1945, 2007, size=n).tolist()
    sexes = rng.integers(0, 2, size=n).tolist()
    serials = rng.integers(0, 1_000_000, size=n).tolist()
    phones = rng.integers(10_000_000, 99_999_999, size=n).tolist()
    name_parts = zip(rng.integers(len(SURNAMES), size=n).tolist(),
                     rng.integers(len(MIDDLE), size=n).tolist(),
                     rng.integers(len(GIVEN), size=n).tolist(), strict=True)
    names = [" ".join(x for x in (SURNAMES[a], MIDDLE[b], GIVEN[c]) if x)
             for a, b, c in name_parts]
    for i in range(n):
        p, alloc, worked, finish, planned, done_steps = step_ends[i]
        did = first_id + i
        year_of_birth = births[i]
        id_number = (f"0{province:02d}{(0 if year_of_birth < 2000 else 2) + sexes[i]}"
                     f"{year_of_birth % 100:02d}{serials[i]:06d}")
        name = names[i]
        phone = f"09{phones[i]}"
        at = datetime.fromtimestamp(int(received[i]), tz=UTC)
        data_key = (p.code, status[i])
        if data_key not in event_data:
            data = {"generated": True, "procedure": p.code, "status": status[i]}
            event_data[data_key] = (data, json.dumps(data, ensure_ascii=False))
        data, data_json = event_data[data_key]
        event = chain_event(codes[i], 1, at, None, ACTOR, "import", data, "")
        event_rows.append((did, 1, times["received"][i], None, ACTOR, "import", data_json, "",
                           event.hash))
        ch = CHANNELS[channel[i]]
        values = {
            "id": did, "province_code": province, "code": codes[i], "procedure_id": p.id,
            "unit_id": int(unit_ids[i]), "channel": ch, "applicant_kind": "person",
            "applicant_id_number": id_number, "applicant_name": name, "applicant_phone": phone,
            "applicant_birth_year": year_of_birth, "applicant_address": "",
            "applicant_email": "", "filed_by_id": None, "note": "",
            "status": status[i], "current_step": int(current[i]),
            "received_at": times["received"][i], "effective_receipt": times["effective"][i],
            "appointment_at_receipt": times["appointment"][i], "due": times["due"][i],
            "appointment": times["new_appointment"][i], "paused_seconds": int(pause[i]),
            "appointment_after_supplement": times["after_supplement"][i],
            "pause_started_at": None, "result_ready_at": times["ready"][i],
            "returned_at": times["returned"][i], "timeliness": timeliness[i],
            "supplement_requests": int(supplemented[i]) + int(twice[i]),
            "extended": bool(extended[i]),
            "pending_corrections": 0,
            "extension_reason": "Cần xác minh thêm" if extended[i] else "",
            "close_reason": {"refused": "Không đủ điều kiện giải quyết",
                             "stopped": "Có tranh chấp", "withdrawn": "Người dân xin rút"
                             }.get(status[i], ""),
            "last_action_at": times["last"][i], "version": 1, "audit_seq": 1,
            "audit_head": event.hash, "submission_key": None,
            "search_text": search_text(codes[i], name, id_number, phone),
            "received_month": int(months[i]), "fee_amount": int(fee[i]),
            "payment_method": str(payment[i]), "paid_online": bool(paid_online[i]),
            "inputs_digitised": bool(digitised[i]), "result_electronic": bool(electronic[i]),
            "satisfaction": int(rating[i]) or None,
            "handling_seconds": int(handling[i]) if judged[i] else None,
        }
        dossier_rows.append(tuple(values[c] for c in DOSSIER_COLUMNS))
        stats.add(counted, stats.cells_for(values))
        starts = [effective[i], *finish[:-1]]
        closed_early = status[i] in ("refused", "stopped", "withdrawn")
        for s, planned_step in enumerate(p.steps[:len(alloc)]):
            finished = s < done_steps and s < current[i] and not closed_early
            started = s < current[i]
            unit_id = int(unit_ids[i]) if not planned_step.unit_code else \
                by_code[planned_step.unit_code].id
            over = bool(worked[s] > alloc[s]) if finished else None
            step_rows.append((
                did, s + 1, planned_step.name, unit_id, planned_step.role, int(alloc[s]),
                planned[s], starts[s] if started else NULL, finish[s] if finished else NULL,
                starts[s] if started and not finished and status[i] == "in_progress" else NULL,
                0, int(worked[s]) if finished else 0,
                int(pause[i]) if finished and s == min(1, len(alloc) - 1) else 0,
                None, None, over, bool(finish[s] > planned[s]) if finished else None,
                int(send_back[i]) if s == min(1, len(alloc) - 1) else 0))
    return dossier_rows, _step_rows(engine, step_rows), event_rows, dict(counted)


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
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(t.dossier_counters)
    larger = (sa.func.greatest if dialect == "postgresql" else sa.func.max)(
        c.last, insert.excluded.last)
    stmt = insert.on_conflict_do_update(index_elements=["unit_code", "day"],
                                        set_={"last": larger})
    rows = [{"unit_code": u, "day": d, "last": n} for (u, d), n in counters.items()]
    with ctx.engine.begin() as conn:
        if rows:
            conn.execute(stmt, rows)
