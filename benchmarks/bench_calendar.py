"""Calendar speed: one scalar addition, a million vectorised appointments, and a naive baseline.

Prints one JSON object: scalar_us, vector_per_million_s, baseline_per_million_s, speedup.
Run: .venv/bin/python benchmarks/bench_calendar.py
"""

from __future__ import annotations

import json
import time as clock
from datetime import UTC, datetime, timedelta

import holidays
import numpy as np

from motcua.analytics.workcal import VectorCalendar
from motcua.calendar_sources import build_calendar
from motcua.domain.calendar import VN_TZ, Deadline

N = 1_000_000
BASELINE_SAMPLE = 5_000
DAYS = 3
OPEN = ((7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60 + 30))


def naive_appointment(received: datetime, vn_holidays, days: int) -> datetime:
    """Step minute spans day by day, as a straightforward implementation would."""
    local = received.astimezone(VN_TZ)
    day = local.date()
    minute = local.hour * 60 + local.minute
    remaining = days * 8 * 60
    while True:
        if day.weekday() < 5 and day not in vn_holidays:
            for start, end in OPEN:
                begin = max(start, minute)
                if begin < end:
                    take = min(end - begin, remaining)
                    remaining -= take
                    if remaining == 0:
                        m = begin + take
                        return datetime(day.year, day.month, day.day, m // 60, m % 60, tzinfo=VN_TZ)
        day += timedelta(days=1)
        minute = 0


def main() -> None:
    cal = build_calendar()
    deadline = Deadline(DAYS)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=VN_TZ)
    seconds = DAYS * cal.day_seconds
    cal.add(start, seconds)
    loops = 200_000
    t0 = clock.perf_counter()
    for _ in range(loops):
        cal.add(start, seconds)
    scalar_us = (clock.perf_counter() - t0) / loops * 1e6

    rng = np.random.default_rng(2024)
    lo = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(2026, 12, 31, tzinfo=UTC).timestamp())
    receipts = rng.integers(lo, hi, size=N, dtype=np.int64)
    vector = VectorCalendar(cal)
    vector.appointments(receipts[:1000], deadline)
    t0 = clock.perf_counter()
    vector.appointments(receipts, deadline)
    vector_s = clock.perf_counter() - t0

    vn_holidays = holidays.country_holidays("VN", years=range(2024, 2028))
    sample = [datetime.fromtimestamp(int(s), tz=UTC) for s in receipts[:BASELINE_SAMPLE]]
    t0 = clock.perf_counter()
    for r in sample:
        naive_appointment(r, vn_holidays, DAYS)
    baseline_s = (clock.perf_counter() - t0) / BASELINE_SAMPLE * N

    print(json.dumps({
        "scalar_us": round(scalar_us, 3),
        "vector_per_million_s": round(vector_s, 4),
        "baseline_per_million_s": round(baseline_s, 2),
        "speedup": round(baseline_s / vector_s, 1),
        "receipts": N,
        "baseline_sample": BASELINE_SAMPLE,
    }))


if __name__ == "__main__":
    main()
