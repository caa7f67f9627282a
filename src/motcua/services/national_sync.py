"""Synchronising dossiers with the national public-service portal, through the outbox.

Every dossier event writes, in the transaction of the change, two outbox rows: one asks
that the dossier's record be sent (``DongBoHoSoMC``), the other carries the step of
handling as it happened (``CapNhatTienDoHoSoMC``: who, with what title, in which
department, when, the step's start and its due time). The worker relays them
(``relay``): a dossier's rows leave in the order they were written, one at a time, so
its progress never arrives before it does; a portal outage only delays them (retries
with a backoff long enough for a day's outage), never blocks a desk.

The record is built when it is sent, from the dossier as it stands and the current code
map, and sent only if it differs from what the portal last accepted (its fingerprint is
kept in ``national_sync_state``): ten changes during an outage arrive as one up-to-date
record, and a replay after a change of the map re-sends exactly the dossiers whose
record changed. Whether the portal already holds a dossier (``isUpdating``) is known
from that state, or asked (``TraCuuHoSo``) when motcua has no trace of a send.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from motcua.domain.calendar import VN_TZ
from motcua.domain.errors import NotFound, PermissionDenied
from motcua.domain.lifecycle import transition_for
from motcua.domain.national import (
    DEFAULT_MAP,
    KIND_LABELS,
    NATIONAL_STATUSES,
    PROGRESS_ACTIONS,
    CodeMap,
    Names,
    dossier_record,
    fingerprint,
    portal_date,
    progress_record,
)
from motcua.domain.units import Official, Role
from motcua.services.context import Context
from motcua.services.events import ANY, OutboxMessage
from motcua.services.outbox import Backoff
from motcua.services.outbox import relay as relay_outbox

DOSSIER_TOPIC = "dvcqg.hoso"
PROGRESS_TOPIC = "dvcqg.tiendo"
TOPICS = (DOSSIER_TOPIC, PROGRESS_TOPIC)
TOPIC_LABELS = {DOSSIER_TOPIC: "Hồ sơ (DongBoHoSoMC)",
                PROGRESS_TOPIC: "Tiến độ xử lý (CapNhatTienDoHoSoMC)"}
# a day's outage is waited out: 1, 2, 4 ... minutes, then every hour, for about three days
SYNC_BACKOFF = Backoff(base_seconds=60, cap_seconds=3600, max_attempts=80)


# -- written with the change ----------------------------------------------------------------

def _title(uow, actor_id: int | None, unit_id: int) -> str:
    if actor_id is None:
        return ""
    try:
        roles = uow.officials.by_id(actor_id).roles
    except NotFound:
        return ""
    here = [r for u, r in roles if u == unit_id] or [r for _, r in roles]
    return here[0].label if here else ""


def on_dossier_event(ctx: Context, uow, event, dossier) -> list[OutboxMessage]:
    messages = [OutboxMessage(DOSSIER_TOPIC, f"dvcqg:{event.code}:{event.seq}:hoso",
                              {"code": event.code})]
    if event.name in PROGRESS_ACTIONS:
        step = dossier.steps[max(0, min(dossier.current_step, len(dossier.steps)) - 1)]
        reason = event.data.get("reason") or event.data.get("note") or ""
        content = transition_for(event.name).label + (f": {reason}" if reason else "")
        messages.append(OutboxMessage(
            PROGRESS_TOPIC, f"dvcqg:{event.code}:{event.seq}:tiendo", {
                "code": event.code, "seq": event.seq, "action": event.name,
                "at": event.at.isoformat(), "official": event.actor_name,
                "title": _title(uow, event.actor_id, step.unit_id),
                "department": uow.units.by_id(step.unit_id).name, "content": content[:2000],
                "step_started": step.started_at.isoformat() if step.started_at else None,
                "step_due": step.planned_deadline.isoformat()}))
    return messages


def register(handlers) -> None:
    handlers.durable(ANY, on_dossier_event)


# -- sent by the worker ---------------------------------------------------------------------

def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Deliverers:
    """The two topics' senders over one client, for one relay round (the code map and the
    units' names read once)."""

    def __init__(self, ctx: Context, client, uow) -> None:
        self.ctx, self.client = ctx, client
        self.codes: CodeMap = uow.national.code_map()
        self.units: dict[int, Any] = {}
        self.unchanged = 0

    def _unit(self, uow, unit_id: int):
        if unit_id not in self.units:
            self.units[unit_id] = uow.units.by_id(unit_id)
        return self.units[unit_id]

    def madonvi(self, unit) -> str:
        return unit.agency_code or self.ctx.settings.dvcqg_madonvi

    def dossier(self, payload: dict, key: str, uow) -> None:
        d = uow.dossiers.get(payload["code"], corrections=False)
        unit = self._unit(uow, d.unit_id)
        names = Names(uow.national.field_code(d.procedure.code), unit.name,
                      unit.agency_code or "")
        by_post = bool(uow.postal.of_dossier(d.code, "outbound"))
        record = dossier_record(d, self.codes, names, by_post=by_post,
                                attachments=uow.attachments.for_dossier(d.id))
        sha = fingerprint(record)
        state = uow.national.state(d.code)
        if state is not None and state.payload_sha == sha and not payload.get("force"):
            self.unchanged += 1  # the portal holds this record already
            return
        # a re-sync asks the portal what it holds, whatever motcua remembers of it
        updating = (state is not None and not payload.get("force")) \
            or self.client.exists(d.code, self.madonvi(unit))
        self.client.sync_dossier(record, updating=updating, madonvi=self.madonvi(unit))
        uow.national.record_sync(code=d.code, unit_id=d.unit_id, received_at=d.received_at,
                                 sha=sha, map_version=self.codes.version,
                                 status=record["TrangThaiHoSo"], now=self.ctx.clock.now())

    def progress(self, payload: dict, key: str, uow) -> None:
        record = progress_record(
            payload["code"], action=payload["action"], at=_dt(payload["at"]),
            official=payload["official"], title=payload["title"],
            department=payload["department"], content=payload["content"],
            step_started=_dt(payload.get("step_started")), step_due=_dt(payload.get("step_due")),
            codes=self.codes)
        self.client.progress(record)

    def as_map(self) -> dict:
        return {DOSSIER_TOPIC: self.dossier, PROGRESS_TOPIC: self.progress}


@dataclass
class SyncResult:
    counts: dict[str, int]
    unchanged: int


def relay(ctx: Context, client, *, limit: int = 100) -> SyncResult:
    with ctx.uow() as uow:
        deliverers = Deliverers(ctx, client, uow)
    counts = relay_outbox(ctx, deliverers.as_map(), limit=limit, topics=TOPICS,
                          backoffs=dict.fromkeys(TOPICS, SYNC_BACKOFF), uow_aware=True)
    return SyncResult(counts, deliverers.unchanged)


def drain(ctx: Context, client, *, limit: int = 100) -> SyncResult:
    """Relay until nothing is due (the CLI's ``--once``, the tests)."""
    total = SyncResult(Counter(), 0)
    while True:
        result = relay(ctx, client, limit=limit)
        total.counts.update(result.counts)
        total.unchanged += result.unchanged
        if not sum(result.counts.values()):
            return total


# -- re-sending -----------------------------------------------------------------------------

def enqueue(ctx: Context, start: datetime, end: datetime, *, force: bool, tag: str = "") -> int:
    """One dossier row for every dossier received in [start, end): with ``force`` the
    record is sent even if the portal holds it (a full re-sync), otherwise only where it
    changed (a replay after the code map changed). How many were queued."""
    tag = tag or uuid.uuid4().hex[:12]
    now = ctx.clock.now()
    queued = 0
    with ctx.uow() as uow:
        for row in uow.national.received_codes(ctx.settings.province_code, start, end):
            uow.outbox.add(province_code=ctx.settings.province_code, topic=DOSSIER_TOPIC,
                           dedupe_key=f"dvcqg:{'resync' if force else 'replay'}:{tag}:"
                                      f"{row.code}",
                           dossier_code=row.code, payload={"code": row.code, "force": force},
                           at=now)
            queued += 1
        uow.outbox.save()
        uow.commit()
    return queued


# -- the operator's page --------------------------------------------------------------------

def ensure_admin(official: Official) -> None:
    if not official.has_role(Role.ADMIN):
        raise PermissionDenied("Chỉ quản trị hệ thống được xem và thao tác đồng bộ.")


@dataclass(frozen=True)
class SyncOverview:
    summary: dict[tuple[str, str], int]
    dead: list
    synced: int
    codes: CodeMap
    history: list
    reconciliations: list


def overview(ctx: Context, official: Official) -> SyncOverview:
    ensure_admin(official)
    with ctx.uow() as uow:
        return SyncOverview(uow.outbox.summary(TOPICS), uow.outbox.dead(TOPICS),
                            uow.national.synced_count(), uow.national.code_map(),
                            uow.national.map_history(), uow.national.reconciliations())


def resend(ctx: Context, row_id: int, official: Official) -> None:
    """Send a dead row again (after the cause was fixed), now."""
    ensure_admin(official)
    with ctx.uow() as uow:
        row = uow.outbox.get(row_id)
        if row.topic not in TOPICS or row.status != "dead":
            raise NotFound("Chỉ gửi lại được bản ghi đồng bộ đã dừng.")
        uow.outbox.mark(row_id, status="pending", attempts=0, next_attempt_at=ctx.clock.now(),
                        error=f"{official.full_name} cho gửi lại; lỗi trước: {row.last_error}")
        uow.commit()


def skip(ctx: Context, row_id: int, official: Official) -> None:
    """Give up a dead row so the dossier's later rows go on (its record is sent again
    with the next change, or by a re-sync)."""
    ensure_admin(official)
    with ctx.uow() as uow:
        row = uow.outbox.get(row_id)
        if row.topic not in TOPICS or row.status != "dead":
            raise NotFound("Chỉ bỏ qua được bản ghi đồng bộ đã dừng.")
        uow.outbox.mark(row_id, status="skipped", attempts=row.attempts,
                        next_attempt_at=ctx.clock.now(),
                        error=f"{official.full_name} bỏ qua; lỗi: {row.last_error}")
        uow.commit()


def change_code(ctx: Context, official: Official, kind: str, local: str,
                national: str) -> int:
    """A new version of the code map with one code changed; its number."""
    ensure_admin(official)
    with ctx.uow() as uow:
        entries = uow.national.code_map().changed(kind, local, national)
        version = uow.national.add_map_version(
            entries, {k: label for k, (label, _) in DEFAULT_MAP.items()}, official.full_name,
            ctx.clock.now())
        uow.commit()
    return version


def kinds() -> dict[str, str]:
    return dict(KIND_LABELS)


def status_names() -> dict[str, str]:
    return dict(NATIONAL_STATUSES)


# -- the nightly reconciliation -------------------------------------------------------------

def _month(at: datetime) -> str:
    return at.astimezone(VN_TZ).strftime("%Y%m")


def local_counts(ctx: Context, start: datetime, end: datetime) -> Counter:
    """(agency identifier, procedure code, national status, month) -> dossiers received."""
    counts: Counter = Counter()
    with ctx.uow() as uow:
        codes = uow.national.code_map()
        units = {u.id: u for u in uow.units.all(ctx.settings.province_code)}
        procedures: dict[int, str] = {}
        for r in uow.national.received_between(ctx.settings.province_code, start, end):
            if r.procedure_id not in procedures:
                procedures[r.procedure_id] = uow.procedures.by_id(r.procedure_id).code
            unit = units[r.unit_id]
            counts[(unit.agency_code or ctx.settings.dvcqg_madonvi,
                    procedures[r.procedure_id], codes.code("status", str(r.status)),
                    _month(r.received_at))] += 1
    return counts


def reconcile(ctx: Context, client, start: datetime, end: datetime) -> dict:
    """Compare motcua's counts with the portal's for dossiers received in [start, end);
    the differences are stored and returned."""
    mine = local_counts(ctx, start, end)
    error = ""
    theirs: Counter = Counter()
    try:
        for r in client.counts(portal_date(start), portal_date(end)):
            theirs[(str(r.get("MaDonVi", "")), str(r.get("MaTTHC", "")),
                    str(r.get("TrangThaiHoSo", "")), str(r.get("Thang", "")))] += \
                int(r.get("SoLuong", 0))
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and shown as such
        error = str(exc) or exc.__class__.__name__
    differences = [] if error else [
        {"unit": k[0], "procedure": k[1], "status": k[2], "month": k[3],
         "motcua": mine.get(k, 0), "portal": theirs.get(k, 0)}
        for k in sorted(set(mine) | set(theirs)) if mine.get(k, 0) != theirs.get(k, 0)]
    with ctx.uow() as uow:
        run_id = uow.national.add_reconciliation(
            run_at=ctx.clock.now(), period_start=start, period_end=end,
            local_total=sum(mine.values()), portal_total=sum(theirs.values()),
            differences=differences, error=error)
        uow.commit()
    return {"id": run_id, "motcua": sum(mine.values()), "portal": sum(theirs.values()),
            "differences": len(differences), "error": error, "waiting": waiting(ctx)}


def waiting(ctx: Context) -> int:
    """Rows for the portal not sent yet (pending or stopped)."""
    with ctx.uow() as uow:
        summary = uow.outbox.summary(TOPICS)
    return sum(n for (_, status), n in summary.items() if status in ("pending", "dead"))


def nightly_period(ctx: Context) -> tuple[datetime, datetime]:
    """The month before this one and this month to the end of today, in Vietnamese time."""
    today = ctx.clock.now().astimezone(VN_TZ).replace(hour=0, minute=0, second=0,
                                                       microsecond=0)
    previous = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return previous, today + timedelta(days=1)
