"""Lifecycle throughput through the service layer, against a raw INSERT+UPDATE baseline.

For a SQLite file and for PostgreSQL (MOTCUA_BENCH_PG, default the local test database):
complete lifecycles (receive, three steps, return = 5 transitions, each its own
transaction with its audit event) and, in the same run, `raw_per_s`: one INSERT
and one UPDATE per transaction with plain sqlite3/psycopg on the same database.
Prints one JSON object. Run: .venv/bin/python benchmarks/bench_lifecycle.py
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from motcua.bootstrap import build  # noqa: E402
from motcua.domain.calendar import VN_TZ  # noqa: E402
from motcua.domain.clock import FixedClock  # noqa: E402
from motcua.domain.commands import CompleteStep, ReturnResult
from motcua.services import dossiers as uc  # noqa: E402
from motcua.services.officials import create_official  # noqa: E402
from motcua.services.procedures import procedure_from_dict, save_procedures  # noqa: E402
from motcua.services.units import create_unit  # noqa: E402
from motcua.settings import Settings  # noqa: E402

LIFECYCLES = int(os.environ.get("MOTCUA_BENCH_LIFECYCLES", "300"))
ROUNDS = int(os.environ.get("MOTCUA_BENCH_ROUNDS", "3"))
# concurrent PostgreSQL runs: one worker per core (as the app is served) and two per core
WORKERS = [int(w) for w in os.environ.get(
    "MOTCUA_BENCH_WORKERS", f"{os.cpu_count()},{2 * os.cpu_count()}").split(",") if w.strip()]
RAW = 2000
PG = os.environ.get("MOTCUA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
CITIZEN = {"kind": "person", "id_number": "066190001234", "name": "Phạm Thị Công Dân"}
START = datetime(2026, 1, 5, 8, 0, tzinfo=VN_TZ)


def setup(url: str, workers: int) -> None:
    """One commune per worker (each desk has its own daily code counter) with its own
    official, as at real desks; one procedure."""
    app = build(Settings(database_url=url), clock=FixedClock(START))
    codes = [f"2417{i}" for i in range(workers)]
    for code in codes:
        create_unit(app, code=code, name=f"Xã thử {code}", kind="commune")
    save_procedures(app, [procedure_from_dict({
        "code": "1.001193", "name": "Đăng ký khai sinh", "deadline": {"working_days": 3},
        "steps": [{"name": f"Bước {i}", "working_hours": 6} for i in (1, 2, 3)]})])
    for i, code in enumerate(codes):
        create_official(app, username=f"bench{i}", full_name=f"Cán bộ đo {i}",
                        password="mat-khau-do", roles=[(code, r) for r in ("desk", "specialist")])
    app.close()


def lifecycle_worker(url: str, index: int, barrier, results) -> None:
    clock = FixedClock(START)
    app = build(Settings(database_url=url), migrate=False, clock=clock)
    with app.uow() as uow:
        desk = uow.officials.by_username(f"bench{index}")[0]
    unit = f"2417{index}"
    barrier.wait()
    t0 = time.perf_counter()
    for _ in range(LIFECYCLES):
        code = uc.receive_dossier(app, procedure_code="1.001193", unit_code=unit,
                                  channel="desk", applicant=CITIZEN, official=desk).code
        for _ in range(3):
            clock.set(clock.now() + timedelta(seconds=30))
            uc.act(app, code, CompleteStep(), desk)
        uc.act(app, code, ReturnResult(), desk)
    results.put((LIFECYCLES * 5, t0, time.perf_counter()))
    app.close()


def raw_sqlite_worker(path: str, index: int, barrier, results) -> None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA synchronous=NORMAL")
    barrier.wait()
    t0 = time.perf_counter()
    for i in range(index * RAW, (index + 1) * RAW):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw (id, v) VALUES (?, 0)", (i,))
        conn.execute("UPDATE raw SET v = v + 1 WHERE id = ?", (i,))
        conn.execute("COMMIT")
    results.put((RAW, t0, time.perf_counter()))


def raw_postgres_worker(url: str, index: int, barrier, results) -> None:
    with psycopg.connect(url) as conn:
        barrier.wait()
        t0 = time.perf_counter()
        for i in range(index * RAW, (index + 1) * RAW):
            conn.execute("INSERT INTO bench_raw (id, v) VALUES (%s, 0)", (i,))
            conn.execute("UPDATE bench_raw SET v = v + 1 WHERE id = %s", (i,))
            conn.commit()
        results.put((RAW, t0, time.perf_counter()))


def in_parallel(worker, target: str, workers: int) -> float:
    """Run ``workers`` processes at once; rate = all their work / wall time from start to end."""
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(target, i, barrier, results)) for i in range(workers)]
    for p in procs:
        p.start()
    done = [results.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"worker failed with exit code {p.exitcode}")
    return sum(n for n, _, _ in done) / (max(e for _, _, e in done) - min(s for _, s, _ in done))


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def figures(rate: float, raw: float, workers: int | None = None) -> dict:
    return {**({"workers": workers} if workers else {}), "transitions_per_s": round(rate, 1), "raw_per_s": round(raw, 1),
            "share_of_raw_pct": round(100 * rate / raw, 1)}


def against_target(result: dict) -> dict:
    """The issue's PostgreSQL target: >= 1,000 transitions/s and >= 30% of raw, together."""
    return {**result, "target_met": result["transitions_per_s"] >= 1000
            and result["share_of_raw_pct"] >= 30}


def sqlite_run(workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        setup(url, workers)
        rate = in_parallel(lifecycle_worker, url, workers)
        raw_path = str(Path(tmp) / "raw.sqlite3")
        with sqlite3.connect(raw_path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, v INTEGER)")
        raw = in_parallel(raw_sqlite_worker, raw_path, workers)
    return figures(rate, raw, workers)


def checkpoint(url: str) -> None:
    """Write out dirty pages now, so that neither measured phase pays for the one before."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def postgres_run(workers: int) -> dict:
    """Rounds of (lifecycles, raw baseline), taking the median of each: the disk's fsync
    time, which bounds both, drifts on a shared machine, so the two are measured close
    together, several times."""
    reset_postgres(PG)
    setup(PG, workers)
    rounds = []
    for _ in range(ROUNDS):
        checkpoint(PG)
        rate = in_parallel(lifecycle_worker, PG, workers)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_raw")
            conn.execute("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v INTEGER)")
        checkpoint(PG)
        rounds.append((rate, in_parallel(raw_postgres_worker, PG, workers)))
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_raw")
    result = figures(statistics.median(r for r, _ in rounds),
                     statistics.median(raw for _, raw in rounds), workers)
    result["rounds"] = [figures(rate, raw) for rate, raw in rounds]
    return against_target(result)


def main() -> None:
    result = {"lifecycles_per_worker": LIFECYCLES, "transitions_per_lifecycle": 5,
              "rounds": ROUNDS, "sqlite": sqlite_run(1), "postgresql": postgres_run(1),
              "postgresql_concurrent": [postgres_run(w) for w in WORKERS if w > 1]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
