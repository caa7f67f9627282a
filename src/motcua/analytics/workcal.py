"""Vectorised working-time arithmetic over NumPy arrays.

The same working clock as ``motcua.domain.calendar.WorkingCalendar`` (its
cumulative table is reused), applied to arrays of instants given as int64 UTC
epoch seconds. Used by imports, the generator and reports over millions of
dossiers; the scalar calendar stays the reference and the tests check that both
agree.

Asia/Ho_Chi_Minh has kept UTC+07:00 without daylight saving since 1975, so a
fixed offset is exact for every year a calendar can cover here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import numpy as np

from motcua.domain.calendar import CountingMode, Deadline, DeadlineUnit, WorkingCalendar
from motcua.domain.errors import CalendarRangeError

UTC_OFFSET = 7 * 3600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def to_epoch(instants: list[datetime]) -> np.ndarray:
    return np.fromiter((int(t.timestamp()) for t in instants), dtype=np.int64, count=len(instants))


def from_epoch(seconds: np.ndarray) -> list[datetime]:
    return [datetime.fromtimestamp(int(s), tz=UTC) for s in seconds]


@dataclass
class VectorCalendar:
    """NumPy tables derived from a ``WorkingCalendar``."""

    calendar: WorkingCalendar

    def __post_init__(self) -> None:
        cal = self.calendar
        self.cum = np.asarray(cal.cumulative, dtype=np.int64)
        self.working = np.frombuffer(cal.working_flags, dtype=np.uint8).astype(bool)
        self.working_days = np.asarray(cal.working_day_indexes, dtype=np.int64)
        # Rank of each day among working days: number of working days strictly before it.
        self.rank_before = np.concatenate(([0], np.cumsum(self.working)))[:-1].astype(np.int64)
        self.first_epoch_day = cal.base_ordinal - _EPOCH_ORDINAL
        spans = np.asarray(cal.spans, dtype=np.int64)
        self.starts, self.ends = spans[:, 0], spans[:, 1]
        self.lengths = self.ends - self.starts
        self.length_cum = np.concatenate(([0], np.cumsum(self.lengths)))
        self.close = int(self.ends[-1])

    # -- mapping instants to the working clock and back ------------------------------------

    def _split(self, epoch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        local = np.asarray(epoch, dtype=np.int64) + UTC_OFFSET
        day = local // 86_400 - self.first_epoch_day
        if day.size and (day.min() < 0 or day.max() >= self.working.size):
            raise CalendarRangeError("Có thời điểm nằm ngoài lịch làm việc đã nạp.")
        return day, local % 86_400

    def _within(self, second: np.ndarray) -> np.ndarray:
        worked = np.zeros_like(second)
        for start, end in zip(self.starts, self.ends, strict=True):
            worked += np.clip(second, start, end) - start
        return worked

    def clock(self, epoch: np.ndarray) -> np.ndarray:
        day, second = self._split(epoch)
        return self.cum[day] + np.where(self.working[day], self._within(second), 0)

    def instants(self, position: np.ndarray, *, closing: bool) -> np.ndarray:
        """Epoch seconds at working-clock positions (see ``WorkingCalendar.instant_at``).

        Every working day has the same length, so the working day holding a
        position is a division, not a search.
        """
        position = np.asarray(position, dtype=np.int64)
        if position.size and (position.min() < 0 or position.max() > self.cum[-1]):
            raise CalendarRangeError("Thời hạn vượt quá lịch làm việc đã nạp.")
        length = self.calendar.day_seconds
        rank = (position - 1) // length if closing else position // length
        rank = np.clip(rank, 0, self.working_days.size - 1)
        remainder = position - rank * length
        second = np.full_like(remainder, self.starts[0]) + remainder
        for i in range(1, self.starts.size):
            later = remainder > self.length_cum[i] if closing else remainder >= self.length_cum[i]
            second = np.where(later, self.starts[i] + remainder - self.length_cum[i], second)
        return (self.first_epoch_day + self.working_days[rank]) * 86_400 + second - UTC_OFFSET

    def _close_of(self, day: np.ndarray) -> np.ndarray:
        return (self.first_epoch_day + day) * 86_400 + self.close - UTC_OFFSET

    # -- operations ------------------------------------------------------------------------

    def _effective_position(self, epoch: np.ndarray, cutoff: time | None) -> np.ndarray:
        day, second = self._split(epoch)
        position = self.cum[day] + np.where(self.working[day], self._within(second), 0)
        if cutoff is not None:
            cut = cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second
            late = self.working[day] & (second > cut) & (second < self.close)
            position = np.where(late, self.cum[day + 1], position)
        return position

    def effective_receipt(self, epoch: np.ndarray, cutoff: time | None = None) -> np.ndarray:
        return self.instants(self._effective_position(epoch, cutoff), closing=False)

    def add(self, epoch: np.ndarray, seconds: np.ndarray | int) -> np.ndarray:
        """Add working seconds (> 0) to each instant; results are closing instants."""
        return self.instants(self.clock(epoch) + seconds, closing=True)

    def between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working seconds between pairs of instants."""
        return self.clock(end) - self.clock(start)

    def appointments(self, received: np.ndarray, deadline: Deadline) -> np.ndarray:
        """Appointments for receipts under one deadline (same rules as the scalar form)."""
        position = self._effective_position(received, deadline.cutoff)
        seconds = deadline.working_seconds(self.calendar.day_seconds)
        if seconds is not None and deadline.amount > 0:
            return self.instants(position + seconds, closing=True)
        # The working day of the effective receipt (its rank among working days).
        rank = position // self.calendar.day_seconds
        if deadline.amount == 0:
            return self._close_of(self.working_days[self._checked(rank)])
        n = int(deadline.amount)
        if deadline.unit is DeadlineUnit.WORKING_DAYS and deadline.mode is CountingMode.END_OF_DAY:
            return self._close_of(self.working_days[self._checked(rank + n)])
        last = self.working_days[self._checked(rank)] + n
        if last.size and last.max() >= self.working.size:
            raise CalendarRangeError("Thời hạn vượt quá lịch làm việc đã nạp.")
        moved = np.where(self.working[last], last,
                         self.working_days[self._checked(self.rank_before[last])])
        return self._close_of(moved)

    def _checked(self, k: np.ndarray) -> np.ndarray:
        if k.size and k.max() >= self.working_days.size:
            raise CalendarRangeError("Thời hạn vượt quá lịch làm việc đã nạp.")
        return k


def judge_timeliness_array(ready: np.ndarray, due: np.ndarray) -> np.ndarray:
    """``domain.timeliness.judge_timeliness`` over epoch seconds: late after ``due``,
    early on a Vietnam calendar day before ``due``'s day, else on time (a property test
    checks that both agree)."""
    late = ready > due
    early = ~late & ((ready + UTC_OFFSET) // 86_400 < (due + UTC_OFFSET) // 86_400)
    return np.where(late, "late", np.where(early, "early", "on_time"))
