"""The late-risk forecast of domain.staffing, by hand (one working second per second)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from motcua.domain.staffing import OpenStep, forecast

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
H = 3600


def step(code: str, due_in_hours: float, allocated_h: float, spent_h: float = 0) -> OpenStep:
    return OpenStep(code, "Thẩm định", NOW + timedelta(hours=due_in_hours),
                    int(allocated_h * H), int(spent_h * H))


def run(steps, officials, hours=8.0, horizon_h=40):
    return forecast(steps, officials=officials, hours_per_official=hours, now=NOW,
                    horizon_end=NOW + timedelta(hours=horizon_h),
                    working_seconds=lambda a, b: int((b - a).total_seconds()))


def test_steps_are_worked_earliest_deadline_first_and_late_ones_named():
    steps = [step("B", 3, 3), step("A", 2, 1), step("LATE", -1, 2, spent_h=5),
             step("FAR", 100, 1)]
    one = run(steps, officials=1)
    # LATE (overdue) still takes its floor of a quarter: 0,5 h; then A ends at 1,5 h ≤ 2 h;
    # B ends at 4,5 h > 3 h: at risk. FAR is beyond the horizon.
    assert (one.overdue, one.due_in_horizon) == (1, 2)
    assert [s.dossier_code for s in one.at_risk] == ["B"]
    assert one.work_hours == 5.5 and one.open_steps == 4
    # the what-if: a second official doubles the hours available before each deadline
    assert run(steps, officials=2).at_risk == ()
    # half-days on dossiers: one official makes 1 h by A's deadline, which needs 1,5 h
    assert [s.dossier_code for s in run(steps, officials=1, hours=4).at_risk] == ["A", "B"]


def test_a_unit_without_officials_risks_every_step_due_in_the_horizon():
    assert run([step("A", 2, 1)], officials=0).at_risk_count == 1
    assert run([], officials=0).at_risk_count == 0
