"""Dossier use cases: receive, move through steps, pause, close, return, correct times.

Each function opens one unit of work, checks who may act, calls the domain,
and commits; audit events are written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import PurePosixPath

from motcua.domain import documents
from motcua.domain.calendar import VN_TZ
from motcua.domain.documents import AttachmentKind, Upload
from motcua.domain.dossiers import Action, Actor, Dossier, transition_for
from motcua.domain.errors import (
    ConcurrentUpdate,
    DuplicateSubmission,
    IllegalTransition,
    PermissionDenied,
    ValidationError,
)
from motcua.domain.identity import Applicant
from motcua.domain.policy import ensure_may, may, may_view
from motcua.domain.procedures import Channel
from motcua.domain.text import nfc
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
                "role": s.role,
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


def _checked(ctx: Context, uploads: Iterable[Upload]) -> list[tuple[Upload, str]]:
    """Every upload checked (type by content, size) before anything is written."""
    limit = ctx.settings.max_upload_bytes
    return [(Upload(nfc(u.name) or "Tài liệu", _safe_filename(u.filename), u.data),
             documents.check(u, limit)) for u in uploads]


def _safe_filename(name: str) -> str:
    base = nfc(PurePosixPath((name or "").replace("\\", "/")).name)
    return base[-200:] or "tep-dinh-kem"


def _attach(ctx: Context, uow, dossier: Dossier, checked: list[tuple[Upload, str]],
            kind: AttachmentKind, now: datetime, actor: Actor) -> None:
    for upload, content_type in checked:
        digest = ctx.files.put(upload.data)
        dossier.attach(kind=kind.value, name=upload.name, filename=upload.filename,
                       sha256=digest, size=len(upload.data), at=now, actor=actor)
        uow.attachments.add(dossier, kind=kind.value, name=upload.name,
                            filename=upload.filename, content_type=content_type,
                            size=len(upload.data), sha256=digest, uploaded_by_id=actor.id,
                            uploaded_by_name=actor.name, uploaded_at=now)


def receive_dossier(ctx: Context, *, procedure_code: str, unit_code: str, channel: str,
                    applicant: dict, official: Official | None = None, note: str = "",
                    on_behalf: bool = False, filed_by_id: int | None = None,
                    uploads: Iterable[Upload] = (), submission_key: str | None = None,
                    actor: Actor | None = None, payment_method: str = "cash") -> dict:
    """Receive a dossier at a desk, online, by post, or filed by an official for someone.

    Decree 118/2025 art. 14: any one-stop unit of the province receives a
    dossier regardless of administrative boundary. Uploads are checked first
    and attached in the same transaction.
    """
    now = ctx.clock.now()
    channel = Channel.ASSISTED if on_behalf else Channel(channel)
    checked = _checked(ctx, uploads)
    actor = actor or actor_of(official)
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
            received_at=now, cal=ctx.calendar, actor=actor,
            filed_by_id=(official.id if official else filed_by_id)
            if channel is Channel.ASSISTED else None,
            note=note, submission_key=submission_key, payment_method=payment_method)
        uow.dossiers.add(dossier)
        _attach(ctx, uow, dossier, checked, AttachmentKind.INPUT, now, actor)
        view = dossier_view(uow, dossier)
        uow.commit()
    return view


def submit_online(ctx: Context, *, procedure_code: str, unit_code: str, applicant: dict,
                  uploads: Iterable[Upload], submission_key: str) -> dict:
    """A citizen's online submission; a retried or double-clicked one makes one dossier.

    ``submission_key`` is the idempotency key the form (or the calling system)
    generated once; the same key always answers with the same dossier.
    """
    key = (submission_key or "").strip()
    if not 8 <= len(key) <= 64 or not all(c.isalnum() or c in "-_" for c in key):
        raise ValidationError("Khóa chống gửi trùng không hợp lệ (8–64 ký tự chữ, số, - hoặc _).")
    with ctx.uow() as uow:
        existing = uow.dossiers.code_for_submission(key)
    if existing is None:
        name = nfc(str(applicant.get("name", ""))) or "Công dân"
        try:
            view = receive_dossier(ctx, procedure_code=procedure_code, unit_code=unit_code,
                                   channel=Channel.ONLINE.value, applicant=applicant,
                                   uploads=uploads, submission_key=key, payment_method="online",
                                   actor=Actor(None, f"{name} (nộp trực tuyến)"))
            return {**view, "repeated": False}
        except DuplicateSubmission:
            with ctx.uow() as uow:
                existing = uow.dossiers.code_for_submission(key)
    return {**get_dossier(ctx, existing), "repeated": True}


def attach_documents(ctx: Context, code: str, uploads: Iterable[Upload], *,
                     kind: str = AttachmentKind.INPUT.value,
                     official: Official | None = None) -> dict:
    """Attach scans or electronic documents (inputs, supplements, results) to a dossier."""
    checked = _checked(ctx, uploads)
    if not checked:
        raise ValidationError("Chưa chọn tệp nào để đính kèm.")
    kind = AttachmentKind(kind)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        ensure_may(official, Action.ATTACH, dossier)
        _attach(ctx, uow, dossier, checked, kind, now, actor_of(official))
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


def supplement(ctx: Context, code: str, official: Official | None = None,
               uploads: Iterable[Upload] = ()) -> dict:
    """The desk receives the missing documents; the clock runs again."""
    checked = _checked(ctx, uploads)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        ensure_may(official, Action.SUPPLEMENT, dossier)
        actor = actor_of(official)
        dossier.supplement(at=now, actor=actor, cal=ctx.calendar)
        _attach(ctx, uow, dossier, checked, AttachmentKind.SUPPLEMENT, now, actor)
        view = dossier_view(uow, dossier)
        uow.commit()
    return view


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


def rate(ctx: Context, code: str, rating: int, comment: str = "") -> dict:
    """The applicant rates a returned dossier (the caller has checked who they are)."""
    return _act(ctx, code, None, Action.RATE,
                lambda d, now, actor: d.rate(rating, at=now, comment=comment,
                                             actor=Actor(None, "Người nộp hồ sơ")))


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


def actions_for(official: Official | None, dossier: Dossier) -> list[Action]:
    """What this official may do to the dossier now: the table's moves the policy allows."""
    if official is None:
        return []
    return [a for a in dossier.allowed_actions()
            if a is not Action.TRANSFER and may(official, a, dossier)]


def _event_label(action: str) -> str:
    try:
        return transition_for(action).label
    except IllegalTransition:
        return "Nhập dữ liệu" if action == "import" else action


def _visible(uow, code: str, official: Official, corrections: bool = False) -> Dossier:
    """The dossier, if it is in the official's scope; ``PermissionDenied`` otherwise."""
    dossier = uow.dossiers.get(code, corrections=corrections)
    if not may_view(official, dossier):
        raise PermissionDenied(f"Hồ sơ {dossier.code} không thuộc đơn vị của bạn.")
    return dossier


def dossier_detail(ctx: Context, code: str, official: Official) -> dict:
    """Everything the dossier page shows an official, if the dossier is in their scope."""
    with ctx.uow() as uow:
        dossier = _visible(uow, code, official, corrections=True)
        view = dossier_view(uow, dossier)
        view["actions"] = [a.value for a in actions_for(official, dossier)]
        view["applicant"] = {"kind": dossier.applicant_kind.value,
                             "id_number": dossier.applicant_id_number,
                             "phone": dossier.applicant_phone,
                             "address": dossier.applicant_address,
                             "email": dossier.applicant_email}
        view["filed_by_id"] = dossier.filed_by_id
        view["close_reason"] = dossier.close_reason
        view["extension_reason"] = dossier.extension_reason
        view["attachments"] = [
            {"id": r.id, "kind": r.kind, "name": r.name, "filename": r.filename,
             "content_type": r.content_type, "size": r.size, "sha256": r.sha256,
             "uploaded_by": r.uploaded_by_name, "uploaded_at": _iso(r.uploaded_at)}
            for r in uow.attachments.for_dossier(dossier.id)]
        view["supplements"] = [
            {"seq": x.seq, "step": x.step_seq, "requested_at": _iso(x.requested_at),
             "reason": x.reason, "missing": list(x.missing),
             "supplemented_at": _iso(x.supplemented_at), "flagged": x.flagged}
            for x in dossier.supplements]
        view["corrections"] = [
            {"seq": c.seq, "target": c.target.value, "step": c.step_seq,
             "old_value": _iso(c.old_value), "new_value": _iso(c.new_value), "reason": c.reason,
             "evidence": c.evidence, "status": c.status, "requested_by_id": c.requested_by_id,
             "decided_at": _iso(c.decided_at), "decision_note": c.decision_note}
            for c in dossier.corrections]
        view["events"] = [
            {"seq": e.seq, "at": _iso(e.at), "actor": e.actor_name, "action": e.action,
             "label": _event_label(e.action), "data": e.data}
            for e in uow.dossiers.events(dossier.id, dossier.code)]
    return view


def ensure_may_view(ctx: Context, code: str, official: Official) -> str:
    """The dossier's code if this official may see it; ``PermissionDenied`` otherwise."""
    with ctx.uow() as uow:
        return _visible(uow, code, official).code


def attachment_file(ctx: Context, code: str, attachment_id: int,
                    official: Official) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of an attachment, for officials who may see the dossier."""
    with ctx.uow() as uow:
        row = uow.attachments.get(_visible(uow, code, official).id, attachment_id)
    return row.filename, row.content_type, ctx.files.read(row.sha256)


def get_dossier(ctx: Context, code: str) -> dict:
    with ctx.uow() as uow:
        return dossier_view(uow, uow.dossiers.get(code))
