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
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from motcua.domain.calendar import DayKind, DayRule, OfficeHours, WorkingCalendar
from motcua.domain.errors import ValidationError

PACKAGE_SOURCE = "Gói holidays (VN), Điều 112 Bộ luật Lao động 2019"


def package_holidays(first_year: int, last_year: int) -> Iterator[DayRule]:
    import holidays

    vn = holidays.country_holidays("VN", years=range(first_year, last_year + 1), language="vi")
    for day, name in sorted(vn.items()):
        yield DayRule(day, DayKind.DAY_OFF, _nfc(name), PACKAGE_SOURCE)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


def parse_rules(data: dict, source_default: str = "") -> Iterator[DayRule]:
    """Rules from the yearly-decision format: ``{"2026": {"days_off": [...], ...}}``."""
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
def shipped_decisions() -> tuple[DayRule, ...]:
    text = resources.files("motcua.data").joinpath("calendar_vn.json").read_text("utf-8")
    return tuple(parse_rules(json.loads(text)))


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
) -> WorkingCalendar:
    rules = [*_package_rules(first_year, last_year), *shipped_decisions(), *overrides]
    rules = [r for r in rules if first_year <= r.day.year <= last_year]
    return WorkingCalendar(
        rules=rules, hours=hours or OfficeHours(), first_year=first_year, last_year=last_year
    )
