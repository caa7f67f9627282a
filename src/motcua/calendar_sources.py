"""Where the working calendar's data comes from, layered in this order.

1. public holidays from the ``holidays`` package (country VN, Vietnamese names);
2. the Government's yearly decisions shipped with motcua (``data/calendar_vn.json``):
   extra days off, make-up working Saturdays, and corrections to the package;
3. an administrator's overrides (stored in the database, importable from a file).

A later layer wins for the same day. The domain calendar itself knows nothing
of where its rules came from.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from motcua.domain.calendar import DayKind, DayRule, OfficeHours, WorkingCalendar
from motcua.domain.errors import ValidationError

PACKAGE_SOURCE = "Gói holidays (VN), Điều 112 Bộ luật Lao động 2019"
RECURRING_UNTIL = 2100


def package_holidays(first_year: int, last_year: int) -> Iterator[DayRule]:
    import holidays

    vn = holidays.country_holidays("VN", years=range(first_year, last_year + 1), language="vi")
    for day, name in sorted(vn.items()):
        yield DayRule(day, DayKind.DAY_OFF, _nfc(name), PACKAGE_SOURCE)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


def recurring_rules(items: Iterable[dict], last_year: int = RECURRING_UNTIL) -> Iterator[DayRule]:
    """Holidays on a fixed day every year from a given year (``_recurring``): the day off,
    and when it falls on a Saturday or Sunday the next Monday off (Labour Code 2019
    art. 112(3))."""
    for item in items:
        month, day = (int(x) for x in item["month_day"].split("-"))
        for year in range(int(item["from_year"]), last_year + 1):
            holiday = date(year, month, day)
            yield DayRule(holiday, DayKind.DAY_OFF, _nfc(item["reason"]), _nfc(item["source"]))
            if holiday.weekday() >= 5:
                monday = holiday + timedelta(days=7 - holiday.weekday())
                yield DayRule(monday, DayKind.DAY_OFF, _nfc(f"{item['reason']} (nghỉ bù)"),
                              _nfc(item["source"]))


def parse_rules(data: dict, source_default: str = "") -> Iterator[DayRule]:
    """Rules from the yearly-decision format: ``{"2026": {"days_off": [...], ...}}``, and
    fixed-day holidays under ``_recurring``."""
    yield from recurring_rules(data.get("_recurring", ()))
    for year, content in sorted(data.items()):
        if year.startswith("_"):
            continue
        source = content.get("source", source_default)
        for key, kind in (("days_off", DayKind.DAY_OFF), ("working_days", DayKind.WORKING_DAY)):
            for item in content.get(key, []):
                try:
                    day = date.fromisoformat(item["date"])
                    reason = _nfc(item["reason"])
                except (KeyError, TypeError, ValueError) as exc:
                    raise ValidationError(
                        f"Năm {year}, mục {item!r}: cần 'date' dạng YYYY-MM-DD và 'reason'."
                    ) from exc
                if str(day.year) != str(year):
                    raise ValidationError(f"Ngày {day:%d/%m/%Y} không thuộc năm {year}.")
                yield DayRule(day, kind, reason, _nfc(item.get("source", source)))


@lru_cache(maxsize=1)
def _shipped_data() -> dict:
    return json.loads(resources.files("motcua.data").joinpath("calendar_vn.json")
                      .read_text("utf-8"))


@lru_cache(maxsize=1)
def shipped_decisions() -> tuple[DayRule, ...]:
    return tuple(parse_rules(_shipped_data()))


def decided_years() -> frozenset[int]:
    """Years for which motcua ships the Government's decided days; other years rest on
    the ``holidays`` package's estimates ("dự kiến")."""
    return frozenset(int(y) for y in _shipped_data() if not y.startswith("_"))


def documented_differences() -> dict[date, str]:
    """Days on which motcua's data knowingly departs from the ``holidays`` package, with why."""
    return {date.fromisoformat(k): v
            for k, v in _shipped_data().get("_package_differences", {}).items()}


def package_differences(first_year: int = 2015, last_year: int = 2035
                        ) -> list[tuple[date, bool, bool, str]]:
    """Every day on which the package alone and motcua's shipped data disagree:
    (day, working by the package, working by motcua, motcua's reason)."""
    package = build_calendar(first_year=first_year, last_year=last_year, shipped=False)
    shipped = build_calendar(first_year=first_year, last_year=last_year)
    reasons = {r.day: r.reason for r in shipped_decisions()}
    out = []
    day, end = date(first_year, 1, 1), date(last_year, 12, 31)
    while day <= end:
        a, b = package.is_working_day(day), shipped.is_working_day(day)
        if a != b:
            out.append((day, a, b, reasons.get(day, "")))
        day += timedelta(days=1)
    return out


def load_rules_file(path: Path) -> list[DayRule]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"Không đọc được tệp lịch {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValidationError("Tệp lịch phải là một đối tượng JSON theo năm.")
    return list(parse_rules(data, source_default=f"Tệp {path.name}"))


@lru_cache(maxsize=8)
def _package_rules(first_year: int, last_year: int) -> tuple[DayRule, ...]:
    return tuple(package_holidays(first_year, last_year))


def build_calendar(
    overrides: Iterable[DayRule] = (),
    hours: OfficeHours | None = None,
    first_year: int = 2015,
    last_year: int = 2035,
    *,
    shipped: bool = True,
) -> WorkingCalendar:
    rules = [*_package_rules(first_year, last_year),
             *(shipped_decisions() if shipped else ()), *overrides]
    rules = [r for r in rules if first_year <= r.day.year <= last_year]
    return WorkingCalendar(
        rules=rules, hours=hours or OfficeHours(), first_year=first_year, last_year=last_year
    )
