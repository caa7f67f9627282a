"""The notification outbox: how fast the worker drains it, and what writing it costs a
dossier transition.

1. Drain (PostgreSQL, database ``motcua_bench_outbox``): 10,000 queued email rows sent to a
   local SMTP server (aiosmtpd, in this process) by 1 and by 2 worker processes
   (``Worker.drain``: claim with FOR UPDATE SKIP LOCKED, send, record each); baseline in
   the same run: the same number of messages sent by smtplib alone over one connection,
   no database (what SMTP on this machine allows).
2. Cost: lifecycles (receive, three steps, return: 5 transitions, 4 notification rows)
   with the notification handler registered and without it, alternating rounds, on
   PostgreSQL and SQLite; the added cost is 1 - with/without.

Prints one JSON object. Run: .venv/bin/python benchmarks/bench_outbox.py
Targets (issue 18): drain >= 200 messages/s with 2 workers; added cost <= 15%.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import smtplib
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from bench_lifecycle import CITIZEN, START, setup  # noqa: E402

from motcua.bootstrap import build  # noqa: E402
from motcua.channels.email import EmailSender  # noqa: E402
from motcua.domain.clock import FixedClock  # noqa: E402
from motcua.domain.commands import CompleteStep, ReturnResult  # noqa: E402
from motcua.services import dossiers as uc  # noqa: E402
from motcua.services import notifications  # noqa: E402
from motcua.services.events import EventHandlers  # noqa: E402
from motcua.settings import Settings  # noqa: E402
from motcua.simulators.mailbox import MailServer  # noqa: E402
from motcua.worker import Worker  # noqa: E402
from tests.outbox_rows import queue_emails, uow_rows  # noqa: E402
from tests.ports import free_port  # noqa: E402

MESSAGES = int(os.environ.get("MOTCUA_BENCH_MESSAGES", "10000"))
LIFECYCLES = int(os.environ.get("MOTCUA_BENCH_LIFECYCLES", "200"))
ROUNDS = int(os.environ.get("MOTCUA_BENCH_ROUNDS", "5"))
SERVER = os.environ.get("MOTCUA_BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
PG = f"{SERVER}/motcua_bench_outbox"


def fresh_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS motcua_bench_outbox WITH (FORCE)")
        conn.execute("CREATE DATABASE motcua_bench_outbox")


def drain_worker(smtp_port: int, barrier, results) -> None:
    app = build(Settings(database_url=PG, smtp_host="127.0.0.1", smtp_port=smtp_port),
                migrate=False)
    worker = Worker(app, batch=100)
    barrier.wait()
    t0 = time.perf_counter()
    worker.drain()
    results.put((worker.totals.counts["sent"], t0, time.perf_counter()))
    app.close()


def drained(app, smtp_port: int, workers: int, tag: str) -> dict:
    queue_emails(app, MESSAGES, tag=tag)
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=drain_worker, args=(smtp_port, barrier, results))
             for _ in range(workers)]
    for p in procs:
        p.start()
    done = [results.get() for _ in procs]
    for p in procs:
        p.join()
    sent = sum(n for n, _, _ in done)
    seconds = max(e for _, _, e in done) - min(s for _, s, _ in done)
    left = sum(1 for r in uow_rows(app, tag) if r.status != "sent")
    return {"workers": workers, "messages": sent, "seconds": round(seconds, 2),
            "per_s": round(sent / seconds, 1), "not_sent": left,
            "per_worker": [n for n, _, _ in done]}


def raw_smtp(smtp_port: int, count: int) -> dict:
    """smtplib alone: the same kind of message (built once), one connection."""
    sender = EmailSender("127.0.0.1", smtp_port, "Một cửa <motcua@localhost>")
    template = notifications.DEFAULT_TEMPLATES["da_tiep_nhan"]
    params = {"ten": "Người nhận", "ma_ho_so": "X", "ngay_hen": "09:00 08/01/2026"}
    message = sender.message(notifications.Outgoing(
        1, "motcua-1", notifications.Channel.EMAIL, "a@example.vn", "Người nhận", template,
        params, notifications.render(template, params)))
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        t0 = time.perf_counter()
        for _ in range(count):
            smtp.send_message(message)
        seconds = time.perf_counter() - t0
    return {"messages": count, "per_s": round(count / seconds, 1)}


def lifecycles(url: str, notify: bool) -> float:
    """Transitions per second of LIFECYCLES lifecycles, with or without notifications."""
    clock = FixedClock(START)
    app = build(Settings(database_url=url), migrate=False, clock=clock)
    if not notify:
        app.events = EventHandlers()
    with app.uow() as uow:
        desk = uow.officials.by_username("bench0")[0]
    t0 = time.perf_counter()
    for _ in range(LIFECYCLES):
        code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24170",
                                  channel="desk", official=desk,
                                  applicant={**CITIZEN, "phone": "0912345678"}).code
        for _ in range(3):
            clock.set(clock.now() + timedelta(seconds=30))
            uc.act(app, code, CompleteStep(), desk)
        uc.act(app, code, ReturnResult(), desk)
    rate = LIFECYCLES * 5 / (time.perf_counter() - t0)
    app.close()
    return rate


def cost(url: str) -> dict:
    setup(url, 1)
    pairs = []
    for _ in range(ROUNDS):  # alternating, so that drift of the disk hits both alike
        pairs.append((lifecycles(url, False), lifecycles(url, True)))
    without = statistics.median(a for a, _ in pairs)
    with_rows = statistics.median(b for _, b in pairs)
    return {"transitions_per_s_without": round(without, 1),
            "transitions_per_s_with": round(with_rows, 1),
            "added_cost_pct": round(100 * (1 - with_rows / without), 1),
            "rounds": [[round(a, 1), round(b, 1)] for a, b in pairs]}


def main() -> None:
    fresh_database()
    with tempfile.TemporaryDirectory() as tmp:
        mail = MailServer(Path(tmp) / "mail", free_port()).start()
        try:
            app = build(Settings(database_url=PG))
            raw = raw_smtp(mail.port, 2000)
            one = drained(app, mail.port, 1, "un")
            two = drained(app, mail.port, 2, "deux")
            app.close()
        finally:
            mail.stop()
        fresh_database()
        pg_cost = cost(PG)
        sqlite_cost = cost(f"sqlite:///{tmp}/cost.sqlite3")
    print(json.dumps({
        "drain_postgresql": {"smtp_alone": raw, "one_worker": one, "two_workers": two,
                             "target_met": two["per_s"] >= 200 and two["not_sent"] == 0},
        "transition_cost": {"lifecycles": LIFECYCLES, "postgresql": pg_cost,
                            "sqlite": sqlite_cost,
                            "target_met": pg_cost["added_cost_pct"] <= 15
                            and sqlite_cost["added_cost_pct"] <= 15}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
