"""Typed results become JSON only at the edges, in Vietnam time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from motcua.domain.lifecycle import Status
from motcua.serialize import to_json


@dataclass(frozen=True)
class Row:
    at: datetime
    day: date
    status: Status
    steps: tuple


def test_instants_are_written_in_vietnam_time_and_enums_as_their_values():
    row = Row(datetime(2026, 1, 5, 2, 0, tzinfo=UTC), date(2026, 1, 5), Status.IN_PROGRESS,
              (Row(datetime(2026, 1, 5, 10, 0, tzinfo=UTC), date(2026, 1, 6), Status.RETURNED,
                   ()),))
    assert to_json(row) == {
        "at": "2026-01-05T09:00:00+07:00", "day": "2026-01-05", "status": "in_progress",
        "steps": [{"at": "2026-01-05T17:00:00+07:00", "day": "2026-01-06",
                   "status": "returned", "steps": []}]}
