"""Dossier use cases: receive, move through steps, pause, close, return, correct times.

Each function opens one unit of work, checks who may act, calls the domain,
and commits; audit events are written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from motcua.domain import documents
from motcua.domain.calendar import VN_TZ
from motcua.domain.commands import Assign, Attach, Close, Command, CompleteStep, ReturnResult
from motcua.domain.documents import AttachmentKind, StoredFile, Upload
from motcua.domain.dossiers import Dossier, code_day, dossier_code
from motcua.domain.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from motcua.domain.identity import Applicant
from motcua.domain.lifecycle import CORRECTION_ACTIONS, Action, Actor, Status, transition_for
from motcua.domain.policy import ensure_may, holds, may, may_view
from motcua.domain.procedures import Channel
from motcua.domain.text import nfc
from motcua.domain.units import Official, Role
from motcua.services import events, notifications
from motcua.services.context import Context
from motcua.services.views import DossierDetail, DossierView, detail_view, dossier_view


def actor_of(official: Official | None) -> Actor:
    if official is None:
        return Actor(None, "Hệ thống")
    return Actor(official.id, official.full_name)


def checked_uploads(ctx: Context, uploads: Iterable[Upload]) -> list[tuple[Upload, str]]:
    """Every upload checked (type by content, size; how many and how large together)
    before anything is read or written; each named with the extension of its content."""
    settings = ctx.settings
    uploads = list(uploads)
    documents.check_batch(uploads, settings.max_files,
                          int(settings.max_submission_mb * 1024 * 1024))
    checked = []
    for u in uploads:
        content_type = documents.check(u, settings.max_upload_bytes)
        name = documents.stored_name(_safe_filename(u.filename), content_type)
        checked.append((Upload(nfc(u.name) or "Tài liệu", name, u.data), content_type))
    return checked


def stored(ctx: Context, checked: list[tuple[Upload, str]]) -> tuple[StoredFile, ...]:
    """The checked uploads' bytes stored, once the act is allowed (the store is
    content-addressed: a refused commit leaves only an unreferenced blob)."""
    return tuple(StoredFile(u.name, u.filename, ctx.files.put(u.data), len(u.data), ctype)
                 for u, ctype in checked)


def _safe_filename(name: str) -> str:
    base = nfc(PurePosixPath((name or "").replace("\\", "/")).name)
    return base[-200:] or "tep-dinh-kem"


def _apply(ctx: Context, uow, dossier: Dossier, command: Command, checked: list,
           now: datetime, actor: Actor, files: tuple[StoredFile, ...] = ()) -> None:
    """Apply ``command`` with its checked uploads stored (or ``files`` already stored),
    and add their attachment rows."""
    files = files or stored(ctx, checked)
    if files:
        command = replace(command, files=files)
    dossier.apply(command, at=now, actor=actor, cal=ctx.calendar)
    for f in files:
        uow.attachments.add(dossier, kind=command.attachment_kind.value, name=f.name,
                            filename=f.filename, content_type=f.content_type, size=f.size,
                            sha256=f.sha256, uploaded_by_id=actor.id,
                            uploaded_by_name=actor.name, uploaded_at=now)


def apply_in(ctx: Context, uow, dossier: Dossier, command: Command, actor: Actor) -> None:
    """Apply a system's command to a dossier loaded in the caller's unit of work (the
    caller commits it with ``events.commit``): a carrier's proof of delivery returns the
    dossier in the transaction that records it."""
    _apply(ctx, uow, dossier, command, [], ctx.clock.now(), actor)


def receive_dossier(ctx: Context, *, procedure_code: str, unit_code: str, channel: str,
                    applicant: dict, official: Official | None = None, note: str = "",
                    on_behalf: bool = False, filed_by_id: int | None = None,
                    uploads: Iterable[Upload] = (), submission_key: str | None = None,
                    actor: Actor | None = None, payment_method: str = "cash",
                    stored_files: tuple[StoredFile, ...] = (),
                    decide: Callable | None = None,
                    notify: dict | None = None,
                    with_dossier: Callable | None = None,
                    identity: dict | None = None) -> DossierView:
    """Receive a dossier at a desk, online, by post, or filed by an official for someone.

    Decree 118/2025 art. 14: any one-stop unit of the province receives a
    dossier regardless of administrative boundary. Uploads are checked first
    and attached in the same transaction; ``stored_files`` (an accepted online filing's)
    are attached as they are, and ``decide(uow, code)`` records the acceptance there too.
    ``identity``: the e-ID sign-in behind an online filing (provider, assurance level),
    written into the receipt's audit event.
    """
    now = ctx.clock.now()
    if on_behalf:
        channel = Channel.ASSISTED
    elif channel not in {c.value for c in Channel}:
        raise ValidationError(f"Kênh nộp “{channel}” không hợp lệ; chọn desk (trực tiếp) "
                              "hoặc postal (bưu chính).", field="channel")
    else:
        channel = Channel(channel)
    checked = checked_uploads(ctx, uploads)
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
        day = code_day(now)
        prefix = unit.code_prefix(ctx.settings.dossier_code_prefix == "agency")
        code = dossier_code(prefix, day, uow.dossiers.next_sequence(prefix, day))
        dossier = Dossier.receive(
            code=code, province_code=province, procedure=procedure, unit_id=unit.id,
            step_unit_ids=step_units, channel=channel, applicant=Applicant.create(**applicant),
            received_at=now, cal=ctx.calendar, actor=actor,
            filed_by_id=(official.id if official else filed_by_id)
            if channel is Channel.ASSISTED else None,
            note=note, submission_key=submission_key, payment_method=payment_method,
            identity=identity)
        uow.dossiers.add(dossier)
        if checked or stored_files:
            _apply(ctx, uow, dossier, Attach(AttachmentKind.INPUT.value), checked, now, actor,
                   stored_files)
        if notify is not None:  # the applicant's channels and consent, asked at the desk
            notifications.set_preferences(uow, code, notify.get("channels"),
                                          notify.get("consent", False), now)
        if decide is not None:  # an online filing accepted: its decision in this transaction
            decide(uow, code)
        if with_dossier is not None:  # what else the filing records (a return by post)
            with_dossier(uow, dossier)
        view = dossier_view(uow, dossier, ctx.calendar)
        events.commit(ctx, uow, [dossier])
    return view


def _check_assignee(uow, dossier: Dossier, command: Assign) -> None:
    assignee = uow.officials.by_id(command.assignee_id)
    if dossier.step.unit_id not in {u for u, _ in assignee.roles}:
        raise PermissionDenied(
            f"Cán bộ {assignee.full_name} không thuộc đơn vị đang xử lý bước "
            f"“{dossier.step.name}”.")


CONCURRENT_REFUSAL = ("Hồ sơ vừa được cán bộ khác bàn giao cùng lúc; lần quét này không được "
                      "ghi lại.")

def _check_return(uow, dossier: Dossier, command: ReturnResult) -> None:
    if uow.postal.returning_by_post(dossier.code):
        raise IllegalTransition(
            "Kết quả của hồ sơ này trả qua bưu chính: hồ sơ được ghi là đã trả khi bưu điện "
            "báo phát thành công. Nếu người dân đến nhận tại bộ phận một cửa, hủy gửi bưu "
            "chính trước.")


# What a few commands check against stored data before the domain applies them.
_PRECHECKS: dict[type[Command], Callable] = {Assign: _check_assignee,
                                             ReturnResult: _check_return}


def act(ctx: Context, code: str, command: Command, official: Official | None = None, *,
        actor: Actor | None = None, check: Callable | None = None,
        then: Callable | None = None) -> DossierView:
    """Apply any dossier command for ``official`` (``None``: the system or the applicant).

    The one use case behind every action of the transition table: load the
    dossier, check the caller's own condition (``check(uow, dossier, command)``, first)
    and the table's permission rule, store the command's files, apply it, record what
    the caller adds (``then(uow, dossier)``), commit with its events (outbox rows inside,
    handlers after).
    """
    action = Action(command.action)
    checked = checked_uploads(ctx, command.uploads)
    now = ctx.clock.now()
    actor = actor or actor_of(official)
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=action in CORRECTION_ACTIONS)
        if check is not None:
            check(uow, dossier, command)
        ensure_may(official, action, dossier)
        precheck = _PRECHECKS.get(type(command))
        if precheck is not None:
            precheck(uow, dossier, command)
        _apply(ctx, uow, dossier, command, checked, now, actor)
        if then is not None:  # what the caller records with the act, in its transaction
            then(uow, dossier)
        view = dossier_view(uow, dossier, ctx.calendar)
        events.commit(ctx, uow, [dossier])
    return view


def _handed_over(uow, dossier: Dossier, official: Official) -> str | None:
    """"Đã bàn giao lúc …" for the last step this official held and completed, if any."""
    done = [s for s in dossier.steps if s.finished_at is not None and holds(official, s)]
    if not done:
        return None
    step = max(done, key=lambda s: s.finished_at)
    by = uow.officials.by_id(step.completed_by_id).full_name if step.completed_by_id else \
        "hệ thống"
    return (f"Hồ sơ {dossier.code} đã bàn giao lúc "
            f"{step.finished_at.astimezone(VN_TZ):%H:%M %d/%m/%Y} (bước {step.seq}: "
            f"{step.name}, {by}); lần quét này không được ghi lại.")


def hand_over(ctx: Context, code: str, official: Official) -> DossierView:
    """A typed or scanned code completes the step the official holds, once.

    The desk completes only desk steps (a specialist's step is not theirs to finish);
    a repeated or simultaneous scan is refused (``ConcurrentUpdate``) and says when the
    dossier was handed over and by whom.
    """
    def holds_current_step(uow, dossier: Dossier, command) -> None:
        if dossier.status is Status.IN_PROGRESS and holds(official, dossier.step):
            return
        message = _handed_over(uow, dossier, official)
        if message:
            raise ConcurrentUpdate(message, handed_over=True)
        if dossier.status is Status.IN_PROGRESS:
            raise PermissionDenied(f"Bước hiện tại của hồ sơ {dossier.code} "
                                   f"(“{dossier.step.name}”) không do bạn xử lý.")
        raise PermissionDenied(f"Hồ sơ {dossier.code} không ở bước nào để bàn giao "
                               f"({dossier.status.label.lower()}).")

    try:
        return act(ctx, code, CompleteStep(), official, check=holds_current_step)
    except ConcurrentUpdate as exc:
        if exc.details.get("handed_over"):
            raise
        with ctx.uow() as uow:  # another scan saved first: say whose
            message = _handed_over(uow, uow.dossiers.get(code, corrections=False), official)
        raise ConcurrentUpdate(message or CONCURRENT_REFUSAL, handed_over=True) from None


def close_unsupplemented(ctx: Context) -> list[str]:
    """Close, as the system, every dossier whose supplement did not come within 15 days of
    the notice (Decree 118/2025 art. 19(5)); the codes closed. The close is an event, so
    the applicant is told through the outbox like any other change."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        # 15 calendar days at least; the domain decides the exact end (days off move it)
        codes = uow.dossiers.awaiting_supplement_since(now - timedelta(days=15))
    closed = []
    for code in codes:
        try:
            act(ctx, code, Close())
        except IllegalTransition:
            continue  # the period ends on a later working day
        closed.append(code)
    return closed


def actions_for(official: Official | None, dossier: Dossier) -> list[Action]:
    """What this official may do to the dossier now: the table's moves the policy allows."""
    if official is None:
        return []
    return [a for a in dossier.allowed_actions()
            if transition_for(a).by_official and may(official, a, dossier)]


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


def dossier_detail(ctx: Context, code: str, official: Official) -> DossierDetail:
    """Everything the dossier page shows an official, if the dossier is in their scope."""
    with ctx.uow() as uow:
        dossier = _visible(uow, code, official, corrections=True)
        return detail_view(
            uow, dossier, ctx.calendar,
            actions=tuple(a.value for a in actions_for(official, dossier)),
            applicant={"kind": dossier.applicant_kind.value,
                       "id_number": dossier.applicant_id_number,
                       "phone": dossier.applicant_phone, "address": dossier.applicant_address,
                       "email": dossier.applicant_email},
            filed_by_id=dossier.filed_by_id, close_reason=dossier.close_reason,
            extension_reason=dossier.extension_reason,
            attachments=tuple(
                {"id": r.id, "kind": r.kind, "name": r.name, "filename": r.filename,
                 "content_type": r.content_type, "size": r.size, "sha256": r.sha256,
                 "uploaded_by": r.uploaded_by_name, "uploaded_at": r.uploaded_at}
                for r in uow.attachments.for_dossier(dossier.id)),
            supplements=tuple(
                {"seq": x.seq, "step": x.step_seq, "requested_at": x.requested_at,
                 "reason": x.reason, "missing": list(x.missing),
                 "supplemented_at": x.supplemented_at, "flagged": x.flagged, "late": x.late}
                for x in dossier.supplements),
            corrections=tuple(
                {"seq": c.seq, "target": c.target.value, "step": c.step_seq,
                 "old_value": c.old_value, "new_value": c.new_value, "reason": c.reason,
                 "evidence": c.evidence, "status": c.status, "requested_by_id": c.requested_by_id,
                 "decided_at": c.decided_at, "decision_note": c.decision_note}
                for c in dossier.corrections),
            events=tuple(
                {"seq": e.seq, "at": e.at, "actor": e.actor_name, "action": e.action,
                 "label": _event_label(e.action), "data": e.data}
                for e in uow.audit.events(dossier.id, dossier.code)))


def ensure_may_view(ctx: Context, code: str, official: Official) -> str:
    """The dossier's code if this official may see it; ``PermissionDenied`` otherwise."""
    with ctx.uow() as uow:
        return _visible(uow, code, official).code


def attachment_file(ctx: Context, code: str, attachment_id: int,
                    official: Official) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of an attachment, for officials who may see the dossier."""
    with ctx.uow() as uow:
        row = uow.attachments.get(_visible(uow, code, official).id, attachment_id)
    try:
        return row.filename, row.content_type, ctx.files.read(row.sha256)
    except FileNotFoundError:
        raise NotFound(f"Tệp “{row.filename}” của hồ sơ {code} không còn trên máy chủ (mã băm "
                       f"{row.sha256[:12]}…); báo quản trị hệ thống khôi phục từ bản sao lưu "
                       "(motcua restore) rồi chạy motcua files check.") from None


def get_dossier(ctx: Context, code: str) -> DossierView:
    with ctx.uow() as uow:
        return dossier_view(uow, uow.dossiers.get(code), ctx.calendar)
