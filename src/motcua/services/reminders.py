"""Reminders and escalation of the steps being handled (run by ``motcua worker``).

Per step of a dossier being handled, measured in working time against the step's
allocation (its worked time so far, pauses excluded):

* ``due_soon``: less than the configured share (DOMAIN.md: default 20%) of the
  allocation left, or fewer than ``due_soon_hours`` working hours when set: the official
  holding the step is reminded;
* ``overdue``: the allocation is used up: the holder is told;
* ``escalate_head``: overdue by ``escalate_after_hours`` working hours: the heads of the
  step's unit; ``escalate_leader``: twice as long: its leaders (signers);
* ``form04``: the dossier is heading for a late result (now + what is left of the
  current step's and the later steps' allocations falls after the appointment) and no
  apology has been issued: the heads are prompted to issue Form 04, which must reach the
  citizen at least one working day before the appointment.

Each rule acts once per step run (``escalation_log.dedupe_key``); its effect (who was told)
is logged in the same transaction as the notifications it queues, and shown on the
dossier page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.text import vn_date_time, vn_number
from motcua.domain.units import Role
from motcua.services import notifications
from motcua.services.context import Context

BATCH = 200
RULE_LABELS = {"due_soon": "Nhắc sắp đến hạn", "overdue": "Báo quá hạn",
               "escalate_head": "Chuyển cấp lãnh đạo phòng",
               "escalate_leader": "Chuyển cấp lãnh đạo đơn vị",
               "form04": "Nhắc lập Mẫu 04 (xin lỗi, hẹn lại)"}
_TEMPLATE = {"due_soon": "sap_den_han", "overdue": "qua_han", "escalate_head": "chuyen_cap",
             "escalate_leader": "chuyen_cap", "form04": "nhac_mau_04"}
_LEVEL = {"due_soon": 0, "overdue": 0, "escalate_head": 1, "escalate_leader": 2, "form04": 1}


def worked_so_far(step, now: datetime, cal: WorkingCalendar) -> int:
    """The step's worked time up to ``now``: finished runs plus the running one."""
    running = 0
    if step.run_started_at is not None:
        running = max(0, cal.between(step.run_started_at, now) - step.run_paused_seconds)
    return step.worked_seconds + running


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str
    overdue_seconds: int


def findings(dossier, now: datetime, cal: WorkingCalendar, share: float,
             escalate_seconds: int, soon_seconds: int = 0) -> list[Finding]:
    """What the rules say about the dossier's current step now (pure)."""
    step = dossier.step
    if step.run_started_at is None:
        return []
    worked = worked_so_far(step, now, cal)
    allocated = step.allocated_seconds
    run = f"{dossier.code}:{step.seq}:{step.send_backs}"
    found: list[Finding] = []
    if allocated > 0 and worked >= allocated:
        over = worked - allocated
        found.append(Finding("overdue", f"{run}:overdue", over))
        if over >= escalate_seconds:
            found.append(Finding("escalate_head", f"{run}:escalate_head", over))
        if over >= 2 * escalate_seconds:
            found.append(Finding("escalate_leader", f"{run}:escalate_leader", over))
    elif allocated > 0 and (allocated - worked < share * allocated
                            or allocated - worked < soon_seconds):
        found.append(Finding("due_soon", f"{run}:due_soon", 0))
    if not dossier.extended:
        left = max(0, allocated - worked) + sum(
            s.allocated_seconds for s in dossier.steps if s.seq > step.seq)
        if cal.add(now, left) > dossier.appointment:
            found.append(Finding("form04", f"{dossier.code}:form04:"
                                 f"{dossier.appointment.isoformat()}", 0))
    return found


def _hours(seconds: int) -> str:
    return f"{vn_number(seconds / 3600, 1)} giờ làm việc"


def _recipients(uow, dossier, rule: str) -> list:
    step = dossier.step
    if rule in ("due_soon", "overdue"):
        if step.assignee_id is not None:
            official = uow.officials.by_id(step.assignee_id)
            return [(official.id, official.full_name, official.email)]
        roles = [r for r in Role if r.value == step.role]
        return uow.officials.holders(step.unit_id, roles) if roles else []
    roles = {"escalate_head": [Role.HEAD], "escalate_leader": [Role.SIGNER],
             "form04": [Role.HEAD, Role.SIGNER]}[rule]
    return uow.officials.holders(step.unit_id, roles)


def run(ctx: Context) -> dict[str, int]:
    """Apply the rules to every dossier being handled; counts of what each rule did."""
    now = ctx.clock.now()
    share = ctx.settings.due_soon_share
    escalate = int(ctx.settings.escalate_after_hours * 3600)
    soon = int(ctx.settings.due_soon_hours * 3600)
    counts = dict.fromkeys(RULE_LABELS, 0)
    after = 0
    while True:
        with ctx.uow() as uow:
            batch = uow.dossiers.in_progress(after, BATCH)
            if not batch:
                break
            after = max(d.id for d in batch)
            found = {d.code: findings(d, now, ctx.calendar, share, escalate, soon)
                     for d in batch}
            done = uow.notifications.logged([f.key for fs in found.values() for f in fs])
            for dossier in batch:
                for finding in found[dossier.code]:
                    if finding.key in done:
                        continue
                    _act(ctx, uow, dossier, finding, now)
                    counts[finding.rule] += 1
            uow.commit()
    return counts


def _act(ctx: Context, uow, dossier, finding: Finding, now: datetime) -> None:
    step = dossier.step
    people = _recipients(uow, dossier, finding.rule)
    note = RULE_LABELS[finding.rule]
    if finding.overdue_seconds:
        note += f": quá {_hours(finding.overdue_seconds)}"
    if not people:
        note += "; đơn vị chưa có cán bộ giữ vai trò nhận thông báo này"
    if not uow.notifications.log({
            "dedupe_key": finding.key, "dossier_code": dossier.code, "step_seq": step.seq,
            "rule": finding.rule, "level": _LEVEL[finding.rule], "at": now,
            "recipients": [name for _, name, _ in people], "note": note}):
        return  # another worker logged it first
    params = notifications.step_params(ctx, dossier, step)
    params.update(qua_han=_hours(finding.overdue_seconds),
                  ngay_hen=vn_date_time(dossier.appointment))
    for official_id, name, email in people:
        n = notifications.to_official(
            ctx, uow, event=finding.rule, key=_TEMPLATE[finding.rule], dedupe=finding.key,
            official_id=official_id, name=name, email=email, params=params,
            unit_id=step.unit_id, code=dossier.code)
        uow.notifications.add(n.row(dossier.province_code, now))


@dataclass(frozen=True)
class EscalationView:
    at: datetime
    step_seq: int
    rule: str
    label: str
    level: int
    recipients: list[str]
    note: str


def for_dossier(uow, code: str) -> list[EscalationView]:
    return [EscalationView(r.at, r.step_seq, r.rule, RULE_LABELS.get(r.rule, r.rule), r.level,
                           list(r.recipients), r.note) for r in uow.notifications.escalations(code)]
