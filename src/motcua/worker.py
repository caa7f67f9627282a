"""``motcua worker``: relays the notification outbox and the national portal's records,
reads the text of scans (in a thread of its own) and runs the periodic jobs.

The loop is written here rather than taken from a scheduler library: every job is a
function whose effects are recorded once in the database (dedupe keys), and whose turn
is taken by a compare-and-set on ``worker_jobs.next_run_at``, so several workers (on
PostgreSQL) never run a job twice, a stopped worker's turn passes to the next one, and
nothing lives only in one process's memory. APScheduler 3 keeps its schedule per process
(two workers sharing a job store run a job twice) and its version 4 is not yet released.

A round: send a batch of due notifications (``services.notifications.relay``, rows
claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL); run each job whose time has
come; sleep a little when there was nothing to send. ``SIGTERM``/``SIGINT`` end the
loop after the message being sent.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from motcua import channels
from motcua.channels.payment import Gateway
from motcua.channels.portal import PortalClient
from motcua.channels.post import HttpCarrier
from motcua.services import (
    digitisation,
    national_sync,
    notifications,
    payments,
    postal,
    reminders,
)
from motcua.services.dossiers import close_unsupplemented

log = logging.getLogger("motcua.worker")


@dataclass(frozen=True)
class Job:
    name: str
    every: Callable[[object], timedelta]
    run: Callable[[object], object]


def _poll_post(ctx) -> dict:
    carrier = HttpCarrier.from_settings(ctx.settings)
    if carrier is None:
        return {"bỏ qua": "chưa cấu hình bưu chính"}
    with carrier:
        return postal.poll(ctx, carrier)


def _reconcile(ctx) -> dict:
    client = PortalClient.from_settings(ctx.settings)
    if client is None:
        return {"bỏ qua": "chưa cấu hình Cổng Dịch vụ công quốc gia"}
    waiting = national_sync.waiting(ctx)
    if waiting:  # counts compared mid-way would list what is merely on its way
        client.close()
        return {"bỏ qua": f"còn {waiting} bản ghi đồng bộ chờ gửi"}
    with client:
        return national_sync.reconcile(ctx, client, *national_sync.nightly_period(ctx))


def _check_payments(ctx) -> dict:
    gateway = Gateway.from_settings(ctx.settings)
    if gateway is None:
        return {"bỏ qua": "chưa cấu hình cổng thanh toán"}
    return payments.reconcile(ctx, gateway)


JOBS = (
    Job("nhac_viec_chuyen_cap",
        lambda s: timedelta(minutes=s.reminder_every_minutes), reminders.run),
    Job("dong_ho_so_qua_han_bo_sung", lambda s: timedelta(hours=1),
        lambda ctx: {"closed": len(close_unsupplemented(ctx))}),
    # what the carrier's webhook did not bring, and parcels without news
    Job("theo_doi_buu_gui", lambda s: timedelta(minutes=10), _poll_post),
    Job("buu_gui_that_lac", lambda s: timedelta(hours=6),
        lambda ctx: {"flagged": postal.flag_lost(ctx)}),
    # counts by unit, procedure, status and month compared with the national portal's
    Job("doi_soat_cong_quoc_gia", lambda s: timedelta(hours=24), _reconcile),
    # payments whose gateway callback never came: asked of the gateway
    Job("doi_soat_thanh_toan", lambda s: timedelta(minutes=10), _check_payments),
)


class Worker:
    def __init__(self, ctx, senders=None, *, batch: int = 100, idle_seconds: float = 1.0,
                 lease: timedelta = timedelta(minutes=5), jobs: tuple[Job, ...] = JOBS) -> None:
        self.ctx = ctx
        self.senders = channels.senders(ctx.settings) if senders is None else senders
        self.batch, self.idle_seconds, self.lease, self.jobs = batch, idle_seconds, lease, jobs
        self.stopping = threading.Event()
        self.totals = notifications.RelayResult()
        self.portal = PortalClient.from_settings(ctx.settings)

    def send_once(self) -> int:
        """One batch of due notifications, and of records for the national portal; how
        many rows it handled."""
        result = notifications.relay(self.ctx, self.senders, limit=self.batch, lease=self.lease)
        self.totals.add(result)
        handled = sum(result.counts[k] for k in ("sent", "retry", "dead"))
        if handled:
            log.info("thông báo: %s", result.counts)
        if self.portal is not None:
            synced = national_sync.relay(self.ctx, self.portal, limit=self.batch)
            if sum(synced.counts.values()):
                log.info("đồng bộ Cổng quốc gia: %s", synced.counts)
            handled += sum(synced.counts.values())
        return handled

    def run_jobs(self) -> dict[str, object]:
        done: dict[str, object] = {}
        with self.ctx.uow() as uow:  # one read a round: an idle worker asks once
            due = uow.notifications.due_jobs([j.name for j in self.jobs], self.ctx.clock.now())
        for job in (j for j in self.jobs if j.name in due):
            now = self.ctx.clock.now()
            with self.ctx.uow() as uow:
                mine = uow.notifications.take_job(job.name, now,
                                                  now + job.every(self.ctx.settings))
                uow.commit()
            if not mine:
                continue
            try:
                result = job.run(self.ctx)
            except Exception:  # one failing job must not stop the sending of messages
                log.exception("việc định kỳ %s lỗi", job.name)
                result = {"lỗi": True}
            with self.ctx.uow() as uow:
                uow.notifications.job_done(job.name, result)
                uow.commit()
            done[job.name] = result
            log.info("việc định kỳ %s: %s", job.name, result)
        return done

    def drain(self) -> int:
        """Send until nothing is due (the tests and ``--once``)."""
        total = 0
        while not self.stopping.is_set():
            handled = self.send_once()
            total += handled
            if not handled:
                break
        return total

    def read_scans(self) -> int:
        """Read the text of the due scans, until none is due; how many were handled."""
        total = 0
        while not self.stopping.is_set():
            result = digitisation.run_ocr(self.ctx, limit=1)
            handled = sum(result.values())
            if not handled:
                return total
            log.info("nhận dạng chữ bản quét: %s", result)
            total += handled
        return total

    def _scan_loop(self) -> None:
        # a scan takes seconds to minutes: read in a thread of its own, so messages and
        # the national sync never wait behind it
        while not self.stopping.is_set():
            try:
                self.read_scans()
            except Exception:  # one failing round must not end the reading of scans
                log.exception("nhận dạng chữ bản quét lỗi")
            self.stopping.wait(max(self.idle_seconds, 2.0))

    def run(self) -> None:
        threading.Thread(target=self._scan_loop, name="motcua-ocr", daemon=True).start()
        while not self.stopping.is_set():
            self.run_jobs()
            if not self.send_once():
                self.stopping.wait(self.idle_seconds)
        channels.close(self.senders)
        if self.portal is not None:
            self.portal.close()

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def handle_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
