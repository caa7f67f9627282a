"""The dossier lifecycle: the transition table, every legal and illegal move."""

from __future__ import annotations

import pytest

from motcua.domain import commands as c
from motcua.domain.documents import StoredFile
from motcua.domain.dossiers import TRANSITIONS, Action, Dossier, Status, allowed_actions
from motcua.domain.errors import IllegalTransition, ReasonRequired, ValidationError
from motcua.domain.lifecycle import CORRECTION_ACTIONS
from tests.conftest import vn
from tests.unit.factories import DESK_OFFICER, HEAD, SPECIALIST, received

T0 = vn(2026, 1, 5, 9, 0)


def at(h, m=0, day=5):
    return vn(2026, 1, day, h, m)


def to_state(cal, status: Status):
    d = received(cal, T0)
    if status in (Status.AWAITING_SUPPLEMENT, Status.CLOSED):
        d.request_supplement(at=at(9, 30), actor=SPECIALIST, cal=cal, missing=["Giấy chứng sinh"])
        if status is Status.CLOSED:  # 15 days after the notice, no supplement came
            d.close(at=vn(2026, 1, 21, 8, 0), actor=DESK_OFFICER, cal=cal)
    elif status in (Status.RESULT_READY, Status.RETURNED):
        for h in (10, 11, 14):
            d.complete_step(at=at(h), actor=SPECIALIST, cal=cal)
        if status is Status.RETURNED:
            d.return_result(at=at(15), actor=SPECIALIST)
    elif status is Status.REFUSED:
        d.refuse(at=at(10), actor=HEAD, cal=cal, reason="Không thuộc thẩm quyền")
    elif status is Status.STOPPED:
        d.stop(at=at(10), actor=HEAD, cal=cal, reason="Có tranh chấp")
    elif status is Status.WITHDRAWN:
        d.withdraw(at=at(10), actor=SPECIALIST, cal=cal, reason="Công dân xin rút")
    assert d.status is status
    return d


PDF = StoredFile("Tờ khai", "to-khai.pdf", "0" * 64, 1, "application/pdf")
COMMANDS = {
    Action.ASSIGN: c.Assign(11),
    Action.COMPLETE_STEP: c.CompleteStep(),
    Action.SEND_BACK: c.SendBack("Thiếu chữ ký"),
    Action.REQUEST_SUPPLEMENT: c.RequestSupplement(reason="Thiếu giấy tờ"),
    Action.SUPPLEMENT: c.Supplement(),
    Action.REFUSE: c.Refuse("Không đủ điều kiện"),
    Action.STOP: c.Stop("Có tranh chấp"),
    Action.WITHDRAW: c.Withdraw(),
    Action.EXTEND: c.Extend(vn(2026, 1, 12, 17, 30), "Cần xác minh thêm"),
    Action.RETURN: c.ReturnResult(),
    Action.TRANSFER: c.Transfer(1, 3, "Sáp nhập"),
    Action.ATTACH: c.Attach("input", (PDF,)),
    Action.RATE: c.Rate(5),
    Action.PAY: c.RecordPayment(20_000, "online", "VNPT-0001"),
    Action.REFUND: c.RefundPayment("VNPT-0001", 20_000, "Hồ sơ bị từ chối"),
    Action.CLOSE: c.Close(),
}


def attempt(d, action: Action, cal, when):
    command = (c.Recalendar(cal, "Lịch làm việc được sửa") if action is Action.RECALENDAR
               else COMMANDS[action])
    d.apply(command, at=when, actor=HEAD, cal=cal)


def test_every_action_but_receipt_has_a_command_and_a_domain_method():
    for t in TRANSITIONS:
        if t.action is Action.RECEIVE:
            continue
        assert t.command is not None and t.command.action == t.action.value
        assert callable(getattr(Dossier, t.method))
    assert set(COMMANDS) | CORRECTION_ACTIONS | {Action.RECALENDAR} == {
        t.action for t in TRANSITIONS} - {Action.RECEIVE}


STATES = [s for s in Status]
MOVES = [a for a in Action if a not in (Action.RECEIVE, Action.REQUEST_CORRECTION,
                                        Action.APPROVE_CORRECTION, Action.REJECT_CORRECTION)]


@pytest.mark.parametrize("status", STATES, ids=[s.value for s in STATES])
@pytest.mark.parametrize("action", MOVES, ids=[a.value for a in MOVES])
def test_every_move_is_allowed_exactly_where_the_table_says(cal, status, action):
    d = to_state(cal, status)
    legal = status in next(t for t in TRANSITIONS if t.action is action).sources
    if action is Action.SEND_BACK and status is Status.IN_PROGRESS:
        legal = False  # guard: the first step has no previous step
    if action is Action.CLOSE:
        legal = False  # guard: only 15 days after the supplement notice
    when = max(at(16, 0), d.last_action_at)
    if legal:
        attempt(d, action, cal, when)
        target = next(t for t in TRANSITIONS if t.action is action).targets
        assert d.status in target
    else:
        with pytest.raises(IllegalTransition):
            attempt(d, action, cal, when)


def test_the_table_is_listable_with_vietnamese_labels():
    rows = [t.as_dict() for t in TRANSITIONS]
    assert {r["action"] for r in rows} == {a.value for a in Action}
    assert all(r["label"] and r["to"] for r in rows)
    assert Action.RETURN in allowed_actions(Status.RESULT_READY)
    assert allowed_actions(Status.RETURNED) == [Action.REQUEST_CORRECTION,
                                                Action.APPROVE_CORRECTION,
                                                Action.REJECT_CORRECTION, Action.PAY,
                                                Action.REFUND, Action.RECALENDAR, Action.RATE]


def test_send_back_returns_to_the_previous_step_and_needs_a_reason(cal):
    d = received(cal, T0)
    d.complete_step(at=at(10), actor=SPECIALIST, cal=cal)
    with pytest.raises(ReasonRequired):
        d.send_back(at=at(11), actor=HEAD, cal=cal, reason=" ")
    d.send_back(at=at(11), actor=HEAD, cal=cal, reason="Thiếu xác minh")
    assert d.current_step == 1
    assert d.steps[0].finished_at is None and d.steps[1].send_backs == 1
    d.complete_step(at=at(14), actor=SPECIALIST, cal=cal)
    # Step 1 worked 9:00-10:00 and again 11:00-14:00 (lunch excluded): 60 + 30 + 30 minutes.
    assert d.steps[0].worked_seconds == 120 * 60


def test_a_second_supplement_request_needs_a_reason_and_is_flagged(cal):
    d = received(cal, T0)
    d.request_supplement(at=at(9, 30), actor=SPECIALIST, cal=cal, missing=["Giấy chứng sinh"])
    d.supplement(at=at(10), actor=SPECIALIST, cal=cal)
    with pytest.raises(ReasonRequired):
        d.request_supplement(at=at(10, 30), actor=SPECIALIST, cal=cal)
    second = d.request_supplement(at=at(10, 30), actor=SPECIALIST, cal=cal, reason="Giấy chứng sinh bị mờ")
    assert second.flagged and not d.supplements[0].flagged
    assert d.supplement_requests == 2


def test_extension_is_allowed_once_before_due_and_never_moves_due(cal):
    d = received(cal, T0)
    due = d.due
    d.extend(at=at(10), actor=HEAD, cal=cal, new_appointment=vn(2026, 1, 12, 17, 30),
             reason="Cần xác minh với cơ quan khác")
    assert d.appointment == vn(2026, 1, 12, 17, 30) and d.due == due and d.extended
    with pytest.raises(IllegalTransition):
        d.extend(at=at(11), actor=HEAD, cal=cal, new_appointment=vn(2026, 1, 13, 17, 30),
                 reason="Lần hai")


def test_extension_after_due_is_refused(cal):
    d = received(cal, T0)
    with pytest.raises(IllegalTransition):
        d.extend(at=vn(2026, 1, 9, 9, 0), actor=HEAD, cal=cal,
                 new_appointment=vn(2026, 1, 12, 17, 30), reason="Muộn")


def test_extension_to_a_day_off_or_earlier_date_is_refused(cal):
    d = received(cal, T0)
    with pytest.raises(ValidationError):
        d.extend(at=at(10), actor=HEAD, cal=cal, new_appointment=vn(2026, 1, 11, 17, 30),
                 reason="Chủ nhật")
    with pytest.raises(ValidationError):
        d.extend(at=at(10), actor=HEAD, cal=cal, new_appointment=vn(2026, 1, 6, 17, 30),
                 reason="Sớm hơn")


def test_an_action_dated_before_the_previous_one_is_refused(cal):
    d = received(cal, T0)
    d.complete_step(at=at(11), actor=SPECIALIST, cal=cal)
    with pytest.raises(IllegalTransition, match="điều chỉnh thời điểm"):
        d.complete_step(at=at(10), actor=SPECIALIST, cal=cal)


def test_assisted_submission_records_who_filed_it(cal):
    d = received(cal, T0, channel="assisted")
    assert d.channel.value == "assisted" and d.filed_by_id is not None
    assert d.channel.national_code == 2
