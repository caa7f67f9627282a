"""Lifecycle throughput through the service layer, against a raw INSERT+UPDATE baseline.

For a SQLite file and for PostgreSQL (MOTCUA_BENCH_PG, default the local test database):
complete lifecycles (receive, three steps, return = 5 transitions, each its own
transaction with its audit event) and, in the same run, `raw_per_s`: one INSERT
and one UPDATE per transaction with plain sqlite3/psycopg on the same database.
Prints one JSON object. Run: .venv/bin/python benchmarks/bench_lifecycle.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from motcua.bootstrap import build  # noqa: E402
from motcua.domain.calendar import VN_TZ  # noqa: E402
from motcua.domain.clock import FixedClock  # noqa: E402
from motcua.services import dossiers as uc  # noqa: E402
from motcua.services.officials import create_official  # noqa: E402
from motcua.services.procedures import procedure_from_dict, save_procedures  # noqa: E402
from motcua.services.units import create_unit  # noqa: E402
from motcua.settings import Settings  # noqa: E402

LIFECYCLES = int(os.environ.get("MOTCUA_BENCH_LIFECYCLES", "300"))
RAW = 2000
PG = os.environ.get("MOTCUA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
CITIZEN = {"kind": "person", "id_number": "066190001234", "name": "Phạm Thị Công Dân"}


def lifecycles(url: str) -> float:
    from datetime import datetime

    clock = FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=VN_TZ))
    app = build(Settings(database_url=url), clock=clock)
    create_unit(app, code="24175", name="Xã Hòa Phú", kind="commune")
    save_procedures(app, [procedure_from_dict({
        "code": "1.001193", "name": "Đăng ký khai sinh", "deadline": {"working_days": 3},
        "steps": [{"name": f"Bước {i}", "working_hours": 6} for i in (1, 2, 3)]})])
    desk = create_official(app, username="bench", full_name="Cán bộ đo", password="mat-khau-do",
                           roles=[("24175", "desk"), ("24175", "specialist")])
    t0 = time.perf_counter()
    for _ in range(LIFECYCLES):
        code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                  channel="desk", applicant=CITIZEN, official=desk)["code"]
        for _ in range(3):
            clock.set(clock.now() + timedelta(seconds=30))
            uc.complete_step(app, code, official=desk)
        uc.return_result(app, code, official=desk)
    elapsed = time.perf_counter() - t0
    app.close()
    return LIFECYCLES * 5 / elapsed


def raw_sqlite(path: Path) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, v INTEGER)")
    t0 = time.perf_counter()
    for i in range(RAW):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw (id, v) VALUES (?, 0)", (i,))
        conn.execute("UPDATE raw SET v = v + 1 WHERE id = ?", (i,))
        conn.execute("COMMIT")
    return RAW / (time.perf_counter() - t0)


def raw_postgres(url: str) -> float:
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw")
        conn.execute("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v INTEGER)")
        conn.commit()
        t0 = time.perf_counter()
        for i in range(RAW):
            conn.execute("INSERT INTO bench_raw (id, v) VALUES (%s, 0)", (i,))
            conn.execute("UPDATE bench_raw SET v = v + 1 WHERE id = %s", (i,))
            conn.commit()
        rate = RAW / (time.perf_counter() - t0)
        conn.execute("DROP TABLE bench_raw")
        conn.commit()
    return rate


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    result = {"lifecycles": LIFECYCLES, "transitions_per_lifecycle": 5}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_rate = lifecycles(f"sqlite:///{tmp}/bench.sqlite3")
        raw = raw_sqlite(Path(tmp) / "raw.sqlite3")
    result["sqlite"] = {"transitions_per_s": round(sqlite_rate, 1), "raw_per_s": round(raw, 1),
                        "share_of_raw_pct": round(100 * sqlite_rate / raw, 1)}
    reset_postgres(PG)
    pg_rate = lifecycles(PG)
    raw = raw_postgres(PG)
    result["postgresql"] = {"transitions_per_s": round(pg_rate, 1), "raw_per_s": round(raw, 1),
                            "share_of_raw_pct": round(100 * pg_rate / raw, 1)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
