"""The dossier's own timeliness, and how urgent an open dossier is.

shared/DOMAIN.md, "Time semantics": the dossier's timeliness is decided only by
when the result was ready against ``due``; a step that overran never makes an
on-time dossier late. "Due soon" is less than a configurable share (default
20%) of the allotted working time left.
"""

from __future__ import annotations

import enum
from datetime import datetime

from motcua.domain.calendar import VN_TZ, WorkingCalendar

DUE_SOON_SHARE = 0.2


class Timeliness(enum.StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label(self) -> str:
        return {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Trễ hạn"}[self.value]


def judge_timeliness(ready_at: datetime, due: datetime) -> Timeliness:
    """Late if ready after ``due``; early if ready on a calendar day before ``due``'s day."""
    if ready_at > due:
        return Timeliness.LATE
    if ready_at.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


class Urgency(enum.StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "soon"

    @property
    def label(self) -> str:
        return {"overdue": "Quá hạn", "soon": "Sắp đến hạn"}[self.value]


def urgency(now: datetime, due: datetime, allotted_seconds: int, cal: WorkingCalendar,
            share: float = DUE_SOON_SHARE) -> Urgency | None:
    """Overdue past ``due``; due soon with less than ``share`` of the allotted time left."""
    if now > due:
        return Urgency.OVERDUE
    if cal.between(now, due) < share * allotted_seconds:
        return Urgency.DUE_SOON
    return None
