"""The working-day calendar and deadline arithmetic (standard library only).

Time is measured on a *working clock*: the number of working seconds since the
first day of the calendar's range. Every instant maps to a position on that
clock (non-working time collapses to one point), so adding working time is an
addition and measuring it is a subtraction. The table behind the clock is a
list of cumulative working seconds per day, looked up with ``bisect``; this is
what makes one call cost a few microseconds and lets the NumPy form
(``motcua.analytics.workcal``) reuse the same table.

Rules (see shared/DOMAIN.md, "Working days" and "Time semantics"):

* a day is worked unless it is a weekly rest day or a day off, and a make-up
  Saturday (làm bù) is worked;
* an instant outside office hours, at lunch, on a day off or after a
  procedure's cut-off hour is received at the next working instant;
* an addition that ends exactly at the end of a working period ends there
  (17:30), never at the start of the next one;
* ``hours`` mode: N working days = N x (working seconds of a day) from the
  effective receipt; ``end-of-day`` mode (Civil Code 2015 art. 147-148): the
  receipt day is not counted and the period ends at the close of the Nth
  working day after it; ``calendar_days``: the receipt day is not counted and a
  last day that is a day off moves to the close of the next working day;
* a period of zero (same-day procedure) ends at the close of the effective
  receipt day.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from motcua.domain.errors import CalendarRangeError, InvalidDeadline, NaiveDatetimeError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECONDS_PER_DAY = 86_400


def _seconds_of(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class OfficeHours:
    """The working periods of a working day, in local time, in order."""

    periods: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30)))

    def __post_init__(self) -> None:
        previous_end = -1
        if not self.periods:
            raise InvalidDeadline("Giờ làm việc phải có ít nhất một khoảng thời gian.")
        for start, end in self.periods:
            s, e = _seconds_of(start), _seconds_of(end)
            if not (previous_end <= s < e):
                raise InvalidDeadline(
                    "Các khoảng giờ làm việc phải tăng dần và không chồng lấn nhau."
                )
            previous_end = e

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Parse ``07:30-11:30,13:30-17:30``."""
        periods = []
        try:
            for chunk in text.split(","):
                start, end = chunk.strip().split("-")
                periods.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
        except ValueError as exc:
            raise InvalidDeadline(
                f"Giờ làm việc không hợp lệ: {text!r} (ví dụ đúng: 07:30-11:30,13:30-17:30)."
            ) from exc
        return cls(tuple(periods))

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Periods as (start, end) seconds of the day."""
        return tuple((_seconds_of(s), _seconds_of(e)) for s, e in self.periods)

    @property
    def seconds_per_day(self) -> int:
        return sum(e - s for s, e in self.spans)

    def __str__(self) -> str:
        return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.periods)


class DeadlineUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


class CountingMode(enum.StrEnum):
    HOURS = "hours"
    END_OF_DAY = "end-of-day"


@dataclass(frozen=True)
class Deadline:
    """A procedure's legal handling time (thời hạn giải quyết)."""

    amount: float
    unit: DeadlineUnit = DeadlineUnit.WORKING_DAYS
    mode: CountingMode = CountingMode.HOURS
    cutoff: time | None = None

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise InvalidDeadline("Thời hạn giải quyết không được âm.")
        # Published deadlines include "0,5 ngày làm việc" and "1,5 ngày làm việc": a
        # fraction of a working day is that share of the day's working hours (0,5 = 4 h).
        fraction_allowed = self.unit is DeadlineUnit.WORKING_HOURS or (
            self.unit is DeadlineUnit.WORKING_DAYS and self.mode is CountingMode.HOURS)
        if not fraction_allowed and self.amount != int(self.amount):
            raise InvalidDeadline("Thời hạn tính theo ngày (hoặc đến cuối ngày làm việc) phải là "
                                  "số nguyên ngày; nửa ngày chỉ dùng với cách tính theo giờ.")

    def working_seconds(self, seconds_per_day: int) -> int | None:
        """The allotted working time when it is fixed (hours mode), else None."""
        if self.unit is DeadlineUnit.WORKING_HOURS:
            return round(self.amount * 3600)
        if self.unit is DeadlineUnit.WORKING_DAYS and self.mode is CountingMode.HOURS:
            return round(self.amount * seconds_per_day)
        return None

    def describe(self) -> str:
        """The deadline as an official writes it."""
        amount = f"{self.amount:g}".replace(".", ",")
        text = {
            DeadlineUnit.WORKING_DAYS: f"{amount} ngày làm việc",
            DeadlineUnit.WORKING_HOURS: f"{amount} giờ làm việc",
            DeadlineUnit.CALENDAR_DAYS: f"{amount} ngày",
        }[self.unit]
        if self.amount == 0:
            text = "Trong ngày"
        if self.cutoff is not None:
            text += f" (nhận sau {self.cutoff:%H:%M} tính sang ngày làm việc tiếp theo)"
        return text


class DayKind(enum.StrEnum):
    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"


@dataclass(frozen=True)
class DayRule:
    """One dated exception to the weekly pattern, with its reason and source."""

    day: date
    kind: DayKind
    reason: str
    source: str = ""


@dataclass
class WorkingCalendar:
    """A working calendar over a range of years, built from data.

    ``rules`` are applied in order: a later rule for the same day wins, so the
    caller passes the package holidays first, then the shipped yearly
    decisions, then an administrator's overrides.
    """

    rules: Iterable[DayRule] = ()
    hours: OfficeHours = field(default_factory=OfficeHours)
    rest_weekdays: frozenset[int] = frozenset({5, 6})
    first_year: int = 2015
    last_year: int = 2035
    tz: tzinfo = VN_TZ

    def __post_init__(self) -> None:
        self.rules = dict(self._latest_rules(self.rules))
        self._first = date(self.first_year, 1, 1)
        self._base = self._first.toordinal()
        ndays = date(self.last_year, 12, 31).toordinal() - self._base + 1
        self._spans = self.hours.spans
        self._day_seconds = self.hours.seconds_per_day
        working = bytearray(ndays)
        cum = [0] * (ndays + 1)
        working_days: list[int] = []
        for i in range(ndays):
            day = date.fromordinal(self._base + i)
            rule = self.rules.get(day)
            if rule is not None:
                works = rule.kind is DayKind.WORKING_DAY
            else:
                works = day.weekday() not in self.rest_weekdays
            working[i] = works
            if works:
                working_days.append(i)
            cum[i + 1] = cum[i] + (self._day_seconds if works else 0)
        self._working = bytes(working)
        self._cum = cum
        self._working_days = working_days

    @staticmethod
    def _latest_rules(rules: Iterable[DayRule]) -> Mapping[date, DayRule]:
        latest: dict[date, DayRule] = {}
        for rule in rules:
            latest[rule.day] = rule
        return latest

    # -- tables, shared with the vectorised form -------------------------------------------

    @property
    def base_ordinal(self) -> int:
        return self._base

    @property
    def day_seconds(self) -> int:
        return self._day_seconds

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return self._spans

    @property
    def cumulative(self) -> Sequence[int]:
        """Working seconds before each day of the range (one more entry than days)."""
        return self._cum

    @property
    def working_flags(self) -> bytes:
        return self._working

    @property
    def working_day_indexes(self) -> Sequence[int]:
        return self._working_days

    # -- days ------------------------------------------------------------------------------

    def _index(self, day: date) -> int:
        i = day.toordinal() - self._base
        if not 0 <= i < len(self._working):
            raise CalendarRangeError(
                f"Ngày {day:%d/%m/%Y} nằm ngoài lịch làm việc đã nạp "
                f"({self.first_year}-{self.last_year})."
            )
        return i

    def is_working_day(self, day: date) -> bool:
        return bool(self._working[self._index(day)])

    def year_exceptions(self, year: int) -> list[DayRule]:
        """Days off and make-up working days of a year, with their reasons."""
        return sorted((r for d, r in self.rules.items() if d.year == year), key=lambda r: r.day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        i = self._index(day)
        k = bisect_right(self._working_days, i)
        return self._date_at(self._working_days_at(k))

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        k = bisect_left(self._working_days, self._index(day)) - 1
        if k < 0:
            raise CalendarRangeError(
                f"Không có ngày làm việc nào trước {day:%d/%m/%Y} trong lịch đã nạp.")
        return self._date_at(self._working_days[k])

    def close_of_day(self, day: date) -> datetime:
        """The end of office hours on ``day`` (17:30 by default)."""
        return self._close_of(self._index(day))

    def _working_days_at(self, k: int) -> int:
        if k >= len(self._working_days):
            raise CalendarRangeError(
                f"Thời hạn vượt quá lịch làm việc đã nạp (đến năm {self.last_year})."
            )
        return self._working_days[k]

    def _date_at(self, i: int) -> date:
        return date.fromordinal(self._base + i)

    # -- the working clock -----------------------------------------------------------------

    def _local(self, instant: datetime) -> datetime:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise NaiveDatetimeError("Thời điểm phải kèm múi giờ (ví dụ +07:00).")
        return instant.astimezone(self.tz)

    def _within_day(self, second: int) -> int:
        worked = 0
        for start, end in self._spans:
            if second <= start:
                break
            worked += (second if second < end else end) - start
        return worked

    def clock(self, instant: datetime) -> int:
        """Position of ``instant`` on the working clock, in working seconds."""
        local = self._local(instant)
        i = self._index(local.date())
        base = self._cum[i]
        if not self._working[i]:
            return base
        return base + self._within_day(local.hour * 3600 + local.minute * 60 + local.second)

    def _instant(self, i: int, second: int) -> datetime:
        day = date.fromordinal(self._base + i)
        h, rest = divmod(second, 3600)
        return datetime(day.year, day.month, day.day, h, rest // 60, rest % 60, tzinfo=self.tz)

    def instant_at(self, position: int, *, closing: bool) -> datetime:
        """The instant at a working-clock position.

        ``closing=True`` resolves a position on a period boundary to the end of
        the earlier period (a deadline ends at 17:30); ``False`` to the start
        of the next one (work starts at 07:30 the next morning).
        """
        if position < 0 or position > self._cum[-1]:
            raise CalendarRangeError(
                f"Thời hạn vượt quá lịch làm việc đã nạp ({self.first_year}-{self.last_year})."
            )
        if closing:
            i = bisect_left(self._cum, position, 1) - 1
        else:
            i = bisect_right(self._cum, position) - 1
            if i >= len(self._working):
                raise CalendarRangeError(
                    f"Thời hạn vượt quá lịch làm việc đã nạp (đến năm {self.last_year})."
                )
        remainder = position - self._cum[i]
        for start, end in self._spans:
            length = end - start
            if remainder < length or (closing and remainder == length):
                return self._instant(i, start + remainder)
            remainder -= length
        raise AssertionError("unreachable: remainder beyond the working day")

    def _close_of(self, i: int) -> datetime:
        return self._instant(i, self._spans[-1][1])

    # -- operations ------------------------------------------------------------------------

    def effective_receipt(self, received: datetime, cutoff: time | None = None) -> datetime:
        """The next working instant at or after ``received``.

        A receipt after the procedure's cut-off hour on a working day counts
        from the next working day (per-procedure rule, see DOMAIN.md).
        """
        local = self._local(received)
        i = self._index(local.date())
        if cutoff is not None and self._working[i]:
            second = local.hour * 3600 + local.minute * 60 + local.second
            if second > _seconds_of(cutoff) and second < self._spans[-1][1]:
                return self.instant_at(self._cum[i + 1], closing=False)
        return self.instant_at(self.clock(received), closing=False)

    def add(self, start: datetime, seconds: int) -> datetime:
        """Add working seconds to an instant; the result is a closing instant."""
        if seconds < 0:
            raise InvalidDeadline("Không thể cộng một khoảng thời gian âm.")
        position = self.clock(start)
        if seconds == 0:
            return self.instant_at(position, closing=False)
        return self.instant_at(position + seconds, closing=True)

    def between(self, start: datetime, end: datetime) -> int:
        """Working seconds from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        return self.clock(end) - self.clock(start)

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole working minutes from ``start`` to ``end``."""
        seconds = self.between(start, end)
        return seconds // 60 if seconds >= 0 else -((-seconds) // 60)

    def appointment(self, received: datetime, deadline: Deadline) -> datetime:
        """The appointment (ngày hẹn trả) for a receipt under ``deadline``."""
        effective = self.effective_receipt(received, deadline.cutoff)
        return self.due_from_effective(effective, deadline)

    def due_from_effective(self, effective: datetime, deadline: Deadline) -> datetime:
        position = self.clock(effective)
        day = bisect_right(self._cum, position) - 1
        if deadline.amount == 0:
            return self._close_of(day)
        seconds = deadline.working_seconds(self._day_seconds)
        if seconds is not None:
            return self.instant_at(position + seconds, closing=True)
        n = int(deadline.amount)
        if deadline.unit is DeadlineUnit.WORKING_DAYS:
            k = bisect_right(self._working_days, day) + n - 1
            return self._close_of(self._working_days_at(k))
        # Calendar days, Civil Code 2015 art. 147-148.
        last = self._index(self._date_at(day) + timedelta(days=n))
        if not self._working[last]:
            last = self._working_days_at(bisect_right(self._working_days, last))
        return self._close_of(last)
