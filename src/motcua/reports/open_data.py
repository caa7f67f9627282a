"""Public statistics (open data): per month, for the province and each receiving unit,
the on-time rate, the online rate, satisfaction and the Decision 766 index, like the
national portal's public index pages; no personal data.

Small counts are suppressed: a unit's month with fewer than ``MIN_COUNT`` dossiers shows
no count and no rate (a rate over two dossiers could name a person); the province's row
adds every unit, suppressed or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from motcua.domain.calendar import VN_TZ
from motcua.reports.core import Period, pct
from motcua.reports.index766 import index766

MIN_COUNT = 5
LICENCE = "Giấy phép Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)"
FIELDS = [  # the data dictionary: column, meaning
    ("thang", "Tháng tiếp nhận (MM/yyyy)"),
    ("ma_don_vi", "Mã đơn vị tiếp nhận (để trống: toàn tỉnh)"),
    ("ten_don_vi", "Tên đơn vị tiếp nhận"),
    ("ho_so_tiep_nhan", "Số hồ sơ tiếp nhận trong tháng"),
    ("ho_so_xu_ly", "Số hồ sơ đã và đang xử lý trong tháng (mẫu số của tỷ lệ đúng hạn)"),
    ("ty_le_dung_han", "Tỷ lệ hồ sơ đã và đang xử lý đúng hạn hoặc trong hạn (%), theo "
                       "Quyết định 766/QĐ-TTg chỉ tiêu 2.1"),
    ("ty_le_truc_tuyen", "Tỷ lệ hồ sơ nộp trực tuyến, kể cả nộp hộ (%)"),
    ("ty_le_hai_long", "Tỷ lệ hồ sơ có kết quả không trễ hạn, không bị đánh giá không hài "
                       "lòng (%), chỉ tiêu 5.3"),
    ("diem_766", "Điểm Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766) trên các "
                 "chỉ tiêu có dữ liệu; toàn tỉnh: trung bình các đơn vị"),
    ("diem_toi_da_co_du_lieu", "Tổng điểm tối đa của các chỉ tiêu có dữ liệu"),
    ("an_so_lieu", "“có” khi dưới 5 hồ sơ: số liệu của đơn vị trong tháng được ẩn"),
]


def months_back(today: date, count: int) -> list[Period]:
    """The last ``count`` months, this one included (up to today), oldest first."""
    periods = []
    first = today.replace(day=1)
    for _ in range(count):
        last = today if first.month == today.month and first.year == today.year else \
            (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        periods.append(Period(first, last))
        first = (first - timedelta(days=1)).replace(day=1)
    return periods[::-1]


def _indicator(row: dict, code: str) -> dict:
    return next(i for i in row["indicators"] if i["code"] == code)


@dataclass(frozen=True)
class Row:
    month: str
    unit_code: str
    unit_name: str
    received: int | None
    handled: int | None
    on_time: float | None
    online: float | None
    satisfied: float | None
    points: float | None
    max_points: float | None
    suppressed: bool

    def as_dict(self) -> dict:
        return dict(zip([f for f, _ in FIELDS], (
            self.month, self.unit_code, self.unit_name, self.received, self.handled,
            self.on_time, self.online, self.satisfied, self.points, self.max_points,
            "có" if self.suppressed else ""), strict=True))


def _month_rows(engine, province_code: int, province_name: str, period: Period,
                now: datetime, sync_minutes: int | None) -> list[Row]:
    report = index766(engine, province_code=province_code, period=period, now=now,
                      sync_minutes=sync_minutes)
    month = f"{period.first:%m/%Y}"
    rows, sums = [], dict.fromkeys(("received", "handled", "timely", "online", "finished",
                                    "unsatisfied"), 0)
    for r in report["rows"]:
        ontime, online, satisfied = (_indicator(r, c) for c in ("2.1", "3.2", "5.3"))
        for key, value in (("received", r["received"]), ("handled", r["handled"]),
                           ("timely", ontime["inputs"]["timely"]),
                           ("online", online["inputs"]["online"]),
                           ("finished", satisfied["inputs"]["finished"]),
                           ("unsatisfied", satisfied["inputs"]["unsatisfied"])):
            sums[key] += value
        code, name = r["group"].split(" ", 1)
        if max(r["received"], r["handled"]) < MIN_COUNT:
            rows.append(Row(month, code, name, None, None, None, None, None, None, None, True))
            continue
        rows.append(Row(month, code, name, r["received"], r["handled"], ontime["value_pct"],
                        online["value_pct"], satisfied["value_pct"], r["points"],
                        r["max_points_with_data"], False))
    total = report["totals"]["average_points"]
    province = Row(month, "", province_name, sums["received"], sums["handled"],
                   pct(sums["timely"], sums["handled"]), pct(sums["online"], sums["received"]),
                   pct(sums["finished"] - sums["unsatisfied"], sums["finished"]),
                   total, max((r.max_points or 0 for r in rows), default=None) or None,
                   max(sums["received"], sums["handled"]) < MIN_COUNT)
    if province.suppressed:
        province = Row(month, "", province_name, *([None] * 7), True)
    return [province, *rows]


def open_statistics(engine, *, province_code: int, province_name: str, now: datetime,
                    months: int = 6, sync_minutes: int | None = None) -> dict:
    today = now.astimezone(VN_TZ).date()
    rows = [row for period in months_back(today, months)
            for row in _month_rows(engine, province_code, province_name, period, now,
                                   sync_minutes)]
    return {"as_of": now.isoformat(), "licence": LICENCE, "min_count": MIN_COUNT,
            "fields": [{"name": f, "description": d} for f, d in FIELDS],
            "rows": [r.as_dict() for r in rows]}
