"""Dossier use cases: receive, move through steps, pause, close, return, correct times.

Each function opens one unit of work, checks who may act, calls the domain,
and commits; audit events are written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from motcua.domain.calendar import VN_TZ
from motcua.domain.dossiers import Action, Actor, Dossier
from motcua.domain.errors import ConcurrentUpdate, PermissionDenied
from motcua.domain.identity import Applicant
from motcua.domain.policy import ensure_may
from motcua.domain.procedures import Channel
from motcua.domain.units import Official, Role
from motcua.services.context import Context


def actor_of(official: Official | None) -> Actor:
    if official is None:
        return Actor(None, "Hệ thống")
    return Actor(official.id, official.full_name)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).isoformat() if value is not None else None


def dossier_view(uow, dossier: Dossier) -> dict:
    """The dossier as the API, the CLI and the replay print it (times in +07:00)."""
    unit_code = uow.units.code_of

    return {
        "code": dossier.code,
        "status": dossier.status.value,
        "status_label": dossier.status.label,
        "procedure_id": dossier.procedure_id,
        "unit": unit_code(dossier.unit_id),
        "channel": dossier.channel.value,
        "applicant_name": dossier.applicant_name,
        "received_at": _iso(dossier.received_at),
        "effective_receipt": _iso(dossier.effective_receipt),
        "appointment_at_receipt": _iso(dossier.appointment_at_receipt),
        "due": _iso(dossier.due),
        "appointment": _iso(dossier.appointment),
        "paused_minutes": dossier.paused_seconds // 60,
        "result_ready_at": _iso(dossier.result_ready_at),
        "returned_at": _iso(dossier.returned_at),
        "timeliness": dossier.timeliness.value if dossier.timeliness else None,
        "supplement_requests": dossier.supplement_requests,
        "extended": dossier.extended,
        "current_step": dossier.current_step if dossier.status.is_open else None,
        "allowed_actions": [a.value for a in dossier.allowed_actions()],
        "steps": [
            {
                "seq": s.seq,
                "name": s.name,
                "unit": unit_code(s.unit_id),
                "planned_deadline": _iso(s.planned_deadline),
                "started_at": _iso(s.started_at),
                "finished_at": _iso(s.finished_at),
                "allocated_minutes": s.allocated_seconds // 60,
                "worked_minutes": s.worked_seconds // 60,
                "overran": s.overran,
                "behind_schedule": s.behind_schedule,
                "assignee_id": s.assignee_id,
            }
            for s in dossier.steps
        ],
    }


def receive_dossier(ctx: Context, *, procedure_code: str, unit_code: str, channel: str,
                    applicant: dict, official: Official | None = None, note: str = "",
                    on_behalf: bool = False, filed_by_id: int | None = None) -> dict:
    """Receive a dossier at a desk, online, by post, or filed by an official for someone.

    Decree 118/2025 art. 14: any one-stop unit of the province receives a
    dossier regardless of administrative boundary.
    """
    now = ctx.clock.now()
    channel = Channel.ASSISTED if on_behalf else Channel(channel)
    with ctx.uow() as uow:
        province = ctx.settings.province_code
        procedure = uow.procedures.current(procedure_code, province)
        unit = uow.units.by_code(unit_code)
        if official is not None and not official.has_role(Role.DESK, unit.id):
            raise PermissionDenied(
                f"Tài khoản {official.username} không phải cán bộ tiếp nhận của {unit.name}.")
        step_units = [uow.units.by_code(s.unit_code).id if s.unit_code else unit.id
                      for s in procedure.steps]
        day = now.astimezone(VN_TZ).strftime("%y%m%d")
        code = f"{unit.code}-{day}-{uow.dossiers.next_sequence(unit.code, day):04d}"
        dossier = Dossier.receive(
            code=code, province_code=province, procedure=procedure, unit_id=unit.id,
            step_unit_ids=step_units, channel=channel, applicant=Applicant.create(**applicant),
            received_at=now, cal=ctx.calendar, actor=actor_of(official),
            filed_by_id=(official.id if official else filed_by_id)
            if channel is Channel.ASSISTED else None,
            note=note)
        uow.dossiers.add(dossier)
        view = dossier_view(uow, dossier)
        uow.commit()
    return view


_CORRECTION_ACTIONS = {Action.REQUEST_CORRECTION, Action.APPROVE_CORRECTION,
                       Action.REJECT_CORRECTION}


def _act(ctx: Context, code: str, official: Official | None, action: Action,
         apply: Callable[[Dossier, datetime, Actor], object]) -> dict:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=action in _CORRECTION_ACTIONS)
        ensure_may(official, action, dossier)
        apply(dossier, now, actor_of(official))
        view = dossier_view(uow, dossier)
        uow.commit()
    return view


def assign_step(ctx: Context, code: str, assignee_id: int, official: Official | None = None) -> dict:
    """A head assigns the current step to an official of the unit holding it."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        ensure_may(official, Action.ASSIGN, dossier)
        assignee = uow.officials.by_id(assignee_id)
        if dossier.step.unit_id not in {u for u, _ in assignee.roles}:
            raise PermissionDenied(
                f"Cán bộ {assignee.full_name} không thuộc đơn vị đang xử lý bước "
                f"“{dossier.step.name}”.")
        dossier.assign(assignee_id, at=now, actor=actor_of(official))
        view = dossier_view(uow, dossier)
        uow.commit()
    return view


def complete_step(ctx: Context, code: str, official: Official | None = None,
                  note: str = "", expected_step: int | None = None) -> dict:
    """Complete the current step and forward the dossier (one click or one scan).

    ``expected_step`` guards against a double click completing two steps.
    """
    def apply(d: Dossier, now, actor):
        if expected_step is not None and d.current_step != expected_step:
            raise ConcurrentUpdate(
                f"Hồ sơ {d.code} đã chuyển sang bước {d.current_step}; thao tác hoàn thành bước "
                f"{expected_step} không được ghi lại lần nữa.")
        d.complete_step(at=now, actor=actor, cal=ctx.calendar, note=note)
    return _act(ctx, code, official, Action.COMPLETE_STEP, apply)


def send_back(ctx: Context, code: str, reason: str, official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.SEND_BACK,
                lambda d, now, actor: d.send_back(at=now, actor=actor, cal=ctx.calendar,
                                                  reason=reason))


def request_supplement(ctx: Context, code: str, missing: list[str] | None = None,
                       reason: str = "", official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.REQUEST_SUPPLEMENT,
                lambda d, now, actor: d.request_supplement(at=now, actor=actor, reason=reason,
                                                           missing=missing))


def supplement(ctx: Context, code: str, official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.SUPPLEMENT,
                lambda d, now, actor: d.supplement(at=now, actor=actor, cal=ctx.calendar))


def refuse(ctx: Context, code: str, reason: str, official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.REFUSE,
                lambda d, now, actor: d.refuse(at=now, actor=actor, cal=ctx.calendar,
                                               reason=reason))


def stop(ctx: Context, code: str, reason: str, official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.STOP,
                lambda d, now, actor: d.stop(at=now, actor=actor, cal=ctx.calendar, reason=reason))


def withdraw(ctx: Context, code: str, reason: str = "", official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.WITHDRAW,
                lambda d, now, actor: d.withdraw(at=now, actor=actor, cal=ctx.calendar,
                                                 reason=reason))


def extend(ctx: Context, code: str, new_appointment: datetime, reason: str,
           official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.EXTEND,
                lambda d, now, actor: d.extend(at=now, actor=actor, cal=ctx.calendar,
                                               new_appointment=new_appointment, reason=reason))


def return_result(ctx: Context, code: str, official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.RETURN,
                lambda d, now, actor: d.return_result(at=now, actor=actor))


def request_time_correction(ctx: Context, code: str, *, target: str, new_value: datetime,
                            reason: str, evidence: str, step_seq: int | None = None,
                            official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.REQUEST_CORRECTION,
                lambda d, now, actor: d.request_correction(
                    target=target, new_value=new_value, reason=reason, evidence=evidence,
                    at=now, actor=actor, step_seq=step_seq))


def approve_time_correction(ctx: Context, code: str, seq: int,
                            official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.APPROVE_CORRECTION,
                lambda d, now, actor: d.approve_correction(seq, at=now, actor=actor,
                                                           cal=ctx.calendar))


def reject_time_correction(ctx: Context, code: str, seq: int, reason: str,
                           official: Official | None = None) -> dict:
    return _act(ctx, code, official, Action.REJECT_CORRECTION,
                lambda d, now, actor: d.reject_correction(seq, at=now, actor=actor,
                                                          reason=reason))


def get_dossier(ctx: Context, code: str) -> dict:
    with ctx.uow() as uow:
        return dossier_view(uow, uow.dossiers.get(code))
