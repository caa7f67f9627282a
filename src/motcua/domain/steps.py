"""The parts of a dossier: its steps (plan and what happened), supplement requests and
time corrections."""

from __future__ import annotations

import enum
from datetime import datetime

from motcua.domain.calendar import WorkingCalendar


class Restorable:
    """Rebuilt from stored values by the storage layer, without running ``__init__``."""

    @classmethod
    def restore(cls, values: dict):
        obj = cls.__new__(cls)
        obj.__dict__.update(values)
        return obj


class Step(Restorable):
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


class Supplement(Restorable):
    """A supplement request (yêu cầu bổ sung) and the pause it causes."""

    def __init__(self, seq: int, step_seq: int, requested_at: datetime, requested_by_id: int | None,
                 reason: str, missing: list[str], late: bool = False) -> None:
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
        # Decree 118/2025 art. 19(5): asked within 3 working days of receipt (unless sector
        # law sets another window); a later request is allowed but flagged and reported.
        self.late = late


class CorrectionTarget(enum.StrEnum):
    STEP_FINISHED = "step_finished"
    RETURNED = "returned"


class TimeCorrection(Restorable):
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
