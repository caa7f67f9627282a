"""The dossier lifecycle: statuses, actions and the one table that says, per action,
where it may start, where it leads, whether it needs a reason, which command
carries it, which ``Dossier`` method applies it and who may do it.

``motcua dossiers transitions`` and ``GET /api/v1/transitions`` print this table;
the permission policy, the dossier page's buttons and the API read it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from motcua.domain import commands as c
from motcua.domain.errors import IllegalTransition
from motcua.domain.units import Role


class Status(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

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
    Status.CLOSED: "Đóng hồ sơ (quá hạn bổ sung)",
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
    CLOSE = "close"
    PAY = "pay"
    REFUND = "refund"
    RECALENDAR = "recalendar"


class Reason(enum.StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class Scope(enum.StrEnum):
    """Whose unit counts for a permission: the receiving desk's, the current step's, any."""

    DESK = "desk"
    STEP = "step"
    ANY = "any"


@dataclass(frozen=True)
class Actor:
    """Who performs an action (an official, the applicant, or the system)."""

    id: int | None
    name: str


SYSTEM = Actor(None, "Hệ thống")
APPLICANT = Actor(None, "Người nộp hồ sơ")


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status | None]
    targets: tuple[Status, ...]
    reason: Reason
    label: str
    roles: frozenset[Role]
    scope: Scope
    command: type[c.Command] | None
    method: str
    by_official: bool = True  # offered on officials' pages and the API

    def as_dict(self) -> dict:
        return {
            "action": self.action.value,
            "label": self.label,
            "from": sorted(s.value if s else "(mới)" for s in self.sources),
            "to": [t.value for t in self.targets],
            "reason": self.reason.value,
            "roles": sorted(r.value for r in self.roles),
            "scope": self.scope.value,
            "fields": [f.name for f in c.fields(self.command)] if self.command else [],
        }


_OPEN = frozenset({Status.IN_PROGRESS, Status.AWAITING_SUPPLEMENT})
_HELD = _OPEN | {Status.RESULT_READY}
_ANY = frozenset(Status)
R = Role
_STAFF = frozenset({R.DESK, R.SPECIALIST, R.HEAD, R.SIGNER})
_LEADERS = frozenset({R.HEAD, R.SIGNER})


def _t(action: Action, sources, targets, reason: Reason, label: str, roles, scope: Scope,
       command: type[c.Command] | None, method: str, by_official: bool = True) -> Transition:
    targets = tuple(targets) if isinstance(targets, tuple | list | frozenset) else (targets,)
    return Transition(action, frozenset(sources), targets, reason, label, frozenset(roles),
                      scope, command, method, by_official)


S, N, OPT, Q = Status, Reason.NONE, Reason.OPTIONAL, Reason.REQUIRED
TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.RECEIVE, {None}, S.IN_PROGRESS, N, "Tiếp nhận hồ sơ", {R.DESK}, Scope.DESK,
       None, "receive", by_official=False),
    _t(Action.ASSIGN, {S.IN_PROGRESS}, S.IN_PROGRESS, N, "Phân công xử lý", _LEADERS,
       Scope.STEP, c.Assign, "assign"),
    _t(Action.COMPLETE_STEP, {S.IN_PROGRESS}, (S.IN_PROGRESS, S.RESULT_READY), N,
       "Hoàn thành bước và chuyển tiếp", _STAFF, Scope.STEP, c.CompleteStep, "complete_step"),
    _t(Action.SEND_BACK, {S.IN_PROGRESS}, S.IN_PROGRESS, Q, "Trả lại bước trước",
       {R.SPECIALIST, R.HEAD, R.SIGNER}, Scope.STEP, c.SendBack, "send_back"),
    _t(Action.REQUEST_SUPPLEMENT, {S.IN_PROGRESS}, S.AWAITING_SUPPLEMENT, OPT,
       "Yêu cầu bổ sung, hoàn thiện hồ sơ", {R.DESK, R.SPECIALIST, R.HEAD}, Scope.STEP,
       c.RequestSupplement, "request_supplement"),
    _t(Action.SUPPLEMENT, {S.AWAITING_SUPPLEMENT}, S.IN_PROGRESS, N, "Nhận hồ sơ bổ sung",
       {R.DESK}, Scope.DESK, c.Supplement, "supplement"),
    _t(Action.REFUSE, _OPEN, S.REFUSED, Q, "Từ chối giải quyết", _LEADERS, Scope.STEP,
       c.Refuse, "refuse"),
    _t(Action.STOP, _OPEN, S.STOPPED, Q, "Dừng giải quyết", _LEADERS, Scope.STEP, c.Stop,
       "stop"),
    _t(Action.WITHDRAW, _OPEN, S.WITHDRAWN, OPT, "Công dân rút hồ sơ", {R.DESK}, Scope.DESK,
       c.Withdraw, "withdraw"),
    _t(Action.EXTEND, _OPEN, _OPEN, Q, "Xin lỗi và gia hạn", _LEADERS, Scope.STEP, c.Extend,
       "extend"),
    _t(Action.RETURN, {S.RESULT_READY}, S.RETURNED, N, "Trả kết quả", {R.DESK}, Scope.DESK,
       c.ReturnResult, "return_result"),
    _t(Action.TRANSFER, _HELD, _HELD, Q, "Chuyển sang đơn vị kế thừa", {R.ADMIN}, Scope.ANY,
       c.Transfer, "transfer", by_official=False),
    _t(Action.REQUEST_CORRECTION, _ANY, _ANY, Q, "Đề nghị điều chỉnh thời điểm đã ghi nhận",
       _STAFF, Scope.ANY, c.RequestCorrection, "request_correction"),
    _t(Action.APPROVE_CORRECTION, _ANY, _ANY, N, "Duyệt điều chỉnh thời điểm", _LEADERS,
       Scope.ANY, c.ApproveCorrection, "approve_correction"),
    _t(Action.REJECT_CORRECTION, _ANY, _ANY, Q, "Không duyệt điều chỉnh thời điểm", _LEADERS,
       Scope.ANY, c.RejectCorrection, "reject_correction"),
    _t(Action.ATTACH, _HELD, _HELD, N, "Đính kèm giấy tờ, kết quả", _STAFF, Scope.ANY,
       c.Attach, "attach"),
    _t(Action.CLOSE, {S.AWAITING_SUPPLEMENT}, S.CLOSED, OPT, "Đóng hồ sơ quá hạn bổ sung",
       {R.DESK}, Scope.DESK, c.Close, "close"),
    # a payment is recorded by the payment gateway (or the desk's cash book), not a page
    _t(Action.PAY, _ANY, _ANY, N, "Ghi nhận thanh toán phí, lệ phí", {R.DESK}, Scope.DESK,
       c.RecordPayment, "record_payment", by_official=False),
    # a fee paid back (a refused dossier, a double payment): heads and signers, from the
    # dossier's payments, with the reason, against one recorded payment
    _t(Action.REFUND, _ANY, _ANY, Q, "Hoàn trả phí, lệ phí đã thu", {R.HEAD, R.SIGNER},
       Scope.DESK, c.RefundPayment, "refund_payment", by_official=False),
    # the system re-applies a corrected working calendar to stored times (data migration)
    _t(Action.RECALENDAR, _ANY, _ANY, Q, "Tính lại thời hạn theo lịch làm việc đã sửa",
       {R.ADMIN}, Scope.ANY, c.Recalendar, "recalendar", by_official=False),
    # only the applicant rates, through the tracking page
    _t(Action.RATE, {S.RETURNED}, S.RETURNED, N, "Người dân đánh giá mức độ hài lòng", set(),
       Scope.DESK, c.Rate, "rate", by_official=False),
)
del S, N, OPT, Q
_BY_ACTION = {t.action: t for t in TRANSITIONS}
CORRECTION_ACTIONS = frozenset({Action.REQUEST_CORRECTION, Action.APPROVE_CORRECTION,
                                Action.REJECT_CORRECTION})


def transition_for(action: Action | str) -> Transition:
    try:
        return _BY_ACTION[Action(action)]
    except ValueError as exc:
        raise IllegalTransition(f"Thao tác không tồn tại: {action!r}.") from exc


def allowed_actions(status: Status | None) -> list[Action]:
    """Actions the table allows from ``status`` (guards such as 'first step' aside)."""
    return [t.action for t in TRANSITIONS if status in t.sources]
