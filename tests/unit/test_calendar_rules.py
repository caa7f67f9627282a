"""Table-driven tests of every legal time rule (shared/DOMAIN.md "Working days", "Time semantics")."""

from __future__ import annotations

from datetime import date, time

import pytest

from motcua.domain.calendar import (
    CountingMode,
    DayKind,
    DayRule,
    Deadline,
    DeadlineUnit,
    OfficeHours,
    WorkingCalendar,
)
from motcua.domain.errors import CalendarRangeError, InvalidDeadline, NaiveDatetimeError
from tests.conftest import vn

DAYS_OFF = [
    (date(2025, 1, 27), "Tết 2025 starts Monday 27 Jan"),
    (date(2025, 1, 31), "Tết 2025 Friday 31 Jan"),
    (date(2026, 1, 2), "Fri 2 Jan 2026 off (swap)"),
    (date(2026, 2, 16), "Tết 2026 Monday"),
    (date(2026, 2, 20), "Tết 2026 Friday"),
    (date(2025, 5, 2), "Fri 2 May 2025 off (swap)"),
    (date(2026, 4, 27), "Mon 27 Apr 2026 off (Hùng Kings on Sunday)"),
    (date(2025, 9, 1), "National Day 2025 adjacent Monday"),
    (date(2025, 9, 2), "National Day 2025"),
    (date(2026, 8, 31), "Mon 31 Aug 2026 off (swap)"),
    (date(2026, 9, 1), "National Day 2026 adjacent day"),
    (date(2026, 9, 2), "National Day 2026"),
    (date(2024, 4, 29), "Mon 29 Apr 2024 off (swap)"),
    (date(2026, 11, 24), "Tue 24 Nov 2026: Vietnamese Culture Day, a paid day off from 2026"),
    (date(2027, 11, 24), "Wed 24 Nov 2027: Vietnamese Culture Day every year"),
    (date(2029, 11, 26), "Mon 26 Nov 2029: Culture Day on a Saturday moves to Monday"),
]
WORKING = [
    (date(2026, 1, 10), "Sat 10 Jan 2026 make-up working day"),
    (date(2025, 4, 26), "Sat 26 Apr 2025 make-up working day"),
    (date(2026, 8, 22), "Sat 22 Aug 2026 make-up working day"),
    (date(2024, 5, 4), "Sat 4 May 2024 make-up working day"),
    (date(2025, 2, 3), "first working day after Tết 2025"),
    (date(2026, 2, 23), "first working day after Tết 2026"),
    (date(2026, 1, 5), "an ordinary Monday"),
]


@pytest.mark.parametrize(("day", "why"), DAYS_OFF, ids=[w for _, w in DAYS_OFF])
def test_day_is_off(cal, day, why):
    assert not cal.is_working_day(day)


@pytest.mark.parametrize(("day", "why"), WORKING, ids=[w for _, w in WORKING])
def test_day_is_worked(cal, day, why):
    assert cal.is_working_day(day)


def test_ordinary_weekend_is_off(cal):
    assert not cal.is_working_day(date(2026, 1, 17))
    assert not cal.is_working_day(date(2026, 1, 18))


RECEIPTS = [
    # received, cutoff, effective receipt
    (vn(2026, 1, 5, 16, 45), None, vn(2026, 1, 5, 16, 45), "16:45 on a working day counts at once"),
    (vn(2026, 1, 5, 12, 0), None, vn(2026, 1, 5, 13, 30), "lunch moves to 13:30"),
    (vn(2026, 1, 5, 6, 0), None, vn(2026, 1, 5, 7, 30), "before office hours"),
    (vn(2026, 1, 5, 18, 0), None, vn(2026, 1, 6, 7, 30), "after office hours"),
    (vn(2026, 1, 5, 17, 30), None, vn(2026, 1, 6, 7, 30), "exactly at closing"),
    (vn(2026, 1, 4, 10, 0), None, vn(2026, 1, 5, 7, 30), "on a Sunday"),
    (vn(2026, 1, 10, 10, 0), None, vn(2026, 1, 10, 10, 0), "on a make-up Saturday"),
    (vn(2026, 1, 1, 10, 0), None, vn(2026, 1, 5, 7, 30), "New Year and the swapped Friday"),
    (vn(2026, 1, 5, 15, 1), time(15, 0), vn(2026, 1, 6, 7, 30), "after the 15:00 cut-off"),
    (vn(2026, 1, 5, 15, 0), time(15, 0), vn(2026, 1, 5, 15, 0), "exactly at the cut-off"),
    (vn(2026, 1, 9, 15, 30), time(15, 0), vn(2026, 1, 10, 7, 30), "after cut-off on Friday: make-up Saturday"),
    (vn(2026, 2, 13, 16, 0), time(15, 0), vn(2026, 2, 23, 7, 30), "after cut-off before Tết 2026"),
]


@pytest.mark.parametrize(("received", "cutoff", "expected", "why"), RECEIPTS,
                         ids=[r[-1] for r in RECEIPTS])
def test_effective_receipt(cal, received, cutoff, expected, why):
    assert cal.effective_receipt(received, cutoff) == expected


APPOINTMENTS = [
    # received, deadline, appointment
    (vn(2025, 1, 24, 16, 45), Deadline(1), vn(2025, 2, 3, 16, 45),
     "one day from 16:45 Friday crosses Tết 2025"),
    (vn(2026, 2, 13, 10, 0), Deadline(2), vn(2026, 2, 24, 10, 0), "two days across Tết 2026"),
    (vn(2026, 1, 5, 9, 0), Deadline(3), vn(2026, 1, 8, 9, 0), "three plain working days"),
    (vn(2026, 1, 9, 16, 45), Deadline(1), vn(2026, 1, 10, 16, 45), "Friday to make-up Saturday"),
    (vn(2026, 1, 5, 9, 30), Deadline(2, DeadlineUnit.WORKING_HOURS), vn(2026, 1, 5, 11, 30),
     "ends exactly at the end of the morning: 11:30, not 13:30"),
    (vn(2026, 1, 5, 13, 30), Deadline(4, DeadlineUnit.WORKING_HOURS), vn(2026, 1, 5, 17, 30),
     "ends exactly at closing: 17:30, not next morning"),
    (vn(2026, 1, 5, 7, 30), Deadline(1), vn(2026, 1, 5, 17, 30), "a full day from opening"),
    (vn(2026, 1, 5, 10, 0), Deadline(3, DeadlineUnit.WORKING_HOURS), vn(2026, 1, 5, 15, 0),
     "remainder crosses lunch"),
    (vn(2026, 1, 5, 16, 0), Deadline(3, DeadlineUnit.WORKING_HOURS), vn(2026, 1, 6, 9, 0),
     "remainder crosses the night"),
    (vn(2026, 1, 16, 16, 0), Deadline(3, DeadlineUnit.WORKING_HOURS), vn(2026, 1, 19, 9, 0),
     "remainder crosses a weekend"),
    (vn(2026, 1, 5, 9, 0), Deadline(0), vn(2026, 1, 5, 17, 30), "same-day procedure"),
    (vn(2026, 1, 5, 15, 30), Deadline(0, cutoff=time(15, 0)), vn(2026, 1, 6, 17, 30),
     "same-day procedure received after cut-off"),
    (vn(2026, 1, 4, 9, 0), Deadline(0), vn(2026, 1, 5, 17, 30), "same-day received on Sunday"),
    (vn(2026, 1, 5, 9, 0), Deadline(1, mode=CountingMode.END_OF_DAY), vn(2026, 1, 6, 17, 30),
     "end-of-day: receipt day not counted"),
    (vn(2026, 1, 9, 9, 0), Deadline(2, mode=CountingMode.END_OF_DAY), vn(2026, 1, 12, 17, 30),
     "end-of-day counts the make-up Saturday"),
    (vn(2026, 8, 28, 10, 0), Deadline(1, mode=CountingMode.END_OF_DAY), vn(2026, 9, 3, 17, 30),
     "end-of-day over National Day 2026"),
    (vn(2026, 4, 24, 10, 0), Deadline(1, mode=CountingMode.END_OF_DAY), vn(2026, 4, 28, 17, 30),
     "end-of-day skips Mon 27 Apr 2026"),
    (vn(2026, 1, 5, 10, 0), Deadline(20, DeadlineUnit.CALENDAR_DAYS), vn(2026, 1, 26, 17, 30),
     "20 calendar days ending on a Sunday move to Monday"),
    (vn(2026, 1, 5, 10, 0), Deadline(10, DeadlineUnit.CALENDAR_DAYS), vn(2026, 1, 15, 17, 30),
     "10 calendar days ending on a Thursday"),
    (vn(2026, 2, 9, 10, 0), Deadline(7, DeadlineUnit.CALENDAR_DAYS), vn(2026, 2, 23, 17, 30),
     "calendar days ending in Tết move after it"),
    (vn(2026, 11, 23, 14, 0), Deadline(1), vn(2026, 11, 25, 14, 0),
     "one working day from Mon 23 Nov 2026 skips Culture Day (Wed 25 Nov, not Tue 24)"),
    (vn(2026, 11, 23, 14, 0), Deadline(0.5), vn(2026, 11, 25, 8, 0),
     "half a working day (4 hours) from Mon 23 Nov 2026 14:00"),
]


@pytest.mark.parametrize(("received", "deadline", "expected", "why"), APPOINTMENTS,
                         ids=[a[-1] for a in APPOINTMENTS])
def test_appointment(cal, received, deadline, expected, why):
    assert cal.appointment(received, deadline) == expected


def test_working_time_between_skips_lunch_nights_and_days_off(cal):
    assert cal.minutes_between(vn(2026, 1, 5, 11, 0), vn(2026, 1, 5, 14, 0)) == 60
    assert cal.minutes_between(vn(2026, 2, 13, 17, 0), vn(2026, 2, 23, 8, 0)) == 60
    assert cal.minutes_between(vn(2026, 1, 5, 14, 0), vn(2026, 1, 5, 11, 0)) == -60


def test_year_lists_days_off_and_make_up_days_with_reasons(cal):
    rules = {r.day: r for r in cal.year_exceptions(2026)}
    assert rules[date(2026, 1, 10)].kind is DayKind.WORKING_DAY
    assert "Làm bù" in rules[date(2026, 1, 10)].reason
    assert rules[date(2026, 1, 2)].kind is DayKind.DAY_OFF
    assert rules[date(2026, 8, 22)].kind is DayKind.WORKING_DAY
    assert all(r.reason for r in rules.values())


def test_an_override_wins_over_shipped_data():
    rules = [DayRule(date(2026, 3, 3), DayKind.DAY_OFF, "Nghỉ đột xuất theo quyết định của tỉnh")]
    cal = WorkingCalendar(rules=rules, first_year=2026, last_year=2026)
    assert not cal.is_working_day(date(2026, 3, 3))
    later = WorkingCalendar(rules=[*rules, DayRule(date(2026, 3, 3), DayKind.WORKING_DAY, "Hủy")],
                            first_year=2026, last_year=2026)
    assert later.is_working_day(date(2026, 3, 3))


def test_configurable_office_hours_change_the_day_length():
    cal = WorkingCalendar(hours=OfficeHours.parse("08:00-12:00,13:00-17:00"), first_year=2026,
                          last_year=2026)
    assert cal.appointment(vn(2026, 1, 5, 12, 30), Deadline(1)) == vn(2026, 1, 6, 12, 0)


@pytest.mark.parametrize("text", ["7h-11h", "11:30-07:30", "07:30-11:30,11:00-12:00", ""])
def test_bad_office_hours_are_refused_in_vietnamese(text):
    with pytest.raises(InvalidDeadline):
        OfficeHours.parse(text)


def test_naive_datetimes_are_refused(cal):
    from datetime import datetime

    with pytest.raises(NaiveDatetimeError):
        cal.clock(datetime(2026, 1, 5, 9, 0))  # noqa: DTZ001


def test_instants_outside_the_calendar_range_are_refused(cal):
    with pytest.raises(CalendarRangeError):
        cal.appointment(vn(2031, 6, 1, 9, 0), Deadline(1))


def test_negative_deadlines_and_fractional_days_outside_hours_counting_are_refused():
    with pytest.raises(InvalidDeadline):
        Deadline(-1)
    with pytest.raises(InvalidDeadline):
        Deadline(1.5, mode=CountingMode.END_OF_DAY)
    with pytest.raises(InvalidDeadline):
        Deadline(2.5, DeadlineUnit.CALENDAR_DAYS)


def test_half_a_working_day_is_entered_and_printed_as_officials_publish_it():
    from motcua.domain.procedures import deadline_from_dict, deadline_to_dict

    half = deadline_from_dict({"working_days": 0.5})
    assert half.describe() == "0,5 ngày làm việc"
    assert half.working_seconds(8 * 3600) == 4 * 3600
    assert deadline_to_dict(half) == {"working_days": 0.5, "mode": "hours"}
    assert Deadline(1.5).describe() == "1,5 ngày làm việc"
    assert Deadline(1.5).working_seconds(8 * 3600) == 12 * 3600


def test_a_result_ready_on_the_morning_after_culture_day_2026_is_on_time(cal):
    from motcua.domain.timeliness import Timeliness, judge_timeliness

    due = cal.appointment(vn(2026, 11, 23, 14, 0), Deadline(1))
    assert judge_timeliness(vn(2026, 11, 25, 10, 0), due) is Timeliness.ON_TIME


def test_shipped_data_departs_from_the_holidays_package_only_where_documented():
    from motcua.calendar_sources import documented_differences, package_differences

    found = {day: (pkg, ours, reason) for day, pkg, ours, reason in package_differences(2015,
                                                                                          2035)}
    documented = documented_differences()
    undocumented = {d: v for d, v in found.items() if not documented.get(d, "").strip()}
    stale = sorted(set(documented) - set(found))
    assert not undocumented, f"days where motcua and the package disagree, undocumented: " \
                             f"{sorted(undocumented.items())}"
    assert not stale, f"documented differences the data no longer has: {stale}"
    assert all(reason for _, _, reason in found.values())


def test_the_holidays_package_gives_exactly_the_reviewed_days():
    import json
    from importlib import resources

    import holidays

    reviewed = json.loads(resources.files("motcua.data").joinpath("holidays_vn_reviewed.json")
                          .read_text("utf-8"))["days"]
    now = {d.isoformat(): str(n) for d, n in holidays.country_holidays(
        "VN", years=range(2015, 2036), language="vi").items()}
    added = sorted(set(now) - set(reviewed))
    removed = sorted(set(reviewed) - set(now))
    renamed = sorted(d for d in set(now) & set(reviewed) if now[d] != reviewed[d])
    assert not (added or removed or renamed), (
        f"the holidays package changed: added {added}, removed {removed}, renamed {renamed}; "
        f"review them, then update data/holidays_vn_reviewed.json")
