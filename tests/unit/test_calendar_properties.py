"""Property-based tests: adding and measuring working time are inverse and monotonic;
the NumPy form agrees with the scalar one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.analytics.workcal import VectorCalendar, to_epoch
from motcua.domain.calendar import CountingMode, Deadline, DeadlineUnit

START = datetime(2024, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=3 * 365 * 86_400).map(
    lambda s: START + timedelta(seconds=s))
amounts = st.integers(min_value=1, max_value=60 * 8 * 3600)


@settings(max_examples=300, deadline=None)
@given(instants, amounts)
def test_measuring_an_addition_gives_back_the_amount(cal, start, seconds):
    end = cal.add(start, seconds)
    assert cal.between(cal.effective_receipt(start), end) == seconds


@settings(max_examples=300, deadline=None)
@given(instants, amounts, amounts)
def test_adding_is_monotonic_and_additive(cal, start, a, b):
    small, large = sorted((a, b))
    assert cal.add(start, small) <= cal.add(start, large)
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)


@settings(max_examples=300, deadline=None)
@given(instants, instants)
def test_working_time_between_is_monotonic(cal, a, b):
    early, late = sorted((a, b))
    assert 0 <= cal.between(early, late) <= (late - early).total_seconds()


@settings(max_examples=200, deadline=None)
@given(instants)
def test_additions_never_end_outside_office_hours(cal, start):
    end = cal.add(start, 3600).astimezone(cal.tz)
    assert cal.is_working_day(end.date())
    second = end.hour * 3600 + end.minute * 60 + end.second
    assert 27_000 < second <= 41_400 or 48_600 < second <= 63_000


DEADLINES = [Deadline(0), Deadline(1), Deadline(15), Deadline(2.5, DeadlineUnit.WORKING_HOURS),
             Deadline(3, mode=CountingMode.END_OF_DAY), Deadline(20, DeadlineUnit.CALENDAR_DAYS),
             Deadline(1, cutoff=datetime(2000, 1, 1, 15).time())]


def test_vectorised_appointments_match_the_scalar_calendar(cal):
    rng = np.random.default_rng(7)
    seconds = rng.integers(0, 3 * 365 * 86_400, size=3000)
    received = [START + timedelta(seconds=int(s)) for s in seconds]
    vector = VectorCalendar(cal)
    epoch = to_epoch(received)
    for deadline in DEADLINES:
        got = vector.appointments(epoch, deadline)
        want = to_epoch([cal.appointment(r, deadline) for r in received])
        assert np.array_equal(got, want), deadline


def test_vectorised_add_and_between_match_the_scalar_calendar(cal):
    rng = np.random.default_rng(11)
    received = [START + timedelta(seconds=int(s)) for s in rng.integers(0, 2 * 365 * 86_400, 2000)]
    amounts = rng.integers(1, 40 * 8 * 3600, size=len(received))
    vector = VectorCalendar(cal)
    epoch = to_epoch(received)
    ends = vector.add(epoch, amounts)
    assert np.array_equal(ends, to_epoch([cal.add(r, int(a)) for r, a in zip(received, amounts, strict=True)]))
    later = epoch + rng.integers(0, 30 * 86_400, size=len(received))
    later_dt = [datetime.fromtimestamp(int(s), tz=UTC) for s in later]
    want = np.array([cal.between(a, b) for a, b in zip(received, later_dt, strict=True)])
    assert np.array_equal(vector.between(epoch, later), want)
    eff = vector.effective_receipt(epoch)
    assert np.array_equal(eff, to_epoch([cal.effective_receipt(r) for r in received]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(instants, st.integers(min_value=-3 * 86_400, max_value=3 * 86_400)),
                min_size=1, max_size=40))
def test_the_numpy_verdict_agrees_with_the_domain_verdict(pairs):
    from motcua.analytics.workcal import judge_timeliness_array
    from motcua.domain.timeliness import judge_timeliness

    ready = [r for r, _ in pairs]
    due = [r + timedelta(seconds=d) for r, d in pairs]
    got = judge_timeliness_array(to_epoch(ready), to_epoch(due))
    assert list(got) == [judge_timeliness(r, d).value for r, d in zip(ready, due, strict=True)]
