"""The dossier (hồ sơ) aggregate: receipt, the lifecycle's domain methods, honest timeliness.

Every action is a command (``domain.commands``) applied by ``Dossier.apply``
through the one table ``domain.lifecycle.TRANSITIONS``: it names the states an
action may start from and lead to; anything else raises ``IllegalTransition``.
Every action appends a hash-chained audit event.

Two things are kept apart (shared/DOMAIN.md, "Time semantics"):

* **step accountability**: a step *overran* when its worked time exceeded its
  allocation (charged to the unit and official that held it) and is *behind
  schedule* when it finished after its planned (cumulative) deadline;
* **the dossier's timeliness**, decided only by when the result was ready
  against ``due``. A step that overran never makes an on-time dossier late.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from datetime import UTC, datetime

from motcua.domain.audit import AuditEvent, chain_event
from motcua.domain.calendar import VN_TZ, Deadline, DeadlineUnit, WorkingCalendar
from motcua.domain.commands import Command
from motcua.domain.documents import StoredFile
from motcua.domain.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    NotFound,
    ReasonRequired,
    ValidationError,
)
from motcua.domain.identity import Applicant, ApplicantKind
from motcua.domain.lifecycle import (  # noqa: F401 - the names dossiers are spoken of with
    STATUS_LABELS,
    SYSTEM,
    TRANSITIONS,
    Action,
    Actor,
    Reason,
    Status,
    Transition,
    allowed_actions,
    transition_for,
)
from motcua.domain.procedures import Channel, Procedure
from motcua.domain.steps import CorrectionTarget, Restorable, Step, Supplement, TimeCorrection
from motcua.domain.text import fold
from motcua.domain.timeliness import (
    DUE_SOON_SHARE,
    Timeliness,
    Urgency,
    judge_timeliness,
    urgency,
)

DECREE_118_FROM = datetime(2025, 7, 1, tzinfo=VN_TZ)
SUPPLEMENT_WAIT = Deadline(15, DeadlineUnit.CALENDAR_DAYS)
CLOSE_REASON = ("Quá 15 ngày kể từ ngày thông báo yêu cầu bổ sung, hoàn thiện hồ sơ mà người nộp "
                "chưa bổ sung (Nghị định 118/2025/NĐ-CP, Điều 19 khoản 5)")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _require_reason(action: Action, reason: str | None) -> str:
    text = (reason or "").strip()
    if transition_for(action).reason is Reason.REQUIRED and not text:
        raise ReasonRequired(f"Thao tác “{transition_for(action).label}” cần ghi rõ lý do.")
    return text


class Dossier(Restorable):
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
        # 766: paid online only on a real online payment record (``record_payment``)
        self.paid_online = False
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
        self.appointment_after_supplement: datetime | None = None
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
        self.audit_seal = ""  # set by the storage layer, which holds the audit key

    # -- creation --------------------------------------------------------------------------

    @classmethod
    def receive(cls, *, code: str, province_code: int, procedure: Procedure, unit_id: int,
                step_unit_ids: list[int], channel: Channel | str, applicant: Applicant,
                received_at: datetime, cal: WorkingCalendar, actor: Actor = SYSTEM,
                filed_by_id: int | None = None, note: str = "",
                submission_key: str | None = None, payment_method: str = "",
                identity: dict | None = None) -> Dossier:
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
            # who signed in to file online: the provider and the assurance level
            **({"identity": {"provider": str(identity.get("provider", "")),
                             "level": str(identity.get("level", ""))}} if identity else {}),
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
        return search_text(self.code, self.applicant_name, self.applicant_id_number,
                           self.applicant_phone)

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
        if Action.CLOSE in actions and not self.supplements:
            actions.remove(Action.CLOSE)
        if not self.pending_corrections:
            actions = [a for a in actions
                       if a not in (Action.APPROVE_CORRECTION, Action.REJECT_CORRECTION)]
        return actions

    def allotted_seconds(self, cal: WorkingCalendar) -> int:
        return cal.between(self.effective_receipt, self.appointment_at_receipt)

    def urgency(self, now: datetime, cal: WorkingCalendar,
                share: float = DUE_SOON_SHARE) -> Urgency | None:
        """Overdue or due soon while being handled (``timeliness.urgency``); else ``None``."""
        if self.status is not Status.IN_PROGRESS:
            return None
        return urgency(now, self.due, self.allotted_seconds(cal), cal, share)

    # -- the lifecycle ---------------------------------------------------------------------

    def apply(self, command: Command, *, at: datetime, actor: Actor,
              cal: WorkingCalendar) -> None:
        """Apply ``command`` through its row of the transition table.

        A command that carries the step the person saw is refused when the dossier
        has moved on meanwhile (a double click, a second scan, two officials).
        """
        transition = transition_for(command.action)
        seen = command.seen_step
        if seen is not None and (self.current_step != seen or not self.status
                                 or not self.status.is_open):
            raise ConcurrentUpdate(
                f"Hồ sơ {self.code} đã chuyển sang bước {self.current_step} "
                f"(“{self.status.label if self.status else 'mới'}”); thao tác "
                f"“{transition.label.lower()}” cho bước {seen} không được ghi lại lần nữa.")
        method = getattr(self, transition.method)
        kwargs = command.arguments()
        if _TAKES_CAL[transition.method]:
            kwargs["cal"] = cal
        method(at=at, actor=actor, **kwargs)


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

    def assign(self, assignee_id: int, *, at: datetime, actor: Actor) -> None:
        self._check(Action.ASSIGN, at)
        before = self._snapshot()
        previous = self.step.assignee_id
        self.step.assignee_id = assignee_id
        self._record(Action.ASSIGN, at, actor, before, {
            "step": self.current_step, "assignee_before": previous, "assignee": assignee_id})

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

    def request_supplement(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
                           reason: str | None = None,
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
        window = self.procedure.supplement_window_days * cal.day_seconds
        late = cal.between(self.effective_receipt, at) > window
        supplement = Supplement(self.supplement_requests, self.current_step, at, actor.id,
                                reason, missing, late)
        self.supplements.append(supplement)
        self.status = Status.AWAITING_SUPPLEMENT
        self.pause_started_at = at
        self._record(Action.REQUEST_SUPPLEMENT, at, actor, before, {
            "step": self.current_step, "reason": reason, "missing": missing,
            "flagged": supplement.flagged, "late_request": late})
        return supplement

    @property
    def restarts_after_supplement(self) -> bool:
        """Decree 118/2025 art. 19(5), for dossiers received from 1 Jul 2025: the deadline
        restarts from zero once the dossier is complete; earlier ones keep the pause rule."""
        return self.received_at >= DECREE_118_FROM

    def _end_pause(self, at: datetime, cal: WorkingCalendar, supplemented: bool = True) -> int:
        """End the wait for a supplement (``supplemented``: it came; else the dossier is
        closed while waiting): nobody is charged for the wait, the step's worked time
        excludes it; under the pause rule ``due`` and the plan move by it."""
        assert self.pause_started_at is not None
        paused = max(0, cal.between(self.pause_started_at, at))
        supplement = self.supplements[-1]
        if supplemented:
            supplement.supplemented_at = at
        supplement.paused_seconds = paused
        self.pause_started_at = None
        if paused:
            self.paused_seconds += paused
            step = self.step
            step.paused_seconds += paused
            step.run_paused_seconds += paused
            if not self.restarts_after_supplement:
                self.due = cal.add(self.due, paused)
                for later in self.steps[self.current_step - 1:]:
                    later.planned_deadline = cal.add(later.planned_deadline, paused)
        return paused

    def _restart(self, at: datetime, cal: WorkingCalendar) -> None:
        """The complete supplement's effective receipt + the full deadline is the new
        ``due`` and the citizen's new appointment; the remaining plan is re-based so that
        its last deadline is the new ``due``."""
        deadline = self.procedure.deadline
        due = cal.due_from_effective(cal.effective_receipt(at, deadline.cutoff), deadline)
        last = self.steps[-1].planned_deadline
        shift = cal.between(last, due)
        for step in self.steps[self.current_step - 1:]:
            step.planned_deadline = (cal.add(step.planned_deadline, shift) if shift >= 0
                                     else min(step.planned_deadline, due))
        self.due = due
        self.appointment_after_supplement = due
        self.appointment = max(self.appointment, due) if self.extended else due

    def supplement(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
                   files: tuple[StoredFile, ...] = ()) -> None:
        self._check(Action.SUPPLEMENT, at)
        before = self._snapshot()
        paused = self._end_pause(at, cal)
        if self.restarts_after_supplement:
            self._restart(at, cal)
        self.status = Status.IN_PROGRESS
        self._record(Action.SUPPLEMENT, at, actor, before, {
            "paused_seconds": paused, "restarted": self.restarts_after_supplement})
        for file in files:
            self._attach_one("supplement", file, at, actor)

    def closable_from(self, cal: WorkingCalendar) -> datetime | None:
        """When a dossier still waiting for its supplement may be closed: after 15 days
        from the notice (Decree 118/2025 art. 19(5); Civil Code art. 147-148 counting)."""
        if self.status is not Status.AWAITING_SUPPLEMENT or not self.supplements:
            return None
        return cal.due_from_effective(self.supplements[-1].requested_at, SUPPLEMENT_WAIT)

    def close(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
              reason: str | None = None) -> None:
        """Close a dossier whose supplement did not come within 15 days of the notice."""
        self._check(Action.CLOSE, at)
        closable = self.closable_from(cal)
        if closable is None:
            raise IllegalTransition(f"Hồ sơ {self.code} không chờ bổ sung.")
        if at <= closable:
            when = closable.astimezone(VN_TZ)
            raise IllegalTransition(
                f"Chỉ được đóng hồ sơ {self.code} khi đã quá 15 ngày kể từ ngày thông báo bổ "
                f"sung mà người nộp chưa bổ sung (sau {when:%H:%M %d/%m/%Y}).")
        self._close(Action.CLOSE, Status.CLOSED, at=at, actor=actor, cal=cal,
                    reason=(reason or "").strip() or CLOSE_REASON)

    def _close(self, action: Action, target: Status, *, at: datetime, actor: Actor,
               cal: WorkingCalendar, reason: str | None) -> None:
        self._check(action, at)
        reason = _require_reason(action, reason)
        before = self._snapshot()
        if self.pause_started_at is not None:
            self._end_pause(at, cal, supplemented=False)
        if self.step.active:
            self.step._end_run(at, cal)
        self.status = target
        self.close_reason = reason
        if target not in (Status.WITHDRAWN, Status.CLOSED):
            self._finish(at, cal)
        self._record(action, at, actor, before, {"reason": reason, "step": self.current_step})

    def refuse(self, *, at: datetime, actor: Actor, cal: WorkingCalendar, reason: str | None) -> None:
        self._close(Action.REFUSE, Status.REFUSED, at=at, actor=actor, cal=cal, reason=reason)

    def stop(self, *, at: datetime, actor: Actor, cal: WorkingCalendar, reason: str | None) -> None:
        self._close(Action.STOP, Status.STOPPED, at=at, actor=actor, cal=cal, reason=reason)

    def withdraw(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
                 reason: str | None = None) -> None:
        self._close(Action.WITHDRAW, Status.WITHDRAWN, at=at, actor=actor, cal=cal, reason=reason)

    def extension_deadline(self, cal: WorkingCalendar) -> datetime:
        return extension_deadline(self.appointment, cal)

    def may_extend(self, at: datetime, cal: WorkingCalendar) -> bool:
        return (self.status is not None and self.status.is_open and not self.extended
                and at <= self.extension_deadline(cal))

    def extend(self, *, at: datetime, actor: Actor, cal: WorkingCalendar,
               new_appointment: datetime, reason: str | None) -> None:
        """Apology and extension: at most once, no later than the close of the working day
        before the appointment's day; moves the citizen's appointment, never ``due``."""
        self._check(Action.EXTEND, at)
        reason = _require_reason(Action.EXTEND, reason)
        if self.extended:
            raise IllegalTransition("Hồ sơ đã được gia hạn một lần; không được gia hạn lần nữa.")
        until = self.extension_deadline(cal)
        if at > until:
            raise IllegalTransition(
                f"Đã quá thời hạn xin lỗi và gia hạn: chậm nhất "
                f"{until.astimezone(VN_TZ):%H:%M %d/%m/%Y}, ngày làm việc trước ngày hẹn trả "
                f"{self.appointment.astimezone(VN_TZ):%d/%m/%Y} (Nghị định 118/2025/NĐ-CP, "
                f"Điều 19 khoản 6).")
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

    def attach(self, *, kind: str, files: tuple[StoredFile, ...], at: datetime,
               actor: Actor) -> None:
        """Record that documents (inputs, supplement or result) were attached.

        A scanned or electronic input marks the dossier's inputs as digitised; a
        result file marks its result as electronic (Decision 766 digitisation).
        """
        self._check(Action.ATTACH, at)
        if not files:
            raise ValidationError("Chưa chọn tệp nào để đính kèm.")
        for file in files:
            self._attach_one(kind, file, at, actor)

    def _attach_one(self, kind: str, file: StoredFile, at: datetime, actor: Actor) -> None:
        before = self._snapshot()
        if kind == "result":
            self.result_electronic = True
        else:
            self.inputs_digitised = True
        self._record(Action.ATTACH, at, actor, before, {
            "kind": kind, "name": file.name, "filename": file.filename, "sha256": file.sha256,
            "size": file.size})

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

    def record_payment(self, *, amount: int, method: str, reference: str, at: datetime,
                       actor: Actor) -> None:
        """A payment of the fee, as the payment gateway (or the cash book) recorded it."""
        self._check(Action.PAY, at)
        if method not in PAYMENT_METHODS or not method:
            raise ValidationError(f"Hình thức thanh toán không hợp lệ: {method!r}.")
        if amount <= 0:
            raise ValidationError("Số tiền thanh toán phải lớn hơn 0.")
        before = self._snapshot()
        self.payment_method = method
        if method == "online":
            self.paid_online = True
        self._record(Action.PAY, at, actor, before, {
            "amount": amount, "method": method, "reference": reference.strip()[:100]})

    def refund_payment(self, *, reference: str, amount: int, reason: str, at: datetime,
                       actor: Actor) -> None:
        """A fee paid back, against one recorded payment (the caller checks the payment
        and its amount); ``paid_online`` stays: Decision 766 counts what was paid."""
        self._check(Action.REFUND, at)
        reason = _require_reason(Action.REFUND, reason)
        if amount <= 0:
            raise ValidationError("Số tiền hoàn phải lớn hơn 0.")
        before = self._snapshot()
        self._record(Action.REFUND, at, actor, before, {
            "reference": reference.strip()[:100], "amount": amount, "reason": reason})

    def recalendar(self, *, previous: WorkingCalendar, reason: str, at: datetime,
                   actor: Actor, cal: WorkingCalendar) -> None:
        """Re-apply a corrected working calendar (``cal``) to the times computed under
        ``previous``: every deadline keeps its working-time budget from the (re)computed
        receipt, worked and handling times are measured again, the verdict judged again.
        An extension's appointment, chosen by a person, stays. A dossier the corrected
        calendar does not change records nothing."""
        self._check(Action.RECALENDAR, at)
        reason = _require_reason(Action.RECALENDAR, reason)
        before, times = self._snapshot(), self._calendar_times()
        deadline = self.procedure.deadline
        old_effective, old_at_receipt = self.effective_receipt, self.appointment_at_receipt
        self.effective_receipt = cal.effective_receipt(self.received_at, deadline.cutoff)

        def moved(instant: datetime | None) -> datetime | None:
            if instant is None:
                return None
            return cal.add(self.effective_receipt, previous.between(old_effective, instant))

        self.appointment_at_receipt = cal.due_from_effective(self.effective_receipt, deadline)
        for step in self.steps:
            step.planned_deadline = moved(step.planned_deadline)
            if step.started_at is not None and step.finished_at is not None:
                step.worked_seconds += (cal.between(step.started_at, step.finished_at)
                                        - previous.between(step.started_at, step.finished_at))
                step._judge()
        for supplement in self.supplements:
            if supplement.supplemented_at is not None:
                supplement.paused_seconds = max(0, cal.between(supplement.requested_at,
                                                               supplement.supplemented_at))
        self.paused_seconds = sum(x.paused_seconds for x in self.supplements)
        if self.appointment_after_supplement is not None:
            restart = self.supplements[-1].supplemented_at
            self.appointment_after_supplement = cal.due_from_effective(
                cal.effective_receipt(restart, deadline.cutoff), deadline)
            self.due = self.appointment_after_supplement
        elif self.paused_seconds:
            self.due = cal.add(self.appointment_at_receipt, self.paused_seconds)
        else:
            self.due = self.appointment_at_receipt
        if not self.extended:
            self.appointment = self.appointment_after_supplement or self.appointment_at_receipt
        if self.result_ready_at is not None and self.timeliness is not None:
            self._finish(self.result_ready_at, cal)
        if self._calendar_times() == times:
            return
        # the two receipt times change only here: recorded beside the snapshot's values
        self._record(Action.RECALENDAR, at, actor, before, {
            "reason": reason,
            "effective_receipt": {"before": _iso(old_effective),
                                  "after": _iso(self.effective_receipt)},
            "appointment_at_receipt": {"before": _iso(old_at_receipt),
                                       "after": _iso(self.appointment_at_receipt)}})

    def _calendar_times(self) -> tuple:
        """Everything the working calendar decides for this dossier."""
        return (self.effective_receipt, self.appointment_at_receipt, self.due, self.appointment,
                self.timeliness, self.handling_seconds, self.paused_seconds,
                tuple((s.planned_deadline, s.worked_seconds, s.overran) for s in self.steps))

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

    STATE_FIELDS = ("status", "current_step", "unit_id", "applicant_id_number",
                    "applicant_name", "received_at", "effective_receipt",
                    "appointment_at_receipt", "due", "appointment",
                    "appointment_after_supplement", "paused_seconds", "pause_started_at",
                    "result_ready_at", "returned_at", "timeliness", "supplement_requests",
                    "extended", "satisfaction", "fee_amount", "paid_online")
    STEP_STATE = ("seq", "unit_id", "allocated_seconds", "planned_deadline", "started_at",
                  "finished_at", "worked_seconds", "paused_seconds", "assignee_id",
                  "completed_by_id", "overran", "behind_schedule", "send_backs")
    SUPPLEMENT_STATE = ("seq", "step_seq", "requested_at", "supplemented_at",
                        "paused_seconds", "late")

    def state_digest(self) -> str:
        """SHA-256 of what the record says about this dossier (times, steps, supplements,
        verdict, appointment), as stored; each audit event carries it (``state``), so that
        ``audit verify`` finds a row edited without an event."""
        def plain(obj, names):
            return [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v
                    for v in (getattr(obj, n, None) for n in names)]
        state = {"dossier": plain(self, self.STATE_FIELDS),
                 "steps": [plain(s, self.STEP_STATE) for s in self.steps],
                 "supplements": [plain(s, self.SUPPLEMENT_STATE)
                                 for s in self.supplements] if self.supplement_requests else []}
        text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _record(self, action: Action, at: datetime, actor: Actor, before: dict,
                details: dict) -> None:
        after = self._snapshot()
        changed = [k for k in after if after[k] != before.get(k)]
        data = {"before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed}, **details,
                "state": self.state_digest()}
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


def extension_deadline(appointment: datetime, cal: WorkingCalendar) -> datetime:
    """The last moment for an apology and new appointment (Form 04): the close of the
    last working day before the day of the current appointment (Decree 118/2025
    art. 19(6): "chậm nhất 01 ngày trước ngày hết hạn")."""
    day = appointment.astimezone(VN_TZ).date()
    return cal.close_of_day(cal.previous_working_day(day))


def dossier_code(prefix: str, day: str, seq: int) -> str:
    """``<agency identifier>-YYMMDD-NNNN`` (Decree 118/2025 art. 28(2); Circular 01/2018
    art. 19): the receiving unit's identifier, the local day of receipt, its sequence."""
    return f"{prefix}-{day}-{seq:04d}"


def code_day(received_at: datetime) -> str:
    """The YYMMDD of a dossier code: the day of receipt in Vietnam time."""
    return received_at.astimezone(VN_TZ).strftime("%y%m%d")


def search_text(code: str, name: str, id_number: str, phone: str) -> str:
    """Code, applicant, ID number and phone folded for diacritic-insensitive search."""
    return fold(f"{code} {name} {id_number} {phone}")


_TAKES_CAL = {t.method: "cal" in inspect.signature(getattr(Dossier, t.method)).parameters
              for t in TRANSITIONS}

PAYMENT_METHODS = {"": "Không thu phí", "cash": "Tiền mặt tại quầy",
                   "transfer": "Chuyển khoản", "online": "Thanh toán trực tuyến",
                   "cod": "Thu hộ qua bưu chính (COD)"}
SATISFACTION_LABELS = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường",
                       4: "Hài lòng", 5: "Rất hài lòng"}
