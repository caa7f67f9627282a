"""Late risk from staffing: which open steps of a unit will miss their deadline in the next
few working days if the unit's officials stay as many as they are.

The model, as the staffing page explains it to a leader:

- the work left on an open step is its allocated working time (the procedure's plan)
  minus the working time it has already run, and never less than a quarter of its
  allocation (an overrunning step still needs work to finish);
- each official gives ``hours_per_official`` working hours a day to dossier steps (the
  rest of the day goes to other duties);
- the unit works its open steps in order of their deadlines (earliest first), so a step
  finishes once the work of every step before it and its own is done;
- a step is **at risk** when that finish falls after its deadline, and its deadline falls
  within the horizon (the next ``horizon_days`` working days). Steps already past their
  deadline are counted apart: they are late, not at risk.

The what-if adds officials and runs the same model again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

HOUR = 3600
MIN_REMAINING_SHARE = 0.25


@dataclass(frozen=True)
class OpenStep:
    dossier_code: str
    step_name: str
    deadline: datetime
    allocated_seconds: int
    spent_seconds: int

    @property
    def remaining_seconds(self) -> int:
        floor = int(self.allocated_seconds * MIN_REMAINING_SHARE)
        return max(self.allocated_seconds - self.spent_seconds, floor)


@dataclass(frozen=True)
class RiskForecast:
    officials: int
    open_steps: int
    overdue: int               # already past their deadline
    due_in_horizon: int        # deadline within the horizon
    at_risk: tuple[OpenStep, ...]  # due within the horizon, projected to finish after it
    work_hours: float          # work left on every open step, in working hours

    @property
    def at_risk_count(self) -> int:
        return len(self.at_risk)


def forecast(steps: Sequence[OpenStep], *, officials: int, hours_per_official: float,
             now: datetime, horizon_end: datetime,
             working_seconds: Callable[[datetime, datetime], int]) -> RiskForecast:
    """The late risk of ``steps`` worked by ``officials`` (see the module's model).
    ``working_seconds(a, b)``: the working time between two instants (the calendar's)."""
    ordered = sorted(steps, key=lambda s: (s.deadline, s.dossier_code))
    rate = officials * hours_per_official / 8  # official-days of work per working day, as seconds per second
    overdue = due = 0
    at_risk: list[OpenStep] = []
    done = 0
    for step in ordered:
        done += step.remaining_seconds
        if step.deadline <= now:
            overdue += 1
            continue
        if step.deadline > horizon_end:
            continue
        due += 1
        available = working_seconds(now, step.deadline) * rate
        if rate <= 0 or done > available:
            at_risk.append(step)
    total = sum(s.remaining_seconds for s in ordered)
    return RiskForecast(officials, len(ordered), overdue, due, tuple(at_risk),
                        round(total / HOUR, 1))
