"""The dossier (hồ sơ) aggregate, its lifecycle and its honest timeliness.

The lifecycle is the explicit table ``TRANSITIONS``: every action names the
states it may start from and the states it may lead to; anything else raises
``IllegalTransition``. Every action appends a hash-chained audit event.

Two things are kept apart (shared/DOMAIN.md, "Time semantics"):

* **step accountability**: a step *overran* when its worked time exceeded its
  allocation (charged to the unit and official that held it) and is *behind
  schedule* when it finished after its planned (cumulative) deadline;
* **the dossier's timeliness**, decided only by when the result was ready
  against ``due`` (the appointment at receipt plus paused working time).
  A step that overran never makes an on-time dossier late.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from motcua.domain.audit import AuditEvent, chain_event
from motcua.domain.calendar import VN_TZ, WorkingCalendar
from motcua.domain.errors import IllegalTransition, NotFound, ReasonRequired, ValidationError
from motcua.domain.identity import Applicant, ApplicantKind
from motcua.domain.procedures import Channel, Procedure
from motcua.domain.text import fold


class Status(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in (Status.IN_PROGRESS, Status.AWAITING_SUPPLEMENT)


STATUS_LABELS = {
    Status.IN_PROGRESS: "Đang giải quyết",
    Status.AWAITING_SUPPLEMENT: "Chờ bổ sung hồ sơ",
    Status.RESULT_READY: "Đã có kết quả, chờ trả",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối giải quyết",
    Status.STOPPED: "Dừng giải quyết",
    Status.WITHDRAWN: "Công dân rút hồ sơ",
}


class Action(enum.StrEnum):
    RECEIVE = "receive"
    ASSIGN = "assign"
    COMPLETE_STEP = "complete_step"
    SEND_BACK = "send_back"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    REFUSE = "refuse"
    STOP = "stop"
    WITHDRAW = "withdraw"
    EXTEND = "extend"
    RETURN = "return"
    TRANSFER = "transfer"
    REQUEST_CORRECTION = "request_correction"
    APPROVE_CORRECTION = "approve_correction"
    REJECT_CORRECTION = "reject_correction"
    ATTACH = "attach"
    RATE = "rate"


class Timeliness(enum.StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label(self) -> str:
        return {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Trễ hạn"}[self.value]


class Reason(enum.StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status | None]
    targets: tuple[Status, ...]
    reason: Reason
    label: str

    def as_dict(self) -> dict:
        return {
            "action": self.action.value,
            "label": self.label,
            "from": sorted(s.value if s else "(mới)" for s in self.sources),
            "to": [t.value for t in self.targets],
            "reason": self.reason.value,
        }


_OPEN = frozenset({Status.IN_PROGRESS, Status.AWAITING_SUPPLEMENT})
_ANY = frozenset(Status)


def _t(action, sources, targets, reason, label) -> Transition:
    targets = tuple(targets) if isinstance(targets, tuple | list) else (targets,)
    return Transition(action, frozenset(sources), targets, reason, label)


TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.RECEIVE, {None}, Status.IN_PROGRESS, Reason.NONE, "Tiếp nhận hồ sơ"),
    _t(Action.ASSIGN, {Status.IN_PROGRESS}, Status.IN_PROGRESS, Reason.NONE, "Phân công xử lý"),
    _t(Action.COMPLETE_STEP, {Status.IN_PROGRESS}, (Status.IN_PROGRESS, Status.RESULT_READY),
       Reason.NONE, "Hoàn thành bước và chuyển tiếp"),
    _t(Action.SEND_BACK, {Status.IN_PROGRESS}, Status.IN_PROGRESS, Reason.REQUIRED,
       "Trả lại bước trước"),
    _t(Action.REQUEST_SUPPLEMENT, {Status.IN_PROGRESS}, Status.AWAITING_SUPPLEMENT,
       Reason.OPTIONAL, "Yêu cầu bổ sung, hoàn thiện hồ sơ"),
    _t(Action.SUPPLEMENT, {Status.AWAITING_SUPPLEMENT}, Status.IN_PROGRESS, Reason.NONE,
       "Nhận hồ sơ bổ sung"),
    _t(Action.REFUSE, _OPEN, Status.REFUSED, Reason.REQUIRED, "Từ chối giải quyết"),
    _t(Action.STOP, _OPEN, Status.STOPPED, Reason.REQUIRED, "Dừng giải quyết"),
    _t(Action.WITHDRAW, _OPEN, Status.WITHDRAWN, Reason.OPTIONAL, "Công dân rút hồ sơ"),
    _t(Action.EXTEND, _OPEN, tuple(_OPEN), Reason.REQUIRED, "Xin lỗi và gia hạn"),
    _t(Action.RETURN, {Status.RESULT_READY}, Status.RETURNED, Reason.NONE, "Trả kết quả"),
    _t(Action.TRANSFER, _OPEN | {Status.RESULT_READY}, tuple(_OPEN | {Status.RESULT_READY}),
       Reason.REQUIRED, "Chuyển sang đơn vị kế thừa"),
    _t(Action.REQUEST_CORRECTION, _ANY, tuple(_ANY), Reason.REQUIRED,
       "Đề nghị điều chỉnh thời điểm đã ghi nhận"),
    _t(Action.APPROVE_CORRECTION, _ANY, tuple(_ANY), Reason.NONE, "Duyệt điều chỉnh thời điểm"),
    _t(Action.REJECT_CORRECTION, _ANY, tuple(_ANY), Reason.REQUIRED,
       "Không duyệt điều chỉnh thời điểm"),
    _t(Action.ATTACH, _OPEN | {Status.RESULT_READY}, tuple(_OPEN | {Status.RESULT_READY}),
       Reason.NONE, "Đính kèm giấy tờ, kết quả"),
    _t(Action.RATE, {Status.RETURNED}, Status.RETURNED, Reason.NONE,
       "Người dân đánh giá mức độ hài lòng"),
)
_BY_ACTION = {t.action: t for t in TRANSITIONS}


def transition_for(action: Action | str) -> Transition:
    try:
        return _BY_ACTION[Action(action)]
    except ValueError as exc:
        raise IllegalTransition(f"Thao tác không tồn tại: {action!r}.") from exc


def allowed_actions(status: Status | None) -> list[Action]:
    """Actions the table allows from ``status`` (guards such as 'first step' aside)."""
    return [t.action for t in TRANSITIONS if status in t.sources]


@dataclass(frozen=True)
class Actor:
    """Who performs an action (an official, the applicant, or the system)."""

    id: int | None
    name: str


SYSTEM = Actor(None, "Hệ thống")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Step:
    """A step of one dossier, with its plan and what actually happened."""

    def __init__(self, seq: int, name: str, unit_id: int, role: str, allocated_seconds: int,
                 planned_deadline: datetime) -> None:
        self.seq = seq
        self.name = name
        self.unit_id = unit_id
        self.role = role
        self.allocated_seconds = allocated_seconds
        self.planned_deadline = planned_deadline
        self.started_at: datetime | None = None
        self.finished_at: datetime | None = None
        self.run_started_at: datetime | None = None
        self.run_paused_seconds = 0
        self.worked_seconds = 0
        self.paused_seconds = 0
        self.assignee_id: int | None = None
        self.completed_by_id: int | None = None
        self.overran: bool | None = None
        self.behind_schedule: bool | None = None
        self.send_backs = 0

    @property
    def active(self) -> bool:
        return self.run_started_at is not None

    @property
    def held_by_id(self) -> int | None:
        """The official charged for this step: its assignee, else who completed it."""
        return self.assignee_id or self.completed_by_id

    def _start_run(self, at: datetime) -> None:
        if self.started_at is None:
            self.started_at = at
        self.run_started_at = at
        self.run_paused_seconds = 0

    def _end_run(self, at: datetime, cal: WorkingCalendar) -> None:
        assert self.run_started_at is not None
        self.worked_seconds += cal.between(self.run_started_at, at) - self.run_paused_seconds
        self.run_started_at = None
        self.run_paused_seconds = 0

    def _judge(self) -> None:
        self.overran = self.worked_seconds > self.allocated_seconds
        self.behind_schedule = self.finished_at is not None and self.finished_at > self.planned_deadline


class Supplement:
    """A supplement request (yêu cầu bổ sung) and the pause it causes."""

    def __init__(self, seq: int, step_seq: int, requested_at: datetime, requested_by_id: int | None,
                 reason: str, missing: list[str]) -> None:
        self.seq = seq
        self.step_seq = step_seq
        self.requested_at = requested_at
        self.requested_by_id = requested_by_id
        self.reason = reason
        self.missing = list(missing)
        self.supplemented_at: datetime | None = None
        self.paused_seconds = 0
        # DOMAIN.md: a second request counts the dossier as late in the national index.
        self.flagged = seq > 1


class CorrectionTarget(enum.StrEnum):
    STEP_FINISHED = "step_finished"
    RETURNED = "returned"


class TimeCorrection:
    """A request to correct a recorded time; both values stay on record."""

    def __init__(self, seq: int, target: CorrectionTarget, step_seq: int | None,
                 old_value: datetime, new_value: datetime, reason: str, evidence: str,
                 requested_by_id: int | None, requested_at: datetime) -> None:
        self.seq = seq
        self.target = target
        self.step_seq = step_seq
        self.old_value = old_value
        self.new_value = new_value
        self.reason = reason
        self.evidence = evidence
        self.requested_by_id = requested_by_id
        self.requested_at = requested_at
        self.status = "pending"
        self.decided_by_id: int | None = None
        self.decided_at: datetime | None = None
        self.decision_note = ""


def _require_reason(action: Action, reason: str | None) -> str:
    text = (reason or "").strip()
    if transition_for(action).reason is Reason.REQUIRED and not text:
        raise ReasonRequired(f"Thao tác “{transition_for(action).label}” cần ghi rõ lý do.")
    return text


class Dossier:
    """A dossier received under one procedure version."""

    def __init__(self, *, code: str, province_code: int, procedure: Procedure, unit_id: int,
                 channel: Channel, applicant: Applicant, received_at: datetime,
                 effective_receipt: datetime, appointment: datetime, steps: list[Step],
                 filed_by_id: int | None = None, note: str = "",
                 submission_key: str | None = None, payment_method: str = "") -> None:
        self.code = code
        self.submission_key = submission_key
        self.fee_amount = procedure.fee_amount
        if payment_method not in PAYMENT_METHODS:
            raise ValidationError(f"Hình thức thanh toán không hợp lệ: {payment_method!r}.")
        self.payment_method = payment_method if procedure.fee_amount else ""
        self.paid_online = self.payment_method == "online"
        self.inputs_digitised = False
        self.result_electronic = False
        self.satisfaction: int | None = None
        self.handling_seconds: int | None = None
        self.province_code = province_code
        self.procedure = procedure
        self.procedure_id = procedure.id
        self.unit_id = unit_id
        self.channel = channel
        self.applicant_kind = applicant.kind
        self.applicant_id_number = applicant.id_number
        self.applicant_name = applicant.name
        self.applicant_phone = applicant.phone
        self.applicant_birth_year = applicant.birth_year
        self.applicant_address = applicant.address
        self.applicant_email = applicant.email
        self.filed_by_id = filed_by_id
        self.note = note
        self.status: Status | None = None
        self.current_step = 0
        self.received_at = received_at
        self.effective_receipt = effective_receipt
        self.appointment_at_receipt = appointment
        self.due = appointment
        self.appointment = appointment
        self.paused_seconds = 0
        self.pause_started_at: datetime | None = None
        self.result_ready_at: datetime | None = None
        self.returned_at: datetime | None = None
        self.timeliness: Timeliness | None = None
        self.supplement_requests = 0
        self.extended = False
        self.extension_reason = ""
        self.close_reason = ""
        self.last_action_at = received_at
        self.steps = steps
        self.supplements: list[Supplement] = []
        self.corrections: list[TimeCorrection] = []
        self.pending_corrections = 0
        self.version = 1
        self.audit_seq = 0
        self.audit_head = ""

    # -- creation --------------------------------------------------------------------------

    @classmethod
    def receive(cls, *, code: str, province_code: int, procedure: Procedure, unit_id: int,
                step_unit_ids: list[int], channel: Channel | str, applicant: Applicant,
                received_at: datetime, cal: WorkingCalendar, actor: Actor = SYSTEM,
                filed_by_id: int | None = None, note: str = "",
                submission_key: str | None = None, payment_method: str = "") -> Dossier:
        channel = Channel(channel)
        if channel not in procedure.channels and not (
            channel is Channel.ASSISTED and Channel.ONLINE in procedure.channels
        ):
            raise IllegalTransition(
                f"Thủ tục {procedure.code} không tiếp nhận qua kênh “{channel.label}”."
            )
        if channel is Channel.ASSISTED and filed_by_id is None:
            raise ValidationError("Nộp hộ cần ghi cán bộ thực hiện nộp thay.")
        if len(step_unit_ids) != len(procedure.steps):
            raise ValidationError("Số đơn vị xử lý không khớp số bước của quy trình.")
        effective = cal.effective_receipt(received_at, procedure.deadline.cutoff)
        appointment = cal.due_from_effective(effective, procedure.deadline)
        steps, cumulative = [], 0
        for seq, (planned, step_unit) in enumerate(zip(procedure.steps, step_unit_ids,
                                                       strict=True), start=1):
            cumulative += planned.allocated_seconds
            steps.append(Step(seq, planned.name, step_unit, planned.role,
                              planned.allocated_seconds, cal.add(effective, cumulative)))
        dossier = cls(code=code, province_code=province_code, procedure=procedure,
                      unit_id=unit_id, channel=channel, applicant=applicant,
                      received_at=received_at, effective_receipt=effective,
                      appointment=appointment, steps=steps, filed_by_id=filed_by_id, note=note,
                      submission_key=submission_key, payment_method=payment_method)
        before = dossier._snapshot()
        dossier.status = Status.IN_PROGRESS
        dossier.current_step = 1
        steps[0]._start_run(effective)
        dossier._record(Action.RECEIVE, received_at, actor, before, {
            "procedure": procedure.code, "procedure_version": procedure.version,
            "channel": channel.value, "applicant_id_number": applicant.id_number,
            "effective_receipt": _iso(effective), "appointment": _iso(appointment),
        })
        return dossier

    # -- reading ---------------------------------------------------------------------------

    @property
    def applicant(self) -> Applicant:
        return Applicant(ApplicantKind(self.applicant_kind), self.applicant_id_number,
                         self.applicant_name, self.applicant_phone, self.applicant_birth_year,
                         self.applicant_address, self.applicant_email)

    @property
    def received_month(self) -> int:
        """The month of receipt in Vietnam time as YYYYMM, for reports."""
        local = self.received_at.astimezone(VN_TZ)
        return local.year * 100 + local.month

    @property
    def search_text(self) -> str:
        """Code, applicant and ID number folded for diacritic-insensitive search."""
        return fold(f"{self.code} {self.applicant_name} {self.applicant_id_number} "
                    f"{self.applicant_phone}")

    @property
    def step(self) -> Step:
        """The current step."""
        return self.steps[self.current_step - 1]

    def step_by_seq(self, seq: int) -> Step:
        if not 1 <= seq <= len(self.steps):
            raise NotFound(f"Hồ sơ {self.code} không có bước {seq}.")
        return self.steps[seq - 1]

    def allowed_actions(self) -> list[Action]:
        actions = allowed_actions(self.status)
        if self.status is Status.IN_PROGRESS and self.current_step <= 1:
            actions.remove(Action.SEND_BACK)
        if self.extended and Action.EXTEND in actions:
            actions.remove(Action.EXTEND)
        if not self.pending_corrections:
            actions = [a for a in actions
                       if a not in (Action.APPROVE_CORRECTION, Action.REJECT_CORRECTION)]
        return actions

    def allotted_seconds(self, cal: WorkingCalendar) -> int:
        return cal.between(self.effective_receipt, self.appointment_at_receipt)

    def is_overdue(self, now: datetime) -> bool:
        return self.status is Status.IN_PROGRESS and now > self.due

    def is_due_soon(self, now: datetime, cal: WorkingCalendar, share: float = 0.2) -> bool:
        """Less than ``share`` of the allotted working time left (not yet overdue)."""
        if self.status is not Status.IN_PROGRESS or now > self.due:
            return False
        return cal.between(now, self.due) < share * self.allotted_seconds(cal)

    # -- the lifecycle ---------------------------------------------------------------------

    def _check(self, action: Action, at: datetime) -> Transition:
        transition = transition_for(action)
        if self.status not in transition.sources:
            raise IllegalTransition(
                f"Không thể “{transition.label.lower()}” khi hồ sơ {self.code} đang ở trạng thái "
                f"“{self.status.label if self.status else 'mới'}”.",
                action=action.value, status=self.status.value if self.status else None,
            )
        if at.tzinfo is None:
            raise ValidationError("Thời điểm phải kèm múi giờ.")
        if at < self.last_action_at:
            raise IllegalTransition(
                f"Thời điểm {at.astimezone(VN_TZ):%H:%M %d/%m/%Y} sớm hơn thao tác trước đó trên "
                f"hồ sơ {self.code}; nếu ghi nhận muộn, hãy dùng đề nghị điều chỉnh thời điểm."
            )
        return transition

    def assign(self, official_id: int, *, at: datetime, actor: Actor) -> None:
        self._check(Action.ASSIGN, at)
        before = self._snapshot()
        previous = self.step.assignee_id
        self.step.assignee_id = official_id
        self._record(Action.ASSIGN, at, actor, before, {
            "step": self.current_step, "assignee_before": previous, "assignee": official_id})

    def complete_step(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
                      note: str = "") -> None:
        self._check(Action.COMPLETE_STEP, at)
        before = self._snapshot()
        step = self.step
        step._end_run(at, cal)
        step.finished_at = at
        step.completed_by_id = actor.id
        step._judge()
        details = {"step": step.seq, "step_name": step.name, "worked_seconds": step.worked_seconds,
                   "allocated_seconds": step.allocated_seconds, "overran": step.overran,
                   "behind_schedule": step.behind_schedule, "note": note}
        if self.current_step == len(self.steps):
            self.status = Status.RESULT_READY
            self._finish(at, cal)
        else:
            self.current_step += 1
            self.step._start_run(at)
            details["next_step"] = self.current_step
        self._record(Action.COMPLETE_STEP, at, actor, before, details)

    def send_back(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
                  reason: str | None) -> None:
        self._check(Action.SEND_BACK, at)
        reason = _require_reason(Action.SEND_BACK, reason)
        if self.current_step <= 1:
            raise IllegalTransition("Bước đầu tiên không có bước trước để trả lại.")
        before = self._snapshot()
        step = self.step
        step._end_run(at, cal)
        step.send_backs += 1
        self.current_step -= 1
        self.step.finished_at = None
        self.step._start_run(at)
        self._record(Action.SEND_BACK, at, actor, before,
                     {"from_step": step.seq, "to_step": self.current_step, "reason": reason})

    def request_supplement(self, *, at: datetime, actor: Actor, reason: str | None = None,
                           missing: list[str] | None = None) -> Supplement:
        self._check(Action.REQUEST_SUPPLEMENT, at)
        reason = (reason or "").strip()
        missing = [m.strip() for m in (missing or []) if m and m.strip()]
        if self.supplement_requests >= 1 and not reason:
            # Decree 118/2025: the desk guides once; a further request must be justified.
            raise ReasonRequired(
                "Đây là lần yêu cầu bổ sung thứ hai trở lên: cần ghi rõ lý do (hồ sơ sẽ bị tính "
                "trễ hạn trong Bộ chỉ số phục vụ)."
            )
        before = self._snapshot()
        self.supplement_requests += 1
        supplement = Supplement(self.supplement_requests, self.current_step, at, actor.id,
                                reason, missing)
        self.supplements.append(supplement)
        self.status = Status.AWAITING_SUPPLEMENT
        self.pause_started_at = at
        self._record(Action.REQUEST_SUPPLEMENT, at, actor, before, {
            "step": self.current_step, "reason": reason, "missing": missing,
            "flagged": supplement.flagged})
        return supplement

    def _end_pause(self, at: datetime, cal: WorkingCalendar) -> int:
        assert self.pause_started_at is not None
        paused = max(0, cal.between(self.pause_started_at, at))
        supplement = self.supplements[-1]
        supplement.supplemented_at = at
        supplement.paused_seconds = paused
        self.pause_started_at = None
        if paused:
            self.paused_seconds += paused
            self.due = cal.add(self.due, paused)
            step = self.step
            step.paused_seconds += paused
            step.run_paused_seconds += paused
            for later in self.steps[self.current_step - 1:]:
                later.planned_deadline = cal.add(later.planned_deadline, paused)
        return paused

    def supplement(self, *, at: datetime, actor: Actor, cal: WorkingCalendar) -> None:
        self._check(Action.SUPPLEMENT, at)
        before = self._snapshot()
        paused = self._end_pause(at, cal)
        self.status = Status.IN_PROGRESS
        self._record(Action.SUPPLEMENT, at, actor, before, {"paused_seconds": paused})

    def _close(self, action: Action, target: Status, *, at: datetime, actor: Actor,
               cal: WorkingCalendar, reason: str | None) -> None:
        self._check(action, at)
        reason = _require_reason(action, reason)
        before = self._snapshot()
        if self.pause_started_at is not None:
            self._end_pause(at, cal)
        if self.step.active:
            self.step._end_run(at, cal)
        self.status = target
        self.close_reason = reason
        if target is not Status.WITHDRAWN:
            self._finish(at, cal)
        self._record(action, at, actor, before, {"reason": reason, "step": self.current_step})

    def refuse(self, *, at: datetime, actor: Actor, cal: WorkingCalendar, reason: str | None) -> None:
        self._close(Action.REFUSE, Status.REFUSED, at=at, actor=actor, cal=cal, reason=reason)

    def stop(self, *, at: datetime, actor: Actor, cal: WorkingCalendar, reason: str | None) -> None:
        self._close(Action.STOP, Status.STOPPED, at=at, actor=actor, cal=cal, reason=reason)

    def withdraw(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
                 reason: str | None = None) -> None:
        self._close(Action.WITHDRAW, Status.WITHDRAWN, at=at, actor=actor, cal=cal, reason=reason)

    def extend(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
               new_appointment: datetime, reason: str | None) -> None:
        """Apology and extension: at most once, before ``due``; never changes ``due``."""
        self._check(Action.EXTEND, at)
        reason = _require_reason(Action.EXTEND, reason)
        if self.extended:
            raise IllegalTransition("Hồ sơ đã được gia hạn một lần; không được gia hạn lần nữa.")
        if at >= self.due:
            raise IllegalTransition(
                "Chỉ được xin lỗi và gia hạn trước thời hạn giải quyết; hồ sơ đã quá hạn."
            )
        if new_appointment <= self.appointment:
            raise ValidationError("Ngày hẹn mới phải sau ngày hẹn hiện tại.")
        if not cal.is_working_day(new_appointment.astimezone(VN_TZ).date()):
            raise ValidationError("Ngày hẹn mới phải là ngày làm việc.")
        before = self._snapshot()
        self.appointment = new_appointment
        self.extended = True
        self.extension_reason = reason
        self._record(Action.EXTEND, at, actor, before, {"reason": reason})

    def return_result(self, *, at: datetime, actor: Actor) -> None:
        self._check(Action.RETURN, at)
        before = self._snapshot()
        self.status = Status.RETURNED
        self.returned_at = at
        self._record(Action.RETURN, at, actor, before, {})

    def transfer(self, old_unit_id: int, new_unit_id: int, *, at: datetime, actor: Actor,
                 reason: str) -> None:
        """Move what is still to be done from a merged unit to its successor.

        Finished steps keep the unit that did them, so reports attribute past
        work to it.
        """
        self._check(Action.TRANSFER, at)
        reason = _require_reason(Action.TRANSFER, reason)
        before = self._snapshot()
        moved = []
        for step in self.steps:
            if step.unit_id == old_unit_id and (step.finished_at is None or step.active):
                step.unit_id = new_unit_id
                moved.append(step.seq)
        if self.unit_id == old_unit_id:
            self.unit_id = new_unit_id
        self._record(Action.TRANSFER, at, actor, before, {
            "from_unit": old_unit_id, "to_unit": new_unit_id, "steps": moved, "reason": reason})

    def attach(self, *, kind: str, name: str, filename: str, sha256: str, size: int,
               at: datetime, actor: Actor) -> None:
        """Record that a document (input, supplement or result) was attached.

        A scanned or electronic input marks the dossier's inputs as digitised; a
        result file marks its result as electronic (Decision 766 digitisation).
        """
        self._check(Action.ATTACH, at)
        before = self._snapshot()
        if kind == "result":
            self.result_electronic = True
        else:
            self.inputs_digitised = True
        self._record(Action.ATTACH, at, actor, before, {
            "kind": kind, "name": name, "filename": filename, "sha256": sha256, "size": size})

    def rate(self, rating: int, *, at: datetime, actor: Actor, comment: str = "") -> None:
        """The applicant's satisfaction with a returned dossier, 1 (very unhappy) to 5, once."""
        self._check(Action.RATE, at)
        if self.satisfaction is not None:
            raise IllegalTransition("Hồ sơ này đã được đánh giá; mỗi hồ sơ đánh giá một lần.")
        if rating not in SATISFACTION_LABELS:
            raise ValidationError("Mức đánh giá phải từ 1 đến 5.")
        before = self._snapshot()
        self.satisfaction = rating
        self._record(Action.RATE, at, actor, before, {"rating": rating,
                                                      "comment": comment.strip()[:1000]})

    # -- time corrections ------------------------------------------------------------------

    def request_correction(self, *, target: CorrectionTarget | str, new_value: datetime,
                           reason: str | None, evidence: str, at: datetime, actor: Actor,
                           step_seq: int | None = None) -> TimeCorrection:
        self._check(Action.REQUEST_CORRECTION, at)
        reason = _require_reason(Action.REQUEST_CORRECTION, reason)
        if not evidence.strip():
            raise ValidationError("Đề nghị điều chỉnh thời điểm cần có căn cứ (chứng cứ).")
        if new_value.tzinfo is None:
            raise ValidationError("Thời điểm mới phải kèm múi giờ.")
        if new_value > at:
            raise ValidationError("Không thể điều chỉnh tới một thời điểm trong tương lai.")
        target = CorrectionTarget(target)
        old_value = self._recorded_time(target, step_seq)
        before = self._snapshot()
        correction = TimeCorrection(len(self.corrections) + 1, target, step_seq, old_value,
                                    new_value, reason, evidence.strip(), actor.id, at)
        self.corrections.append(correction)
        self.pending_corrections += 1
        self._record(Action.REQUEST_CORRECTION, at, actor, before, {
            "correction": correction.seq, "target": target.value, "step": step_seq,
            "old_value": _iso(old_value), "new_value": _iso(new_value), "reason": reason,
            "evidence": correction.evidence})
        return correction

    def _recorded_time(self, target: CorrectionTarget, step_seq: int | None) -> datetime:
        if target is CorrectionTarget.RETURNED:
            if self.returned_at is None:
                raise IllegalTransition("Hồ sơ chưa trả kết quả nên chưa có thời điểm trả để sửa.")
            return self.returned_at
        if step_seq is None:
            raise ValidationError("Cần chỉ rõ bước cần điều chỉnh thời điểm hoàn thành.")
        step = self.step_by_seq(step_seq)
        if step.finished_at is None:
            raise IllegalTransition(f"Bước {step_seq} chưa hoàn thành nên chưa có thời điểm để sửa.")
        return step.finished_at

    def _pending(self, seq: int) -> TimeCorrection:
        for correction in self.corrections:
            if correction.seq == seq:
                if correction.status != "pending":
                    raise IllegalTransition(f"Đề nghị điều chỉnh số {seq} đã được xử lý.")
                return correction
        raise NotFound(f"Không có đề nghị điều chỉnh số {seq} trên hồ sơ {self.code}.")

    def approve_correction(self, seq: int, *, at: datetime, actor: Actor,
                           cal: WorkingCalendar) -> None:
        self._check(Action.APPROVE_CORRECTION, at)
        correction = self._pending(seq)
        if correction.requested_by_id is not None and correction.requested_by_id == actor.id:
            raise IllegalTransition("Người đề nghị điều chỉnh không được tự duyệt đề nghị của mình.")
        before = self._snapshot()
        current = self._recorded_time(correction.target, correction.step_seq)
        if current != correction.old_value:
            raise IllegalTransition("Thời điểm đã thay đổi sau khi đề nghị; hãy lập đề nghị mới.")
        if correction.target is CorrectionTarget.RETURNED:
            if self.result_ready_at and correction.new_value < self.result_ready_at:
                raise ValidationError("Thời điểm trả không thể sớm hơn thời điểm có kết quả.")
            self.returned_at = correction.new_value
        else:
            self._move_step_finish(correction.step_seq, correction.old_value,
                                   correction.new_value, cal)
        correction.status = "approved"
        self.pending_corrections -= 1
        correction.decided_by_id = actor.id
        correction.decided_at = at
        self._record(Action.APPROVE_CORRECTION, at, actor, before, {
            "correction": seq, "target": correction.target.value, "step": correction.step_seq,
            "old_value": _iso(correction.old_value), "new_value": _iso(correction.new_value)})

    def _move_step_finish(self, seq: int, old: datetime, new: datetime,
                          cal: WorkingCalendar) -> None:
        step = self.step_by_seq(seq)
        floor = step.started_at if step.started_at else self.effective_receipt
        if new < floor:
            raise ValidationError("Thời điểm hoàn thành mới sớm hơn thời điểm bắt đầu bước.")
        nxt = self.steps[seq] if seq < len(self.steps) else None
        if nxt is not None and nxt.finished_at is not None and new > nxt.finished_at:
            raise ValidationError("Thời điểm mới muộn hơn thời điểm hoàn thành của bước sau.")
        delta = cal.between(old, new)
        step.worked_seconds += delta
        step.finished_at = new
        step._judge()
        if nxt is not None and nxt.started_at == old:
            nxt.started_at = new
            if nxt.run_started_at == old:
                nxt.run_started_at = new
            else:
                nxt.worked_seconds -= delta
                if nxt.finished_at is not None:
                    nxt._judge()
        if nxt is None and self.result_ready_at == old:
            self._finish(new, cal)

    def reject_correction(self, seq: int, *, at: datetime, actor: Actor, reason: str | None) -> None:
        self._check(Action.REJECT_CORRECTION, at)
        reason = _require_reason(Action.REJECT_CORRECTION, reason)
        correction = self._pending(seq)
        before = self._snapshot()
        correction.status = "rejected"
        self.pending_corrections -= 1
        correction.decided_by_id = actor.id
        correction.decided_at = at
        correction.decision_note = reason
        self._record(Action.REJECT_CORRECTION, at, actor, before,
                     {"correction": seq, "reason": reason})

    # -- timeliness ------------------------------------------------------------------------

    def _finish(self, ready_at: datetime, cal: WorkingCalendar) -> None:
        self.result_ready_at = ready_at
        self.timeliness = judge_timeliness(ready_at, self.due)
        self.handling_seconds = max(
            0, cal.between(self.effective_receipt, ready_at) - self.paused_seconds)

    # -- audit -----------------------------------------------------------------------------

    def _snapshot(self) -> dict:
        return {
            "status": self.status.value if self.status else None,
            "current_step": self.current_step,
            "unit_id": self.unit_id,
            "due": _iso(self.due),
            "appointment": _iso(self.appointment),
            "paused_seconds": self.paused_seconds,
            "supplement_requests": self.supplement_requests,
            "extended": self.extended,
            "result_ready_at": _iso(self.result_ready_at),
            "returned_at": _iso(self.returned_at),
            "timeliness": self.timeliness.value if self.timeliness else None,
        }

    def _record(self, action: Action, at: datetime, actor: Actor, before: dict,
                details: dict) -> None:
        after = self._snapshot()
        changed = [k for k in after if after[k] != before.get(k)]
        data = {"before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed}, **details}
        self.audit_seq += 1
        event = chain_event(self.code, self.audit_seq, at, actor.id, actor.name, action.value,
                            data, self.audit_head)
        self.audit_head = event.hash
        if at > self.last_action_at:
            self.last_action_at = at
        self.pending_events.append(event)

    @property
    def pending_events(self) -> list[AuditEvent]:
        """Events recorded since the dossier was loaded; the storage layer writes them."""
        events = self.__dict__.get("_pending_events")
        if events is None:
            events = self.__dict__["_pending_events"] = []
        return events


PAYMENT_METHODS = {"": "Không thu phí", "cash": "Tiền mặt tại quầy",
                   "transfer": "Chuyển khoản", "online": "Thanh toán trực tuyến"}
SATISFACTION_LABELS = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường",
                       4: "Hài lòng", 5: "Rất hài lòng"}


def judge_timeliness(ready_at: datetime, due: datetime) -> Timeliness:
    """Late if ready after ``due``; early if ready on a calendar day before ``due``'s day."""
    if ready_at > due:
        return Timeliness.LATE
    if ready_at.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME
