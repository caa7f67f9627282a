"""Reports over a generated province-year on SQLite, against a plain Python baseline.

Generates MOTCUA_BENCH_DOSSIERS (default 2,000,000) dossiers for 2024 into a new
SQLite file (``load_s``: the whole ``motcua generate`` work, setup included),
then times the on-time report grouped by unit and month, the Decision 766 index
for all units, and, in the same run, ``baseline_ontime_s``: the same on-time
counts computed by a Python loop over every row fetched with plain sqlite3. The
two results are compared (``same_result``). Prints one JSON object.
Run: .venv/bin/python benchmarks/bench_reports.py
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from motcua.bootstrap import build  # noqa: E402
from motcua.demo import setup  # noqa: E402
from motcua.domain.calendar import VN_TZ  # noqa: E402
from motcua.domain.clock import FixedClock  # noqa: E402
from motcua.generate import generate  # noqa: E402
from motcua.reports import make_report  # noqa: E402
from motcua.reports.core import Period  # noqa: E402
from motcua.settings import Settings  # noqa: E402

COUNT = int(os.environ.get("MOTCUA_BENCH_DOSSIERS", "2000000"))
YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))
NOW = datetime(2025, 1, 10, 9, 0, tzinfo=VN_TZ)
KEYS = ("received", "finished", "early", "on_time", "late", "in_progress", "overdue_now")


def baseline(path: Path) -> dict:
    """On-time counts by (unit, month) from every row, in plain Python."""
    conn = sqlite3.connect(path)
    now = NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    counts: dict = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    rows = conn.execute("SELECT unit_id, received_month, status, timeliness, due FROM dossiers "
                        "WHERE received_month BETWEEN 202401 AND 202412")
    for unit_id, month, status, timeliness, due in rows:
        c = counts[(unit_id, month)]
        c["received"] += 1
        if timeliness is not None and status != "withdrawn":
            c["finished"] += 1
        if timeliness in ("early", "on_time", "late"):
            c[timeliness] += 1
        if status in ("in_progress", "awaiting_supplement"):
            c["in_progress"] += 1
        if status == "in_progress" and due < now:
            c["overdue_now"] += 1
    conn.close()
    return counts


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "province-year.sqlite3"
        ctx = build(Settings(database_url=f"sqlite:///{path}", data_dir=Path(tmp)),
                    clock=FixedClock(NOW))
        t0 = time.perf_counter()
        setup(ctx)
        made = generate(ctx, year=2024, count=COUNT, seed=2024)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ontime = make_report(ctx, "ontime", YEAR, "unit,month")
        ontime_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        index = make_report(ctx, "index766", YEAR)
        index_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        expected = baseline(path)
        baseline_s = time.perf_counter() - t0
        got = {tuple(r["key"]): {k: r[k] for k in KEYS} for r in ontime["rows"]}
        same = got == {k: dict(v) for k, v in expected.items()}
        ctx.close()
    print(json.dumps({
        "dossiers": made["dossiers"], "steps": made["steps"], "load_s": round(load_s, 1),
        "ontime_by_unit_month_s": round(ontime_s, 3), "ontime_rows": len(ontime["rows"]),
        "index766_all_units_s": round(index_s, 3), "index766_units": len(index["rows"]),
        "baseline_ontime_s": round(baseline_s, 3),
        "speedup_vs_baseline": round(baseline_s / ontime_s, 1), "same_result": same,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_generator_process_mib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
