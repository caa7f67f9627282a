"""How fast could a step completion be on PostgreSQL if Python only sent motcua's SQL?

Completes a step on N dossiers through the service layer with the save held
back, keeping the exact statement and parameters each save would send; then
replays, on a plain psycopg connection, what each of those transitions costs
the database: the load query and the save statement, each on its own as the
service layer sends them (the save commits by itself). Prints one JSON
object: the service-layer rate for the same transitions, the SQL-only rate
(the floor the service layer can approach), and the raw INSERT+UPDATE
baseline of bench_lifecycle.py, all measured in this run.
Run: .venv/bin/python benchmarks/bench_sql_floor.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from bench_lifecycle import CITIZEN, PG, START, reset_postgres, setup  # noqa: E402

from motcua.bootstrap import build  # noqa: E402
from motcua.domain.clock import FixedClock  # noqa: E402
from motcua.domain.commands import CompleteStep  # noqa: E402
from motcua.services import dossiers as uc  # noqa: E402
from motcua.settings import Settings  # noqa: E402
from motcua.storage import dossier_pg  # noqa: E402

DOSSIERS = int(os.environ.get("MOTCUA_BENCH_DOSSIERS", "1000"))


class HeldBack(Exception):
    pass


def main() -> None:
    reset_postgres(PG)
    setup(PG, 1)
    app = build(Settings(database_url=PG), migrate=False, clock=FixedClock(START))
    with app.uow() as uow:
        desk = uow.officials.by_username("bench0")[0]
    codes = [uc.receive_dossier(app, procedure_code="1.001193", unit_code="24170",
                                channel="desk", applicant=CITIZEN, official=desk).code
             for _ in range(2 * DOSSIERS)]

    started = time.perf_counter()
    for code in codes[DOSSIERS:]:
        uc.act(app, code, CompleteStep(), desk)
    service = DOSSIERS / (time.perf_counter() - started)

    saves = []
    store = dossier_pg.PostgresDossierStore
    real_save = store.run_save

    def hold_back(conn, code, statement, params):
        saves.append((code, statement, dict(params)))
        raise HeldBack

    store.run_save = staticmethod(hold_back)
    for code in codes[:DOSSIERS]:
        try:
            uc.act(app, code, CompleteStep(), desk)
        except HeldBack:
            pass
    store.run_save = real_save
    app.close()

    load = dossier_pg.BY_CODE.statement
    with psycopg.connect(PG, options="-c TimeZone=UTC", autocommit=True) as conn:
        cursor = psycopg.RawCursor(conn)
        started = time.perf_counter()
        for code, statement, params in saves:
            cursor.execute(load.sql, [code])
            cursor.fetchall()
            cursor.execute(statement.sql, [params[n] for n in statement.names])
            cursor.fetchone()
        floor = len(saves) / (time.perf_counter() - started)
    with psycopg.connect(PG) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw")
        conn.execute("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v INTEGER)")
        conn.commit()
        started = time.perf_counter()
        for i in range(2000):
            conn.execute("INSERT INTO bench_raw (id, v) VALUES (%s, 0)", (i,))
            conn.execute("UPDATE bench_raw SET v = v + 1 WHERE id = %s", (i,))
            conn.commit()
        raw = 2000 / (time.perf_counter() - started)
        conn.execute("DROP TABLE bench_raw")
        conn.commit()
    print(json.dumps({"complete_step_service_per_s": round(service, 1),
                      "complete_step_sql_only_per_s": round(floor, 1),
                      "raw_per_s": round(raw, 1),
                      "service_share_of_raw_pct": round(100 * service / raw, 1),
                      "sql_only_share_of_raw_pct": round(100 * floor / raw, 1)}))


if __name__ == "__main__":
    main()
