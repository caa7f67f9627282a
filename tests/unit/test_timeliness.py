"""Honest timeliness: step accountability is kept apart from the dossier's own verdict."""

from __future__ import annotations

import pytest

from motcua.domain.dossiers import CorrectionTarget, Timeliness, judge_timeliness
from motcua.domain.errors import IllegalTransition, ValidationError
from motcua.domain.timeliness import Urgency
from tests.conftest import vn
from tests.unit.factories import DEPARTMENT, DESK_OFFICER, HEAD, SPECIALIST, received

T0 = vn(2026, 1, 5, 9, 0)  # Monday; 3 working days -> due Thu 8 Jan 09:00


def test_dossier_returned_before_appointment_is_on_time_even_if_a_step_ran_late(cal):
    """The district's reported problem: step 2 overran, the result was ready before due."""
    d = received(cal, T0)
    d.complete_step(at=vn(2026, 1, 5, 10, 0), actor=SPECIALIST, cal=cal)
    d.complete_step(at=vn(2026, 1, 7, 9, 0), actor=SPECIALIST, cal=cal)  # 15 h for 12 h allotted
    d.complete_step(at=vn(2026, 1, 8, 8, 30), actor=HEAD, cal=cal)
    assert d.steps[1].overran is True and d.steps[1].worked_seconds == 15 * 3600
    assert d.steps[1].unit_id == 1  # the overrun is charged to the second step's unit
    assert d.steps[2].overran is False and d.steps[2].unit_id == DEPARTMENT
    assert d.result_ready_at <= d.due
    assert d.timeliness is Timeliness.ON_TIME


CASES = [
    (vn(2026, 1, 7, 16, 0), Timeliness.EARLY, "ready a calendar day before due's day"),
    (vn(2026, 1, 8, 8, 0), Timeliness.ON_TIME, "ready on due's day, before due"),
    (vn(2026, 1, 8, 9, 0), Timeliness.ON_TIME, "ready exactly at due"),
    (vn(2026, 1, 8, 9, 1), Timeliness.LATE, "one minute after due"),
    (vn(2026, 1, 9, 8, 0), Timeliness.LATE, "a day late"),
]


@pytest.mark.parametrize(("ready", "expected", "why"), CASES, ids=[c[-1] for c in CASES])
def test_timeliness_is_decided_by_readiness_against_due(ready, expected, why):
    assert judge_timeliness(ready, vn(2026, 1, 8, 9, 0)) is expected


def test_before_decree_118_a_supplement_pauses_the_clock_and_moves_due_and_the_plan(cal):
    # received Mon 02/06/2025, before 1 Jul 2025: the pause rule it was received under
    d = received(cal, vn(2025, 6, 2, 9, 0))
    planned = [s.planned_deadline for s in d.steps]
    d.request_supplement(at=vn(2025, 6, 2, 10, 0), actor=SPECIALIST, cal=cal,
                         missing=["Giấy chứng sinh"])
    d.supplement(at=vn(2025, 6, 3, 10, 0), actor=DESK_OFFICER, cal=cal)
    assert d.paused_seconds == 8 * 3600
    assert d.due == vn(2025, 6, 6, 9, 0)
    assert [s.planned_deadline for s in d.steps] == [cal.add(p, 8 * 3600) for p in planned]
    assert d.appointment == d.appointment_at_receipt  # what the citizen was told is unchanged
    for when in (vn(2025, 6, 3, 11, 0), vn(2025, 6, 5, 10, 0), vn(2025, 6, 6, 8, 30)):
        d.complete_step(at=when, actor=SPECIALIST, cal=cal)
    assert d.timeliness is Timeliness.ON_TIME  # late without the pause, on time with it
    assert d.steps[0].worked_seconds == 2 * 3600  # 9-10 and 10-11, the paused day excluded


def test_decree_118_a_complete_supplement_restarts_the_deadline_from_its_receipt(cal):
    """DOMAIN.md's example: received Mon 02/03/2026 08:00, 3 working days -> Thu 05/03 08:00;
    supplement asked Tue 03/03 10:00, complete Wed 04/03 14:00 -> Mon 09/03 14:00."""
    d = received(cal, vn(2026, 3, 2, 8, 0))
    assert d.appointment == vn(2026, 3, 5, 8, 0)
    d.complete_step(at=vn(2026, 3, 2, 11, 0), actor=SPECIALIST, cal=cal)
    d.request_supplement(at=vn(2026, 3, 3, 10, 0), actor=SPECIALIST, cal=cal,
                         missing=["Giấy chứng sinh"])
    d.supplement(at=vn(2026, 3, 4, 14, 0), actor=DESK_OFFICER, cal=cal)
    assert d.due == d.appointment == d.appointment_after_supplement == vn(2026, 3, 9, 14, 0)
    assert d.appointment_at_receipt == vn(2026, 3, 5, 8, 0)  # the history is kept
    assert d.steps[-1].planned_deadline == d.due  # the plan is re-based on the new due
    assert d.steps[0].planned_deadline == vn(2026, 3, 2, 14, 0)  # a finished step keeps its
    # the step that asked goes on: its worked time excludes only the wait
    d.complete_step(at=vn(2026, 3, 4, 15, 0), actor=SPECIALIST, cal=cal)
    assert d.steps[1].worked_seconds == 8 * 3600  # 7 h before the request, 1 h after
    d.complete_step(at=vn(2026, 3, 9, 9, 0), actor=SPECIALIST, cal=cal)
    assert d.timeliness is Timeliness.ON_TIME  # late against the first appointment


def test_a_supplement_asked_later_than_3_working_days_after_receipt_is_allowed_but_flagged(cal):
    d = received(cal, vn(2026, 3, 2, 8, 0))
    d.complete_step(at=vn(2026, 3, 2, 11, 0), actor=SPECIALIST, cal=cal)
    first = d.request_supplement(at=vn(2026, 3, 5, 8, 0), actor=SPECIALIST, cal=cal)
    assert not first.late  # exactly 3 working days
    d.supplement(at=vn(2026, 3, 5, 9, 0), actor=DESK_OFFICER, cal=cal)
    late = d.request_supplement(at=vn(2026, 3, 6, 9, 0), actor=SPECIALIST, cal=cal,
                                reason="Thiếu bản sao")
    assert late.late and late.flagged


def test_a_dossier_whose_supplement_did_not_come_is_closed_only_after_15_days(cal):
    d = received(cal, vn(2026, 3, 2, 8, 0))
    d.request_supplement(at=vn(2026, 3, 3, 10, 0), actor=SPECIALIST, cal=cal)
    # notice Tue 03/03: 15 days end Wed 18/03 (the notice day not counted)
    assert d.closable_from(cal) == vn(2026, 3, 18, 17, 30)
    with pytest.raises(IllegalTransition, match="quá 15 ngày"):
        d.close(at=vn(2026, 3, 18, 9, 0), actor=DESK_OFFICER, cal=cal)
    d.close(at=vn(2026, 3, 19, 8, 0), actor=DESK_OFFICER, cal=cal)
    assert d.status.value == "closed" and d.timeliness is None
    assert "15 ngày" in d.close_reason


def test_extension_does_not_rescue_a_late_dossier(cal):
    d = received(cal, T0)
    d.extend(at=vn(2026, 1, 6, 9, 0), actor=HEAD, cal=cal,
             new_appointment=vn(2026, 1, 12, 17, 30), reason="Cần xác minh")
    for when in (vn(2026, 1, 6, 10, 0), vn(2026, 1, 9, 10, 0), vn(2026, 1, 9, 11, 0)):
        d.complete_step(at=when, actor=SPECIALIST, cal=cal)
    assert d.timeliness is Timeliness.LATE


def test_refusal_is_judged_against_due(cal):
    d = received(cal, T0)
    d.refuse(at=vn(2026, 1, 5, 15, 0), actor=HEAD, cal=cal, reason="Không thuộc thẩm quyền")
    assert d.result_ready_at == vn(2026, 1, 5, 15, 0) and d.timeliness is Timeliness.EARLY


def test_withdrawn_dossier_has_no_timeliness(cal):
    d = received(cal, T0)
    d.withdraw(at=vn(2026, 1, 9, 15, 0), actor=DESK_OFFICER, cal=cal)
    assert d.timeliness is None and d.result_ready_at is None


def test_due_soon_and_overdue_now(cal):
    d = received(cal, T0)  # 24 working hours allotted; 20% = 4h48m
    assert d.urgency(vn(2026, 1, 7, 9, 0), cal) is None
    assert d.urgency(vn(2026, 1, 7, 15, 0), cal) is Urgency.DUE_SOON  # 4 h left of 24
    assert d.urgency(vn(2026, 1, 8, 9, 0), cal) is Urgency.DUE_SOON
    assert d.urgency(vn(2026, 1, 8, 9, 1), cal) is Urgency.OVERDUE


def test_behind_schedule_is_a_warning_separate_from_overrun(cal):
    d = received(cal, T0)
    d.complete_step(at=vn(2026, 1, 5, 15, 30), actor=SPECIALIST, cal=cal)  # planned 15:00
    assert d.steps[0].behind_schedule is True and d.steps[0].overran is True
    d.complete_step(at=vn(2026, 1, 6, 15, 0), actor=SPECIALIST, cal=cal)  # 7.5 h of 12, on plan
    assert d.steps[1].behind_schedule is False and d.steps[1].overran is False


def test_time_correction_needs_approval_by_someone_else_and_keeps_both_values(cal):
    d = received(cal, T0)
    d.complete_step(at=vn(2026, 1, 5, 16, 0), actor=SPECIALIST, cal=cal)  # recorded late
    corr = d.request_correction(target=CorrectionTarget.STEP_FINISHED, step_seq=1,
                                new_value=vn(2026, 1, 5, 10, 0), reason="Ghi nhận muộn",
                                evidence="Phiếu kiểm soát có chữ ký lúc 10:00",
                                at=vn(2026, 1, 5, 16, 30), actor=SPECIALIST)
    assert d.steps[0].finished_at == vn(2026, 1, 5, 16, 0)  # nothing changes before approval
    with pytest.raises(IllegalTransition):
        d.approve_correction(corr.seq, at=vn(2026, 1, 5, 17, 0), actor=SPECIALIST, cal=cal)
    d.approve_correction(corr.seq, at=vn(2026, 1, 5, 17, 0), actor=HEAD, cal=cal)
    assert d.steps[0].finished_at == vn(2026, 1, 5, 10, 0)
    assert d.steps[0].worked_seconds == 3600 and d.steps[0].overran is False
    assert d.steps[1].started_at == vn(2026, 1, 5, 10, 0)
    assert corr.old_value == vn(2026, 1, 5, 16, 0) and corr.status == "approved"
    event = d.pending_events[-1]
    assert event.data["old_value"] != event.data["new_value"]


def test_correction_into_the_future_or_without_evidence_is_refused(cal):
    d = received(cal, T0)
    d.complete_step(at=vn(2026, 1, 5, 16, 0), actor=SPECIALIST, cal=cal)
    with pytest.raises(ValidationError):
        d.request_correction(target="step_finished", step_seq=1, new_value=vn(2026, 1, 6, 9),
                             reason="x", evidence="y", at=vn(2026, 1, 5, 16, 30), actor=HEAD)
    with pytest.raises(ValidationError):
        d.request_correction(target="step_finished", step_seq=1, new_value=vn(2026, 1, 5, 10),
                             reason="x", evidence=" ", at=vn(2026, 1, 5, 16, 30), actor=HEAD)


def test_an_apology_and_extension_is_accepted_until_the_close_of_the_working_day_before(cal):
    """Decree 118/2025 art. 19(6): appointment Thu 08/01 09:00 -> until Wed 07/01 17:30."""
    d = received(cal, T0)
    assert d.appointment == vn(2026, 1, 8, 9, 0)
    assert d.extension_deadline(cal) == vn(2026, 1, 7, 17, 30)
    with pytest.raises(IllegalTransition, match="quá thời hạn xin lỗi"):
        d.extend(at=vn(2026, 1, 8, 8, 0), actor=HEAD, cal=cal,  # the deadline day's morning
                 new_appointment=vn(2026, 1, 12, 17, 30), reason="Cần xác minh")
    assert not d.extended
    d.extend(at=vn(2026, 1, 7, 17, 30), actor=HEAD, cal=cal,
             new_appointment=vn(2026, 1, 12, 17, 30), reason="Cần xác minh")
    assert d.appointment == vn(2026, 1, 12, 17, 30) and d.due == vn(2026, 1, 8, 9, 0)
    with pytest.raises(IllegalTransition, match="một lần"):
        d.extend(at=vn(2026, 1, 7, 17, 30), actor=HEAD, cal=cal,
                 new_appointment=vn(2026, 1, 13, 17, 30), reason="Lần nữa")


def test_the_last_day_for_an_apology_skips_days_off(cal):
    # appointment Mon 12/01/2026: the working day before is the make-up Saturday 10/01
    d = received(cal, vn(2026, 1, 8, 9, 0))
    assert d.appointment == vn(2026, 1, 12, 9, 0)
    assert d.extension_deadline(cal) == vn(2026, 1, 10, 17, 30)
